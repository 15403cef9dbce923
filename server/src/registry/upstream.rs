//! The one way Reestr talks to a registry API, the OCI endpoint and a
//! catalogue API alike. It enforces the host allowlist and presents the
//! credentials as configured: Basic, a bearer token, a header of the
//! profile's choosing, or Docker Hub's login exchange, with the OCI token
//! challenge answered on its own. It also owns the size limits, the
//! timeouts, the mapping of answers to error kinds and the walk through a
//! listing's pages. Clients build URLs from their bound operations and
//! hand them here.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::RegistryError;
use super::client::{REQUEST_TIMEOUT, classify, read_limited, retry_after};
use super::guard::HostPolicy;
use super::retry;
use super::token::{BearerChallenge, Challenge, MAX_TOKEN_BYTES, TokenCache, parse_challenge, parse_token_response};

/// One page of a listing.
pub const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;
/// Docker Hub access tokens live 10 minutes; renew a little before.
const LOGIN_TOKEN_LIFETIME: Duration = Duration::from_secs(9 * 60);

/// How requests prove who they are.
#[derive(Debug)]
pub enum Credentials {
    Anonymous,
    Basic {
        username: String,
        password: SecretString,
    },
    /// A configured bearer token, sent as it is (no challenge is answered).
    Bearer(SecretString),
    /// The secret in a header of the profile's choosing (GitLab's `PRIVATE-TOKEN`).
    Header {
        name: HeaderName,
        value: SecretString,
    },
    /// Docker Hub: username and password (or access token) posted as
    /// `{identifier, secret}` to `at`, which answers a short-lived JWT,
    /// kept until it is about to expire or refused.
    Login {
        at: Url,
        identifier: String,
        secret: SecretString,
        token: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
    },
}

/// One registry API's transport.
#[derive(Debug)]
pub struct Upstream {
    http: reqwest::Client,
    hosts: HostPolicy,
    credentials: Credentials,
    /// Whether a plain-HTTP token realm may be asked.
    allow_http: bool,
    /// Tokens from OCI challenges, per scope.
    tokens: TokenCache,
}

impl Upstream {
    pub fn new(http: reqwest::Client, hosts: HostPolicy, credentials: Credentials, allow_http: bool) -> Self {
        Self { http, hosts, credentials, allow_http, tokens: TokenCache::default() }
    }

    /// Ok when `url` may be contacted.
    pub fn check(&self, url: &Url) -> Result<(), RegistryError> {
        self.hosts.check(url)
    }

    /// A GET with the credentials (or a cached token for `scope`), whose
    /// answer is a success; a refused login token is renewed once, an OCI
    /// `Bearer` challenge answered once.
    pub async fn get(
        &self,
        url: Url,
        accept: Option<&str>,
        what: &str,
        scope: &str,
    ) -> Result<Response, RegistryError> {
        self.check(&url)?;
        let cached = self.tokens.get(scope);
        let resp = self.execute(&url, accept, cached.as_ref(), false).await?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return classify(resp, what);
        }
        match &self.credentials {
            Credentials::Bearer(_) => classify(resp, what),
            Credentials::Login { .. } => classify(self.execute(&url, accept, None, true).await?, what),
            _ => match parse_challenge(resp.headers())? {
                Challenge::Bearer(challenge) => {
                    let (token, lifetime) = self.fetch_token(&challenge).await?;
                    self.tokens.put(scope, &token, lifetime);
                    classify(self.execute(&url, accept, Some(&token), false).await?, what)
                }
                Challenge::Basic | Challenge::Other => classify(resp, what),
            },
        }
    }

    /// An answer's headers and bytes, at most `limit` of them.
    pub async fn get_bytes(
        &self,
        url: Url,
        accept: Option<&str>,
        what: &str,
        scope: &str,
        limit: (u64, &'static str),
    ) -> Result<(HeaderMap, Vec<u8>), RegistryError> {
        let resp = self.get(url, accept, what, scope).await?;
        let headers = resp.headers().clone();
        let body = read_limited(resp, limit.0, limit.1).await?;
        Ok((headers, body))
    }

    /// A JSON answer and its headers, at most `limit` bytes of it.
    pub async fn get_json(
        &self,
        url: Url,
        what: &str,
        scope: &str,
        limit: (u64, &'static str),
    ) -> Result<(HeaderMap, Value), RegistryError> {
        let (headers, body) = self.get_bytes(url, Some("application/json"), what, scope, limit).await?;
        let json = serde_json::from_slice(&body)
            .map_err(|e| RegistryError::InvalidResponse(format!("{what}: not JSON: {e}")))?;
        Ok((headers, json))
    }

    /// Walks a listing from `first`: each page is handed to `read`, which
    /// keeps what it needs and says where the next page is. A next page
    /// that loops back is an error; past `max_pages` the walk stops and
    /// says so (`true`).
    pub async fn pages(
        &self,
        first: Url,
        what: &str,
        scope: &str,
        max_pages: usize,
        mut read: impl FnMut(&Url, &HeaderMap, &Value) -> Result<Option<Url>, RegistryError>,
    ) -> Result<bool, RegistryError> {
        let mut next = Some(first);
        let mut visited = HashSet::new();
        while let Some(url) = next.take() {
            if !visited.insert(url.to_string()) {
                return Err(RegistryError::InvalidResponse(format!("{what}: the next page loops back to {url}")));
            }
            if visited.len() > max_pages {
                return Ok(true);
            }
            let (headers, page) = self.get_json(url.clone(), what, scope, (MAX_PAGE_BYTES, "a listing page")).await?;
            next = read(&url, &headers, &page)?;
            if let Some(n) = &next {
                self.check(n)?;
            }
        }
        Ok(false)
    }

    async fn execute(
        &self,
        url: &Url,
        accept: Option<&str>,
        token: Option<&SecretString>,
        renew: bool,
    ) -> Result<Response, RegistryError> {
        let mut req = self.http.get(url.clone());
        if let Some(a) = accept {
            req = req.header(ACCEPT, a);
        }
        req = match (token, &self.credentials) {
            (Some(t), _) => req.bearer_auth(t.expose_secret()),
            (None, Credentials::Anonymous) => req,
            (None, Credentials::Basic { username, password }) => {
                req.basic_auth(username, Some(password.expose_secret()))
            }
            (None, Credentials::Bearer(token)) => req.bearer_auth(token.expose_secret()),
            (None, Credentials::Header { name, value }) => {
                let mut v = HeaderValue::from_str(value.expose_secret())
                    .map_err(|_| RegistryError::NotConfigured("the secret cannot be sent in a header".into()))?;
                v.set_sensitive(true);
                req.header(name.clone(), v)
            }
            (None, Credentials::Login { .. }) => req.bearer_auth(self.login_token(renew).await?.expose_secret()),
        };
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let this =
                req.try_clone().ok_or_else(|| RegistryError::Unavailable("the request cannot be repeated".into()))?;
            let sent = this.send().await;
            let transient = match &sent {
                Ok(resp) => retry::transient_status(resp.status()),
                Err(e) => retry::transient_error(e),
            };
            if transient && let Some(wait) = retry::wait_before_next(attempt, started.elapsed(), rand::random::<f64>())
            {
                let why = sent.as_ref().map_or_else(|e| e.to_string(), |r| format!("HTTP {}", r.status().as_u16()));
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, url = %url, %why, "upstream: retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            let resp = sent.map_err(|e| RegistryError::from_reqwest(&e, REQUEST_TIMEOUT))?;
            tracing::debug!(status = resp.status().as_u16(), attempt, elapsed_ms = started.elapsed().as_millis() as u64, url = %url, "upstream");
            return Ok(resp);
        }
    }

    /// Asks an OCI challenge's realm for a token, with the basic credentials when configured.
    async fn fetch_token(&self, challenge: &BearerChallenge) -> Result<(SecretString, Duration), RegistryError> {
        let realm = &challenge.realm;
        if realm.scheme() == "http" && !self.allow_http {
            return Err(RegistryError::Unavailable(format!(
                "the token realm {realm} is plain HTTP; set tls.allowHttp to allow it"
            )));
        }
        self.check(realm)?;
        let mut url = realm.clone();
        if challenge.service.is_some() || !challenge.scopes.is_empty() {
            let mut q = url.query_pairs_mut();
            if let Some(service) = &challenge.service {
                q.append_pair("service", service);
            }
            for scope in &challenge.scopes {
                q.append_pair("scope", scope);
            }
        }
        let mut req = self.http.get(url);
        if let Credentials::Basic { username, password } = &self.credentials {
            req = req.basic_auth(username, Some(password.expose_secret()));
        }
        let resp = req.send().await.map_err(|e| RegistryError::from_reqwest(&e, REQUEST_TIMEOUT))?;
        match resp.status() {
            s if s.is_success() => {}
            StatusCode::UNAUTHORIZED => return Err(RegistryError::Unauthorized),
            StatusCode::FORBIDDEN => return Err(RegistryError::Forbidden),
            StatusCode::TOO_MANY_REQUESTS => {
                return Err(RegistryError::RateLimited { retry_after: retry_after(resp.headers()) });
            }
            s => return Err(RegistryError::Unavailable(format!("the token endpoint answered HTTP {}", s.as_u16()))),
        }
        let body = read_limited(resp, MAX_TOKEN_BYTES, "a token response").await?;
        parse_token_response(&body)
    }

    /// A kept Docker Hub access token, or a fresh one.
    async fn login_token(&self, renew: bool) -> Result<SecretString, RegistryError> {
        let Credentials::Login { at, identifier, secret, token } = &self.credentials else {
            return Err(RegistryError::NotConfigured("no login is configured".to_string()));
        };
        let mut kept = token.lock().await;
        if !renew && let Some((t, _)) = kept.as_ref().filter(|(_, made)| made.elapsed() < LOGIN_TOKEN_LIFETIME) {
            return Ok(t.clone());
        }
        self.check(at)?;
        let body = serde_json::json!({ "identifier": identifier, "secret": secret.expose_secret() });
        let resp = self
            .http
            .post(at.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| RegistryError::from_reqwest(&e, REQUEST_TIMEOUT))?;
        let resp = classify(resp, "the access token")?;
        let bytes = read_limited(resp, MAX_TOKEN_BYTES, "a token response").await?;
        let json: Value = serde_json::from_slice(&bytes)
            .map_err(|e| RegistryError::InvalidResponse(format!("the access token answer is not JSON: {e}")))?;
        let fresh = ["access_token", "token"]
            .iter()
            .find_map(|k| json.get(k).and_then(Value::as_str).filter(|t| !t.is_empty()))
            .map(|t| SecretString::from(t.to_string()))
            .ok_or_else(|| RegistryError::InvalidResponse("the access token answer has no token".to_string()))?;
        *kept = Some((fresh.clone(), Instant::now()));
        Ok(fresh)
    }
}
