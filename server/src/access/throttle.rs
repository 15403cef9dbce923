//! Attempt throttling for password logins and changes, first-run setup,
//! invitations, reset links and passkey logins, kept in the database so every replica counts the
//! same attempts. An attempt is counted before it is checked (before the
//! slow password hash), in one statement that also decides whether it may
//! go ahead, so concurrent attempts cannot all slip past the limit.
//!
//! Buckets are per address and ceremony (a hard limit per quarter hour:
//! one address cannot lock a ceremony for everyone) and per account for
//! passwords (after five attempts, growing delays: an account under attack
//! slows down, its owner is never locked out for long). Passkeys have no
//! account bucket: wrong passwords never block a passkey.

use super::store::{Rule, Store, StoreError};

/// The quiet time after which a bucket starts over.
pub const WINDOW: i64 = 15 * 60;
/// Password attempts per account before the delays start.
pub const PER_ACCOUNT: i64 = 5;
/// Attempts at one ceremony from one address per window.
pub const PER_ADDRESS: i64 = 20;
/// The longest quiet time of any bucket: older counters can be swept.
pub const LONGEST_QUIET: i64 = 4 * WINDOW;

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    Password,
    Setup,
    Invitation,
    /// Spending a password reset link.
    Reset,
    /// A TOTP or recovery code (enrolment, or a login's second step).
    SecondFactor,
    Passkey,
}

impl Ceremony {
    fn key(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Setup => "setup",
            Self::Invitation => "invitation",
            Self::Reset => "reset",
            Self::SecondFactor => "second-factor",
            Self::Passkey => "passkey",
        }
    }
}

/// Where an attempt is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket<'a> {
    /// One address's attempts at one ceremony.
    Address(Ceremony, &'a str),
    /// One account's password attempts (the name as typed, case-folded).
    Account(&'a str),
    /// One account's second-factor codes: apart from its passwords, so a
    /// correct password (which clears those) buys no fresh code guesses.
    Codes(&'a str),
}

impl Bucket<'_> {
    fn key(&self) -> String {
        match self {
            Self::Address(c, ip) => format!("ip:{}:{ip}", c.key()),
            Self::Account(name) => format!("user:{}", name.to_lowercase()),
            Self::Codes(name) => format!("codes:{}", name.to_lowercase()),
        }
    }

    fn rule(&self) -> Rule {
        match self {
            Self::Address(..) => Rule { limit: PER_ADDRESS, first_delay: WINDOW, longest_delay: WINDOW, quiet: WINDOW },
            // 15 s, 30 s, 1 min, … up to 15 min between attempts; an hour of
            // quiet starts over (longer than the longest delay, so waiting
            // it out does not buy a fresh burst).
            Self::Account(_) | Self::Codes(_) => {
                Rule { limit: PER_ACCOUNT, first_delay: 15, longest_delay: WINDOW, quiet: LONGEST_QUIET }
            }
        }
    }
}

/// Counts an attempt in every bucket, in order, stopping at the first that
/// refuses: `Some(seconds)` to wait, or `None` to go ahead.
pub async fn reserve(store: &Store, buckets: &[Bucket<'_>], now: i64) -> Result<Option<i64>, StoreError> {
    for bucket in buckets {
        if let Some(wait) = store.reserve_attempt(&bucket.key(), now, &bucket.rule()).await? {
            return Ok(Some(wait));
        }
    }
    Ok(None)
}

/// After a success: the account's count is forgotten, and the addresses'
/// attempts are given back (signing in is not an attack).
pub async fn succeeded(store: &Store, buckets: &[Bucket<'_>]) -> Result<(), StoreError> {
    for bucket in buckets {
        match bucket {
            Bucket::Account(_) | Bucket::Codes(_) => store.clear_attempts(&bucket.key()).await?,
            Bucket::Address(..) => store.refund_attempt(&bucket.key()).await?,
        }
    }
    Ok(())
}
