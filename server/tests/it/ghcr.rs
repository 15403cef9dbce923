//! Contract tests for the `ghcr` profile: GitHub's Packages API cannot be
//! reached here, so a wiremock server stands in for `api.github.com`,
//! answering as GitHub's published REST description
//! (`tests/fixtures/specs/github-packages.json`, cut from it verbatim)
//! describes: organisation packages page by page (`Link`, `per_page`),
//! package versions with `metadata.container.tags`, Basic credentials
//! (a user and a personal access token), and GitHub's rate limit (403 with
//! `x-ratelimit-remaining: 0`). The `/v2/` it pairs with is the real
//! seeded registry, whose `team/…` repositories play organisation `team`.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stand_in::{bound_cleanly, credentials};
use crate::support::{TestApp, TestResult, arr, registry_host};

pub(crate) const USER: &str = "octo-reader";
pub(crate) const TOKEN: &str = "ghp_canary0123456789";

fn basic() -> String {
    crate::support::stand_in::basic(USER, TOKEN)
}

fn package(name: &str, description: Option<&str>, versions: u64) -> Value {
    json!({
        "id": 1, "name": name, "package_type": "container", "visibility": "public",
        "url": format!("https://api.github.com/orgs/team/packages/container/{name}"),
        "html_url": format!("https://github.com/orgs/team/packages/container/package/{name}"),
        "version_count": versions,
        "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-11-28T08:00:00Z",
        "repository": description.map(|d| json!({"id": 7, "name": "app", "full_name": "team/app", "description": d}))
    })
}

fn version(digest: &str, tags: &[&str], created: &str) -> Value {
    json!({
        "id": 11, "name": digest, "url": "https://api.github.com/x", "package_html_url": "https://github.com/x",
        "created_at": created, "updated_at": created,
        "metadata": {"package_type": "container", "container": {"tags": tags}}
    })
}

/// GitHub's answers for organisation `team`: packages over two pages,
/// one package, its versions; anything without the credentials gets 401.
pub(crate) async fn github() -> MockServer {
    let server = MockServer::start().await;
    let uri = server.uri();
    let auth = basic();
    let listing = |page: &str, body: Value, next: Option<String>| {
        let mut answer = ResponseTemplate::new(200).set_body_json(body);
        if let Some(n) = next {
            answer = answer.insert_header("Link", format!("<{n}>; rel=\"next\", <{n}>; rel=\"last\"").as_str());
        }
        Mock::given(method("GET"))
            .and(path("/orgs/team/packages"))
            .and(query_param("package_type", "container"))
            .and(query_param("per_page", "100"))
            .and(query_param("page", page))
            .and(header("authorization", auth.as_str()))
            .respond_with(answer)
    };
    // The first page is asked for without `page`; the `Link` leads on.
    Mock::given(method("GET"))
        .and(path("/orgs/team/packages"))
        .and(query_param("package_type", "container"))
        .and(query_param("per_page", "100"))
        .and(wiremock::matchers::query_param_is_missing("page"))
        .and(header("authorization", auth.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "Link",
                    format!("<{uri}/orgs/team/packages?package_type=container&per_page=100&page=2>; rel=\"next\"")
                        .as_str(),
                )
                .set_body_json(json!([package("app", Some("The team's app, from its GitHub repository"), 2)])),
        )
        .mount(&server)
        .await;
    listing("2", json!([package("sub/multi", None, 1)]), None).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/orgs/team/packages/container/app"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(package(
            "app",
            Some("The team's app, from its GitHub repository"),
            2,
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/team/packages/container/app/versions"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            version(
                "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                &["1.0", "latest"],
                "2026-11-27T15:30:00Z"
            ),
            version(
                "sha256:2222222222222222222222222222222222222222222222222222222222222222",
                &[],
                "2026-10-01T09:00:00Z"
            )
        ])))
        .mount(&server)
        .await;
    // A nested package name is one path segment: `sub%2Fmulti`.
    Mock::given(method("GET"))
        .and(path("/orgs/team/packages/container/sub%2Fmulti/versions"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([version(
            "sha256:3333333333333333333333333333333333333333333333333333333333333333",
            &["latest"],
            "2026-11-20T12:00:00Z"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Requires authentication"})))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

pub(crate) fn entry(id: &str, api: &str) -> TestResult<String> {
    let doc = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/github-packages.json");
    Ok(format!(
        "  - id: {id}
    baseUrl: http://{registry}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
    api: {{ profile: ghcr, document: {doc}, baseUrl: {api}, namespaces: [team] }}
",
        registry = registry_host()?,
        doc = doc.display()
    ))
}

#[tokio::test]
async fn ghcr_lists_an_organisations_packages_with_versions_and_tags() -> TestResult {
    let mock = github().await;
    let yaml = format!("registries:\n{}", entry("ghcr", &mock.uri())?);
    let app = TestApp::start_with(&yaml, &credentials(USER, TOKEN)).await?;

    // Every bound operation is in GitHub's document, and its fields in the schemas.
    let summary = app.json("/api/registries/ghcr", 200).await?;
    let bound = bound_cleanly(&summary)?;
    assert_eq!(bound, ["listRepositories", "getRepository", "listTags"], "{summary}");

    let page = app.json("/api/registries/ghcr/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app", "team/sub/multi"]);
    let app_repo = &items[0];
    assert_eq!(app_repo["description"], "The team's app, from its GitHub repository");
    assert_eq!(app_repo["artifactCount"], 2);
    // A package without a linked repository has no description.
    assert!(items[1].get("description").is_none(), "{}", items[1]);

    let one = app.json("/api/registries/ghcr/repositories/team/app", 200).await?;
    assert_eq!(one["description"], "The team's app, from its GitHub repository");
    // Tags: digests and platforms from ghcr.io's /v2/ (here the seeded registry),
    // push times from the package versions' tags.
    let tags = app.json("/api/registries/ghcr/repositories/team/app/tags", 200).await?;
    for tag in arr(&tags, "items")? {
        assert_eq!(tag["pushed"], "2026-11-27T15:30:00Z", "{tag}");
    }
    let multi = app.json("/api/registries/ghcr/repositories/team/sub/multi/tags", 200).await?;
    assert_eq!(arr(&multi, "items")?[0]["pushed"], "2026-11-20T12:00:00Z", "{multi}");
    let html = app.html("/registries/ghcr").await?;
    assert!(html.contains("from its GitHub repository"), "{html}");

    // Two listing pages, each with per_page=100 and the fixed package_type.
    let listed = mock
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/orgs/team/packages")
        .count();
    assert_eq!(listed, 2);
    Ok(())
}

#[tokio::test]
async fn githubs_spent_quota_is_a_rate_limit_with_its_reset_time() -> TestResult {
    let limited = MockServer::start().await;
    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() + 120;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded for user ID 1."})),
        )
        .mount(&limited)
        .await;
    let refusing = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "Must have admin rights"})))
        .mount(&refusing)
        .await;
    let yaml = format!("registries:\n{}{}", entry("limited", &limited.uri())?, entry("refusing", &refusing.uri())?);
    let app = TestApp::start_with(&yaml, &credentials(USER, TOKEN)).await?;

    let (status, _, body) = app.get_raw("/api/registries/limited/repositories").await?;
    let problem: Value = serde_json::from_str(&body)?;
    assert_eq!((status, problem["kind"].as_str()), (503, Some("rateLimited")), "{body}");
    let wait = problem["detail"]
        .as_str()
        .and_then(|d| d.rsplit_once("retry after "))
        .and_then(|(_, d)| d.strip_suffix(" s"))
        .and_then(|s| s.parse::<u64>().ok());
    assert!(wait.is_some_and(|s| (100..=120).contains(&s)), "{body}");
    // A plain 403 is a refusal, not a rate limit.
    let refused = app.json("/api/registries/refusing/repositories", 502).await?;
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    Ok(())
}
