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
    Ok(())
}
