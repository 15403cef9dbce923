//! Contract tests for the `gitlab` profile: gitlab.com cannot be reached
//! here, so a wiremock server stands in for GitLab's container registry
//! API, answering as GitLab's REST documentation describes it: a group's
//! repositories by page number with `X-Total`, each repository addressed
//! by its own and its project's numeric ids, tags named only in the tag
//! listing and described in each tag's own answer, the personal access
//! token in the `PRIVATE-TOKEN` header. The document read is the head of
//! GitLab's published one (`tests/fixtures/specs/gitlab-openapi-v2-head.yaml`),
//! which has none of the routes: the profile declares them. The `/v2/` it
//! pairs with is the real seeded registry, whose `team/…` repositories play
//! group `team`.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stand_in::credentials;
use crate::support::{TestApp, TestResult, arr, registry_host};

pub(crate) const USER: &str = "gitlab-reader";
pub(crate) const TOKEN: &str = "glpat-canary0123456789";

fn repository(id: u64, path: &str, project: u64, created: &str) -> Value {
    let name = path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path);
    json!({"id": id, "name": name, "path": path, "project_id": project,
           "location": format!("registry.gitlab.example/{path}"), "created_at": created,
           "cleanup_policy_started_at": null, "status": null})
}

/// GitLab's answers for group `team`: repositories over two pages (the
/// total in `X-Total`), the tags of `team/app` (repository 11 of project
/// 7) and each tag's details; anything without the token gets 401.
pub(crate) async fn gitlab() -> MockServer {
    let server = MockServer::start().await;
    let listing = |page: &str, body: Value| {
        Mock::given(method("GET"))
            .and(path("/api/v4/groups/team/registry/repositories"))
            .and(query_param("page", page))
            .and(query_param("per_page", "100"))
            .and(header("private-token", TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Total", "2")
                    .insert_header("X-Per-Page", "1")
                    .set_body_json(body),
            )
    };
    listing("1", json!([repository(11, "team/app", 7, "2026-11-20T08:30:00.000Z")])).mount(&server).await;
    listing("2", json!([repository(12, "team/signed", 8, "2026-11-21T09:00:00.000Z")])).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/projects/7/registry/repositories/11/tags"))
        .and(header("private-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).insert_header("X-Total", "2").set_body_json(json!([
            {"name": "1.0", "path": "team/app:1.0", "location": "registry.gitlab.example/team/app:1.0"},
            {"name": "latest", "path": "team/app:latest", "location": "registry.gitlab.example/team/app:latest"}
        ])))
        .mount(&server)
        .await;
    for (tag, created) in [("1.0", "2026-11-27T15:30:00.000+00:00"), ("latest", "2026-11-28T10:00:00.000+00:00")] {
        Mock::given(method("GET"))
            .and(path(format!("/api/v4/projects/7/registry/repositories/11/tags/{tag}")))
            .and(header("private-token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "name": tag, "path": format!("team/app:{tag}"), "location": format!("registry.gitlab.example/team/app:{tag}"),
                "revision": "d1f0e7a9", "short_revision": "d1f0e7a9",
                "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                "created_at": created, "total_size": 2_881_000
            })))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "401 Unauthorized"})))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

/// One `registries.yaml` entry for the stand-in at `api`.
pub(crate) fn entry(id: &str, api: &str) -> TestResult<String> {
    let doc =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/gitlab-openapi-v2-head.yaml");
    Ok(format!(
        "  - id: {id}
    baseUrl: http://{registry}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
    api: {{ profile: gitlab, document: {doc}, baseUrl: {api}, namespaces: [team] }}
",
        registry = registry_host()?,
        doc = doc.display()
    ))
}

fn config(api: &str) -> TestResult<String> {
    Ok(format!("registries:\n{}", entry("gitlab", api)?))
}

#[tokio::test]
async fn gitlab_finds_repositories_by_their_ids_and_tags_by_their_own_answers() -> TestResult {
    let mock = gitlab().await;
    let app = TestApp::start_with(&config(&mock.uri())?, &credentials(USER, TOKEN)).await?;

    // The document has none of the routes: each is declared by the profile, and said so.
    let summary = app.json("/api/registries/gitlab", 200).await?;
    let catalogue: Vec<(&str, &str)> = arr(&summary, "operations")?
        .iter()
        .filter(|o| o["api"] == "catalogue" && o["found"] == true)
        .filter_map(|o| Some((o["operation"].as_str()?, o["detail"].as_str()?)))
        .collect();
    let names: Vec<&str> = catalogue.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["listRepositories", "listTags", "getTag"], "{summary}");
    assert!(catalogue.iter().all(|(_, d)| d.contains("declared by the profile")), "{catalogue:?}");

    // Both pages of the group, named by their full paths.
    let page = app.json("/api/registries/gitlab/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app", "team/signed"]);
    assert_eq!(items[0]["updated"], "2026-11-20T08:30:00.000Z");

    // Tags: digests and platforms from the registry's /v2/, push times
    // from each tag's own GitLab answer, reached through the ids the
    // group listing gave for `team/app` (project 7, repository 11).
    let tags = app.json("/api/registries/gitlab/repositories/team/app/tags", 200).await?;
    let pushed: Vec<(&str, &str)> =
        arr(&tags, "items")?.iter().filter_map(|t| Some((t["name"].as_str()?, t["pushed"].as_str()?))).collect();
    assert!(pushed.contains(&("1.0", "2026-11-27T15:30:00.000+00:00")), "{tags}");
    assert!(pushed.contains(&("latest", "2026-11-28T10:00:00.000+00:00")), "{tags}");

    let html = app.html("/registries/gitlab/repositories/team/app").await?;
    assert!(html.contains("1.0"), "{html}");

    // The token travelled only in GitLab's header, never as Basic.
    let requests = mock.received_requests().await.unwrap_or_default();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| !r.headers.contains_key("authorization")), "Basic credentials reached the API");
    Ok(())
}

#[tokio::test]
async fn a_repository_outside_the_groups_listing_has_no_gitlab_data_but_still_browses() -> TestResult {
    let mock = gitlab().await;
    let app = TestApp::start_with(&config(&mock.uri())?, &credentials(USER, TOKEN)).await?;
    // `legacy/tool` is in the registry but in no configured group: its tags
    // come from /v2/ alone, without push times, and nothing fails.
    let tags = app.json("/api/registries/gitlab/repositories/legacy/tool/tags", 200).await?;
    let items = arr(&tags, "items")?;
    assert_eq!(items.len(), 1, "{tags}");
    assert!(items[0].get("pushed").is_none_or(Value::is_null), "{tags}");
    Ok(())
}
