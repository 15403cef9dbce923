//! Single sign-on against a real OpenID provider (issue 21): `oidc-provider`
//! from npm (OpenID Certified), started here on a free port with its
//! development sign-in pages, and walked through by HTTP the way a browser
//! would (its cookies kept by hand). On both stores; on Postgres a sign-in
//! begun on one replica finishes on the other.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use app::model::Grants;
use reestr::access::Role;
use reestr::config::OidcConfig;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use tokio::io::AsyncBufReadExt;

use crate::access::{PASSWORD, client, fresh_postgres, location, session_cookie, set_cookie, start_with};
use crate::support::{Scratch, TestApp, TestResult};

const SECRET: &str = "the client secret of the test provider";

fn free_port() -> TestResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `oidc-provider` in a Node process; killed when dropped.
struct Provider {
    issuer: String,
    _child: tokio::process::Child,
}

impl Provider {
    /// Listens on `port`, accepting these redirect URIs for the client `reestr`.
    async fn start(port: u16, redirects: &[String]) -> TestResult<Self> {
        let end2end = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end");
        if !std::path::Path::new(end2end).join("node_modules/oidc-provider").is_dir() {
            return Err(
                "end2end/node_modules/oidc-provider is missing: run `npm ci` in end2end/ (scripts/setup.sh test does)"
                    .into(),
            );
        }
        let mut child = tokio::process::Command::new("node")
            .arg(format!("{end2end}/oidc_provider.mjs"))
            .arg(port.to_string())
            .arg(redirects.join(","))
            .arg(SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(issuer) = line.strip_prefix("ready ") {
                    return Ok::<_, std::io::Error>(Some(issuer.to_string()));
                }
            }
            Ok(None)
        })
        .await??;
        let issuer = ready.ok_or("the provider exited before it was ready")?;
        // It writes notices to stdout later; a closed pipe would kill it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { issuer, _child: child })
    }
}

/// The provider `corp` as `registries.yaml` would give it.
fn corp(issuer: &str, allow_sign_up: bool) -> TestResult<Vec<OidcConfig>> {
    let yaml = format!(
        "signIn:\n  oidc:\n    - id: corp\n      displayName: Corp ID\n      issuer: {issuer}\n      clientId: reestr\n      \
         scopes: [profile, email, groups]\n      allowSignUp: {allow_sign_up}\n      adminGroups: [reestr-admins]\n      \
         viewerGroups: [reestr-viewers]\nregistries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: {{ allowHttp: true }}\n"
    );
    let secret = |name: &str| (name == "REESTR_OIDC_CORP_CLIENT_SECRET").then(|| SECRET.to_string());
    Ok(reestr::config::load_str(&yaml, "test.yaml", std::path::Path::new("."), &secret)?.oidc)
}

fn callback_of(app: &TestApp) -> String {
    format!("{}/auth/oidc/corp/callback", app.base)
}

/// A browser at the provider: redirects followed by hand, cookies kept by name.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new() -> TestResult<Self> {
        Ok(Self { http: client()?, cookies: HashMap::new() })
    }

    fn keep(&mut self, resp: &reqwest::Response) {
        for c in resp.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> TestResult<reqwest::Response> {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let resp = request.header(COOKIE, cookie.join("; ")).send().await?;
        self.keep(&resp);
        Ok(resp)
    }

    /// Signs `login` in at the provider from its authorization URL, through
    /// the sign-in and consent pages; returns where the provider sends the
    /// browser back to (a URL under `back`).
    async fn sign_in(&mut self, authorize: &str, login: &str, back: &str) -> TestResult<String> {
        let mut url = url::Url::parse(authorize)?;
        let mut form: Option<Vec<(&str, String)>> = None;
        for _ in 0..12 {
            let resp = match form.take() {
                Some(fields) => self.send(self.http.post(url.clone()).form(&fields)).await?,
                None => self.send(self.http.get(url.clone())).await?,
            };
            if resp.status().is_redirection() {
                let next = url.join(&location(&resp))?;
                if next.as_str().starts_with(back) {
                    return Ok(next.to_string());
                }
                url = next;
                continue;
            }
            let status = resp.status();
            let html = resp.text().await?;
            let action = html.split("action=\"").nth(1).and_then(|r| r.split('"').next()).ok_or_else(|| {
                format!("the provider answered {status} without a form: {}", html.chars().take(400).collect::<String>())
            })?;
            url = url.join(&action.replace("&amp;", "&"))?;
            form = Some(if html.contains(r#"name="prompt" value="login""#) {
                vec![("prompt", "login".into()), ("login", login.into()), ("password", "any password".into())]
            } else {
                vec![("prompt", "consent".into())]
            });
        }
        Err("the provider never sent the browser back".into())
    }
}

/// Follows "Sign in with Corp ID" on `app`: the provider's authorization
/// URL and the state cookie the browser keeps.
async fn press(app: &TestApp, next: &str) -> TestResult<(String, String)> {
    let resp = client()?.get(format!("{}/auth/oidc/corp/start", app.base)).query(&[("next", next)]).send().await?;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "start");
    let state = set_cookie(&resp, "reestr_sso_state").ok_or("no state cookie")?;
    Ok((location(&resp), format!("reestr_sso_state={state}")))
}

async fn come_back(url: &str, cookie: &str) -> TestResult<reqwest::Response> {
    Ok(client()?.get(url).header(COOKIE, cookie).send().await?)
}

/// A whole sign-in of `login`: begun on `a`, finished on `b`.
async fn sign_in(a: &TestApp, b: &TestApp, login: &str) -> TestResult<reqwest::Response> {
    let (authorize, cookie) = press(a, "/registries/local").await?;
    let back = Browser::new()?.sign_in(&authorize, login, &callback_of(a)).await?;
    come_back(&back.replace(&a.base, &b.base), &cookie).await
}

#[tokio::test]
async fn sqlite_a_provider_signs_people_in_and_its_groups_decide_the_role() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let port = free_port()?;
    let app = start_with(&url, None, corp(&format!("http://127.0.0.1:{port}"), true)?, scratch).await?;
    let _provider = Provider::start(port, &[callback_of(&app)]).await?;
    sign_ins(&app, &app).await
}

#[tokio::test]
async fn postgres_a_sign_in_begun_on_one_replica_finishes_on_another() -> TestResult {
    let url = fresh_postgres().await?;
    let port = free_port()?;
    let sso = corp(&format!("http://127.0.0.1:{port}"), true)?;
    let a = start_with(&url, None, sso.clone(), Scratch::new()?).await?;
    let b = start_with(&url, None, sso, Scratch::new()?).await?;
    let _provider = Provider::start(port, &[callback_of(&a), callback_of(&b)]).await?;
    sign_ins(&a, &b).await
}

async fn sign_ins(a: &TestApp, b: &TestApp) -> TestResult {
    // A local administrator named bob, whom the provider's bob must not become.
    let token = a.access.issue_setup_token().await?.ok_or("no token")?;
    a.access.setup(&token, "bob", PASSWORD, "127.0.0.1", "t").await?;
    let login_page = client()?.get(format!("{}/login", a.base)).send().await?.text().await?;
    assert!(login_page.contains("Sign in with Corp ID"), "the login page offers the provider");

    let resp = sign_in(a, b, "alice").await?;
    assert_eq!(location(&resp), "/registries/local", "back where the sign-in began");
    let alice = session_cookie(&resp).ok_or("no session for alice")?;
    let account = client()?.get(format!("{}/account", b.base)).header(COOKIE, &alice).send().await?;
    assert_eq!(account.status(), StatusCode::OK);
    let page = account.text().await?;
    assert!(page.contains("Signed in as") && page.contains("alice"));
    let stored = a.access.store.credentials("alice").await?.ok_or("alice was not created")?;
    assert_eq!(stored.user.grants, Grants::everywhere(Role::Viewer));
    assert!(stored.password_hash.is_none(), "a single sign-on account has no password");

    // Signing out offers the provider's end-session endpoint; a password session's does not.
    let out = |cookie: String| {
        client().map(|c| c.post(format!("{}/auth/logout", a.base)).header("origin", &a.base).header(COOKIE, cookie))
    };
    assert_eq!(location(&out(alice.clone())?.send().await?), "/login?signed_out=corp");
    let end = client()?.get(format!("{}/auth/oidc/corp/end-session", a.base)).send().await?;
    let to = location(&end);
    assert!(to.contains("/session/end?client_id=reestr&post_logout_redirect_uri="), "{to}");
    let bob = a.access.login("bob", PASSWORD, "127.0.0.1", "t").await?;
    assert_eq!(location(&out(crate::access::session_of(bob)?)?.send().await?), "/login");

    let resp = sign_in(a, b, "admin-ann").await?;
    assert!(session_cookie(&resp).is_some());
    assert_eq!(
        a.access.store.credentials("admin-ann").await?.ok_or("no ann")?.user.grants,
        Grants::everywhere(Role::Admin)
    );

    // The provider's bob is someone else than the local bob.
    let resp = sign_in(a, b, "bob").await?;
    assert!(session_cookie(&resp).is_some());
    assert!(a.access.store.credentials("bob-2").await?.is_some(), "a taken name gets a suffix");
    assert_eq!(a.access.store.credentials("bob").await?.ok_or("no bob")?.user.grants, Grants::everywhere(Role::Admin));

    // Signing in again finds the same account; a user in no group gets none.
    let users = a.access.store.list_users().await?.len();
    let resp = sign_in(a, b, "alice").await?;
    assert!(session_cookie(&resp).is_some());
    assert_eq!(a.access.store.list_users().await?.len(), users, "alice again is the same alice");
    let resp = sign_in(a, b, "outsider-otto").await?;
    assert_eq!(location(&resp), "/login?error=sso-no-group");
    assert!(session_cookie(&resp).is_none());
    assert!(a.access.store.credentials("outsider-otto").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_wrong_state_a_replayed_answer_or_code_and_another_browser_are_refused() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let port = free_port()?;
    let app = start_with(&url, None, corp(&format!("http://127.0.0.1:{port}"), true)?, scratch).await?;
    let _provider = Provider::start(port, &[callback_of(&app)]).await?;
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "root", PASSWORD, "127.0.0.1", "t").await?;

    let (authorize, cookie) = press(&app, "/").await?;
    let back = Browser::new()?.sign_in(&authorize, "carol", &callback_of(&app)).await?;
    let answer = url::Url::parse(&back)?;
    let query: HashMap<String, String> = answer.query_pairs().into_owned().collect();
    let code = query.get("code").ok_or("no code")?;

    // Another browser (login CSRF: an attacker's answer in a victim's browser).
    let resp = come_back(&back, "").await?;
    assert_eq!(location(&resp), "/login?error=sso-expired");
    let resp = come_back(&back, "reestr_sso_state=someone-elses").await?;
    assert_eq!(location(&resp), "/login?error=sso-expired");
    // A state that is not the one sent.
    let forged = back.replace(query.get("state").ok_or("no state")?, "forged-state");
    let resp = come_back(&forged, "reestr_sso_state=forged-state").await?;
    assert_eq!(location(&resp), "/login?error=sso-expired");
    assert!(app.access.store.credentials("carol").await?.is_none(), "nobody signed in so far");

    // The right answer, once.
    let resp = come_back(&back, &cookie).await?;
    assert!(session_cookie(&resp).is_some(), "{}", location(&resp));
    let resp = come_back(&back, &cookie).await?;
    assert_eq!(location(&resp), "/login?error=sso-expired", "an answer is taken once");

    // The same code inside a new sign-in of this browser: the provider refuses it.
    let (_, cookie) = press(&app, "/").await?;
    let state = cookie.trim_start_matches("reestr_sso_state=");
    let replay = format!("{}?code={code}&state={state}", callback_of(&app));
    let resp = come_back(&replay, &cookie).await?;
    assert_eq!(location(&resp), "/login?error=sso-invalid", "a code is spent once");
    assert!(session_cookie(&resp).is_none());

    // The provider's own refusal (the user cancelled) leads back to the login.
    let resp = come_back(&format!("{}?error=access_denied&state={state}", callback_of(&app)), &cookie).await?;
    assert_eq!(location(&resp), "/login?error=sso-expired");
    Ok(())
}

#[tokio::test]
async fn a_provider_that_is_down_or_names_another_issuer_signs_nobody_in() -> TestResult {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let port = free_port()?;
    // Configured as `localhost`, the provider calls itself 127.0.0.1: not the same issuer.
    let other = start_with(&url, None, corp(&format!("http://localhost:{port}"), true)?, Scratch::new()?).await?;
    let app = start_with(&url, None, corp(&format!("http://127.0.0.1:{port}"), false)?, scratch).await?;

    // Nothing listens yet: the button leads back to the login, nothing is kept.
    let resp = client()?.get(format!("{}/auth/oidc/corp/start", app.base)).send().await?;
    assert_eq!(location(&resp), "/login?error=sso-down");
    assert!(set_cookie(&resp, "reestr_sso_state").is_none());
    assert_eq!(app.access.store.live_oidc_flows(reestr::access::now()).await?, 0);
    let resp = client()?.get(format!("{}/auth/oidc/nope/start", app.base)).send().await?;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "an unknown provider");

    let provider = Provider::start(port, &[callback_of(&app), callback_of(&other)]).await?;
    assert_eq!(provider.issuer, format!("http://127.0.0.1:{port}"));
    let resp = client()?.get(format!("{}/auth/oidc/corp/start", other.base)).send().await?;
    assert_eq!(location(&resp), "/login?error=sso-invalid", "discovery names another issuer");

    // Up: without sign-up, a stranger gets no account.
    let resp = sign_in(&app, &app, "dave").await?;
    assert_eq!(location(&resp), "/login?error=sso-no-account");
    assert!(app.access.store.credentials("dave").await?.is_none());

    // Down between the two legs: the code cannot be exchanged.
    let (authorize, cookie) = press(&app, "/").await?;
    let back = Browser::new()?.sign_in(&authorize, "erin", &callback_of(&app)).await?;
    drop(provider);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let resp = come_back(&back, &cookie).await?;
    assert_eq!(location(&resp), "/login?error=sso-down");
    assert!(session_cookie(&resp).is_none());

    // A local password still signs in.
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "root", PASSWORD, "127.0.0.1", "t").await?;
    let resp = client()?
        .post(format!("{}/auth/login", app.base))
        .header("origin", &app.base)
        .form(&[("username", "root"), ("password", PASSWORD)])
        .send()
        .await?;
    assert!(session_cookie(&resp).is_some());
    Ok(())
}
