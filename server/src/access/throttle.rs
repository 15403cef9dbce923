//! Login throttling, per account and per client address, kept in the
//! database so every replica counts the same failures: after
//! `PER_ACCOUNT` failed logins for one name, or `PER_ADDRESS` from one
//! address, within `WINDOW`, further attempts are refused until the oldest
//! failure leaves the window. A success clears the account's count.

use super::store::{Store, StoreError};

/// The sliding window failures are counted in.
pub const WINDOW: i64 = 15 * 60;
pub const PER_ACCOUNT: i64 = 5;
pub const PER_ADDRESS: i64 = 20;

pub fn account_bucket(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

pub fn address_bucket(ip: &str) -> String {
    format!("ip:{ip}")
}

/// Seconds until another attempt is allowed, when throttled.
pub async fn retry_after(store: &Store, username: &str, ip: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let mut wait = None;
    for (bucket, limit) in [(account_bucket(username), PER_ACCOUNT), (address_bucket(ip), PER_ADDRESS)] {
        let (count, oldest) = store.failures(&bucket, now - WINDOW).await?;
        if count >= limit {
            let secs = oldest.map(|o| (o + WINDOW - now).max(1)).unwrap_or(WINDOW);
            wait = Some(wait.map_or(secs, |w: i64| w.max(secs)));
        }
    }
    Ok(wait)
}

pub async fn failed(store: &Store, username: &str, ip: &str, now: i64) -> Result<(), StoreError> {
    store.record_failure(&account_bucket(username), now).await?;
    store.record_failure(&address_bucket(ip), now).await
}

pub async fn succeeded(store: &Store, username: &str) -> Result<(), StoreError> {
    store.clear_failures(&account_bucket(username)).await
}
