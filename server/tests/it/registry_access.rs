//! Access per registry (issue 21, item 3): roles scoped to some registries,
//! and `access.allowFrom`. A registry out of the caller's reach answers
//! every route (page, REST, server function, search, storage, resync)
//! exactly as a registry nobody configured does, and every list leaves it
//! out, so an answer does not even tell that it exists.

use app::model::{Grants, Role};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, COOKIE};

use crate::access::{PASSWORD, client, location, session_of, start_with_config};
use crate::support::{Scratch, TestApp, TestResult, registry_host};

/// Four registries over the one seeded registry: two plain ones, one
/// visible from 10.0.0.0/8 only (never from the tests' loopback), one from
/// loopback only.
fn config() -> TestResult<String> {
    let host = registry_host()?;
    let entry = |id: &str, name: &str, extra: &str| {
        format!(
            "  - id: {id}\n    displayName: {name}\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n{extra}"
        )
    };
    Ok(format!(
        "registries:\n{}{}{}{}",
        entry("local", "Local registry", ""),
        entry("hidden", "Hidden registry", ""),
        entry("office", "Office registry", "    access: { allowFrom: [10.0.0.0/8, \"2001:db8::/32\"] }\n"),
        entry("near", "Near registry", "    access: { allowFrom: [127.0.0.0/8] }\n"),
    ))
}

/// An application with an administrator (everywhere) and a second user,
/// `val`, whose role the administrator sets with the users page's form.
struct Team {
    app: TestApp,
    http: reqwest::Client,
    admin: String,
    val: String,
    val_id: String,
}

impl Team {
    async fn new() -> TestResult<Self> {
        let scratch = Scratch::new()?;
        let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
        let app = start_with_config(&url, None, Vec::new(), &config()?, scratch).await?;
        let setup = app.access.issue_setup_token().await?.ok_or("no setup token")?;
        let admin = format!("reestr_session={}", app.access.setup(&setup, "admin", PASSWORD, "127.0.0.1", "t").await?);
        let admin_user = app.access.store.credentials("admin").await?.ok_or("no admin")?.user;
        let invite = app.access.invite(&admin_user, "val", Role::Viewer).await?;
        let val = session_of(app.access.accept_invitation(&invite, PASSWORD, "127.0.0.2", "t").await?)?;
        let val_id = app.access.store.credentials("val").await?.ok_or("no val")?.user.id;
        Ok(Self { app, http: client()?, admin, val, val_id })
    }

    /// The administrator sends the role form for `val`.
    async fn set_val(&self, role: &str, registries: &str) -> TestResult<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/auth/users/{}/role", self.app.base, self.val_id))
            .header("origin", &self.app.base)
            .header(COOKIE, &self.admin)
            .form(&[("role", role), ("registries", registries)])
            .send()
            .await?)
    }

    async fn val_grants(&self) -> TestResult<Grants> {
        Ok(self.app.access.store.user_by_id(&self.val_id).await?.ok_or("no val")?.grants)
    }

    /// GET `path` as the caller `auth` (a cookie or a bearer token).
    async fn get(&self, path: &str, auth: &Auth) -> TestResult<(StatusCode, String)> {
        let resp = auth.on(self.http.get(format!("{}{path}", self.app.base))).send().await?;
        Ok((resp.status(), resp.text().await?))
    }

    async fn post(&self, path: &str, auth: &Auth, form: &[(&str, &str)]) -> TestResult<(StatusCode, String)> {
        let request = self.http.post(format!("{}{path}", self.app.base)).header("origin", &self.app.base);
        let resp = auth.on(request).form(form).send().await?;
        Ok((resp.status(), resp.text().await?))
    }

    /// The ids `GET /api/registries` lists.
    async fn listed(&self, auth: &Auth) -> TestResult<Vec<String>> {
        let (status, body) = self.get("/api/registries", auth).await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list: Vec<serde_json::Value> = serde_json::from_str(&body)?;
        Ok(list.iter().filter_map(|o| o["id"].as_str().map(str::to_string)).collect())
    }
}

enum Auth {
    Cookie(String),
    Bearer(String),
}

impl Auth {
    fn on(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::Cookie(c) => request.header(COOKIE, c),
            Self::Bearer(t) => request.header(AUTHORIZATION, format!("Bearer {t}")),
        }
    }
}

/// Every REST route about one registry, `{id}` standing for it: details,
/// storage, the repository list and its search, a repository, its tags,
/// one tag, its README.
const REST_ROUTES: [&str; 8] = [
    "/api/registries/{id}",
    "/api/registries/{id}/storage",
    "/api/registries/{id}/repositories",
    "/api/registries/{id}/repositories?q=app",
    "/api/registries/{id}/repositories/team%2Fapp",
    "/api/registries/{id}/repositories/team/app/-/tags",
    "/api/registries/{id}/repositories/team/app/-/tags/1.0",
    "/api/registries/{id}/repositories/team/app/-/readme",
];

/// Server functions about one registry, with their arguments.
const SERVER_FNS: [(&str, &[(&str, &str)]); 6] = [
    ("/_fn/registry", &[("registry", "{id}")]),
    ("/_fn/storage", &[("registry", "{id}")]),
    ("/_fn/repository", &[("registry", "{id}"), ("repository", "team/app")]),
    ("/_fn/readme", &[("registry", "{id}"), ("repository", "team/app")]),
    ("/_fn/tag", &[("registry", "{id}"), ("repository", "team/app"), ("reference", "1.0")]),
    ("/_fn/resync", &[("registry", "{id}")]),
];

/// Pages about one registry: the registry, its storage, a repository, a tag.
const PAGES: [&str; 4] = [
    "/registries/{id}",
    "/registries/{id}/storage",
    "/registries/{id}/repositories/team/app",
    "/registries/{id}/repositories/team/app/-/tags/1.0",
];

/// Asserts that every route answers for registry `id` exactly as for a
/// registry nobody configured (`nope`): same status, same body but for
/// the id.
async fn out_of_reach(team: &Team, id: &str, auth: &Auth, pages_and_functions: bool) -> TestResult {
    let same = |a: (StatusCode, String), b: (StatusCode, String), what: &str| {
        assert_eq!(b.0, StatusCode::NOT_FOUND, "{what} of an unknown registry");
        assert_eq!((a.0, a.1.replace(id, "nope")), b, "{what} of `{id}`");
    };
    for route in REST_ROUTES {
        let (mine, unknown) = (route.replace("{id}", id), route.replace("{id}", "nope"));
        same(team.get(&mine, auth).await?, team.get(&unknown, auth).await?, &mine);
    }
    let resync = |r: &str| format!("/api/registries/{r}/resync");
    same(team.post(&resync(id), auth, &[]).await?, team.post(&resync("nope"), auth, &[]).await?, "resync");
    if !pages_and_functions {
        return Ok(());
    }
    for (path, args) in SERVER_FNS {
        let with = |r: &str| args.iter().map(|(k, v)| (*k, v.replace("{id}", r))).collect::<Vec<_>>();
        let (mine, unknown) = (with(id), with("nope"));
        let as_refs = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let send = |args: Vec<(&'static str, String)>| {
            auth.on(team.http.post(format!("{}{path}", team.app.base)).header("origin", &team.app.base))
                .form(&args)
                .send()
        };
        let a = send(as_refs(&mine)).await?;
        let a = (a.status(), a.text().await?);
        let b = send(as_refs(&unknown)).await?;
        let b = (b.status(), b.text().await?);
        assert!(b.1.contains("no registry `nope` is configured"), "{path}: {b:?}");
        assert_eq!((a.0, a.1.replace(id, "nope")), b, "{path} for `{id}`");
    }
    for page in PAGES {
        let (status, body) = team.get(&page.replace("{id}", id), auth).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page} for `{id}`");
        assert!(body.contains(&format!("no registry `{id}` is configured")), "{page}: the page says why");
    }
    Ok(())
}

#[tokio::test]
async fn a_scoped_viewer_reaches_only_their_registries_by_every_route() -> TestResult {
    let team = Team::new().await?;
    let admin = Auth::Cookie(team.admin.clone());
    assert_eq!(team.listed(&Auth::Cookie(team.val.clone())).await?, ["local", "hidden", "near"]);

    // The administrator scopes val to `local`; a registry nobody configured
    // is refused and leaves the grants as they were.
    let resp = team.set_val("viewer", "local, nope").await?;
    assert_eq!(location(&resp), "/admin/users?error=registry");
    assert_eq!(team.val_grants().await?, Grants::everywhere(Role::Viewer));
    let resp = team.set_val("viewer", "local").await?;
    assert_eq!(location(&resp), "/admin/users");
    assert_eq!(team.val_grants().await?, Grants::only(Role::Viewer, ["local".to_string()]));
    let (_, users) = team.get("/admin/users", &admin).await?;
    assert!(users.contains("viewer of local"), "the users page shows the scope");

    // The session val already had, and an API token made after.
    let session = Auth::Cookie(team.val.clone());
    let resp = team
        .http
        .post(format!("{}/api/tokens", team.app.base))
        .header("origin", &team.app.base)
        .header(COOKIE, &team.val)
        .json(&serde_json::json!({ "name": "ci" }))
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let token = Auth::Bearer(resp.json::<serde_json::Value>().await?["token"].as_str().ok_or("no token")?.to_string());

    for auth in [&session, &token] {
        assert_eq!(team.listed(auth).await?, ["local"]);
        out_of_reach(&team, "hidden", auth, matches!(auth, Auth::Cookie(_))).await?;
        // What val may see answers as before.
        assert_eq!(team.get("/api/registries/local/repositories?q=app", auth).await?.0, StatusCode::OK);
        assert_eq!(team.get("/api/registries/local/storage", auth).await?.0, StatusCode::OK);
        let (status, body) = team.post("/api/registries/local/resync", auth, &[]).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "a viewer may not resync: {body}");
    }
    let (status, home) = team.get("/", &session).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Local registry") && !home.contains("Hidden registry"), "the home page lists local only");
    let (_, overview) = team.post("/_fn/overview", &session, &[]).await?;
    assert!(overview.contains("Local registry") && !overview.contains("hidden"), "{overview}");
    assert_eq!(team.get("/registries/local", &session).await?.0, StatusCode::OK);

    // Scoped back to every registry, val sees them all again at once.
    team.set_val("viewer", "").await?;
    assert_eq!(team.listed(&session).await?, ["local", "hidden", "near"]);
    Ok(())
}

#[tokio::test]
async fn an_administrator_of_one_registry_resyncs_it_and_manages_nothing_else() -> TestResult {
    let team = Team::new().await?;
    team.set_val("admin", "local").await?;
    assert_eq!(team.val_grants().await?, Grants::only(Role::Admin, ["local".to_string()]));
    let val = Auth::Cookie(team.val.clone());
    let (status, body) = team.post("/api/registries/local/resync", &val, &[]).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    out_of_reach(&team, "hidden", &val, true).await?;
    // Users and invitations stay with administrators of Reestr itself.
    let (status, _) = team.post("/auth/users", &val, &[("username", "eve"), ("role", "admin")]).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = team.post(&format!("/auth/users/{}/role", team.val_id), &val, &[("role", "admin")]).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "nobody widens their own scope");
    assert_eq!(team.val_grants().await?, Grants::only(Role::Admin, ["local".to_string()]));
    Ok(())
}

#[tokio::test]
async fn allow_from_hides_a_registry_from_other_addresses_even_from_administrators() -> TestResult {
    let team = Team::new().await?;
    let admin = Auth::Cookie(team.admin.clone());
    // From loopback: `near` is there, `office` (10.0.0.0/8) is not.
    assert_eq!(team.listed(&admin).await?, ["local", "hidden", "near"]);
    out_of_reach(&team, "office", &admin, true).await?;
    assert_eq!(team.get("/registries/near", &admin).await?.0, StatusCode::OK);
    // A forged X-Forwarded-For counts only behind a trusted proxy (none here).
    let resp = team
        .http
        .get(format!("{}/api/registries/office", team.app.base))
        .header(COOKIE, &team.admin)
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    Ok(())
}
