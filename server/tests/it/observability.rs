//! The operational surface: readiness, request ids, Prometheus metrics
//! after a scripted browse, and the per-address API rate limit.

use crate::support::{TestApp, TestResult};

#[tokio::test]
async fn readiness_reports_the_database_the_cache_and_the_registries() -> TestResult {
    let app = TestApp::start().await?;
    let ready = app.json("/readyz", 200).await?;
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["cache"]["tiers"], "memory");
    let ids: Vec<&str> =
        ready["registries"].as_array().ok_or("no registries")?.iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&"local") && ids.contains(&"partial"), "{ready}");
    Ok(())
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() -> TestResult {
    let app = TestApp::start().await?;
    let http = reqwest::Client::new();
    let resp = http.get(format!("{}/api/registries/local", app.base)).header("x-request-id", "trace-42").send().await?;
    assert_eq!(resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-42"));
    let resp = http
        .get(format!("{}/api/registries/local", app.base))
        .header("x-request-id", "no spaces allowed")
        .send()
        .await?;
    let made = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(made.len(), 24, "a fresh id replaces a malformed one: {made}");
    Ok(())
}

/// The count of one series in the exposition text.
pub(crate) fn series(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let named = |l: &&str| l.strip_prefix(name).is_some_and(|rest| rest.starts_with(['{', ' ']));
    text.lines().filter(named).find_map(|l| {
        let (head, value) = l.rsplit_once(' ')?;
        labels.iter().all(|(k, v)| head.contains(&format!("{k}=\"{v}\""))).then(|| value.parse().ok()).flatten()
    })
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_cache_lookups_by_tier() -> TestResult {
    let app = TestApp::start().await?;
    for _ in 0..3 {
        app.json("/api/registries/local/repositories?limit=5", 200).await?;
    }
    app.json("/api/registries/nope", 404).await?;
    app.json("/api/registries/offline/repositories", 502).await?;
    let (status, ctype, text) = app.get("/metrics").await?;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/openmetrics-text"), "{ctype}");
    let route = [("route", "/api/registries/{id}/repositories"), ("method", "GET"), ("status", "200")];
    assert_eq!(series(&text, "reestr_http_request_duration_seconds_count", &route), Some(3.0), "{text}");
    let missing = [("route", "/api/registries/{id}"), ("status", "404")];
    assert_eq!(series(&text, "reestr_http_request_duration_seconds_count", &missing), Some(1.0), "{text}");
    // The first listing missed and fetched; the next two were memory hits.
    let hits = series(&text, "reestr_cache_lookups_total", &[("tier", "memory"), ("result", "hit")])
        .ok_or_else(|| format!("no memory hits series in:\n{text}"))?;
    let misses = series(&text, "reestr_cache_lookups_total", &[("tier", "upstream"), ("result", "miss")])
        .ok_or("no miss series")?;
    assert!(hits >= 2.0 && misses >= 1.0, "hits {hits}, misses {misses}");
    assert!(text.contains("reestr_cache_memory_entries"), "{text}");
    // Registry calls by registry and operation: one listing fetched for three requests.
    let listing = [("registry", "local"), ("operation", "listRepositories")];
    assert_eq!(series(&text, "reestr_upstream_request_duration_seconds_count", &listing), Some(1.0), "{text}");
    let failed = [("registry", "offline"), ("operation", "listRepositories"), ("kind", "unavailable")];
    assert_eq!(series(&text, "reestr_upstream_errors_total", &failed), Some(1.0), "{text}");
    assert!(text.trim_end().ends_with("# EOF"));
    Ok(())
}

#[tokio::test]
async fn the_api_is_rate_limited_per_address() -> TestResult {
    let base = crate::support::open_server(3).await?;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(http.get(format!("{base}/api/registries/local")).send().await?.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let resp = http.get(format!("{base}/api/registries/local")).send().await?;
    assert!(resp.headers().get("retry-after").is_some());
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    // Pages are not limited.
    assert_eq!(http.get(format!("{base}/healthz")).send().await?.status().as_u16(), 200);
    Ok(())
}
