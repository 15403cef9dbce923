//! Who is using Reestr: the signed-in user as the pages see them, their
//! sessions and API tokens (never a secret: tokens are shown once, when made).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Everything, including users and resyncs.
    Admin,
    /// Browse.
    Viewer,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "admin" => Some(Self::Admin),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// The more powerful of two roles.
    pub fn max(self, other: Self) -> Self {
        if self == Self::Admin || other == Self::Admin { Self::Admin } else { Self::Viewer }
    }
}

/// What a user may do, registry by registry: a role in every registry, a
/// role in some registries only, or both (a viewer everywhere who
/// administers one registry). A registry the user has no role in does not
/// exist for them. Managing users needs `admin` everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Grants {
    /// The role in every registry, if any.
    pub everywhere: Option<Role>,
    /// Roles in single registries (by id), adding to `everywhere`.
    #[serde(default)]
    pub registries: BTreeMap<String, Role>,
}

impl Grants {
    /// `role` in every registry: what accounts had before roles were scoped.
    pub fn everywhere(role: Role) -> Self {
        Self { everywhere: Some(role), registries: BTreeMap::new() }
    }

    /// `role` in these registries only.
    pub fn only<I: IntoIterator<Item = String>>(role: Role, registries: I) -> Self {
        Self { everywhere: None, registries: registries.into_iter().map(|r| (r, role)).collect() }
    }

    /// The role in `registry`: the higher of the two kinds of grant.
    pub fn role_in(&self, registry: &str) -> Option<Role> {
        match (self.everywhere, self.registries.get(registry).copied()) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Administrator of Reestr itself: users, invitations, sign-in policy.
    pub fn is_admin(&self) -> bool {
        self.everywhere == Some(Role::Admin)
    }

    /// The role everywhere, else the highest in any registry (what the
    /// API's `role` field has always said); `Viewer` for no role at all.
    pub fn headline(&self) -> Role {
        self.everywhere.or_else(|| self.registries.values().copied().reduce(Role::max)).unwrap_or(Role::Viewer)
    }

    /// No role anywhere: such a user may not sign in.
    pub fn is_empty(&self) -> bool {
        self.everywhere.is_none() && self.registries.is_empty()
    }

    /// Both sets of grants together, each registry's role the higher one.
    pub fn union(mut self, other: &Self) -> Self {
        self.everywhere = match (self.everywhere, other.everywhere) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (registry, role) in &other.registries {
            let merged = self.registries.get(registry).map_or(*role, |r| r.max(*role));
            self.registries.insert(registry.clone(), merged);
        }
        self
    }

    /// For people: "admin", "viewer of local, ghcr", "viewer; admin of local".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.everywhere.map(|r| r.key().to_string()).into_iter().collect();
        for role in [Role::Admin, Role::Viewer] {
            let ids: Vec<&str> = self
                .registries
                .iter()
                .filter(|(id, r)| **r == role && self.role_in(id) == Some(role) && self.everywhere != Some(role))
                .map(|(id, _)| id.as_str())
                .collect();
            if !ids.is_empty() {
                parts.push(format!("{} of {}", role.key(), ids.join(", ")));
            }
        }
        if parts.is_empty() { "no access".into() } else { parts.join("; ") }
    }
}

/// The signed-in user, for the header and the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Viewer {
    pub username: String,
    /// The role in every registry; for a user with roles in some
    /// registries only, the highest of those (`grants` says where).
    pub role: Role,
    /// Where the user may look, and what they may do there.
    #[serde(default)]
    pub grants: Grants,
    /// `access: open`: nobody is signed in and nobody needs to be.
    pub open: bool,
}

/// One of the user's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Unix seconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    /// The session this request came with.
    pub current: bool,
}

/// One of the user's personal API tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

/// One of the user's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The account page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub viewer: Viewer,
    /// Whether the user has a password (else passkeys only).
    #[serde(default)]
    pub has_password: bool,
    /// The authenticator-app second factor.
    #[serde(default)]
    pub second_factor: SecondFactorInfo,
    pub sessions: Vec<SessionInfo>,
    pub tokens: Vec<ApiTokenInfo>,
    pub passkeys: Vec<PasskeyInfo>,
    /// A token made just now, shown this once.
    pub new_token: Option<String>,
}

/// A user, as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    /// As in [`Viewer::role`].
    pub role: Role,
    #[serde(default)]
    pub grants: Grants,
    pub created_at: i64,
    pub has_password: bool,
    pub passkeys: u64,
    /// An authenticator app is set up.
    #[serde(default)]
    pub second_factor: bool,
    /// The administrator looking at the list.
    pub is_you: bool,
}

/// An invitation not yet used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvitationInfo {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub created_by: String,
    pub expires_at: i64,
}

/// The user administration page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserAdmin {
    /// Password sign-ins need a second factor.
    #[serde(default)]
    pub second_factor_required: bool,
    pub users: Vec<UserInfo>,
    pub invitations: Vec<InvitationInfo>,
    /// The link of an invitation made just now, shown this once.
    pub new_invitation: Option<String>,
    /// A password reset link issued just now, shown this once.
    #[serde(default)]
    pub new_reset: Option<ResetLink>,
}

/// A password reset link, and whose password it resets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResetLink {
    pub username: String,
    pub url: String,
}

/// The Content-Security-Policy nonce of this response (server side only):
/// the security-headers layer puts it in the request, the shell hands it to
/// Leptos so its inline scripts carry it.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Where a user's authenticator-app second factor stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecondFactorInfo {
    pub on: bool,
    /// An administrator requires it of password sign-ins.
    #[serde(default)]
    pub required: bool,
    pub recovery_codes_left: u64,
    /// A set-up under way.
    pub enrolment: Option<EnrolmentInfo>,
    /// Recovery codes made just now, shown this once.
    pub new_recovery_codes: Option<Vec<String>>,
}

/// What setting up an authenticator app shows: the secret to type, the
/// `otpauth://` URI, and its QR code as SVG markup (made by the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EnrolmentInfo {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// A single sign-on provider, as the login page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInProvider {
    /// In `/auth/oidc/{id}/start`.
    pub id: String,
    /// "Sign in with {name}".
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_combine_everywhere_and_per_registry_roles() {
        let scoped = Grants::only(Role::Viewer, ["local".to_string()]);
        assert_eq!(scoped.role_in("local"), Some(Role::Viewer));
        assert_eq!(scoped.role_in("other"), None);
        assert!(!scoped.is_admin() && !scoped.is_empty());
        let both = Grants::everywhere(Role::Viewer).union(&Grants::only(Role::Admin, ["local".to_string()]));
        assert_eq!(both.role_in("local"), Some(Role::Admin));
        assert_eq!(both.role_in("other"), Some(Role::Viewer));
        assert!(!both.is_admin(), "an administrator of one registry does not manage users");
        assert_eq!(both.describe(), "viewer; admin of local");
        assert_eq!(scoped.describe(), "viewer of local");
        assert!(Grants::everywhere(Role::Admin).union(&scoped).is_admin());
        assert_eq!(Grants::default().describe(), "no access");
        assert!(Grants::default().is_empty());
    }
}
