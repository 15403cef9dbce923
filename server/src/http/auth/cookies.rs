//! Every cookie Reestr reads or sets, through axum-extra's `CookieJar` (the
//! `cookie` crate parses and writes them: quoting, attributes, removal), so
//! no handler builds a `Set-Cookie` string of its own.

use std::time::Duration;

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "reestr_session";
/// Its name over HTTPS: the `__Host-` prefix makes browsers refuse it
/// unless it is `Secure`, host-only and for `/`, so a sibling subdomain
/// cannot plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-reestr_session";
/// The cookie a just-made API token rides in to the account page, once.
pub const NEW_TOKEN_COOKIE: &str = "reestr_new_token";
/// The cookie a just-made invitation rides in to the users page, once.
pub const NEW_INVITE_COOKIE: &str = "reestr_new_invite";
/// The cookie a just-issued password reset link rides in to the users page, once.
pub const NEW_RESET_COOKIE: &str = "reestr_new_reset";
/// The cookie just-made recovery codes ride in to the account page, once.
pub const NEW_CODES_COOKIE: &str = "reestr_new_codes";
/// A password login waiting for its second factor.
pub const PENDING_LOGIN_COOKIE: &str = "reestr_pending_login";
/// A single sign-on under way: its `state`, so the provider's answer is
/// accepted only in the browser that started it.
pub const SSO_STATE_COOKIE: &str = "reestr_sso_state";
/// How long a once-shown secret waits for its page.
const ONCE: Duration = Duration::from_secs(60);

/// A cookie's value from the request, if present and not empty.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// The session token a request carries, under either name (the secure one
/// wins when both are there).
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    read(headers, SECURE_SESSION_COOKIE).or_else(|| read(headers, SESSION_COOKIE))
}

fn max_age(d: Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The session cookie for `token`: `__Host-` and `Secure` over HTTPS;
/// HttpOnly, `SameSite=Lax` (a link from elsewhere still opens a page
/// signed in; the origin check guards changes), living `lifetime`.
pub fn session(token: &str, secure: bool, lifetime: Duration) -> Cookie<'static> {
    let name = if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE };
    http_only(name, token, secure, SameSite::Lax, lifetime)
}

/// A secret shown once by the page it leads to: HttpOnly, a minute, sent
/// only on this origin's own navigations.
pub fn once(name: &'static str, value: &str, secure: bool) -> Cookie<'static> {
    http_only(name, value, secure, SameSite::Strict, ONCE)
}

/// The cookie of a login waiting for its second factor: HttpOnly, sent
/// only on this origin's own navigations, living as long as the wait.
pub fn pending_login(token: &str, secure: bool, lifetime: Duration) -> Cookie<'static> {
    http_only(PENDING_LOGIN_COOKIE, token, secure, SameSite::Strict, lifetime)
}

/// `jar` with the pending-login cookie cleared.
pub fn end_pending_login(jar: CookieJar) -> CookieJar {
    jar.add(Cookie::build((PENDING_LOGIN_COOKIE, "")).path("/").http_only(true).max_age(time::Duration::ZERO).build())
}

/// The cookie of a single sign-on under way. `SameSite=Lax`: the provider
/// sends the browser back with a top-level navigation from its own site,
/// which `Strict` would strip it from.
pub fn sso_state(state: &str, secure: bool, lifetime: Duration) -> Cookie<'static> {
    http_only(SSO_STATE_COOKIE, state, secure, SameSite::Lax, lifetime)
}

/// `jar` with the single sign-on cookie cleared.
pub fn end_sso_state(jar: CookieJar) -> CookieJar {
    jar.add(Cookie::build((SSO_STATE_COOKIE, "")).path("/").http_only(true).max_age(time::Duration::ZERO).build())
}

fn http_only(
    name: &'static str,
    value: &str,
    secure: bool,
    same_site: SameSite,
    lifetime: Duration,
) -> Cookie<'static> {
    Cookie::build((name, value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(secure)
        .max_age(max_age(lifetime))
        .build()
}

/// `jar` with the session cookie cleared under both names, whichever the
/// browser holds.
pub fn end_session(jar: CookieJar) -> CookieJar {
    [(SESSION_COOKIE, false), (SECURE_SESSION_COOKIE, true)].into_iter().fold(jar, |jar, (name, secure)| {
        let mut gone =
            Cookie::build((name, "")).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build();
        gone.make_removal();
        jar.add(gone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;

    fn headers(cookie: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(cookie) {
            h.append(axum::http::header::COOKIE, v);
        }
        h
    }

    #[test]
    fn cookies_are_read_exactly() {
        let h = headers("a=1; reestr_session=abc; b=2");
        assert_eq!(read(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read(&h, "reestr"), None);
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
        let both = headers("reestr_session=plain; __Host-reestr_session=secure");
        assert_eq!(session_token(&both).as_deref(), Some("secure"));
        assert_eq!(session_token(&headers("reestr_session=")), None);
    }

    fn set_cookies(jar: CookieJar) -> Vec<String> {
        let resp = (jar, ()).into_response();
        resp.headers()
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    #[test]
    fn cookies_carry_their_attributes() {
        let [plain] = set_cookies(CookieJar::new().add(session("t", false, Duration::from_secs(3600))))
            .try_into()
            .unwrap_or_default();
        for part in ["reestr_session=t", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
            assert!(plain.contains(part), "{plain} lacks {part}");
        }
        assert!(!plain.contains("Secure"));
        let [secure] = set_cookies(CookieJar::new().add(session("t", true, Duration::from_secs(60))))
            .try_into()
            .unwrap_or_default();
        assert!(secure.starts_with("__Host-reestr_session=t") && secure.contains("Secure"), "{secure}");
        let [once] =
            set_cookies(CookieJar::new().add(once(NEW_TOKEN_COOKIE, "reestr_x", false))).try_into().unwrap_or_default();
        assert!(once.contains("SameSite=Strict") && once.contains("Max-Age=60"), "{once}");
        let gone = set_cookies(end_session(CookieJar::new()));
        assert_eq!(gone.len(), 2, "{gone:?}");
        assert!(gone.iter().all(|c| c.contains("Max-Age=0")), "{gone:?}");
        assert!(gone.iter().any(|c| c.starts_with("__Host-reestr_session=;") && c.contains("Secure")), "{gone:?}");
    }
}
