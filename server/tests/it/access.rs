//! Access to Reestr itself, over HTTP, on both stores: SQLite (a file) and
//! Postgres (a fresh database on the server `scripts/test.sh` provides).
//! First-run setup with the token, password login and logout, every route
//! refused without a session, the origin check, API tokens.

use std::sync::Arc;

use reestr::access::{Access, Mode, Policy, Store};
use reestr::catalog::CatalogService;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::support::{Scratch, TestApp, TestResult, harness_var, registry_host};

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A client that does not follow redirects (they are what is checked).
pub(crate) fn client() -> TestResult<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()?)
}

/// A fresh Postgres database on the harness's server; dropped by the next run's sweep.
pub(crate) async fn fresh_postgres() -> TestResult<String> {
    let admin = harness_var("REESTR_TEST_POSTGRES")?;
    let name = format!("reestr_it_{}_{}", std::process::id(), rand_suffix());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).ok_or("REESTR_TEST_POSTGRES has no database")?;
    Ok(format!("{base}/{name}"))
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos().to_string()).unwrap_or_default()
}

pub(crate) async fn start(database_url: &str, scratch: Scratch) -> TestResult<TestApp> {
    start_replica(database_url, None, scratch).await
}

async fn start_replica(
    database_url: &str,
    redis: Option<reestr::cache::RedisTier>,
    scratch: Scratch,
) -> TestResult<TestApp> {
    start_with(database_url, redis, Vec::new(), scratch).await
}

/// One replica: its own process state, the shared database (and Redis),
/// signing in with these single sign-on providers too.
pub(crate) async fn start_with(
    database_url: &str,
    redis: Option<reestr::cache::RedisTier>,
    sso: Vec<reestr::config::OidcConfig>,
    scratch: Scratch,
) -> TestResult<TestApp> {
    let registry = registry_host()?;
    let yaml = format!("registries:\n  - id: local\n    baseUrl: http://{registry}\n    tls: {{ allowHttp: true }}\n");
    start_with_config(database_url, redis, sso, &yaml, scratch).await
}

/// One replica over the configuration `yaml`.
pub(crate) async fn start_with_config(
    database_url: &str,
    redis: Option<reestr::cache::RedisTier>,
    sso: Vec<reestr::config::OidcConfig>,
    yaml: &str,
    scratch: Scratch,
) -> TestResult<TestApp> {
    let config = reestr::config::load_str(yaml, "test.yaml", std::path::Path::new("."), &|_| None)?;
    let service = Arc::new(CatalogService::build(&config).await);
    let store = Store::open(database_url).await?;
    let ids = config.registries.iter().map(|r| r.id.clone()).collect();
    let access = Access::new(store, Mode::Login, Policy::default()).await?;
    let access = Arc::new(access.with_session_cache(redis).with_sso(sso)?.with_registries(ids));
    TestApp::listen_with(service, access, registry_host()?, scratch).await
}

/// Where a redirect leads (empty when it is none).
pub(crate) fn location(resp: &reqwest::Response) -> String {
    resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The value of the cookie `name` a response sets (`None` when absent or cleared).
pub(crate) fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The session a sign-in started (`reestr_session=…`), or an error when
/// it waits for a second factor.
pub(crate) fn session_of(sign_in: reestr::access::SignIn) -> TestResult<String> {
    match sign_in {
        reestr::access::SignIn::Session(token) => Ok(format!("reestr_session={token}")),
        other => Err(format!("no session: {other:?}").into()),
    }
}

/// The session cookie a response sets (`name=value`).
pub(crate) fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("reestr_session=") && !c.starts_with("reestr_session=;"))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
}

#[tokio::test]
async fn sqlite_store_setup_login_logout_and_tokens() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let app = start(&url, scratch).await?;
    journey(&app).await
}

#[tokio::test]
async fn postgres_store_setup_login_logout_and_tokens() -> TestResult {
    let url = fresh_postgres().await?;
    let app = start(&url, Scratch::new()?).await?;
    journey(&app).await
}

/// The whole first-run-to-token journey, as a browser and a script make it.
async fn journey(app: &TestApp) -> TestResult {
    let http = client()?;
    let base = &app.base;
    let get = |path: &str, cookie: Option<&str>| {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(c) = cookie {
            r = r.header(COOKIE, c);
        }
        r.send()
    };

    // Before setup every page leads to /setup; the API answers 401.
    let resp = get("/registries/local", None).await?;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/setup"));
    let resp = get("/api/registries", None).await?;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.text().await?.contains("/setup"));
    assert_eq!(get("/setup", None).await?.status(), StatusCode::OK);
    assert_eq!(get("/healthz", None).await?.status(), StatusCode::OK);

    // Setup: a wrong token is refused; the right one creates the admin and signs in.
    let token = app.access.issue_setup_token().await?.ok_or("no setup token on a first run")?;
    let form = |t: &str| {
        vec![
            ("token", t.to_string()),
            ("username", "admin".into()),
            ("password", PASSWORD.into()),
            ("password2", PASSWORD.into()),
        ]
    };
    let resp = http.post(format!("{base}/auth/setup")).header("origin", base).form(&form("wrong-token")).send().await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/setup?error=token"));
    // A form posted from another site is refused before anything is checked.
    let resp = http
        .post(format!("{base}/auth/setup"))
        .header("origin", "https://evil.example")
        .form(&form(&token))
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = http.post(format!("{base}/auth/setup")).header("origin", base).form(&form(&token)).send().await?;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{:?}", resp.headers());
    let raw_cookie = resp.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(raw_cookie.contains("HttpOnly") && raw_cookie.contains("SameSite=Lax"), "{raw_cookie}");
    let admin = session_cookie(&resp).ok_or("setup set no session cookie")?;
    let resp = http.post(format!("{base}/auth/setup")).header("origin", base).form(&form(&token)).send().await?;
    assert_eq!(
        resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login?error=done"),
        "setup works once"
    );

    // Signed in, pages and the API answer; without the cookie they do not.
    let resp = get("/registries/local", Some(&admin)).await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp =
        resp.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let html = resp.text().await?;
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).ok_or("no nonce in the CSP")?;
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script does not carry the CSP nonce");
    assert!(html.contains("href=\"/account\""), "the header names the user");
    for path in
        ["/", "/registries/local", "/registries/local/storage", "/registries/local/repositories/team/app", "/account"]
    {
        let resp = get(path, None).await?;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(to.starts_with("/login"), "{path} → {to}");
    }
    for path in [
        "/api/registries",
        "/api/registries/local",
        "/api/registries/local/storage",
        "/api/registries/local/repositories",
        "/api/registries/local/repositories/team/app",
        "/api/registries/local/repositories/team/app/tags",
        "/api/me",
        "/api/tokens",
    ] {
        let resp = get(path, None).await?;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    }
    let resp = http.post(format!("{base}/api/registries/local/resync")).header("origin", base).send().await?;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = http.post(format!("{base}/_fn/overview")).header("origin", base).send().await?;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "server functions need a session too");

    // Login: wrong password → back with an error; right one → a second session, to `next`.
    let login = |user: &str, pass: &str| {
        http.post(format!("{base}/auth/login"))
            .header("origin", base)
            .form(&[("username", user), ("password", pass), ("next", "/registries/local?q=app")])
            .send()
    };
    let resp = login("admin", "wrong password here").await?;
    let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.starts_with("/login?error=invalid"), "{to}");
    let resp = login("admin", PASSWORD).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/registries/local?q=app"));
    let second = session_cookie(&resp).ok_or("login set no cookie")?;
    // `next` cannot send anyone elsewhere.
    let resp = http
        .post(format!("{base}/auth/login"))
        .header("origin", base)
        .form(&[("username", "admin"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/"));
    let third = session_cookie(&resp).ok_or("no cookie")?;

    // API token: made with the session (shown once), used as Bearer, revoked.
    let resp = http
        .post(format!("{base}/api/tokens"))
        .header("origin", base)
        .header(COOKIE, &admin)
        .json(&serde_json::json!({"name": "ci"}))
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: serde_json::Value = resp.json().await?;
    let api_token = created["token"].as_str().ok_or("no token")?.to_string();
    let bearer = |path: &str| http.get(format!("{base}{path}")).bearer_auth(&api_token).send();
    assert_eq!(bearer("/api/registries").await?.status(), StatusCode::OK);
    let me: serde_json::Value = bearer("/api/me").await?.json().await?;
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("admin"), Some("admin")));
    // A token opens the API, not the pages.
    assert_eq!(bearer("/registries/local").await?.status(), StatusCode::SEE_OTHER);
    // Scripts need no Origin header with a token.
    let resp = http.post(format!("{base}/api/registries/local/resync")).bearer_auth(&api_token).send().await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let listed: serde_json::Value = bearer("/api/tokens").await?.json().await?;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert!(!listed.to_string().contains(&api_token), "the list never shows a token");
    let id = created["id"].as_str().ok_or("no id")?;
    let resp = http.delete(format!("{base}/api/tokens/{id}")).bearer_auth(&api_token).send().await?;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(bearer("/api/registries").await?.status(), StatusCode::UNAUTHORIZED, "revoked");

    // Logout ends that session only; "everywhere" ends the rest.
    let resp = http.post(format!("{base}/auth/logout")).header("origin", base).header(COOKIE, &second).send().await?;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(get("/", Some(&second)).await?.status(), StatusCode::SEE_OTHER, "logged out");
    assert_eq!(get("/", Some(&admin)).await?.status(), StatusCode::OK, "other sessions live on");
    let resp = http
        .post(format!("{base}/auth/logout-everywhere"))
        .header("origin", base)
        .header(COOKIE, &admin)
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(get("/", Some(&admin)).await?.status(), StatusCode::SEE_OTHER);
    assert_eq!(get("/", Some(&third)).await?.status(), StatusCode::SEE_OTHER, "signed out everywhere");
    Ok(())
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let app = start(&url, scratch).await?;
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "admin", PASSWORD, "127.0.0.9", "test").await?;
    let http = client()?;
    let mut codes = Vec::new();
    for _ in 0..7 {
        let resp = http
            .post(format!("{}/auth/login", app.base))
            .header("origin", &app.base)
            .form(&[("username", "admin"), ("password", "guess guess guess")])
            .send()
            .await?;
        let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        codes.push(to.split("error=").nth(1).and_then(|r| r.split('&').next()).unwrap_or_default().to_string());
    }
    assert_eq!(codes, ["invalid", "invalid", "invalid", "invalid", "invalid", "throttled", "throttled"]);
    let resp = http
        .post(format!("{}/auth/login", app.base))
        .header("origin", &app.base)
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await?;
    let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.contains("error=throttled"), "the right password waits too: {to}");
    Ok(())
}

#[tokio::test]
async fn administrators_invite_viewers_who_cannot_administer() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let app = start(&url, scratch).await?;
    let base = &app.base;
    let http = client()?;
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    let admin_session = app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "test").await?;
    let admin = format!("reestr_session={admin_session}");
    let post = |path: &str, cookie: &str, form: &[(&str, &str)]| {
        http.post(format!("{base}{path}")).header("origin", base).header(COOKIE, cookie).form(form).send()
    };

    // The invitation link comes back once, in a cookie the users page reads.
    let resp = post("/auth/users", &admin, &[("username", "vera"), ("role", "viewer")]).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/admin/users"));
    let invite = set_cookie(&resp, "reestr_new_invite").ok_or("no invitation cookie")?;
    let page = http
        .get(format!("{base}/admin/users"))
        .header(COOKIE, format!("{admin}; reestr_new_invite={invite}"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains(&format!("/invite/{invite}")), "the users page shows the link once");
    assert!(page.contains("vera"), "pending invitation listed");
    let resp = post("/auth/users", &admin, &[("username", "admin"), ("role", "viewer")]).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/admin/users?error=taken"));

    // The invitee chooses a password and is signed in as a viewer.
    let accept = |t: &str| {
        http.post(format!("{base}/auth/invite"))
            .header("origin", base)
            .form(&[("token", t), ("password", "vera's long password"), ("password2", "vera's long password")])
            .send()
    };
    let resp = accept(&invite).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/"));
    let vera = session_cookie(&resp).ok_or("no session for the invitee")?;
    let resp = accept(&invite).await?;
    let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.ends_with("?error=invite"), "an invitation works once: {to}");
    let me: serde_json::Value = http.get(format!("{base}/api/me")).header(COOKIE, &vera).send().await?.json().await?;
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("vera"), Some("viewer")));

    // A viewer browses but neither resyncs nor administers.
    assert_eq!(
        http.get(format!("{base}/registries/local")).header(COOKIE, &vera).send().await?.status(),
        StatusCode::OK
    );
    let resp = http
        .post(format!("{base}/api/registries/local/resync"))
        .header("origin", base)
        .header(COOKIE, &vera)
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = post("/auth/users", &vera, &[("username", "mallory"), ("role", "admin")]).await?;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let page = http.get(format!("{base}/admin/users")).header(COOKIE, &vera).send().await?.text().await?;
    assert!(page.contains("only administrators manage users"), "viewers see a refusal");
    let home = http.get(format!("{base}/")).header(COOKIE, &vera).send().await?.text().await?;
    assert!(!home.contains("Resync schema"), "no resync button for viewers");

    // The last administrator can be neither demoted nor removed; others can.
    let users = app.access.store.list_users().await?;
    let id_of =
        |name: &str| users.iter().find(|u| u.user.username == name).map(|u| u.user.id.clone()).unwrap_or_default();
    let resp = post(&format!("/auth/users/{}/role", id_of("admin")), &admin, &[("role", "viewer")]).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/admin/users?error=last-admin"));
    let resp = post(&format!("/auth/users/{}/role", id_of("vera")), &admin, &[("role", "admin")]).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/admin/users"));
    let me: serde_json::Value = http.get(format!("{base}/api/me")).header(COOKIE, &vera).send().await?.json().await?;
    assert_eq!(me["role"], "admin", "the role applies to the live session at once");
    let resp = post(&format!("/auth/users/{}/remove", id_of("vera")), &admin, &[]).await?;
    assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some("/admin/users"));
    assert_eq!(
        http.get(format!("{base}/")).header(COOKIE, &vera).send().await?.status(),
        StatusCode::SEE_OTHER,
        "removed users' sessions end"
    );
    Ok(())
}

#[tokio::test]
async fn two_replicas_share_sessions_logouts_and_the_throttle() -> TestResult {
    let redis = crate::support::upstream::RedisProcess::start().await?;
    let url = fresh_postgres().await?;
    let tier = || -> TestResult<reestr::cache::RedisTier> { Ok(reestr::cache::RedisTier::connect(&redis.url())?) };
    let (ta, tb) = (tier()?, tier()?);
    assert!(
        ta.wait_connected(std::time::Duration::from_secs(5)).await
            && tb.wait_connected(std::time::Duration::from_secs(5)).await
    );
    let a = start_replica(&url, Some(ta), Scratch::new()?).await?;
    let b = start_replica(&url, Some(tb), Scratch::new()?).await?;
    let http = client()?;

    // Setup on A with A's token; B no longer offers setup.
    let token = a.access.issue_setup_token().await?.ok_or("no token")?;
    let form = [("token", token.as_str()), ("username", "admin"), ("password", PASSWORD), ("password2", PASSWORD)];
    let resp = http.post(format!("{}/auth/setup", a.base)).header("origin", &a.base).form(&form).send().await?;
    let session = session_cookie(&resp).ok_or("no session")?;
    let resp = http.get(format!("{}/", b.base)).send().await?;
    assert_eq!(
        resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login"),
        "B sees the admin A created"
    );

    // The session from A opens B (read through Redis after the first look).
    for _ in 0..3 {
        for app in [&a, &b] {
            let resp = http.get(format!("{}/api/me", app.base)).header(COOKIE, &session).send().await?;
            assert_eq!(resp.status(), StatusCode::OK, "{}", app.base);
        }
    }
    // Logout on B ends it on A at once (the cached entry is dropped too).
    http.post(format!("{}/auth/logout", b.base)).header("origin", &b.base).header(COOKIE, &session).send().await?;
    let resp = http.get(format!("{}/api/me", a.base)).header(COOKIE, &session).send().await?;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "a logout on B still works on A");

    // Failures alternate between replicas; the sixth attempt is throttled on either.
    let mut codes = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &a } else { &b };
        let resp = http
            .post(format!("{}/auth/login", app.base))
            .header("origin", &app.base)
            .form(&[("username", "admin"), ("password", "not the password")])
            .send()
            .await?;
        let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        codes.push(to.split("error=").nth(1).and_then(|r| r.split('&').next()).unwrap_or_default().to_string());
    }
    assert_eq!(codes, ["invalid", "invalid", "invalid", "invalid", "invalid", "throttled"]);
    Ok(())
}
