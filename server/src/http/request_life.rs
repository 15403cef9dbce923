//! The tasks a request spawns through Leptos live no longer than its
//! response. Leptos's `<Suspense>` renders on the server from an effect it
//! spawns, and walks its children again there; when the response ends
//! first (a client that goes away mid-page, or one whose page finished),
//! that walk ran with the page's reactive owner gone and panicked on
//! whatever it read (router context, signals, resources). Here each
//! request gets a `Life`: the executor (`http/executor.rs`) binds every
//! task spawned under it, and dropping the response body ends them all,
//! after waiting for any poll under way, before the page's owner is dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use futures::{Stream, StreamExt};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

tokio::task_local! {
    static LIFE: Arc<Life>;
}

/// One request's lifetime, as its tasks see it.
#[derive(Debug, Default)]
pub struct Life {
    over: CancellationToken,
    /// Bound tasks poll under a read lock; ending takes the write lock once,
    /// so no poll is under way when the response's owner is dropped.
    polls: RwLock<()>,
}

impl Life {
    fn end(&self) {
        self.over.cancel();
        drop(self.polls.write());
    }
}

/// The life of the request this task serves, if any.
pub fn current() -> Option<Arc<Life>> {
    LIFE.try_with(Arc::clone).ok()
}

/// A task that stops (is never polled again) once its request is over.
pub struct Bound<F> {
    life: Arc<Life>,
    over: Pin<Box<WaitForCancellationFutureOwned>>,
    fut: F,
}

impl<F> Bound<F> {
    pub fn new(life: Arc<Life>, fut: F) -> Self {
        let over = Box::pin(life.over.clone().cancelled_owned());
        Self { life, over, fut }
    }
}

impl<F: Future<Output = ()> + Unpin> Future for Bound<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.over.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        let Ok(_polling) = this.life.polls.read() else { return Poll::Ready(()) };
        if this.life.over.is_cancelled() {
            return Poll::Ready(());
        }
        let fut = &mut this.fut;
        LIFE.sync_scope(this.life.clone(), || Pin::new(fut).poll(cx))
    }
}

/// A page's body: polled inside its request's life (tasks spawned while it
/// streams are bound too), and ending that life when dropped.
struct LiveBody {
    life: Arc<Life>,
    inner: Option<BodyDataStream>,
}

impl Stream for LiveBody {
    type Item = Result<axum::body::Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
        LIFE.sync_scope(this.life.clone(), || inner.poll_next_unpin(cx))
    }
}

impl Drop for LiveBody {
    fn drop(&mut self) {
        self.life.end();
        // Only now the page (and its reactive owner) goes.
        self.inner.take();
    }
}

/// The handler's future, run inside its request's life. Dropped before it
/// finished (the client went away before the page's head was ready), it
/// ends the life first, then drops the page.
struct Handling<F> {
    life: Arc<Life>,
    fut: Pin<Box<F>>,
    finished: bool,
}

impl<F: Future> Future for Handling<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let fut = &mut this.fut;
        let out = LIFE.sync_scope(this.life.clone(), || fut.as_mut().poll(cx));
        this.finished = out.is_ready();
        out
    }
}

impl<F> Drop for Handling<F> {
    fn drop(&mut self) {
        if !self.finished {
            self.life.end();
        }
    }
}

/// Opens a life for every request; a page's ends with its body, anything
/// else's when the handler returns, and either when the client goes away.
pub async fn request_life(req: Request, next: Next) -> Response {
    let life = Arc::new(Life::default());
    let resp = Handling { life: life.clone(), fut: Box::pin(next.run(req)), finished: false }.await;
    let streamed = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if streamed {
        resp.map(|body| Body::from_stream(LiveBody { life, inner: Some(body.into_data_stream()) }))
    } else {
        life.end();
        resp
    }
}
