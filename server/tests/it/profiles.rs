//! A profile of the user's own: a registry API Reestr ships nothing for
//! (a made-up "Forge" catalogue with cursors, `org/repo` names and its own
//! search parameter), described by an OpenAPI document and a profile file
//! written here, and browsed with no code change. A wiremock server stands
//! in for the API, answering as that document says; the OCI endpoint it
//! pairs with is the real seeded registry.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stand_in::bound_cleanly;
use crate::support::{Scratch, TestApp, TestResult, arr, registry_host};

const DOCUMENT: &str = r#"openapi: 3.0.3
info: { title: Forge API, version: '3.1' }
servers: [{ url: /api }]
paths:
  /orgs/{org}/repos:
    get:
      operationId: listOrgRepos
      parameters:
        - { name: org, in: path, required: true, schema: { type: string } }
        - { name: after, in: query, schema: { type: string } }
      responses:
        '200':
          description: one page
          content:
            application/json:
              schema:
                type: object
                properties:
                  meta: { type: object, properties: { cursor: { type: string, nullable: true } } }
                  items:
                    type: array
                    items:
                      type: object
                      properties:
                        name: { type: string }
                        summary: { type: string }
                        downloads: { type: integer }
                        modified_at: { type: string }
  /orgs/{org}/repos/{repo}:
    get:
      operationId: getRepo
      parameters:
        - { name: org, in: path, required: true, schema: { type: string } }
        - { name: repo, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: one repository
          content:
            application/json:
              schema: { type: object, properties: { summary: { type: string }, downloads: { type: integer } } }
  /orgs/{org}/repos/{repo}/tags:
    get:
      operationId: listRepoTags
      parameters:
        - { name: org, in: path, required: true, schema: { type: string } }
        - { name: repo, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: tags
          content:
            application/json:
              schema:
                type: object
                properties:
                  meta: { type: object, properties: { cursor: { type: string, nullable: true } } }
                  items:
                    type: array
                    items: { type: object, properties: { name: { type: string }, pushed_at: { type: string } } }
"#;

const PROFILE: &str = r#"# A profile written by a user, for an API Reestr ships nothing for.
name: forge
summary: The Forge catalogue API, beside its /v2/
kind: catalogue
names:
  namespace: org
  rest: repo
pagination:
  style: cursor
  field: /meta/cursor
  param: after
operations:
  listRepositories:
    operationId: listOrgRepos
    arguments: [org]
    fields:
      name: /items/[]/name
      description: /items/[]/summary
      pullCount: /items/[]/downloads
      updated: /items/[]/modified_at
  getRepository:
    operationId: getRepo
    arguments: [org, repo]
    fields:
      description: /summary
      pullCount: /downloads
  listTags:
    operationId: listRepoTags
    arguments: [org, repo]
    fields:
      tag: /items/[]/name
      pushed: /items/[]/pushed_at
"#;

fn repo(name: &str, summary: &str, downloads: u64) -> Value {
    json!({"name": name, "summary": summary, "downloads": downloads, "modified_at": "2026-11-30T07:00:00Z"})
}

/// The Forge: org `team` has two pages of repositories (the second asked
/// for with the first's cursor), one repository answer and its tags.
async fn forge() -> MockServer {
    let server = MockServer::start().await;
    let answers = [
        (None, json!({"meta": {"cursor": "c2"}, "items": [repo("app", "The team's app, on the Forge", 77)]})),
        (Some("c2"), json!({"meta": {"cursor": null}, "items": [repo("sub/multi", "Many platforms", 5)]})),
    ];
    for (after, body) in answers {
        let m = Mock::given(method("GET")).and(path("/api/orgs/team/repos"));
        let m = match after {
            Some(c) => m.and(query_param("after", c)),
            None => m.and(query_param_is_missing("after")),
        };
        m.respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    }
    Mock::given(method("GET"))
        .and(path("/api/orgs/team/repos/app"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"summary": "The team's app, on the Forge", "downloads": 77})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/orgs/team/repos/app/tags"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"meta": {"cursor": null}, "items": [{"name": "1.0", "pushed_at": "2026-11-29T16:45:00Z"}]}),
        ))
        .mount(&server)
        .await;
    server
}

/// A `registries.yaml` for the Forge stand-in at `mock`, its document in
/// `dir`, with `profile` (the `api.profile` lines, as a path or inline).
fn forge_config(dir: &Scratch, mock: &MockServer, profile: &str) -> TestResult<String> {
    Ok(format!(
        "registries:
  - id: forge
    baseUrl: http://{registry}
    tls: {{ allowHttp: true }}
    api:
      document: {dir}/forge-openapi.yaml
      baseUrl: {mock}/api
      namespaces: [team]
{profile}",
        registry = registry_host()?,
        dir = dir.0.display(),
        mock = mock.uri()
    ))
}

#[tokio::test]
async fn a_users_own_profile_file_browses_an_api_reestr_ships_nothing_for() -> TestResult {
    let mock = forge().await;
    let dir = Scratch::new()?;
    std::fs::write(dir.0.join("forge-openapi.yaml"), DOCUMENT)?;
    std::fs::write(dir.0.join("forge.yaml"), PROFILE)?;
    let yaml = forge_config(&dir, &mock, &format!("      profile: {}/forge.yaml\n", dir.0.display()))?;
    let app = TestApp::start_with(&yaml, &|_| None).await?;

    let summary = app.json("/api/registries/forge", 200).await?;
    let bound = bound_cleanly(&summary)?;
    assert_eq!(bound, ["listRepositories", "getRepository", "listTags"], "{summary}");
    assert!(summary["apiDocument"].as_str().is_some_and(|d| d.ends_with("+ Forge API 3.1")), "{summary}");

    let page = app.json("/api/registries/forge/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app", "team/sub/multi"]);
    assert_eq!(
        (items[0]["description"].as_str(), items[0]["pullCount"].as_u64()),
        (Some("The team's app, on the Forge"), Some(77))
    );
    let pages: Vec<String> = mock
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/api/orgs/team/repos")
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(pages, ["", "after=c2"], "the second page asked with the first's cursor");

    let one = app.json("/api/registries/forge/repositories/team/app", 200).await?;
    assert_eq!(one["description"], "The team's app, on the Forge");
    let tags = app.json("/api/registries/forge/repositories/team/app/tags", 200).await?;
    let first = arr(&tags, "items")?.iter().find(|t| t["name"] == "1.0").cloned().ok_or("no tag 1.0")?;
    assert_eq!(first["pushed"], "2026-11-29T16:45:00Z");
    assert!(first["digest"].as_str().is_some_and(|d| d.starts_with("sha256:")), "{first}");

    let html = app.html("/registries/forge").await?;
    assert!(html.contains("on the Forge"), "{html}");
    Ok(())
}

#[tokio::test]
async fn a_broken_profile_file_is_reported_at_its_line_and_column() -> TestResult {
    let dir = Scratch::new()?;
    let broken =
        PROFILE.replace("kind: catalogue", "kind: mirror").replace("pullCount: /downloads", "pulls: /downloads");
    std::fs::write(dir.0.join("forge.yaml"), broken)?;
    let yaml = "registries:\n  - id: forge\n    baseUrl: https://forge.example\n    api: { profile: ./forge.yaml, document: https://forge.example/openapi.yaml }\n";
    let errors = reestr::config::load_str(yaml, "registries.yaml", &dir.0, &|_| None)
        .err()
        .map(|e| e.to_string())
        .ok_or("a broken profile was accepted")?;
    let file = dir.0.join("forge.yaml").display().to_string();
    assert!(
        errors.contains(&format!("{file}:4:7: kind: unknown kind `mirror`; use registry or catalogue")),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("{file}:26:7: operations.getRepository.fields.pulls: unknown field `pulls`")),
        "{errors}"
    );
    Ok(())
}

/// The same profile written inline under `api.profile:` browses the same way.
#[tokio::test]
async fn an_inline_profile_browses_like_a_profile_file() -> TestResult {
    let mock = forge().await;
    let dir = Scratch::new()?;
    std::fs::write(dir.0.join("forge-openapi.yaml"), DOCUMENT)?;
    let inline: String = PROFILE.lines().filter(|l| !l.starts_with('#')).map(|l| format!("        {l}\n")).collect();
    let yaml = forge_config(&dir, &mock, &format!("      profile:\n{inline}"))?;
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    let page = app.json("/api/registries/forge/repositories", 200).await?;
    let names: Vec<&str> = arr(&page, "items")?.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["team/app", "team/sub/multi"]);
    assert_eq!(arr(&page, "items")?[0]["description"], "The team's app, on the Forge");
    Ok(())
}
