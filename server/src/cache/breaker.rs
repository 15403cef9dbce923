//! Per-registry circuit breakers, so a registry that pushes back is left
//! alone. A 429 (for its `Retry-After`, else a pause that doubles while
//! the registry keeps refusing) or five failures in a row (5xx, timeouts,
//! refused connections) open the registry's breaker: calls then fail at
//! once, without a request, and the cache serves what it holds. When the
//! pause is over, one call goes through (half-open): its answer closes the
//! breaker or opens it again for twice as long. With Redis, an opening is
//! shared: every replica stops asking, and one of them probes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use serde::{Deserialize, Serialize};

use super::{RedisTier, unix_ms};
use crate::registry::RegistryError;

/// Failures in a row that open a breaker.
pub const FAILURES_TO_OPEN: u32 = 5;
/// The first pause after failures; it doubles up to [`LONGEST_FAILING_PAUSE`].
const FIRST_FAILING_PAUSE: Duration = Duration::from_secs(5);
const LONGEST_FAILING_PAUSE: Duration = Duration::from_secs(5 * 60);
/// The pause after a 429 without `Retry-After`; it doubles up to
/// [`LONGEST_RATE_LIMIT_PAUSE`].
const FIRST_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(30);
const LONGEST_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(15 * 60);
/// A `Retry-After` is believed up to this long.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);
/// How long one replica's probe may hold the others back.
const PROBE_LOCK: Duration = Duration::from_secs(30);

/// Why a breaker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The registry answered 429.
    RateLimited,
    /// Failures in a row: 5xx, timeouts, refused connections.
    Failing,
}

/// An open breaker: until when (Unix milliseconds), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Open {
    pub until_ms: u64,
    pub reason: Reason,
    /// Openings in a row without a good probe (the pause doubles with each).
    pub streak: u32,
    /// The last failure, in words (`cannot connect to …`).
    #[serde(default)]
    pub cause: String,
}

impl Open {
    /// The time it closes, as `HH:MM:SS UTC`.
    pub fn until_text(&self) -> String {
        let at = UNIX_EPOCH + Duration::from_millis(self.until_ms);
        let stamp = humantime::format_rfc3339_seconds(at).to_string();
        stamp.get(11..19).map_or(stamp.clone(), |t| format!("{t} UTC"))
    }

    /// What a call refused by this breaker fails with.
    fn refusal(&self, now_ms: u64) -> RegistryError {
        match self.reason {
            Reason::RateLimited => RegistryError::RateLimited {
                retry_after: Some(
                    Duration::from_millis(self.until_ms.saturating_sub(now_ms)).max(Duration::from_secs(1)),
                ),
            },
            Reason::Failing => RegistryError::Unavailable(format!(
                "{} (failing: Reestr leaves it alone until {})",
                self.cause,
                self.until_text()
            )),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open: Option<Open>,
    /// A call of this process is the half-open probe.
    probing: bool,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BreakerLabels {
    pub registry: String,
}

/// Every registry's breaker, and their metrics.
#[derive(Debug)]
pub struct Breakers {
    states: Mutex<HashMap<String, State>>,
    redis: Option<RedisTier>,
    /// 1 while a registry's breaker is open (`reestr_breaker_open`).
    pub open: Family<BreakerLabels, Gauge>,
    /// Calls answered by an open breaker without a request.
    pub refused: Family<BreakerLabels, Counter>,
    /// Times a breaker opened.
    pub opened: Family<BreakerLabels, Counter>,
}

/// What a finished call says about its registry.
enum Outcome {
    /// It answered (a 404 or 401 is an answer too).
    Answered,
    /// A 5xx, a timeout, a refused connection: what happened, in words.
    Failed(String),
    RateLimited(Option<Duration>),
}

fn outcome_of<T>(result: &Result<T, RegistryError>) -> Outcome {
    match result {
        Err(RegistryError::RateLimited { retry_after }) => Outcome::RateLimited(*retry_after),
        Err(RegistryError::Unavailable(cause)) => Outcome::Failed(cause.clone()),
        Err(e @ RegistryError::Timeout(_)) => Outcome::Failed(e.to_string()),
        _ => Outcome::Answered,
    }
}

/// Whether a call may go, and as what.
enum Admit {
    Go,
    /// The half-open probe, with the replicas' probe lock when shared.
    Probe(Option<String>),
    Refuse(Open),
}

/// `first`, doubled `streak` times, at most `longest`.
fn doubled(first: Duration, streak: u32, longest: Duration) -> Duration {
    first.saturating_mul(1_u32 << streak.min(16)).min(longest)
}

fn shared_key(registry: &str) -> String {
    format!("reestr:v1:breaker:{registry}")
}

impl Breakers {
    pub fn new(redis: Option<RedisTier>) -> Self {
        Self {
            states: Mutex::new(HashMap::new()),
            redis,
            open: Family::default(),
            refused: Family::default(),
            opened: Family::default(),
        }
    }

    /// Runs `call` against `registry` unless its breaker is open, and
    /// learns from its result.
    pub async fn run<T>(
        &self,
        registry: &str,
        call: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        let probe = match self.admit(registry).await {
            Admit::Go => None,
            Admit::Probe(lock) => Some(lock),
            Admit::Refuse(open) => {
                self.refused.get_or_create(&labels(registry)).inc();
                return Err(open.refusal(unix_ms()));
            }
        };
        let result = call.await;
        self.record(registry, outcome_of(&result), probe.is_some()).await;
        if let (Some(Some(token)), Some(redis)) = (probe, &self.redis) {
            redis.unlock(&probe_key(registry), &token).await;
        }
        result
    }

    /// The registry's breaker, when open (health, readiness, pages).
    pub async fn open_now(&self, registry: &str) -> Option<Open> {
        self.adopt_shared(registry).await;
        let now = unix_ms();
        self.with_state(registry, |s| s.open.clone().filter(|o| o.until_ms > now))
    }

    /// The registry's breaker as this replica knows it (no Redis round trip).
    pub fn open_here(&self, registry: &str) -> Option<Open> {
        let now = unix_ms();
        self.with_state(registry, |s| s.open.clone().filter(|o| o.until_ms > now))
    }

    fn with_state<R>(&self, registry: &str, f: impl FnOnce(&mut State) -> R) -> R {
        let mut states = self.states.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(states.entry(registry.to_string()).or_default())
    }

    /// Takes over another replica's opening, if it lasts longer than ours.
    async fn adopt_shared(&self, registry: &str) {
        let Some(redis) = &self.redis else { return };
        let Some(bytes) = redis.get_bytes(&shared_key(registry)).await else { return };
        let Ok(shared) = serde_json::from_slice::<Open>(&bytes) else { return };
        let adopted = self.with_state(registry, |s| {
            let longer = s.open.as_ref().is_none_or(|o| o.until_ms < shared.until_ms);
            if longer && !s.probing {
                s.open = Some(shared);
                s.failures = 0;
            }
            longer
        });
        if adopted {
            self.open.get_or_create(&labels(registry)).set(1);
        }
    }

    async fn admit(&self, registry: &str) -> Admit {
        self.adopt_shared(registry).await;
        let now = unix_ms();
        let decided = self.with_state(registry, |s| match &s.open {
            None => Admit::Go,
            Some(o) if now < o.until_ms || s.probing => Admit::Refuse(o.clone()),
            Some(_) => {
                s.probing = true;
                Admit::Probe(None)
            }
        });
        let (Admit::Probe(_), Some(redis)) = (&decided, &self.redis) else { return decided };
        // One replica probes; the others wait for its verdict.
        match redis.lock_for(&probe_key(registry), PROBE_LOCK).await {
            Some(token) => Admit::Probe(Some(token)),
            None => self.with_state(registry, |s| {
                s.probing = false;
                let o = s.open.clone().unwrap_or(Open {
                    until_ms: now,
                    reason: Reason::Failing,
                    streak: 0,
                    cause: "another replica is probing it".into(),
                });
                Admit::Refuse(Open { until_ms: now + 1000, ..o })
            }),
        }
    }

    async fn record(&self, registry: &str, outcome: Outcome, probe: bool) {
        let now = unix_ms();
        let opened = self.with_state(registry, |s| {
            if probe {
                s.probing = false;
            }
            let streak = s.open.as_ref().map_or(0, |o| o.streak + 1);
            let pause = match &outcome {
                Outcome::Answered => {
                    s.failures = 0;
                    // Only the probe closes an open breaker: a slow call sent
                    // before it opened proves nothing about the pause.
                    let closes = probe || s.open.as_ref().is_some_and(|o| o.until_ms <= now);
                    return if closes { s.open.take().map(|_| None) } else { None };
                }
                Outcome::RateLimited(after) => match after {
                    Some(after) => (*after).clamp(Duration::from_secs(1), LONGEST_RETRY_AFTER),
                    None => doubled(FIRST_RATE_LIMIT_PAUSE, streak, LONGEST_RATE_LIMIT_PAUSE),
                },
                Outcome::Failed(_) => {
                    s.failures += 1;
                    if !probe && s.failures < FAILURES_TO_OPEN {
                        return None;
                    }
                    doubled(FIRST_FAILING_PAUSE, streak, LONGEST_FAILING_PAUSE)
                }
            };
            if s.open.as_ref().is_some_and(|o| o.until_ms > now) && !probe {
                // Already open (another call's answer): keep the first verdict.
                return None;
            }
            let (reason, cause) = match outcome {
                Outcome::Failed(cause) => (Reason::Failing, cause),
                _ => (Reason::RateLimited, "the registry answered 429".to_string()),
            };
            let open = Open { until_ms: now + pause.as_millis() as u64, reason, streak, cause };
            s.open = Some(open.clone());
            s.failures = 0;
            Some(Some(open))
        });
        let label = labels(registry);
        match opened {
            None => {}
            Some(None) => {
                tracing::info!(registry, "the registry answers again; its breaker is closed");
                self.open.get_or_create(&label).set(0);
                if let Some(redis) = &self.redis {
                    redis.delete(&shared_key(registry)).await;
                }
            }
            Some(Some(open)) => {
                tracing::warn!(registry, reason = ?open.reason, until = %open.until_text(), "the registry's breaker is open: no requests until then");
                self.open.get_or_create(&label).set(1);
                self.opened.get_or_create(&label).inc();
                if let (Some(redis), Ok(bytes)) = (&self.redis, serde_json::to_vec(&open)) {
                    let ttl = Duration::from_millis(open.until_ms.saturating_sub(now)).max(Duration::from_secs(1));
                    redis.set_bytes(&shared_key(registry), bytes, ttl).await;
                }
            }
        }
    }
}

fn labels(registry: &str) -> BreakerLabels {
    BreakerLabels { registry: registry.to_string() }
}

fn probe_key(registry: &str) -> String {
    format!("reestr:v1:breaker-probe:{registry}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> Result<(), RegistryError> {
        Err(RegistryError::Unavailable("HTTP 503".into()))
    }

    #[tokio::test]
    async fn failures_in_a_row_open_and_a_good_probe_closes() {
        let b = Breakers::new(None);
        for _ in 0..FAILURES_TO_OPEN - 1 {
            assert!(b.run("r", async { unavailable() }).await.is_err());
        }
        assert!(b.open_now("r").await.is_none(), "four failures are not enough");
        assert!(b.run("r", async { Ok(()) }).await.is_ok());
        for _ in 0..FAILURES_TO_OPEN {
            let _ = b.run("r", async { unavailable() }).await;
        }
        let open = b.open_now("r").await.ok_or("not open").map_err(|e| e.to_string());
        assert!(matches!(open, Ok(Open { reason: Reason::Failing, streak: 0, .. })), "{open:?}");
        // While open nothing is sent.
        let mut sent = false;
        let r = b
            .run("r", async {
                sent = true;
                Ok(())
            })
            .await;
        assert!(
            !sent
                && matches!(&r, Err(RegistryError::Unavailable(m)) if m.starts_with("HTTP 503 (failing: Reestr leaves it alone until")),
            "{r:?}"
        );
        assert!(b.open_now("other").await.is_none(), "per registry");
        // The pause over, one probe: a failure opens it again for twice as long.
        b.with_state("r", |s| s.open = s.open.take().map(|o| Open { until_ms: 0, ..o }));
        let _ = b.run("r", async { unavailable() }).await;
        let again = b.open_now("r").await.map(|o| (o.streak, o.until_ms.saturating_sub(unix_ms())));
        assert!(matches!(again, Some((1, ms)) if ms > 9_000 && ms <= 10_000), "{again:?}");
        // An answer closes it.
        b.with_state("r", |s| s.open = s.open.take().map(|o| Open { until_ms: 0, ..o }));
        assert!(b.run("r", async { Ok(()) }).await.is_ok());
        assert!(b.open_now("r").await.is_none());
    }

    #[tokio::test]
    async fn a_429_opens_for_its_retry_after_and_refusals_say_how_long() {
        let b = Breakers::new(None);
        let limited =
            || async { Err::<(), _>(RegistryError::RateLimited { retry_after: Some(Duration::from_secs(120)) }) };
        assert!(b.run("hub", limited()).await.is_err());
        let r = b.run("hub", async { Ok(()) }).await;
        assert!(
            matches!(r, Err(RegistryError::RateLimited { retry_after: Some(d) }) if d > Duration::from_secs(110)),
            "{r:?}"
        );
        // A 404 or 401 is an answer: it never opens a breaker.
        for _ in 0..10 {
            let _ = b.run("quiet", async { Err::<(), _>(RegistryError::NotFound("x".into())) }).await;
        }
        assert!(b.open_now("quiet").await.is_none());
        assert_eq!(doubled(FIRST_RATE_LIMIT_PAUSE, 10, LONGEST_RATE_LIMIT_PAUSE), LONGEST_RATE_LIMIT_PAUSE);
    }
}
