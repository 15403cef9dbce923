//! Account care: a signed-in user changes their password (the current one
//! required, throttled like a login); an administrator issues a one-time
//! reset link, like an invitation, so no administrator ever knows the new
//! password. Either way every session of the user ends and the browser that
//! made the change gets a new one: a password someone else learnt stops
//! working everywhere at once. API tokens are separate credentials and stay.

use super::second_factor::SignIn;
use super::store::{ResetRow, User};
use super::throttle::{self, Bucket, Ceremony};
use super::{Access, AccessError, StoreError, now, password, secret};

/// How long a reset link works.
pub const RESET_TTL: i64 = 24 * 60 * 60;

impl Access {
    /// Replaces `user`'s password after checking `current`; returns the
    /// token of the session that replaces all of theirs.
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<String, AccessError> {
        password::check_new(new)?;
        self.check_current_password(user, current, ip).await?;
        self.replace_password(user, new).await?;
        self.start_session(user, user_agent).await
    }

    /// Checks a signed-in user's password before a change to their
    /// credentials, counted against the account like a login.
    pub(crate) async fn check_current_password(&self, user: &User, current: &str, ip: &str) -> Result<(), AccessError> {
        let buckets = [Bucket::Address(Ceremony::Password, ip), Bucket::Account(&user.username)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, now()).await? {
            tracing::warn!(user = %user.username, ip, "password check throttled");
            return Err(AccessError::Throttled(wait));
        }
        let found = self.store.credentials(&user.username).await?.filter(|c| c.user.id == user.id);
        let Some(phc) = found.as_ref().and_then(|c| c.password_hash.as_deref()) else {
            self.hasher.waste(current).await;
            return Err(AccessError::NoPassword);
        };
        if !self.hasher.verify(current, phc).await {
            tracing::warn!(user = %user.username, ip, "a wrong current password");
            return Err(AccessError::WrongPassword);
        }
        throttle::succeeded(&self.store, &buckets).await?;
        Ok(())
    }

    /// A one-time link for `user_id` to choose a new password; returns its
    /// token (shown once). An earlier link of theirs stops working.
    pub async fn issue_reset(&self, by: &User, user_id: &str) -> Result<String, AccessError> {
        let Some(user) = self.store.user_by_id(user_id).await? else { return Err(AccessError::UnknownUser) };
        let token = secret::new_token();
        let t = now();
        self.store.put_reset(&user.id, &secret::hash(&token), &by.username, t, t + RESET_TTL).await?;
        tracing::info!(by = %by.username, user = %user.username, "password reset link issued");
        Ok(token)
    }

    /// Whose live reset link `token` is (the page names them), without spending it.
    pub async fn reset_link(&self, token: &str) -> Result<Option<ResetRow>, StoreError> {
        self.store.reset(&secret::hash(token.trim()), now()).await
    }

    /// Spends a reset link: sets the password and signs its user in, with
    /// their second factor when they have one or one is required (a reset
    /// link is a password, not a way around the second step).
    pub async fn accept_reset(
        &self,
        token: &str,
        new: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<SignIn, AccessError> {
        password::check_new(new)?;
        let buckets = [Bucket::Address(Ceremony::Reset, ip)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, now()).await? {
            return Err(AccessError::Throttled(wait));
        }
        let Some(reset) = self.store.take_reset(&secret::hash(token.trim()), now()).await? else {
            return Err(AccessError::BadResetLink);
        };
        throttle::succeeded(&self.store, &buckets).await?;
        tracing::info!(user = %reset.user.username, issued_by = %reset.created_by, "password reset link used");
        self.replace_password(&reset.user, new).await?;
        self.after_password(&reset.user, user_agent).await
    }

    /// Stores the new hash and ends every session of the user (and forgets
    /// them in the session cache of every replica).
    async fn replace_password(&self, user: &User, new: &str) -> Result<(), AccessError> {
        let hash = self.hasher.hash(new).await.map_err(AccessError::Internal)?;
        self.store.set_password(&user.id, &hash).await?;
        let ended = self.store.delete_sessions_of(&user.id).await?;
        for h in &ended {
            self.sessions.forget(h).await;
        }
        tracing::info!(user = %user.username, sessions_ended = ended.len(), "password changed");
        Ok(())
    }
}
