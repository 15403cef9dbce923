//! The HTTP side of access: the forms the login, setup and account pages
//! post (`/auth/…`, answering with redirects so they work without
//! JavaScript) and the JSON endpoints for scripts (`/api/me`, `/api/tokens`).

use std::sync::Arc;

use app::error::{AppError, ErrorKind};
use app::model::{Account, ApiTokenInfo, SessionInfo, Viewer};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use serde::{Deserialize, Serialize};

use super::gate::{client_ip, cookie};
use super::{Access, AccessError, Principal, SESSION_COOKIE, Via};
use crate::http::problem::Problem;

/// The cookie a just-made API token rides in to the account page, once.
const NEW_TOKEN_COOKIE: &str = "reestr_new_token";

/// `/auth/…` (forms) and the JSON routes under `/api`.
pub fn form_routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/setup", post(setup))
        .route("/auth/logout", post(logout))
        .route("/auth/logout-everywhere", post(logout_everywhere))
        .route("/auth/tokens", post(create_token_form))
        .route("/auth/tokens/{id}/revoke", post(revoke_token_form))
}

pub fn api_routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/me", get(me))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Only paths of this site: `/x`, never `//host` or `https://…`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".to_string(),
    }
}

fn error_code(e: &AccessError) -> &'static str {
    match e {
        AccessError::BadCredentials => "invalid",
        AccessError::Throttled(_) => "throttled",
        AccessError::BadSetupToken => "token",
        AccessError::AlreadySetUp => "done",
        AccessError::Invalid(m) if m.contains("password") => "password",
        AccessError::Invalid(m) if m.contains("username") => "username",
        AccessError::Invalid(_) => "name",
        AccessError::Store(_) => "store",
    }
}

/// `Secure` when Reestr is reached over HTTPS.
fn secure(access: &Access, headers: &HeaderMap) -> bool {
    access.policy.public_url.as_ref().is_some_and(|u| u.scheme() == "https")
        || headers.get("x-forwarded-proto").is_some_and(|p| p == "https")
}

fn session_cookie(access: &Access, headers: &HeaderMap, token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        access.policy.absolute.as_secs(),
        if secure(access, headers) { "; Secure" } else { "" }
    )
}

fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("reestr_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

fn signed_in(access: &Access, headers: &HeaderMap, token: &str, to: &str) -> Response {
    let mut resp = see_other(to);
    if let Ok(v) = HeaderValue::from_str(&session_cookie(access, headers, token)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("unknown").to_string()
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        return see_other("/login?error=invalid");
    };
    let next = safe_next(form.next.as_deref().filter(|n| !n.is_empty()));
    match access.login(&form.username, &form.password, &ip, &user_agent(&headers)).await {
        Ok(token) => signed_in(&access, &headers, &token, &next),
        Err(e) => {
            if let AccessError::Store(err) = &e {
                tracing::error!(error = %err, "login failed in the store");
            }
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            see_other(&format!("/login?error={}&next={next}", error_code(&e)))
        }
    }
}

#[derive(Debug, Deserialize)]
struct SetupForm {
    token: String,
    username: String,
    password: String,
    password2: String,
}

async fn setup(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<SetupForm>::from_request(req, &()).await else {
        return see_other("/setup?error=token");
    };
    if form.password != form.password2 {
        return see_other("/setup?error=mismatch");
    }
    match access.setup(&form.token, &form.username, &form.password, &ip, &user_agent(&headers)).await {
        Ok(token) => signed_in(&access, &headers, &token, "/"),
        Err(AccessError::AlreadySetUp) => see_other("/login?error=done"),
        Err(e) => {
            if let AccessError::Store(err) = &e {
                tracing::error!(error = %err, "setup failed in the store");
            }
            see_other(&format!("/setup?error={}", error_code(&e)))
        }
    }
}

async fn logout(State(access): State<Arc<Access>>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = access.store.delete_session(&super::secret::hash(token)).await
    {
        tracing::error!(error = %e, "could not end a session");
    }
    let mut resp = see_other("/login");
    resp.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    resp
}

async fn logout_everywhere(State(access): State<Arc<Access>>, principal: Option<Extension<Principal>>) -> Response {
    let Some(Extension(p)) = principal else { return see_other("/login") };
    match access.store.delete_sessions_of(&p.user.id).await {
        Ok(ended) => tracing::info!(user = %p.user.username, sessions = ended.len(), "signed out everywhere"),
        Err(e) => tracing::error!(error = %e, "could not end sessions"),
    }
    let mut resp = see_other("/login");
    resp.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    resp
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token_form(
    State(access): State<Arc<Access>>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let Some(Extension(p)) = principal.filter(|p| p.via != Via::Open) else { return see_other("/login") };
    match access.create_api_token(&p.user, &form.name).await {
        Ok((_, token)) => {
            let mut resp = see_other("/account");
            // HttpOnly, one minute, this origin only: the account page reads
            // it once and clears it.
            let cookie = format!(
                "{NEW_TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60{}",
                if secure(&access, &headers) { "; Secure" } else { "" }
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => see_other(&format!("/account?error={}", error_code(&e))),
    }
}

async fn revoke_token_form(
    State(access): State<Arc<Access>>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<String>,
) -> Response {
    let Some(Extension(p)) = principal else { return see_other("/login") };
    if let Err(e) = access.store.delete_token(&p.user.id, &id).await {
        tracing::error!(error = %e, "could not revoke a token");
    }
    see_other("/account")
}

fn need(principal: Option<Extension<Principal>>) -> Result<Principal, Problem> {
    principal
        .map(|Extension(p)| p)
        .filter(|p| p.via != Via::Open)
        .ok_or_else(|| AppError::new(ErrorKind::NotSignedIn, "sign in, or send an API token").into())
}

fn store_problem(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "the access store failed");
    AppError::internal("the user database is unavailable").into()
}

/// `GET /api/me`: who the token or session belongs to.
async fn me(viewer: Option<Extension<Viewer>>) -> Result<Json<Viewer>, Problem> {
    viewer.map(|Extension(v)| Json(v)).ok_or_else(|| AppError::new(ErrorKind::NotSignedIn, "not signed in").into())
}

/// `GET /api/tokens`: the caller's tokens (never their secrets).
async fn list_tokens(
    State(access): State<Arc<Access>>,
    principal: Option<Extension<Principal>>,
) -> Result<Json<Vec<ApiTokenInfo>>, Problem> {
    let p = need(principal)?;
    let rows = access.store.tokens_of(&p.user.id).await.map_err(store_problem)?;
    Ok(Json(rows.into_iter().map(token_info).collect()))
}

#[derive(Debug, Deserialize)]
struct NewToken {
    name: String,
}

#[derive(Debug, Serialize)]
struct CreatedToken {
    id: String,
    name: String,
    /// Shown this once.
    token: String,
}

/// `POST /api/tokens {"name": …}`: a new token, shown once.
async fn create_token(
    State(access): State<Arc<Access>>,
    principal: Option<Extension<Principal>>,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), Problem> {
    let p = need(principal)?;
    match access.create_api_token(&p.user, &body.name).await {
        Ok((id, token)) => {
            Ok((StatusCode::CREATED, Json(CreatedToken { id, name: body.name.trim().to_string(), token })))
        }
        Err(AccessError::Store(e)) => Err(store_problem(e)),
        Err(e) => Err(AppError::bad_request(e.to_string()).into()),
    }
}

/// `DELETE /api/tokens/{id}`
async fn revoke_token(
    State(access): State<Arc<Access>>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let p = need(principal)?;
    match access.store.delete_token(&p.user.id, &id).await.map_err(store_problem)? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(AppError::not_found(format!("you have no token `{id}`")).into()),
    }
}

fn token_info(t: super::store::TokenRow) -> ApiTokenInfo {
    ApiTokenInfo { id: t.id, name: t.name, created_at: t.created_at, last_used_at: t.last_used_at }
}

/// What the account page shows.
#[async_trait::async_trait]
impl app::contract::Accounts for Access {
    async fn account(&self, request: &axum::http::request::Parts) -> Result<Account, AppError> {
        let Some(p) = request.extensions.get::<Principal>().filter(|p| p.via != Via::Open) else {
            return Err(AppError::new(ErrorKind::NotSignedIn, "open access has no accounts: nobody signs in"));
        };
        let current = match &p.via {
            Via::Session(hash) => Some(hash.clone()),
            _ => None,
        };
        let sessions = self.store.sessions_of(&p.user.id).await.map_err(store_problem_app)?;
        let tokens = self.store.tokens_of(&p.user.id).await.map_err(store_problem_app)?;
        Ok(Account {
            viewer: p.viewer(self.mode),
            sessions: sessions
                .into_iter()
                .map(|s| SessionInfo {
                    current: current.as_deref() == Some(s.token_hash.as_str()),
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    expires_at: s.expires_at,
                    user_agent: s.user_agent,
                })
                .collect(),
            tokens: tokens.into_iter().map(token_info).collect(),
            new_token: cookie(&request.headers, NEW_TOKEN_COOKIE)
                .filter(|t| t.starts_with("reestr_"))
                .map(str::to_string),
        })
    }
}

fn store_problem_app(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "the access store failed");
    AppError::internal("the user database is unavailable")
}
