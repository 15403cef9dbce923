//! Access to Reestr itself (not to the registries), as a domain: the
//! first-run setup, password and passkey logins, sessions, personal API
//! tokens, users and the throttle, over the store in `store`, with a typed
//! [`AccessError`]. No HTTP here: its HTTP side is `http::auth` (who is
//! asking and may they, the forms and token endpoints, cookies, headers).

pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod reach;
pub mod recovery;
pub mod second_factor;
pub mod secret;
pub mod session_cache;
pub mod store;
pub mod throttle;
pub mod users;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use app::model::Role;
use app::model::Viewer;
use password::Hasher;
pub use second_factor::SignIn;
use store::SessionRow;
pub use store::{Store, StoreError, User};
use throttle::{Bucket, Ceremony};

/// How long a setup token printed at start stays valid.
const SETUP_TOKEN_TTL: i64 = 24 * 60 * 60;
/// How long an API token lives unless its maker says otherwise.
pub const TOKEN_DAYS: u32 = 90;
/// The longest an API token may live.
pub const MAX_TOKEN_DAYS: u32 = 365;
/// Sessions' last-seen time is written at most this often.
const TOUCH_EVERY: i64 = 60;

/// Whether a login is needed (`access: open` in `registries.yaml` turns it off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Login,
    Open,
}

/// Session lifetimes and cookie policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after login, used or not.
    pub absolute: Duration,
    /// `Secure` cookies: always when the public URL is HTTPS, else when the
    /// request came through HTTPS (`X-Forwarded-Proto`).
    pub public_url: Option<url::Url>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(12 * 60 * 60),
            absolute: Duration::from_secs(14 * 24 * 60 * 60),
            public_url: None,
        }
    }
}

impl Policy {
    /// From `REESTR_SESSION_IDLE_HOURS`, `REESTR_SESSION_MAX_DAYS` and
    /// `REESTR_PUBLIC_URL`.
    pub fn from_env() -> Result<Self, String> {
        let mut p = Self::default();
        let num = |name: &str, max: u64| -> Result<Option<u64>, String> {
            match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
                    _ => Err(format!("{name} must be a whole number from 1 to {max}")),
                },
            }
        };
        if let Some(h) = num("REESTR_SESSION_IDLE_HOURS", 24 * 90)? {
            p.idle = Duration::from_secs(h * 3600);
        }
        if let Some(d) = num("REESTR_SESSION_MAX_DAYS", 365)? {
            p.absolute = Duration::from_secs(d * 24 * 3600);
        }
        if let Some(u) = std::env::var("REESTR_PUBLIC_URL").ok().filter(|v| !v.trim().is_empty()) {
            let url = url::Url::parse(u.trim()).map_err(|e| format!("REESTR_PUBLIC_URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err("REESTR_PUBLIC_URL must be an http(s) URL with a host".into());
            }
            p.public_url = Some(url);
        }
        Ok(p)
    }
}

/// Who is asking, and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session (its token's hash).
    Session(String),
    /// A personal API token (`Authorization: Bearer`).
    Token,
    /// `access: open`: nobody logged in.
    Open,
}

impl Principal {
    pub fn viewer(&self, mode: Mode) -> Viewer {
        Viewer {
            username: self.user.username.clone(),
            role: self.user.grants.headline(),
            grants: self.user.grants.clone(),
            open: mode == Mode::Open,
        }
    }
}

/// Why an access operation did not go through: one variant per case, each
/// with the form code the pages show ([`AccessError::code`]); said to the
/// user without detail that would tell which part of a login was wrong.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed attempts; try again in {0} s")]
    Throttled(i64),
    #[error("the setup token is wrong or expired")]
    BadSetupToken,
    #[error("Reestr is already set up")]
    AlreadySetUp,
    #[error("the password must have at least {} characters", password::MIN_LENGTH)]
    PasswordTooShort,
    #[error("the password must have at most {} bytes", password::MAX_LENGTH)]
    PasswordTooLong,
    #[error("a username has 1 to 64 letters, digits, dots, dashes, underscores or @")]
    BadUsername,
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),
    #[error("this invitation link is wrong, used or expired")]
    BadInvitation,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("this account has no password; it signs in with passkeys")]
    NoPassword,
    #[error("this reset link is wrong, used or expired")]
    BadResetLink,
    #[error("no such user")]
    UnknownUser,
    #[error("a second factor is already on")]
    SecondFactorOn,
    #[error("no authenticator is being set up")]
    NoEnrolment,
    #[error("the code is wrong or was used already")]
    BadCode,
    #[error("the sign-in took too long; start again")]
    LoginExpired,
    #[error("a name needs 1 to 100 characters")]
    BadName,
    #[error("a token lives 1 to {MAX_TOKEN_DAYS} days")]
    BadTokenLifetime,
    #[error("{0}")]
    Passkey(String),
    #[error(transparent)]
    Sso(#[from] oidc::SsoError),
    /// A failure of Reestr itself (hashing, stored state); logged.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccessError {
    /// The code the forms redirect with, and the pages explain.
    pub fn code(&self) -> app::model::FormError {
        use app::model::FormError as F;
        match self {
            Self::BadCredentials => F::BadCredentials,
            Self::Throttled(_) => F::Throttled,
            Self::BadSetupToken => F::BadSetupToken,
            Self::AlreadySetUp => F::AlreadySetUp,
            Self::PasswordTooShort => F::PasswordTooShort,
            Self::PasswordTooLong => F::PasswordTooLong,
            Self::BadUsername => F::BadUsername,
            Self::UsernameTaken(_) => F::UsernameTaken,
            Self::BadInvitation => F::BadInvitation,
            Self::WrongPassword => F::WrongPassword,
            Self::NoPassword => F::NoPassword,
            Self::BadResetLink => F::BadResetLink,
            Self::UnknownUser => F::UnknownUser,
            Self::SecondFactorOn => F::SecondFactorOn,
            Self::NoEnrolment => F::NoEnrolment,
            Self::BadCode => F::BadCode,
            Self::LoginExpired => F::LoginExpired,
            Self::BadName => F::BadName,
            Self::BadTokenLifetime => F::BadTokenLifetime,
            Self::Passkey(_) => F::Passkey,
            Self::Sso(e) => e.code(),
            Self::Internal(_) => F::Internal,
            Self::Store(_) => F::Store,
        }
    }
}

/// Access control: the store, the password hasher, the policy.
#[derive(Debug)]
pub struct Access {
    pub store: Store,
    pub mode: Mode,
    pub policy: Policy,
    hasher: Hasher,
    /// Set once any user exists (it never goes back).
    has_users: AtomicBool,
    sessions: session_cache::SessionCache,
    /// Single sign-on providers (`signIn.oidc`).
    pub sso: oidc::Sso,
    /// The configured registry ids, which roles may be scoped to.
    pub registries: Vec<String>,
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Access {
    pub async fn new(store: Store, mode: Mode, policy: Policy) -> Result<Self, StoreError> {
        let has_users = store.user_count().await? > 0;
        Ok(Self {
            store,
            mode,
            policy,
            hasher: Hasher::default(),
            has_users: AtomicBool::new(has_users),
            sessions: session_cache::SessionCache::default(),
            sso: oidc::Sso::default(),
            registries: Vec::new(),
        })
    }

    /// Roles may be scoped to these registries (the configured ids).
    pub fn with_registries(mut self, ids: Vec<String>) -> Self {
        self.registries = ids;
        self
    }

    /// Signs in with these OpenID Connect providers too.
    pub fn with_sso(mut self, providers: Vec<crate::config::OidcConfig>) -> Result<Self, String> {
        self.sso = oidc::Sso::new(providers)?;
        Ok(self)
    }

    /// Caches live sessions in Redis (shared by every replica).
    pub fn with_session_cache(mut self, redis: Option<crate::cache::RedisTier>) -> Self {
        self.sessions = session_cache::SessionCache::new(redis);
        self
    }

    /// The database `DATABASE_URL` names, else `reestr.db` in
    /// `REESTR_DATA_DIR` (default: the working directory).
    pub fn database_url() -> String {
        match std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
            Some(url) => url.trim().to_string(),
            None => {
                let dir = std::env::var("REESTR_DATA_DIR").ok().filter(|d| !d.trim().is_empty());
                let path = std::path::Path::new(dir.as_deref().unwrap_or(".")).join("reestr.db");
                format!("sqlite://{}", path.display())
            }
        }
    }

    /// Whether the first administrator is still to be created.
    pub async fn needs_setup(&self) -> Result<bool, StoreError> {
        if self.has_users.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let any = self.store.user_count().await? > 0;
        if any {
            self.has_users.store(true, Ordering::Relaxed);
        }
        Ok(!any)
    }

    /// On a first run (no users), makes a setup token valid for a day and
    /// returns it for the log: `REESTR_SETUP_TOKEN` when set (automation),
    /// else a random one. Each replica adds its own; any of them works once.
    pub async fn issue_setup_token(&self) -> Result<Option<String>, StoreError> {
        if self.mode == Mode::Open || !self.needs_setup().await? {
            return Ok(None);
        }
        let token = std::env::var("REESTR_SETUP_TOKEN")
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| t.len() >= 16)
            .unwrap_or_else(secret::new_token);
        self.store.add_setup_token(&secret::hash(&token), now() + SETUP_TOKEN_TTL).await?;
        Ok(Some(token))
    }

    /// Creates the first administrator and signs them in.
    pub async fn setup(
        &self,
        setup_token: &str,
        username: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<String, AccessError> {
        let t = now();
        if !self.needs_setup().await? {
            return Err(AccessError::AlreadySetUp);
        }
        let buckets = [Bucket::Address(Ceremony::Setup, ip)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, t).await? {
            return Err(AccessError::Throttled(wait));
        }
        if !self.store.setup_token_valid(&secret::hash(setup_token.trim()), t).await? {
            return Err(AccessError::BadSetupToken);
        }
        throttle::succeeded(&self.store, &buckets).await?;
        let username = check_username(username)?;
        password::check_new(password)?;
        let hash = self.hasher.hash(password).await.map_err(AccessError::Internal)?;
        let user = User { id: secret::new_id(), username, grants: app::model::Grants::everywhere(Role::Admin) };
        if !self.store.create_first_admin(&user, &hash, t).await? {
            return Err(AccessError::AlreadySetUp);
        }
        self.store.clear_setup_tokens().await?;
        self.has_users.store(true, Ordering::Relaxed);
        tracing::info!(user = %user.username, "first administrator created; setup is closed");
        self.start_session(&user, user_agent).await
    }

    /// Checks a password login (throttled) and starts a session, or, when
    /// the account has a second factor, a login waiting for it.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<SignIn, AccessError> {
        let t = now();
        // A name no account can have (control characters, 10,000 letters)
        // is counted against the address only: it is neither stored nor logged.
        let Ok(username) = check_username(username) else {
            return match throttle::reserve(&self.store, &[Bucket::Address(Ceremony::Password, ip)], t).await? {
                Some(wait) => Err(AccessError::Throttled(wait)),
                None => Err(AccessError::BadCredentials),
            };
        };
        let username = username.as_str();
        // Counted before the hash, so concurrent guesses cannot all be checked.
        let buckets = [Bucket::Address(Ceremony::Password, ip), Bucket::Account(username)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, t).await? {
            tracing::warn!(user = %username, ip, "login throttled");
            return Err(AccessError::Throttled(wait));
        }
        let found = self.store.credentials(username).await?;
        let ok = match found.as_ref().and_then(|c| c.password_hash.as_deref()) {
            Some(phc) => self.hasher.verify(password, phc).await,
            None => {
                self.hasher.waste(password).await;
                false
            }
        };
        match (ok, found) {
            (true, Some(c)) => {
                throttle::succeeded(&self.store, &buckets).await?;
                tracing::info!(user = %c.user.username, ip, "password accepted");
                self.after_password(&c.user, user_agent).await
            }
            _ => {
                tracing::warn!(user = %username, ip, "failed login");
                Err(AccessError::BadCredentials)
            }
        }
    }

    pub(crate) async fn start_session(&self, user: &User, user_agent: &str) -> Result<String, AccessError> {
        let token = secret::new_token();
        let t = now();
        self.store
            .create_session(&SessionRow {
                token_hash: secret::hash(&token),
                user: user.clone(),
                created_at: t,
                last_seen_at: t,
                expires_at: t + self.policy.absolute.as_secs() as i64,
                user_agent: user_agent.chars().take(200).collect(),
            })
            .await?;
        Ok(token)
    }

    /// The principal a session cookie stands for, if it is live.
    pub async fn from_session(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let hash = secret::hash(token);
        let mut s = match self.sessions.get(&hash).await {
            Some(s) => s,
            None => {
                let Some(s) = self.store.session(&hash).await? else { return Ok(None) };
                self.sessions.put(&s).await;
                s
            }
        };
        let t = now();
        let idle = self.policy.idle.as_secs() as i64;
        if s.expires_at <= t || s.last_seen_at + idle <= t {
            self.end_session(&hash).await?;
            return Ok(None);
        }
        if t - s.last_seen_at >= TOUCH_EVERY {
            self.store.touch_session(&hash, t).await?;
            s.last_seen_at = t;
            self.sessions.put(&s).await;
        }
        Ok(Some(Principal { user: s.user, via: Via::Session(hash) }))
    }

    /// Ends one session (logout).
    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.store.delete_session(token_hash).await?;
        self.sessions.forget(token_hash).await;
        Ok(())
    }

    /// Ends every session and API token of a user ("sign out everywhere");
    /// returns how many sessions and tokens.
    pub async fn end_sessions_of(&self, user_id: &str) -> Result<(usize, u64), StoreError> {
        let tokens = self.store.delete_tokens_of(user_id).await?;
        let ended = self.store.delete_sessions_of(user_id).await?;
        for hash in &ended {
            self.sessions.forget(hash).await;
        }
        Ok((ended.len(), tokens))
    }

    /// Removes a user (their sessions, tokens and passkeys with them) unless
    /// they are the last administrator; `Ok(false)` then. The cached
    /// sessions are dropped after the rows, so no request can cache one again.
    pub async fn remove_user(&self, user_id: &str) -> Result<bool, StoreError> {
        let sessions = self.store.sessions_of(user_id).await?;
        if !self.store.delete_user(user_id).await? {
            return Ok(false);
        }
        for s in &sessions {
            self.sessions.forget(&s.token_hash).await;
        }
        Ok(true)
    }

    /// Drops a user's cached sessions, so a role change or removal applies
    /// on every replica at once.
    pub async fn refresh_sessions_of(&self, user_id: &str) -> Result<(), StoreError> {
        for s in self.store.sessions_of(user_id).await? {
            self.sessions.forget(&s.token_hash).await;
        }
        Ok(())
    }

    /// The principal an API token stands for.
    pub async fn from_api_token(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        Ok(self.store.token_user(&secret::hash(token), now()).await?.map(|user| Principal { user, via: Via::Token }))
    }

    /// Creates a personal API token valid for `days` (default
    /// [`TOKEN_DAYS`], at most [`MAX_TOKEN_DAYS`]); returns (id, token,
    /// expiry). The token is shown once.
    pub async fn create_api_token(
        &self,
        user: &User,
        name: &str,
        days: Option<u32>,
    ) -> Result<(String, String, i64), AccessError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AccessError::BadName);
        }
        let days = days.unwrap_or(TOKEN_DAYS);
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(AccessError::BadTokenLifetime);
        }
        let (id, token) = (secret::new_id(), format!("reestr_{}", secret::new_token()));
        let t = now();
        let expires_at = t + i64::from(days) * 24 * 60 * 60;
        self.store.create_token(&user.id, &id, name, &secret::hash(&token), t, expires_at).await?;
        tracing::info!(user = %user.username, token_id = %id, days, "API token created");
        Ok((id, token, expires_at))
    }

    /// Deletes expired sessions and old throttle entries (every replica runs it; it is idempotent).
    pub async fn sweep(&self) -> Result<(), StoreError> {
        let t = now();
        self.store.sweep(t, t - self.policy.idle.as_secs() as i64, t - throttle::LONGEST_QUIET).await
    }
}

/// Usernames: 1–64 of letters, digits, `.`, `_`, `-`, `@`.
pub fn check_username(name: &str) -> Result<String, AccessError> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok { Ok(name.to_string()) } else { Err(AccessError::BadUsername) }
}

#[cfg(test)]
mod tests;
