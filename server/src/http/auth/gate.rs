//! The middleware every request passes: who is asking (session cookie, or
//! `Authorization: Bearer` API token on `/api`), whether they may (pages
//! lead to the login or first-run setup; the API and server functions
//! answer 401), and whether a state-changing request came from Reestr's own
//! pages (the `Origin` check that stands in for CSRF tokens).

use app::error::{AppError, ErrorKind};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::cookies::session_token;
use app::model::Grants;

use crate::access::{Access, Mode, Principal, Role, StoreError, User, Via};
use crate::http::problem::Problem;
use crate::http::surface::{Kind, Surface};

/// The client's address as the throttle counts it.
pub fn client_ip(req: &Request) -> String {
    crate::http::client_addr::client_addr(req.extensions(), req.headers())
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether a state-changing request came from a page of this very origin:
/// its `Origin` equals the public URL's origin (when set) or this request's
/// own `Host`; without `Origin`, `Sec-Fetch-Site: same-origin` will do.
pub fn same_origin(headers: &HeaderMap, public_url: Option<&url::Url>) -> bool {
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => match public_url {
            Some(url) => origin == url.origin().ascii_serialization(),
            None => {
                let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
                !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
            }
        },
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin"),
    }
}

fn refuse(kind: ErrorKind, message: &str) -> Response {
    let mut resp = Problem(AppError::new(kind, message)).into_response();
    if kind == ErrorKind::NotSignedIn {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer realm=\"reestr\""));
    }
    resp
}

/// The login page's address that comes back to `path_and_query` afterwards.
pub fn login_redirect(path_and_query: &str) -> String {
    if path_and_query == "/" || path_and_query.is_empty() {
        "/login".into()
    } else {
        let next: String = url::form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect();
        format!("/login?next={next}")
    }
}

/// Lets `req` through to `next` if its caller may reach a route of class
/// `surface`; the principal goes on the request for the extractors.
pub async fn gate(access: &Access, surface: Surface, mut req: Request, next: Next) -> Response {
    // The methods routes change state with; others (TRACE, QUERY, …) reach
    // the router, which answers 405 where a route lacks them.
    let changes_state =
        matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE) && !surface.read_only;

    let principal = match who(access, req.headers(), surface.kind == Kind::Rest).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "the access store failed");
            return refuse(ErrorKind::Internal, "the user database is unavailable");
        }
    };
    let by_token = principal.as_ref().is_some_and(|p| p.via == Via::Token);
    if changes_state && !by_token && !same_origin(req.headers(), access.policy.public_url.as_ref()) {
        let shown: String = req.uri().path().chars().take(200).collect();
        tracing::warn!(path = %shown, "refused a state-changing request from another origin");
        return refuse(ErrorKind::NotAllowed, "this request did not come from Reestr's own pages");
    }
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p.viewer(access.mode));
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        None if surface.public => next.run(req).await,
        None => {
            let setup = matches!(access.needs_setup().await, Ok(true));
            if surface.kind.is_json() || changes_state {
                let message =
                    if setup { "Reestr is not set up yet: open /setup" } else { "sign in, or send an API token" };
                refuse(ErrorKind::NotSignedIn, message)
            } else if setup {
                Redirect::to("/setup").into_response()
            } else {
                let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                (StatusCode::SEE_OTHER, [(header::LOCATION, login_redirect(target))]).into_response()
            }
        }
    }
}

/// The principal behind a request, if any. API tokens count on `/api` only
/// (`rest`); pages and server functions need a session.
async fn who(access: &Access, headers: &HeaderMap, rest: bool) -> Result<Option<Principal>, StoreError> {
    if access.mode == Mode::Open {
        return Ok(Some(Principal {
            user: User { id: String::new(), username: "anonymous".into(), grants: Grants::everywhere(Role::Admin) },
            via: Via::Open,
        }));
    }
    if rest && let Some(token) = bearer(headers) {
        return access.from_api_token(token).await;
    }
    match session_token(headers) {
        Some(token) => access.from_session(&token).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append(*k, v);
            }
        }
        h
    }

    #[test]
    fn only_the_own_origin_may_change_state() {
        let own = headers(&[("host", "reestr:8080"), ("origin", "http://reestr:8080")]);
        assert!(same_origin(&own, None));
        let evil = headers(&[("host", "reestr:8080"), ("origin", "https://evil.example")]);
        assert!(!same_origin(&evil, None));
        let fetch = headers(&[("host", "reestr"), ("sec-fetch-site", "same-origin")]);
        assert!(same_origin(&fetch, None));
        let cross = headers(&[("host", "reestr"), ("sec-fetch-site", "cross-site")]);
        assert!(!same_origin(&cross, None));
        assert!(!same_origin(&headers(&[("host", "reestr")]), None), "no Origin, no Sec-Fetch-Site");
        let public = url::Url::parse("https://reestr.example.com/").ok();
        let proxied = headers(&[("host", "10.0.0.5:3000"), ("origin", "https://reestr.example.com")]);
        assert!(same_origin(&proxied, public.as_ref()));
        assert!(!same_origin(&own, public.as_ref()));
    }

    #[test]
    fn bearer_tokens_are_read_exactly() {
        let h = headers(&[("authorization", "Bearer  tok ")]);
        assert_eq!(bearer(&h), Some("tok"));
        assert_eq!(login_redirect("/registries/local?q=a b"), "/login?next=%2Fregistries%2Flocal%3Fq%3Da+b");
    }
}
