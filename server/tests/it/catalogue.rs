//! Contract tests for the catalogue profiles. Harbor and Docker Hub cannot
//! run here, so wiremock servers stand in for their APIs, answering as the
//! real published documents (`tests/fixtures/specs/`) describe; the OCI
//! endpoint they pair with is the real seeded registry.

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::processes::{RegistryProcess, TestPki, TokenServer};
use crate::support::{Scratch, TestApp, TestResult, arr, harness_var, registry_host};

const USER: &str = "robot$reestr";
const PASSWORD: &str = "harbor-canary-7f3a";

fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs").join(name)
}

fn basic() -> String {
    crate::support::stand_in::basic(USER, PASSWORD)
}

/// Secrets as `scripts/test.sh` would export them, for every registry id.
fn env(name: &str) -> Option<String> {
    crate::support::stand_in::credentials(USER, PASSWORD)(name)
}

/// A Harbor registry entry: the catalogue at `mock`, the OCI endpoint the seeded registry.
fn harbor_entry(id: &str, mock: &str, document: &std::path::Path, extra: &str) -> TestResult<String> {
    Ok(format!(
        "  - id: {id}
    baseUrl: http://{registry}
    api: {{ profile: harbor, document: {doc}, baseUrl: {mock}/api/v2.0{extra} }}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
",
        registry = registry_host()?,
        doc = document.display()
    ))
}

fn harbor_repo(name: &str, description: &str, pulls: u64, artifacts: u64) -> Value {
    json!({
        "id": 1, "project_id": 1, "name": name, "description": description,
        "artifact_count": artifacts, "pull_count": pulls,
        "creation_time": "2026-01-05T10:00:00.000Z", "update_time": "2026-11-20T08:30:00.000Z"
    })
}

/// Harbor's `GET /repositories`, two pages (its `page_size` capped at 2),
/// the total in `X-Total-Count`, a `Link` header as Harbor sends; anything
/// without the robot account's credentials gets 401.
async fn harbor_mock() -> MockServer {
    let server = MockServer::start().await;
    let page = |n: &str, body: Value| {
        Mock::given(method("GET"))
            .and(path("/api/v2.0/repositories"))
            .and(query_param("page", n))
            .and(header("authorization", basic().as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Total-Count", "3")
                    .insert_header("Link", "</api/v2.0/repositories?page=2&page_size=100>; rel=\"next\"")
                    .set_body_json(body),
            )
    };
    page(
        "1",
        json!([
            harbor_repo("team/app", "The team's web app", 1234, 1),
            harbor_repo("team/sub/multi", "Multi-arch", 5, 1)
        ]),
    )
    .mount(&server)
    .await;
    page("2", json!([harbor_repo("legacy/tool", "", 0, 1)])).mount(&server).await;
    // Harbor's search answer (the document's `Search` shape): full names, project apart.
    Mock::given(method("GET"))
        .and(path("/api/v2.0/search"))
        .and(query_param("q", "tool"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "project": [],
            "repository": [{"project_id": 2, "project_name": "legacy", "project_public": true,
                            "repository_name": "legacy/tool", "pull_count": 7, "artifact_count": 1}]
        })))
        .mount(&server)
        .await;
    // Slashes inside a repository name are encoded twice (`sub%252Fmulti`), as Harbor's document asks.
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/team/repositories/sub%252Fmulti"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(harbor_repo("team/sub/multi", "Multi-arch", 5, 1)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/team/repositories/app"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(harbor_repo("team/app", "The team's web app", 1234, 1)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/team/repositories/app/artifacts/latest/additions/readme.md"))
        .and(header("authorization", basic().as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/markdown")
                .set_body_string("# From Harbor\n\n<img src=x onerror=alert(1)>"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/legacy/repositories/tool/artifacts/latest/additions/readme.md"))
        .and(header("authorization", basic().as_str()))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"errors": [{"code": "NOT_FOUND", "message": "addition not found"}]})),
        )
        .mount(&server)
        .await;
    let artifact = json!({
        "id": 9, "type": "IMAGE", "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "size": 4242, "push_time": "2026-11-01T12:00:00.000Z", "pull_time": "0001-01-01T00:00:00.000Z",
        "tags": [
            {"id": 1, "name": "1.0", "push_time": "2026-11-01T12:00:00.000Z", "pull_time": "0001-01-01T00:00:00.000Z", "immutable": false, "signed": false},
            {"id": 2, "name": "latest", "push_time": "2026-11-01T12:00:00.000Z", "pull_time": "0001-01-01T00:00:00.000Z", "immutable": false, "signed": false}
        ],
        // Harbor's scan overview, keyed by the report's media type.
        "scan_overview": {"application/vnd.security.vulnerability.report; version=1.1": {
            "report_id": "5f62c830-f996-11e9-957f-0242c0a89008", "scan_status": "Success", "severity": "Critical",
            "duration": 12, "start_time": "2026-11-01T12:01:00.000Z", "end_time": "2026-11-01T12:01:12.000Z",
            "complete_percent": 100, "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "v0.58.1"},
            "summary": {"total": 11, "fixable": 4, "summary": {"Critical": 1, "High": 3, "Low": 7}}
        }}
    });
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/team/repositories/app/artifacts"))
        .and(query_param("page", "1"))
        .and(query_param("with_scan_overview", "true"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).insert_header("X-Total-Count", "1").set_body_json(json!([artifact])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/projects/team/repositories/app/artifacts/1.0"))
        .and(query_param("with_scan_overview", "true"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(artifact))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]})),
        )
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn harbor_lists_repositories_page_by_page_with_descriptions_and_pull_counts() -> TestResult {
    let mock = harbor_mock().await;
    let yaml = format!("registries:\n{}", harbor_entry("harbor", &mock.uri(), &spec("harbor-v2.0-swagger.yaml"), "")?);
    let app = TestApp::start_with(&yaml, &env).await?;

    let page = app.json("/api/registries/harbor/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["legacy/tool", "team/app", "team/sub/multi"]);
    assert_eq!(page["total"], 3);
    assert_eq!(items[1]["description"], "The team's web app");
    assert_eq!(items[1]["pullCount"], 1234);
    assert_eq!(items[1]["artifactCount"], 1);
    assert_eq!(items[1]["updated"], "2026-11-20T08:30:00.000Z");
    // Harbor's empty description is no description.
    assert!(items[0].get("description").is_none(), "{}", items[0]);
    // Each page read once, with the robot account's credentials.
    let listed: Vec<String> = mock
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/api/v2.0/repositories")
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(listed, ["page_size=100&page=1", "page_size=100&page=2"]);

    let readme = app.json("/api/registries/harbor/repositories/team/app/-/readme", 200).await?;
    // The raw HTML image keeps its source and loses its handler.
    assert_eq!(readme["html"], "<h1>From Harbor</h1>\n<img src=\"x\">");
    // No readme.md addition: a 404 that says so.
    app.json("/api/registries/harbor/repositories/legacy/tool/-/readme", 404).await?;
    let multi = app.json("/api/registries/harbor/repositories/team/sub/multi", 200).await?;
    assert_eq!((multi["name"].as_str(), multi["description"].as_str()), (Some("team/sub/multi"), Some("Multi-arch")));

    // Tags: digests and platforms from the OCI endpoint, push times from Harbor; never pulled is no time.
    let tags = app.json("/api/registries/harbor/repositories/team/app/tags", 200).await?;
    for tag in arr(&tags, "items")? {
        assert_eq!(tag["pushed"], "2026-11-01T12:00:00.000Z", "{tag}");
        assert!(tag.get("pulled").is_none(), "{tag}");
        assert!(tag["digest"].as_str().is_some_and(|d| d.starts_with("sha256:") && !d.ends_with("0000")), "{tag}");
    }

    // The pages show the same.
    let html = app.html("/registries/harbor").await?;
    assert!(html.contains("The team&#x27;s web app") || html.contains("The team's web app"), "{html}");
    assert!(html.contains(r#"<td class="num">1.2k</td>"#), "{html}");
    // The grid shows the same facts as text; sorting by pulls puts the most pulled first.
    let html = app.html("/registries/harbor?view=grid&sort=pulls").await?;
    assert!(html.contains("1.2k pulls"), "{html}");
    let first = html.find("team/app").ok_or("no team/app")?;
    assert!(html.find("legacy/tool").is_some_and(|l| l > first), "team/app (1234 pulls) should come first");
    let html = app.html("/registries/harbor/repositories/team/app").await?;
    assert!(html.contains(">Pushed</th>") && html.contains("2026-11-01 12:00 UTC"), "{html}");

    // Harbor's scan summary: each severity's count, the scanner and the scan's time.
    let scan = &arr(&tags, "items")?[0]["vulnerabilities"];
    assert_eq!(
        scan,
        &json!({"critical": 1, "high": 3, "medium": 0, "low": 7, "scanner": "Trivy", "scanned": "2026-11-01T12:01:12.000Z"})
    );
    assert!(html.contains(">Vulnerabilities</th>") && html.contains("1 critical") && html.contains("7 low"), "{html}");
    assert!(!html.contains("0 medium"), "{html}");
    let one = app.json("/api/registries/harbor/repositories/team/app/tags/1.0", 200).await?;
    assert_eq!(one["vulnerabilities"]["high"], 3, "{one}");
    let tag_page = app.html("/registries/harbor/repositories/team/app/-/tags/1.0").await?;
    assert!(tag_page.contains("<dt>Vulnerabilities</dt>") && tag_page.contains("by Trivy"), "{tag_page}");

    // Warm, the same pages ask Harbor nothing: its answers are cached like the registry's.
    let before = mock.received_requests().await.unwrap_or_default().len();
    for page in
        ["/registries/harbor", "/registries/harbor?view=grid&sort=pulls", "/registries/harbor/repositories/team/app"]
    {
        app.html(page).await?;
    }
    app.json("/api/registries/harbor/repositories/team/app/-/readme", 200).await?;
    let after = mock.received_requests().await.unwrap_or_default();
    assert_eq!(
        after.len(),
        before,
        "warm pages asked Harbor for {:?}",
        &after[before..].iter().map(|r| r.url.to_string()).collect::<Vec<_>>()
    );
    Ok(())
}

#[tokio::test]
async fn harbor_refusing_the_credentials_or_rate_limiting_is_reported_as_such() -> TestResult {
    let refusing = harbor_mock().await;
    let limiting = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(json!({"errors": [{"code": "TOO_MANY_REQUESTS", "message": "slow down"}]})),
        )
        .mount(&limiting)
        .await;
    let doc = spec("harbor-v2.0-swagger.yaml");
    let mut yaml = String::from("registries:\n");
    yaml +=
        &harbor_entry("refusing", &refusing.uri(), &doc, "")?.replace("type: basic", "type: basic, passwordEnv: WRONG");
    yaml += &harbor_entry("limiting", &limiting.uri(), &doc, "")?;
    let wrong = |name: &str| if name == "WRONG" { Some("not-the-password".to_string()) } else { env(name) };
    let app = TestApp::start_with(&yaml, &wrong).await?;

    let refused = app.json("/api/registries/refusing/repositories", 502).await?;
    assert_eq!(refused["kind"], "unauthorized", "{refused}");

    let (status, headers, body) = app.get_raw("/api/registries/limiting/repositories").await?;
    let problem: Value = serde_json::from_str(&body)?;
    assert_eq!((status, problem["kind"].as_str()), (503, Some("rateLimited")), "{body}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.ends_with("retry after 7 s")), "{body}");
    assert!(headers.contains("\"retry-after\": \"7\""), "{headers}");
    // The registry page streams before asking: 200, with the reason inline.
    // The 429 opened the registry's breaker: the page's call is answered by
    // it, without a request, with the time still to wait.
    let html = app.page("/registries/limiting", 200).await?;
    assert!(["retry after 7 s", "retry after 6 s"].iter().any(|t| html.contains(t)), "{html}");
    Ok(())
}

#[tokio::test]
async fn a_drifted_harbor_document_is_reported_and_its_lost_fields_are_not_shown() -> TestResult {
    let scratch = Scratch::new()?;
    // Harbor renamed `pull_count` in this copy of its document.
    let original = std::fs::read_to_string(spec("harbor-v2.0-swagger.yaml"))?;
    let marker = "      pull_count:\n        type: integer\n        format: int64\n        description: The count that the artifact inside the repository pulled\n";
    assert!(original.contains(marker), "the fixture changed; update the drift test");
    let drifted = original.replacen(marker, &marker.replace("pull_count", "pulls"), 1);
    let doc = scratch.0.join("harbor-drifted.yaml");
    std::fs::write(&doc, drifted)?;
    let mock = harbor_mock().await;
    let yaml = format!("registries:\n{}", harbor_entry("harbor", &mock.uri(), &doc, "")?);
    let app = TestApp::start_with(&yaml, &env).await?;

    let summary = app.json("/api/registries/harbor", 200).await?;
    let ops = arr(&summary, "operations")?;
    let list = ops
        .iter()
        .find(|o| o["api"] == "catalogue" && o["operation"] == "listRepositories")
        .ok_or("no catalogue listRepositories check")?;
    assert_eq!(list["drift"], json!(["pullCount ([]/pull_count)"]), "{list}");
    assert!(list["detail"].as_str().is_some_and(|d| d.contains("the response schema lacks pullCount")), "{list}");

    // The mock still sends pull_count; Reestr shows only what the document promises.
    let page = app.json("/api/registries/harbor/repositories", 200).await?;
    let app_repo = arr(&page, "items")?.iter().find(|r| r["name"] == "team/app").cloned().ok_or("no team/app")?;
    assert!(app_repo.get("pullCount").is_none(), "{app_repo}");
    assert_eq!(app_repo["description"], "The team's web app");
    Ok(())
}

/// Docker Hub: a short-lived JWT from `POST /v2/auth/token`, repositories
/// per namespace with the next page's URL in `next`. `strict`: exactly one login.
async fn hub_mock(loop_back: bool, strict: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .and(body_json(json!({"identifier": USER, "secret": PASSWORD})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "hub-jwt-1"})))
        .expect(if strict { 1..=1 } else { 0..=u64::MAX })
        .mount(&server)
        .await;
    let uri = server.uri();
    let repo = |ns: &str, name: &str, pulls: u64| {
        json!({"name": name, "namespace": ns, "description": format!("{ns}/{name} on the hub"), "pull_count": pulls,
               "star_count": 3, "last_updated": "2026-11-02T09:00:00.000000Z", "is_private": false})
    };
    // The last page says `next: null`, or, looping, points back at the first.
    let next =
        if loop_back { json!(format!("{uri}/v2/namespaces/team/repositories?page_size=100")) } else { json!(null) };
    let answers = [
        (
            "team",
            None,
            json!({"count": 2, "next": format!("{uri}/v2/namespaces/team/repositories?page=2&page_size=100"), "previous": null, "results": [repo("team", "app", 2_500_000)]}),
        ),
        ("team", Some("2"), json!({"count": 2, "next": next, "previous": null, "results": [repo("team", "ghost", 1)]})),
        ("legacy", None, json!({"count": 1, "next": null, "previous": null, "results": [repo("legacy", "tool", 10)]})),
    ];
    for (ns, page, body) in answers {
        let mut m = Mock::given(method("GET"))
            .and(path(format!("/v2/namespaces/{ns}/repositories")))
            .and(header("authorization", "Bearer hub-jwt-1"));
        m = match page {
            Some(p) => m.and(query_param("page", p)),
            None => m.and(wiremock::matchers::query_param_is_missing("page")),
        };
        m.respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    }
    let mut app = repo("team", "app", 2_500_000);
    app["full_description"] = json!("# Team app\n\n<script>alert('hub')</script>\n\nRun it with `docker run`.");
    Mock::given(method("GET"))
        .and(path("/v2/namespaces/team/repositories/app"))
        .and(header("authorization", "Bearer hub-jwt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/namespaces/team/repositories/app/tags"))
        .and(header("authorization", "Bearer hub-jwt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1, "next": null, "results": [
            {"name": "latest", "full_size": 4242, "tag_last_pushed": "2026-11-03T10:00:00Z", "tag_last_pulled": "2026-11-26T18:00:00Z"}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "authentication required"})))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

fn hub_entry(id: &str, mock: &str, extra: &str) -> TestResult<String> {
    Ok(format!(
        "  - id: {id}
    baseUrl: http://{registry}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
    api:
      profile: dockerhub
      document: {doc}
      baseUrl: {mock}
      namespaces: [team, legacy]
{extra}",
        registry = registry_host()?,
        doc = spec("dockerhub-latest.yaml").display()
    ))
}

/// The published Docker Hub document lacks these; declared by hand.
const HUB_DECLARED: &str = "      operations:
        listRepositories: { method: GET, path: \"/v2/namespaces/{namespace}/repositories\", query: [page, page_size] }
        getRepository: { method: GET, path: \"/v2/namespaces/{namespace}/repositories/{repository}\" }
";

#[tokio::test]
async fn docker_hub_pages_by_next_url_with_one_login_and_hand_declared_routes() -> TestResult {
    let mock = hub_mock(false, true).await;
    let yaml = format!("registries:\n{}", hub_entry("hub", &mock.uri(), HUB_DECLARED)?);
    let app = TestApp::start_with(&yaml, &env).await?;

    let page = app.json("/api/registries/hub/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["legacy/tool", "team/app", "team/ghost"]);
    assert_eq!(page["total"], 3);
    assert_eq!((items[1]["pullCount"].as_u64(), items[1]["starCount"].as_u64()), (Some(2_500_000), Some(3)));

    let repo = app.json("/api/registries/hub/repositories/team/app", 200).await?;
    assert_eq!(repo["description"], "team/app on the hub");
    let tags = app.json("/api/registries/hub/repositories/team/app/tags", 200).await?;
    let latest = arr(&tags, "items")?.iter().find(|t| t["name"] == "latest").cloned().ok_or("no latest")?;
    assert_eq!(
        (latest["pushed"].as_str(), latest["pulled"].as_str()),
        (Some("2026-11-03T10:00:00Z"), Some("2026-11-26T18:00:00Z"))
    );
    let html = app.html("/registries/hub/repositories/team/app").await?;
    assert!(html.contains("2.5M pulls · 3 stars"), "{html}");
    // The README (Docker Hub's full_description) renders as sanitised HTML.
    let readme = app.json("/api/registries/hub/repositories/team/app/-/readme", 200).await?;
    let readme = readme["html"].as_str().ok_or("no html")?;
    assert!(readme.contains("<h1>Team app</h1>") && readme.contains("<code>docker run</code>"), "{readme}");
    assert!(!readme.contains("<script"), "{readme}");
    let html = app.html("/registries/hub/repositories/team/app?readme=1").await?;
    assert!(html.contains("<h1>Team app</h1>") && !html.contains("alert('hub')"), "{html}");
    // One login served every call: the token is cached (the mock expects exactly one).
    mock.verify().await;
    Ok(())
}

/// Docker Hub's published document lacks the repository routes; the
/// `dockerhub` profile declares them, so no configuration has to.
#[tokio::test]
async fn docker_hubs_profile_declares_the_routes_its_document_lacks() -> TestResult {
    let mock = hub_mock(false, false).await;
    let yaml = format!("registries:\n{}", hub_entry("hub", &mock.uri(), "")?);
    let app = TestApp::start_with(&yaml, &env).await?;
    let summary = app.json("/api/registries/hub", 200).await?;
    let list = arr(&summary, "operations")?
        .iter()
        .find(|o| o["api"] == "catalogue" && o["operation"] == "listRepositories")
        .cloned()
        .ok_or("no catalogue listRepositories check")?;
    assert_eq!(list["found"], true, "{list}");
    assert_eq!(
        list["detail"],
        "GET /v2/namespaces/{namespace}/repositories (declared by the profile; its response fields cannot be checked)"
    );
    let page = app.json("/api/registries/hub/repositories", 200).await?;
    let names: Vec<&str> = arr(&page, "items")?.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["legacy/tool", "team/app", "team/ghost"]);
    let repo = app.json("/api/registries/hub/repositories/team/app", 200).await?;
    assert_eq!(repo["description"], "team/app on the hub");
    Ok(())
}

#[tokio::test]
async fn a_next_link_that_loops_is_an_error_and_the_page_cap_cuts_with_a_notice() -> TestResult {
    let looping = hub_mock(true, true).await;
    let capped = hub_mock(false, true).await;
    let mut yaml = String::from("registries:\n");
    yaml += &hub_entry("looping", &looping.uri(), HUB_DECLARED)?;
    yaml += &hub_entry("capped", &capped.uri(), HUB_DECLARED)?
        .replace("namespaces: [team, legacy]", "namespaces: [team]\n      maxPages: 1");
    let app = TestApp::start_with(&yaml, &env).await?;

    let problem = app.json("/api/registries/looping/repositories", 502).await?;
    assert_eq!(problem["kind"], "invalidResponse", "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("the next page loops back to")), "{problem}");

    let page = app.json("/api/registries/capped/repositories", 200).await?;
    let names: Vec<&str> = arr(&page, "items")?.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app"]);
    assert_eq!(page["partial"], "only the first 1 pages were read (api.maxPages); the registry reports 2 repositories");
    Ok(())
}

#[tokio::test]
async fn a_harbor_catalogue_longer_than_max_pages_is_searched_by_harbor_itself() -> TestResult {
    let mock = harbor_mock().await;
    let entry = harbor_entry("harbor", &mock.uri(), &spec("harbor-v2.0-swagger.yaml"), ", maxPages: 1")?;
    let app = TestApp::start_with(&format!("registries:\n{entry}"), &env).await?;
    // Unsearched, the list stops at the cap and says so.
    let page = app.json("/api/registries/harbor/repositories", 200).await?;
    let names: Vec<&str> = arr(&page, "items")?.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app", "team/sub/multi"]);
    // `legacy/tool` is past the cap: Harbor's own search finds it.
    let page = app.json("/api/registries/harbor/repositories?q=tool", 200).await?;
    let items = arr(&page, "items")?;
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!((items[0]["name"].as_str(), items[0]["pullCount"].as_u64()), (Some("legacy/tool"), Some(7)));
    assert!(page["partial"].as_str().is_some_and(|p| p.contains("the registry's own search")), "{page}");
    assert_eq!(requests_to(&mock, "/api/v2.0/search").await, 1);
    // Warm: the search answer is cached like a listing.
    app.json("/api/registries/harbor/repositories?q=tool", 200).await?;
    assert_eq!(requests_to(&mock, "/api/v2.0/search").await, 1, "a warm search asks Harbor nothing");
    Ok(())
}

/// The issue's acceptance run: one configuration with the local registry
/// anonymous, behind basic auth, behind token auth and over TLS with a
/// private CA, plus the Harbor and Docker Hub stand-ins; `reestr check
/// --probe` reports each correctly and never prints a secret.
#[tokio::test]
async fn check_reports_and_probes_every_kind_of_registry() -> TestResult {
    let harbor = harbor_mock().await;
    let hub = hub_mock(false, true).await;
    let (github, gitlab, quay) =
        (crate::ghcr::github().await, crate::gitlab::gitlab().await, crate::quay::quay().await);
    // The probe asks for one item a page; these stand-ins otherwise insist on 100.
    let ghcr_auth = crate::support::stand_in::basic(crate::ghcr::USER, crate::ghcr::TOKEN);
    for (server, route, auth) in [
        (&github, "/orgs/team/packages", ("authorization", ghcr_auth.as_str())),
        (&gitlab, "/api/v4/groups/team/registry/repositories", ("private-token", crate::gitlab::TOKEN)),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param("per_page", "1"))
            .and(header(auth.0, auth.1))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"name": "app", "path": "team/app", "id": 11, "project_id": 7, "created_at": "2026-11-20T08:30:00.000Z"}
            ])))
            .mount(server)
            .await;
    }
    let scratch = Scratch::new()?;
    let basic_host = harness_var("REESTR_TEST_AUTH_REGISTRY")?;
    let basic_password = harness_var("REESTR_TEST_AUTH_PASSWORD")?;
    let tokens = TokenServer::start(&scratch.0, "reader", &basic_password).await?;
    let token_registry = RegistryProcess::start(&tokens.registry_auth(), None).await?;
    let pki = TestPki::generate(&scratch.0)?;
    let tls_registry = RegistryProcess::start("", Some(&pki)).await?;
    let yaml = format!(
        "registries:
  - id: anonymous
    baseUrl: http://{registry}
    tls: {{ allowHttp: true }}
  - id: basic
    baseUrl: http://{basic_host}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
  - id: token
    baseUrl: http://{token_host}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
  - id: tls
    baseUrl: https://{tls_host}
    tls: {{ caFile: {ca} }}
{harbor}{hub}{ghcr}{gitlab}{quay}",
        registry = registry_host()?,
        token_host = token_registry.host,
        tls_host = tls_registry.host,
        ca = pki.ca_pem.display(),
        harbor = harbor_entry("harbor", &harbor.uri(), &spec("harbor-v2.0-swagger.yaml"), "")?,
        hub = hub_entry("hub", &hub.uri(), HUB_DECLARED)?,
        ghcr = crate::ghcr::entry("ghcr", &github.uri())?,
        gitlab = crate::gitlab::entry("gitlab", &gitlab.uri())?,
        quay = crate::quay::entry("quay", &quay.uri())?,
    );
    let path = scratch.0.join("registries.yaml");
    std::fs::write(&path, yaml)?;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_reestr"));
    command.args(["check", "--probe", "--config"]).arg(&path);
    for id in ["BASIC", "TOKEN"] {
        command.env(format!("REESTR_REGISTRY_{id}_USERNAME"), "reader");
        command.env(format!("REESTR_REGISTRY_{id}_PASSWORD"), &basic_password);
    }
    for id in ["HARBOR", "HUB"] {
        command.env(format!("REESTR_REGISTRY_{id}_USERNAME"), USER);
        command.env(format!("REESTR_REGISTRY_{id}_PASSWORD"), PASSWORD);
    }
    for (id, user, secret) in
        [("GHCR", crate::ghcr::USER, crate::ghcr::TOKEN), ("GITLAB", crate::gitlab::USER, crate::gitlab::TOKEN)]
    {
        command.env(format!("REESTR_REGISTRY_{id}_USERNAME"), user);
        command.env(format!("REESTR_REGISTRY_{id}_PASSWORD"), secret);
    }
    let out = command.output().await?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));

    // One report per registry, in order, each probed healthy.
    let reports: Vec<&str> = stdout.split("\n\n").skip(1).collect();
    let ids: Vec<&str> = reports.iter().filter_map(|r| r.split(" — ").next()).collect();
    // Every shipped profile: oci (the first four), harbor, dockerhub, ghcr, gitlab, quay.
    assert_eq!(ids, ["anonymous", "basic", "token", "tls", "harbor", "hub", "ghcr", "gitlab", "quay"], "{stdout}");
    for report in &reports {
        assert!(report.contains("\n  probe     healthy ("), "{report}");
        assert!(report.trim_end().ends_with("  result    ok"), "{report}");
    }
    let report = |id: &str| reports.iter().find(|r| r.starts_with(&format!("{id} — "))).copied().unwrap_or_default();
    assert!(report("basic").contains("  auth      basic"), "{stdout}");
    assert!(report("tls").contains(&format!("  endpoint  https://{}/", tls_registry.host)), "{stdout}");
    assert!(tokens.issued() > 0, "the token registry was probed without a token");
    for (id, line) in [
        ("harbor", format!("  catalogue {}/api/v2.0/", harbor.uri())),
        ("hub", format!("  catalogue {}/", hub.uri())),
        ("harbor", "    found   listRepositories    GET /repositories".to_string()),
        (
            "harbor",
            "    found   listTags            GET /projects/{project_name}/repositories/{repository_name}/artifacts"
                .to_string(),
        ),
        (
            "hub",
            "    found   listRepositories    GET /v2/namespaces/{namespace}/repositories (declared by hand".to_string(),
        ),
        ("hub", "    absent  searchRepositories  no GET /v2/search/repositories".to_string()),
        // What the first page gave, read through the profile's mapping.
        (
            "harbor",
            "  probe     catalogue API answers: 2 items; first: name=team/app, description=The team's web app, pullCount=1234"
                .to_string(),
        ),
        (
            "hub",
            "  probe     catalogue API answers: 1 item; first: name=app, namespace=team, description=team/app on the hub"
                .to_string(),
        ),
        ("ghcr", "  probe     catalogue API answers: 1 item; first: name=app".to_string()),
        ("gitlab", "  probe     catalogue API answers: 1 item; first: name=team/app".to_string()),
        ("gitlab", "    found   getTag              GET /api/v4/projects/{id}/registry/repositories/{repository_id}/tags/{tag_name} (declared by the profile".to_string()),
        ("quay", "  probe     catalogue API answers: 1 item; first: name=app".to_string()),
        ("quay", "    found   getVulnerabilities  GET /api/v1/repository/{repository}/manifest/{manifestref}/security".to_string()),
    ] {
        assert!(report(id).lines().any(|l| l.starts_with(&line)), "missing `{line}` for {id} in:\n{stdout}");
    }
    assert!(!stdout.contains(PASSWORD) && !stdout.contains(&basic_password), "{stdout}");
    assert!(!stdout.contains(crate::ghcr::TOKEN) && !stdout.contains(crate::gitlab::TOKEN), "{stdout}");
    Ok(())
}

/// How many requests the stand-in received for `path`.
async fn requests_to(mock: &MockServer, path: &str) -> usize {
    mock.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == path).count()
}
