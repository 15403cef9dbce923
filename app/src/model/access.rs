//! Who is using Reestr: the signed-in user as the pages see them, their
//! sessions and API tokens (never a secret: tokens are shown once, when made).

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
}

/// The signed-in user, for the header and the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Viewer {
    pub username: String,
    pub role: Role,
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
    pub role: Role,
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
