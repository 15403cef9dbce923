//! How a listing is filtered and sorted. Every field lives in the page's
//! URL query, so a link restores the same view.

use serde::{Deserialize, Serialize};

/// Order of the repository list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum RepoSort {
    /// By name; by match quality first while searching.
    #[default]
    Name,
    /// Most pulled first (catalogue APIs only).
    Pulls,
    /// Most recently updated first (catalogue APIs only).
    Updated,
    /// Most stored bytes first (from the storage count).
    Size,
}

impl RepoSort {
    pub const ALL: [Self; 4] = [Self::Name, Self::Pulls, Self::Updated, Self::Size];

    /// As written in the URL (`sort=pulls`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Pulls => "pulls",
            Self::Updated => "updated",
            Self::Size => "size",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Pulls => "Most pulled",
            Self::Updated => "Recently updated",
            Self::Size => "Largest",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// "Updated within" filter of the repository list (`?updated=30d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Recency {
    Week,
    Month,
    Quarter,
    Year,
}

impl Recency {
    pub const ALL: [Self; 4] = [Self::Week, Self::Month, Self::Quarter, Self::Year];

    pub fn key(self) -> &'static str {
        match self {
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Quarter => "90d",
            Self::Year => "365d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Week => "Past 7 days",
            Self::Month => "Past 30 days",
            Self::Quarter => "Past 90 days",
            Self::Year => "Past year",
        }
    }

    pub fn days(self) -> u64 {
        match self {
            Self::Week => 7,
            Self::Month => 30,
            Self::Quarter => 90,
            Self::Year => 365,
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// Filters of the repository list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RepoQuery {
    /// Fuzzy search over names (and descriptions when known).
    #[serde(default)]
    pub q: String,
    /// Only repositories under this first path component (`team`).
    #[serde(default)]
    pub namespace: String,
    /// Only repositories updated within this period.
    #[serde(default)]
    pub updated: Option<Recency>,
    /// Only repositories with (true) or without (false) a signed image.
    #[serde(default)]
    pub signed: Option<bool>,
    #[serde(default)]
    pub sort: RepoSort,
}

impl RepoQuery {
    /// `signed=yes|no` as written in the URL.
    pub fn signed_key(&self) -> &'static str {
        match self.signed {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        }
    }

    pub fn signed_from_key(key: &str) -> Option<bool> {
        match key {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }

    /// Whether a filter that needs the storage count (for registries without
    /// a catalogue API) is set.
    pub fn filters_by_activity(&self) -> bool {
        self.updated.is_some() || self.signed.is_some()
    }

    /// Refuses a search too long to be one (the same bound on pages,
    /// server functions and the REST API): one request must not make the
    /// server score 100,000 names against a pattern of a thousand terms.
    pub fn check(&self) -> Result<(), String> {
        check_search("q", &self.q)?;
        if self.namespace.chars().count() > MAX_NAMESPACE_CHARS {
            return Err(format!("namespace is longer than {MAX_NAMESPACE_CHARS} characters"));
        }
        Ok(())
    }
}

/// Longest search, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Most words in a search.
pub const MAX_SEARCH_TERMS: usize = 10;
/// Longest namespace filter (a repository path component is at most 255).
pub const MAX_NAMESPACE_CHARS: usize = 255;

fn check_search(name: &str, q: &str) -> Result<(), String> {
    if q.chars().count() > MAX_SEARCH_CHARS {
        return Err(format!("{name} is longer than {MAX_SEARCH_CHARS} characters"));
    }
    if q.split_whitespace().count() > MAX_SEARCH_TERMS {
        return Err(format!("{name} has more than {MAX_SEARCH_TERMS} words"));
    }
    Ok(())
}

/// Order of the tags table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum TagSort {
    /// Versions in natural order, newest-looking last (`v1.9` before `v1.10`).
    #[default]
    Name,
    /// The reverse.
    NameDesc,
    /// Most recently created (image config) first.
    Newest,
    /// Largest compressed size first (the largest platform of an index).
    Largest,
}

impl TagSort {
    pub const ALL: [Self; 4] = [Self::Name, Self::NameDesc, Self::Newest, Self::Largest];

    /// Orders that need every selected tag's manifest read.
    pub fn needs_manifests(self) -> bool {
        matches!(self, Self::Newest | Self::Largest)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameDesc => "-name",
            Self::Newest => "newest",
            Self::Largest => "largest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name A→Z",
            Self::NameDesc => "Name Z→A",
            Self::Newest => "Newest",
            Self::Largest => "Largest",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Filters of the tags table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagQuery {
    /// Substring of the tag name.
    #[serde(default)]
    pub q: String,
    /// Also list referrer and signature tags (`sha256-…`, `*.sig`, `*.att`, `*.sbom`).
    #[serde(default)]
    pub artifacts: bool,
    #[serde(default)]
    pub sort: TagSort,
}

impl TagQuery {
    /// Refuses a filter too long to be one (see [`RepoQuery::check`]).
    pub fn check(&self) -> Result<(), String> {
        check_search("q", &self.q)
    }
}

/// The tag names a query selects, for a table that loads rows as they scroll in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagNames {
    pub names: Vec<String>,
    /// Artifact tags left out.
    pub hidden: u64,
}

/// A tag that holds a referrers index or a cosign artifact, not an image.
pub fn is_artifact_tag(tag: &str) -> bool {
    let base = tag.strip_suffix(".sig").or_else(|| tag.strip_suffix(".att")).or_else(|| tag.strip_suffix(".sbom"));
    let digest_tag = |t: &str| {
        t.strip_prefix("sha256-").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    base.is_some() || digest_tag(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_bounded_in_length_and_words() {
        let q = |q: &str, namespace: &str| RepoQuery { q: q.into(), namespace: namespace.into(), ..Default::default() };
        assert!(q("team app", "team").check().is_ok());
        assert!(q(&"a".repeat(MAX_SEARCH_CHARS), "").check().is_ok());
        assert!(q(&"a".repeat(MAX_SEARCH_CHARS + 1), "").check().is_err());
        assert!(q(&"a ".repeat(MAX_SEARCH_TERMS + 1), "").check().is_err());
        assert!(q("", &"n".repeat(MAX_NAMESPACE_CHARS + 1)).check().is_err());
        let tags = TagQuery { q: "x ".repeat(11), ..Default::default() };
        assert!(tags.check().is_err());
    }

    #[test]
    fn referrer_and_signature_tags_are_recognised() {
        let hex = "e9d431e37eb92514675109235593db3ed0a8dfb4b8e5e67dea68ee3b1187853a";
        assert!(is_artifact_tag(&format!("sha256-{hex}")));
        assert!(is_artifact_tag(&format!("sha256-{hex}.sig")));
        assert!(is_artifact_tag("v1.att") && is_artifact_tag("v1.sbom"));
        assert!(!is_artifact_tag("1.0") && !is_artifact_tag("sha256-short") && !is_artifact_tag("signature"));
    }
}
