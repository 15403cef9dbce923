//! The metadata cache between the catalogue and the registries: an
//! in-process tier (`quick_cache`) in front of an optional shared Redis tier,
//! so a page a replica has seen, or any replica has seen, costs no upstream
//! request. Content addressed by digest never changes and is kept long;
//! listings are fresh for a while, then served stale while one background
//! refresh runs. Identical concurrent misses are coalesced in process, and
//! across replicas a short Redis lock lets one of them fetch.

pub mod breaker;
mod catalogue;
pub mod outcome;
mod policy;
mod redis;
mod upstream;
mod upstream_metrics;

use std::any::Any;
use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::registry::RegistryError;

use breaker::Breakers;
pub use catalogue::CachedCatalogue;
pub use policy::{CacheConfig, Policy};
pub use redis::RedisTier;
pub use upstream::CachedRegistry;
pub use upstream_metrics::UpstreamMetrics;

/// Bump when the shape of any cached value changes: old entries are then
/// simply never read again.
const KEY_VERSION: &str = "v1";
/// Kinds of key addressed by digest: their values never change, so a
/// resync keeps them.
const IMMUTABLE_KINDS: [&str; 2] = ["manifest", "blob"];

/// `c` escaped for a Redis glob pattern.
fn glob_escaped(c: char) -> Vec<char> {
    if matches!(c, '*' | '?' | '[' | ']' | '\\') { vec!['\\', c] } else { vec![c] }
}
/// How long a replica waits for another replica's fetch before doing its own.
const PEER_WAIT: Duration = Duration::from_secs(2);
const PEER_POLL: Duration = Duration::from_millis(40);

/// One value in the memory tier, type-erased; its weight is its encoded size.
#[derive(Clone)]
struct MemEntry {
    value: Arc<dyn Any + Send + Sync>,
    weight: u64,
    fresh_until: Instant,
    /// `None`: never expires (content addressed by digest).
    expires_at: Option<Instant>,
}

#[derive(Clone)]
struct ByWeight;

/// The memory tier's slot for a key being fetched: other tasks wait on it.
type Placeholder<'a> = quick_cache::sync::PlaceholderGuard<
    'a,
    String,
    MemEntry,
    ByWeight,
    quick_cache::DefaultHashBuilder,
    quick_cache::sync::DefaultLifecycle<String, MemEntry>,
>;

impl quick_cache::Weighter<String, MemEntry> for ByWeight {
    fn weight(&self, key: &String, val: &MemEntry) -> u64 {
        (key.len() as u64).saturating_add(val.weight).max(1)
    }
}

/// What Redis holds for a key: when it stops being fresh, and the value.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    fresh_until_ms: u64,
    value: T,
}

/// A cross-replica lock taken with [`Cache::lock_shared`].
#[derive(Debug)]
pub struct SharedLock {
    key: String,
    token: String,
}

/// Hit and miss counts per tier, since start.
#[derive(Debug, Default)]
struct Counters {
    memory_hits: AtomicU64,
    redis_hits: AtomicU64,
    misses: AtomicU64,
    stale_served: AtomicU64,
    coalesced: AtomicU64,
    redis_writes: AtomicU64,
}

/// A snapshot of the counters, for health and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    pub memory_hits: u64,
    pub redis_hits: u64,
    /// Fetched from the registry.
    pub misses: u64,
    /// Served past freshness while a refresh ran.
    pub stale_served: u64,
    /// Waited for an identical fetch already under way in this process.
    pub coalesced: u64,
    pub redis_writes: u64,
    pub memory_entries: u64,
    pub memory_bytes: u64,
    /// Whether a Redis tier is configured, and whether it answers now.
    pub redis_configured: bool,
    pub redis_connected: bool,
}

/// The two-tier cache. Cheap to share (`Arc`).
pub struct Cache {
    memory: quick_cache::sync::Cache<String, MemEntry, ByWeight>,
    redis: Option<RedisTier>,
    config: CacheConfig,
    counters: Counters,
    /// Keys with a background refresh under way.
    refreshing: Mutex<HashSet<String>>,
    /// Upstream call durations and errors, by registry and operation.
    upstream: UpstreamMetrics,
    /// Each registry's circuit breaker.
    breakers: Arc<Breakers>,
}

/// How the cache's fetch closures call a registry: behind its breaker, timed.
#[derive(Debug, Clone)]
pub struct UpstreamCall {
    metrics: UpstreamMetrics,
    breakers: Arc<Breakers>,
    registry: String,
}

impl UpstreamCall {
    pub async fn run<T>(
        &self,
        operation: &str,
        call: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        self.breakers.run(&self.registry, self.metrics.time(&self.registry, operation, call)).await
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("config", &self.config).field("redis", &self.redis).finish_non_exhaustive()
    }
}

impl Cache {
    /// A cache with the memory tier only.
    pub fn memory(config: CacheConfig) -> Arc<Self> {
        Self::with_redis(config, None)
    }

    /// A cache that also uses `redis` (already connecting) as its shared tier.
    pub fn with_redis(config: CacheConfig, redis: Option<RedisTier>) -> Arc<Self> {
        let items = (config.memory_bytes / 4096).clamp(64, 1 << 20) as usize;
        let memory = quick_cache::sync::Cache::with_weighter(items, config.memory_bytes, ByWeight);
        Arc::new(Self {
            memory,
            config,
            counters: Counters::default(),
            refreshing: Mutex::new(HashSet::new()),
            upstream: UpstreamMetrics::default(),
            breakers: Arc::new(Breakers::new(redis.clone())),
            redis,
        })
    }

    /// Upstream call durations and errors (exported by `/metrics`).
    pub fn upstream_metrics(&self) -> &UpstreamMetrics {
        &self.upstream
    }

    /// The registries' circuit breakers.
    pub fn breakers(&self) -> &Breakers {
        &self.breakers
    }

    /// How a fetch for `registry` calls it: behind its breaker, timed.
    pub fn call(&self, registry: &str) -> UpstreamCall {
        UpstreamCall { metrics: self.upstream.clone(), breakers: self.breakers.clone(), registry: registry.to_string() }
    }

    /// The key for `parts` of registry `registry`: namespaced and versioned.
    pub fn key(registry: &str, kind: &str, parts: &[&str]) -> String {
        let mut key = format!("reestr:{KEY_VERSION}:{registry}:{kind}");
        for p in parts {
            key.push(':');
            key.push_str(p);
        }
        key
    }

    /// The value under `key`, fetched with `fetch` when no tier holds a
    /// usable one. Errors are not cached.
    pub async fn get<T, F, Fut>(
        self: &Arc<Self>,
        key: String,
        policy: Policy,
        fetch: F,
    ) -> Result<Arc<T>, RegistryError>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let now = Instant::now();
        if let Some(entry) = self.memory.get(&key) {
            if let Some(value) = self.usable::<T, F, Fut>(&key, &entry, now, policy, &fetch) {
                self.counters.memory_hits.fetch_add(1, Ordering::Relaxed);
                outcome::note(outcome::Outcome::Memory);
                return Ok(value);
            }
            self.memory.remove(&key);
        }
        let guard = match self.memory.get_value_or_guard_async(&key).await {
            Ok(entry) => {
                // Another task in this process fetched it meanwhile.
                if let Ok(value) = entry.value.clone().downcast::<T>() {
                    self.counters.coalesced.fetch_add(1, Ordering::Relaxed);
                    outcome::note(outcome::Outcome::Memory);
                    return Ok(value);
                }
                self.memory.remove(&key);
                None
            }
            Err(guard) => Some(guard),
        };
        if let Some(redis) = &self.redis
            && let Some(stored) = redis.get::<T>(&key).await
        {
            self.counters.redis_hits.fetch_add(1, Ordering::Relaxed);
            outcome::note(outcome::Outcome::Redis);
            let fresh = stored.fresh_until_ms > unix_ms();
            let value = Arc::new(stored.value);
            let entry = self.entry(value.clone(), encoded_len(&*value), policy, fresh);
            self.fill(guard, &key, entry);
            if !fresh {
                self.counters.stale_served.fetch_add(1, Ordering::Relaxed);
                outcome::note(outcome::Outcome::Stale);
                self.refresh_in_background(key, policy, fetch);
            }
            return Ok(value);
        }
        let lock = match &self.redis {
            Some(redis) => match redis.lock(&key).await {
                Some(lock) => Some(lock),
                // Another replica holds the lock: wait a little for its result.
                None => {
                    if let Some(value) = self.wait_for_peer::<T>(&key).await {
                        self.counters.redis_hits.fetch_add(1, Ordering::Relaxed);
                        outcome::note(outcome::Outcome::Redis);
                        let value = Arc::new(value);
                        let entry = self.entry(value.clone(), encoded_len(&*value), policy, true);
                        self.fill(guard, &key, entry);
                        return Ok(value);
                    }
                    None
                }
            },
            None => None,
        };
        self.counters.misses.fetch_add(1, Ordering::Relaxed);
        outcome::note(outcome::Outcome::Upstream);
        let fetched = fetch().await;
        let result = match fetched {
            Ok(value) => {
                let value = Arc::new(value);
                let bytes = self.store_shared(&key, &*value, policy).await;
                let entry = self.entry(value.clone(), bytes, policy, true);
                self.fill(guard, &key, entry);
                Ok(value)
            }
            Err(e) => Err(e),
        };
        if let (Some(redis), Some(lock)) = (&self.redis, lock) {
            redis.unlock(&key, &lock).await;
        }
        result
    }

    /// The value under `key` if a tier holds one, without fetching; the
    /// flag says whether it is still fresh.
    pub async fn peek<T>(&self, key: &str, policy: Policy) -> Option<(Arc<T>, bool)>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        let now = Instant::now();
        if let Some(entry) = self.memory.get(key)
            && entry.expires_at.is_none_or(|e| now < e)
            && let Ok(value) = entry.value.clone().downcast::<T>()
        {
            return Some((value, now < entry.fresh_until));
        }
        let stored = self.redis.as_ref()?.get::<T>(key).await?;
        let fresh = stored.fresh_until_ms > unix_ms();
        let value = Arc::new(stored.value);
        self.memory.insert(key.to_string(), self.entry(value.clone(), encoded_len(&*value), policy, fresh));
        Some((value, fresh))
    }

    /// Stores `value` under `key` in both tiers.
    pub async fn put<T>(&self, key: &str, value: T, policy: Policy) -> Arc<T>
    where
        T: Serialize + Send + Sync + 'static,
    {
        let value = Arc::new(value);
        let bytes = self.store_shared(key, &*value, policy).await;
        self.memory.insert(key.to_string(), self.entry(value.clone(), bytes, policy, true));
        value
    }

    /// Forgets `key` in both tiers.
    pub async fn remove(&self, key: &str) {
        self.memory.remove(key);
        if let Some(redis) = &self.redis {
            redis.delete(key).await;
        }
    }

    /// A lock on `key` shared by every replica, held up to `ttl`: `Some`
    /// when this replica may run the work (always, without Redis).
    pub async fn lock_shared(&self, key: &str, ttl: Duration) -> Option<SharedLock> {
        match &self.redis {
            Some(redis) => redis.lock_for(key, ttl).await.map(|token| SharedLock { key: key.to_string(), token }),
            None => Some(SharedLock { key: key.to_string(), token: String::new() }),
        }
    }

    pub async fn unlock_shared(&self, lock: SharedLock) {
        if let Some(redis) = &self.redis {
            redis.unlock(&lock.key, &lock.token).await;
        }
    }

    /// Drops every cached listing of `registry` (its manifests and blobs by
    /// digest stay valid), in memory and in Redis, so every replica asks the
    /// registry again: called on resync.
    pub async fn forget_listings(&self, registry: &str) {
        let prefix = format!("reestr:{KEY_VERSION}:{registry}:");
        self.memory.retain(|k, v| !(k.starts_with(&prefix) && v.expires_at.is_some()));
        if let Some(redis) = &self.redis {
            // Registry ids are plain names; escape glob characters anyway.
            let escaped: String = prefix.chars().flat_map(glob_escaped).collect();
            let immutable = |key: &str| {
                let kind = key.strip_prefix(&prefix).and_then(|rest| rest.split(':').next()).unwrap_or_default();
                IMMUTABLE_KINDS.contains(&kind)
            };
            let n = redis.delete_matching(&format!("{escaped}*"), |key| !immutable(key)).await;
            tracing::info!(registry, deleted = n, "cached listings dropped from Redis");
        }
    }

    pub fn stats(&self) -> CacheStats {
        let c = &self.counters;
        CacheStats {
            memory_hits: c.memory_hits.load(Ordering::Relaxed),
            redis_hits: c.redis_hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            stale_served: c.stale_served.load(Ordering::Relaxed),
            coalesced: c.coalesced.load(Ordering::Relaxed),
            redis_writes: c.redis_writes.load(Ordering::Relaxed),
            memory_entries: self.memory.len() as u64,
            memory_bytes: self.memory.weight(),
            redis_configured: self.redis.is_some(),
            redis_connected: self.redis.as_ref().is_some_and(RedisTier::connected),
        }
    }

    /// Puts `entry` in the memory tier: through the placeholder this task
    /// holds (waking the tasks that wait on it), else directly.
    fn fill(&self, guard: Option<Placeholder<'_>>, key: &str, entry: MemEntry) {
        match guard {
            Some(g) => drop(g.insert(entry)),
            None => self.memory.insert(key.to_string(), entry),
        }
    }

    /// The entry's value when it is still servable; a stale one starts a refresh.
    fn usable<T, F, Fut>(
        self: &Arc<Self>,
        key: &str,
        entry: &MemEntry,
        now: Instant,
        policy: Policy,
        fetch: &F,
    ) -> Option<Arc<T>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        if entry.expires_at.is_some_and(|e| now >= e) {
            return None;
        }
        let value = entry.value.clone().downcast::<T>().ok()?;
        if now >= entry.fresh_until {
            self.counters.stale_served.fetch_add(1, Ordering::Relaxed);
            outcome::note(outcome::Outcome::Stale);
            self.refresh_in_background(key.to_string(), policy, fetch.clone());
        }
        Some(value)
    }

    fn entry<T: Send + Sync + 'static>(&self, value: Arc<T>, bytes: u64, policy: Policy, fresh: bool) -> MemEntry {
        let now = Instant::now();
        let (fresh_for, keep_for) = self.config.lifetimes(policy);
        MemEntry {
            value,
            weight: bytes,
            fresh_until: if fresh { now + fresh_for } else { now },
            expires_at: keep_for.map(|k| now + k),
        }
    }

    /// Writes the value to Redis (when configured); returns its encoded size.
    async fn store_shared<T: Serialize>(&self, key: &str, value: &T, policy: Policy) -> u64 {
        let (fresh_for, keep_for) = self.config.lifetimes(policy);
        let stored = Stored { fresh_until_ms: unix_ms().saturating_add(fresh_for.as_millis() as u64), value };
        let Ok(bytes) = postcard::to_allocvec(&stored) else { return 0 };
        let len = bytes.len() as u64;
        if let Some(redis) = &self.redis {
            let ttl = keep_for.unwrap_or(self.config.immutable_redis_ttl);
            if redis.set(key, bytes, ttl).await {
                self.counters.redis_writes.fetch_add(1, Ordering::Relaxed);
            }
        }
        len
    }

    async fn wait_for_peer<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let redis = self.redis.as_ref()?;
        let until = Instant::now() + PEER_WAIT;
        while Instant::now() < until {
            tokio::time::sleep(PEER_POLL).await;
            if let Some(stored) = redis.get::<T>(key).await {
                return Some(stored.value);
            }
            if !redis.locked(key).await {
                break;
            }
        }
        None
    }

    /// One refresh per key at a time; its failure keeps the stale value.
    fn refresh_in_background<T, F, Fut>(self: &Arc<Self>, key: String, policy: Policy, fetch: F)
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let started = self.refreshing.lock().is_ok_and(|mut set| set.insert(key.clone()));
        if !started {
            return;
        }
        let cache = self.clone();
        tokio::spawn(async move {
            cache.counters.misses.fetch_add(1, Ordering::Relaxed);
            match fetch().await {
                Ok(value) => {
                    let bytes = cache.store_shared(&key, &value, policy).await;
                    let entry = cache.entry(Arc::new(value), bytes, policy, true);
                    cache.memory.insert(key.clone(), entry);
                }
                Err(e) => tracing::debug!(key = %key, error = %e, "background refresh failed; the stale value stays"),
            }
            if let Ok(mut set) = cache.refreshing.lock() {
                set.remove(&key);
            }
        });
    }
}

fn encoded_len<T: Serialize>(value: &T) -> u64 {
    postcard::experimental::serialized_size(value).map(|n| n as u64).unwrap_or(0)
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests;
