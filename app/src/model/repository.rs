//! Repositories and the one page shape every listing uses.

use serde::{Deserialize, Serialize};

/// One repository in a registry's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositorySummary {
    /// Full name, slashes included (`team/sub/app`).
    pub name: String,
}

/// One page of a listing, whatever pagination the registry uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; pass it back as `cursor` for the next page. Absent on the last.
    pub next_cursor: Option<String>,
    /// Number of items in the whole listing, when known.
    pub total: Option<u64>,
    /// Position of the first item of this page in the whole listing.
    pub offset: u64,
}
