//! One registry's OCI endpoint (`/v2/`): requests built from the bound
//! operations, manifests and blobs checked against their digests. The
//! transport (credentials, the token challenge, limits, paging) is
//! [`Upstream`]'s; this file also keeps the HTTP client's policy and the
//! mapping of answers to error kinds that every client shares.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode, redirect};
use sha2::{Digest, Sha256};
use url::Url;

use super::guard::HostPolicy;
use super::manifest::ACCEPT as MANIFEST_ACCEPT;
use super::operations::{BoundOperations, CanonicalOperation as Op};
use super::pagination::next_link;
use super::reference::is_digest;
use super::template::RequestTemplate;
use super::upstream::{Credentials, Upstream};
use super::{RegistryError, validate_reference, validate_repository};
use crate::config::{Auth, RegistryConfig};

/// Per-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// OCI recommends registries accept manifests up to 4 MiB.
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Image configurations (history and env can be long).
const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;
/// Marks a redirect refused by the host allowlist (see `RegistryError::from_reqwest`).
pub(crate) const BLOCKED_PREFIX: &str = "blocked redirect to ";
/// Stops a registry that paginates forever.
const MAX_PAGES: usize = 10_000;
/// Page size asked for; distribution ≥ 2.8 caps `n` at 1000.
const PAGE_SIZE: &str = "1000";

/// A manifest as served, with its verified digest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FetchedManifest {
    /// `sha256:…` of the exact bytes received.
    pub digest: String,
    pub media_type: String,
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

/// A client for one configured registry.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    base: Url,
    upstream: Arc<Upstream>,
    ops: BoundOperations,
}

/// Token cache keys: what a request needs access to.
const CATALOG_SCOPE: &str = "registry:catalog:*";
const BASE_SCOPE: &str = "";

fn repository_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

impl RegistryClient {
    /// Builds the HTTP client with the registry's TLS policy and a redirect
    /// policy that only follows allowed hosts.
    pub fn new(config: &RegistryConfig, http: reqwest::Client, ops: BoundOperations) -> Self {
        let credentials = match &config.auth {
            Auth::Anonymous => Credentials::Anonymous,
            Auth::Basic { username, password } => {
                Credentials::Basic { username: username.clone(), password: password.clone() }
            }
            Auth::Bearer { token } => Credentials::Bearer(token.clone()),
        };
        let upstream = Upstream::new(http, HostPolicy::for_registry(config), credentials, config.tls.allow_http);
        Self { base: config.base_url.clone(), upstream: Arc::new(upstream), ops }
    }

    /// `GET /v2/` (or the first catalogue page when the document lacks it):
    /// Ok when the registry answers as a registry.
    pub async fn probe(&self) -> Result<(), RegistryError> {
        let (t, query): (&RequestTemplate, &[(&str, &str)]) =
            match (self.ops.get(Op::CheckVersion), self.ops.get(Op::ListRepositories)) {
                (Some(t), _) => (t, &[]),
                (None, Some(t)) => (t, &[("n", "1")]),
                (None, None) => return Err(RegistryError::MissingOperation("checkVersion")),
            };
        let url = t.url(&self.base, &[], query)?;
        self.send(url, None, "the registry endpoint", BASE_SCOPE).await.map(drop)
    }

    /// Every repository name, following `Link` pagination to the end.
    pub async fn list_repositories(&self) -> Result<Vec<String>, RegistryError> {
        let t = self.ops.get(Op::ListRepositories).ok_or(RegistryError::MissingOperation("listRepositories"))?;
        let first = t.url(&self.base, &[], &[("n", PAGE_SIZE)])?;
        self.list_all(first, "repositories", "the catalogue", CATALOG_SCOPE).await
    }

    /// Every tag of a repository, following `Link` pagination to the end.
    pub async fn list_tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        validate_repository(repository)?;
        let t = self.ops.get(Op::ListTags).ok_or(RegistryError::MissingOperation("listTags"))?;
        let first = t.url(&self.base, &[("name", repository)], &[("n", PAGE_SIZE)])?;
        self.list_all(first, "tags", &format!("repository `{repository}`"), &repository_scope(repository)).await
    }

    /// A manifest or index by tag or digest, its digest checked against the
    /// bytes (and against the reference when that is a digest).
    pub async fn get_manifest(&self, repository: &str, reference: &str) -> Result<FetchedManifest, RegistryError> {
        validate_repository(repository)?;
        validate_reference(reference)?;
        let t = self.ops.get(Op::GetManifest).ok_or(RegistryError::MissingOperation("getManifest"))?;
        let url = t.url(&self.base, &[("name", repository), ("reference", reference)], &[])?;
        let what = format!("manifest `{repository}:{reference}`");
        let resp = self.send(url, Some(MANIFEST_ACCEPT), &what, &repository_scope(repository)).await?;
        let media_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
            .unwrap_or_default();
        let header_digest =
            resp.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = read_limited(resp, MAX_MANIFEST_BYTES, "a manifest").await?;
        let digest = sha256_digest(&body);
        if let Some(h) = header_digest.filter(|h| h.starts_with("sha256:") && *h != digest) {
            return Err(RegistryError::InvalidResponse(format!(
                "{what}: Docker-Content-Digest {h} does not match the body ({digest})"
            )));
        }
        if is_digest(reference) && reference.starts_with("sha256:") && reference != digest {
            return Err(RegistryError::InvalidResponse(format!("{what}: the body's digest is {digest}")));
        }
        Ok(FetchedManifest { digest, media_type, body })
    }

    /// An image configuration blob, its digest checked.
    pub async fn get_config_blob(&self, repository: &str, digest: &str) -> Result<Vec<u8>, RegistryError> {
        self.get_blob(repository, digest, MAX_CONFIG_BYTES, "an image configuration").await
    }

    /// Any blob up to `limit` bytes, its digest checked (an SBOM, a signature payload).
    pub async fn get_blob(
        &self,
        repository: &str,
        digest: &str,
        limit: u64,
        what: &'static str,
    ) -> Result<Vec<u8>, RegistryError> {
        validate_repository(repository)?;
        if !is_digest(digest) {
            return Err(RegistryError::InvalidResponse(format!("`{digest}` is not a digest")));
        }
        let t = self.ops.get(Op::GetBlob).ok_or(RegistryError::MissingOperation("getBlob"))?;
        let url = t.url(&self.base, &[("name", repository), ("digest", digest)], &[])?;
        let resp = self.send(url, None, &format!("blob {digest}"), &repository_scope(repository)).await?;
        let body = read_limited(resp, limit, what).await?;
        if digest.starts_with("sha256:") && sha256_digest(&body) != digest {
            return Err(RegistryError::InvalidResponse(format!("blob {digest} does not match its digest")));
        }
        Ok(body)
    }

    /// The referrers of a manifest through the OCI 1.1 referrers API, as the
    /// index body it answers; `None` when the registry has no such API
    /// (404, or the operation is not in the document).
    pub async fn list_referrers(&self, repository: &str, digest: &str) -> Result<Option<Vec<u8>>, RegistryError> {
        validate_repository(repository)?;
        if !is_digest(digest) {
            return Err(RegistryError::InvalidResponse(format!("`{digest}` is not a digest")));
        }
        let Some(t) = self.ops.get(Op::ListReferrers) else { return Ok(None) };
        let url = t.url(&self.base, &[("name", repository), ("digest", digest)], &[])?;
        let what = format!("the referrers of {digest}");
        match self
            .send(url, Some("application/vnd.oci.image.index.v1+json"), &what, &repository_scope(repository))
            .await
        {
            Ok(resp) => read_limited(resp, MAX_MANIFEST_BYTES, "a referrers index").await.map(Some),
            Err(RegistryError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the getBlob operation exists (configs can be read).
    pub fn can_read_blobs(&self) -> bool {
        self.ops.get(Op::GetBlob).is_some()
    }

    async fn list_all(&self, first: Url, field: &str, what: &str, scope: &str) -> Result<Vec<String>, RegistryError> {
        let mut items = Vec::new();
        let cut = self
            .upstream
            .pages(first, what, scope, MAX_PAGES, |url, headers, page| {
                match page.get(field) {
                    Some(serde_json::Value::Array(values)) => {
                        for v in values {
                            let name = v.as_str().ok_or_else(|| {
                                RegistryError::InvalidResponse(format!("{what}: `{field}` holds a non-string"))
                            })?;
                            items.push(name.to_string());
                        }
                    }
                    // Distribution answers `"tags": null` for a repository whose tags were all deleted.
                    Some(serde_json::Value::Null) | None if field == "tags" => {}
                    _ => {
                        return Err(RegistryError::InvalidResponse(format!(
                            "{what}: the response has no `{field}` list"
                        )));
                    }
                }
                next_link(headers, url).map_err(RegistryError::InvalidResponse)
            })
            .await?;
        if cut {
            return Err(RegistryError::InvalidResponse(format!("{what}: more than {MAX_PAGES} pages")));
        }
        Ok(items)
    }

    async fn send(&self, url: Url, accept: Option<&str>, what: &str, scope: &str) -> Result<Response, RegistryError> {
        self.upstream.get(url, accept, what, scope).await
    }
}

/// Maps a final response's status to success or an error kind.
pub(super) fn classify(resp: Response, what: &str) -> Result<Response, RegistryError> {
    match resp.status() {
        s if s.is_success() => Ok(resp),
        StatusCode::UNAUTHORIZED => Err(RegistryError::Unauthorized),
        // GitHub answers 403 (or 429) with `x-ratelimit-remaining: 0` when
        // the quota is spent: a rate limit, not a refusal.
        StatusCode::FORBIDDEN if quota_spent(resp.headers()) => {
            Err(RegistryError::RateLimited { retry_after: retry_after(resp.headers()) })
        }
        StatusCode::FORBIDDEN => Err(RegistryError::Forbidden),
        StatusCode::NOT_FOUND => Err(RegistryError::NotFound(what.to_string())),
        StatusCode::TOO_MANY_REQUESTS => Err(RegistryError::RateLimited { retry_after: retry_after(resp.headers()) }),
        s if s.is_server_error() => Err(RegistryError::Unavailable(format!("HTTP {} for {what}", s.as_u16()))),
        s => Err(RegistryError::InvalidResponse(format!("unexpected HTTP {} for {what}", s.as_u16()))),
    }
}

/// The HTTP client for one registry (its documents, token realm and API):
/// TLS policy, timeouts, the host allowlist on redirects and on DNS answers.
pub fn transport(config: &RegistryConfig) -> Result<reqwest::Client, String> {
    let hosts = HostPolicy::for_registry(config);
    let resolver = hosts.resolver();
    let policy = redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if hosts.check(attempt.url()).is_ok() {
            attempt.follow()
        } else {
            let host = attempt.url().host_str().unwrap_or("?").to_string();
            attempt.error(format!("{BLOCKED_PREFIX}{host}"))
        }
    });
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("reestr/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(policy)
        .dns_resolver(resolver)
        .https_only(!config.tls.allow_http)
        .danger_accept_invalid_certs(config.tls.allow_insecure);
    if let Some(path) = &config.tls.ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// How long to wait: `Retry-After` in seconds, else the quota's reset time
/// (`x-ratelimit-reset`, Unix seconds, as GitHub and GitLab send it).
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    number(RETRY_AFTER.as_str()).map(Duration::from_secs).or_else(|| {
        let reset = number("x-ratelimit-reset")?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
    })
}

/// Whether the answer says the request quota is spent.
fn quota_spent(headers: &HeaderMap) -> bool {
    headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "0")
}

pub(super) async fn read_limited(mut resp: Response, limit: u64, what: &'static str) -> Result<Vec<u8>, RegistryError> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(RegistryError::TooLarge { what, limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| RegistryError::from_reqwest(&e, REQUEST_TIMEOUT))? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(RegistryError::TooLarge { what, limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_of_the_bytes() {
        assert_eq!(sha256_digest(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
