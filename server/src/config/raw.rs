//! The file's shape as written, before validation. Fields that validation
//! may complain about keep their position (`Spanned`).

use marked_yaml::Spanned;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    /// `login` (the default) or `open` (no login at all: demos only).
    pub access: Option<Spanned<String>>,
    /// Single sign-on providers.
    #[serde(rename = "signIn")]
    pub sign_in: Option<super::sign_in::RawSignIn>,
    pub registries: Vec<RawRegistry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawRegistry {
    pub id: Spanned<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub base_url: Spanned<String>,
    pub api: Option<RawApi>,
    pub auth: Option<RawAuth>,
    #[serde(default)]
    pub capabilities: RawCapabilities,
    #[serde(default)]
    pub tls: RawTls,
    #[serde(default)]
    pub allowed_hosts: Vec<Spanned<String>>,
    pub access: Option<RawRegistryAccess>,
}

/// `registries[].access`: who may see the registry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawRegistryAccess {
    /// Client addresses and CIDR ranges the registry is visible from.
    pub allow_from: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawApi {
    pub document: Option<Spanned<String>>,
    pub profile: Option<Spanned<String>>,
    #[serde(default)]
    pub operations: std::collections::HashMap<Spanned<String>, RawOperation>,
    /// Where the catalogue API lives, when not beside the registry.
    pub base_url: Option<Spanned<String>>,
    /// Namespaces to list (Docker Hub lists repositories per namespace).
    #[serde(default)]
    pub namespaces: Vec<Spanned<String>>,
    /// Most pages read from one listing.
    pub max_pages: Option<Spanned<u32>>,
}

/// `api.operations.<name>`: an operationId, or a method and path.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawOperation {
    pub operation_id: Option<String>,
    pub method: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub query: Vec<String>,
    pub pagination: Option<RawPagination>,
}

/// `api.operations.<name>.pagination`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawPagination {
    pub style: Spanned<String>,
    /// Body field of the next URL or cursor (`/next`), or of the total.
    pub field: Option<String>,
    /// Query parameter: the cursor's, or the page number's.
    pub param: Option<String>,
    /// Page-size query parameter for `page` style.
    pub size_param: Option<String>,
    /// Header carrying the total (`X-Total-Count`) for `page` style.
    pub total_header: Option<String>,
}

/// Flat rather than a tagged enum, so each field keeps its own position.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawAuth {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub username_env: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub token_env: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawCapabilities {
    #[serde(default = "yes")]
    pub supports_readme: bool,
    #[serde(default = "yes")]
    pub supports_metrics: bool,
    #[serde(default = "yes")]
    pub supports_sbom: bool,
}

impl Default for RawCapabilities {
    fn default() -> Self {
        Self { supports_readme: true, supports_metrics: true, supports_sbom: true }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawTls {
    #[serde(default)]
    pub allow_insecure: bool,
    #[serde(default)]
    pub allow_http: bool,
    pub ca_file: Option<Spanned<String>>,
}
