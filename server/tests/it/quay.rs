//! Contract tests for the `quay` profile: quay.io cannot be reached here,
//! so a wiremock server stands in for Quay's v1 API, answering as its
//! published document (`tests/fixtures/specs/quay-openapi.yaml`, from
//! `enthought/quayio-api`) describes: repositories per namespace behind an
//! opaque `next_page` token, Quay's own search, tags by page number with
//! RFC 2822 times, Unix-second `last_modified`. The `/v2/` it pairs with is
//! the real seeded registry (namespaces `team` and `legacy`).

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stand_in::bound_cleanly;
use crate::support::{TestApp, TestResult, arr, registry_host};

fn repo(namespace: &str, name: &str, description: &str) -> Value {
    json!({"namespace": namespace, "name": name, "description": description, "is_public": true,
           "kind": "image", "state": "NORMAL", "last_modified": 1_764_231_000, "is_starred": false})
}

/// Quay's answers: `team` over two token pages, `legacy` on one, a search,
/// one repository and its tags.
pub(crate) async fn quay() -> MockServer {
    let server = MockServer::start().await;
    let listing = |ns: &str, token: Option<&str>, body: Value| {
        let m = Mock::given(method("GET"))
            .and(path("/api/v1/repository"))
            .and(query_param("namespace", ns))
            .and(query_param("public", "true"));
        let m = match token {
            Some(t) => m.and(query_param("next_page", t)),
            None => m.and(query_param_is_missing("next_page")),
        };
        m.respond_with(ResponseTemplate::new(200).set_body_json(body))
    };
    listing(
        "team",
        None,
        json!({"repositories": [repo("team", "app", "The team's app, on Quay")], "next_page": "gAAAAA-opaque"}),
    )
    .mount(&server)
    .await;
    listing("team", Some("gAAAAA-opaque"), json!({"repositories": [repo("team", "signed", "")]})).mount(&server).await;
    listing("legacy", None, json!({"repositories": [repo("legacy", "tool", "An old tool")]})).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/repository/team/app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(repo("team", "app", "The team's app, on Quay")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/repository/team/app/tag/"))
        .and(query_param("onlyActiveTags", "true"))
        .and(query_param("page", "1"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"page": 1, "has_additional": false, "tags": [
            {"name": "1.0", "reversion": false, "start_ts": 1_764_257_400, "manifest_digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
             "is_manifest_list": false, "size": 2_881_000, "last_modified": "Thu, 27 Nov 2025 15:30:00 -0000"}
        ]})))
        .mount(&server)
        .await;
    // Every manifest of team/app was scanned: one critical (Clair's
    // `Defcon1`), two high and a negligible finding over two packages.
    let vulnerability = |name: &str, severity: &str| json!({"Name": name, "Severity": severity, "NamespaceName": "debian:12", "Link": "", "FixedBy": ""});
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/repository/team/app/manifest/sha256:[0-9a-f]{64}/security$"))
        .and(query_param("vulnerabilities", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "scanned", "data": {"Layer": {
            "Name": "sha256:1", "ParentName": "", "NamespaceName": "debian:12", "IndexedByVersion": 4,
            "Features": [
                {"Name": "openssl", "Version": "3.0.11", "VersionFormat": "dpkg", "NamespaceName": "debian:12", "AddedBy": "sha256:1",
                 "Vulnerabilities": [vulnerability("CVE-2026-0001", "Defcon1"), vulnerability("CVE-2026-0002", "High")]},
                {"Name": "zlib", "Version": "1.2.13", "VersionFormat": "dpkg", "NamespaceName": "debian:12", "AddedBy": "sha256:1",
                 "Vulnerabilities": [vulnerability("CVE-2026-0003", "High"), vulnerability("CVE-2026-0004", "Negligible")]}
            ]}}})))
        .mount(&server)
        .await;
    // legacy/tool is queued: no layer data yet.
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/repository/legacy/tool/manifest/sha256:[0-9a-f]{64}/security$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "queued", "data": null})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/find/repositories"))
        .and(query_param("query", "tool"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"kind": "repository", "name": "tool", "namespace": {"kind": "user", "name": "legacy"}, "description": "An old tool"}
        ], "has_additional": false, "page": 1})))
        .mount(&server)
        .await;
    server
}

/// One `registries.yaml` entry for the stand-in at `api` (anonymous: public repositories).
pub(crate) fn entry(id: &str, api: &str) -> TestResult<String> {
    let doc = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/quay-openapi.yaml");
    Ok(format!(
        "  - id: {id}
    baseUrl: http://{registry}
    tls: {{ allowHttp: true }}
    api: {{ profile: quay, document: {doc}, baseUrl: {api}, namespaces: [team, legacy] }}
",
        registry = registry_host()?,
        doc = doc.display()
    ))
}

#[tokio::test]
async fn quay_lists_namespaces_by_token_and_tags_by_page_with_their_times() -> TestResult {
    let mock = quay().await;
    let yaml = format!("registries:\n{}", entry("quay", &mock.uri())?);
    let app = TestApp::start_with(&yaml, &|_| None).await?;

    let summary = app.json("/api/registries/quay", 200).await?;
    // Quay's document has no response schemas: nothing to drift from.
    let bound = bound_cleanly(&summary)?;
    assert_eq!(
        bound,
        ["listRepositories", "searchRepositories", "getRepository", "listTags", "getVulnerabilities"],
        "{summary}"
    );

    let page = app.json("/api/registries/quay/repositories", 200).await?;
    let items = arr(&page, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["legacy/tool", "team/app", "team/signed"]);
    let team_app = items.iter().find(|r| r["name"] == "team/app").ok_or("no team/app")?;
    assert_eq!(team_app["description"], "The team's app, on Quay");
    // Quay's Unix seconds, shown as a time.
    assert_eq!(team_app["updated"], "2025-11-27T08:10:00Z");

    let tags = app.json("/api/registries/quay/repositories/team/app/tags", 200).await?;
    let one = arr(&tags, "items")?.iter().find(|t| t["name"] == "1.0").cloned().ok_or("no tag 1.0")?;
    // Quay's RFC 2822 tag time, as RFC 3339.
    assert_eq!(one["pushed"], "2025-11-27T15:30:00Z", "{one}");
    // Quay's findings, counted by severity; Negligible is not among those shown.
    assert_eq!(one["vulnerabilities"], json!({"critical": 1, "high": 2, "medium": 0, "low": 0}), "{one}");
    let tag_page = app.html("/registries/quay/repositories/team/app/-/tags/1.0").await?;
    assert!(tag_page.contains("<dt>Vulnerabilities</dt>") && tag_page.contains("2 high"), "{tag_page}");
    // Not scanned yet: no summary, and no column.
    let tool = app.json("/api/registries/quay/repositories/legacy/tool/tags", 200).await?;
    assert!(arr(&tool, "items")?.iter().all(|t| t.get("vulnerabilities").is_none()), "{tool}");
    let tool_page = app.html("/registries/quay/repositories/legacy/tool").await?;
    assert!(!tool_page.contains(">Vulnerabilities</th>"), "{tool_page}");

    let html = app.html("/registries/quay").await?;
    assert!(html.contains("on Quay"), "{html}");
    Ok(())
}
