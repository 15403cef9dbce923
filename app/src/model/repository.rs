//! Repositories and the one page shape every listing uses.

use serde::{Deserialize, Serialize};

/// One repository in a registry's catalogue. Everything but the name comes
/// from a catalogue API (Harbor, Docker Hub) and is absent when the registry
/// has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RepositorySummary {
    /// Full name, slashes included (`team/sub/app`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub star_count: Option<u64>,
    /// Artifacts (Harbor), tagged or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_count: Option<u64>,
    /// Last update (RFC 3339): the push time a catalogue API reports, else
    /// the creation time of the newest image once the storage count has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whether any of its images is signed, once the storage count has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
    /// Bytes of its distinct blobs, once the storage count has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_bytes: Option<u64>,
    /// Tags, once the storage count has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_count: Option<u64>,
    /// The image labels (OCI annotations in the config) of `labels_tag`,
    /// on the repository page only.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// The tag the labels were read from: `latest`, else the last in natural order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_tag: Option<String>,
}

impl RepositorySummary {
    /// A repository known by name only.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

/// One page of a listing, whatever pagination the registry uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; pass it back as `cursor` for the next page. Absent on the last.
    pub next_cursor: Option<String>,
    /// Number of items in the whole listing, when known.
    pub total: Option<u64>,
    /// Position of the first item of this page in the whole listing.
    pub offset: u64,
    /// Set when the listing is incomplete, saying why (a page cap reached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// Items the filter left out that a toggle can bring back (artifact tags).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hidden: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
