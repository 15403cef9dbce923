//! A profile: how one kind of registry API maps onto Reestr's pages, as
//! data. Which operation of the document serves each canonical operation,
//! which path arguments Reestr fills and from what, which response fields
//! become which values, how listings page, how repository names are
//! encoded and how credentials are presented. The shipped profiles are
//! YAML files under `server/profiles/`, embedded in the binary; a user's
//! own is a file in the same format (`api.profile: ./acme.yaml`).

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::model::PageStyle;
use crate::registry::CanonicalOperation;

/// The shipped profiles, as written (`reestr profiles` lists them).
const SHIPPED: [(&str, &str); 6] = [
    ("oci", include_str!("../../profiles/oci.yaml")),
    ("harbor", include_str!("../../profiles/harbor.yaml")),
    ("dockerhub", include_str!("../../profiles/dockerhub.yaml")),
    ("ghcr", include_str!("../../profiles/ghcr.yaml")),
    ("quay", include_str!("../../profiles/quay.yaml")),
    ("gitlab", include_str!("../../profiles/gitlab.yaml")),
];

/// One profile, checked.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// One line on what it is for.
    pub summary: String,
    /// Where it was read from: `shipped` or a file path.
    pub source: String,
    /// `Registry`: the document describes the registry's own `/v2/`;
    /// `Catalogue`: a second API beside it (manifests still come from `/v2/`).
    pub kind: ProfileKind,
    /// How a repository name fills the API's path arguments.
    pub names: Names,
    /// Credentials traded for a token before use, when plain Basic will not do.
    pub exchange: Option<Exchange>,
    /// How the API wants the configured secret, when not as Basic
    /// credentials (GitLab's `PRIVATE-TOKEN` header).
    pub credentials: Option<Presentation>,
    /// Hosts the API lives on besides the registry's (Docker Hub's API is
    /// `hub.docker.com`): allowed for outbound calls.
    pub hosts: Vec<String>,
    /// The query parameter that asks for a page's size (`page_size`,
    /// GitHub's `per_page`), when an operation declares it.
    pub page_size_param: String,
    /// Each canonical operation the profile binds, in canonical order.
    pub operations: Vec<Binding>,
}

impl PartialEq for Profile {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.source == other.source
    }
}

impl Eq for Profile {}

/// Which API the document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    Registry,
    Catalogue,
}

/// How a repository name (`team/app/web`) becomes path arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Names {
    /// The whole name in one argument, slashes and all (`{name}`).
    Whole { argument: String },
    /// The first segment in one argument (`default` when the name has
    /// none: Docker Hub's `library`), the rest in another.
    Split { namespace: String, rest: String, default: String, slashes: Slashes },
    /// The API addresses a repository by ids it hands out (GitLab's
    /// `repository_id` and `project_id`): the namespace goes in `namespace`
    /// for listings (`slashes` says how its own slashes travel), and each
    /// repository's arguments are read from its item in the namespace's
    /// repository listing, at these item-relative paths.
    Lookup { namespace: String, slashes: Slashes, arguments: Vec<(String, String)> },
}

/// A header that carries the configured secret (the Basic password, or the
/// bearer token) instead of Basic credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    /// `PRIVATE-TOKEN`, `Authorization`.
    pub header: String,
    /// Written before the secret (`Bearer`), when the header wants one.
    pub scheme: Option<String>,
}

/// How slashes inside the rest of a split name are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slashes {
    /// As they are.
    Kept,
    /// Encoded once, so the rest stays one path segment (`a/b` → `a%2Fb`):
    /// GitHub's package names.
    Encoded,
    /// Encoded twice (`a/b` → `a%252Fb`): Harbor's rule.
    DoubleEncoded,
}

impl Names {
    /// Path arguments naming `repository`; none for names that are
    /// looked up (the catalogue client reads those from the listing).
    pub fn arguments(&self, repository: &str) -> Vec<(String, String)> {
        match self {
            Self::Lookup { .. } => Vec::new(),
            Self::Whole { argument } => vec![(argument.clone(), repository.to_string())],
            Self::Split { namespace, rest, default, slashes } => {
                let (first, tail) = repository.split_once('/').unwrap_or((default.as_str(), repository));
                let tail = match slashes {
                    // The template encodes the `%` once more.
                    Slashes::DoubleEncoded => tail.replace('/', "%2F"),
                    // The template keeps it one segment (`encoded_arguments`).
                    Slashes::Kept | Slashes::Encoded => tail.to_string(),
                };
                vec![(namespace.clone(), first.to_string()), (rest.clone(), tail)]
            }
        }
    }
}

impl Names {
    /// The path or query argument a namespace (`api.namespaces`) goes in:
    /// `names.namespace` (Harbor's `project_name`), else `namespace`.
    pub fn namespace_argument(&self) -> &str {
        match self {
            Self::Split { namespace, .. } | Self::Lookup { namespace, .. } => namespace,
            Self::Whole { .. } => "namespace",
        }
    }

    /// Arguments whose slashes the URL must encode (one path segment).
    pub fn encoded_arguments(&self) -> Vec<&str> {
        match self {
            Self::Split { rest, slashes: Slashes::Encoded, .. } => vec![rest.as_str()],
            Self::Lookup { namespace, slashes: Slashes::Encoded, .. } => vec![namespace.as_str()],
            _ => Vec::new(),
        }
    }
}

/// A named credential exchange: the closed set of things a document cannot say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchange {
    /// Docker Hub: Basic credentials (username and password or access
    /// token) posted as `{identifier, secret}` to `operation_id`, which
    /// answers a short-lived JWT (`access_token` or `token`).
    DockerHubLogin { operation_id: String },
}

/// A value Reestr reads from an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Namespace,
    Description,
    PullCount,
    StarCount,
    ArtifactCount,
    Updated,
    Readme,
    Tag,
    Digest,
    Size,
    Pushed,
    Pulled,
    Type,
    /// The listing's total item count.
    Total,
    /// The next page's URL.
    Next,
    /// Vulnerabilities a scanner found, per severity.
    Critical,
    High,
    Medium,
    Low,
    /// The scanner's name and when its report was made.
    Scanner,
    Scanned,
}

impl Field {
    pub const ALL: [Self; 22] = [
        Self::Name,
        Self::Namespace,
        Self::Description,
        Self::PullCount,
        Self::StarCount,
        Self::ArtifactCount,
        Self::Updated,
        Self::Readme,
        Self::Tag,
        Self::Digest,
        Self::Size,
        Self::Pushed,
        Self::Pulled,
        Self::Type,
        Self::Total,
        Self::Next,
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Scanner,
        Self::Scanned,
    ];

    /// As profiles write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Namespace => "namespace",
            Self::Description => "description",
            Self::PullCount => "pullCount",
            Self::StarCount => "starCount",
            Self::ArtifactCount => "artifactCount",
            Self::Updated => "updated",
            Self::Readme => "readme",
            Self::Tag => "tag",
            Self::Digest => "digest",
            Self::Size => "size",
            Self::Pushed => "pushed",
            Self::Pulled => "pulled",
            Self::Type => "type",
            Self::Total => "total",
            Self::Next => "next",
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Scanner => "scanner",
            Self::Scanned => "scanned",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One canonical operation in a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub op: CanonicalOperation,
    pub operation_id: Option<String>,
    /// Method (lower case) and path to look for when the operationId is absent.
    pub route: Option<(String, String)>,
    /// Path parameters Reestr can fill for this operation.
    pub arguments: Vec<String>,
    /// Path arguments with a fixed value (Harbor's README is the `readme.md`
    /// addition of `latest`).
    pub values: Vec<(String, String)>,
    /// Query parameter that carries a search's words (`q`).
    pub search_param: Option<String>,
    /// Query parameters with a fixed value (GitHub's `package_type=container`).
    pub query: Vec<(String, String)>,
    /// `getVulnerabilities` only: where the answer lists one severity name
    /// per finding (Quay's `/data/Layer/Features/[]/Vulnerabilities/[]/Severity`);
    /// Reestr counts them.
    pub severities: Option<String>,
    /// When set, `route` is used even if the document lacks it, taking
    /// these query parameters (`declared: { query: [page] }`).
    pub declared_query: Option<Vec<String>>,
    /// Without it the registry cannot be browsed.
    pub required: bool,
    /// What Reestr reads from the 200 response: JSON-pointer style paths,
    /// `[]` stepping into array items.
    pub fields: Vec<(Field, String)>,
    /// How a listing says where its next page is.
    pub pages: PageStyle,
    /// Where the profile binds it (`harbor.yaml:27:3`), for reports.
    pub origin: String,
}

impl Profile {
    /// The binding of `op`, when the profile has one.
    pub fn binding(&self, op: CanonicalOperation) -> Option<&Binding> {
        self.operations.iter().find(|b| b.op == op)
    }
}

/// Every shipped profile, read once. A shipped profile that does not read
/// is a build defect, caught by the tests (`shipped_profiles_read`); here it
/// is left out with an error in the log rather than taking the server down.
pub fn shipped() -> &'static [Arc<Profile>] {
    static SHIPPED_PROFILES: OnceLock<Vec<Arc<Profile>>> = OnceLock::new();
    SHIPPED_PROFILES.get_or_init(|| {
        SHIPPED
            .iter()
            .filter_map(|(name, text)| {
                match super::profile_load::read_profile(text, &format!("{name}.yaml"), "shipped") {
                    Ok(p) => Some(Arc::new(p)),
                    Err(e) => {
                        tracing::error!(profile = name, error = %e, "a shipped profile does not read");
                        None
                    }
                }
            })
            .collect()
    })
}

/// The shipped profile called `name`.
pub fn shipped_named(name: &str) -> Option<Arc<Profile>> {
    shipped().iter().find(|p| p.name == name).cloned()
}

/// The OCI Distribution profile every registry's `/v2/` is read with.
pub fn oci() -> Arc<Profile> {
    shipped_named("oci").unwrap_or_else(|| {
        Arc::new(Profile {
            name: "oci".into(),
            summary: String::new(),
            source: "shipped".into(),
            kind: ProfileKind::Registry,
            names: Names::Whole { argument: "name".into() },
            exchange: None,
            credentials: None,
            hosts: Vec::new(),
            page_size_param: "page_size".into(),
            operations: Vec::new(),
        })
    })
}

/// The text of shipped profile `name`.
pub fn shipped_text(name: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The shipped profiles' names, for messages: `oci, harbor or dockerhub`.
pub fn shipped_names() -> String {
    let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_read() {
        for (name, text) in SHIPPED {
            let p = super::super::profile_load::read_profile(text, &format!("{name}.yaml"), "shipped");
            assert!(p.as_ref().is_ok_and(|p| p.name == name), "{name}: {p:?}");
        }
        assert_eq!(shipped().len(), SHIPPED.len());
        assert_eq!(shipped_names(), "oci, harbor, dockerhub, ghcr, quay or gitlab");
    }

    #[test]
    fn names_fill_arguments_as_each_api_wants_them() {
        let whole = Names::Whole { argument: "name".into() };
        assert_eq!(whole.arguments("a/b/c"), [("name".to_string(), "a/b/c".to_string())]);
        let harbor = Names::Split {
            namespace: "project_name".into(),
            rest: "repository_name".into(),
            default: "library".into(),
            slashes: Slashes::DoubleEncoded,
        };
        assert_eq!(harbor.arguments("team/app/web")[1], ("repository_name".into(), "app%2Fweb".into()));
        let hub = Names::Split {
            namespace: "namespace".into(),
            rest: "repository".into(),
            default: "library".into(),
            slashes: Slashes::Kept,
        };
        assert_eq!(
            hub.arguments("nginx"),
            [("namespace".into(), "library".into()), ("repository".into(), "nginx".into())]
        );
    }
}
