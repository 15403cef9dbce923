//! Password hashing with argon2id at the OWASP-recommended parameters
//! (19 MiB memory, 2 passes, 1 lane: the `argon2` crate's defaults). Hashing
//! takes tens of milliseconds of CPU, so it runs on tokio's blocking pool,
//! at most two at a time: a flood of logins cannot starve the pages.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// Longest (argon2 takes any length; this bounds the work per request).
pub const MAX_LENGTH: usize = 1024;

/// A well-formed hash no password is known for (verified against it, any
/// password takes the time a real check takes).
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WlL6XqTJTJhRk2mI8k7O7h0bKmY0uGkqJYrKkKZ0h8Q";

/// Hashes and verifies; cheap to clone.
#[derive(Debug, Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self { permits: Arc::new(Semaphore::new(2)) }
    }
}

/// Why a new password is refused.
pub fn check_new(password: &str) -> Result<(), super::AccessError> {
    if password.len() > MAX_LENGTH {
        Err(super::AccessError::PasswordTooLong)
    } else if password.chars().count() < MIN_LENGTH {
        Err(super::AccessError::PasswordTooShort)
    } else {
        Ok(())
    }
}

impl Hasher {
    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, password: &str) -> Result<String, String> {
        let password = password.to_string();
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| e.to_string())
        })
        .await
    }

    /// Whether `password` matches `phc`. A malformed hash is a mismatch.
    pub async fn verify(&self, password: &str, phc: &str) -> bool {
        if password.len() > MAX_LENGTH {
            return false;
        }
        let (password, phc) = (password.to_string(), phc.to_string());
        self.blocking(move || {
            Ok(PasswordHash::new(&phc)
                .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()))
        })
        .await
        .unwrap_or(false)
    }

    /// Spends the time a verification takes, for unknown users: a login
    /// answers as slowly whether or not the name exists.
    pub async fn waste(&self, password: &str) {
        let _ = self.verify(password, DUMMY).await;
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(f).await.map_err(|e| e.to_string())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_hashes_verify_and_reject() -> Result<(), String> {
        let h = Hasher::default();
        let phc = h.hash("correct horse battery").await?;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("correct horse battery", &phc).await);
        assert!(!h.verify("correct horse batterY", &phc).await);
        assert!(!h.verify("x", "not a hash").await);
        assert!(PasswordHash::new(DUMMY).is_ok(), "the stand-in hash must parse, or unknown users answer faster");
        assert!(check_new("short").is_err() && check_new("long enough pass").is_ok());
        Ok(())
    }
}
