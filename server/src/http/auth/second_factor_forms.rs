//! The second-factor forms: set up an authenticator app on the account
//! page (start, confirm with a code: the recovery codes ride to the page
//! once in a cookie; turn off with the password), and the second step of a
//! password login (`/login/verify`, the waiting login in an HttpOnly
//! cookie). Redirects only, so they work without JavaScript.

use std::sync::Arc;
use std::time::Duration;

use app::model::FormError;
use axum::extract::{FromRequest, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::cookies::{self, NEW_CODES_COOKIE};
use super::gate::client_ip;
use super::password_forms::log_store;
use super::routes::{refused, safe_next, secure, see_other};
use super::who::SignedIn;
use crate::access::second_factor::PENDING_TTL;
use crate::access::{Access, AccessError, Via};

/// Where the account page shows the second-factor section.
const ACCOUNT: &str = "/account";

pub fn routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/login/verify", post(verify_form))
        .route("/auth/totp/start", post(start_form))
        .route("/auth/totp/confirm", post(confirm_form))
        .route("/auth/totp/disable", post(disable_form))
}

/// After a correct password on an account with a second factor: the
/// waiting login's cookie, and on to the code page.
pub(super) fn ask_second_factor(access: &Access, headers: &HeaderMap, token: &str, next: &str) -> Response {
    let lifetime = Duration::from_secs(u64::try_from(PENDING_TTL).unwrap_or(300));
    let cookie = cookies::pending_login(token, secure(access, headers), lifetime);
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    (CookieJar::new().add(cookie), see_other(&format!("/login/verify?next={next}"))).into_response()
}

#[derive(Debug, Deserialize)]
struct VerifyForm {
    code: SecretString,
    next: Option<String>,
}

async fn verify_form(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Some(token) = cookies::read(&headers, cookies::PENDING_LOGIN_COOKIE) else {
        return refused("/login", FormError::LoginExpired);
    };
    let Ok(Form(form)) = Form::<VerifyForm>::from_request(req, &()).await else {
        return refused("/login/verify", FormError::BadCode);
    };
    let next = safe_next(form.next.as_deref(), access.policy.public_url.as_ref());
    match access.finish_second_factor(&token, form.code.expose_secret(), &ip).await {
        Ok(session) => {
            let cookie = cookies::session(&session, secure(&access, &headers), access.policy.absolute);
            (cookies::end_pending_login(CookieJar::new()).add(cookie), see_other(&next)).into_response()
        }
        Err(AccessError::LoginExpired) => {
            (cookies::end_pending_login(CookieJar::new()), refused("/login", FormError::LoginExpired)).into_response()
        }
        Err(e) => {
            log_store(&e);
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            see_other(&format!("/login/verify?error={}&next={next}", e.code().key()))
        }
    }
}

/// The account forms are a browser session's, never an API token's.
fn session_only(p: &crate::access::Principal) -> Option<Response> {
    (!matches!(p.via, Via::Session(_))).then(|| refused(ACCOUNT, FormError::BadCredentials))
}

async fn start_form(State(access): State<Arc<Access>>, SignedIn(p): SignedIn) -> Response {
    if let Some(refusal) = session_only(&p) {
        return refusal;
    }
    match access.start_totp(&p.user).await {
        Ok(()) => see_other(&format!("{ACCOUNT}#two-step")),
        Err(e) => {
            log_store(&e);
            refused(ACCOUNT, e.code())
        }
    }
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    code: SecretString,
}

async fn confirm_form(State(access): State<Arc<Access>>, SignedIn(p): SignedIn, req: Request) -> Response {
    if let Some(refusal) = session_only(&p) {
        return refusal;
    }
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<CodeForm>::from_request(req, &()).await else {
        return refused(ACCOUNT, FormError::BadCode);
    };
    match access.confirm_totp(&p.user, form.code.expose_secret(), &ip).await {
        Ok(codes) => {
            let cookie = cookies::once(NEW_CODES_COOKIE, &codes.join("."), secure(&access, &headers));
            (CookieJar::new().add(cookie), see_other(&format!("{ACCOUNT}#two-step"))).into_response()
        }
        Err(e) => {
            log_store(&e);
            refused(ACCOUNT, e.code())
        }
    }
}

#[derive(Debug, Deserialize)]
struct DisableForm {
    password: SecretString,
}

async fn disable_form(State(access): State<Arc<Access>>, SignedIn(p): SignedIn, req: Request) -> Response {
    if let Some(refusal) = session_only(&p) {
        return refusal;
    }
    let ip = client_ip(&req);
    let Ok(Form(form)) = Form::<DisableForm>::from_request(req, &()).await else {
        return refused(ACCOUNT, FormError::WrongPassword);
    };
    match access.disable_totp(&p.user, form.password.expose_secret(), &ip).await {
        Ok(()) => see_other(&format!("{ACCOUNT}#two-step")),
        Err(e) => {
            log_store(&e);
            refused(ACCOUNT, e.code())
        }
    }
}
