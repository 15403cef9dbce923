//! Registries as configured, and what Reestr found when it last looked.

use serde::{Deserialize, Serialize};

/// A configured registry, as known without asking it anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistrySummary {
    /// Slug from `registries.yaml`, used in URLs.
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// The registry's Distribution API endpoint (without credentials).
    pub base_url: String,
    /// `anonymous`, `basic` or `bearer`.
    pub auth_mode: String,
    /// Title and version of the API document the client is built from.
    pub api_document: String,
    /// Each canonical operation Reestr looked for in that document.
    pub operations: Vec<OperationCheck>,
    /// When the document was last loaded (RFC 3339, UTC).
    pub synced_at: String,
    /// What goes before the repository in a pull command (`ghcr.io`,
    /// `127.0.0.1:5000`, `docker.io`).
    #[serde(default)]
    pub pull_host: String,
    /// The registry speaks plain HTTP: pull commands need their insecure flag.
    #[serde(default)]
    pub plain_http: bool,
}

impl RegistrySummary {
    /// True when every operation Reestr needs to browse was found.
    pub fn browsable(&self) -> bool {
        self.operations.iter().all(|op| op.found || !op.required)
    }
}

/// Whether one canonical operation exists in the registry's API document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OperationCheck {
    /// Canonical name, e.g. `listTags`.
    pub operation: String,
    pub required: bool,
    pub found: bool,
    /// `GET /v2/{name}/tags/list` when found; what to add when missing.
    pub detail: String,
    /// Which document: `registry` (the OCI endpoint) or `catalogue` (the
    /// registry's own API, through a profile).
    pub api: String,
    /// Fields Reestr reads that the response schema lacks (`pullCount ([]/pull_count)`).
    #[serde(default)]
    pub drift: Vec<String>,
}

/// The result of probing a registry's `/v2/` endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum HealthStatus {
    Healthy,
    AuthFailed,
    MissingOperations,
    Unreachable,
    /// The registry answered 429: Reestr sends it nothing until the time
    /// in the message and serves pages from its cache.
    RateLimited,
}

impl HealthStatus {
    /// Words for a badge.
    pub fn label(self) -> &'static str {
        match self {
            Self::Healthy => "Healthy",
            Self::AuthFailed => "Auth failed",
            Self::MissingOperations => "Missing operations",
            Self::Unreachable => "Unreachable",
            Self::RateLimited => "Rate limited",
        }
    }

    /// A CSS modifier for the badge.
    pub fn css(self) -> &'static str {
        match self {
            Self::Healthy => "ok",
            Self::AuthFailed | Self::MissingOperations | Self::RateLimited => "warn",
            Self::Unreachable => "bad",
        }
    }
}

/// Reachability of one registry, as last probed (at `checked_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistryHealth {
    pub status: HealthStatus,
    /// What went wrong, in words, when not healthy.
    pub message: Option<String>,
    /// Round trip of the probe in milliseconds.
    pub latency_ms: u32,
    /// When the probe ran (RFC 3339, UTC).
    pub checked_at: String,
}

/// A registry with its current health: one card on the home page and one
/// entry of `GET /api/registries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistryOverview {
    #[serde(flatten)]
    pub registry: RegistrySummary,
    pub health: RegistryHealth,
    /// From the last storage count, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageTotals>,
}

/// A registry's totals from its last storage count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageTotals {
    pub bytes: u64,
    pub repositories: u64,
    pub tags: u64,
    /// RFC 3339, UTC.
    pub computed_at: String,
}

/// What a "Resync schema" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResyncResult {
    /// True when the document loaded and every required operation was found.
    pub ok: bool,
    /// One sentence for the toast.
    pub message: String,
    /// The registry as it is after the resync (unchanged on failure).
    pub registry: RegistrySummary,
}
