//! The security review's reproductions (issue 18), each performed against a
//! real server: unbounded metric labels, the login throttle raced by
//! concurrent guesses, an open redirect after sign-in, foreign `Host`
//! names (DNS rebinding), API tokens on server functions, lockouts by
//! one address. Each of these passed on the code before the fixes.

use std::sync::Arc;

use leptos::config::LeptosOptions;
use reestr::access::{Access, AccessError, Mode, Policy, Store};
use reestr::catalog::CatalogService;
use reestr::http::AppState;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HOST, LOCATION, ORIGIN};

use crate::access::{PASSWORD, client, fresh_postgres, start};
use crate::support::{Scratch, TestApp, TestResult, open_server, registry_host, serve};

/// A server in login mode on `database_url` whose first administrator,
/// `admin`, is set up.
async fn admin_on(database_url: &str, scratch: Scratch) -> TestResult<TestApp> {
    let app = start(database_url, scratch).await?;
    let setup = app.access.issue_setup_token().await?.ok_or("no setup token")?;
    app.access.setup(&setup, "admin", PASSWORD, "127.0.0.9", "test").await?;
    Ok(app)
}

/// The same on an SQLite file of its own.
async fn with_admin() -> TestResult<TestApp> {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    admin_on(&url, scratch).await
}

/// Finding 1: every made-up method became a label of its own, forever.
#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() -> TestResult {
    let app = TestApp::start().await?;
    let http = reqwest::Client::new();
    let send = |i: usize| {
        let method = reqwest::Method::from_bytes(format!("X{i}{}", "M".repeat(2_000)).as_bytes());
        let http = http.clone();
        let url = format!("{}/no/such/page/{i}", app.base);
        async move { TestResult::Ok(http.request(method?, url).send().await?.status()) }
    };
    for i in 0..20 {
        send(i).await?;
    }
    let (_, _, before) = app.get("/metrics").await?;
    for i in 20..40 {
        send(i).await?;
    }
    let (_, _, after) = app.get("/metrics").await?;
    assert!(!after.contains("MMMMMMMM"), "a made-up method is a label");
    assert!(after.contains(r#"method="other""#), "{after}");
    let series =
        |text: &str| text.lines().filter(|l| l.starts_with("reestr_http_request_duration_seconds_count")).count();
    assert_eq!(series(&before), series(&after) - 1, "20 more made-up requests add no series (only /metrics' own)");
    Ok(())
}

/// Finding 4: a page on a rebound name was same-origin with Reestr.
#[tokio::test]
async fn foreign_hosts_are_refused_before_any_handler() -> TestResult {
    let base = open_server(600).await?;
    let http = client()?;
    let resp = http
        .get(format!("{base}/api/registries"))
        .header(HOST, "rebind.attacker.test")
        .header(ORIGIN, "http://rebind.attacker.test")
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let body = resp.text().await?;
    assert!(body.contains("REESTR_PUBLIC_URL") && body.contains("REESTR_ALLOWED_HOSTS"), "{body}");
    // State changes and pages too.
    let resp = http
        .post(format!("{base}/api/registries/local/resync"))
        .header(HOST, "rebind.attacker.test:80")
        .header(ORIGIN, "http://rebind.attacker.test:80")
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::MISDIRECTED_REQUEST);
    let resp = http.get(format!("{base}/registries/local")).header(HOST, "rebind.attacker.test").send().await?;
    assert_eq!(resp.status(), StatusCode::MISDIRECTED_REQUEST);
    // Loopback names and the address itself are answered.
    let port = base.rsplit(':').next().ok_or("no port")?;
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), "127.0.0.1".to_string()] {
        let resp = http.get(format!("{base}/api/registries")).header(HOST, &host).send().await?;
        assert_eq!(resp.status(), StatusCode::OK, "{host}");
    }
    Ok(())
}

/// Finding 5: `Authorization: Bearer reestr_…` opened `/_fn/whoami`.
#[tokio::test]
async fn api_tokens_open_the_api_not_server_functions() -> TestResult {
    let app = with_admin().await?;
    let user = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
    let (_, token, _) = app.access.create_api_token(&user, "ci", None).await?;
    let http = client()?;
    let bearer = format!("Bearer {token}");
    let resp = http.get(format!("{}/api/me", app.base)).header(AUTHORIZATION, &bearer).send().await?;
    assert_eq!(resp.status(), StatusCode::OK, "the token opens the API");
    let resp = http
        .post(format!("{}/_fn/whoami", app.base))
        .header(AUTHORIZATION, &bearer)
        .header(ORIGIN, &app.base)
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "a token opened a server function");
    Ok(())
}

/// Finding 5: server functions had no rate limit.
#[tokio::test]
async fn server_functions_share_the_per_address_limit() -> TestResult {
    let base = open_server(3).await?;
    let http = client()?;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = http.post(format!("{base}/_fn/whoami")).header(ORIGIN, &base).send().await?;
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let resp = http.get(format!("{base}/api/registries")).send().await?;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "one budget for /_fn and /api");
    Ok(())
}

/// Finding 3: `next=%2F%09%2Fevil.example%2F` answered `Location: /<TAB>/evil.example/`.
#[tokio::test]
async fn sign_in_never_redirects_to_another_site() -> TestResult {
    let app = with_admin().await?;
    let http = client()?;
    for (next, to) in [
        ("/\t/evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/registries/local?q=app", "/registries/local?q=app"),
    ] {
        let resp = http
            .post(format!("{}/auth/login", app.base))
            .header(ORIGIN, &app.base)
            .form(&[("username", "admin"), ("password", PASSWORD), ("next", next)])
            .send()
            .await?;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()), Some(to), "next={next:?}");
    }
    Ok(())
}

/// Finding 2: 60 concurrent wrong passwords were all checked (the limit is 5).
async fn concurrent_guesses(database_url: &str, scratch: Scratch) -> TestResult {
    let app = admin_on(database_url, scratch).await?;
    let http = client()?;
    let guesses = (0..60).map(|i| {
        let (http, base) = (http.clone(), app.base.clone());
        async move {
            let resp = http
                .post(format!("{base}/auth/login"))
                .header(ORIGIN, &base)
                .form(&[("username", "admin".to_string()), ("password", format!("wrong guess number {i}"))])
                .send()
                .await?;
            let to = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            TestResult::Ok(to.split("error=").nth(1).and_then(|r| r.split('&').next()).unwrap_or_default().to_string())
        }
    });
    let codes = futures::future::try_join_all(guesses).await?;
    let checked = codes.iter().filter(|c| *c == "invalid").count();
    let throttled = codes.iter().filter(|c| *c == "throttled").count();
    assert_eq!((checked, throttled), (5, 55), "{codes:?}");
    Ok(())
}

#[tokio::test]
async fn concurrent_guesses_are_counted_before_they_are_checked_on_sqlite() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    concurrent_guesses(&url, scratch).await
}

#[tokio::test]
async fn concurrent_guesses_are_counted_before_they_are_checked_on_postgres() -> TestResult {
    concurrent_guesses(&fresh_postgres().await?, Scratch::new()?).await
}

/// Found by reading: setup, invitations and username-less passkey logins
/// each shared one global bucket, so one address locked them for
/// everyone; wrong passwords blocked the account's passkeys.
#[tokio::test]
async fn one_address_locks_nobody_else_out() -> TestResult {
    let store = Store::open("sqlite::memory:").await?;
    let access = Access::new(store, Mode::Login, Policy::default()).await?;
    let token = access.issue_setup_token().await?.ok_or("no setup token")?;
    let mut last = None;
    for _ in 0..25 {
        last = Some(access.setup("wrong token, wrong token", "admin", PASSWORD, "10.6.6.6", "t").await);
    }
    assert!(matches!(last, Some(Err(AccessError::Throttled(_)))), "{last:?}");
    access.setup(&token, "admin", PASSWORD, "10.0.0.1", "t").await?;
    let mut last = None;
    for _ in 0..25 {
        last = Some(access.accept_invitation("no such invitation", PASSWORD, "10.6.6.6", "t").await);
    }
    assert!(matches!(last, Some(Err(AccessError::Throttled(_)))), "{last:?}");
    let r = access.accept_invitation("no such invitation", PASSWORD, "10.0.0.2", "t").await;
    assert!(matches!(r, Err(AccessError::BadInvitation)), "another address is checked: {r:?}");
    // Wrong passwords for the account throttle its password logins only.
    for _ in 0..6 {
        last = Some(access.login("admin", "wrong password!", "10.6.6.6", "t").await);
    }
    assert!(matches!(last, Some(Err(AccessError::Throttled(_)))), "{last:?}");
    for ip in ["10.6.6.6", "10.0.0.3"] {
        let r = access.passkey_login_start(Some("admin"), "http://localhost:3000", ip).await;
        assert!(matches!(r, Err(AccessError::Passkey(_))), "a passkey login was throttled by passwords: {r:?}");
        assert!(access.passkey_login_start(None, "http://localhost:3000", ip).await.is_ok());
    }
    Ok(())
}

/// Found by reading: `/healthz` and `/readyz` showed configuration and
/// error texts to anyone; since access per registry, not even the ids.
#[tokio::test]
async fn health_shows_anonymous_callers_states_only() -> TestResult {
    let scratch = Scratch::new()?;
    let doc = scratch.0.join("partial.yaml");
    std::fs::write(&doc, crate::support::PARTIAL_DOCUMENT)?;
    let registry = registry_host()?;
    let yaml = format!(
        "registries:\n  - id: partial\n    baseUrl: http://{registry}\n    api: {{ document: {} }}\n    tls: {{ allowHttp: true }}\n",
        doc.display()
    );
    let config = reestr::config::load_str(&yaml, "test.yaml", std::path::Path::new("."), &|_| None)?;
    let service = Arc::new(CatalogService::build(&config).await);
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let access = Arc::new(Access::new(Store::open(&url).await?, Mode::Login, Policy::default()).await?);
    let setup = access.issue_setup_token().await?.ok_or("no setup token")?;
    let session = access.setup(&setup, "admin", PASSWORD, "127.0.0.9", "test").await?;
    let options = LeptosOptions::builder().output_name("reestr").site_root("target/site").build();
    let base = serve(AppState::new(options, service, access)).await?;
    let http = client()?;
    for path in ["/healthz", "/readyz"] {
        let anonymous: serde_json::Value = http.get(format!("{base}{path}")).send().await?.json().await?;
        assert_eq!(anonymous["registries"], serde_json::json!([]), "which registries exist is not for anyone");
        assert!(anonymous["status"].is_string(), "{anonymous}");
        let signed_in: serde_json::Value = http
            .get(format!("{base}{path}"))
            .header(reqwest::header::COOKIE, format!("reestr_session={session}"))
            .send()
            .await?
            .json()
            .await?;
        let partial = &signed_in["registries"][0];
        assert!(partial["problem"].as_str().is_some_and(|p| p.contains("listTags")), "{signed_in}");
        assert_eq!(partial["apiDocument"], "Partial API 0.1", "{signed_in}");
    }
    Ok(())
}

/// Found by reading: the pages that show a new API token or invitation link
/// could be kept by a cache.
#[tokio::test]
async fn pages_with_secrets_are_never_stored() -> TestResult {
    let base = open_server(600).await?;
    let http = client()?;
    let cache_control = |resp: &reqwest::Response| {
        resp.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_string)
    };
    for path in
        ["/account", "/admin/users", "/login", "/setup", "/invite/nothing", "/reset/nothing", "/api/tokens", "/api/me"]
    {
        let resp = http.get(format!("{base}{path}")).send().await?;
        assert_eq!(cache_control(&resp).as_deref(), Some("no-store"), "{path} ({})", resp.status());
    }
    // The class is the route's, not a prefix's: other pages stay cacheable.
    for path in ["/", "/registries/none", "/accounting", "/healthz"] {
        let resp = http.get(format!("{base}{path}")).send().await?;
        assert_ne!(cache_control(&resp).as_deref(), Some("no-store"), "{path} ({})", resp.status());
    }
    Ok(())
}

/// Found by reading: a username with a newline forged a log line.
#[tokio::test]
async fn usernames_cannot_forge_log_lines() -> TestResult {
    let store = Store::open("sqlite::memory:").await?;
    let access = Access::new(store, Mode::Login, Policy::default()).await?;
    let token = access.issue_setup_token().await?.ok_or("no setup token")?;
    let forged = "admin\n2026-12-07T00:00:00Z  INFO reestr: logged in user=admin";
    let r = access.setup(&token, forged, PASSWORD, "10.0.0.1", "t").await;
    assert!(matches!(r, Err(AccessError::BadUsername)), "{r:?}");
    access.setup(&token, "admin", PASSWORD, "10.0.0.1", "t").await?;
    let r = access.login(forged, PASSWORD, "10.0.0.1", "t").await;
    assert!(matches!(r, Err(AccessError::BadCredentials)), "{r:?}");
    let long = "a".repeat(100_000);
    let r = access.login(&long, PASSWORD, "10.0.0.1", "t").await;
    assert!(matches!(r, Err(AccessError::BadCredentials)), "{r:?}");
    Ok(())
}

/// Found by reading: on Postgres, two concurrent demotions could leave no
/// administrator, and two concurrent setups could both succeed.
#[tokio::test]
async fn administrators_survive_concurrent_demotions_and_setup_happens_once_on_postgres() -> TestResult {
    use app::model::Grants;
    use reestr::access::{Role, User};
    let (viewer, admin) = (Grants::everywhere(Role::Viewer), Grants::everywhere(Role::Admin));
    for round in 0..5 {
        let store = Store::open(&fresh_postgres().await?).await?;
        let users: Vec<User> = (0..6)
            .map(|i| User {
                id: format!("u{round}-{i}"),
                username: format!("admin{i}"),
                grants: Grants::everywhere(Role::Admin),
            })
            .collect();
        let setups = users.iter().map(|u| store.create_first_admin(u, "hash", 1));
        let created = futures::future::try_join_all(setups).await?;
        assert_eq!(created.iter().filter(|c| **c).count(), 1, "round {round}: {created:?}");
        let first = users.iter().zip(&created).find(|(_, c)| **c).map(|(u, _)| u.clone()).ok_or("no first")?;
        let second =
            User { id: format!("v{round}"), username: "second".into(), grants: Grants::everywhere(Role::Admin) };
        assert!(store.create_user(&second, Some("hash"), 1).await?);
        for attempt in 0..10 {
            let (a, b) = tokio::join!(store.set_grants(&first.id, &viewer), store.set_grants(&second.id, &viewer));
            let admins = store.list_users().await?.iter().filter(|u| u.user.grants.is_admin()).count();
            assert_eq!(admins, 1, "round {round}, attempt {attempt}: {a:?} {b:?}");
            store.set_grants(&first.id, &admin).await?;
            store.set_grants(&second.id, &admin).await?;
        }
    }
    Ok(())
}

/// Found by reading: "sign out everywhere" left API tokens working, and
/// tokens never expired.
#[tokio::test]
async fn sign_out_everywhere_ends_tokens_and_tokens_expire() -> TestResult {
    let store = Store::open("sqlite::memory:").await?;
    let access = Access::new(store, Mode::Login, Policy::default()).await?;
    let setup = access.issue_setup_token().await?.ok_or("no setup token")?;
    let session = access.setup(&setup, "admin", PASSWORD, "10.0.0.1", "t").await?;
    let user = access.from_session(&session).await?.ok_or("no session")?.user;
    let (_, token, expires_at) = access.create_api_token(&user, "ci", None).await?;
    let days = (expires_at - reestr::access::now()) as f64 / 86_400.0;
    assert!((89.9..=90.0).contains(&days), "default lifetime {days} days");
    assert!(access.from_api_token(&token).await?.is_some());
    assert!(matches!(access.create_api_token(&user, "ci", Some(366)).await, Err(AccessError::BadTokenLifetime)));
    // Past its expiry, a token opens nothing.
    let old = "reestr_an-old-token-made-long-ago";
    let hash = reestr::access::secret::hash(old);
    access.store.create_token(&user.id, "old", "old", &hash, 1, reestr::access::now() - 1).await?;
    assert!(access.from_api_token(old).await?.is_none(), "an expired token was accepted");
    // Signing out everywhere ends the sessions and the tokens.
    let (sessions, tokens) = access.end_sessions_of(&user.id).await?;
    assert_eq!((sessions, tokens), (1, 2));
    assert!(access.from_api_token(&token).await?.is_none(), "a token outlived sign-out-everywhere");
    assert!(access.from_session(&session).await?.is_none());
    Ok(())
}

/// Found by reading: over HTTPS the session cookie lacked the `__Host-`
/// prefix, so a sibling subdomain could plant one.
#[tokio::test]
async fn over_https_the_session_cookie_is_host_only() -> TestResult {
    let app = with_admin().await?;
    let http = client()?;
    let resp = http
        .post(format!("{}/auth/login", app.base))
        .header(ORIGIN, &app.base)
        .header("x-forwarded-proto", "https")
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await?;
    let set = resp.headers().get(reqwest::header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(set.starts_with("__Host-reestr_session=") && set.contains("; Secure") && set.contains("Path=/"), "{set}");
    assert!(!set.contains("Domain"), "{set}");
    let cookie = set.split(';').next().unwrap_or_default().to_string();
    let me = http.get(format!("{}/api/me", app.base)).header(reqwest::header::COOKIE, &cookie).send().await?;
    assert_eq!(me.status(), StatusCode::OK);
    let out = http
        .post(format!("{}/auth/logout", app.base))
        .header(ORIGIN, &app.base)
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await?;
    let cleared: Vec<&str> =
        out.headers().get_all(reqwest::header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(cleared.iter().any(|c| c.starts_with("__Host-reestr_session=;")), "{cleared:?}");
    let me = http.get(format!("{}/api/me", app.base)).header(reqwest::header::COOKIE, &cookie).send().await?;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "the session outlived its logout");
    Ok(())
}

/// Found by reading: a search was unbounded (length, words) on the REST
/// API, server functions and pages.
#[tokio::test]
async fn searches_are_bounded_everywhere() -> TestResult {
    let app = TestApp::start().await?;
    let long = "a".repeat(201);
    let wordy = "a ".repeat(11);
    for q in [long.as_str(), wordy.as_str()] {
        let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let problem = app.json(&format!("/api/registries/local/repositories?q={encoded}"), 400).await?;
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("longer than 200") || detail.contains("more than 10 words"), "{problem}");
        app.json(&format!("/api/registries/local/repositories/team/app/tags?q={encoded}"), 400).await?;
        let page = app.get(&format!("/registries/local?q={encoded}")).await?.2;
        assert!(page.contains("longer than 200") || page.contains("more than 10 words"), "the page shows why");
    }
    let namespace = "n".repeat(256);
    app.json(&format!("/api/registries/local/repositories?namespace={namespace}"), 400).await?;
    app.json("/api/registries/local/repositories?q=team+app&namespace=team", 200).await?;
    Ok(())
}

/// Found by reading: errors were strings sorted by `contains`, so a taken
/// username containing "invitation" said "this invitation link is wrong",
/// and a password over 1,024 bytes said "at least 12 characters".
#[tokio::test]
async fn each_refusal_says_what_was_wrong() -> TestResult {
    use reestr::access::Role;
    let store = Store::open("sqlite::memory:").await?;
    let access = Access::new(store, Mode::Login, Policy::default()).await?;
    let setup = access.issue_setup_token().await?.ok_or("no setup token")?;
    let session = access.setup(&setup, "admin", PASSWORD, "10.0.0.1", "t").await?;
    let admin = access.from_session(&session).await?.ok_or("no session")?.user;
    let link = access.invite(&admin, "invitation", Role::Viewer).await?;
    access.accept_invitation(&link, PASSWORD, "10.0.0.1", "t").await?;
    let taken = access.invite(&admin, "invitation", Role::Viewer).await.err().ok_or("invited twice")?;
    assert_eq!(taken.code().key(), "taken", "{taken}");
    let link = access.invite(&admin, "second", Role::Viewer).await?;
    let long = "p".repeat(1_025);
    let too_long = access.accept_invitation(&link, &long, "10.0.0.1", "t").await.err().ok_or("accepted")?;
    assert_eq!(too_long.code().key(), "password-long", "{too_long}");
    assert_eq!(too_long.code().message(), "The password must have at most 1,024 bytes.");
    let short = access.accept_invitation(&link, "short", "10.0.0.1", "t").await.err().ok_or("accepted")?;
    assert_eq!(short.code().key(), "password");
    Ok(())
}
