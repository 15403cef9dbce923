//! Browsing a real registry end to end through the REST API and the
//! server-rendered pages. Expected values come from the registry itself
//! (raw manifests, hashed here) and from what `end2end/registry.sh` pushed.

use std::collections::BTreeSet;

use crate::support::{OCI_MANIFEST, TestApp, TestResult, arr, s};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Repositories the seed pushes: 1050 bulk ones and six named (end2end/registry.sh).
const SEEDED: usize = 1056;

#[tokio::test]
async fn registries_report_health_and_a_stalled_one_does_not_hold_the_others() -> TestResult {
    let app = TestApp::start().await?;
    let started = std::time::Instant::now();
    let list = app.json("/api/registries", 200).await?;
    let elapsed = started.elapsed();
    let list = list.as_array().ok_or("not a list")?;
    let status = |id: &str| -> TestResult<String> {
        let r = list.iter().find(|r| r["id"] == id).ok_or(format!("no registry {id}"))?;
        Ok(s(&r["health"], "status")?.to_string())
    };
    assert_eq!(status("local")?, "healthy");
    assert_eq!(status("offline")?, "unreachable");
    assert_eq!(status("stalled")?, "unreachable");
    assert_eq!(status("partial")?, "missingOperations");
    // Probes run side by side, each bounded by the 3 s probe timeout.
    assert!(elapsed < std::time::Duration::from_secs(6), "overview took {elapsed:?}");
    let local = list.iter().find(|r| r["id"] == "local").ok_or("no local")?;
    assert_eq!(s(local, "authMode")?, "anonymous");
    assert_eq!(s(local, "apiDocument")?, "OCI Distribution API (read-only subset) 1.1");
    let partial = list.iter().find(|r| r["id"] == "partial").ok_or("no partial")?;
    let missing: Vec<&str> = arr(partial, "operations")?
        .iter()
        .filter(|o| o["found"] == false && o["required"] == true)
        .filter_map(|o| o["operation"].as_str())
        .collect();
    assert_eq!(missing, ["listTags", "getManifest"]);
    Ok(())
}

#[tokio::test]
async fn the_catalogue_is_listed_past_the_registry_page_cap() -> TestResult {
    let app = TestApp::start().await?;
    let mut names = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.json(&format!("/api/registries/local/repositories?limit=400&cursor={cursor}"), 200).await?;
        assert_eq!(page["total"], SEEDED as u64);
        names.extend(arr(&page, "items")?.iter().filter_map(|i| i["name"].as_str().map(String::from)));
        match page["nextCursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(names.len(), SEEDED, "every repository exactly once");
    let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(set.len(), SEEDED);
    for expected in [
        "bulk/repo-0000",
        "bulk/repo-0999",
        "bulk/repo-1000",
        "bulk/repo-1049",
        "legacy/tool",
        "team/app",
        "team/sub/multi",
    ] {
        assert!(set.contains(expected), "missing {expected}");
    }
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted by name");
    Ok(())
}

#[tokio::test]
async fn an_oci_image_shows_digest_layers_size_and_labels() -> TestResult {
    let app = TestApp::start().await?;
    let (digest, raw) = app.registry_manifest("team/app", "1.0", OCI_MANIFEST).await?;
    let tag = app.json("/api/registries/local/repositories/team/app/tags/1.0", 200).await?;
    assert_eq!(s(&tag, "digest")?, digest);
    assert_eq!(s(&tag, "mediaType")?, OCI_MANIFEST);
    assert_eq!(tag["isIndex"], false);
    let images = arr(&tag, "images")?;
    assert_eq!(images.len(), 1);
    let image = &images[0];
    let layer_sizes: Vec<u64> = arr(&raw, "layers")?.iter().filter_map(|l| l["size"].as_u64()).collect();
    let config_size = raw["config"]["size"].as_u64().ok_or("no config size")?;
    assert_eq!(image["totalSize"], config_size + layer_sizes.iter().sum::<u64>());
    assert_eq!(arr(image, "layers")?.len(), layer_sizes.len());
    assert_eq!(s(&image["config"], "digest")?, s(&raw["config"], "digest")?);
    assert_eq!(s(image, "created")?, "2026-01-02T03:04:05Z");
    assert_eq!(s(image, "architecture")?, "amd64");
    assert_eq!(s(&image["labels"], "org.opencontainers.image.title")?, "app");
    assert_eq!(s(&image["labels"], "org.opencontainers.image.source")?, "https://example.com/app");
    Ok(())
}

#[tokio::test]
async fn a_docker_schema2_image_keeps_its_media_type() -> TestResult {
    let app = TestApp::start().await?;
    let (digest, _) = app.registry_manifest("legacy/tool", "v2", DOCKER_MANIFEST).await?;
    let tag = app.json("/api/registries/local/repositories/legacy/tool/tags/v2", 200).await?;
    assert_eq!(s(&tag, "digest")?, digest);
    assert_eq!(s(&tag, "mediaType")?, DOCKER_MANIFEST);
    assert_eq!(s(&arr(&tag, "images")?[0], "created")?, "2026-01-02T03:04:05Z");
    Ok(())
}

#[tokio::test]
async fn a_multi_arch_index_resolves_to_its_platforms() -> TestResult {
    let app = TestApp::start().await?;
    let (digest, raw) = app.registry_manifest("team/sub/multi", "latest", OCI_INDEX).await?;
    let tag = app.json("/api/registries/local/repositories/team/sub/multi/tags/latest", 200).await?;
    assert_eq!(s(&tag, "digest")?, digest);
    assert_eq!(tag["isIndex"], true);
    let platforms: Vec<String> = arr(&tag, "images")?
        .iter()
        .map(|i| {
            let p = &i["platform"];
            let mut label =
                format!("{}/{}", p["os"].as_str().unwrap_or("?"), p["architecture"].as_str().unwrap_or("?"));
            if let Some(v) = p["variant"].as_str() {
                label = format!("{label}/{v}");
            }
            label
        })
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
    let child_digests: Vec<&str> = arr(&raw, "manifests")?.iter().filter_map(|m| m["digest"].as_str()).collect();
    let image_digests: Vec<&str> = arr(&tag, "images")?.iter().filter_map(|i| i["digest"].as_str()).collect();
    assert_eq!(image_digests, child_digests);

    // The tags table shows the same, with a size per platform.
    let tags = app.json("/api/registries/local/repositories/team/sub/multi/tags", 200).await?;
    let row = &arr(&tags, "items")?[0];
    assert_eq!(s(row, "name")?, "latest");
    assert_eq!(s(row, "digest")?, digest);
    assert!(row["size"].is_null(), "an index has no single size");
    assert!(arr(row, "platforms")?.iter().all(|p| p["size"].as_u64().is_some_and(|n| n > 0)));
    Ok(())
}

#[tokio::test]
async fn the_tags_table_lists_each_tag_with_digest_platform_and_created() -> TestResult {
    let app = TestApp::start().await?;
    let (digest, _) = app.registry_manifest("team/app", "1.0", OCI_MANIFEST).await?;
    let tags = app.json("/api/registries/local/repositories/team/app/tags", 200).await?;
    assert_eq!(tags["total"], 2);
    let items = arr(&tags, "items")?;
    let names: Vec<&str> = items.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["1.0", "latest"]);
    for t in items {
        assert_eq!(s(t, "digest")?, digest, "both tags point at one manifest");
        assert_eq!(s(t, "created")?, "2026-01-02T03:04:05Z");
        assert_eq!(s(&arr(t, "platforms")?[0], "architecture")?, "amd64");
        assert!(t["error"].is_null());
    }
    Ok(())
}

#[tokio::test]
async fn errors_are_problem_documents_with_the_right_status() -> TestResult {
    let app = TestApp::start().await?;
    let cases = [
        ("/api/registries/nope/repositories", 404, "notFound"),
        ("/api/registries/local/repositories/team/app/tags/9.9", 404, "notFound"),
        ("/api/registries/local/repositories/Bad..Name/tags", 400, "badRequest"),
        ("/api/registries/local/repositories?cursor=zzz", 400, "badRequest"),
        ("/api/registries/local/repositories?limit=0", 400, "badRequest"),
        ("/api/registries/offline/repositories", 502, "unavailable"),
        ("/api/registries/partial/repositories/team/app/tags", 501, "unsupported"),
        ("/api/nothing/here", 404, "notFound"),
    ];
    for (path, status, kind) in cases {
        let (got, ctype, body) = app.get(path).await?;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(ctype, "application/problem+json", "{path}");
        let problem: serde_json::Value = serde_json::from_str(&body)?;
        assert_eq!(problem["kind"], kind, "{path}: {body}");
        assert_eq!(problem["status"], status);
    }
    Ok(())
}

#[tokio::test]
async fn healthz_summarises_each_registry_without_calling_it() -> TestResult {
    let app = TestApp::start().await?;
    let h = app.json("/healthz", 200).await?;
    assert_eq!(h["status"], "ok");
    let regs = arr(&h, "registries")?;
    let partial = regs.iter().find(|r| r["id"] == "partial").ok_or("no partial")?;
    assert_eq!(partial["browsable"], false);
    let local = regs.iter().find(|r| r["id"] == "local").ok_or("no local")?;
    assert_eq!(local["browsable"], true);
    Ok(())
}

#[tokio::test]
async fn pages_are_rendered_on_the_server() -> TestResult {
    let app = TestApp::start().await?;

    let home = app.html("/").await?;
    for text in
        ["Local registry", "Healthy", "Offline registry", "Unreachable", "Partial registry", "Missing operations"]
    {
        assert!(home.contains(text), "home lacks {text}");
    }

    let registry = app.html("/registries/local").await?;
    assert!(registry.contains("1–50 of 1056 repositories"), "registry page count");
    assert!(registry.contains(r#"href="/registries/local/repositories/bulk/repo-0000""#));
    assert!(registry.contains(r#"href="/registries/local?page=2""#));
    let last = app.html("/registries/local?page=22").await?;
    assert!(last.contains("1051–1056 of 1056 repositories"), "last page");
    assert!(last.contains(r#"href="/registries/local/repositories/team/sub/multi""#));

    let repo = app.html("/registries/local/repositories/team/sub/multi").await?;
    assert!(repo.contains(r#"href="/registries/local/repositories/team/sub/multi/-/tags/latest""#));
    assert!(repo.contains("linux/amd64, linux/arm64/v8"));
    // No scanner reports through /v2/ alone: no column for one.
    assert!(!repo.contains(">Vulnerabilities</th>"), "{repo}");

    let (digest, _) = app.registry_manifest("team/app", "1.0", OCI_MANIFEST).await?;
    let tag = app.html("/registries/local/repositories/team/app/-/tags/1.0").await?;
    assert!(tag.contains(&digest), "tag page shows the digest");
    assert!(tag.contains("org.opencontainers.image.title"));
    assert!(tag.contains("2026-01-02 03:04 UTC"));
    assert!(!tag.contains("<dt>Vulnerabilities</dt>"));

    // A registry page streams before it asks the registry: 200, the error
    // inline; a repository page waits for its tag list: the failure's status.
    let offline = app.page("/registries/offline", 200).await?;
    assert!(offline.contains("Registry unavailable"), "inline error on an unreachable registry");
    let offline = app.page("/registries/offline/repositories/team/app", 502).await?;
    assert!(offline.contains("Registry unavailable"), "inline error on an unreachable registry");
    Ok(())
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_way_back() -> TestResult {
    let app = TestApp::start().await?;
    let (status, _, body) = app.get("/no/such/page").await?;
    assert_eq!(status, 404);
    assert!(body.contains("Back to the registries"));
    // Pages about something that does not exist say so in their status
    // too, with the error in the page.
    for path in [
        "/registries/nope",
        "/registries/local/repositories/no/such",
        "/registries/local/repositories/team/app/-/tags/9.9",
    ] {
        let (status, ctype, body) = app.get(path).await?;
        assert_eq!((status, ctype.starts_with("text/html")), (404, true), "{path}: {body}");
        assert!(body.contains(r#"class="error-box""#), "{path}: {body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_page_whose_registry_fails_answers_as_the_rest_api_does() -> TestResult {
    // Nothing listens on this port: the registry is unreachable.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let yaml = format!("registries:\n  - id: gone\n    baseUrl: http://{dead}\n    tls: {{ allowHttp: true }}\n");
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    // A repository or tag page waits for its subject before it streams, so
    // its status is the registry's failure, as the REST API answers it.
    let (api, _, _) = app.get("/api/registries/gone/repositories/team/app/tags").await?;
    assert!((502..=504).contains(&api), "{api}");
    for path in ["/registries/gone/repositories/team/app", "/registries/gone/repositories/team/app/-/tags/1.0"] {
        let (status, _, body) = app.get(path).await?;
        assert_eq!(status, api, "{path}: {body}");
        assert!(body.contains(r#"class="error-box""#), "{path}: {body}");
    }
    // A registry page starts streaming without asking the registry (its first
    // byte must not wait for a slow one): 200, with the listing's error in
    // the page. The home page, about every registry, is 200 with the card's error.
    let (status, _, body) = app.get("/registries/gone").await?;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"class="error-box""#), "{body}");
    app.html("/").await?;
    Ok(())
}

#[tokio::test]
async fn search_namespace_and_artifact_filters_come_from_the_query() -> TestResult {
    let app = TestApp::start().await?;
    let names = |page: &serde_json::Value| -> TestResult<Vec<String>> {
        Ok(arr(page, "items")?.iter().filter_map(|r| r["name"].as_str().map(String::from)).collect())
    };
    // Fuzzy: the closest match first, and only matches.
    let found = app.json("/api/registries/local/repositories?q=tmapp", 200).await?;
    assert_eq!(names(&found)?.first().map(String::as_str), Some("team/app"), "{found}");
    assert!(found["total"].as_u64().is_some_and(|t| t < 10), "{found}");
    let team = app.json("/api/registries/local/repositories?namespace=team", 200).await?;
    assert_eq!(names(&team)?, ["team/app", "team/attested", "team/signed", "team/sub/multi"]);
    app.json("/api/registries/local/repositories?sort=stars", 400).await?;

    // Referrer and signature tags are hidden unless asked for, and counted.
    let tags = app.json("/api/registries/local/repositories/team/signed/tags", 200).await?;
    assert_eq!((names(&tags)?, tags["hidden"].as_u64()), (vec!["1.0".to_string()], Some(2)));
    let all = app.json("/api/registries/local/repositories/team/signed/tags?artifacts=true", 200).await?;
    assert_eq!((all["total"].as_u64(), all.get("hidden")), (Some(3), None));
    let some = app.json("/api/registries/local/repositories/big/tags/-/tags?q=t-0999&sort=-name&limit=3", 200).await?;
    assert_eq!(names(&some)?, ["t-09999", "t-09998", "t-09997"]);
    assert_eq!(some["total"], 10);

    // The pages take the same query, so a shared link shows the same view.
    let html = app.html("/registries/local?q=multi&view=grid").await?;
    assert!(html.contains(r#"class="repo-grid""#) && html.contains("team/sub/multi"), "grid view");
    assert!(html.contains(r#"value="multi""#), "the search box keeps the query");
    let html = app.html("/registries/local/repositories/team/signed").await?;
    assert!(html.contains("2 signature and referrer tags are hidden."), "hidden note");
    assert!(html.contains("docker pull 127.0.0.1:") && html.contains("/team/signed:1.0"), "pull command");
    assert!(html.contains("ctr images pull --plain-http"), "ctr flags plain HTTP");
    Ok(())
}

#[tokio::test]
async fn tags_order_by_date_or_size_and_the_repository_shows_its_image_labels() -> TestResult {
    let app = TestApp::start().await?;
    // Ordering by size reads each selected tag's manifest: fine for ten tags ...
    let ten = app.json("/api/registries/local/repositories/big/tags/-/tags?q=t-0999&sort=largest", 200).await?;
    let items = arr(&ten, "items")?;
    assert_eq!(items.len(), 10);
    let sizes: Vec<u64> = items.iter().filter_map(|t| t["size"].as_u64()).collect();
    assert_eq!(sizes.len(), 10, "every row has its size: {ten}");
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "largest first: {sizes:?}");
    // ... refused, with what to do, for 10,000.
    let (status, _, body) = app.get("/api/registries/local/repositories/big/tags/-/tags?sort=newest").await?;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("10000 tags match") && body.contains("Filter the tags first"), "{body}");
    let newest = app.json("/api/registries/local/repositories/team/attested/-/tags?sort=newest", 200).await?;
    let created: Vec<&str> = arr(&newest, "items")?.iter().filter_map(|t| t["created"].as_str()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first: {created:?}");

    // The repository page's labels come from `latest`, as the seed wrote them.
    let repo = app.json("/api/registries/local/repositories/team/app", 200).await?;
    assert_eq!(repo["labelsTag"], "latest");
    assert_eq!(repo["labels"]["org.opencontainers.image.source"], "https://example.com/app");
    let html = app.html("/registries/local/repositories/team/app").await?;
    assert!(html.contains("Labels of latest"), "the page shows them");
    assert!(html.contains(r#"href="https://example.com/app" rel="noopener noreferrer nofollow""#));
    Ok(())
}
