//! The shared cache tier in Redis (through `fred`). Every call is bounded
//! by a short timeout and never fails a page: an outage turns the tier off
//! (one warning), fred reconnects in the background, and the tier is used
//! again as soon as it answers (one info line).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use fred::prelude::{
    Builder, ClientLike, Config as RedisConfig, Expiration, KeysInterface, LuaInterface, ReconnectPolicy, SetOptions,
};
use serde::de::DeserializeOwned;

use super::Stored;

/// Longest a cache read or write may take before the tier is skipped.
const CALL_TIMEOUT: Duration = Duration::from_millis(300);
/// How long a cross-replica fetch lock lives if its holder dies.
const LOCK_TTL: Duration = Duration::from_secs(5);
/// Releases the lock only when it is still ours.
const UNLOCK: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/// A Redis connection used as a cache tier.
#[derive(Clone)]
pub struct RedisTier {
    client: fred::clients::Client,
    /// Set while Redis is failing, so the warning is logged once per outage.
    down: Arc<AtomicBool>,
    tokens: Arc<AtomicU64>,
}

impl std::fmt::Debug for RedisTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("RedisTier").field("connected", &self.connected()).finish_non_exhaustive()
    }
}

impl RedisTier {
    /// Starts connecting to `url` (`redis://…`) in the background and
    /// returns at once; pages work from memory until Redis answers.
    pub fn connect(url: &str) -> Result<Self, String> {
        let config = RedisConfig::from_url(url).map_err(|e| format!("REDIS_URL is not a usable Redis URL: {e}"))?;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.internal_command_timeout = Duration::from_secs(2);
                c.max_command_attempts = 1;
                c.max_command_buffer_len = 10_000;
            })
            .with_performance_config(|p| p.default_command_timeout = CALL_TIMEOUT)
            // Forever, every half second: an outage ends by itself.
            .set_policy(ReconnectPolicy::new_constant(0, 500))
            .build()
            .map_err(|e| format!("cannot set up the Redis client: {e}"))?;
        let _task = client.connect();
        Ok(Self { client, down: Arc::new(AtomicBool::new(false)), tokens: Arc::new(AtomicU64::new(0)) })
    }

    /// Whether the connection is up now.
    pub fn connected(&self) -> bool {
        self.client.is_connected()
    }

    /// Waits up to `limit` for the first connection (start-up readiness).
    pub async fn wait_connected(&self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.client.wait_for_connect()).await.is_ok_and(|r| r.is_ok())
    }

    pub(super) async fn get<T: DeserializeOwned>(&self, key: &str) -> Option<Stored<T>> {
        if !self.connected() {
            self.report_down("disconnected");
            return None;
        }
        let bytes: Option<Vec<u8>> = self.call(self.client.get(key)).await?;
        let bytes = bytes?;
        match postcard::from_bytes(&bytes) {
            Ok(stored) => Some(stored),
            Err(e) => {
                tracing::warn!(key, error = %e, "a cached value could not be decoded; fetching it again");
                None
            }
        }
    }

    /// Stores `bytes` for `ttl`; true when Redis took it.
    pub(super) async fn set(&self, key: &str, bytes: Vec<u8>, ttl: Duration) -> bool {
        if !self.connected() {
            self.report_down("disconnected");
            return false;
        }
        let px = Expiration::PX(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        self.call::<()>(self.client.set(key, bytes, Some(px), None, false)).await.is_some()
    }

    /// Takes the cross-replica fetch lock for `key`; `None` when another
    /// replica holds it. When Redis is down, nobody can hold it: `Some`.
    pub(super) async fn lock(&self, key: &str) -> Option<String> {
        self.lock_for(key, LOCK_TTL).await
    }

    /// As [`lock`](Self::lock), held up to `ttl` (long jobs).
    pub(super) async fn lock_for(&self, key: &str, ttl: Duration) -> Option<String> {
        let token = format!("{}-{}", std::process::id(), self.tokens.fetch_add(1, Ordering::Relaxed));
        if !self.connected() {
            return Some(token);
        }
        let px = Expiration::PX(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        let taken: Option<Option<String>> =
            self.call(self.client.set(lock_key(key), token.as_str(), Some(px), Some(SetOptions::NX), false)).await;
        match taken {
            Some(None) => None,
            _ => Some(token),
        }
    }

    /// Raw bytes under `key` (for other users of the connection, such as
    /// the session cache); `None` when absent or Redis is down.
    pub async fn get_bytes(&self, key: &str) -> Option<Vec<u8>> {
        if !self.connected() {
            self.report_down("disconnected");
            return None;
        }
        self.call(self.client.get::<Option<Vec<u8>>, _>(key)).await.flatten()
    }

    /// Stores raw bytes for `ttl`; true when Redis took them.
    pub async fn set_bytes(&self, key: &str, bytes: Vec<u8>, ttl: Duration) -> bool {
        self.set(key, bytes, ttl).await
    }

    /// Deletes the keys matching the glob `pattern` that `doomed` picks
    /// (SCAN in pages of 500, each page's keys in one DEL, 10 s at most);
    /// returns how many went. Every replica sees the result at once.
    pub(super) async fn delete_matching(&self, pattern: &str, doomed: impl Fn(&str) -> bool) -> u64 {
        use fred::types::scan::Scanner;
        use futures::StreamExt;
        if !self.connected() {
            return 0;
        }
        let work = async {
            let mut deleted = 0_u64;
            let mut pages = std::pin::pin!(self.client.scan(pattern, Some(500), None));
            while let Some(page) = pages.next().await {
                let mut page = page.ok()?;
                let keys: Vec<fred::types::Key> = page
                    .take_results()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|k| k.as_str().is_some_and(&doomed))
                    .collect();
                if !keys.is_empty() {
                    let n: i64 = self.call(self.client.del(keys)).await?;
                    deleted += u64::try_from(n).unwrap_or(0);
                }
            }
            Some(deleted)
        };
        tokio::time::timeout(Duration::from_secs(10), work).await.ok().flatten().unwrap_or(0)
    }

    pub async fn delete(&self, key: &str) {
        if self.connected() {
            let _: Option<i64> = self.call(self.client.del(key)).await;
        }
    }

    pub(super) async fn locked(&self, key: &str) -> bool {
        let held: Option<i64> = self.call(self.client.exists(lock_key(key))).await;
        held.is_some_and(|n| n > 0)
    }

    pub(super) async fn unlock(&self, key: &str, token: &str) {
        if self.connected() {
            let _: Option<i64> = self.call(self.client.eval(UNLOCK, vec![lock_key(key)], vec![token])).await;
        }
    }

    /// Runs one Redis call with the tier's timeout, logging outages once.
    async fn call<T>(&self, call: impl Future<Output = Result<T, fred::error::Error>>) -> Option<T> {
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(v)) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis answers again; the shared cache tier is back");
                }
                Some(v)
            }
            Ok(Err(e)) => {
                self.report_down(&e.to_string());
                None
            }
            Err(_) => {
                self.report_down(&format!("no answer within {} ms", CALL_TIMEOUT.as_millis()));
                None
            }
        }
    }

    fn report_down(&self, why: &str) {
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(error = why, "Redis is not answering; caching in memory only until it is back");
        }
    }
}

fn lock_key(key: &str) -> String {
    format!("{key}:lock")
}
