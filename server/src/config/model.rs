//! The validated configuration the rest of the server works with.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;
use url::Url;

use super::profile::Profile;

/// The whole of `registries.yaml`, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from (for messages).
    pub source: String,
    /// `access: open` in the file: nobody needs to log in.
    pub open_access: bool,
    pub registries: Vec<RegistryConfig>,
    /// `signIn.oidc`: OpenID Connect providers.
    pub oidc: Vec<super::sign_in::OidcConfig>,
}

/// One registry entry, checked: every value is usable as is.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Slug: lower-case letters, digits and inner dashes.
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// The server root the API document's paths are appended to
    /// (a trailing `/v2/` in the file is dropped: the document has it).
    pub base_url: Url,
    pub api: ApiConfig,
    pub auth: Auth,
    pub capabilities: Capabilities,
    pub tls: TlsConfig,
    /// Hosts Reestr may contact for this registry: the base URL's host,
    /// plus these (blob storage redirects, token realms).
    pub allowed_hosts: Vec<String>,
    /// `access.allowFrom`: the client addresses the registry exists for
    /// (empty: every address).
    pub allow_from: Vec<ipnet::IpNet>,
}

/// Which API document describes the registry and how it is mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    pub document: DocumentSource,
    /// How the document maps onto Reestr's pages (a shipped profile or the
    /// user's own file).
    pub profile: Arc<Profile>,
    /// Operations bound by hand, overriding the profile.
    pub overrides: Vec<OperationOverride>,
    /// Root of the catalogue API (harbor, dockerhub) when given; otherwise
    /// the document's server path on `baseUrl` (Harbor's `/api/v2.0`), or
    /// `https://hub.docker.com` for the dockerhub profile.
    pub base_url: Option<Url>,
    /// Namespaces whose repositories are listed (dockerhub profile).
    pub namespaces: Vec<String>,
    /// Most pages read from one listing; a longer listing is cut there, with a warning.
    pub max_pages: u32,
}

/// Pages read from one listing unless `api.maxPages` says otherwise.
pub const DEFAULT_MAX_PAGES: u32 = 1000;

/// How a listing operation says where its next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// `Link: <…>; rel="next"` (RFC 8288), absolute or relative.
    Link,
    /// The next page's URL in a body field (`/next`), absolute or relative.
    NextUrl { field: Cow<'static, str> },
    /// Page numbers from 1 in `param`, `size_param` items each; the end is
    /// known from the total (a header, or the `total` field mapping) or from
    /// a short page.
    PageNumber { param: Cow<'static, str>, size_param: Cow<'static, str>, total_header: Option<Cow<'static, str>> },
    /// An opaque cursor in a body field, sent back in the `param` query parameter.
    Cursor { field: Cow<'static, str>, param: Cow<'static, str> },
}

/// `api.operations.<canonical name>`: bind an operation by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationOverride {
    /// A canonical operation name, checked (`listRepositories`).
    pub operation: String,
    pub target: OverrideTarget,
    /// How its listing pages, when not the profile's way.
    pub pagination: Option<PageStyle>,
}

/// What an override points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideTarget {
    /// Another operation of the document.
    OperationId(String),
    /// A route the document does not describe, declared by hand.
    Route { method: String, path: String, query: Vec<String> },
}

/// Where the OpenAPI document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentSource {
    /// The OCI Distribution document shipped inside Reestr.
    BuiltinOci,
    File(PathBuf),
    Url(Url),
}

/// How Reestr authenticates to the registry. Secrets come from the
/// environment and never print (`SecretString` redacts its `Debug`).
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    Basic { username: String, password: SecretString },
    Bearer { token: SecretString },
}

impl Auth {
    /// `anonymous`, `basic` or `bearer`.
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Basic { .. } => "basic",
            Self::Bearer { .. } => "bearer",
        }
    }
}

/// Switches an operator can turn off per registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub supports_readme: bool,
    pub supports_metrics: bool,
    pub supports_sbom: bool,
}

/// Transport policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Accept certificates that do not verify (self-signed). Prefer `ca_file`.
    pub allow_insecure: bool,
    /// Allow plain `http://` to this registry.
    pub allow_http: bool,
    /// Extra PEM certificate(s) to trust, already checked to parse.
    pub ca_file: Option<PathBuf>,
}
