//! What can go wrong talking to a registry, in kinds a user can act on.

use std::time::Duration;

/// A failed registry call. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the registry refused the credentials (HTTP 401)")]
    Unauthorized,
    #[error("the credentials lack access to this resource (HTTP 403)")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(String),
    #[error("the registry is rate limiting requests{}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("the registry is unavailable: {0}")]
    Unavailable(String),
    #[error("the registry did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("the registry's answer is invalid: {0}")]
    InvalidResponse(String),
    #[error("the registry's answer is larger than the {limit} byte limit for {what}")]
    TooLarge { what: &'static str, limit: u64 },
    #[error("refused to contact {0}: not the registry's host and not in allowedHosts")]
    HostNotAllowed(String),
    #[error(
        "refused to contact {0}: a link-local or cloud-metadata address (list it exactly in allowedHosts to allow it)"
    )]
    SensitiveAddress(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the registry's API document has no `{0}` operation")]
    MissingOperation(&'static str),
    #[error("{0}")]
    NotConfigured(String),
}

impl RegistryError {
    /// Maps a transport failure, keeping only what is safe and useful to show.
    pub(crate) fn from_reqwest(e: &reqwest::Error, timeout: Duration) -> Self {
        if e.is_timeout() {
            return Self::Timeout(timeout);
        }
        if e.is_redirect() {
            let cause = std::error::Error::source(e).map(ToString::to_string).unwrap_or_default();
            return match cause.strip_prefix(super::client::BLOCKED_PREFIX) {
                Some(host) => Self::HostNotAllowed(host.to_string()),
                None => Self::InvalidResponse(format!("redirects: {cause}")),
            };
        }
        let chain = source_chain(e);
        if let Some((host, _)) = chain.split_once(&format!(" resolves only to a {}", super::guard::SENSITIVE_MARK)) {
            let host = host.rsplit(": ").next().unwrap_or(host).to_string();
            return Self::SensitiveAddress(host);
        }
        if chain.contains("certificate") || chain.contains("UnknownIssuer") {
            let detail = chain.rsplit(": ").next().unwrap_or_default().trim().to_string();
            return Self::Unavailable(format!(
                "TLS: the server's certificate is not trusted ({detail}); set tls.caFile to its CA (or tls.allowInsecure)"
            ));
        }
        if e.is_connect() {
            return Self::Unavailable(format!(
                "cannot connect to {}",
                e.url().map(|u| u.origin().ascii_serialization()).unwrap_or_default()
            ));
        }
        if e.is_body() || e.is_decode() {
            return Self::InvalidResponse("the response body could not be read".to_string());
        }
        Self::Unavailable("the request failed".to_string())
    }
}

/// Every cause of an error, joined with `: `.
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(c) = cur {
        parts.push(c.to_string());
        cur = c.source();
    }
    parts.join(": ")
}

impl From<RegistryError> for app::error::AppError {
    fn from(e: RegistryError) -> Self {
        use app::error::ErrorKind as K;
        let kind = match &e {
            RegistryError::Unauthorized => K::Unauthorized,
            RegistryError::Forbidden => K::Forbidden,
            RegistryError::NotFound(_) => K::NotFound,
            RegistryError::RateLimited { .. } => K::RateLimited,
            RegistryError::Unavailable(_) | RegistryError::HostNotAllowed(_) | RegistryError::SensitiveAddress(_) => {
                K::Unavailable
            }
            RegistryError::Timeout(_) => K::Timeout,
            RegistryError::InvalidResponse(_) | RegistryError::TooLarge { .. } => K::InvalidResponse,
            RegistryError::BadRequest(_) => K::BadRequest,
            RegistryError::MissingOperation(_) | RegistryError::NotConfigured(_) => K::Unsupported,
        };
        let retry_after = match &e {
            RegistryError::RateLimited { retry_after } => retry_after.map(|d| d.as_secs()),
            _ => None,
        };
        Self { retry_after, ..Self::new(kind, e.to_string()) }
    }
}
