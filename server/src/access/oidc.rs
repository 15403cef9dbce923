//! Single sign-on with OpenID Connect (`openidconnect`): the authorization
//! code flow with PKCE, `state` and `nonce`, the ID token verified against
//! the provider's keys (signature from its JWKS, issuer, audience, expiry).
//! The flow is kept in the database, so a sign-in begun on one replica
//! finishes on another. Users are found by (issuer, subject); the first
//! sign-in creates the account when the provider allows it, and the
//! groups claim decides the role at every sign-in.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::model::Grants;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
    CoreGenderClaim, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, IdToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl,
    RequestTokenError, Scope, TokenResponse,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::store::{OidcFlow, User};
use super::{Access, AccessError, Role, StoreError, check_username, now, secret};
use crate::config::OidcConfig;

/// How long a sign-in may stay at the provider.
pub const FLOW_TTL: i64 = 10 * 60;
/// Sign-ins under way at once, over all providers: an outsider can start
/// flows, so their rows are bounded.
const MAX_LIVE_FLOWS: i64 = 10_000;
/// Each call to a provider (discovery, keys, token).
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from a provider.
const MAX_BODY: usize = 1024 * 1024;
/// How long a provider's discovery document and keys are used before they
/// are fetched again (sooner when a token's key is not among them).
const METADATA_TTL: Duration = Duration::from_secs(15 * 60);

/// Why a single sign-on failed (each has its own message on the login page).
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("no sign-in provider `{0}`")]
    UnknownProvider(String),
    #[error("the provider could not be reached: {0}")]
    Down(String),
    #[error("the sign-in is unknown, used or expired")]
    Expired,
    #[error("the provider's answer did not verify: {0}")]
    Invalid(String),
    #[error("no group with access")]
    NoGroup,
    #[error("no account, and the provider creates none")]
    NoAccount,
    #[error("too many sign-ins are under way; try again in a minute")]
    Busy,
}

/// Every claim of the ID token besides the standard ones (`groups`, …).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

impl SsoError {
    /// The code the login page explains.
    pub fn code(&self) -> app::model::FormError {
        use app::model::FormError as F;
        match self {
            Self::UnknownProvider(_) | Self::Down(_) => F::SsoDown,
            Self::Expired => F::SsoExpired,
            Self::Invalid(_) => F::SsoInvalid,
            Self::NoGroup => F::SsoNoGroup,
            Self::NoAccount => F::SsoNoAccount,
            Self::Busy => F::Throttled,
        }
    }
}

/// What discovery says beyond the core: where to end the provider's own
/// session (OpenID Connect RP-Initiated Logout).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LogoutMetadata {
    end_session_endpoint: Option<String>,
}

impl AdditionalProviderMetadata for LogoutMetadata {}

type CoreProviderMetadata = ProviderMetadata<
    LogoutMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type FullIdToken = IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// An HTTP failure talking to a provider.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error("the answer is larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error(transparent)]
    Http(#[from] openidconnect::http::Error),
}

/// One request to a provider, with the timeout and size limit every
/// upstream call has; redirects are not followed.
async fn send(http: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut resp = http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
    let (status, headers) = (resp.status(), resp.headers().clone());
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if out.len() + chunk.len() > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    let mut answer = openidconnect::http::Response::builder().status(status).body(out)?;
    *answer.headers_mut() = headers;
    Ok(answer)
}

/// The providers of `signIn.oidc`, each with its discovery document once fetched.
#[derive(Debug, Default)]
pub struct Sso {
    providers: Vec<OidcConfig>,
    metadata: HashMap<String, Mutex<Option<(Instant, CoreProviderMetadata)>>>,
    http: reqwest::Client,
}

impl Sso {
    pub fn new(providers: Vec<OidcConfig>) -> Result<Self, String> {
        // No idle connections: calls are a few per sign-in, and a pooled one
        // the provider has just closed (Node closes idle ones after 5 s)
        // would fail a token exchange that cannot be retried.
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the sign-in HTTP client: {e}"))?;
        let metadata = providers.iter().map(|p| (p.id.clone(), Mutex::new(None))).collect();
        Ok(Self { providers, metadata, http })
    }

    /// The providers' configuration, as given.
    pub fn configs(&self) -> Vec<OidcConfig> {
        self.providers.clone()
    }

    /// (id, button label) of every provider, in configuration order.
    pub fn list(&self) -> Vec<(String, String)> {
        self.providers.iter().map(|p| (p.id.clone(), p.display_name.clone())).collect()
    }

    fn provider(&self, id: &str) -> Result<&OidcConfig, SsoError> {
        self.providers.iter().find(|p| p.id == id).ok_or_else(|| SsoError::UnknownProvider(id.to_string()))
    }

    /// The provider's discovery document and keys: cached, or fetched
    /// (always, with `fresh`).
    async fn metadata(&self, p: &OidcConfig, fresh: bool) -> Result<CoreProviderMetadata, SsoError> {
        let slot = self.metadata.get(&p.id).ok_or_else(|| SsoError::UnknownProvider(p.id.clone()))?;
        let mut slot = slot.lock().await;
        if !fresh && let Some((_, m)) = slot.as_ref().filter(|(at, _)| at.elapsed() < METADATA_TTL) {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|e| SsoError::Down(format!("issuer: {e}")))?;
        let http = |r| send(self.http.clone(), r);
        let m = CoreProviderMetadata::discover_async(issuer, &http).await.map_err(|e| {
            let mut chain = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            // A document that answers but does not hold (another issuer,
            // unusable keys) is not to be trusted; anything else is an outage.
            match e {
                openidconnect::DiscoveryError::Validation(_) => SsoError::Invalid(chain),
                _ => SsoError::Down(chain),
            }
        })?;
        *slot = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        p: &OidcConfig,
        metadata: CoreProviderMetadata,
        redirect: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoError,
    > {
        let redirect = RedirectUrl::new(redirect.to_string()).map_err(|e| SsoError::Down(format!("redirect: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(p.client_secret.expose_secret().to_string())),
        )
        .set_redirect_uri(redirect))
    }
}

/// What the provider sent the browser back with, and the state this
/// browser's cookie kept.
#[derive(Debug)]
pub struct SsoAnswer<'a> {
    pub code: &'a str,
    pub state: &'a str,
    /// The `iss` parameter (RFC 9207), when the provider sends one.
    pub iss: Option<&'a str>,
    pub browser_state: Option<&'a str>,
}

/// What a verified ID token says about its user.
#[derive(Debug)]
struct Identity {
    issuer: String,
    subject: String,
    username: Option<String>,
    groups: Vec<String>,
}

/// The grants `groups` give under `p`'s rules: a role everywhere from
/// `adminGroups` / `viewerGroups` (everyone is a viewer when neither
/// `viewerGroups` nor `registryGroups` is set), plus every matching
/// `registryGroups` entry's roles. Empty grants mean no access.
fn grants_of(p: &OidcConfig, groups: &[String]) -> Grants {
    let member = |list: &[String]| groups.iter().any(|g| list.contains(g));
    let everyone = p.viewer_groups.is_empty() && p.registry_groups.is_empty();
    let mut grants = if member(&p.admin_groups) {
        Grants::everywhere(Role::Admin)
    } else if everyone || member(&p.viewer_groups) {
        Grants::everywhere(Role::Viewer)
    } else {
        Grants::default()
    };
    for rule in p.registry_groups.iter().filter(|r| groups.contains(&r.group)) {
        grants = grants.union(&rule.grants);
    }
    grants
}

/// A claim's strings: a list of strings, or one string.
fn strings(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl Access {
    /// Sends a browser to provider `id`: the authorization URL, and the
    /// `state` its cookie keeps (the callback must come back to the same
    /// browser). `redirect` is this site's callback URL for `id`.
    pub async fn begin_sso(&self, id: &str, redirect: &str, next: &str) -> Result<(String, String), AccessError> {
        let p = self.sso.provider(id)?;
        if self.store.live_oidc_flows(now()).await? >= MAX_LIVE_FLOWS {
            return Err(SsoError::Busy.into());
        }
        let client = Sso::client(p, self.sso.metadata(p, false).await?, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in &p.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let flow = OidcFlow {
            provider: p.id.clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            redirect_uri: redirect.to_string(),
            next: next.to_string(),
        };
        self.store.put_oidc_flow(&secret::hash(state.secret()), &flow, now() + FLOW_TTL).await?;
        tracing::info!(provider = %p.id, "single sign-on started");
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Finishes a sign-in the provider sent back: `state` must be the one
    /// this browser's cookie kept and a live flow of provider `id`; the code
    /// is exchanged (with the PKCE verifier) and the ID token verified.
    /// Returns the session's token and where to go.
    pub async fn finish_sso(
        &self,
        id: &str,
        answer: &SsoAnswer<'_>,
        user_agent: &str,
    ) -> Result<(String, String), AccessError> {
        let p = self.sso.provider(id)?;
        let (code, state) = (answer.code, answer.state);
        if answer.browser_state != Some(state) {
            tracing::warn!(provider = %p.id, "single sign-on refused: the state is not this browser's");
            return Err(SsoError::Expired.into());
        }
        // RFC 9207: a provider that names itself must be the one asked (no mix-up).
        if answer.iss.is_some_and(|iss| iss != p.issuer) {
            tracing::warn!(provider = %p.id, "single sign-on refused: the answer names another issuer");
            return Err(SsoError::Invalid("the answer names another issuer".into()).into());
        }
        let Some(flow) = self.store.take_oidc_flow(&secret::hash(state), now()).await? else {
            return Err(SsoError::Expired.into());
        };
        if flow.provider != p.id {
            return Err(SsoError::Expired.into());
        }
        let identity = self.verified_identity(p, &flow, code).await?;
        let grants = grants_of(p, &identity.groups);
        if grants.is_empty() {
            tracing::warn!(provider = %p.id, subject = %identity.subject, "single sign-on refused: no group with access");
            return Err(SsoError::NoGroup.into());
        }
        let user = self.sso_user(p, &identity, grants).await?;
        let role = user.grants.describe();
        tracing::info!(provider = %p.id, user = %user.username, %role, "signed in with single sign-on");
        let session = self.start_session(&user, user_agent).await?;
        self.store.mark_sso_session(&secret::hash(&session), &p.id).await?;
        Ok((session, flow.next))
    }

    /// The provider that signed a session in, if one did (for sign-out).
    pub async fn sso_of_session(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        self.store.sso_session_provider(token_hash).await
    }

    /// Where to end the browser's session at provider `id` as well, coming
    /// back to `after` (`None`: the provider offers no such endpoint).
    pub async fn end_session_url(&self, id: &str, after: &str) -> Result<Option<String>, AccessError> {
        let p = self.sso.provider(id)?;
        let metadata = self.sso.metadata(p, false).await?;
        let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.as_deref() else { return Ok(None) };
        let mut url = url::Url::parse(endpoint)
            .map_err(|e| SsoError::Invalid(format!("the end-session endpoint `{endpoint}`: {e}")))?;
        url.query_pairs_mut().append_pair("client_id", &p.client_id).append_pair("post_logout_redirect_uri", after);
        Ok(Some(url.to_string()))
    }

    /// Exchanges the code and verifies the ID token; when it does not
    /// verify against the cached keys, once more against freshly fetched
    /// ones (the provider may have rotated its keys).
    async fn verified_identity(&self, p: &OidcConfig, flow: &OidcFlow, code: &str) -> Result<Identity, SsoError> {
        let metadata = self.sso.metadata(p, false).await?;
        let client = Sso::client(p, metadata, &flow.redirect_uri)?;
        let http = |r| send(self.sso.http.clone(), r);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::Invalid(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    SsoError::Invalid(format!("the provider refused the code: {}", r.error()))
                }
                RequestTokenError::Request(e) => SsoError::Down(e.to_string()),
                other => SsoError::Invalid(format!("the token answer: {other}")),
            })?;
        let raw = token.id_token().ok_or_else(|| SsoError::Invalid("the token answer has no ID token".into()))?;
        let id_token: FullIdToken =
            raw.to_string().parse().map_err(|e| SsoError::Invalid(format!("the ID token: {e}")))?;
        let nonce = Nonce::new(flow.nonce.clone());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(first) => {
                let fresh = Sso::client(p, self.sso.metadata(p, true).await?, &flow.redirect_uri)?;
                match id_token.claims(&fresh.id_token_verifier(), &nonce) {
                    Ok(c) => c.clone(),
                    Err(_) => return Err(SsoError::Invalid(format!("the ID token: {first}"))),
                }
            }
        };
        let username = match p.username_claim.as_str() {
            "preferred_username" => claims.preferred_username().map(|u| u.to_string()),
            "email" => claims.email().map(|e| e.to_string()),
            "sub" => Some(claims.subject().to_string()),
            other => claims.additional_claims().rest.get(other).and_then(|v| v.as_str()).map(str::to_string),
        };
        Ok(Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            username,
            groups: strings(claims.additional_claims().rest.get(&p.groups_claim)),
        })
    }

    /// The user `identity` is, with `grants` (re-read at every sign-in); a
    /// new account when the provider allows sign-up.
    async fn sso_user(&self, p: &OidcConfig, identity: &Identity, grants: Grants) -> Result<User, AccessError> {
        let t = now();
        if let Some(mut user) = self.store.oidc_user(&identity.issuer, &identity.subject, t).await? {
            if user.grants != grants {
                if self.store.set_grants(&user.id, &grants).await? {
                    let role = grants.describe();
                    tracing::info!(user = %user.username, %role, "role changed by the provider's groups");
                    self.refresh_sessions_of(&user.id).await?;
                    user.grants = grants;
                } else {
                    tracing::warn!(user = %user.username, "the provider's groups would leave no administrator; role kept");
                }
            }
            return Ok(user);
        }
        // Before setup, only an administrator may be the first account:
        // a viewer first would leave Reestr without one.
        if !p.allow_sign_up || (!grants.is_admin() && self.needs_setup().await?) {
            tracing::warn!(provider = %p.id, subject = %identity.subject, "single sign-on refused: no account");
            return Err(SsoError::NoAccount.into());
        }
        let wanted = identity.username.as_deref().and_then(|u| check_username(u).ok());
        let base = wanted.unwrap_or_else(|| format!("{}-user", p.id));
        for n in 1..=20 {
            let name = if n == 1 { base.clone() } else { format!("{base}-{n}") };
            let Ok(name) = check_username(&name) else { break };
            let user = User { id: secret::new_id(), username: name, grants: grants.clone() };
            if self.store.create_user(&user, None, t).await? {
                if !self.store.link_oidc(&identity.issuer, &identity.subject, &user.id, &p.id, t).await? {
                    // Another replica linked this identity at the same moment.
                    self.store.delete_user(&user.id).await?;
                    return self
                        .store
                        .oidc_user(&identity.issuer, &identity.subject, t)
                        .await?
                        .ok_or_else(|| AccessError::Internal("a linked identity vanished".into()));
                }
                self.has_users.store(true, std::sync::atomic::Ordering::Relaxed);
                let role = grants.describe();
                tracing::info!(provider = %p.id, user = %user.username, %role, "account created by single sign-on");
                return Ok(user);
            }
        }
        tracing::warn!(provider = %p.id, "single sign-on refused: no free username");
        Err(SsoError::NoAccount.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RegistryGroup;

    fn provider(admin: &[&str], viewer: &[&str]) -> OidcConfig {
        scoped_provider(admin, viewer, vec![])
    }

    fn scoped_provider(admin: &[&str], viewer: &[&str], registry_groups: Vec<RegistryGroup>) -> OidcConfig {
        OidcConfig {
            id: "corp".into(),
            display_name: "Corp".into(),
            issuer: "https://id.example".into(),
            client_id: "reestr".into(),
            client_secret: "s".to_string().into(),
            scopes: vec![],
            allow_sign_up: true,
            username_claim: "preferred_username".into(),
            groups_claim: "groups".into(),
            admin_groups: admin.iter().map(|s| s.to_string()).collect(),
            viewer_groups: viewer.iter().map(|s| s.to_string()).collect(),
            registry_groups,
        }
    }

    #[test]
    fn groups_decide_the_role() {
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let p = provider(&["ops"], &["dev"]);
        let everywhere = |r| Grants::everywhere(r);
        assert_eq!(grants_of(&p, &g(&["dev", "ops"])), everywhere(Role::Admin));
        assert_eq!(grants_of(&p, &g(&["dev"])), everywhere(Role::Viewer));
        assert!(grants_of(&p, &g(&["sales"])).is_empty());
        assert_eq!(
            grants_of(&provider(&["ops"], &[]), &g(&[])),
            everywhere(Role::Viewer),
            "no viewer groups: everyone"
        );
        // Registry groups: a role in some registries, on top of the rest;
        // with them, nobody is a viewer everywhere by default.
        let team = |group: &str, role, ids: &[&str]| RegistryGroup {
            group: group.into(),
            grants: Grants::only(role, ids.iter().map(|s| s.to_string())),
        };
        let p = scoped_provider(
            &["ops"],
            &[],
            vec![team("team-a", Role::Viewer, &["a"]), team("a-admins", Role::Admin, &["a"])],
        );
        assert!(grants_of(&p, &g(&[])).is_empty(), "registry groups set: no default viewer");
        assert_eq!(grants_of(&p, &g(&["team-a"])), Grants::only(Role::Viewer, ["a".to_string()]));
        let both = grants_of(&p, &g(&["team-a", "a-admins"]));
        assert_eq!((both.role_in("a"), both.role_in("b"), both.is_admin()), (Some(Role::Admin), None, false));
        assert!(grants_of(&p, &g(&["ops", "team-a"])).is_admin());
        assert_eq!(strings(Some(&serde_json::json!("ops"))), g(&["ops"]));
        assert_eq!(strings(Some(&serde_json::json!(["a", 1, "b"]))), g(&["a", "b"]));
        assert!(strings(Some(&serde_json::json!({"a": 1}))).is_empty());
    }
}
