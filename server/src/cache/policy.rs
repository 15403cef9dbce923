//! How long each kind of registry data stays in the cache, and the knobs an
//! operator can turn (environment variables read once at start).

use std::time::Duration;

/// Longest listing freshness an operator may set (a day): longer would show
/// tags long gone, and unbounded values would overflow the clock arithmetic.
const MAX_LISTING_TTL_SECS: u64 = 24 * 60 * 60;

/// "Fresh" for immutable content: long enough never to matter.
const IMMUTABLE_FRESH: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// What a cached value is, which decides how long it is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Addressed by digest: the bytes can never change. Kept until evicted
    /// (memory) or for `immutable_redis_ttl` (Redis).
    Immutable,
    /// Repository and tag listings, a tag's current manifest: fresh for
    /// `listing_fresh`, then served stale (with a background refresh) up
    /// to `listing_keep`.
    Listing,
    /// The referrers of a digest. The subject is immutable but the list is
    /// not: a signature or SBOM can be attached at any time, so it is
    /// treated like a listing that is refreshed less eagerly.
    Referrers,
    /// A registry's storage report: fresh for `storage_fresh`, then
    /// recomputed in the background while the old one is shown.
    Storage,
}

/// Cache sizing and lifetimes.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// Weight budget of the in-process tier (encoded bytes).
    pub memory_bytes: u64,
    pub listing_fresh: Duration,
    pub listing_keep: Duration,
    pub referrers_fresh: Duration,
    pub referrers_keep: Duration,
    /// How long Redis keeps content addressed by digest.
    pub immutable_redis_ttl: Duration,
    pub storage_fresh: Duration,
    pub storage_keep: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            memory_bytes: 256 * 1024 * 1024,
            listing_fresh: Duration::from_secs(30),
            listing_keep: Duration::from_secs(15 * 60),
            referrers_fresh: Duration::from_secs(120),
            referrers_keep: Duration::from_secs(60 * 60),
            immutable_redis_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            storage_fresh: Duration::from_secs(6 * 60 * 60),
            storage_keep: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

impl CacheConfig {
    /// Defaults, overridden by `REESTR_CACHE_MEMORY_MB` and
    /// `REESTR_LISTING_TTL` (seconds a listing stays fresh, at most a day).
    /// A value that does not parse is reported and ignored.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        if let Some(mb) = env_number("REESTR_CACHE_MEMORY_MB") {
            config.memory_bytes = mb.saturating_mul(1024 * 1024).max(1024 * 1024);
        }
        if let Some(secs) = env_number("REESTR_LISTING_TTL") {
            if secs > MAX_LISTING_TTL_SECS {
                tracing::warn!(seconds = secs, "REESTR_LISTING_TTL is capped at one day");
            }
            config.listing_fresh = Duration::from_secs(secs.min(MAX_LISTING_TTL_SECS));
            config.listing_keep = config.listing_keep.max(config.listing_fresh * 2);
        }
        config
    }

    /// (fresh for, kept for); `None` = kept until evicted.
    pub fn lifetimes(&self, policy: Policy) -> (Duration, Option<Duration>) {
        match policy {
            Policy::Immutable => (IMMUTABLE_FRESH, None),
            Policy::Listing => (self.listing_fresh, Some(self.listing_keep)),
            Policy::Referrers => (self.referrers_fresh, Some(self.referrers_keep)),
            Policy::Storage => (self.storage_fresh, Some(self.storage_keep)),
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let raw = std::env::var(name).ok()?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            tracing::warn!(variable = name, value = %raw, "not a whole number; using the default");
            None
        }
    }
}
