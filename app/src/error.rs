//! The one error type that crosses the wire: server functions, the REST API
//! and the pages all speak it. It carries a kind and a message fit to show;
//! internal causes are logged on the server, never put here.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What kind of failure, so callers can react (and the REST API can pick a status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The request itself was wrong (bad path, bad parameter).
    BadRequest,
    /// No such registry, repository, tag or blob.
    NotFound,
    /// The registry refused Reestr's credentials.
    Unauthorized,
    /// The credentials lack a scope.
    Forbidden,
    /// The registry asked Reestr to slow down.
    RateLimited,
    /// The registry could not be reached or answered 5xx.
    Unavailable,
    /// The registry did not answer in time.
    Timeout,
    /// The registry answered something Reestr cannot read.
    InvalidResponse,
    /// The registry's API document lacks what this needs.
    Unsupported,
    /// A bug or an unexpected condition in Reestr.
    Internal,
    /// Reestr needs a login (or an API token) for this.
    NotSignedIn,
    /// The signed-in user may not do this, or the request came from another site.
    NotAllowed,
    /// Too many attempts (logins); wait `retry_after` seconds.
    TooManyAttempts,
    /// The request named a host Reestr does not answer to (DNS rebinding defence).
    MisdirectedHost,
}

impl ErrorKind {
    /// HTTP status the REST API answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::NotFound => 404,
            Self::Unauthorized | Self::Forbidden => 502,
            Self::RateLimited => 503,
            Self::Unavailable | Self::InvalidResponse => 502,
            Self::Timeout => 504,
            Self::Unsupported => 501,
            Self::Internal => 500,
            Self::NotSignedIn => 401,
            Self::NotAllowed => 403,
            Self::TooManyAttempts => 429,
            Self::MisdirectedHost => 421,
        }
    }

    /// Short human title.
    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::NotFound => "Not found",
            Self::Unauthorized => "Registry refused the credentials",
            Self::Forbidden => "Registry denied access",
            Self::RateLimited => "Registry rate limit",
            Self::Unavailable => "Registry unavailable",
            Self::Timeout => "Registry timed out",
            Self::InvalidResponse => "Invalid registry response",
            Self::Unsupported => "Not supported by this registry",
            Self::Internal => "Internal error",
            Self::NotSignedIn => "Sign in required",
            Self::NotAllowed => "Not allowed",
            Self::TooManyAttempts => "Too many attempts",
            Self::MisdirectedHost => "Unknown host",
        }
    }
}

/// An error fit to show to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[error("{}: {message}", kind.title())]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// Seconds the registry asked to wait (`Retry-After`), for rate limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), retry_after: None }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::internal(value.to_string())
    }
}
