//! Built-in profiles: which operation of a registry's API document serves
//! each canonical operation, and which path arguments Reestr fills in.
//!
//! - `oci`: the Distribution API (`/v2/`), the shipped document or the
//!   registry's own. Required to browse: listRepositories, listTags, getManifest.
//! - `harbor`: Harbor's v2.0 API (projects, repositories with descriptions and
//!   pull counts, artifacts with tags, accessories, additions such as the README).
//! - `dockerhub`: the Docker Hub API (repositories, tags with images). Its
//!   published document has tag routes but no repository listing.
//!
//! A catalogue profile (harbor, dockerhub) is paired with the registry's OCI
//! endpoint: manifests and blobs always come through `/v2/`.

use std::borrow::Cow;

use super::operations::CanonicalOperation as Op;
use crate::config::{PageStyle, Profile};

/// One canonical operation in a profile.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub op: Op,
    pub operation_id: Option<&'static str>,
    /// Method and path to look for when the operationId is absent.
    pub route: Option<(&'static str, &'static str)>,
    /// Path parameters Reestr can fill for this profile.
    pub args: &'static [&'static str],
    /// Without it the registry cannot be browsed.
    pub required: bool,
    /// What Reestr reads from the 200 response: (field, path). Paths are
    /// JSON-pointer style, `[]` stepping into array items.
    pub fields: &'static [(&'static str, &'static str)],
    /// How a listing says where its next page is.
    pub pages: &'static PageStyle,
}

const fn b(
    op: Op,
    operation_id: Option<&'static str>,
    route: Option<(&'static str, &'static str)>,
    args: &'static [&'static str],
    required: bool,
) -> Binding {
    Binding { op, operation_id, route, args, required, fields: &[], pages: &LINK_PAGES }
}

impl Binding {
    const fn reads(self, fields: &'static [(&'static str, &'static str)]) -> Self {
        Self { fields, ..self }
    }

    const fn pages(self, pages: &'static PageStyle) -> Self {
        Self { pages, ..self }
    }
}

/// OCI Distribution and most REST APIs: `Link` headers.
static LINK_PAGES: PageStyle = PageStyle::Link;
/// Harbor: `page` from 1 and `page_size` (at most 100), total in `X-Total-Count`.
static HARBOR_PAGES: PageStyle = PageStyle::PageNumber {
    param: Cow::Borrowed("page"),
    size_param: Cow::Borrowed("page_size"),
    total_header: Some(Cow::Borrowed("X-Total-Count")),
};
/// Docker Hub: the next page's URL in `next`, the total in `count`.
static HUB_PAGES: PageStyle = PageStyle::NextUrl { field: Cow::Borrowed("/next") };

/// The OCI Distribution API.
pub const OCI: &[Binding] = &[
    b(Op::CheckVersion, Some("checkVersion"), Some(("get", "/v2/")), &[], false),
    b(Op::ListRepositories, Some("listRepositories"), Some(("get", "/v2/_catalog")), &[], true)
        .reads(&[("name", "/repositories/[]")]),
    b(Op::ListTags, Some("listTags"), Some(("get", "/v2/{name}/tags/list")), &["name"], true)
        .reads(&[("name", "/tags/[]")]),
    b(
        Op::GetManifest,
        Some("getManifest"),
        Some(("get", "/v2/{name}/manifests/{reference}")),
        &["name", "reference"],
        true,
    ),
    b(Op::GetBlob, Some("getBlob"), Some(("get", "/v2/{name}/blobs/{digest}")), &["name", "digest"], false),
    b(
        Op::ListReferrers,
        Some("listReferrers"),
        Some(("get", "/v2/{name}/referrers/{digest}")),
        &["name", "digest"],
        false,
    ),
];

const HARBOR_REPO: &[&str] = &["project_name", "repository_name"];
const HARBOR_REPO_PATH: &str = "/projects/{project_name}/repositories/{repository_name}";
const HARBOR_ARTIFACTS_PATH: &str = "/projects/{project_name}/repositories/{repository_name}/artifacts";
const HARBOR_ARTIFACT_PATH: &str = "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}";
const HARBOR_ACCESSORIES_PATH: &str =
    "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/accessories";
const HARBOR_ADDITION_PATH: &str =
    "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/additions/{addition}";
const HARBOR_REPO_FIELDS_LIST: &[(&str, &str)] = &[
    ("name", "[]/name"),
    ("description", "[]/description"),
    ("pullCount", "[]/pull_count"),
    ("artifactCount", "[]/artifact_count"),
    ("updated", "[]/update_time"),
];
const HARBOR_ARTIFACT: &[&str] = &["project_name", "repository_name", "reference"];
const HARBOR_ADDITION: &[&str] = &["project_name", "repository_name", "reference", "addition"];

/// Harbor v2.0 (`/api/v2.0`).
pub const HARBOR: &[Binding] = &[
    b(Op::ListRepositories, Some("listAllRepositories"), Some(("get", "/repositories")), &[], false)
        .reads(HARBOR_REPO_FIELDS_LIST)
        .pages(&HARBOR_PAGES),
    b(Op::SearchRepositories, Some("search"), Some(("get", "/search")), &[], false).reads(&[
        ("name", "/repository/[]/repository_name"),
        ("namespace", "/repository/[]/project_name"),
        ("pullCount", "/repository/[]/pull_count"),
        ("artifactCount", "/repository/[]/artifact_count"),
    ]),
    b(Op::GetRepository, Some("getRepository"), Some(("get", HARBOR_REPO_PATH)), HARBOR_REPO, false).reads(&[
        ("description", "/description"),
        ("pullCount", "/pull_count"),
        ("updated", "/update_time"),
    ]),
    b(Op::ListTags, Some("listArtifacts"), Some(("get", HARBOR_ARTIFACTS_PATH)), HARBOR_REPO, false)
        .reads(&[
            ("digest", "[]/digest"),
            ("size", "[]/size"),
            ("tag", "[]/tags/[]/name"),
            ("pushed", "[]/push_time"),
            ("pulled", "[]/pull_time"),
        ])
        .pages(&HARBOR_PAGES),
    b(Op::GetTag, Some("getArtifact"), Some(("get", HARBOR_ARTIFACT_PATH)), HARBOR_ARTIFACT, false).reads(&[
        ("digest", "/digest"),
        ("size", "/size"),
        ("pushed", "/push_time"),
        ("pulled", "/pull_time"),
    ]),
    b(Op::ListReferrers, Some("listAccessories"), Some(("get", HARBOR_ACCESSORIES_PATH)), HARBOR_ARTIFACT, false)
        .reads(&[("digest", "[]/digest"), ("type", "[]/type"), ("size", "[]/size")]),
    b(Op::GetReadme, Some("getAddition"), Some(("get", HARBOR_ADDITION_PATH)), HARBOR_ADDITION, false),
];

const HUB_REPO: &[&str] = &["namespace", "repository"];
const HUB_TAG: &[&str] = &["namespace", "repository", "tag"];

/// Docker Hub (`https://hub.docker.com`).
pub const DOCKERHUB: &[Binding] = &[
    b(Op::ListRepositories, None, Some(("get", "/v2/namespaces/{namespace}/repositories")), &["namespace"], false)
        .reads(&[
            ("total", "/count"),
            ("next", "/next"),
            ("name", "/results/[]/name"),
            ("namespace", "/results/[]/namespace"),
            ("description", "/results/[]/description"),
            ("pullCount", "/results/[]/pull_count"),
            ("starCount", "/results/[]/star_count"),
            ("updated", "/results/[]/last_updated"),
        ])
        .pages(&HUB_PAGES),
    b(Op::SearchRepositories, None, Some(("get", "/v2/search/repositories")), &[], false),
    b(Op::GetRepository, None, Some(("get", "/v2/namespaces/{namespace}/repositories/{repository}")), HUB_REPO, false)
        .reads(&[
            ("description", "/description"),
            ("pullCount", "/pull_count"),
            ("starCount", "/star_count"),
            ("updated", "/last_updated"),
            ("readme", "/full_description"),
        ]),
    b(Op::ListTags, None, Some(("get", "/v2/namespaces/{namespace}/repositories/{repository}/tags")), HUB_REPO, false)
        .reads(&[
            ("total", "/count"),
            ("next", "/next"),
            ("tag", "/results/[]/name"),
            ("size", "/results/[]/full_size"),
            ("pushed", "/results/[]/tag_last_pushed"),
            ("pulled", "/results/[]/tag_last_pulled"),
        ])
        .pages(&HUB_PAGES),
    b(
        Op::GetTag,
        None,
        Some(("get", "/v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}")),
        HUB_TAG,
        false,
    )
    .reads(&[("size", "/full_size"), ("pushed", "/tag_last_pushed"), ("pulled", "/tag_last_pulled")]),
];

/// The table of a configured profile.
pub fn table(profile: Profile) -> &'static [Binding] {
    match profile {
        Profile::Oci => OCI,
        Profile::Harbor => HARBOR,
        Profile::DockerHub => DOCKERHUB,
    }
}
