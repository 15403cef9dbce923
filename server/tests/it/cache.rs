//! The cache, counted at the registry: every upstream request passes a
//! counting proxy in front of the real seeded registry. Warm pages make
//! none; a second replica sharing Redis makes none; a Redis outage costs
//! no page, and the Redis tier is used again once it is back.

use std::time::Duration;

use reestr::cache::{Cache, CacheConfig, RedisTier};

use crate::support::upstream::{CountingProxy, RedisProcess};
use crate::support::{TestApp, TestResult, registry_host};

/// The pages a visit touches, server-rendered (their data loads during SSR).
const PAGES: [&str; 6] = [
    "/",
    "/registries/local",
    "/registries/local/repositories/team/app",
    "/registries/local/repositories/team/app/-/tags/1.0",
    "/registries/local/repositories/team/sub/multi/-/tags/latest",
    "/registries/local/repositories/team/signed/-/tags/1.0",
];

fn yaml(host: &str) -> String {
    format!("registries:\n  - id: local\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n")
}

/// A replica on the registry behind `proxy_host`, sharing the Redis at `redis_url`.
async fn replica(redis_url: &str, proxy_host: &str) -> TestResult<TestApp> {
    let tier = RedisTier::connect(redis_url).map_err(|e| e.to_string())?;
    if !tier.wait_connected(Duration::from_secs(5)).await {
        return Err("Redis did not connect".into());
    }
    TestApp::start_cached(&yaml(proxy_host), Cache::with_redis(CacheConfig::default(), Some(tier))).await
}

async fn visit(app: &TestApp, pages: &[&str]) -> TestResult {
    for page in pages {
        app.html(page).await?;
    }
    Ok(())
}

#[tokio::test]
async fn warm_pages_make_no_upstream_requests() -> TestResult {
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let app = TestApp::start_cached(&yaml(&proxy.host), Cache::memory(CacheConfig::default())).await?;
    proxy.take(); // the API document load and nothing else so far
    visit(&app, &PAGES).await?;
    let (cold, _) = proxy.take();
    assert!(cold > 0, "the cold visit reached the registry");
    visit(&app, &PAGES).await?;
    let (warm, paths) = proxy.take();
    assert_eq!(warm, 0, "warm pages asked the registry for {paths:?}");
    let stats = app.service.cache().stats();
    assert!(stats.memory_hits > 0 && stats.redis_hits == 0, "{stats:?}");
    Ok(())
}

#[tokio::test]
async fn a_cold_tags_page_costs_the_listing_plus_each_visible_tag() -> TestResult {
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let app = TestApp::start_cached(&yaml(&proxy.host), Cache::memory(CacheConfig::default())).await?;
    proxy.take();
    // team/app: two single-platform tags (1.0 and latest) of one image.
    app.html("/registries/local/repositories/team/app").await?;
    let (n, paths) = proxy.take();
    let count = |needle: &str| paths.iter().filter(|p| p.contains(needle)).count();
    assert_eq!(count("/tags/list"), 1, "{paths:?}");
    assert_eq!(count("/manifests/"), 2, "one manifest per tag: {paths:?}");
    assert_eq!(count("/blobs/"), 1, "the shared config, once: {paths:?}");
    assert_eq!(n, 4, "{paths:?}");
    Ok(())
}

#[tokio::test]
async fn replicas_share_redis_and_survive_its_outage() -> TestResult {
    let mut redis = RedisProcess::start().await?;
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let url = redis.url();
    let replica = || replica(&url, &proxy.host);
    let first = replica().await?;
    let second = replica().await?;
    proxy.take();

    // What one replica fetched, the other reads from Redis.
    visit(&first, &PAGES[2..4]).await?;
    assert!(proxy.take().0 > 0);
    visit(&second, &PAGES[2..4]).await?;
    let (n, paths) = proxy.take();
    assert_eq!(n, 0, "the second replica asked the registry for {paths:?}");
    assert!(second.service.cache().stats().redis_hits > 0);

    // Redis dies: pages keep answering from memory and the registry.
    redis.kill().await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = second.service.cache().stats();
    visit(&second, &["/registries/local/repositories/legacy/tool"]).await?;
    visit(&second, &PAGES[2..4]).await?;
    let after = second.service.cache().stats();
    assert!(!after.redis_connected, "{after:?}");
    assert!(after.misses > during.misses, "the new page came from the registry");

    // Redis is back (empty): the tier fills again without a restart of Reestr.
    redis.restart().await?;
    let mut connected = false;
    for _ in 0..100 {
        if second.service.cache().stats().redis_connected {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(connected, "the Redis tier did not reconnect within 10 s");
    let writes = second.service.cache().stats().redis_writes;
    visit(&second, &["/registries/local/repositories/team/sub/multi"]).await?;
    assert!(second.service.cache().stats().redis_writes > writes, "the page's data went to Redis again");
    proxy.take();
    let third = replica().await?;
    proxy.take();
    visit(&third, &["/registries/local/repositories/team/sub/multi"]).await?;
    let (n, paths) = proxy.take();
    assert_eq!(n, 0, "a fresh replica found it all in Redis, but asked for {paths:?}");
    Ok(())
}

/// Found by reading (issue 18): "Resync schema" dropped cached listings in
/// the local memory tier only; every other replica went on reading them
/// from Redis. Now they go from Redis too; digests stay cached.
#[tokio::test]
async fn a_resync_drops_listings_from_redis_for_every_replica() -> TestResult {
    let redis = RedisProcess::start().await?;
    let proxy = CountingProxy::start(&registry_host()?).await?;
    let url = redis.url();
    let replica = || replica(&url, &proxy.host);
    let first = replica().await?;
    visit(&first, &PAGES[2..3]).await?;
    first.post_json("/api/registries/local/resync", 200).await?;
    proxy.take();
    let fresh = replica().await?;
    proxy.take();
    visit(&fresh, &PAGES[2..3]).await?;
    let (_, paths) = proxy.take();
    let count = |needle: &str| paths.iter().filter(|p| p.contains(needle)).count();
    assert_eq!(count("/tags/list"), 1, "the tag listing came from Redis after a resync: {paths:?}");
    assert_eq!(count("/blobs/"), 0, "the config blob (by digest) should stay cached: {paths:?}");
    Ok(())
}
