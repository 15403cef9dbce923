//! Gentleness towards a registry that pushes back (issue 22): a 429 opens
//! the registry's breaker, which sends nothing until its `Retry-After`
//! while pages are served from the cache; one probe afterwards closes it;
//! passing 503s are retried within the budget; with Redis, a second replica
//! learns of the opening and sends nothing either. The registry is the
//! real one behind a counting proxy that answers in its place on demand.

use std::time::{Duration, Instant};

use reestr::cache::{Cache, CacheConfig, RedisTier};

use crate::support::upstream::{CountingProxy, Fault, RedisProcess};
use crate::support::{TestApp, TestResult, registry_host};

const TAGS: &str = "/api/registries/hub/repositories/team%2Fapp/-/tags";
const REPOSITORIES: &str = "/api/registries/hub/repositories";

fn yaml(host: &str) -> String {
    format!("registries:\n  - id: hub\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n")
}

/// Listings go stale at once, so every page view refreshes them in the
/// background: the most a registry can be asked.
fn eager() -> CacheConfig {
    CacheConfig { listing_fresh: Duration::from_millis(1), ..CacheConfig::default() }
}

async fn replica(proxy: &CountingProxy, redis: Option<&RedisProcess>) -> TestResult<TestApp> {
    let tier = match redis {
        Some(r) => {
            let tier = RedisTier::connect(&r.url()).map_err(|e| e.to_string())?;
            if !tier.wait_connected(Duration::from_secs(5)).await {
                return Err("Redis did not connect".into());
            }
            Some(tier)
        }
        None => None,
    };
    TestApp::start_cached(&yaml(&proxy.host), Cache::with_redis(eager(), tier)).await
}

/// Waits (up to 5 s) until `done` holds.
async fn until(mut done: impl AsyncFnMut() -> bool) -> TestResult {
    let started = Instant::now();
    while !done().await {
        if started.elapsed() > Duration::from_secs(5) {
            return Err("timed out waiting".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The seconds a rate-limit problem says to wait ("retry after 29 s").
fn retry_after(problem: &serde_json::Value) -> Option<u64> {
    let detail = problem["detail"].as_str()?;
    detail.split("retry after ").nth(1)?.split(' ').next()?.parse().ok()
}

fn breaker_gauge(metrics: &str) -> Option<&str> {
    metrics.lines().find(|l| l.starts_with("reestr_breaker_open{registry=\"hub\"}")).and_then(|l| l.split(' ').nth(1))
}

#[tokio::test]
async fn a_rate_limited_registry_is_left_alone_until_retry_after_then_probed_once() -> TestResult {
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let app = replica(&proxy, None).await?;
    app.json(REPOSITORIES, 200).await?;
    proxy.take();

    // The registry starts answering 429 (Retry-After: 2). The stale list
    // is served; its background refresh meets the 429 and opens the breaker.
    proxy.set_fault(Fault::TooManyRequests { retry_after: 2 });
    app.json(REPOSITORIES, 200).await?;
    let breakers = app.service.cache().breakers();
    until(async || breakers.open_here("hub").is_some()).await?;
    let (sent, paths) = proxy.take();
    assert_eq!(sent, 1, "one request met the 429: {paths:?}");

    // While it is open: cached pages answer, others fail at once with the
    // time to wait, the card says so, and nothing reaches the registry.
    for _ in 0..20 {
        app.json(REPOSITORIES, 200).await?;
    }
    let problem = app.json(TAGS, 503).await?;
    assert_eq!(problem["kind"], "rateLimited", "{problem}");
    assert!(retry_after(&problem).is_some_and(|s| (1..=2).contains(&s)), "{problem}");
    let overview = app.json("/api/registries", 200).await?;
    assert_eq!(overview[0]["health"]["status"], "rateLimited", "{overview}");
    let message = overview[0]["health"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nothing is sent to it until"), "{message}");
    let (_, _, metrics) = app.get("/metrics").await?;
    assert_eq!(breaker_gauge(&metrics), Some("1"), "{metrics}");
    let (sent, paths) = proxy.take();
    assert_eq!(sent, 0, "nothing is sent while the breaker is open: {paths:?}");

    // After Retry-After the registry answers again: the next call is the
    // probe, and it closes the breaker.
    proxy.set_fault(Fault::None);
    until(async || breakers.open_here("hub").is_none()).await?;
    app.json(TAGS, 200).await?;
    let (_, _, metrics) = app.get("/metrics").await?;
    assert_eq!(breaker_gauge(&metrics), Some("0"), "closed again");
    assert!(metrics.contains("reestr_breaker_refused_total{registry=\"hub\"}"), "refusals are counted");
    Ok(())
}

#[tokio::test]
async fn passing_503s_are_retried_and_lasting_ones_are_not_retried_forever() -> TestResult {
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let app = replica(&proxy, None).await?;
    let tag_lists = |paths: &[String]| paths.iter().filter(|p| p.contains("/v2/team/app/tags/list")).count();

    // Two 503s, then the registry answers: the page never notices.
    proxy.set_fault(Fault::Unavailable { next: 2 });
    app.json(TAGS, 200).await?;
    let (_, paths) = proxy.take();
    assert_eq!(tag_lists(&paths), 3, "two retries: {paths:?}");

    // A registry that keeps answering 503: three attempts, then the error.
    proxy.set_fault(Fault::Unavailable { next: 1000 });
    let started = Instant::now();
    let problem = app.json("/api/registries/hub/repositories/busybox/-/tags", 502).await?;
    assert_eq!(problem["kind"], "unavailable", "{problem}");
    assert!(started.elapsed() < Duration::from_secs(5), "within the budget: {:?}", started.elapsed());
    let (sent, paths) = proxy.take();
    assert_eq!(sent, 3, "three attempts, no more: {paths:?}");
    proxy.set_fault(Fault::None);
    Ok(())
}

#[tokio::test]
async fn replicas_share_an_open_breaker_through_redis() -> TestResult {
    let redis = RedisProcess::start().await?;
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let first = replica(&proxy, Some(&redis)).await?;
    let second = replica(&proxy, Some(&redis)).await?;
    proxy.set_fault(Fault::TooManyRequests { retry_after: 30 });
    let problem = first.json(TAGS, 503).await?;
    assert_eq!(problem["kind"], "rateLimited", "{problem}");
    let (sent, _) = proxy.take();
    assert!(sent >= 1, "the first replica met the 429");

    // The second replica has never asked this registry: it learns of the
    // opening from Redis and sends nothing.
    let problem = second.json(REPOSITORIES, 503).await?;
    assert_eq!(problem["kind"], "rateLimited", "{problem}");
    assert!(retry_after(&problem).is_some_and(|s| s > 20), "the first replica's verdict: {problem}");
    let (sent, paths) = proxy.take();
    assert_eq!(sent, 0, "the second replica sent nothing: {paths:?}");
    Ok(())
}
