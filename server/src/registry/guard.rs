//! The outbound allowlist (SSRF guard). Reestr contacts only the registry's
//! host, its API document's host and the configured `allowedHosts`; token
//! realms and redirects must land there too. Link-local and cloud-metadata
//! addresses are refused, by literal IP and after DNS resolution, unless a
//! host is listed exactly (not by wildcard).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use super::RegistryError;
use crate::config::{DocumentSource, RegistryConfig};

/// Text that marks a resolver refusal in reqwest's error chain.
pub(crate) const SENSITIVE_MARK: &str = "link-local or cloud-metadata address";

/// Hostnames of cloud metadata services.
const METADATA_NAMES: [&str; 3] = ["metadata.google.internal", "metadata.goog", "metadata"];

/// Which hosts one registry may contact.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// `host`, `host:port` or `*.parent` entries.
    allowed: Arc<Vec<String>>,
}

impl HostPolicy {
    /// The base URL's host, the API document's host, the catalogue API's
    /// (`api.baseUrl`), the profile's own hosts (Docker Hub's
    /// `hub.docker.com`) and `allowedHosts`.
    pub fn for_registry(config: &RegistryConfig) -> Self {
        let mut allowed = config.allowed_hosts.clone();
        allowed.extend(config.base_url.host_str().map(str::to_ascii_lowercase));
        if let DocumentSource::Url(u) = &config.api.document {
            allowed.extend(u.host_str().map(str::to_ascii_lowercase));
        }
        if let Some(u) = &config.api.base_url {
            allowed.extend(u.host_str().map(str::to_ascii_lowercase));
        }
        allowed.extend(config.api.profile.hosts.iter().cloned());
        Self { allowed: Arc::new(allowed) }
    }

    /// Ok when `url` may be contacted.
    pub fn check(&self, url: &Url) -> Result<(), RegistryError> {
        let host = url.host_str().map(str::to_ascii_lowercase).unwrap_or_default();
        if !self.matches(url) {
            return Err(RegistryError::HostNotAllowed(host));
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let sensitive = match bare.parse::<IpAddr>() {
            Ok(ip) => is_sensitive(ip),
            Err(_) => METADATA_NAMES.contains(&bare),
        };
        if sensitive && !self.is_explicit(bare) {
            return Err(RegistryError::SensitiveAddress(host));
        }
        Ok(())
    }

    fn matches(&self, url: &Url) -> bool {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else { return false };
        let with_port = url.port_or_known_default().map(|p| format!("{host}:{p}"));
        self.allowed.iter().any(|a| {
            *a == host
                || with_port.as_deref() == Some(a.as_str())
                || a.strip_prefix("*.").is_some_and(|parent| host.ends_with(&format!(".{parent}")))
        })
    }

    /// Listed as is (with or without a port), not through a wildcard.
    fn is_explicit(&self, host: &str) -> bool {
        self.allowed.iter().any(|a| {
            let a = a.trim_start_matches('[');
            a == host
                || a.strip_prefix(host)
                    .is_some_and(|rest| rest.starts_with(':') || rest.starts_with("]:") || rest == "]")
        })
    }

    /// A DNS resolver that drops sensitive addresses for hosts not listed exactly.
    pub fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver { policy: self.clone() })
    }
}

/// Link-local (169.254/16, fe80::/10) and well-known metadata endpoints.
pub fn is_sensitive(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local() || v4 == Ipv4Addr::new(100, 100, 100, 200) || v4 == Ipv4Addr::new(168, 63, 129, 16)
        }
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
                || v6.to_ipv4_mapped().is_some_and(|v4| is_sensitive(IpAddr::V4(v4)))
        }
    }
}

/// Resolves with the system resolver, then applies the policy.
#[derive(Debug)]
pub struct GuardedResolver {
    policy: HostPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept = filter_addresses(&policy, &host, addrs)?;
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

fn filter_addresses(
    policy: &HostPolicy,
    host: &str,
    addrs: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    if policy.is_explicit(host) {
        return Ok(addrs);
    }
    let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_sensitive(a.ip())).collect();
    if kept.is_empty() {
        return Err(format!("{host} resolves only to a {SENSITIVE_MARK}").into());
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &[&str]) -> HostPolicy {
        HostPolicy { allowed: Arc::new(hosts.iter().map(|h| h.to_string()).collect()) }
    }

    fn check(p: &HostPolicy, url: &str) -> Result<(), String> {
        let url = Url::parse(url).map_err(|e| e.to_string())?;
        p.check(&url).map_err(|e| e.to_string())
    }

    #[test]
    fn only_configured_hosts_are_allowed() {
        let p = policy(&["127.0.0.1", "*.blob.example", "cdn.example:8443"]);
        assert!(check(&p, "http://127.0.0.1:5000/v2/").is_ok());
        assert!(check(&p, "https://eu.blob.example/x").is_ok());
        assert!(check(&p, "https://cdn.example:8443/x").is_ok());
        assert_eq!(
            check(&p, "https://cdn.example/x"),
            Err("refused to contact cdn.example: not the registry's host and not in allowedHosts".into())
        );
        assert!(check(&p, "https://blob.example.evil.com/").is_err());
    }

    #[test]
    fn metadata_and_link_local_need_an_exact_entry() {
        let wildcard = policy(&["*.internal", "169.254.169.254:8080"]);
        assert_eq!(
            check(&wildcard, "http://metadata.google.internal/computeMetadata/v1/"),
            Err("refused to contact metadata.google.internal: a link-local or cloud-metadata address (list it exactly in allowedHosts to allow it)".into())
        );
        assert!(check(&wildcard, "http://169.254.169.254:8080/").is_ok(), "listed exactly with its port");
        let exact = policy(&["metadata.google.internal", "[fe80::1]"]);
        assert!(check(&exact, "http://metadata.google.internal/").is_ok());
        assert!(check(&exact, "http://[fe80::1]/").is_ok());
    }

    #[test]
    fn sensitive_addresses_are_recognised() {
        for ip in [
            "169.254.169.254",
            "169.254.0.1",
            "100.100.100.200",
            "168.63.129.16",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
        ] {
            assert!(ip.parse().map(is_sensitive).unwrap_or(false), "{ip}");
        }
        for ip in ["127.0.0.1", "10.0.0.1", "192.168.1.1", "::1", "2001:db8::1"] {
            assert!(!ip.parse().map(is_sensitive).unwrap_or(true), "{ip}");
        }
    }

    #[test]
    fn resolved_metadata_addresses_are_dropped_for_names_not_listed_exactly() {
        let p = policy(&["*.example.com"]);
        let meta: SocketAddr = ([169, 254, 169, 254], 0).into();
        let fine: SocketAddr = ([10, 0, 0, 7], 0).into();
        assert_eq!(filter_addresses(&p, "r.example.com", vec![meta, fine]).ok(), Some(vec![fine]));
        let err = filter_addresses(&p, "rebind.example.com", vec![meta]).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("rebind.example.com resolves only to a link-local or cloud-metadata address"));
        let listed = policy(&["rebind.example.com"]);
        assert_eq!(filter_addresses(&listed, "rebind.example.com", vec![meta]).ok(), Some(vec![meta]));
    }
}
