//! Leptos's task executor on this server: tokio, except that every task a
//! request spawns (a page's resources, streamed in parallel) keeps that
//! request's tracing span and cache tally, and ends with the request's
//! response (`request_life`). Without it, log lines written while rendering
//! a page would lose the request id, the request's log line could not say
//! how the cache answered, and a page's leftover tasks could run after the
//! page was gone.

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use tracing::Instrument;

use super::request_life;
use crate::cache::outcome;

#[derive(Debug)]
struct RequestScoped;

impl CustomExecutor for RequestScoped {
    fn spawn(&self, fut: PinnedFuture<()>) {
        let span = tracing::Span::current();
        let fut: PinnedFuture<()> = match request_life::current() {
            Some(life) => Box::pin(request_life::Bound::new(life, fut)),
            None => fut,
        };
        match outcome::current() {
            Some(tally) => tokio::spawn(outcome::scope(tally, fut.instrument(span))),
            None => tokio::spawn(fut.instrument(span)),
        };
    }

    fn spawn_local(&self, fut: PinnedLocalFuture<()>) {
        let span = tracing::Span::current();
        let fut: PinnedLocalFuture<()> = match request_life::current() {
            Some(life) => Box::pin(request_life::Bound::new(life, fut)),
            None => fut,
        };
        match outcome::current() {
            Some(tally) => tokio::task::spawn_local(outcome::scope(tally, fut.instrument(span))),
            None => tokio::task::spawn_local(fut.instrument(span)),
        };
    }

    fn poll_local(&self) {}
}

/// Installs the executor; call before Leptos runs anything (leptos_axum
/// installs plain tokio otherwise, and the first one set stays).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if Executor::init_custom_executor(RequestScoped).is_err() {
            tracing::warn!("another task executor was installed first: page log lines may lack request ids");
        }
    });
}
