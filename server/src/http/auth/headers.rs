//! Security headers on every response: a strict Content-Security-Policy
//! (scripts only from this origin or carrying this response's nonce, no
//! framing, forms post only here), no MIME sniffing, no referrer leaks,
//! HSTS when served over HTTPS.

use crate::http::surface::Surface;
use app::model::CspNonce;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

/// The policy for a response whose inline scripts carry `nonce`. WASM needs
/// `'wasm-unsafe-eval'`; Leptos sets a few `style` attributes; README images
/// may come from anywhere over HTTPS.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    let https =
        req.headers().get("x-forwarded-proto").is_some_and(|p| p == "https") || req.uri().scheme_str() == Some("https");
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut resp = next.run(req).await;
    let no_store = resp.extensions().get::<Surface>().is_some_and(|s| s.no_store);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    if no_store {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp
}
