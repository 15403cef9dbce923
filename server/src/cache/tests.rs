//! The cache's rules, on the memory tier with a paused clock: fresh hits,
//! stale-while-revalidate, expiry, coalescing, errors not cached.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{Cache, CacheConfig, Policy};
use crate::registry::RegistryError;

fn config() -> CacheConfig {
    CacheConfig {
        listing_fresh: Duration::from_secs(30),
        listing_keep: Duration::from_secs(300),
        ..CacheConfig::default()
    }
}

/// A fetch that counts its calls and answers `value-<n>`.
fn counting(
    calls: &Arc<AtomicUsize>,
) -> impl FnOnce() -> std::future::Ready<Result<String, RegistryError>> + Clone + Send + 'static {
    let calls = calls.clone();
    move || {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        std::future::ready(Ok(format!("value-{n}")))
    }
}

#[tokio::test(start_paused = true)]
async fn a_fresh_value_is_served_from_memory() -> Result<(), RegistryError> {
    let cache = Cache::memory(config());
    let calls = Arc::new(AtomicUsize::new(0));
    let key = Cache::key("r", "tags", &["a"]);
    let first = cache.get(key.clone(), Policy::Listing, counting(&calls)).await?;
    tokio::time::advance(Duration::from_secs(29)).await;
    let second = cache.get(key, Policy::Listing, counting(&calls)).await?;
    assert_eq!((first.as_str(), second.as_str()), ("value-1", "value-1"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.memory_hits, stats.redis_configured), (1, 1, false));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_stale_value_is_served_while_one_refresh_runs() -> Result<(), RegistryError> {
    let cache = Cache::memory(config());
    let calls = Arc::new(AtomicUsize::new(0));
    let key = Cache::key("r", "tags", &["a"]);
    cache.get(key.clone(), Policy::Listing, counting(&calls)).await?;
    tokio::time::advance(Duration::from_secs(31)).await;
    let stale = cache.get(key.clone(), Policy::Listing, counting(&calls)).await?;
    let again = cache.get(key.clone(), Policy::Listing, counting(&calls)).await?;
    assert_eq!((stale.as_str(), again.as_str()), ("value-1", "value-1"), "stale answers come at once");
    // Let the background refresh run.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let fresh = cache.get(key, Policy::Listing, counting(&calls)).await?;
    assert_eq!(fresh.as_str(), "value-2");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one refresh, however many stale reads");
    assert_eq!(cache.stats().stale_served, 2);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn an_expired_listing_is_fetched_again_but_content_by_digest_is_not() -> Result<(), RegistryError> {
    let cache = Cache::memory(config());
    let (listing, blob) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let lkey = Cache::key("r", "tags", &["a"]);
    let bkey = Cache::key("r", "blob", &["a", "sha256:00"]);
    cache.get(lkey.clone(), Policy::Listing, counting(&listing)).await?;
    cache.get(bkey.clone(), Policy::Immutable, counting(&blob)).await?;
    tokio::time::advance(Duration::from_secs(100 * 24 * 3600)).await;
    let l = cache.get(lkey, Policy::Listing, counting(&listing)).await?;
    let b = cache.get(bkey, Policy::Immutable, counting(&blob)).await?;
    assert_eq!((l.as_str(), b.as_str()), ("value-2", "value-1"));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn identical_concurrent_misses_make_one_fetch() -> Result<(), RegistryError> {
    let cache = Cache::memory(config());
    let calls = Arc::new(AtomicUsize::new(0));
    let key = Cache::key("r", "tags", &["a"]);
    let slow = {
        let calls = calls.clone();
        move || async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, RegistryError>(vec!["1.0".to_string()])
        }
    };
    let all = futures::future::join_all((0..10).map(|_| cache.get(key.clone(), Policy::Listing, slow.clone()))).await;
    assert!(all.iter().all(|r| r.as_ref().is_ok_and(|v| v.as_slice() == ["1.0"])));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(cache.stats().coalesced, 9);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn errors_are_not_cached_and_resync_forgets_listings_only() -> Result<(), RegistryError> {
    let cache = Cache::memory(config());
    let key = Cache::key("r", "tags", &["a"]);
    let failed = cache
        .get(key.clone(), Policy::Listing, || async { Err::<String, _>(RegistryError::Unavailable("down".into())) })
        .await;
    assert!(failed.is_err());
    let calls = Arc::new(AtomicUsize::new(0));
    assert_eq!(cache.get(key.clone(), Policy::Listing, counting(&calls)).await?.as_str(), "value-1");
    let blob = Cache::key("r", "blob", &["a", "sha256:00"]);
    let other = Cache::key("other", "tags", &["a"]);
    let (b, o) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    cache.get(blob.clone(), Policy::Immutable, counting(&b)).await?;
    cache.get(other.clone(), Policy::Listing, counting(&o)).await?;
    cache.forget_listings("r").await;
    cache.get(key, Policy::Listing, counting(&calls)).await?;
    cache.get(blob, Policy::Immutable, counting(&b)).await?;
    cache.get(other, Policy::Listing, counting(&o)).await?;
    let counts = [&calls, &b, &o].map(|c| c.load(Ordering::SeqCst));
    assert_eq!(counts, [2, 1, 1], "only registry r's listing is fetched again");
    Ok(())
}
