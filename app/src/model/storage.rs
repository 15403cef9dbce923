//! Storage accounting: bytes of unique blobs (layers and configs), counted
//! once per digest, per repository and per registry.

use serde::{Deserialize, Serialize};

/// One repository's storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RepoStorage {
    pub name: String,
    /// Bytes of the distinct blobs its tags reach (all platforms, configs included).
    pub bytes: u64,
    /// Of those, bytes of blobs no other repository reaches: what deleting it would free.
    pub unique_bytes: u64,
    /// Bytes of blobs other repositories reach too.
    pub shared_bytes: u64,
    pub tags: u64,
    pub blobs: u64,
    /// Distinct images its tags name (referrer and signature tags aside).
    pub images: u64,
    /// Of those, images with a signature: a cosign `.sig` tag, or a
    /// signature in their referrers (`sha256-…` tag) index.
    pub signed_images: u64,
    /// Creation time (RFC 3339) of its newest image, from the image configs.
    pub newest: Option<String>,
}

/// One tag's image size (all its platforms' distinct blobs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageSize {
    pub repository: String,
    pub tag: String,
    pub bytes: u64,
}

/// A registry's storage, as computed at `computed_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageReport {
    pub registry: String,
    /// RFC 3339, UTC.
    pub computed_at: String,
    /// Distinct blobs across the whole registry, each counted once.
    pub total_bytes: u64,
    pub blobs: u64,
    pub tags: u64,
    /// Largest first.
    pub repositories: Vec<RepoStorage>,
    /// The largest tagged images, largest first (at most 20).
    pub largest_images: Vec<ImageSize>,
    /// Repositories or tags that could not be read (they count as empty).
    pub problems: Vec<String>,
}

/// Where the background computation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum StorageProgress {
    /// Not started yet (it starts when first asked for).
    Idle,
    /// Under way here: repositories done out of the total.
    Running {
        done: u64,
        total: u64,
    },
    /// Another replica holds the job; its result will appear in the shared cache.
    Elsewhere,
    /// The last run failed before it finished.
    Failed {
        message: String,
    },
    Done,
}

/// What `GET …/storage` answers: progress, and the last complete report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    pub progress: StorageProgress,
    pub report: Option<StorageReport>,
}

impl StorageProgress {
    /// Whole percent done, for a running job.
    pub fn percent(&self) -> Option<u64> {
        match self {
            Self::Running { done, total } if *total > 0 => Some(done.saturating_mul(100) / total),
            Self::Running { .. } => Some(0),
            _ => None,
        }
    }
}
