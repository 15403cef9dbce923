//! A registry that answers badly on purpose: pagination loops, oversized
//! bodies, lying digests, redirects to forbidden hosts, garbage. docker-registry
//! cannot be made to do this, so a small axum server plays the part.
//! Reestr must answer each with a clear error, promptly, and keep serving.

use std::time::{Duration, Instant};

use crate::support::{TestApp, TestResult};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;

const DIGEST_OF_EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

async fn hostile_registry() -> TestResult<String> {
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":0,"digest":"{DIGEST_OF_EMPTY}"}},"layers":[]}}"#
    );
    let app = Router::new()
        .route("/v2/", get(|| async { "{}" }))
        .route(
            "/v2/_catalog",
            get(|| async {
                let mut h = HeaderMap::new();
                h.insert("link", HeaderValue::from_static(r#"</v2/_catalog?n=1000>; rel="next""#));
                (h, r#"{"repositories":["a"]}"#)
            }),
        )
        .route("/v2/big/tags/list", get(|| async { "x".repeat(17 * 1024 * 1024) }))
        .route("/v2/garbage/tags/list", get(|| async { "<html>not json</html>" }))
        .route(
            "/v2/busy/tags/list",
            get(|| async {
                let mut h = HeaderMap::new();
                h.insert("retry-after", HeaderValue::from_static("7"));
                (StatusCode::TOO_MANY_REQUESTS, h, "slow down")
            }),
        )
        .route(
            "/v2/evil/tags/list",
            get(|| async {
                let mut h = HeaderMap::new();
                h.insert("link", HeaderValue::from_static(r#"<http://169.254.169.254/latest>; rel="next""#));
                (h, r#"{"name":"evil","tags":["a"]}"#)
            }),
        )
        .route(
            "/v2/redirect/manifests/{reference}",
            get(|| async {
                let mut h = HeaderMap::new();
                h.insert("location", HeaderValue::from_static("http://169.254.169.254/latest/meta-data"));
                (StatusCode::TEMPORARY_REDIRECT, h)
            }),
        )
        .route(
            "/v2/liar/manifests/{reference}",
            get(move || {
                let body = manifest.clone();
                async move {
                    let mut h = HeaderMap::new();
                    h.insert("content-type", HeaderValue::from_static("application/vnd.oci.image.manifest.v1+json"));
                    h.insert("docker-content-digest", HeaderValue::from_static(DIGEST_OF_EMPTY));
                    (h, body).into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr.to_string())
}

#[tokio::test]
async fn bad_registry_answers_become_clear_errors() -> TestResult {
    let host = hostile_registry().await?;
    let yaml = format!("registries:\n  - id: bad\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n");
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    // The page shows the error inline.
    let html = app.page("/registries/bad", 200).await?;
    assert!(html.contains("Invalid registry response"));
    // The 429 comes last: it opens the registry's breaker (see the end).
    let cases = [
        ("/api/registries/bad/repositories", "invalidResponse", "next page loops back"),
        ("/api/registries/bad/repositories/big/tags", "invalidResponse", "larger than the 16777216 byte limit"),
        ("/api/registries/bad/repositories/garbage/tags", "invalidResponse", "not JSON"),
        ("/api/registries/bad/repositories/evil/tags", "unavailable", "refused to contact 169.254.169.254"),
        ("/api/registries/bad/repositories/redirect/tags/1.0", "unavailable", "169.254.169.254"),
        ("/api/registries/bad/repositories/liar/tags/1.0", "invalidResponse", "does not match the body"),
        ("/api/registries/bad/repositories/busy/tags", "rateLimited", "rate limiting requests, retry after 7 s"),
        // The breaker is open now: answered at once, without a request.
        ("/api/registries/bad/repositories/garbage/tags", "rateLimited", "rate limiting requests, retry after"),
    ];
    for (path, kind, detail) in cases {
        let started = Instant::now();
        let (status, _, body) = app.get(path).await?;
        let problem: serde_json::Value = serde_json::from_str(&body)?;
        let expected = if kind == "rateLimited" { 503 } else { 502 };
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(problem["kind"], kind, "{path}: {body}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains(detail)), "{path}: {body}");
        assert!(started.elapsed() < Duration::from_secs(10), "{path} took {:?}", started.elapsed());
    }
    Ok(())
}
