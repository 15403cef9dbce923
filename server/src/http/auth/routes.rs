//! The HTTP side of access: the forms the login, setup and account pages
//! post (`/auth/…`, answering with redirects so they work without
//! JavaScript) and the JSON endpoints for scripts (`/api/me`, `/api/tokens`).

use std::sync::Arc;

use app::error::{AppError, ErrorKind};
use app::model::{
    Account, ApiTokenInfo, EnrolmentInfo, FormError, Grants, InvitationInfo, PasskeyInfo, ResetLink, SecondFactorInfo,
    SessionInfo, UserAdmin, UserInfo, Viewer,
};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::cookies::{self, NEW_INVITE_COOKIE, NEW_RESET_COOKIE, NEW_TOKEN_COOKIE};
use super::gate::client_ip;
use super::who::{Admin, SignedIn};
use crate::access::{Access, AccessError, Principal, User, Via};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::openapi::ApiErrors;
use crate::http::problem::Problem;

/// `/auth/…` (forms) and the JSON routes under `/api`.
pub fn form_routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/setup", post(setup))
        .route("/auth/logout", post(logout))
        .route("/auth/logout-everywhere", post(logout_everywhere))
        .route("/auth/tokens", post(create_token_form))
        .route("/auth/tokens/{id}/revoke", post(revoke_token_form))
        .route("/auth/passkeys/register/start", post(passkey_register_start))
        .route("/auth/passkeys/register/finish", post(passkey_register_finish))
        .route("/auth/passkeys/login/start", post(passkey_login_start))
        .route("/auth/passkeys/login/finish", post(passkey_login_finish))
        .route("/auth/passkeys/{id}/rename", post(rename_passkey_form))
        .route("/auth/passkeys/{id}/remove", post(remove_passkey_form))
        .route("/auth/users", post(invite_form))
        .route("/auth/users/{id}/role", post(role_form))
        .route("/auth/users/{id}/remove", post(remove_user_form))
        .route("/auth/invitations/{id}/revoke", post(revoke_invitation_form))
        .route("/auth/invite", post(accept_invitation_form))
        .merge(super::password_forms::routes())
        .merge(super::second_factor_forms::routes())
}

pub fn api_routes() -> Router<Arc<Access>> {
    Router::new()
        .route("/me", get(me))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
}

/// Back to the form at `page`, saying why it was refused.
pub(super) fn refused(page: &str, why: FormError) -> Response {
    see_other(&format!("{page}?error={}", why.key()))
}

pub(super) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Where to go after signing in: a path (and query) of this very site, or
/// `/`. The candidate is resolved against the public origin the way a
/// browser would (`Url::join`, which drops tabs and newlines and reads `\`
/// as `/`, so `/\t/evil.example/` would become `//evil.example/`); anything
/// with control characters or backslashes, anything not starting with one
/// `/`, and anything that leaves the origin is refused. Only path and query
/// go out, so the `Location` is same-origin by construction.
pub(super) fn safe_next(next: Option<&str>, public_url: Option<&url::Url>) -> String {
    let home = || "/".to_string();
    let Some(next) = next.filter(|n| n.starts_with('/') && !n.starts_with("//")) else { return home() };
    if next.chars().any(|c| c.is_control() || c == '\\') {
        return home();
    }
    let fallback = url::Url::parse("http://reestr.invalid/");
    let Some(base) = public_url.cloned().or_else(|| fallback.ok()) else { return home() };
    match base.join(next) {
        Ok(url) if url.origin() == base.origin() => match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        },
        _ => home(),
    }
}

/// `Secure` when Reestr is reached over HTTPS.
pub(super) fn secure(access: &Access, headers: &HeaderMap) -> bool {
    access.policy.public_url.as_ref().is_some_and(|u| u.scheme() == "https")
        || headers.get("x-forwarded-proto").is_some_and(|p| p == "https")
}

/// Signed in: the session cookie, then on to `to`.
pub(super) fn signed_in(access: &Access, headers: &HeaderMap, token: &str, to: &str) -> Response {
    let cookie = cookies::session(token, secure(access, headers), access.policy.absolute);
    (CookieJar::new().add(cookie), see_other(to)).into_response()
}

/// This site's origin as browsers reach it: the public URL's, else the
/// request's scheme and `Host` (which the host check has vetted).
pub(super) fn site_origin(access: &Access, headers: &HeaderMap) -> String {
    match &access.policy.public_url {
        Some(u) => u.origin().ascii_serialization(),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let scheme = if secure(access, headers) { "https" } else { "http" };
            format!("{scheme}://{host}")
        }
    }
}

pub(super) fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("unknown").to_string()
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: SecretString,
    next: Option<String>,
}

async fn login(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        return refused("/login", FormError::BadCredentials);
    };
    let next = safe_next(form.next.as_deref(), access.policy.public_url.as_ref());
    match access.login(&form.username, form.password.expose_secret(), &ip, &user_agent(&headers)).await {
        Ok(sign_in) => super::second_factor_forms::after_password(&access, &headers, sign_in, &next),
        Err(e) => {
            if let AccessError::Store(err) = &e {
                tracing::error!(error = %err, "login failed in the store");
            }
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            see_other(&format!("/login?error={}&next={next}", e.code().key()))
        }
    }
}

#[derive(Debug, Deserialize)]
struct SetupForm {
    token: SecretString,
    username: String,
    password: SecretString,
    password2: SecretString,
}

async fn setup(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<SetupForm>::from_request(req, &()).await else {
        return refused("/setup", FormError::BadSetupToken);
    };
    if form.password.expose_secret() != form.password2.expose_secret() {
        return refused("/setup", FormError::PasswordsDiffer);
    }
    let (token, password) = (form.token.expose_secret(), form.password.expose_secret());
    match access.setup(token, &form.username, password, &ip, &user_agent(&headers)).await {
        Ok(token) => signed_in(&access, &headers, &token, "/"),
        Err(AccessError::AlreadySetUp) => refused("/login", FormError::AlreadySetUp),
        Err(e) => {
            if let AccessError::Store(err) = &e {
                tracing::error!(error = %err, "setup failed in the store");
            }
            refused("/setup", e.code())
        }
    }
}

/// Ends the session; one a provider signed in leads to a login page that
/// offers to end the provider's session too.
async fn logout(State(access): State<Arc<Access>>, headers: HeaderMap) -> Response {
    let mut to = "/login".to_string();
    if let Some(token) = cookies::session_token(&headers) {
        let hash = crate::access::secret::hash(&token);
        match access.sso_of_session(&hash).await {
            Ok(Some(provider)) => to = format!("/login?signed_out={provider}"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not read a session"),
        }
        if let Err(e) = access.end_session(&hash).await {
            tracing::error!(error = %e, "could not end a session");
        }
    }
    (cookies::end_session(CookieJar::new()), see_other(&to)).into_response()
}

async fn logout_everywhere(State(access): State<Arc<Access>>, SignedIn(p): SignedIn) -> Response {
    match access.end_sessions_of(&p.user.id).await {
        Ok((sessions, tokens)) => tracing::info!(user = %p.user.username, sessions, tokens, "signed out everywhere"),
        Err(e) => tracing::error!(error = %e, "could not end sessions"),
    }
    (cookies::end_session(CookieJar::new()), see_other("/login")).into_response()
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    name: String,
    /// Days it lives (the form offers 30, 90 and 365).
    days: Option<u32>,
}

async fn create_token_form(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    match access.create_api_token(&p.user, &form.name, form.days).await {
        Ok((_, token, _)) => {
            let cookie = cookies::once(NEW_TOKEN_COOKIE, &token, secure(&access, &headers));
            (CookieJar::new().add(cookie), see_other("/account")).into_response()
        }
        Err(e) => refused("/account", e.code()),
    }
}

async fn revoke_token_form(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = access.store.delete_token(&p.user.id, &id).await {
        tracing::error!(error = %e, "could not revoke a token");
    }
    see_other("/account")
}

fn store_problem(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "the access store failed");
    AppError::internal("the user database is unavailable").into()
}

/// Who the token or session belongs to.
#[utoipa::path(get, path = "/api/me", tag = "account",
    responses((status = 200, description = "The caller", body = Viewer), ApiErrors))]
pub(crate) async fn me(viewer: Option<Extension<Viewer>>) -> Result<Json<Viewer>, Problem> {
    viewer.map(|Extension(v)| Json(v)).ok_or_else(|| AppError::new(ErrorKind::NotSignedIn, "not signed in").into())
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "account",
    responses((status = 200, description = "The caller's tokens", body = Vec<ApiTokenInfo>), ApiErrors))]
pub(crate) async fn list_tokens(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
) -> Result<Json<Vec<ApiTokenInfo>>, Problem> {
    let rows = access.store.tokens_of(&p.user.id).await.map_err(store_problem)?;
    Ok(Json(rows.into_iter().map(token_info).collect()))
}

/// A token to make.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct NewToken {
    /// What it is for: 1 to 100 characters, not only spaces.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    name: String,
    /// Days it lives: 1 to 365, default 90.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    expires_in_days: Option<u32>,
}

/// A new token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedToken {
    id: String,
    name: String,
    /// Shown this once.
    token: String,
    /// When it stops working (Unix seconds).
    expires_at: i64,
}

/// Makes an API token for the caller; its secret is in this answer only.
#[utoipa::path(post, path = "/api/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, description = "The token, shown once", body = CreatedToken), ApiErrors))]
pub(crate) async fn create_token(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), Problem> {
    match access.create_api_token(&p.user, &body.name, body.expires_in_days).await {
        Ok((id, token, expires_at)) => {
            Ok((StatusCode::CREATED, Json(CreatedToken { id, name: body.name.trim().to_string(), token, expires_at })))
        }
        Err(AccessError::Store(e)) => Err(store_problem(e)),
        Err(e) => Err(AppError::bad_request(e.to_string()).into()),
    }
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "account",
    params(("id" = String, Path, description = "The token's id (from `GET /api/tokens`)")),
    responses((status = 204, description = "Revoked"), ApiErrors))]
pub(crate) async fn revoke_token(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    match access.store.delete_token(&p.user.id, &id).await.map_err(store_problem)? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(AppError::not_found(format!("you have no token `{id}`")).into()),
    }
}

fn token_info(t: crate::access::store::TokenRow) -> ApiTokenInfo {
    ApiTokenInfo {
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        expires_at: t.expires_at,
    }
}

/// What the account page shows.
#[async_trait::async_trait]
impl app::contract::Accounts for Access {
    async fn account(&self, request: &axum::http::request::Parts) -> Result<Account, AppError> {
        let Some(p) = SignedIn::of(request) else {
            return Err(AppError::new(ErrorKind::NotSignedIn, "open access has no accounts: nobody signs in"));
        };
        let current = match &p.via {
            Via::Session(hash) => Some(hash.clone()),
            _ => None,
        };
        let sessions = self.store.sessions_of(&p.user.id).await.map_err(store_problem_app)?;
        let tokens = self.store.tokens_of(&p.user.id).await.map_err(store_problem_app)?;
        let passkeys = self.store.passkeys_of(&p.user.id).await.map_err(store_problem_app)?;
        let credentials = self.store.credentials(&p.user.username).await.map_err(store_problem_app)?;
        let second_factor = second_factor_info(self, &p.user, &request.headers).await?;
        Ok(Account {
            viewer: p.viewer(self.mode),
            has_password: credentials.is_some_and(|c| c.password_hash.is_some()),
            second_factor,
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
            passkeys: passkeys
                .into_iter()
                .map(|k| PasskeyInfo { id: k.id, name: k.name, created_at: k.created_at, last_used_at: k.last_used_at })
                .collect(),
            new_token: cookies::read(&request.headers, NEW_TOKEN_COOKIE).filter(|t| t.starts_with("reestr_")),
        })
    }

    async fn users(&self, request: &axum::http::request::Parts) -> Result<UserAdmin, AppError> {
        let me = admin_page(request)?;
        let users = self.store.list_users().await.map_err(store_problem_app)?;
        let invitations = self.store.invitations(crate::access::now()).await.map_err(store_problem_app)?;
        let origin = site_origin(self, &request.headers);
        let second_factor_required = self.second_factor_required().await.map_err(store_problem_app)?;
        Ok(UserAdmin {
            second_factor_required,
            users: users
                .into_iter()
                .map(|u| UserInfo {
                    is_you: u.user.id == me.user.id,
                    id: u.user.id,
                    username: u.user.username,
                    role: u.user.grants.headline(),
                    grants: u.user.grants,
                    created_at: u.created_at,
                    has_password: u.has_password,
                    passkeys: u64::try_from(u.passkeys).unwrap_or(0),
                    second_factor: u.second_factor,
                })
                .collect(),
            invitations: invitations
                .into_iter()
                .map(|i| InvitationInfo {
                    id: i.id,
                    username: i.username,
                    role: i.role,
                    created_by: i.created_by,
                    expires_at: i.expires_at,
                })
                .collect(),
            new_invitation: cookies::read(&request.headers, NEW_INVITE_COOKIE).map(|t| format!("{origin}/invite/{t}")),
            new_reset: match cookies::read(&request.headers, NEW_RESET_COOKIE) {
                Some(t) => self
                    .reset_link(&t)
                    .await
                    .map_err(store_problem_app)?
                    .map(|r| ResetLink { username: r.user.username, url: format!("{origin}/reset/{t}") }),
                None => None,
            },
        })
    }

    async fn login_enrolment(&self, request: &axum::http::request::Parts) -> Result<EnrolmentInfo, AppError> {
        login_enrolment(self, &request.headers).await
    }

    fn sign_in_providers(&self) -> Vec<app::model::SignInProvider> {
        self.sso.list().into_iter().map(|(id, name)| app::model::SignInProvider { id, name }).collect()
    }
}

/// The login-enrolment page's data, shared by `Accounts::login_enrolment`.
async fn login_enrolment(access: &Access, headers: &HeaderMap) -> Result<EnrolmentInfo, AppError> {
    let expired = || AppError::new(ErrorKind::NotSignedIn, "this sign-in took too long or is finished: sign in again");
    let Some(token) = cookies::read(headers, cookies::PENDING_LOGIN_COOKIE) else { return Err(expired()) };
    match access.pending_enrolment(&token).await.map_err(store_problem_app)? {
        Some(e) => Ok(enrolment_info(e)),
        None => Err(expired()),
    }
}

/// The account page's second-factor section; codes made just now come
/// from their one-time cookie, only while the factor is on.
async fn second_factor_info(access: &Access, user: &User, headers: &HeaderMap) -> Result<SecondFactorInfo, AppError> {
    let status = access.second_factor_status(user).await.map_err(store_problem_app)?;
    let new_codes = cookies::read(headers, cookies::NEW_CODES_COOKIE)
        .filter(|_| status.on)
        .map(|v| v.split('.').map(str::to_string).collect::<Vec<_>>())
        .filter(|codes| {
            codes.iter().all(|c| c.len() == 11 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
        });
    Ok(SecondFactorInfo {
        on: status.on,
        required: status.required,
        recovery_codes_left: u64::try_from(status.recovery_codes_left).unwrap_or(0),
        enrolment: status.enrolment.map(enrolment_info),
        new_recovery_codes: new_codes,
    })
}

fn enrolment_info(e: crate::access::second_factor::Enrolment) -> EnrolmentInfo {
    EnrolmentInfo { secret: e.secret, uri: e.uri, qr_svg: e.qr_svg }
}

fn admin_page(request: &axum::http::request::Parts) -> Result<Principal, AppError> {
    Admin::of(request).ok_or_else(|| AppError::new(ErrorKind::NotAllowed, "only administrators manage users"))
}

fn store_problem_app(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "the access store failed");
    AppError::internal("the user database is unavailable")
}

// ---- passkeys (JSON: the ceremonies need JavaScript anyway)

/// The page's origin, for the relying party (the gate has checked it).
fn origin(headers: &HeaderMap) -> String {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn passkey_problem(e: AccessError) -> Problem {
    match e {
        AccessError::Store(e) => store_problem(e),
        AccessError::Throttled(secs) => {
            let mut err = AppError::new(ErrorKind::TooManyAttempts, "too many failed attempts; try again later");
            err.retry_after = u64::try_from(secs).ok();
            err.into()
        }
        other => AppError::bad_request(other.to_string()).into(),
    }
}

#[derive(Debug, Serialize)]
struct Ceremony<T> {
    ceremony: String,
    options: T,
}

async fn passkey_register_start(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    headers: HeaderMap,
) -> Result<Json<Ceremony<webauthn_rs::prelude::CreationChallengeResponse>>, Problem> {
    let (ceremony, options) =
        access.passkey_register_start(&p.user, &origin(&headers)).await.map_err(passkey_problem)?;
    Ok(Json(Ceremony { ceremony, options }))
}

#[derive(Debug, Deserialize)]
struct RegisterFinish {
    ceremony: String,
    name: String,
    credential: webauthn_rs::prelude::RegisterPublicKeyCredential,
}

async fn passkey_register_finish(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    headers: HeaderMap,
    Json(body): Json<RegisterFinish>,
) -> Result<(StatusCode, Json<serde_json::Value>), Problem> {
    let id = access
        .passkey_register_finish(&p.user, &body.ceremony, &body.name, &body.credential, &origin(&headers))
        .await
        .map_err(passkey_problem)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id, "name": body.name.trim() }))))
}

#[derive(Debug, Deserialize)]
struct LoginStart {
    #[serde(default)]
    username: Option<String>,
}

async fn passkey_login_start(
    State(access): State<Arc<Access>>,
    req: Request,
) -> Result<Json<Ceremony<webauthn_rs::prelude::RequestChallengeResponse>>, Problem> {
    let ip = client_ip(&req);
    let origin = origin(req.headers());
    let Json(body) =
        Json::<LoginStart>::from_request(req, &()).await.map_err(|e| Problem(AppError::bad_request(e.body_text())))?;
    let (ceremony, options) =
        access.passkey_login_start(body.username.as_deref(), &origin, &ip).await.map_err(passkey_problem)?;
    Ok(Json(Ceremony { ceremony, options }))
}

#[derive(Debug, Deserialize)]
struct LoginFinish {
    ceremony: String,
    credential: webauthn_rs::prelude::PublicKeyCredential,
    #[serde(default)]
    next: Option<String>,
}

async fn passkey_login_finish(State(access): State<Arc<Access>>, req: Request) -> Result<Response, Problem> {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Json(body) =
        Json::<LoginFinish>::from_request(req, &()).await.map_err(|e| Problem(AppError::bad_request(e.body_text())))?;
    let token = access
        .passkey_login_finish(&body.ceremony, &body.credential, &origin(&headers), &ip, &user_agent(&headers))
        .await
        .map_err(passkey_problem)?;
    let next = safe_next(body.next.as_deref(), access.policy.public_url.as_ref());
    let cookie = cookies::session(&token, secure(&access, &headers), access.policy.absolute);
    Ok((CookieJar::new().add(cookie), Json(serde_json::json!({ "redirect": next }))).into_response())
}

#[derive(Debug, Deserialize)]
struct RenameForm {
    name: String,
}

async fn rename_passkey_form(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<RenameForm>,
) -> Response {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return refused("/account", FormError::BadName);
    }
    if let Err(e) = access.store.rename_passkey(&p.user.id, &id, name).await {
        tracing::error!(error = %e, "could not rename a passkey");
    }
    see_other("/account")
}

async fn remove_passkey_form(
    State(access): State<Arc<Access>>,
    SignedIn(p): SignedIn,
    Path(id): Path<String>,
) -> Response {
    match access.store.delete_passkey(&p.user.id, &id).await {
        Ok(true) => tracing::info!(user = %p.user.username, passkey = %id, "passkey removed"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "could not remove a passkey"),
    }
    see_other("/account")
}

// ---- user administration (administrators; plain forms)

/// The NEW_INVITE cookie carries a just-made invitation link to the users page, once.

#[derive(Debug, Deserialize)]
struct InviteForm {
    username: String,
    role: String,
}

async fn invite_form(
    State(access): State<Arc<Access>>,
    Admin(admin): Admin,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Response {
    let Some(role) = app::model::Role::from_key(&form.role) else {
        return refused("/admin/users", FormError::UnknownRole);
    };
    match access.invite(&admin.user, &form.username, role).await {
        Ok(token) => {
            let cookie = cookies::once(NEW_INVITE_COOKIE, &token, secure(&access, &headers));
            (CookieJar::new().add(cookie), see_other("/admin/users")).into_response()
        }
        Err(e) => refused("/admin/users", e.code()),
    }
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    role: String,
    /// Registry ids, comma-separated; empty: every registry.
    #[serde(default)]
    registries: String,
}

/// Most registries one form may scope a role to.
const MAX_SCOPED_REGISTRIES: usize = 200;

impl RoleForm {
    /// The grants the form asks for; `Err` for an unknown role or registry.
    fn grants(&self, configured: &[String]) -> Result<Grants, FormError> {
        let role = app::model::Role::from_key(&self.role).ok_or(FormError::UnknownRole)?;
        let ids: Vec<&str> = self.registries.split([',', ' ', '\n', '\t']).filter(|s| !s.is_empty()).collect();
        if ids.is_empty() {
            return Ok(Grants::everywhere(role));
        }
        if ids.len() > MAX_SCOPED_REGISTRIES || ids.iter().any(|id| !configured.iter().any(|c| c == id)) {
            return Err(FormError::UnknownRegistry);
        }
        Ok(Grants::only(role, ids.into_iter().map(str::to_string)))
    }
}

async fn role_form(
    State(access): State<Arc<Access>>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Response {
    let grants = match form.grants(&access.registries) {
        Ok(g) => g,
        Err(code) => return refused("/admin/users", code),
    };
    match access.store.set_grants(&id, &grants).await {
        Ok(true) => {
            if let Err(e) = access.refresh_sessions_of(&id).await {
                tracing::error!(error = %e, "could not refresh the user's sessions");
            }
            tracing::info!(by = %admin.user.username, user = %id, role = %grants.describe(), "role changed");
            see_other("/admin/users")
        }
        Ok(false) => refused("/admin/users", FormError::LastAdmin),
        Err(e) => {
            tracing::error!(error = %e, "could not change a role");
            refused("/admin/users", FormError::Store)
        }
    }
}

async fn remove_user_form(State(access): State<Arc<Access>>, Admin(admin): Admin, Path(id): Path<String>) -> Response {
    if admin.user.id == id {
        return refused("/admin/users", FormError::Yourself);
    }
    match access.remove_user(&id).await {
        Ok(true) => {
            tracing::info!(by = %admin.user.username, user = %id, "user removed");
            see_other("/admin/users")
        }
        Ok(false) => refused("/admin/users", FormError::LastAdmin),
        Err(e) => {
            tracing::error!(error = %e, "could not remove a user");
            refused("/admin/users", FormError::Store)
        }
    }
}

async fn revoke_invitation_form(State(access): State<Arc<Access>>, _: Admin, Path(id): Path<String>) -> Response {
    if let Err(e) = access.store.delete_invitation(&id).await {
        tracing::error!(error = %e, "could not revoke an invitation");
    }
    see_other("/admin/users")
}

#[derive(Debug, Deserialize)]
struct AcceptForm {
    token: String,
    password: SecretString,
    password2: SecretString,
}

async fn accept_invitation_form(State(access): State<Arc<Access>>, req: Request) -> Response {
    let ip = client_ip(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<AcceptForm>::from_request(req, &()).await else {
        return refused("/login", FormError::BadInvitation);
    };
    let back = format!("/invite/{}", url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>());
    if form.password.expose_secret() != form.password2.expose_secret() {
        return refused(&back, FormError::PasswordsDiffer);
    }
    match access.accept_invitation(&form.token, form.password.expose_secret(), &ip, &user_agent(&headers)).await {
        Ok(sign_in) => super::second_factor_forms::after_password(&access, &headers, sign_in, "/"),
        Err(e) => refused(&back, e.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_same_origin_paths() {
        let public = url::Url::parse("https://reestr.example.com/").ok();
        for public in [None, public.as_ref()] {
            for (next, to) in [
                ("/registries/local?q=a%20b", "/registries/local?q=a%20b"),
                ("/a/../b", "/b"),
                ("/x y", "/x%20y"),
                ("/\t/evil.example/", "/"),
                ("/%09/evil.example/", "/%09/evil.example/"),
                ("//evil.example/", "/"),
                ("/\\evil.example/", "/"),
                ("/\n/evil.example", "/"),
                ("https://evil.example/", "/"),
                ("evil", "/"),
                ("", "/"),
            ] {
                assert_eq!(safe_next(Some(next), public), to, "{next:?}");
            }
        }
        assert_eq!(safe_next(None, None), "/");
    }
}
