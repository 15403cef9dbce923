//! User administration: invitations (an administrator names the user and
//! the role; the invitee chooses the password through a one-time link, so
//! no administrator ever knows it), role changes and removal, with the rule
//! that the last administrator cannot be demoted or removed.

use super::second_factor::SignIn;
use super::store::{InvitationRow, User};
use super::throttle::{self, Bucket, Ceremony};
use super::{Access, AccessError, Role, check_username, now, password, secret};

/// How long an invitation link works.
pub const INVITATION_TTL: i64 = 7 * 24 * 60 * 60;

impl Access {
    /// Invites `username` as `role`; returns the link's token (shown once).
    pub async fn invite(&self, by: &User, username: &str, role: Role) -> Result<String, AccessError> {
        let username = check_username(username)?;
        if self.store.credentials(&username).await?.is_some() {
            return Err(AccessError::UsernameTaken(username));
        }
        let token = secret::new_token();
        let t = now();
        let inv = InvitationRow {
            id: secret::new_id(),
            username,
            role,
            created_by: by.username.clone(),
            created_at: t,
            expires_at: t + INVITATION_TTL,
        };
        self.store.create_invitation(&inv, &secret::hash(&token)).await?;
        tracing::info!(by = %by.username, user = %inv.username, role = inv.role.key(), "invitation created");
        Ok(token)
    }

    /// Spends an invitation: creates the user with `password` and signs
    /// them in (after setting up a second factor, when one is required).
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<SignIn, AccessError> {
        let t = now();
        password::check_new(password)?;
        let buckets = [Bucket::Address(Ceremony::Invitation, ip)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, t).await? {
            return Err(AccessError::Throttled(wait));
        }
        let Some(inv) = self.store.take_invitation(&secret::hash(token.trim()), t).await? else {
            return Err(AccessError::BadInvitation);
        };
        throttle::succeeded(&self.store, &buckets).await?;
        let hash = self.hasher.hash(password).await.map_err(AccessError::Internal)?;
        let user = User {
            id: secret::new_id(),
            username: inv.username.clone(),
            grants: app::model::Grants::everywhere(inv.role),
        };
        if !self.store.create_user(&user, Some(&hash), t).await? {
            return Err(AccessError::UsernameTaken(user.username));
        }
        tracing::info!(user = %user.username, role = inv.role.key(), invited_by = %inv.created_by, "invitation accepted");
        self.after_password(&user, user_agent).await
    }
}
