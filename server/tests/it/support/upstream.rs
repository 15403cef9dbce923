//! What the cache tests need around the real registry: a counting proxy
//! (every request Reestr makes upstream passes it and is counted) and a
//! `redis-server` of the test's own on a free port, which a test can kill
//! and restart (the machine's own Redis is never touched).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Scratch, TestResult};

/// A loopback HTTP proxy in front of one registry that counts requests,
/// and can answer in the registry's place as a pushed-back registry would.
pub struct CountingProxy {
    /// `host:port` to configure as the registry.
    pub host: String,
    count: Arc<AtomicUsize>,
    paths: Arc<std::sync::Mutex<Vec<String>>>,
    fault: Arc<std::sync::Mutex<Fault>>,
}

/// What the proxy answers instead of forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    None,
    /// 429 to everything, with this `Retry-After` (seconds).
    TooManyRequests { retry_after: u32 },
    /// 503 to the next `next` requests, then forward again.
    Unavailable { next: u32 },
}

#[derive(Clone)]
struct Forward {
    upstream: String,
    http: reqwest::Client,
    count: Arc<AtomicUsize>,
    paths: Arc<std::sync::Mutex<Vec<String>>>,
    fault: Arc<std::sync::Mutex<Fault>>,
}

impl CountingProxy {
    pub async fn start(upstream: &str) -> TestResult<Self> {
        let count = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(std::sync::Mutex::new(Vec::new()));
        let fault = Arc::new(std::sync::Mutex::new(Fault::None));
        let state = Forward {
            upstream: upstream.to_string(),
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?,
            count: count.clone(),
            paths: paths.clone(),
            fault: fault.clone(),
        };
        let app = Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let host = listener.local_addr()?.to_string();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { host, count, paths, fault })
    }

    /// From now on, answer as `fault` says.
    pub fn set_fault(&self, fault: Fault) {
        if let Ok(mut f) = self.fault.lock() {
            *f = fault;
        }
    }

    /// Requests forwarded since the last call (and the paths they asked for).
    pub fn take(&self) -> (usize, Vec<String>) {
        let n = self.count.swap(0, Ordering::SeqCst);
        let paths = self.paths.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default();
        (n, paths)
    }
}

async fn forward(State(f): State<Forward>, req: Request) -> Response {
    f.count.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
    if let Ok(mut p) = f.paths.lock() {
        p.push(format!("{} {path}", req.method()));
    }
    let injected = match f.fault.lock().as_deref_mut() {
        Ok(Fault::TooManyRequests { retry_after }) => Some((StatusCode::TOO_MANY_REQUESTS, Some(*retry_after))),
        Ok(Fault::Unavailable { next }) if *next > 0 => {
            *next -= 1;
            Some((StatusCode::SERVICE_UNAVAILABLE, None))
        }
        _ => None,
    };
    if let Some((status, retry_after)) = injected {
        let mut out = Response::builder().status(status).header("content-type", "application/json");
        if let Some(seconds) = retry_after {
            out = out.header("retry-after", seconds.to_string());
        }
        let body = r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"pushed back by the test"}]}"#;
        return out.body(Body::from(body)).unwrap_or_default();
    }
    let mut upstream = f.http.request(req.method().clone(), format!("http://{}{path}", f.upstream));
    for (name, value) in req.headers() {
        if name != "host" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.send().await {
        Ok(a) => a,
        Err(e) => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::from(e.to_string()))
                .unwrap_or_default();
        }
    };
    let mut out = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "transfer-encoding" && name != "content-length" {
            out = out.header(name, value);
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    out.body(Body::from(body)).unwrap_or_default()
}

/// A `redis-server` (Debian's package) on a free loopback port, keeping
/// nothing on disk; killed when dropped.
pub struct RedisProcess {
    pub port: u16,
    child: Option<tokio::process::Child>,
    _dir: Scratch,
}

impl RedisProcess {
    pub async fn start() -> TestResult<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut redis = Self { port, child: None, _dir: Scratch::new()? };
        redis.restart().await?;
        Ok(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as an outage would) and waits until it is gone.
    pub async fn kill(&mut self) -> TestResult {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }

    /// Starts the server again on the same port, empty.
    pub async fn restart(&mut self) -> TestResult {
        let child = tokio::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self._dir.0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start redis-server (apt package redis-server): {e}"))?;
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("redis-server did not start listening".into())
    }
}
