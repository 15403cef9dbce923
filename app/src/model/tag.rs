//! Tags, manifests, platforms and image configurations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An OS/architecture pair with the manifest that serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    /// Digest of the platform's image manifest.
    pub digest: String,
    /// Compressed size of that image (config + layers), when resolved.
    pub size: Option<u64>,
}

impl Platform {
    /// `linux/arm64/v8` style.
    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{}", self.os, self.architecture, v),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

/// A row of the tags table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagSummary {
    pub name: String,
    /// Digest of the manifest or index the tag points to.
    pub digest: Option<String>,
    pub media_type: Option<String>,
    /// Compressed size for a single-platform image; for an index see `platforms`.
    pub size: Option<u64>,
    /// One entry per platform (a single entry for a single-platform image).
    pub platforms: Vec<Platform>,
    /// Image creation time from the config (RFC 3339), newest platform for an index.
    pub created: Option<String>,
    /// Last push and pull (RFC 3339), from a catalogue API when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled: Option<String>,
    /// A cosign signature tag (`sha256-<hex>.sig`) exists for its digest.
    #[serde(default)]
    pub signed: bool,
    /// The registry's own scan of the image, when its API reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vulnerabilities>,
    /// Set when this tag's details could not be read; the row still shows.
    pub error: Option<AppError>,
}

/// What a registry's scanner found in an image, by severity, as its API
/// says (Harbor's scan overview); Reestr never rates anything itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Vulnerabilities {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    /// The scanner's name (`Trivy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanner: Option<String>,
    /// When the report was made (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned: Option<String>,
}

impl Vulnerabilities {
    /// `2 critical, 5 high` (severities with none are left out), or `none found`.
    pub fn label(&self) -> String {
        let parts: Vec<String> =
            [("critical", self.critical), ("high", self.high), ("medium", self.medium), ("low", self.low)]
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!("{n} {name}"))
                .collect();
        if parts.is_empty() { "none found".to_string() } else { parts.join(", ") }
    }
}

impl TagSummary {
    /// A row for a tag whose details could not be read.
    pub fn failed(name: String, error: AppError) -> Self {
        Self {
            name,
            digest: None,
            media_type: None,
            size: None,
            platforms: Vec::new(),
            created: None,
            pushed: None,
            pulled: None,
            signed: false,
            vulnerabilities: None,
            error: Some(error),
        }
    }
}

/// A content descriptor: what a manifest points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

/// One image manifest with its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageDetail {
    /// Set when the image was reached through an index.
    pub platform: Option<Platform>,
    pub digest: String,
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    /// Config plus layers, compressed.
    pub total_size: u64,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub created: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// What runs: `ENTRYPOINT` and `CMD`, as the config holds them.
    #[serde(default)]
    pub entrypoint: Vec<String>,
    #[serde(default)]
    pub cmd: Vec<String>,
    /// `KEY=value` lines from the image configuration.
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    /// Build steps, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// One step of an image's build history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// The step made no layer (`ENV`, `CMD`, …).
    pub empty_layer: bool,
}

/// Everything about one tag (or digest reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagDetail {
    pub repository: String,
    pub reference: String,
    pub digest: String,
    pub media_type: String,
    /// True for an OCI image index or Docker manifest list.
    pub is_index: bool,
    /// One per image: a single entry, or one per platform of an index.
    pub images: Vec<ImageDetail>,
    /// Index entries that are attestations (buildx provenance, SBOM), not platforms.
    pub attestations: Vec<Descriptor>,
    /// The registry's own scan of the image, when its API reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vulnerabilities>,
}
