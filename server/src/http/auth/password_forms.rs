//! The password forms: a signed-in user changes their own (account page),
//! an administrator issues a reset link for a user (users page), anyone
//! holding a link spends it (`/reset/{token}`). Each answers with a
//! redirect, so they work without JavaScript; a change that succeeds signs
//! the browser in afresh, every other session of the user having ended.

use std::sync::Arc;

use app::model::FormError;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::cookies::{self, NEW_RESET_COOKIE};
use super::gate::client_ip;
use super::routes::{refused, secure, see_other, signed_in, user_agent};
use super::who::{Admin, SignedIn};
use crate::access::{Access, AccessError, Via};

/// Where the account page says the password was changed.
pub const CHANGED: &str = "/account?changed=password";

pub fn routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/password", post(change_password_form))
        .route("/auth/users/{id}/reset", post(reset_link_form))
        .route("/auth/reset", post(accept_reset_form))
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    current: SecretString,
    password: SecretString,
    password2: SecretString,
}

/// Only a browser session changes a password: an API token is not proof
/// of knowing it, and the form is a page's.
async fn change_password_form(State(access): State<Arc<Access>>, SignedIn(p): SignedIn, req: Request) -> Response {
    if !matches!(p.via, Via::Session(_)) {
        return refused("/account", FormError::BadCredentials);
    }
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<ChangeForm>::from_request(req, &()).await else {
        return refused("/account", FormError::WrongPassword);
    };
    if form.password.expose_secret() != form.password2.expose_secret() {
        return refused("/account", FormError::PasswordsDiffer);
    }
    let (current, new) = (form.current.expose_secret(), form.password.expose_secret());
    match access.change_password(&p.user, current, new, &ip, &user_agent(&headers)).await {
        Ok(token) => signed_in(&access, &headers, &token, CHANGED),
        Err(e) => {
            log_store(&e);
            refused("/account", e.code())
        }
    }
}

async fn reset_link_form(
    State(access): State<Arc<Access>>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match access.issue_reset(&admin.user, &id).await {
        Ok(token) => {
            let cookie = cookies::once(NEW_RESET_COOKIE, &token, secure(&access, &headers));
            (CookieJar::new().add(cookie), see_other("/admin/users")).into_response()
        }
        Err(e) => {
            log_store(&e);
            refused("/admin/users", e.code())
        }
    }
}

#[derive(Debug, Deserialize)]
struct ResetForm {
    token: String,
    password: SecretString,
    password2: SecretString,
}

async fn accept_reset_form(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<ResetForm>::from_request(req, &()).await else {
        return refused("/login", FormError::BadResetLink);
    };
    let back = format!("/reset/{}", url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>());
    if form.password.expose_secret() != form.password2.expose_secret() {
        return refused(&back, FormError::PasswordsDiffer);
    }
    match access.accept_reset(&form.token, form.password.expose_secret(), &ip, &user_agent(&headers)).await {
        Ok(sign_in) => super::second_factor_forms::after_password(&access, &headers, sign_in, CHANGED),
        Err(e) => {
            log_store(&e);
            refused(&back, e.code())
        }
    }
}

/// Logs a store failure behind a refused form (the page says only that
/// the database did not answer).
pub(super) fn log_store(e: &AccessError) {
    if let AccessError::Store(err) = e {
        tracing::error!(error = %err, "an access form failed in the store");
    }
}
