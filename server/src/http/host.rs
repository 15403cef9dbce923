//! Which `Host` names Reestr answers to: the defence against DNS rebinding.
//! A page on `attacker.test` whose name is made to resolve to Reestr's
//! address would otherwise be same-origin with it (its `Origin` matches its
//! `Host`), read private registry data and pass the CSRF check. Reestr
//! answers only to names that cannot be rebound: loopback names, IP
//! literals (a browser sends one only when it was pointed at the address
//! itself, so the page is Reestr's own), the host of `REESTR_PUBLIC_URL`,
//! and `REESTR_ALLOWED_HOSTS`. Anything else gets 421 before any handler
//! runs (Django's `ALLOWED_HOSTS`, for the same attack).

use std::net::IpAddr;
use std::sync::Arc;

use app::error::{AppError, ErrorKind};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::Problem;

/// The host names Reestr answers to, besides loopback names and IP literals.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    /// Lower-case names; one starting with `.` also allows its subdomains.
    names: Vec<String>,
}

impl AllowedHosts {
    /// The public URL's host and the extra names.
    pub fn new(public_url: Option<&url::Url>, extra: &[String]) -> Self {
        let names = public_url
            .and_then(|u| u.host_str())
            .into_iter()
            .map(str::to_string)
            .chain(extra.iter().cloned())
            .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        Self { names }
    }

    /// From `REESTR_ALLOWED_HOSTS` (names separated by commas or spaces).
    pub fn from_env(public_url: Option<&url::Url>) -> Result<Self, String> {
        let raw = std::env::var("REESTR_ALLOWED_HOSTS").unwrap_or_default();
        let extra: Vec<String> = raw.split([',', ' ']).filter(|s| !s.trim().is_empty()).map(str::to_string).collect();
        if let Some(bad) = extra.iter().find(|n| !valid_name(n.trim().trim_start_matches('.'))) {
            return Err(format!("REESTR_ALLOWED_HOSTS: `{bad}` is not a host name (no scheme, port or path)"));
        }
        Ok(Self::new(public_url, &extra))
    }

    /// Whether a request naming `host` (`name` or `name:port`) may be answered.
    pub fn allows(&self, host: &str) -> bool {
        let Some(name) = host_name(host) else { return false };
        if name.parse::<IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        self.names.iter().any(|allowed| match allowed.strip_prefix('.') {
            Some(domain) => name == domain || name.strip_suffix(allowed.as_str()).is_some_and(|sub| !sub.is_empty()),
            None => name == *allowed,
        })
    }
}

/// `host[:port]` → the lower-case name (IPv6 without brackets); `None` when
/// it is not a well-formed authority.
fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(valid_port)) {
            return None;
        }
        v6.parse::<std::net::Ipv6Addr>().ok()?;
        v6
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if valid_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (valid_name(&name) || name.parse::<IpAddr>().is_ok()).then_some(name)
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// A DNS name: 1–253 characters of letters, digits, `-` and `.`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !name.starts_with('.')
}

/// Refuses requests for a host Reestr does not answer to (421, a problem
/// document naming the settings). A request without any host (HTTP/1.0,
/// scripts) cannot come from a browser page and passes.
pub async fn check_host(State(allowed): State<Arc<AllowedHosts>>, req: Request, next: Next) -> Response {
    let from_uri = req.uri().authority().map(|a| a.as_str().rsplit('@').next().unwrap_or_default().to_string());
    let from_header = req.headers().get(header::HOST).map(|h| h.to_str().unwrap_or("\u{0}").to_string());
    let refused = [from_uri.as_deref(), from_header.as_deref()].into_iter().flatten().find(|h| !allowed.allows(h));
    match refused {
        None => next.run(req).await,
        Some(host) => {
            let shown: String = host.chars().filter(|c| !c.is_control()).take(100).collect();
            tracing::warn!(host = ?shown, "refused a request for a host Reestr does not answer to");
            Problem(AppError::new(
                ErrorKind::MisdirectedHost,
                format!(
                    "this server does not answer to the host `{shown}`; set REESTR_PUBLIC_URL to the address users \
                     open, or add the name to REESTR_ALLOWED_HOSTS"
                ),
            ))
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_ip_literals_and_configured_names_only() {
        let none = AllowedHosts::default();
        for ok in
            ["localhost", "localhost:3000", "app.localhost:80", "127.0.0.1:3000", "[::1]:3000", "10.1.2.3", "LOCALHOST"]
        {
            assert!(none.allows(ok), "{ok}");
        }
        for bad in [
            "rebind.attacker.test",
            "rebind.attacker.test:3000",
            "localhost.attacker.test",
            "127.0.0.1.nip.io",
            "",
            "a b",
            "localhost:x",
            "[::1",
            "[zz]:1",
            "evil\u{0}",
        ] {
            assert!(!none.allows(bad), "{bad}");
        }
        let public = url::Url::parse("https://Reestr.Example.com/").ok();
        let hosts = AllowedHosts::new(public.as_ref(), &[".corp.test".into(), "other.test".into()]);
        for ok in ["reestr.example.com", "reestr.example.com:443", "a.corp.test", "corp.test", "other.test:8080"] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in ["example.com", "xcorp.test", "sub.other.test", "reestr.example.com.evil.test"] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }
}
