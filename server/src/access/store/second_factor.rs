//! Rows of the second factor: `totp` (one secret per user, the last step
//! accepted), `recovery_codes` (hashed, spent by deleting) and
//! `pending_logins` (a password accepted, the second factor awaited).

use sqlx::Row;

use super::{Store, StoreError, User, user_of};

/// A user's TOTP secret (base32) and where it stands.
#[derive(Debug, Clone)]
pub struct TotpRow {
    pub secret: String,
    pub confirmed: bool,
    pub created_at: i64,
}

/// A password login waiting for its second factor.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub user: User,
    pub user_agent: String,
}

impl Store {
    pub async fn totp(&self, user_id: &str) -> Result<Option<TotpRow>, StoreError> {
        let row = sqlx::query("SELECT secret, confirmed, created_at FROM totp WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TotpRow {
                secret: r.try_get("secret")?,
                confirmed: r.try_get::<i64, _>("confirmed")? != 0,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    /// Starts an enrolment: a new unconfirmed secret, unless one is confirmed
    /// (`false` then: turn it off first).
    pub async fn put_unconfirmed_totp(&self, user_id: &str, secret: &str, now: i64) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM totp WHERE user_id = $1 AND confirmed = 0").bind(user_id).execute(&self.pool).await?;
        let done = sqlx::query(
            "INSERT INTO totp (user_id, secret, confirmed, last_step, created_at) \
             SELECT $1, $2, 0, 0, $3 WHERE NOT EXISTS (SELECT 1 FROM totp WHERE user_id = $1)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Takes `step` as used if it is later than every step used before
    /// (one statement, so two replicas cannot both accept a code); with
    /// `confirm`, also confirms an enrolment.
    pub async fn use_totp_step(&self, user_id: &str, step: i64, confirm: bool) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp SET last_step = $2, confirmed = CASE WHEN $3 = 1 THEN 1 ELSE confirmed END \
             WHERE user_id = $1 AND last_step < $2",
        )
        .bind(user_id)
        .bind(step)
        .bind(i64::from(confirm))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Turns the second factor off: the secret and the recovery codes go.
    pub async fn delete_totp(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM totp WHERE user_id = $1").bind(user_id).execute(&self.pool).await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Replaces a user's recovery codes with these hashes.
    pub async fn set_recovery_codes(&self, user_id: &str, hashes: &[String]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        for hash in hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Spends a recovery code (once).
    pub async fn take_recovery_code(&self, user_id: &str, hash: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(user_id)
            .bind(hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(gone == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn put_pending_login(
        &self,
        token_hash: &str,
        user_id: &str,
        user_agent: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO pending_logins (token_hash, user_id, user_agent, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(user_agent)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The live pending login a token hash names.
    pub async fn pending_login(&self, token_hash: &str, now: i64) -> Result<Option<PendingLogin>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.registry_roles, p.user_agent FROM pending_logins p \
             JOIN users u ON u.id = p.user_id WHERE p.token_hash = $1 AND p.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(PendingLogin { user: user_of(&r)?, user_agent: r.try_get("user_agent")? })).transpose()
    }

    pub async fn delete_pending_login(&self, token_hash: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(gone == 1)
    }

    /// Drops pending logins past their expiry (the sweep).
    pub async fn sweep_pending_logins(&self, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        Ok(())
    }
}
