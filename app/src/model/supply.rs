//! What points at an image: SBOMs, signatures and attestations found through
//! the referrers API, the `sha256-<hex>` referrers tag, or cosign's tags.

use serde::{Deserialize, Serialize};

/// What a referrer is, judged from its artifact type, media types and tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ReferrerKind {
    Sbom,
    Signature,
    Attestation,
    Other,
}

impl ReferrerKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Sbom => "SBOM",
            Self::Signature => "Signature",
            Self::Attestation => "Attestation",
            Self::Other => "Artifact",
        }
    }
}

/// Where Reestr found a referrer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ReferrerSource {
    /// `GET /v2/<name>/referrers/<digest>` (OCI 1.1).
    ReferrersApi,
    /// The `sha256-<hex>` tag registries without the API carry (OCI 1.1 fallback).
    ReferrersTag,
    /// cosign's `sha256-<hex>.sig`, `.att` and `.sbom` tags.
    CosignTag,
}

impl ReferrerSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::ReferrersApi => "referrers API",
            Self::ReferrersTag => "referrers tag",
            Self::CosignTag => "cosign tag",
        }
    }
}

/// One artifact that refers to an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Referrer {
    /// Digest of the referrer's manifest.
    pub digest: String,
    pub media_type: String,
    pub artifact_type: Option<String>,
    pub size: u64,
    pub kind: ReferrerKind,
    pub source: ReferrerSource,
    /// The tag it lives under (cosign), when it has one.
    pub tag: Option<String>,
    /// `org.opencontainers.image.created`, when annotated.
    pub created: Option<String>,
}

/// A software bill of materials, read from an SPDX or CycloneDX JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Sbom {
    /// `SPDX-2.3`, `CycloneDX 1.5`.
    pub format: String,
    /// The document's name, when it has one.
    pub name: Option<String>,
    pub packages: Vec<SbomPackage>,
    /// Set when the list was cut at the display limit; the count stays exact.
    pub package_count: u64,
}

/// One package listed in an SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SbomPackage {
    pub name: String,
    pub version: Option<String>,
    pub license: Option<String>,
    /// Package URL (`pkg:apk/alpine/busybox@1.36.1`).
    pub purl: Option<String>,
}
