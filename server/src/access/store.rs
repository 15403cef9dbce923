//! Where users, sessions, API tokens and login failures live: Postgres when
//! `DATABASE_URL` is `postgres://…`, otherwise an embedded SQLite file.
//! One set of queries through sqlx's `Any` driver (times are Unix seconds,
//! flags integers), two migration folders for the two dialects' DDL.

use std::collections::BTreeMap;

use app::model::Grants;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use super::Role;

mod oidc;
mod resets;
mod second_factor;
mod settings;
pub use oidc::OidcFlow;
pub use resets::ResetRow;
pub use second_factor::{PendingLogin, TotpRow};
pub use settings::Setting;

/// Connections each replica keeps.
const MAX_CONNECTIONS: u32 = 8;
/// How long a query may wait for a connection.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Config(String),
}

/// The database behind access control.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// `postgres` or `sqlite`, for messages.
    pub kind: &'static str,
}

/// A user as the rest of the server sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    /// Where they may look and what they may do there.
    pub grants: Grants,
}

/// A user's row with the password hash, for logging in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
}

/// One of a user's sessions.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub token_hash: String,
    pub user: User,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
}

/// One of a user's API tokens (never the token itself).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: i64,
}

/// A user as the administration page lists them.
#[derive(Debug, Clone)]
pub struct UserListing {
    pub user: User,
    pub created_at: i64,
    pub has_password: bool,
    pub passkeys: i64,
    /// An authenticator app is set up.
    pub second_factor: bool,
}

/// A pending invitation (never its token).
#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub id: String,
    pub username: String,
    pub role: Role,
    /// The inviting administrator's username.
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A stored passkey: webauthn-rs's `Passkey` as JSON, and what finds it.
#[derive(Debug, Clone)]
pub struct PasskeyRow {
    pub id: String,
    /// The WebAuthn user handle (a UUID) the credential was made for.
    pub user_handle: String,
    /// base64url, as the browser reports it.
    pub credential_id: String,
    pub name: String,
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl Store {
    /// Opens (creating when needed) and migrates the database `url` names:
    /// `postgres://…` or `sqlite://path` (`sqlite::memory:` for tests).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let (kind, migrator, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            ("postgres", &POSTGRES, url.to_string())
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            // Create the file when missing.
            let url = if rest.contains("mode=") || rest.contains(":memory:") {
                url.to_string()
            } else if rest.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            ("sqlite", &SQLITE, url)
        } else {
            return Err(StoreError::Config(
                "DATABASE_URL must start with postgres:// or sqlite: (unset, Reestr keeps an SQLite file)".into(),
            ));
        };
        let mut options = AnyPoolOptions::new().max_connections(MAX_CONNECTIONS).acquire_timeout(ACQUIRE_TIMEOUT);
        if url.contains(":memory:") {
            // Every connection to `:memory:` is a database of its own: keep one.
            options = options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None);
        }
        let pool = options.connect(&url).await?;
        migrator.run(&pool).await?;
        Ok(Self { pool, kind })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    // ---- users

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Creates a user; `Ok(false)` when the name is taken.
    pub async fn create_user(&self, user: &User, password_hash: Option<&str>, now: i64) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (id, username, role, registry_roles, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(role_column(&user.grants))
        .bind(registry_roles_column(&user.grants))
        .bind(password_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Creates the first administrator, only while there are no users at
    /// all (one at a time, so two replicas cannot both succeed).
    pub async fn create_first_admin(&self, user: &User, password_hash: &str, now: i64) -> Result<bool, StoreError> {
        let query = sqlx::query(
            "INSERT INTO users (id, username, role, password_hash, created_at) \
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(Role::Admin.key())
        .bind(password_hash)
        .bind(now);
        Ok(self.one_at_a_time(query).await? == 1)
    }

    /// Runs a change whose condition reads other users (the first
    /// administrator, the last administrator) alone among such changes.
    /// One statement is not enough on Postgres: under READ COMMITTED two
    /// concurrent demotions each saw the other administrator and both went
    /// through. A `SHARE ROW EXCLUSIVE` lock on `users` (which conflicts
    /// with itself and with writes, not with reads) makes them take turns,
    /// each seeing the last one's result. SQLite writes one at a time anyway.
    async fn one_at_a_time<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.kind == "postgres" {
            sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(changed)
    }

    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let row =
            sqlx::query("SELECT id, username, role, registry_roles, password_hash FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(Credentials { user: user_of(&r)?, password_hash: r.try_get::<Option<String>, _>("password_hash")? })
        })
        .transpose()
    }

    pub async fn set_password(&self, user_id: &str, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every user with when they joined, whether they have a password, and
    /// how many passkeys.
    pub async fn list_users(&self) -> Result<Vec<UserListing>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.role, u.registry_roles, u.created_at, \
             CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_password, \
             CAST((SELECT COUNT(*) FROM passkeys p WHERE p.user_id = u.id) AS BIGINT) AS passkeys, \
             CAST((SELECT COUNT(*) FROM totp t WHERE t.user_id = u.id AND t.confirmed = 1) AS BIGINT) AS second_factor \
             FROM users u ORDER BY u.username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UserListing {
                    user: user_of(r)?,
                    created_at: r.try_get("created_at")?,
                    has_password: r.try_get::<i64, _>("has_password")? == 1,
                    passkeys: r.try_get("passkeys")?,
                    second_factor: r.try_get::<i64, _>("second_factor")? == 1,
                })
            })
            .collect()
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, username, role, registry_roles FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_of(&r)).transpose()
    }

    /// Changes a user's grants unless that would leave no administrator
    /// (one statement; `role = 'admin'` is an administrator everywhere).
    pub async fn set_grants(&self, user_id: &str, grants: &Grants) -> Result<bool, StoreError> {
        let query = sqlx::query(
            "UPDATE users SET role = $1, registry_roles = $2 WHERE id = $3 AND ($1 = 'admin' OR \
             (SELECT COUNT(*) FROM users WHERE role = 'admin' AND id <> $3) > 0)",
        )
        .bind(role_column(grants))
        .bind(registry_roles_column(grants))
        .bind(user_id);
        Ok(self.one_at_a_time(query).await? == 1)
    }

    /// Deletes a user (their sessions, tokens and passkeys go with them)
    /// unless they are the last administrator.
    pub async fn delete_user(&self, user_id: &str) -> Result<bool, StoreError> {
        let query = sqlx::query(
            "DELETE FROM users WHERE id = $1 AND (role <> 'admin' OR \
             (SELECT COUNT(*) FROM users WHERE role = 'admin' AND id <> $1) > 0)",
        )
        .bind(user_id);
        Ok(self.one_at_a_time(query).await? == 1)
    }

    // ---- invitations

    pub async fn create_invitation(&self, inv: &InvitationRow, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO invitations (id, token_hash, username, role, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&inv.id)
        .bind(token_hash)
        .bind(&inv.username)
        .bind(inv.role.key())
        .bind(&inv.created_by)
        .bind(inv.created_at)
        .bind(inv.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn invitations(&self, now: i64) -> Result<Vec<InvitationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, username, role, created_by, created_at, expires_at FROM invitations WHERE expires_at > $1 \
             ORDER BY created_at DESC",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invitation_of).collect()
    }

    /// Spends an invitation (once), if it is live.
    pub async fn take_invitation(&self, token_hash: &str, now: i64) -> Result<Option<InvitationRow>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM invitations WHERE token_hash = $1 \
             RETURNING id, username, role, created_by, created_at, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        match row.map(|r| invitation_of(&r)).transpose()? {
            Some(inv) if inv.expires_at > now => Ok(Some(inv)),
            _ => Ok(None),
        }
    }

    pub async fn delete_invitation(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM invitations WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(r.rows_affected() == 1)
    }

    // ---- setup tokens

    pub async fn add_setup_token(&self, token_hash: &str, expires_at: i64) -> Result<(), StoreError> {
        // Replicas given the same token (REESTR_SETUP_TOKEN) each add it.
        sqlx::query(
            "INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2) \
             ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .bind(token_hash)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn setup_token_valid(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Spends every setup token: there is an administrator now.
    pub async fn clear_setup_tokens(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM setup_tokens").execute(&self.pool).await?;
        Ok(())
    }

    // ---- sessions

    pub async fn create_session(&self, s: &SessionRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(&s.user.id)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(&s.user_agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, \
             u.id, u.username, u.role, u.registry_roles \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| session_of(&r)).transpose()
    }

    pub async fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, \
             u.id, u.username, u.role, u.registry_roles \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 ORDER BY s.last_seen_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(session_of).collect()
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Signs a user out everywhere; returns the sessions ended.
    pub async fn delete_sessions_of(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let ended: Vec<String> = sqlx::query("SELECT token_hash FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("token_hash"))
            .collect::<Result<_, _>>()?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&self.pool).await?;
        Ok(ended)
    }

    /// Drops sessions past their expiry and throttle counters quiet since
    /// `attempts_before`.
    pub async fn sweep(&self, now: i64, idle_before: i64, attempts_before: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_before)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM throttle WHERE last_at <= $1").bind(attempts_before).execute(&self.pool).await?;
        sqlx::query("DELETE FROM setup_tokens WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        sqlx::query("DELETE FROM ceremonies WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        sqlx::query("DELETE FROM invitations WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        self.sweep_resets(now).await?;
        self.sweep_pending_logins(now).await
    }

    // ---- API tokens

    pub async fn create_token(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Revokes every token of a user ("sign out everywhere"); returns how many.
    pub async fn delete_tokens_of(&self, user_id: &str) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(&self.pool).await?;
        Ok(r.rows_affected())
    }

    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    expires_at: r.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Revokes one of the user's tokens; `Ok(false)` when it has none by that id.
    pub async fn delete_token(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The user a token belongs to, marking it used.
    pub async fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, u.id, u.username, u.role, u.registry_roles FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: String = row.try_get("token_id")?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&token_id)
            .execute(&self.pool)
            .await?;
        Ok(Some(user_of(&row)?))
    }

    // ---- passkeys

    pub async fn add_passkey(&self, p: &PasskeyRow, user_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO passkeys (id, user_id, user_handle, credential_id, name, passkey, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id)
        .bind(user_id)
        .bind(&p.user_handle)
        .bind(&p.credential_id)
        .bind(&p.name)
        .bind(&p.passkey)
        .bind(p.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn passkeys_of(&self, user_id: &str) -> Result<Vec<PasskeyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, user_handle, credential_id, name, passkey, created_at, last_used_at FROM passkeys \
             WHERE user_id = $1 ORDER BY created_at",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(passkey_of).collect()
    }

    /// A passkey by its credential id, with its user.
    pub async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<(PasskeyRow, User)>, StoreError> {
        let row = sqlx::query(
            "SELECT p.id AS passkey_id, p.user_handle, p.credential_id, p.name, p.passkey, p.created_at, \
             p.last_used_at, u.id, u.username, u.role, u.registry_roles FROM passkeys p JOIN users u ON u.id = p.user_id \
             WHERE p.credential_id = $1",
        )
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let mut p = passkey_of(&r)?;
            p.id = r.try_get("passkey_id")?;
            Ok((p, user_of(&r)?))
        })
        .transpose()
    }

    /// Stores a passkey's updated counter and marks it used.
    pub async fn passkey_used(&self, id: &str, passkey: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
            .bind(passkey)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn rename_passkey(&self, user_id: &str, id: &str, name: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
            .bind(name)
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_passkey(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    // ---- WebAuthn ceremonies

    pub async fn put_ceremony(
        &self,
        id: &str,
        kind: &str,
        user_id: Option<&str>,
        state: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO ceremonies (id, kind, user_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(kind)
            .bind(user_id)
            .bind(state)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Takes a ceremony's state (once: it is deleted), if it is live:
    /// `(user_id, state)`.
    pub async fn take_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<(Option<String>, String)>, StoreError> {
        let row =
            sqlx::query("DELETE FROM ceremonies WHERE id = $1 AND kind = $2 RETURNING user_id, state, expires_at")
                .bind(id)
                .bind(kind)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: i64 = row.try_get("expires_at")?;
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some((row.try_get("user_id")?, row.try_get("state")?)))
    }

    // ---- throttle

    /// Counts an attempt in `bucket` if `rule` allows one now, in one
    /// statement (an upsert: Postgres locks the row, SQLite the database),
    /// so concurrent attempts are counted one after another and at most
    /// `rule.limit` get through before the delays start. `Ok(None)` when the
    /// attempt may go ahead, else the seconds to wait.
    pub async fn reserve_attempt(&self, bucket: &str, now: i64, rule: &Rule) -> Result<Option<i64>, StoreError> {
        // $1 bucket, $2 now, $3 a row last hit at or before it starts over,
        // $4 limit, $5 first delay, $6 longest delay.
        let counted = sqlx::query(
            "INSERT INTO throttle (bucket, hits, last_at, next_at, delay) VALUES ($1, 1, $2, 0, 0) \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN throttle.last_at <= $3 THEN 1 ELSE throttle.hits + 1 END, \
               delay = CASE WHEN throttle.last_at <= $3 OR throttle.hits + 1 < $4 THEN 0 \
                            WHEN throttle.delay * 2 > $6 THEN $6 \
                            WHEN throttle.delay * 2 < $5 THEN $5 \
                            ELSE throttle.delay * 2 END, \
               next_at = CASE WHEN throttle.last_at <= $3 OR throttle.hits + 1 < $4 THEN 0 \
                              WHEN throttle.delay * 2 > $6 THEN $2 + $6 \
                              WHEN throttle.delay * 2 < $5 THEN $2 + $5 \
                              ELSE $2 + throttle.delay * 2 END, \
               last_at = $2 \
             WHERE throttle.last_at <= $3 OR throttle.hits < $4 OR throttle.next_at <= $2 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(now)
        .bind(now - rule.quiet)
        .bind(rule.limit)
        .bind(rule.first_delay)
        .bind(rule.longest_delay)
        .fetch_optional(&self.pool)
        .await?;
        if counted.is_some() {
            return Ok(None);
        }
        let row = sqlx::query("SELECT next_at FROM throttle WHERE bucket = $1")
            .bind(bucket)
            .fetch_optional(&self.pool)
            .await?;
        let next_at: i64 = match row {
            Some(r) => r.try_get("next_at")?,
            None => now,
        };
        Ok(Some((next_at - now).max(1)))
    }

    /// Forgets a bucket (an account's count after a successful login).
    pub async fn clear_attempts(&self, bucket: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM throttle WHERE bucket = $1").bind(bucket).execute(&self.pool).await?;
        Ok(())
    }

    /// Gives back one counted attempt (a success from an address).
    pub async fn refund_attempt(&self, bucket: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE throttle SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
            .bind(bucket)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// How a throttle bucket counts: `limit` attempts go through while the
/// bucket is busy; after that each attempt waits for a delay that starts
/// at `first_delay` and doubles up to `longest_delay`; `quiet` seconds
/// without an attempt start the bucket over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub limit: i64,
    pub first_delay: i64,
    pub longest_delay: i64,
    pub quiet: i64,
}

/// `users.role`: the role in every registry, or `none`.
fn role_column(grants: &Grants) -> &'static str {
    grants.everywhere.map_or(NO_ROLE, Role::key)
}

/// `users.registry_roles`: the roles in single registries as JSON, or NULL.
fn registry_roles_column(grants: &Grants) -> Option<String> {
    if grants.registries.is_empty() {
        return None;
    }
    let keys: BTreeMap<&str, &str> = grants.registries.iter().map(|(id, r)| (id.as_str(), r.key())).collect();
    serde_json::to_string(&keys).ok()
}

/// `users.role` of a user with roles in some registries only.
const NO_ROLE: &str = "none";

fn user_of(r: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let role: String = r.try_get("role")?;
    let unknown = |role: &str| StoreError::Config(format!("unknown role `{role}` in the database"));
    let everywhere = if role == NO_ROLE { None } else { Some(Role::from_key(&role).ok_or_else(|| unknown(&role))?) };
    let mut registries = BTreeMap::new();
    if let Some(json) = r.try_get::<Option<String>, _>("registry_roles")? {
        let keys: BTreeMap<String, String> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Config(format!("users.registry_roles is not a JSON object of roles: {e}")))?;
        for (registry, key) in keys {
            registries.insert(registry, Role::from_key(&key).ok_or_else(|| unknown(&key))?);
        }
    }
    Ok(User { id: r.try_get("id")?, username: r.try_get("username")?, grants: Grants { everywhere, registries } })
}

fn invitation_of(r: &sqlx::any::AnyRow) -> Result<InvitationRow, StoreError> {
    let role: String = r.try_get("role")?;
    Ok(InvitationRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: Role::from_key(&role)
            .ok_or_else(|| StoreError::Config(format!("unknown role `{role}` in the database")))?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

fn passkey_of(r: &sqlx::any::AnyRow) -> Result<PasskeyRow, StoreError> {
    Ok(PasskeyRow {
        id: r.try_get("id")?,
        user_handle: r.try_get("user_handle")?,
        credential_id: r.try_get("credential_id")?,
        name: r.try_get("name")?,
        passkey: r.try_get("passkey")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

fn session_of(r: &sqlx::any::AnyRow) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        token_hash: r.try_get("token_hash")?,
        user: user_of(r)?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
        user_agent: r.try_get("user_agent")?,
    })
}
