//! "Resync schema": the API document is fetched again; a better document
//! takes effect at once, a failed fetch keeps the last good one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::support::{PARTIAL_DOCUMENT, TestApp, TestResult, registry_host, s};

const FULL: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/registry/oci-distribution.yaml"));

/// 0: a document without tag listing, 1: the full OCI document, 2: HTTP 500.
async fn document_server(mode: Arc<AtomicU8>) -> TestResult<String> {
    let app = Router::new()
        .route(
            "/openapi.yaml",
            get(|State(mode): State<Arc<AtomicU8>>| async move {
                match mode.load(Ordering::SeqCst) {
                    0 => (StatusCode::OK, PARTIAL_DOCUMENT).into_response(),
                    1 => (StatusCode::OK, FULL).into_response(),
                    _ => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
                }
            }),
        )
        .with_state(mode);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}/openapi.yaml"))
}

#[tokio::test]
async fn resync_applies_a_fixed_document_and_keeps_the_last_good_one_on_failure() -> TestResult {
    let mode = Arc::new(AtomicU8::new(0));
    let doc = document_server(mode.clone()).await?;
    let yaml = format!(
        "registries:\n  - id: evolving\n    displayName: Evolving\n    baseUrl: http://{}\n    api: {{ document: \"{doc}\" }}\n    tls: {{ allowHttp: true }}\n",
        registry_host()?
    );
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    let browsable = |h: &serde_json::Value| h["registries"][0]["browsable"].as_bool();
    assert_eq!(browsable(&app.json("/healthz", 200).await?), Some(false));
    app.json("/api/registries/evolving/repositories", 501).await?;

    mode.store(1, Ordering::SeqCst);
    let fixed = app.post_json("/api/registries/evolving/resync", 200).await?;
    assert_eq!(fixed["ok"], true);
    assert_eq!(s(&fixed, "message")?, "OCI Distribution API (read-only subset) 1.1 reloaded: 6 of 6 operations found");
    assert_eq!(browsable(&app.json("/healthz", 200).await?), Some(true));
    app.json("/api/registries/evolving/repositories?limit=1", 200).await?;

    mode.store(2, Ordering::SeqCst);
    let failed = app.post_json("/api/registries/evolving/resync", 200).await?;
    assert_eq!(failed["ok"], false);
    let message = s(&failed, "message")?;
    assert!(message.starts_with("API document: cannot fetch"), "{message}");
    assert!(message.contains("HTTP 500") && message.contains("keeping the document from"), "{message}");
    assert_eq!(s(&failed["registry"], "apiDocument")?, "OCI Distribution API (read-only subset) 1.1");
    app.json("/api/registries/evolving/repositories?limit=1", 200).await?;

    let unknown = app.post_json("/api/registries/nope/resync", 404).await?;
    assert_eq!(unknown["kind"], "notFound");
    Ok(())
}
