//! Every request gets an id (the caller's `X-Request-Id` when it is a sane
//! token, else a new one), echoed in the response and carried by a tracing
//! span, so every log line of the request names it; one line per request
//! records route, registry, status, latency and how the cache answered
//! (`cache`: none, hit, stale, miss or partial). Routes are logged as their
//! patterns: no query strings, so nothing a user typed (or a token) lands
//! in the logs.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use tracing::Instrument;

use crate::cache::outcome;

pub const HEADER: &str = "x-request-id";

/// The caller's id when it is 1–128 of `A-Z a-z 0-9 . _ -`, else a new one.
fn accept(given: Option<&HeaderValue>) -> String {
    given
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .filter(|v| v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut bytes = [0_u8; 12];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        })
}

/// The registry a path is about (`/registries/{id}…`, `/api/registries/{id}…`).
fn registry_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api").unwrap_or(path).strip_prefix("/registries/")?;
    rest.split('/').next().filter(|id| !id.is_empty())
}

pub async fn request_id(req: Request, next: Next) -> Response {
    let id = accept(req.headers().get(HEADER));
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "other".into());
    // Configured ids are short; a made-up one is logged cut to 64 characters.
    let registry: String = registry_of(req.uri().path()).unwrap_or("").chars().take(64).collect();
    // A made-up method is any token up to the header limit: logged as `other`.
    let method = super::metrics::method_label(req.method());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route, registry = %registry);
    let started = Instant::now();
    let tally = std::sync::Arc::new(outcome::Tally::default());
    let mut resp = outcome::scope(tally.clone(), next.run(req).instrument(span.clone())).await;
    let cache = tally.summary();
    let status = resp.status().as_u16();
    let quiet = resp.extensions().get::<super::surface::Surface>().is_some_and(|s| s.quiet);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if quiet {
            tracing::debug!(status, latency_ms = ms, cache, "request");
        } else if status >= 500 {
            tracing::warn!(status, latency_ms = ms, cache, "request");
        } else {
            tracing::info!(status, latency_ms = ms, cache, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_replaced() {
        assert_eq!(accept(Some(&HeaderValue::from_static("abc-123_x.y"))), "abc-123_x.y");
        let fresh = accept(Some(&HeaderValue::from_static("bad id; with spaces")));
        assert_eq!(fresh.len(), 24);
        assert!(fresh.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(accept(None), accept(None));
        assert_eq!(registry_of("/api/registries/local/repositories"), Some("local"));
        assert_eq!(registry_of("/registries/hub"), Some("hub"));
        assert_eq!(registry_of("/account"), None);
    }
}
