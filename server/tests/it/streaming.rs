//! Pages stream: the shell (header, breadcrumbs, headings, forms) leaves
//! before a slow registry answers, and each section follows when its data
//! is in, as plain HTML that needs no script to be complete. The registry
//! here is a stand-in that answers its catalogue only after a delay.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TestApp, TestResult};

/// A registry whose catalogue answers after `delay`.
async fn slow_registry(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/_catalog"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"repositories": ["team/late-app"]})).set_delay(delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/v2/")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    server
}

/// Reads `resp` until `until` is in what arrived; what arrived.
async fn read_until(resp: &mut reqwest::Response, until: &str) -> TestResult<String> {
    let mut seen = String::new();
    while !seen.contains(until) {
        let chunk = resp.chunk().await?.ok_or_else(|| format!("the body ended before `{until}`: {seen}"))?;
        seen.push_str(std::str::from_utf8(&chunk)?);
    }
    Ok(seen)
}

#[tokio::test]
async fn a_registry_page_sends_its_shell_before_the_registry_answers() -> TestResult {
    let registry = slow_registry(Duration::from_secs(3)).await;
    let yaml = format!(
        "registries:\n  - id: slow\n    displayName: Slow registry\n    baseUrl: {}\n    tls: {{ allowHttp: true }}\n",
        registry.uri()
    );
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    let mut resp = app.stream("/registries/slow").await?;
    assert_eq!(resp.status(), 200);
    // Everything up to the table arrives while the registry still holds
    // its answer: title, breadcrumbs, heading, search form.
    let first = read_until(&mut resp, r#"class="search-form""#).await?;
    assert!(first.contains("<title>slow · Reestr</title>") && first.contains("<h1>Slow registry</h1>"), "{first}");
    assert!(!first.contains("team/late-app"), "the listing came with the shell: {first}");
    // Then the table, in place, as HTML (no script needed to show it).
    let rest = read_until(&mut resp, "</html>").await?;
    let table = rest.find(r#"<table class="repos""#).ok_or(format!("no table: {rest}"))?;
    assert!(rest[table..].contains("team/late-app"), "{rest}");
    assert!(!rest[..table].contains("<template"), "streamed out of order: {rest}");
    Ok(())
}
