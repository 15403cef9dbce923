//! Retries of a registry GET (always idempotent) that met a passing fault:
//! a refused or reset connection, a timeout, or a 502/503/504. At most
//! three attempts, the waits growing with full jitter (so replicas that
//! failed together do not retry together), and never past a time budget,
//! so a page does not wait past its limit. A 429 is not retried here: the
//! registry's breaker answers it (`cache::breaker`); nor is any other 4xx.

use std::time::Duration;

use reqwest::StatusCode;

/// Attempts of one request, the first included.
pub const ATTEMPTS: u32 = 3;
/// No retry starts once this much time has gone by since the first attempt.
pub const BUDGET: Duration = Duration::from_secs(10);
/// The longest first wait; each later one may be three times longer.
const FIRST_WAIT: Duration = Duration::from_millis(150);

/// Whether an answer is a passing fault worth another attempt.
pub fn transient_status(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT)
}

/// Whether a transport failure is a passing fault: the connection was
/// refused or reset, or the request timed out. Redirects refused by the
/// host policy, bodies that do not decode and the like are not.
pub fn transient_error(e: &reqwest::Error) -> bool {
    !e.is_redirect() && !e.is_builder() && !e.is_decode() && (e.is_connect() || e.is_timeout() || e.is_request())
}

/// How long to wait before attempt `attempt + 1`, having spent `elapsed`
/// so far; `None`: give up now.
pub fn wait_before_next(attempt: u32, elapsed: Duration, jitter: f64) -> Option<Duration> {
    if attempt >= ATTEMPTS {
        return None;
    }
    let ceiling = FIRST_WAIT.saturating_mul(3_u32.saturating_pow(attempt.saturating_sub(1)));
    let wait = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
    (elapsed + wait < BUDGET).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_attempts_within_the_budget_with_growing_waits() {
        let first = wait_before_next(1, Duration::ZERO, 1.0);
        let second = wait_before_next(2, Duration::from_millis(200), 1.0);
        assert_eq!((first, second), (Some(Duration::from_millis(150)), Some(Duration::from_millis(450))));
        assert_eq!(wait_before_next(3, Duration::from_millis(700), 1.0), None, "three attempts in all");
        assert_eq!(wait_before_next(1, Duration::from_secs(20), 0.5), None, "a request that took the budget");
        assert_eq!(wait_before_next(1, Duration::ZERO, 0.0), Some(Duration::ZERO), "full jitter reaches zero");
        assert!(transient_status(StatusCode::SERVICE_UNAVAILABLE) && transient_status(StatusCode::BAD_GATEWAY));
        for s in [StatusCode::TOO_MANY_REQUESTS, StatusCode::NOT_FOUND, StatusCode::INTERNAL_SERVER_ERROR] {
            assert!(!transient_status(s), "{s}");
        }
    }
}
