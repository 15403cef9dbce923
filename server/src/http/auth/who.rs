//! Who is asking, as extractors: every route that needs a signed-in user or
//! an administrator says so in its signature, one way for all of them. The
//! gate has already found the principal; these only require it. A form
//! (`/auth/…`) that is refused leads to the login page (or answers 403 for
//! a non-administrator); anything else gets a problem document.

use app::error::{AppError, ErrorKind};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::access::{Principal, Via};
use crate::http::problem::Problem;
use crate::http::surface::{Kind, Surface};

/// A signed-in user: a session, or an API token on `/api`. Open access
/// (`access: open`) has nobody signed in.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Principal);

/// A signed-in administrator.
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

/// Why a route refused the caller.
#[derive(Debug)]
pub enum Refusal {
    NotSignedIn { form: bool },
    NotAdmin { form: bool },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::NotSignedIn { form: true } => (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response(),
            Self::NotSignedIn { form: false } => {
                let mut resp =
                    Problem(AppError::new(ErrorKind::NotSignedIn, "sign in, or send an API token")).into_response();
                resp.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer realm=\"reestr\""));
                resp
            }
            Self::NotAdmin { form: true } => (StatusCode::FORBIDDEN, "administrators only").into_response(),
            Self::NotAdmin { form: false } => {
                Problem(AppError::new(ErrorKind::NotAllowed, "only administrators may do this")).into_response()
            }
        }
    }
}

fn is_form(parts: &Parts) -> bool {
    parts.extensions.get::<Surface>().is_some_and(|s| s.kind == Kind::Form)
}

impl SignedIn {
    /// From a request's parts (pages and server functions read them too).
    pub fn of(parts: &Parts) -> Option<Principal> {
        parts.extensions.get::<Principal>().filter(|p| p.via != Via::Open).cloned()
    }
}

impl Admin {
    pub fn of(parts: &Parts) -> Option<Principal> {
        SignedIn::of(parts).filter(|p| p.user.grants.is_admin())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        Self::of(parts).map(Self).ok_or(Refusal::NotSignedIn { form: is_form(parts) })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        match SignedIn::of(parts) {
            None => Err(Refusal::NotSignedIn { form: is_form(parts) }),
            Some(p) if p.user.grants.is_admin() => Ok(Self(p)),
            Some(_) => Err(Refusal::NotAdmin { form: is_form(parts) }),
        }
    }
}
