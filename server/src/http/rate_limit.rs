//! Per-client-address rate limit on `/api` and on the pages' server
//! functions `/_fn` (governor's GCRA, keyed by IP, one budget for both):
//! `REESTR_API_RATE_PER_MINUTE` requests a minute (default 600, 0 turns it
//! off), bursts up to the same number. Beyond it: 429 problem+json with
//! `Retry-After`. Pages are not limited: they are cached and cheap.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use app::error::{AppError, ErrorKind};
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::Problem;

const DEFAULT_PER_MINUTE: u32 = 600;
/// Forget idle addresses every this many requests.
const SWEEP_EVERY: u64 = 10_000;

#[derive(Debug)]
pub struct ApiLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    seen: AtomicU64,
}

impl ApiLimit {
    pub fn per_minute(n: u32) -> Self {
        let limiter = NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Self { limiter, seen: AtomicU64::new(0) }
    }

    /// From `REESTR_API_RATE_PER_MINUTE`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("REESTR_API_RATE_PER_MINUTE").ok().filter(|v| !v.trim().is_empty()) {
            None => Ok(Self::per_minute(DEFAULT_PER_MINUTE)),
            Some(v) => {
                v.trim().parse::<u32>().map(Self::per_minute).map_err(|_| {
                    "REESTR_API_RATE_PER_MINUTE must be a whole number (0 turns the limit off)".to_string()
                })
            }
        }
    }
}

/// The refusal for a request over its address's limit, if it is.
pub fn refusal(limit: &ApiLimit, req: &Request) -> Option<Response> {
    let limiter = limit.limiter.as_ref()?;
    let ip = super::client_addr::client_addr(req.extensions(), req.headers())?;
    if limit.seen.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
        limiter.retain_recent();
    }
    let not_until = limiter.check_key(&ip).err()?;
    let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
    tracing::warn!(%ip, wait, "API rate limit reached");
    let mut e = AppError::new(ErrorKind::TooManyAttempts, "too many API requests from this address; slow down");
    e.retry_after = Some(wait);
    Some(Problem(e).into_response())
}
