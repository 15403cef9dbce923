//! Reading manifests, indexes and image configurations (OCI and Docker
//! schema 2). Manifests are parsed with `oci-spec` (which also checks
//! digests' syntax); configurations leniently, since real ones vary.

use std::collections::BTreeMap;

use oci_spec::image::{ImageIndex, ImageManifest};
use serde::Deserialize;

use super::RegistryError;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The four manifest types Reestr asks for, in order of preference.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// A parsed manifest.
#[derive(Debug, Clone)]
pub enum Manifest {
    Image(Box<ImageManifest>),
    Index(Box<ImageIndex>),
}

/// Parses `body` by its media type (the Content-Type, or the body's own
/// `mediaType` when the header is generic).
pub fn parse_manifest(content_type: &str, body: &[u8]) -> Result<Manifest, RegistryError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
        schema_version: Option<u32>,
    }
    let invalid = |e: &dyn std::fmt::Display| RegistryError::InvalidResponse(format!("unreadable manifest: {e}"));
    let probe: Probe = serde_json::from_slice(body).map_err(|e| invalid(&e))?;
    let declared = match content_type {
        OCI_INDEX | OCI_MANIFEST | DOCKER_LIST | DOCKER_MANIFEST => content_type.to_string(),
        _ => probe.media_type.clone().unwrap_or_else(|| {
            if probe.manifests.is_some() { OCI_INDEX.to_string() } else { OCI_MANIFEST.to_string() }
        }),
    };
    if probe.schema_version == Some(1) {
        return Err(RegistryError::InvalidResponse("Docker schema 1 manifests are not supported".to_string()));
    }
    match declared.as_str() {
        OCI_INDEX | DOCKER_LIST => {
            let index: ImageIndex = serde_json::from_slice(body).map_err(|e| invalid(&e))?;
            Ok(Manifest::Index(Box::new(index)))
        }
        OCI_MANIFEST | DOCKER_MANIFEST => {
            let manifest: ImageManifest = serde_json::from_slice(body).map_err(|e| invalid(&e))?;
            Ok(Manifest::Image(Box::new(manifest)))
        }
        other => Err(RegistryError::InvalidResponse(format!("unsupported manifest media type `{other}`"))),
    }
}

/// What Reestr reads from an image configuration blob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfig {
    pub created: Option<String>,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub history: Vec<app::model::HistoryEntry>,
}

/// Parses a configuration blob; unknown fields are ignored, wrong types are errors.
pub fn parse_config(body: &[u8]) -> Result<ImageConfig, RegistryError> {
    #[derive(Deserialize)]
    struct Raw {
        created: Option<String>,
        os: Option<String>,
        architecture: Option<String>,
        variant: Option<String>,
        config: Option<Inner>,
        history: Option<Vec<History>>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        labels: Option<BTreeMap<String, String>>,
        entrypoint: Option<Vec<String>>,
        cmd: Option<Vec<String>>,
        env: Option<Vec<String>>,
        working_dir: Option<String>,
        user: Option<String>,
    }
    #[derive(Deserialize)]
    struct History {
        created: Option<String>,
        created_by: Option<String>,
        comment: Option<String>,
        #[serde(default)]
        empty_layer: bool,
    }
    let raw: Raw = serde_json::from_slice(body)
        .map_err(|e| RegistryError::InvalidResponse(format!("unreadable image configuration: {e}")))?;
    let inner = raw.config.unwrap_or(Inner {
        labels: None,
        entrypoint: None,
        cmd: None,
        env: None,
        working_dir: None,
        user: None,
    });
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(ImageConfig {
        created: raw.created,
        os: raw.os,
        architecture: raw.architecture,
        variant: raw.variant,
        labels: inner.labels.unwrap_or_default(),
        entrypoint: inner.entrypoint.unwrap_or_default(),
        cmd: inner.cmd.unwrap_or_default(),
        env: inner.env.unwrap_or_default(),
        working_dir: non_empty(inner.working_dir),
        user: non_empty(inner.user),
        history: raw
            .history
            .unwrap_or_default()
            .into_iter()
            .map(|h| app::model::HistoryEntry {
                created: h.created,
                created_by: h.created_by,
                comment: h.comment,
                empty_layer: h.empty_layer,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn docker_schema2_manifests_parse() -> Result<(), RegistryError> {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"{DIGEST}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32,"digest":"{DIGEST}"}}]}}"#
        );
        match parse_manifest(DOCKER_MANIFEST, body.as_bytes())? {
            Manifest::Image(m) => assert_eq!(m.layers().len(), 1),
            Manifest::Index(_) => panic!("expected an image manifest"),
        }
        Ok(())
    }

    #[test]
    fn an_index_is_recognised_from_its_body_when_the_header_is_generic() -> Result<(), RegistryError> {
        let body = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","size":7,"digest":"{DIGEST}","platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#
        );
        assert!(matches!(parse_manifest("application/json", body.as_bytes())?, Manifest::Index(_)));
        Ok(())
    }

    #[test]
    fn hostile_manifests_are_errors_not_panics() {
        for body in [
            &b"not json"[..],
            b"[]",
            br#"{"schemaVersion":1}"#,
            br#"{"schemaVersion":2,"config":{"digest":"nope","size":1,"mediaType":"x"},"layers":[]}"#,
        ] {
            assert!(parse_manifest(OCI_MANIFEST, body).is_err(), "{}", String::from_utf8_lossy(body));
        }
        assert!(parse_manifest("text/html", br#"{"mediaType":"text/html"}"#).is_err());
    }

    #[test]
    fn configs_give_created_and_labels() -> Result<(), RegistryError> {
        let c = parse_config(br#"{"created":"2026-11-27T10:00:00Z","os":"linux","architecture":"amd64","config":{"Labels":{"org.opencontainers.image.title":"app"}},"rootfs":{}}"#)?;
        assert_eq!(c.created.as_deref(), Some("2026-11-27T10:00:00Z"));
        assert_eq!(c.labels.get("org.opencontainers.image.title").map(String::as_str), Some("app"));
        assert_eq!(parse_config(br#"{"config":{"Labels":null}}"#)?, ImageConfig::default());
        assert!(parse_config(br#"{"created":5}"#).is_err());
        let c = parse_config(
            br#"{"config":{"Entrypoint":["/bin/sh","-c"],"Cmd":null,"Env":["PATH=/usr/bin"],"WorkingDir":"","User":"app"},"history":[{"created_by":"ADD file","empty_layer":false},{"created_by":"CMD x","empty_layer":true}]}"#,
        )?;
        assert_eq!((c.entrypoint.len(), c.cmd.len(), c.env.len()), (2, 0, 1));
        assert_eq!((c.working_dir, c.user.as_deref()), (None, Some("app")));
        assert_eq!(c.history.iter().map(|h| h.empty_layer).collect::<Vec<_>>(), [false, true]);
        Ok(())
    }
}
