//! Account care over HTTP (issue 21): changing one's password needs the
//! current one, is throttled like a login and ends every other session; an
//! administrator's reset link works once, for its user only, within its
//! lifetime, and ends that user's sessions too.

use reqwest::StatusCode;
use reqwest::header::COOKIE;

use crate::access::{PASSWORD, client, fresh_postgres, location, session_cookie, session_of, set_cookie, start};
use crate::support::{Scratch, TestApp, TestResult};

const NEW_PASSWORD: &str = "a brand new long passphrase";

/// Whether a session cookie still opens a page (a dead one is sent to /login).
async fn live(app: &TestApp, cookie: &str) -> TestResult<bool> {
    let resp = client()?.get(format!("{}/account", app.base)).header(COOKIE, cookie).send().await?;
    Ok(resp.status() == StatusCode::OK)
}

async fn login(app: &TestApp, user: &str, password: &str) -> TestResult<Option<String>> {
    let resp = client()?
        .post(format!("{}/auth/login", app.base))
        .header("origin", &app.base)
        .form(&[("username", user), ("password", password)])
        .send()
        .await?;
    Ok(session_cookie(&resp))
}

async fn change(app: &TestApp, cookie: &str, current: &str, new: &str, again: &str) -> TestResult<reqwest::Response> {
    Ok(client()?
        .post(format!("{}/auth/password", app.base))
        .header("origin", &app.base)
        .header(COOKIE, cookie)
        .form(&[("current", current), ("password", new), ("password2", again)])
        .send()
        .await?)
}

async fn sqlite_app() -> TestResult<TestApp> {
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    start(&url, scratch).await
}

#[tokio::test]
async fn sqlite_password_change_needs_the_current_one_and_ends_other_sessions() -> TestResult {
    password_change(&sqlite_app().await?).await
}

#[tokio::test]
async fn postgres_password_change_needs_the_current_one_and_ends_other_sessions() -> TestResult {
    password_change(&start(&fresh_postgres().await?, Scratch::new()?).await?).await
}

async fn password_change(app: &TestApp) -> TestResult {
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "test").await?;
    let here = login(app, "admin", PASSWORD).await?.ok_or("no first session")?;
    let there = login(app, "admin", PASSWORD).await?.ok_or("no second session")?;

    for (current, new, again, code) in [
        ("not my password at all", NEW_PASSWORD, NEW_PASSWORD, "current"),
        (PASSWORD, NEW_PASSWORD, "something else entirely", "mismatch"),
        (PASSWORD, "short", "short", "password"),
    ] {
        let resp = change(app, &here, current, new, again).await?;
        assert_eq!(location(&resp), format!("/account?error={code}"));
        assert!(session_cookie(&resp).is_none());
    }
    assert!(live(app, &here).await? && live(app, &there).await?, "a refused change ends nothing");

    let (_, (_, api_token, _)) = {
        let user = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
        ((), app.access.create_api_token(&user, "script", None).await?)
    };
    let resp = client()?
        .post(format!("{}/auth/password", app.base))
        .header("origin", &app.base)
        .bearer_auth(&api_token)
        .form(&[("current", PASSWORD), ("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)])
        .send()
        .await?;
    assert!(resp.status().is_redirection() || resp.status().is_client_error(), "{}", resp.status());
    assert!(session_cookie(&resp).is_none(), "an API token does not change a password");
    assert!(login(app, "admin", PASSWORD).await?.is_some(), "the password is unchanged");

    let resp = change(app, &here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await?;
    assert_eq!(location(&resp), "/account?changed=password");
    let fresh = session_cookie(&resp).ok_or("the browser that changed it gets a new session")?;
    assert!(!live(app, &here).await?, "the session that changed it was replaced");
    assert!(!live(app, &there).await?, "every other session ended");
    assert!(live(app, &fresh).await?);
    let page = client()?.get(format!("{}/account?changed=password", app.base)).header(COOKIE, &fresh).send().await?;
    assert!(page.text().await?.contains("Your password was changed"));
    assert!(login(app, "admin", PASSWORD).await?.is_none(), "the old password is gone");
    assert!(login(app, "admin", NEW_PASSWORD).await?.is_some());
    let me = client()?.get(format!("{}/api/me", app.base)).bearer_auth(&api_token).send().await?;
    assert_eq!(me.status(), StatusCode::OK, "API tokens are separate credentials and stay");
    Ok(())
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled() -> TestResult {
    let app = sqlite_app().await?;
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    let session = app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "test").await?;
    let cookie = format!("reestr_session={session}");
    let mut codes = Vec::new();
    for _ in 0..7 {
        let resp = change(&app, &cookie, "guess guess guess", NEW_PASSWORD, NEW_PASSWORD).await?;
        codes.push(location(&resp).rsplit('=').next().unwrap_or_default().to_string());
    }
    assert_eq!(codes, ["current", "current", "current", "current", "current", "throttled", "throttled"]);
    let resp = change(&app, &cookie, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await?;
    assert_eq!(location(&resp), "/account?error=throttled", "the right password waits too");
    assert!(login(&app, "admin", PASSWORD).await?.is_none(), "and the account's logins wait with it");
    Ok(())
}

#[tokio::test]
async fn sqlite_reset_links_work_once_for_their_user_and_end_their_sessions() -> TestResult {
    reset_links(sqlite_app().await?).await
}

#[tokio::test]
async fn postgres_reset_links_work_once_for_their_user_and_end_their_sessions() -> TestResult {
    reset_links(start(&fresh_postgres().await?, Scratch::new()?).await?).await
}

async fn reset_links(app: TestApp) -> TestResult {
    let (base, http) = (app.base.clone(), client()?);
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    let admin = format!("reestr_session={}", app.access.setup(&token, "admin", PASSWORD, "127.0.0.1", "t").await?);
    let by = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
    let invite = app.access.invite(&by, "vera", reestr::access::Role::Viewer).await?;
    let vera = session_of(app.access.accept_invitation(&invite, PASSWORD, "127.0.0.2", "t").await?)?;
    let vera_id = app.access.store.credentials("vera").await?.ok_or("no vera")?.user.id;
    let post = |path: String, cookie: String| {
        http.post(format!("{base}{path}")).header("origin", &base).header(COOKIE, cookie).send()
    };

    // Only administrators issue links; an unknown user gets none.
    let resp = post(format!("/auth/users/{}/reset", by.id), vera.clone()).await?;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "a viewer cannot reset the administrator");
    let resp = post("/auth/users/nobody/reset".into(), admin.clone()).await?;
    assert_eq!(location(&resp), "/admin/users?error=no-user");

    // The link comes back once, in a cookie the users page reads, naming its user.
    let issue = || async {
        let resp = post(format!("/auth/users/{vera_id}/reset"), admin.clone()).await?;
        assert_eq!(location(&resp), "/admin/users");
        TestResult::Ok(set_cookie(&resp, "reestr_new_reset"))
    };
    let first = issue().await?.ok_or("no reset cookie")?;
    let link = issue().await?.ok_or("no reset cookie")?;
    let page = http
        .get(format!("{base}/admin/users"))
        .header(COOKIE, format!("{admin}; reestr_new_reset={link}"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains(&format!("/reset/{link}")), "the users page shows the link");
    assert!(page.contains("Send this link to vera"), "and whose it is");
    let forged = http
        .get(format!("{base}/admin/users"))
        .header(COOKIE, format!("{admin}; reestr_new_reset=made-up"))
        .send()
        .await?
        .text()
        .await?;
    assert!(!forged.contains("/reset/made-up"), "a cookie that names no link shows nothing");

    let spend = |t: String, again: &'static str| {
        http.post(format!("{base}/auth/reset"))
            .header("origin", &base)
            .form(&[("token", t.as_str()), ("password", NEW_PASSWORD), ("password2", again)])
            .send()
    };
    let resp = spend(first.clone(), NEW_PASSWORD).await?;
    assert_eq!(location(&resp), format!("/reset/{first}?error=reset"), "a newer link replaces an older one");
    let resp = spend(link.clone(), "not the same password").await?;
    assert_eq!(location(&resp), format!("/reset/{link}?error=mismatch"));
    assert!(live(&app, &vera).await?, "a refused reset ends nothing");

    let resp = spend(link.clone(), NEW_PASSWORD).await?;
    assert_eq!(location(&resp), "/account?changed=password");
    let fresh = session_cookie(&resp).ok_or("the reset signs this browser in")?;
    let me: serde_json::Value = http.get(format!("{base}/api/me")).header(COOKIE, &fresh).send().await?.json().await?;
    assert_eq!(me["username"], "vera", "as the link's user");
    assert!(!live(&app, &vera).await?, "vera's other sessions ended");
    assert!(live(&app, &admin).await?, "nobody else's did");
    let resp = spend(link.clone(), NEW_PASSWORD).await?;
    assert_eq!(location(&resp), format!("/reset/{link}?error=reset"), "a link works once");
    assert!(login(&app, "vera", NEW_PASSWORD).await?.is_some());
    assert!(login(&app, "vera", PASSWORD).await?.is_none());

    // A link past its lifetime does nothing.
    let stale = app.access.issue_reset(&by, &vera_id).await?;
    let hash = reestr::access::secret::hash(&stale);
    let past = reestr::access::now() - 10;
    app.access.store.put_reset(&vera_id, &hash, "admin", past - 100, past).await?;
    let resp = spend(stale.clone(), NEW_PASSWORD).await?;
    assert_eq!(location(&resp), format!("/reset/{stale}?error=reset"), "an expired link is refused");
    Ok(())
}
