//! Storage accounting against the real seeded registry (its repositories
//! share layers: the bulk repositories all hold one image, team/app and
//! legacy/tool one base). The expected figures are computed here from the
//! registry's own files, independently of Reestr and of the registry API:
//! each repository's linked blobs (`_layers/…/link`), sized by the blob
//! files on disk.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use crate::support::{TestApp, TestResult, harness_var};

/// repository → (digest → size), read from the filesystem storage driver's layout.
fn linked_blobs(root: &Path) -> TestResult<HashMap<String, HashMap<String, u64>>> {
    let v2 = root.join("docker/registry/v2");
    let mut out = HashMap::new();
    let mut stack = vec![v2.join("repositories")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "_layers") {
                let name = dir.strip_prefix(v2.join("repositories"))?.to_string_lossy().into_owned();
                let mut blobs = HashMap::new();
                for link in std::fs::read_dir(path.join("sha256"))? {
                    let hex = link?.file_name().to_string_lossy().into_owned();
                    let data = v2.join("blobs/sha256").join(&hex[..2]).join(&hex).join("data");
                    blobs.insert(format!("sha256:{hex}"), std::fs::metadata(data)?.len());
                }
                out.insert(name, blobs);
            } else if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('_')) {
                stack.push(path);
            }
        }
    }
    Ok(out)
}

#[tokio::test]
async fn storage_totals_match_the_registry_files() -> TestResult {
    let data = harness_var("REESTR_TEST_REGISTRY_DATA")?;
    let expected = linked_blobs(Path::new(&data))?;
    let app = TestApp::start().await?;

    let mut status = app.json("/api/registries/local/storage", 200).await?;
    for _ in 0..600 {
        if status["progress"]["state"] == "done" {
            break;
        }
        assert_ne!(status["progress"]["state"], "failed", "{status}");
        tokio::time::sleep(Duration::from_millis(250)).await;
        status = app.json("/api/registries/local/storage", 200).await?;
    }
    let report = &status["report"];
    assert_eq!(status["progress"]["state"], "done", "not done in 150 s: {status}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");

    // /metrics shows the finished job: one run, every repository scanned.
    let (_, _, metrics) = app.get("/metrics").await?;
    let local = [("registry", "local")];
    let value = |name: &str| crate::observability::series(&metrics, name, &local);
    assert_eq!(value("reestr_storage_job_runs_total"), Some(1.0), "{metrics}");
    assert_eq!(value("reestr_storage_job_running"), Some(0.0));
    assert_eq!(value("reestr_storage_job_failed"), Some(0.0));
    let repositories = report["repositories"].as_array().map(Vec::len).ok_or("no repositories")? as f64;
    assert_eq!(value("reestr_storage_job_repositories"), Some(repositories), "{metrics}");
    assert_eq!(value("reestr_storage_job_repositories_done"), Some(repositories));
    assert!(value("reestr_storage_job_last_duration_milliseconds").is_some_and(|ms| ms > 0.0), "{metrics}");

    let mut all: HashMap<&str, u64> = HashMap::new();
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for blobs in expected.values() {
        for (d, s) in blobs {
            all.insert(d, *s);
            *holders.entry(d).or_default() += 1;
        }
    }
    assert_eq!(report["totalBytes"], all.values().sum::<u64>(), "registry total");
    assert_eq!(report["blobs"], all.len(), "distinct blobs");
    let repos = report["repositories"].as_array().ok_or("no repositories")?;
    assert_eq!(repos.len(), expected.len());
    let names: HashSet<&str> = repos.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names.len(), expected.len());
    for repo in repos {
        let name = repo["name"].as_str().ok_or("a repository without a name")?;
        let blobs = expected.get(name).ok_or_else(|| format!("{name} is not on disk"))?;
        let bytes: u64 = blobs.values().sum();
        let unique: u64 = blobs.iter().filter(|(d, _)| holders[d.as_str()] == 1).map(|(_, s)| s).sum();
        assert_eq!(repo["bytes"], bytes, "{name} bytes");
        assert_eq!(repo["uniqueBytes"], unique, "{name} unique bytes");
        assert_eq!(repo["sharedBytes"], bytes - unique, "{name} shared bytes");
    }
    // Shared layers exist in this registry, so the split is tested, not vacuous.
    assert!(holders.values().any(|n| *n > 1));
    assert!(repos.iter().any(|r| r["sharedBytes"].as_u64().is_some_and(|b| b > 0)));

    // The page shows the same total and a chart with its table.
    let html = app.html("/registries/local/storage").await?;
    assert!(html.contains("aria-label=\"Largest repositories by stored bytes\" class=\"bars\""), "no chart: {html}");
    assert!(html.contains("Repositories by stored bytes"));
    let shown = app::format::bytes(all.values().sum::<u64>());
    assert!(html.contains(&shown), "the page does not show {shown}");

    // Once counted, listings carry sizes and sort by them, and the card shows the totals.
    let largest = app.json("/api/registries/local/repositories?sort=size&limit=3", 200).await?;
    let first = &largest["items"][0];
    assert_eq!(first["name"], repos[0]["name"], "{largest}");
    assert_eq!(first["storedBytes"], repos[0]["bytes"]);
    assert_eq!(first["tagCount"], repos[0]["tags"]);
    assert!(largest.get("partial").is_none(), "{largest}");
    // Signatures and image dates come from the same walk.
    let signed = app.json("/api/registries/local/repositories?signed=yes", 200).await?;
    assert_eq!(names_of(&signed), ["team/signed"], "cosign .sig / referrer signature: {signed}");
    let unsigned = app.json("/api/registries/local/repositories?signed=no&namespace=team", 200).await?;
    assert!(
        !names_of(&unsigned).contains(&"team/signed".to_string())
            && names_of(&unsigned).contains(&"team/app".to_string())
    );
    let counted = |name: &str| repos.iter().find(|r| r["name"] == name).cloned().unwrap_or_default();
    let signed_repo = counted("team/signed");
    assert_eq!(
        (signed_repo["images"].as_u64(), signed_repo["signedImages"].as_u64()),
        (Some(1), Some(1)),
        "{signed_repo}"
    );
    // team/attested: an index whose attestation is not counted as an image, and not a signature.
    let attested = counted("team/attested");
    assert_eq!((attested["images"].as_u64(), attested["signedImages"].as_u64()), (Some(2), Some(0)), "{attested}");
    let app_repo = counted("team/app");
    assert_eq!(app_repo["newest"], "2026-01-02T03:04:05Z", "the seeded image's creation time: {app_repo}");
    let team = app.json("/api/registries/local/repositories?namespace=team&sort=updated", 200).await?;
    let listed = team["items"].as_array().ok_or("no items")?;
    let app_row = listed.iter().find(|r| r["name"] == "team/app").ok_or("no team/app")?;
    assert_eq!(app_row["updated"], "2026-01-02T03:04:05Z");
    let recent = app.json("/api/registries/local/repositories?updated=7d", 200).await?;
    assert!(!names_of(&recent).contains(&"team/app".to_string()), "created in January: {recent}");
    app.json("/api/registries/local/repositories?updated=yesterday", 400).await?;
    app.json("/api/registries/local/repositories?signed=maybe", 400).await?;
    let overview = app.json("/api/registries", 200).await?;
    let local = overview.as_array().and_then(|a| a.iter().find(|r| r["id"] == "local")).ok_or("no local")?;
    assert_eq!(local["storage"]["bytes"], report["totalBytes"]);
    assert_eq!(local["storage"]["repositories"], expected.len());
    Ok(())
}

fn names_of(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["name"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Polls `GET …/storage` until the count is done; returns every state seen and the last answer.
async fn until_done(app: &TestApp) -> TestResult<(HashSet<String>, serde_json::Value)> {
    let mut seen = HashSet::new();
    for _ in 0..600 {
        let status = app.json("/api/registries/local/storage", 200).await?;
        let state = status["progress"]["state"].as_str().unwrap_or_default().to_string();
        seen.insert(state.clone());
        match state.as_str() {
            "done" => return Ok((seen, status)),
            "failed" => return Err(format!("the count failed: {status}").into()),
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
    Err("the count did not finish in 150 s".into())
}

#[tokio::test]
async fn two_replicas_sharing_redis_count_once_and_show_the_same_report() -> TestResult {
    use reestr::cache::{Cache, CacheConfig, RedisTier};

    let redis = crate::support::upstream::RedisProcess::start().await?;
    let host = crate::support::registry_host()?;
    let yaml = format!("registries:\n  - id: local\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n");
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let tier = RedisTier::connect(&redis.url()).map_err(|e| e.to_string())?;
        if !tier.wait_connected(Duration::from_secs(5)).await {
            return Err("Redis did not connect".into());
        }
        replicas.push(TestApp::start_cached(&yaml, Cache::with_redis(CacheConfig::default(), Some(tier))).await?);
    }
    // Both are asked at once; one takes the shared lock, the other waits for its report.
    let (a, b) = tokio::join!(until_done(&replicas[0]), until_done(&replicas[1]));
    let ((seen_a, a), (seen_b, b)) = (a?, b?);
    assert!(
        seen_a.contains("elsewhere") || seen_b.contains("elsewhere"),
        "one replica left the count to the other: {seen_a:?} {seen_b:?}"
    );
    assert_eq!(a["report"], b["report"], "the same report, computed once");
    Ok(())
}
