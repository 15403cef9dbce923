//! The supply chain against the real seeded registry: an SPDX SBOM under
//! the `sha256-<hex>` referrers tag, a cosign signature tag, a buildx
//! attestation inside an index, and the image configuration in full.

use serde_json::Value;

use crate::support::{OCI_MANIFEST, TestApp, TestResult, arr, s};

#[tokio::test]
async fn referrers_are_found_by_the_fallback_tag_and_cosign_tags() -> TestResult {
    let app = TestApp::start().await?;
    let (digest, _) = app.registry_manifest("team/signed", "1.0", OCI_MANIFEST).await?;
    let list = app.json(&format!("/api/registries/local/repositories/team/signed/-/referrers/{digest}"), 200).await?;
    let list = list.as_array().ok_or("not a list")?;
    let kinds: Vec<(&str, &str)> =
        list.iter().filter_map(|r| Some((r["kind"].as_str()?, r["source"].as_str()?))).collect();
    assert_eq!(kinds, [("sbom", "referrersTag"), ("signature", "cosignTag")]);
    let sbom = &list[0];
    assert_eq!(s(sbom, "artifactType")?, "application/spdx+json");
    assert_eq!(s(sbom, "created")?, "2026-01-02T03:04:05Z");
    let hex = digest.trim_start_matches("sha256:");
    assert_eq!(s(&list[1], "tag")?, format!("sha256-{hex}.sig"));
    assert_eq!(s(&list[1], "artifactType")?, "application/vnd.dev.cosign.simplesigning.v1+json");

    // The SBOM itself: SPDX read from the artifact's layer, packages sorted by name.
    let doc =
        app.json(&format!("/api/registries/local/repositories/team/signed/-/sbom/{}", s(sbom, "digest")?), 200).await?;
    assert_eq!((s(&doc, "format")?, doc["packageCount"].as_u64()), ("SPDX-2.3", Some(5)));
    let names: Vec<&str> = arr(&doc, "packages")?.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["busybox", "ca-certificates", "musl", "openssl", "zlib"]);
    assert_eq!(s(&arr(&doc, "packages")?[0], "purl")?, "pkg:apk/alpine/busybox@1.36.1");

    // An image without referrers has an empty list, not an error.
    let (plain, _) = app.registry_manifest("team/app", "1.0", OCI_MANIFEST).await?;
    let none = app.json(&format!("/api/registries/local/repositories/team/app/-/referrers/{plain}"), 200).await?;
    assert_eq!(none, Value::Array(Vec::new()));
    // A manifest without an SBOM layer is a 404 that says so; a non-digest is refused.
    let problem = app.json(&format!("/api/registries/local/repositories/team/app/-/sbom/{plain}"), 404).await?;
    assert!(s(&problem, "detail")?.contains("an SBOM layer"), "{problem}");
    // A tag works too (resolved to its digest); a malformed reference is refused.
    let by_tag = app.json("/api/registries/local/repositories/team/signed/-/referrers/1.0", 200).await?;
    assert_eq!(by_tag.as_array().map(Vec::len), Some(2));
    app.json("/api/registries/local/repositories/team/app/-/referrers/sha256:zz", 400).await?;
    Ok(())
}

#[tokio::test]
async fn the_tag_page_shows_configuration_referrers_and_an_sbom() -> TestResult {
    let app = TestApp::start().await?;
    let tag = app.json("/api/registries/local/repositories/team/signed/tags/1.0", 200).await?;
    let image = &arr(&tag, "images")?[0];
    assert_eq!(image["cmd"], serde_json::json!(["/bin/app"]));
    assert!(arr(image, "history")?.iter().any(|h| h["emptyLayer"] == false), "{image}");

    let (digest, _) = app.registry_manifest("team/signed", "1.0", OCI_MANIFEST).await?;
    let referrers =
        app.json(&format!("/api/registries/local/repositories/team/signed/-/referrers/{digest}"), 200).await?;
    let sbom_digest = referrers[0]["digest"].as_str().ok_or("no sbom")?.to_string();
    let html = app.html("/registries/local/repositories/team/signed/-/tags/1.0").await?;
    for text in
        ["Referrers", "Open SBOM", "referrers tag", "cosign tag", "Signature", "Command", "/bin/app", "docker pull "]
    {
        assert!(html.contains(text), "the tag page lacks {text}");
    }
    // The SBOM opens from a link, so it works without JavaScript too.
    let html = app.html(&format!("/registries/local/repositories/team/signed/-/tags/1.0?sbom={sbom_digest}")).await?;
    assert!(html.contains("SPDX-2.3 · team/signed · 5 packages"), "no SBOM summary");
    assert!(html.contains("pkg:apk/alpine/busybox@1.36.1"));
    Ok(())
}

#[tokio::test]
async fn a_tag_with_a_cosign_signature_is_marked_signed() -> TestResult {
    let app = TestApp::start().await?;
    let signed = app.json("/api/registries/local/repositories/team/signed/tags", 200).await?;
    assert_eq!(arr(&signed, "items")?[0]["signed"], true);
    let plain = app.json("/api/registries/local/repositories/team/app/tags", 200).await?;
    assert!(arr(&plain, "items")?.iter().all(|t| t["signed"] == false));
    let html = app.html("/registries/local/repositories/team/signed").await?;
    assert!(html.contains(">Signed</span>"), "no signed badge");
    Ok(())
}

#[tokio::test]
async fn a_buildx_attestation_is_listed_as_an_attestation_not_a_platform() -> TestResult {
    let app = TestApp::start().await?;
    let tag = app.json("/api/registries/local/repositories/team/attested/tags/latest", 200).await?;
    assert_eq!(tag["isIndex"], true);
    let platforms: Vec<String> = arr(&tag, "images")?
        .iter()
        .filter_map(|i| Some(format!("{}/{}", i["platform"]["os"].as_str()?, i["platform"]["architecture"].as_str()?)))
        .collect();
    assert_eq!(platforms, ["linux/amd64"]);
    assert_eq!(arr(&tag, "attestations")?.len(), 1);
    Ok(())
}
