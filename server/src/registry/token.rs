//! The Docker/OCI token flow: a registry answers 401 with
//! `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; Reestr asks the
//! realm for a token (with basic credentials when it has them), caches it
//! per scope until it expires, and retries once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::RegistryError;

/// Tokens are dropped this long before they expire, so none expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// RFC-less default of the Docker token spec when `expires_in` is absent.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);
/// Longest a token is kept, whatever the endpoint says: a huge
/// `expires_in` overflowed the clock and poisoned the cache.
const MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Largest token response read.
pub(super) const MAX_TOKEN_BYTES: u64 = 1024 * 1024;

/// A `Bearer` challenge from a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    pub realm: Url,
    pub service: Option<String>,
    /// Space-separated in the header; each becomes one `scope=` parameter.
    pub scopes: Vec<String>,
}

/// What a 401's `WWW-Authenticate` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Bearer(BearerChallenge),
    Basic,
    /// No header, or only schemes Reestr does not speak.
    Other,
}

/// Reads the challenges of a 401. A `Bearer` challenge wins over `Basic`.
pub fn parse_challenge(headers: &HeaderMap) -> Result<Challenge, RegistryError> {
    let mut basic = false;
    for value in headers.get_all(WWW_AUTHENTICATE) {
        let text = value.to_str().map_err(|_| invalid("the WWW-Authenticate header is not ASCII"))?;
        let challenges = http_auth::parse_challenges(text)
            .map_err(|e| invalid(&format!("unreadable WWW-Authenticate header: {e}")))?;
        for c in challenges {
            if c.scheme.eq_ignore_ascii_case("bearer") {
                let param = |name: &str| {
                    c.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_unescaped())
                };
                let realm = param("realm").ok_or_else(|| invalid("the Bearer challenge has no realm"))?;
                let realm = Url::parse(&realm)
                    .map_err(|e| invalid(&format!("the Bearer realm `{realm}` is not a URL: {e}")))?;
                let scopes = param("scope").map(|s| s.split(' ').filter(|s| !s.is_empty()).map(String::from).collect());
                return Ok(Challenge::Bearer(BearerChallenge {
                    realm,
                    service: param("service"),
                    scopes: scopes.unwrap_or_default(),
                }));
            }
            basic |= c.scheme.eq_ignore_ascii_case("basic");
        }
    }
    Ok(if basic { Challenge::Basic } else { Challenge::Other })
}

fn invalid(message: &str) -> RegistryError {
    RegistryError::InvalidResponse(message.to_string())
}

/// The token endpoint's answer (Docker token spec; OAuth2 servers say `access_token`).
#[derive(Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

/// Reads a token response: the token and how long it may be used.
pub fn parse_token_response(body: &[u8]) -> Result<(SecretString, Duration), RegistryError> {
    let t: TokenResponse = serde_json::from_slice(body)
        .map_err(|e| invalid(&format!("the token endpoint answered something unreadable: {e}")))?;
    let token = t
        .token
        .filter(|s| !s.is_empty())
        .or(t.access_token.filter(|s| !s.is_empty()))
        .ok_or_else(|| invalid("the token endpoint answered without a token"))?;
    let lifetime = t.expires_in.map(Duration::from_secs).unwrap_or(DEFAULT_LIFETIME).min(MAX_LIFETIME);
    Ok((SecretString::from(token), lifetime))
}

/// Tokens by scope key, until shortly before they expire.
#[derive(Debug, Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<String, (SecretString, Instant)>>,
}

impl TokenCache {
    /// A token for `scope` that is still good.
    pub fn get(&self, scope: &str) -> Option<SecretString> {
        let mut map = self.tokens.lock().ok()?;
        match map.get(scope) {
            Some((token, until)) if Instant::now() < *until => Some(SecretString::from(token.expose_secret())),
            Some(_) => {
                map.remove(scope);
                None
            }
            None => None,
        }
    }

    /// Keeps `token` for `scope` for `lifetime` (less a margin).
    pub fn put(&self, scope: &str, token: &SecretString, lifetime: Duration) {
        let usable = lifetime.min(MAX_LIFETIME).saturating_sub(EXPIRY_MARGIN).max(Duration::from_secs(1));
        let Some(until) = Instant::now().checked_add(usable) else { return };
        if let Ok(mut map) = self.tokens.lock() {
            map.insert(scope.to_string(), (SecretString::from(token.expose_secret()), until));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(WWW_AUTHENTICATE, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn bearer_challenges_give_realm_service_and_every_scope() -> Result<(), RegistryError> {
        let h = headers(&[
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull repository:library/redis:pull""#,
        ]);
        let Challenge::Bearer(c) = parse_challenge(&h)? else { return Err(invalid("not bearer")) };
        assert_eq!(c.realm.as_str(), "https://auth.docker.io/token");
        assert_eq!(c.service.as_deref(), Some("registry.docker.io"));
        assert_eq!(c.scopes, ["repository:library/nginx:pull", "repository:library/redis:pull"]);
        Ok(())
    }

    #[test]
    fn basic_and_missing_challenges_are_told_apart() -> Result<(), RegistryError> {
        assert_eq!(parse_challenge(&headers(&[r#"Basic realm="registry""#]))?, Challenge::Basic);
        assert_eq!(parse_challenge(&HeaderMap::new())?, Challenge::Other);
        assert!(parse_challenge(&headers(&[r#"Bearer service="x""#])).is_err(), "a realm is required");
        assert!(parse_challenge(&headers(&[r#"Bearer realm="not a url""#])).is_err());
        Ok(())
    }

    #[test]
    fn token_responses_accept_either_field_and_default_the_lifetime() -> Result<(), RegistryError> {
        let (t, life) =
            parse_token_response(br#"{"token":"abc","expires_in":300,"issued_at":"2026-11-27T00:00:00Z"}"#)?;
        assert_eq!((t.expose_secret(), life), ("abc", Duration::from_secs(300)));
        let (t, life) = parse_token_response(br#"{"access_token":"xyz"}"#)?;
        assert_eq!((t.expose_secret(), life), ("xyz", DEFAULT_LIFETIME));
        assert!(parse_token_response(br#"{"token":""}"#).is_err());
        assert!(parse_token_response(b"<html>").is_err());
        Ok(())
    }

    /// Found by reading (issue 18): `expires_in` near `u64::MAX` panicked
    /// adding it to the clock, inside the cache's lock, poisoning it.
    #[test]
    fn a_huge_lifetime_is_capped_and_the_cache_keeps_working() -> Result<(), RegistryError> {
        let (t, life) = parse_token_response(format!(r#"{{"token":"t","expires_in":{}}}"#, u64::MAX).as_bytes())?;
        assert_eq!(life, MAX_LIFETIME);
        let cache = TokenCache::default();
        cache.put("huge", &t, Duration::MAX);
        cache.put("next", &SecretString::from("n"), Duration::from_secs(600));
        assert_eq!(cache.get("huge").map(|t| t.expose_secret().to_string()).as_deref(), Some("t"));
        assert_eq!(cache.get("next").map(|t| t.expose_secret().to_string()).as_deref(), Some("n"));
        Ok(())
    }

    #[test]
    fn cached_tokens_expire() {
        let cache = TokenCache::default();
        cache.put("repository:a:pull", &SecretString::from("t1"), Duration::from_secs(600));
        assert_eq!(cache.get("repository:a:pull").map(|t| t.expose_secret().to_string()).as_deref(), Some("t1"));
        assert!(cache.get("repository:b:pull").is_none());
        cache.put("short", &SecretString::from("t2"), Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(1100));
        assert!(cache.get("short").is_none());
    }
}
