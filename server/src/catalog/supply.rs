//! The supply chain of an image: its referrers (SBOMs, signatures,
//! attestations) through the OCI 1.1 referrers API, else the `sha256-<hex>`
//! fallback tag, plus cosign's `.sig`/`.att`/`.sbom` tags; and the SBOMs
//! themselves, read from SPDX or CycloneDX JSON.

use app::model::{Referrer, ReferrerKind, ReferrerSource, Sbom, SbomPackage};
use serde_json::Value;

use crate::cache::CachedRegistry;
use crate::registry::RegistryError;

/// Largest SBOM document read.
const MAX_SBOM_BYTES: u64 = 32 * 1024 * 1024;
/// Packages sent to the page; the count stays exact beyond it.
const MAX_PACKAGES_SHOWN: usize = 20_000;
/// Referrers listed for one image.
const MAX_REFERRERS: usize = 1_000;

/// Everything found that refers to `digest`.
pub async fn referrers(
    client: &CachedRegistry,
    repository: &str,
    digest: &str,
) -> Result<Vec<Referrer>, RegistryError> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| RegistryError::BadRequest(format!("`{digest}` is not a sha256 digest")))?;
    let fallback = format!("sha256-{hex}");
    let mut out = match &*client.list_referrers(repository, digest).await? {
        Some(body) => from_index(body, ReferrerSource::ReferrersApi)?,
        None => match client.get_manifest(repository, &fallback).await {
            Ok(f) => from_index(&f.body, ReferrerSource::ReferrersTag)?,
            Err(RegistryError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(e),
        },
    };
    let cosign = futures::future::join_all([".sig", ".att", ".sbom"].map(|suffix| {
        let tag = format!("{fallback}{suffix}");
        async move { (client.get_manifest(repository, &tag).await, tag, suffix) }
    }))
    .await;
    for (fetched, tag, suffix) in cosign {
        let fetched = match fetched {
            Ok(f) => f,
            Err(RegistryError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let body: Value = serde_json::from_slice(&fetched.body)
            .map_err(|e| RegistryError::InvalidResponse(format!("`{tag}`: not JSON: {e}")))?;
        let artifact_type = text(&body, "/artifactType").or_else(|| text(&body, "/layers/0/mediaType"));
        let kind = match suffix {
            ".sig" => ReferrerKind::Signature,
            ".att" => ReferrerKind::Attestation,
            _ => ReferrerKind::Sbom,
        };
        out.push(Referrer {
            digest: fetched.digest.clone(),
            media_type: fetched.media_type.clone(),
            artifact_type,
            size: fetched.body.len() as u64,
            kind,
            source: ReferrerSource::CosignTag,
            tag: Some(tag),
            created: text(&body, "/annotations/org.opencontainers.image.created"),
        });
    }
    Ok(out)
}

/// The entries of a referrers index (the API's answer or the fallback tag).
fn from_index(body: &[u8], source: ReferrerSource) -> Result<Vec<Referrer>, RegistryError> {
    let index: Value = serde_json::from_slice(body)
        .map_err(|e| RegistryError::InvalidResponse(format!("the referrers index is not JSON: {e}")))?;
    let entries = index
        .get("manifests")
        .and_then(Value::as_array)
        .ok_or_else(|| RegistryError::InvalidResponse("the referrers index has no `manifests` list".into()))?;
    if entries.len() > MAX_REFERRERS {
        return Err(RegistryError::InvalidResponse(format!(
            "{} referrers; the limit is {MAX_REFERRERS}",
            entries.len()
        )));
    }
    entries
        .iter()
        .map(|e| {
            let digest = text(e, "/digest")
                .filter(|d| crate::registry::is_digest(d))
                .ok_or_else(|| RegistryError::InvalidResponse("a referrer without a valid digest".into()))?;
            let artifact_type = text(e, "/artifactType");
            Ok(Referrer {
                kind: kind_of(artifact_type.as_deref().unwrap_or_default()),
                digest,
                media_type: text(e, "/mediaType").unwrap_or_default(),
                artifact_type,
                size: e.get("size").and_then(Value::as_u64).unwrap_or(0),
                source,
                tag: None,
                created: text(e, "/annotations/org.opencontainers.image.created"),
            })
        })
        .collect()
}

/// SBOM, signature or attestation, from an artifact or media type.
pub(crate) fn kind_of(artifact_type: &str) -> ReferrerKind {
    let t = artifact_type.to_ascii_lowercase();
    if t.contains("spdx") || t.contains("cyclonedx") || t.contains("syft") {
        ReferrerKind::Sbom
    } else if t.contains("signature") || t.contains("cosign") || t.contains("sigstore") {
        ReferrerKind::Signature
    } else if t.contains("in-toto") || t.contains("attestation") || t.contains("dsse") {
        ReferrerKind::Attestation
    } else {
        ReferrerKind::Other
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The SBOM an artifact manifest carries: its first SPDX, CycloneDX or
/// in-toto layer, read and parsed.
pub async fn sbom(client: &CachedRegistry, repository: &str, digest: &str) -> Result<Sbom, RegistryError> {
    let fetched = client.get_manifest(repository, digest).await?;
    let manifest: Value = serde_json::from_slice(&fetched.body)
        .map_err(|e| RegistryError::InvalidResponse(format!("manifest {digest}: not JSON: {e}")))?;
    let layer = manifest
        .get("layers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|l| l.get("mediaType").and_then(Value::as_str).is_some_and(is_sbom_media_type))
        .ok_or_else(|| RegistryError::NotFound(format!("an SBOM layer in {digest}")))?;
    let layer_digest =
        text(layer, "/digest").ok_or_else(|| RegistryError::InvalidResponse("a layer without a digest".into()))?;
    let body = client.get_blob(repository, &layer_digest, MAX_SBOM_BYTES, "an SBOM").await?;
    parse_sbom(&body)
}

fn is_sbom_media_type(m: &str) -> bool {
    let m = m.to_ascii_lowercase();
    (m.contains("spdx") || m.contains("cyclonedx") || m.contains("in-toto")) && m.contains("json")
}

/// Reads one package entry of an SBOM format.
type PackageReader = fn(&Value) -> Option<SbomPackage>;

/// Reads SPDX 2.x JSON, CycloneDX JSON, or an in-toto statement whose predicate is one of them.
pub fn parse_sbom(body: &[u8]) -> Result<Sbom, RegistryError> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| RegistryError::InvalidResponse(format!("the SBOM is not JSON: {e}")))?;
    let doc = match doc.get("predicate") {
        Some(p) if doc.get("predicateType").is_some() => p.clone(),
        _ => doc,
    };
    let (format, name, list, read): (String, Option<String>, &str, PackageReader) =
        if let Some(v) = text(&doc, "/spdxVersion") {
            (v, text(&doc, "/name"), "packages", spdx_package)
        } else if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            let version = text(&doc, "/specVersion").unwrap_or_default();
            (
                format!("CycloneDX {version}").trim_end().to_string(),
                text(&doc, "/metadata/component/name"),
                "components",
                cyclonedx_package,
            )
        } else {
            return Err(RegistryError::InvalidResponse("not an SPDX or CycloneDX JSON document".into()));
        };
    let all = doc.get(list).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut packages: Vec<SbomPackage> = all.iter().take(MAX_PACKAGES_SHOWN).filter_map(read).collect();
    packages.sort_by_cached_key(|p| p.name.to_lowercase());
    Ok(Sbom { format, name, package_count: all.len() as u64, packages })
}

fn spdx_package(p: &Value) -> Option<SbomPackage> {
    let known = |l: &String| l != "NOASSERTION" && l != "NONE";
    let license = text(p, "/licenseConcluded").filter(known).or_else(|| text(p, "/licenseDeclared").filter(known));
    let purl = p.get("externalRefs").and_then(Value::as_array).into_iter().flatten().find_map(|r| {
        (r.get("referenceType").and_then(Value::as_str) == Some("purl")).then(|| text(r, "/referenceLocator")).flatten()
    });
    Some(SbomPackage { name: text(p, "/name")?, version: text(p, "/versionInfo"), license, purl })
}

fn cyclonedx_package(c: &Value) -> Option<SbomPackage> {
    let license =
        c.get("licenses").and_then(Value::as_array).into_iter().flatten().find_map(|l| {
            text(l, "/license/id").or_else(|| text(l, "/license/name")).or_else(|| text(l, "/expression"))
        });
    Some(SbomPackage { name: text(c, "/name")?, version: text(c, "/version"), license, purl: text(c, "/purl") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_packages_with_licenses_and_purls() -> Result<(), RegistryError> {
        let sbom = parse_sbom(
            br#"{"spdxVersion":"SPDX-2.3","name":"img","packages":[
                {"name":"zlib","versionInfo":"1.3","licenseConcluded":"Zlib"},
                {"name":"busybox","versionInfo":"1.36.1","licenseConcluded":"NOASSERTION","licenseDeclared":"GPL-2.0-only",
                 "externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/busybox@1.36.1"}]},
                {"versionInfo":"nameless"}]}"#,
        )?;
        assert_eq!((sbom.format.as_str(), sbom.name.as_deref(), sbom.package_count), ("SPDX-2.3", Some("img"), 3));
        let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["busybox", "zlib"]);
        assert_eq!(sbom.packages[0].license.as_deref(), Some("GPL-2.0-only"));
        assert_eq!(sbom.packages[0].purl.as_deref(), Some("pkg:apk/alpine/busybox@1.36.1"));
        Ok(())
    }

    #[test]
    fn cyclonedx_and_in_toto_wrapped_documents_read() -> Result<(), RegistryError> {
        let sbom = parse_sbom(
            br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"openssl","version":"3.1.4","purl":"pkg:deb/debian/openssl@3.1.4","licenses":[{"license":{"id":"Apache-2.0"}}]}]}"#,
        )?;
        assert_eq!(sbom.format, "CycloneDX 1.5");
        assert_eq!(sbom.packages[0].license.as_deref(), Some("Apache-2.0"));
        let wrapped = parse_sbom(
            br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.3","packages":[]}}"#,
        )?;
        assert_eq!((wrapped.format.as_str(), wrapped.package_count), ("SPDX-2.3", 0));
        assert!(parse_sbom(b"{}").is_err());
        assert!(parse_sbom(b"<html>").is_err());
        Ok(())
    }

    #[test]
    fn referrer_kinds_follow_the_artifact_type() {
        assert_eq!(kind_of("application/spdx+json"), ReferrerKind::Sbom);
        assert_eq!(kind_of("application/vnd.cyclonedx+json"), ReferrerKind::Sbom);
        assert_eq!(kind_of("application/vnd.dev.cosign.artifact.sig.v1+json"), ReferrerKind::Signature);
        assert_eq!(kind_of("application/vnd.cncf.notary.signature"), ReferrerKind::Signature);
        assert_eq!(kind_of("application/vnd.in-toto+json"), ReferrerKind::Attestation);
        assert_eq!(kind_of("application/x-custom"), ReferrerKind::Other);
    }

    #[test]
    fn a_referrers_index_is_read_and_hostile_ones_refused() -> Result<(), RegistryError> {
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let body = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":512,"artifactType":"application/spdx+json","annotations":{{"org.opencontainers.image.created":"2026-01-02T03:04:05Z"}}}}]}}"#
        );
        let r = from_index(body.as_bytes(), ReferrerSource::ReferrersApi)?;
        assert_eq!(
            (r[0].kind, r[0].size, r[0].created.as_deref()),
            (ReferrerKind::Sbom, 512, Some("2026-01-02T03:04:05Z"))
        );
        assert!(from_index(br#"{"manifests":[{"digest":"nope"}]}"#, ReferrerSource::ReferrersTag).is_err());
        assert!(from_index(b"[]", ReferrerSource::ReferrersTag).is_err());
        Ok(())
    }
}
