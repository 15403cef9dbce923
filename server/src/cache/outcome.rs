//! Which tiers answered one request's cache lookups, for the request's log
//! line: a tally in a task-local that the request middleware opens and the
//! Leptos executor (`http/executor.rs`) hands on to the tasks a page spawns.
//! Background refreshes run outside it and are not counted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

tokio::task_local! {
    static TALLY: Arc<Tally>;
}

/// How one lookup was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// From memory (or from a concurrent fetch this process was making).
    Memory,
    Redis,
    /// Past its freshness, served while a refresh runs.
    Stale,
    /// Asked the registry.
    Upstream,
}

/// One request's lookups.
#[derive(Debug, Default)]
pub struct Tally {
    memory: AtomicU32,
    redis: AtomicU32,
    stale: AtomicU32,
    upstream: AtomicU32,
}

impl Tally {
    fn add(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Memory => &self.memory,
            Outcome::Redis => &self.redis,
            Outcome::Stale => &self.stale,
            Outcome::Upstream => &self.upstream,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `none` (no lookups), `hit` (every lookup from memory or Redis),
    /// `stale` (some served stale, none fetched), `miss` (every lookup
    /// fetched) or `partial` (some fetched, some not).
    pub fn summary(&self) -> &'static str {
        let hits = self.memory.load(Ordering::Relaxed) + self.redis.load(Ordering::Relaxed);
        let stale = self.stale.load(Ordering::Relaxed);
        let upstream = self.upstream.load(Ordering::Relaxed);
        match (hits, stale, upstream) {
            (0, 0, 0) => "none",
            (_, 0, 0) => "hit",
            (_, _, 0) => "stale",
            (0, 0, _) => "miss",
            _ => "partial",
        }
    }

    /// Lookups counted.
    pub fn lookups(&self) -> u32 {
        self.memory.load(Ordering::Relaxed) + self.redis.load(Ordering::Relaxed) + self.upstream.load(Ordering::Relaxed)
    }
}

/// Counts a lookup for the request being served, if any.
pub fn note(outcome: Outcome) {
    let _ = TALLY.try_with(|t| t.add(outcome));
}

/// The tally of the request being served, to hand to a spawned task.
pub fn current() -> Option<Arc<Tally>> {
    TALLY.try_with(Arc::clone).ok()
}

/// Runs `work` counting its lookups into `tally`.
pub async fn scope<F: Future>(tally: Arc<Tally>, work: F) -> F::Output {
    TALLY.scope(tally, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lookups_are_counted_inside_a_scope_only() {
        note(Outcome::Upstream); // outside any request: ignored
        let tally = Arc::new(Tally::default());
        assert_eq!(tally.summary(), "none");
        scope(tally.clone(), async {
            note(Outcome::Memory);
            note(Outcome::Redis);
        })
        .await;
        assert_eq!((tally.summary(), tally.lookups()), ("hit", 2));
        scope(tally.clone(), async { note(Outcome::Stale) }).await;
        assert_eq!(tally.summary(), "stale");
        scope(tally.clone(), async { note(Outcome::Upstream) }).await;
        assert_eq!(tally.summary(), "partial");
        let fetched = Arc::new(Tally::default());
        scope(fetched.clone(), async { note(Outcome::Upstream) }).await;
        assert_eq!(fetched.summary(), "miss");
    }
}
