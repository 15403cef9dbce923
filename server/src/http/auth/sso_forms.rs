//! Single sign-on's two legs: `GET /auth/oidc/{id}/start` (a link on the
//! login page, so it works without JavaScript; a form could not lead to
//! another site under the `form-action 'self'` policy) sends the browser to
//! the provider and keeps the flow's `state` in a cookie; `GET
//! /auth/oidc/{id}/callback` is where the provider sends it back. Starting
//! stores a row, so live flows are bounded (`oidc::MAX_LIVE_FLOWS`).
//! After signing out, `GET /auth/oidc/{id}/end-session` ends the provider's
//! session too, when the provider has an end-session endpoint.

use std::sync::Arc;
use std::time::Duration;

use app::model::FormError;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::cookies;
use super::routes::{refused, safe_next, secure, see_other, site_origin, user_agent};
use crate::access::oidc::{FLOW_TTL, SsoAnswer};
use crate::access::{Access, AccessError};

pub fn routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/oidc/{id}/start", get(start))
        .route("/auth/oidc/{id}/callback", get(callback))
        .route("/auth/oidc/{id}/end-session", get(end_session))
}

#[derive(Debug, Deserialize)]
struct Start {
    next: Option<String>,
}

fn unknown(access: &Access, id: &str) -> bool {
    !access.sso.list().iter().any(|(p, _)| p == id)
}

fn log(e: &AccessError) {
    match e {
        AccessError::Store(err) => tracing::error!(error = %err, "single sign-on failed in the store"),
        AccessError::Sso(err) => tracing::warn!(error = %err, "single sign-on failed"),
        other => tracing::warn!(error = %other, "single sign-on failed"),
    }
}

async fn start(
    State(access): State<Arc<Access>>,
    Path(id): Path<String>,
    query: Result<Query<Start>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if unknown(&access, &id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let next = match query {
        Ok(Query(q)) => safe_next(q.next.as_deref(), access.policy.public_url.as_ref()),
        Err(_) => "/".to_string(),
    };
    let redirect = format!("{}/auth/oidc/{id}/callback", site_origin(&access, &headers));
    match access.begin_sso(&id, &redirect, &next).await {
        Ok((url, state)) => {
            let lifetime = Duration::from_secs(u64::try_from(FLOW_TTL).unwrap_or(600));
            let cookie = cookies::sso_state(&state, secure(&access, &headers), lifetime);
            (CookieJar::new().add(cookie), see_other(&url)).into_response()
        }
        Err(e) => {
            log(&e);
            refused("/login", e.code())
        }
    }
}

/// What a provider sends back: a code and the state, or an error.
#[derive(Debug, Deserialize)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(access): State<Arc<Access>>,
    Path(id): Path<String>,
    answer: Result<Query<Answer>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if unknown(&access, &id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let ended = cookies::end_sso_state(CookieJar::new());
    let Ok(Query(answer)) = answer else {
        return (ended, refused("/login", FormError::SsoExpired)).into_response();
    };
    if let Some(error) = &answer.error {
        let shown: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        tracing::warn!(provider = %id, error = %shown, "the provider refused the sign-in");
        return (ended, refused("/login", FormError::SsoExpired)).into_response();
    }
    let (Some(code), Some(state)) = (answer.code, answer.state) else {
        return (ended, refused("/login", FormError::SsoExpired)).into_response();
    };
    let browser_state = cookies::read(&headers, cookies::SSO_STATE_COOKIE);
    let answer =
        SsoAnswer { code: &code, state: &state, iss: answer.iss.as_deref(), browser_state: browser_state.as_deref() };
    match access.finish_sso(&id, &answer, &user_agent(&headers)).await {
        Ok((session, next)) => {
            let cookie = cookies::session(&session, secure(&access, &headers), access.policy.absolute);
            (ended.add(cookie), see_other(&next)).into_response()
        }
        Err(e) => {
            log(&e);
            (ended, refused("/login", e.code())).into_response()
        }
    }
}

async fn end_session(State(access): State<Arc<Access>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if unknown(&access, &id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let after = format!("{}/login", site_origin(&access, &headers));
    match access.end_session_url(&id, &after).await {
        Ok(Some(url)) => see_other(&url),
        Ok(None) => see_other("/login"),
        Err(e) => {
            log(&e);
            refused("/login", e.code())
        }
    }
}
