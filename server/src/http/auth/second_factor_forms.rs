//! The second-factor forms: set up an authenticator app on the account
//! page (start, confirm with a code: the recovery codes ride to the page
//! once in a cookie; turn off with the password); the second step of a
//! password login (`/login/verify`, the waiting login in an HttpOnly
//! cookie), or its set-up when an administrator requires one
//! (`/login/enrol`); and that requirement itself. Redirects only, so they
//! work without JavaScript.

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
use super::routes::{refused, safe_next, secure, see_other, signed_in};
use super::who::{Admin, SignedIn};
use crate::access::second_factor::{PENDING_TTL, SignIn};
use crate::access::{Access, AccessError, Via};

/// Where the account page shows the second-factor section.
const ACCOUNT: &str = "/account";
/// Where the users page shows the sign-in policy.
const USERS_POLICY: &str = "/admin/users#sign-in-policy";

pub fn routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/login/verify", post(verify_form))
        .route("/auth/totp/start", post(start_form))
        .route("/auth/totp/confirm", post(confirm_form))
        .route("/auth/totp/disable", post(disable_form))
        .route("/auth/login/enrol", post(enrol_form))
        .route("/auth/settings/second-factor", post(require_form))
}

/// Where a correct password leads: signed in (on to `next`), or the
/// waiting login's cookie and on to its code page or its set-up page.
pub(super) fn after_password(access: &Access, headers: &HeaderMap, sign_in: SignIn, next: &str) -> Response {
    let (token, to) = match sign_in {
        SignIn::Session(token) => return signed_in(access, headers, &token, next),
        SignIn::SecondFactor(token) => {
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            (token, format!("/login/verify?next={next}"))
        }
        SignIn::Enrol(token) => (token, "/login/enrol".to_string()),
    };
    let lifetime = Duration::from_secs(u64::try_from(PENDING_TTL).unwrap_or(300));
    let cookie = cookies::pending_login(&token, secure(access, headers), lifetime);
    (CookieJar::new().add(cookie), see_other(&to)).into_response()
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

async fn enrol_form(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Some(token) = cookies::read(&headers, cookies::PENDING_LOGIN_COOKIE) else {
        return refused("/login", FormError::LoginExpired);
    };
    let Ok(Form(form)) = Form::<CodeForm>::from_request(req, &()).await else {
        return refused("/login/enrol", FormError::BadCode);
    };
    match access.finish_enrolment(&token, form.code.expose_secret(), &ip).await {
        Ok((session, codes)) => {
            let secure = secure(&access, &headers);
            let jar = cookies::end_pending_login(CookieJar::new())
                .add(cookies::session(&session, secure, access.policy.absolute))
                .add(cookies::once(NEW_CODES_COOKIE, &codes.join("."), secure));
            (jar, see_other(&format!("{ACCOUNT}#two-step"))).into_response()
        }
        Err(AccessError::LoginExpired) => {
            (cookies::end_pending_login(CookieJar::new()), refused("/login", FormError::LoginExpired)).into_response()
        }
        Err(e) => {
            log_store(&e);
            refused("/login/enrol", e.code())
        }
    }
}

#[derive(Debug, Deserialize)]
struct RequireForm {
    /// A checkbox: present when ticked.
    required: Option<String>,
}

async fn require_form(State(access): State<Arc<Access>>, Admin(admin): Admin, req: Request) -> Response {
    let Ok(Form(form)) = Form::<RequireForm>::from_request(req, &()).await else {
        return see_other(USERS_POLICY);
    };
    match access.require_second_factor(&admin.user, form.required.is_some()).await {
        Ok(()) => see_other(USERS_POLICY),
        Err(e) => {
            log_store(&AccessError::Store(e));
            refused("/admin/users", FormError::Store)
        }
    }
}
