//! Security headers on every response: a strict Content-Security-Policy
//! (scripts only from this origin or carrying this response's nonce, no
//! framing, forms post only here), no MIME sniffing, no referrer leaks,
//! HSTS when served over HTTPS.

use crate::http::surface::Surface;
use app::model::CspNonce;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

/// What the policy allows beyond the site itself, decided once at start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// `cargo leptos watch`'s live-reload socket port: set only in a debug
    /// build started by the watcher (`LEPTOS_WATCH`), never in a release.
    pub live_reload: Option<u32>,
}

impl Policy {
    /// The policy for this process: the live-reload socket is allowed when a
    /// debug build runs under `cargo leptos watch`.
    pub fn for_process(options: &leptos::config::LeptosOptions) -> Self {
        let watched = cfg!(debug_assertions) && std::env::var_os("LEPTOS_WATCH").is_some();
        let port = options.reload_external_port.unwrap_or(options.reload_port);
        Self { live_reload: watched.then_some(port) }
    }

    /// The policy for a response whose inline scripts carry `nonce`. WASM
    /// needs `'wasm-unsafe-eval'`; Leptos sets a few `style` attributes;
    /// README images may come from anywhere over HTTPS. The live-reload
    /// script connects to the page's own host name on the watcher's port.
    pub fn content_security_policy(&self, nonce: &str) -> String {
        let reload = self.live_reload.map(|p| format!(" ws://*:{p} wss://*:{p}")).unwrap_or_default();
        format!(
            "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             style-src-attr 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'{reload}; \
             font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// `Cache-Control` for a response of `surface`, unless it set its own
/// (`has_own`: the front end's hashed files are immutable). What shows or
/// takes secrets is never stored; a page is this user's and always
/// revalidated (its data is cached on the server, not in the browser's
/// HTTP cache); the site's unhashed files are revalidated too, so a new
/// release's `passkeys.js` is never shadowed by an old copy.
fn caching(surface: Option<Surface>, has_own: bool) -> Option<&'static str> {
    use crate::http::surface::Kind;
    let surface = surface?;
    match surface.kind {
        _ if surface.no_store => Some("no-store"),
        _ if has_own => None,
        Kind::Page => Some("private, no-cache"),
        Kind::Probe => Some("no-cache"),
        Kind::Rest | Kind::ServerFn | Kind::Form => None,
    }
}

pub async fn security_headers(State(policy): State<Policy>, mut req: Request, next: Next) -> Response {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    let https =
        req.headers().get("x-forwarded-proto").is_some_and(|p| p == "https") || req.uri().scheme_str() == Some("https");
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut resp = next.run(req).await;
    let surface = resp.extensions().get::<Surface>().copied();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&policy.content_security_policy(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    if let Some(policy) = caching(surface, h.contains_key(header::CACHE_CONTROL)) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::Policy;

    #[test]
    fn the_live_reload_socket_is_allowed_only_when_asked() {
        let plain = Policy::default().content_security_policy("n");
        assert!(plain.contains("connect-src 'self';"), "{plain}");
        let watched = Policy { live_reload: Some(3001) }.content_security_policy("n");
        assert!(watched.contains("connect-src 'self' ws://*:3001 wss://*:3001;"), "{watched}");
    }
}
