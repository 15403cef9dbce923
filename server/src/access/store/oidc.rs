//! Rows of single sign-on: `oidc_identities` (a provider's issuer and
//! subject → a user here) and `oidc_flows` (sign-ins under way, by the hash
//! of their `state`, taken once).

use sqlx::Row;

use super::{Store, StoreError, User, user_of};

/// A sign-in sent to a provider and not yet back.
#[derive(Debug, Clone)]
pub struct OidcFlow {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub next: String,
}

impl Store {
    /// Drops flows past their time, then counts the live ones.
    pub async fn live_oidc_flows(&self, now: i64) -> Result<i64, StoreError> {
        sqlx::query("DELETE FROM oidc_flows WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM oidc_flows").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    pub async fn put_oidc_flow(&self, state_hash: &str, flow: &OidcFlow, expires_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, provider, nonce, pkce_verifier, redirect_uri, next, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(state_hash)
        .bind(&flow.provider)
        .bind(&flow.nonce)
        .bind(&flow.pkce_verifier)
        .bind(&flow.redirect_uri)
        .bind(&flow.next)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes a live flow (once: it is deleted in the same step).
    pub async fn take_oidc_flow(&self, state_hash: &str, now: i64) -> Result<Option<OidcFlow>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oidc_flows WHERE state_hash = $1 AND expires_at > $2 \
             RETURNING provider, nonce, pkce_verifier, redirect_uri, next",
        )
        .bind(state_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OidcFlow {
                provider: r.try_get("provider")?,
                nonce: r.try_get("nonce")?,
                pkce_verifier: r.try_get("pkce_verifier")?,
                redirect_uri: r.try_get("redirect_uri")?,
                next: r.try_get("next")?,
            })
        })
        .transpose()
    }

    /// The user a provider's (issuer, subject) is linked to; marks it used.
    pub async fn oidc_user(&self, issuer: &str, subject: &str, now: i64) -> Result<Option<User>, StoreError> {
        sqlx::query("UPDATE oidc_identities SET last_used_at = $3 WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .bind(now)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.registry_roles FROM oidc_identities i JOIN users u ON u.id = i.user_id \
             WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_of(&r)).transpose()
    }

    /// Links (issuer, subject) to `user_id`; `false` when it already is linked.
    pub async fn link_oidc(
        &self,
        issuer: &str,
        subject: &str,
        user_id: &str,
        provider: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO oidc_identities (issuer, subject, user_id, provider, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (issuer, subject) DO NOTHING",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user_id)
        .bind(provider)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Notes that provider `provider` signed this session in.
    pub async fn mark_sso_session(&self, token_hash: &str, provider: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET sso_provider = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(provider)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn sso_session_provider(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT sso_provider FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Option<String>, _>("sso_provider")).transpose()?.flatten())
    }
}
