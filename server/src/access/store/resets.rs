//! Rows of `password_resets`: one live link per user, spent once.

use sqlx::Row;

use super::{Store, StoreError, User, user_of};

/// A live reset link, found by its token's hash.
#[derive(Debug, Clone)]
pub struct ResetRow {
    pub user: User,
    /// The issuing administrator's username.
    pub created_by: String,
    pub expires_at: i64,
}

impl Store {
    /// Stores a reset link for `user_id`, replacing any earlier one.
    pub async fn put_reset(
        &self,
        user_id: &str,
        token_hash: &str,
        created_by: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live link a token hash names (without spending it).
    pub async fn reset(&self, token_hash: &str, now: i64) -> Result<Option<ResetRow>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.registry_roles, r.created_by, r.expires_at FROM password_resets r \
             JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1 AND r.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| reset_of(&r)).transpose()
    }

    /// Spends a link (once), if it is live: of two requests with the same
    /// token, only one gets the row.
    pub async fn take_reset(&self, token_hash: &str, now: i64) -> Result<Option<ResetRow>, StoreError> {
        let Some(found) = self.reset(token_hash, now).await? else { return Ok(None) };
        let gone = sqlx::query("DELETE FROM password_resets WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok((gone == 1).then_some(found))
    }

    /// Drops links past their expiry (the sweep).
    pub async fn sweep_resets(&self, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        Ok(())
    }
}

fn reset_of(r: &sqlx::any::AnyRow) -> Result<ResetRow, StoreError> {
    Ok(ResetRow { user: user_of(r)?, created_by: r.try_get("created_by")?, expires_at: r.try_get("expires_at")? })
}
