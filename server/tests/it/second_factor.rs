//! Two-step verification over HTTP (issue 21): set up an authenticator app
//! on the account page, then every password sign-in asks for its code; an
//! administrator may require it, and then nobody gets a password session
//! without setting one up first.
//! Codes are computed here with an RFC 6238 implementation of the test's
//! own (HMAC-SHA1 from the `hmac` and `sha1` crates, checked against the
//! RFC's test vector), not with the crate the server uses.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use reqwest::header::COOKIE;

use crate::access::{PASSWORD, client, fresh_postgres, location, session_cookie, session_of, set_cookie, start};
use crate::support::{Scratch, TestApp, TestResult};

/// RFC 4648 base32, without padding.
fn base32(text: &str) -> TestResult<Vec<u8>> {
    let (mut bits, mut value, mut out) = (0_u32, 0_u64, Vec::new());
    for c in text.trim_end_matches('=').chars() {
        let v = match c {
            'A'..='Z' => c as u64 - 'A' as u64,
            '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return Err(format!("not base32: {c:?}").into()),
        };
        value = (value << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// RFC 6238 with SHA-1, 30-second steps, `digits` digits.
fn totp(key: &[u8], unix: u64, digits: u32) -> TestResult<String> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key)?;
    mac.update(&(unix / 30).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = usize::from(h[19] & 0x0f);
    let bin =
        (u32::from(h[at]) & 0x7f) << 24 | u32::from(h[at + 1]) << 16 | u32::from(h[at + 2]) << 8 | u32::from(h[at + 3]);
    Ok(format!("{:0width$}", bin % 10_u32.pow(digits), width = digits as usize))
}

/// The authenticator key a set-up page shows.
fn secret_on(page: &str) -> TestResult<String> {
    Ok(page
        .split(r#"data-testid="totp-secret">"#)
        .nth(1)
        .and_then(|r| r.split('<').next())
        .ok_or("no secret on the page")?
        .to_string())
}

fn unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[test]
fn the_tests_own_totp_matches_rfc_6238() -> TestResult {
    // RFC 6238, appendix B: SHA-1, the ASCII key "12345678901234567890".
    let key = b"12345678901234567890";
    for (t, code) in [(59, "94287082"), (1_111_111_109, "07081804"), (20_000_000_000, "65353130")] {
        assert_eq!(totp(key, t, 8)?, code, "T = {t}");
    }
    assert_eq!(base32("GEZDGNBVGY3TQOJQ")?, b"1234567890");
    Ok(())
}

struct Client<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
}

impl Client<'_> {
    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> TestResult<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.app.base))
            .header("origin", &self.app.base)
            .header(COOKIE, cookie)
            .form(form)
            .send()
            .await?)
    }

    async fn page(&self, path: &str, cookie: &str) -> TestResult<String> {
        let resp = self.http.get(format!("{}{path}", self.app.base)).header(COOKIE, cookie).send().await?;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        Ok(resp.text().await?)
    }

    /// A password sign-in: the pending-login cookie it asks a code for.
    async fn password(&self, user: &str, password: &str) -> TestResult<String> {
        let resp = self
            .post("/auth/login", "", &[("username", user), ("password", password), ("next", "/registries/local")])
            .await?;
        assert_eq!(location(&resp), "/login/verify?next=%2Fregistries%2Flocal");
        assert!(session_cookie(&resp).is_none(), "no session before the second factor");
        let pending = set_cookie(&resp, "reestr_pending_login").ok_or("no pending-login cookie")?;
        Ok(format!("reestr_pending_login={pending}"))
    }

    /// A password sign-in that must set up a second factor first: its
    /// pending-login cookie.
    async fn password_enrol(&self, user: &str, password: &str) -> TestResult<String> {
        let resp = self.post("/auth/login", "", &[("username", user), ("password", password)]).await?;
        assert_eq!(location(&resp), "/login/enrol");
        assert!(session_cookie(&resp).is_none(), "no session before a second factor is set up");
        let pending = set_cookie(&resp, "reestr_pending_login").ok_or("no pending-login cookie")?;
        Ok(format!("reestr_pending_login={pending}"))
    }

    async fn verify(&self, pending: &str, code: &str) -> TestResult<reqwest::Response> {
        self.post("/auth/login/verify", pending, &[("code", code), ("next", "/registries/local")]).await
    }
}

#[tokio::test]
async fn sqlite_an_authenticator_app_guards_password_sign_ins() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    two_step(&start(&url, scratch).await?).await
}

#[tokio::test]
async fn postgres_an_authenticator_app_guards_password_sign_ins() -> TestResult {
    two_step(&start(&fresh_postgres().await?, Scratch::new()?).await?).await
}

async fn two_step(app: &TestApp) -> TestResult {
    let c = Client { app, http: client()? };
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    let admin = format!("reestr_session={}", app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "t").await?);

    // Set up: a secret and its QR code, confirmed with a code from the app.
    assert!(c.page("/account", &admin).await?.contains("Set up an authenticator app"));
    let resp = c.post("/auth/totp/start", &admin, &[]).await?;
    assert_eq!(location(&resp), "/account#two-step");
    let page = c.page("/account", &admin).await?;
    assert!(page.contains("<svg"), "the QR code is drawn");
    let key = base32(&secret_on(&page)?)?;
    assert_eq!(key.len(), 20, "160-bit secrets");
    let now_code = totp(&key, unix(), 6)?;
    let wrong = if now_code == "000000" { "111111" } else { "000000" };
    let resp = c.post("/auth/totp/confirm", &admin, &[("code", wrong)]).await?;
    assert_eq!(location(&resp), "/account?error=code");
    let resp = c.post("/auth/totp/confirm", &admin, &[("code", &now_code)]).await?;
    assert_eq!(location(&resp), "/account#two-step");
    let codes = set_cookie(&resp, "reestr_new_codes").ok_or("no recovery codes")?;
    let page = c.page("/account", &format!("{admin}; reestr_new_codes={codes}")).await?;
    let recovery: Vec<&str> = codes.split('.').collect();
    assert_eq!(recovery.len(), 10);
    for code in &recovery {
        assert!(page.contains(&format!("<code>{code}</code>")), "recovery code {code} shown");
    }
    assert!(page.contains("10 recovery codes left"));
    assert!(!c.page("/account", &admin).await?.contains(recovery[0]), "shown once");
    let resp = c.post("/auth/totp/start", &admin, &[]).await?;
    assert_eq!(location(&resp), "/account?error=totp-on", "a confirmed factor is not replaced silently");

    // A password alone no longer signs in; the code it confirmed with is spent.
    let pending = c.password("admin", PASSWORD).await?;
    let resp = c.verify(&pending, &now_code).await?;
    assert_eq!(location(&resp), "/login/verify?error=code&next=%2Fregistries%2Flocal", "a code works once");
    let next_code = totp(&key, unix() + 30, 6)?;
    let resp = c.verify(&pending, &next_code).await?;
    assert_eq!(location(&resp), "/registries/local");
    let session = session_cookie(&resp).ok_or("no session after the code")?;
    assert!(c.page("/account", &session).await?.contains("Two-step verification"));
    let resp = c.verify(&pending, &next_code).await?;
    assert_eq!(location(&resp), "/login?error=login-expired", "the pending login is spent too");
    let pending = c.password("admin", PASSWORD).await?;
    let resp = c.verify(&pending, &next_code).await?;
    assert!(location(&resp).starts_with("/login/verify?error=code"), "nor is the code accepted at a new sign-in");

    // A recovery code, however typed, once.
    let typed = recovery[0].replace('-', "").to_uppercase();
    let resp = c.verify(&pending, &typed).await?;
    assert_eq!(location(&resp), "/registries/local");
    let pending = c.password("admin", PASSWORD).await?;
    let resp = c.verify(&pending, recovery[0]).await?;
    assert!(location(&resp).starts_with("/login/verify?error=code"), "a recovery code works once");
    assert!(c.page("/account", &session).await?.contains("9 recovery codes left"));

    // Without the pending login, or after it expired, there is nothing to finish.
    let resp = c.verify("", &totp(&key, unix(), 6)?).await?;
    assert_eq!(location(&resp), "/login?error=login-expired");
    let admin_id = app.access.store.credentials("admin").await?.ok_or("no admin")?.user.id;
    let stale = "a-stale-pending-login-token";
    let hash = reestr::access::secret::hash(stale);
    app.access.store.put_pending_login(&hash, &admin_id, "t", reestr::access::now() - 1).await?;
    let resp = c.verify(&format!("reestr_pending_login={stale}"), &totp(&key, unix() + 60, 6)?).await?;
    assert_eq!(location(&resp), "/login?error=login-expired");

    // Turning it off takes the password.
    let resp = c.post("/auth/totp/disable", &session, &[("password", "not the password")]).await?;
    assert_eq!(location(&resp), "/account?error=current");
    let resp = c.post("/auth/totp/disable", &session, &[("password", PASSWORD)]).await?;
    assert_eq!(location(&resp), "/account#two-step");
    let resp = c.post("/auth/login", "", &[("username", "admin"), ("password", PASSWORD)]).await?;
    assert!(session_cookie(&resp).is_some(), "off again: the password alone signs in");
    Ok(())
}

#[tokio::test]
async fn guessing_codes_is_throttled_and_a_correct_password_buys_no_more_guesses() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let app = start(&url, scratch).await?;
    let c = Client { app: &app, http: client()? };
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "t").await?;
    let user = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
    app.access.start_totp(&user).await?;
    let secret = app.access.second_factor_status(&user).await?.enrolment.ok_or("no enrolment")?.secret;
    let key = base32(&secret)?;
    app.access.confirm_totp(&user, &totp(&key, unix(), 6)?, "127.0.0.1").await?;

    let right = totp(&key, unix() + 30, 6)?;
    let wrong = if right == "999999" { "888888" } else { "999999" };
    let mut codes = Vec::new();
    for _ in 0..7 {
        // A fresh, correct password before each guess: it must not reset the count.
        let pending = c.password("admin", PASSWORD).await?;
        let resp = c.verify(&pending, wrong).await?;
        codes.push(
            location(&resp).split("error=").nth(1).and_then(|r| r.split('&').next()).unwrap_or_default().to_string(),
        );
    }
    assert_eq!(codes, ["code", "code", "code", "code", "code", "throttled", "throttled"]);
    let pending = c.password("admin", PASSWORD).await?;
    let resp = c.verify(&pending, &right).await?;
    assert!(location(&resp).contains("error=throttled"), "the right code waits too");
    Ok(())
}

#[tokio::test]
async fn sqlite_a_required_second_factor_is_set_up_before_any_password_session() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    required(&start(&url, scratch).await?).await
}

#[tokio::test]
async fn postgres_a_required_second_factor_is_set_up_before_any_password_session() -> TestResult {
    required(&start(&fresh_postgres().await?, Scratch::new()?).await?).await
}

async fn required(app: &TestApp) -> TestResult {
    let c = Client { app, http: client()? };
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    let admin = format!("reestr_session={}", app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "t").await?);
    let by = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
    let invite = app.access.invite(&by, "vera", reestr::access::Role::Viewer).await?;
    let vera = session_of(app.access.accept_invitation(&invite, PASSWORD, "127.0.0.2", "t").await?)?;

    // Only an administrator sets the policy.
    let resp = c.post("/auth/settings/second-factor", &vera, &[("required", "on")]).await?;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!app.access.second_factor_required().await?);
    let page = c.page("/admin/users", &admin).await?;
    assert!(page.contains("Require two-step verification for password sign-ins"));
    let resp = c.post("/auth/settings/second-factor", &admin, &[("required", "on")]).await?;
    assert_eq!(location(&resp), "/admin/users#sign-in-policy");
    assert!(app.access.second_factor_required().await?);
    assert!(c.page("/admin/users", &admin).await?.contains(r#"name="required" value="on" checked"#));
    assert!(c.page("/account", &vera).await?.contains("Signed in as"), "sessions already signed in stay");

    // A password alone now leads to the set-up, which is no way past /login/verify.
    let pending = c.password_enrol("vera", PASSWORD).await?;
    let resp = c.verify(&pending, "123456").await?;
    assert_eq!(location(&resp), "/login?error=login-expired", "an enrolling login has no code to verify");
    let pending = c.password_enrol("vera", PASSWORD).await?;
    let page = c.page("/login/enrol", &pending).await?;
    assert!(page.contains("<svg"), "the QR code is drawn");
    let key = base32(&secret_on(&page)?)?;
    let again = c.password_enrol("vera", PASSWORD).await?;
    assert_eq!(base32(&secret_on(&c.page("/login/enrol", &again).await?)?)?, key, "a scanned key stays");
    assert!(c.page("/login/enrol", "").await?.contains("sign in again"), "nothing to set up without a login");

    let code = totp(&key, unix(), 6)?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let resp = c.post("/auth/login/enrol", &pending, &[("code", wrong)]).await?;
    assert_eq!(location(&resp), "/login/enrol?error=code");
    assert!(session_cookie(&resp).is_none());
    let resp = c.post("/auth/login/enrol", &pending, &[("code", &code)]).await?;
    assert_eq!(location(&resp), "/account#two-step");
    let session = session_cookie(&resp).ok_or("no session after the set-up")?;
    let codes = set_cookie(&resp, "reestr_new_codes").ok_or("no recovery codes")?;
    assert_eq!(codes.split('.').count(), 10);
    let page = c.page("/account", &format!("{session}; reestr_new_codes={codes}")).await?;
    assert!(page.contains("10 recovery codes left") && page.contains("Your administrator requires it"));
    let resp = c.post("/auth/login/enrol", &again, &[("code", &totp(&key, unix() + 30, 6)?)]).await?;
    assert_eq!(location(&resp), "/login?error=login-expired", "the other waiting login has nothing left to set up");
    assert!(c.page("/admin/users", &admin).await?.contains("password, authenticator app"));

    // From now on vera's password asks for the code, as before.
    c.password("vera", PASSWORD).await?;

    // A login waiting for a code cannot enrol another authenticator instead.
    let waiting = c.password("vera", PASSWORD).await?;
    let resp = c.post("/auth/login/enrol", &waiting, &[("code", &totp(&key, unix() + 30, 6)?)]).await?;
    assert_eq!(location(&resp), "/login?error=login-expired");

    // Neither an invitation nor a reset link is a way around it.
    let invite = app.access.invite(&by, "walt", reestr::access::Role::Viewer).await?;
    let resp = c
        .post("/auth/invite", "", &[("token", invite.as_str()), ("password", PASSWORD), ("password2", PASSWORD)])
        .await?;
    assert_eq!(location(&resp), "/login/enrol");
    assert!(session_cookie(&resp).is_none(), "a new user sets it up before the first session");
    let vera_id = app.access.store.credentials("vera").await?.ok_or("no vera")?.user.id;
    let reset = app.access.issue_reset(&by, &vera_id).await?;
    let resp = c
        .post("/auth/reset", "", &[("token", reset.as_str()), ("password", PASSWORD), ("password2", PASSWORD)])
        .await?;
    assert!(location(&resp).starts_with("/login/verify"), "a reset asks for vera's code: {}", location(&resp));
    assert!(session_cookie(&resp).is_none());

    // Off again (the box unticked): a password alone signs walt in.
    let resp = c.post("/auth/settings/second-factor", &admin, &[]).await?;
    assert_eq!(location(&resp), "/admin/users#sign-in-policy");
    assert!(!app.access.second_factor_required().await?);
    let resp = c.post("/auth/login", "", &[("username", "walt"), ("password", PASSWORD)]).await?;
    assert!(session_cookie(&resp).is_some(), "not required: no second factor, a session");
    Ok(())
}
