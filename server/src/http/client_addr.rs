//! The client's address, as the login throttle and the API rate limit count
//! it: the TCP peer, unless the peer is a proxy listed in
//! `REESTR_TRUSTED_PROXIES` (addresses or CIDR ranges, comma-separated; e.g.
//! the Knative queue-proxy and the Tailscale ingress). Then it is the last
//! `X-Forwarded-For` address that is not itself a trusted proxy: the
//! right-most entries are the ones trusted hops wrote, the left ones anyone
//! could have sent.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

static TRUSTED: OnceLock<Vec<IpNet>> = OnceLock::new();

/// Reads `REESTR_TRUSTED_PROXIES` once, at start.
pub fn init_from_env() -> Result<(), String> {
    let list = parse(&std::env::var("REESTR_TRUSTED_PROXIES").unwrap_or_default())?;
    if !list.is_empty() {
        tracing::info!(proxies = ?list, "client addresses are read from X-Forwarded-For behind these proxies");
    }
    let _ = TRUSTED.set(list);
    Ok(())
}

fn parse(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("REESTR_TRUSTED_PROXIES: `{s}` is neither an address nor a CIDR range"))
        })
        .collect()
}

/// The client's address, `None` when the connection's is unknown.
pub fn client_addr(extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip())?;
    Some(resolve(peer, headers, TRUSTED.get().map(Vec::as_slice).unwrap_or_default()))
}

fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        // A malformed header is not trusted at all.
        .unwrap_or_default();
    forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", axum::http::HeaderValue::from_str(v).unwrap_or_else(|_| unreachable!()));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let trusted = parse("10.0.0.0/8, 127.0.0.1").unwrap_or_default();
        assert_eq!(trusted.len(), 2);
        // An untrusted peer's header is ignored.
        assert_eq!(resolve(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &trusted), ip("203.0.113.9"));
        // Behind trusted hops: the right-most untrusted entry, not a forged left one.
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(resolve(ip("10.9.9.9"), &h, &trusted), ip("198.51.100.7"));
        // Nothing usable: the peer.
        assert_eq!(resolve(ip("127.0.0.1"), &headers(&[]), &trusted), ip("127.0.0.1"));
        assert_eq!(resolve(ip("127.0.0.1"), &headers(&["not-an-ip"]), &trusted), ip("127.0.0.1"));
        assert!(parse("10.0.0.0/33").is_err() && parse("proxy.local").is_err());
        assert!(parse(" ").is_ok_and(|l| l.is_empty()));
    }
}
