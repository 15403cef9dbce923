//! The REST API for scripts. Shapes are stable: fields are only ever added.
//! Every handler carries its `#[utoipa::path]`, so the OpenAPI document at
//! `/api/openapi.json` (see `openapi.rs`) is generated from this file.
//!
//! `{repo}` may contain slashes. In the document it is one parameter whose
//! slashes are sent as `%2F` (`team%2Fapp`); literal slashes work too
//! (`team/app`). `{repo}/-/tags…` (and `-/referrers`, `-/sbom`, `-/readme`)
//! keep names whose last components are themselves `tags` unambiguous.

use app::contract::{PageRequest, SharedCatalog};
use app::error::AppError;
use app::model::{
    Page, Recency, Referrer, RegistryOverview, RegistrySummary, RepoQuery, RepoSort, RepositorySummary, ResyncResult,
    Sbom, StorageStatus, TagDetail, TagQuery, TagSort, TagSummary,
};
use app::paths::{RepoPath, parse_repo_path};
use axum::Json;
use axum::extract::RawPathParams;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiPath, ApiQuery};
use super::openapi::{ApiErrors, UpstreamErrors};
use super::problem::Problem;
use super::scope::Visible;
use crate::catalog::parse_cursor;

/// Default and largest page sizes of the REST listings.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

fn page_request(cursor: Option<&str>, limit: Option<u32>) -> Result<PageRequest, Problem> {
    let offset = parse_cursor(cursor).map_err(AppError::bad_request)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::bad_request(format!("limit must be between 1 and {MAX_LIMIT}")).into());
    }
    Ok(PageRequest { offset, limit })
}

/// Query of the repository list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepoListQuery {
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9]{0,19}$")]
    cursor: Option<String>,
    /// Page size.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
    /// Fuzzy search over names (and descriptions where a catalogue API gives them).
    #[serde(default)]
    q: String,
    /// Only repositories in this namespace (the part before the last `/`).
    #[serde(default)]
    namespace: String,
    /// Order: by `name` (match quality first while searching), most `pulls`,
    /// recently `updated`, largest `size`.
    #[param(pattern = "^(name|pulls|updated|size)$")]
    sort: Option<String>,
    /// Only repositories updated within this many days; empty means any.
    #[param(pattern = "^(|7d|30d|90d|365d)$")]
    updated: Option<String>,
    /// Only repositories with (`yes`) or without (`no`) a signed image; empty means any.
    #[param(pattern = "^(|yes|no)$")]
    signed: Option<String>,
}

impl RepoListQuery {
    fn query(&self) -> Result<RepoQuery, Problem> {
        let sort = match self.sort.as_deref() {
            None => RepoSort::default(),
            Some(s) => RepoSort::from_key(s)
                .ok_or_else(|| AppError::bad_request(format!("sort `{s}`: use name, pulls, updated or size")))?,
        };
        let updated = match self.updated.as_deref() {
            None | Some("") => None,
            Some(u) => Some(
                Recency::from_key(u)
                    .ok_or_else(|| AppError::bad_request(format!("updated `{u}`: use 7d, 30d, 90d or 365d")))?,
            ),
        };
        let signed = match self.signed.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                RepoQuery::signed_from_key(s)
                    .ok_or_else(|| AppError::bad_request(format!("signed `{s}`: use yes or no")))?,
            ),
        };
        Ok(RepoQuery { q: self.q.clone(), namespace: self.namespace.clone(), updated, signed, sort })
    }
}

/// Query of a repository's tag list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagListQuery {
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9]{0,19}$")]
    cursor: Option<String>,
    /// Page size.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
    /// Substring of the tag name.
    #[serde(default)]
    q: String,
    /// Order: `name` (natural), `-name`, `newest`, `largest`.
    #[param(pattern = "^(name|-name|newest|largest)$")]
    sort: Option<String>,
    /// Also list referrer and signature tags (`sha256-….sig`, `.att`, `.sbom`).
    #[serde(default)]
    artifacts: bool,
}

impl TagListQuery {
    fn query(&self) -> Result<TagQuery, Problem> {
        let sort = match self.sort.as_deref() {
            None => TagSort::default(),
            Some(s) => TagSort::from_key(s)
                .ok_or_else(|| AppError::bad_request(format!("sort `{s}`: use name, -name, newest or largest")))?,
        };
        Ok(TagQuery { q: self.q.clone(), artifacts: self.artifacts, sort })
    }
}

/// Every registry the caller may see, with a fresh health probe.
#[utoipa::path(get, path = "/api/registries", tag = "registries",
    responses((status = 200, description = "The configured registries", body = Vec<RegistryOverview>), ApiErrors))]
pub async fn registries(Visible(catalog): Visible) -> Json<Vec<RegistryOverview>> {
    Json(catalog.overview().await)
}

/// The last storage report and the progress of the background count
/// (asking starts it when needed).
#[utoipa::path(get, path = "/api/registries/{id}/storage", tag = "registries",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`")),
    responses((status = 200, description = "Storage report and progress", body = StorageStatus), ApiErrors, UpstreamErrors))]
pub async fn storage(Visible(catalog): Visible, ApiPath(id): ApiPath<String>) -> Result<Json<StorageStatus>, Problem> {
    Ok(Json(catalog.storage(&id).await?))
}

/// Reload the registry's API document. Administrators (of this registry) only.
#[utoipa::path(post, path = "/api/registries/{id}/resync", tag = "registries",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`")),
    responses((status = 200, description = "What the resync did", body = ResyncResult), ApiErrors,
        (status = 403, description = "Not an administrator of this registry", body = super::problem::Body, content_type = "application/problem+json")))]
pub async fn resync(Visible(catalog): Visible, ApiPath(id): ApiPath<String>) -> Result<Json<ResyncResult>, Problem> {
    Ok(Json(catalog.resync(&id).await?))
}

/// Configuration and capability report, without probing.
#[utoipa::path(get, path = "/api/registries/{id}", tag = "registries",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`")),
    responses((status = 200, description = "The registry", body = RegistrySummary), ApiErrors))]
pub async fn registry(
    Visible(catalog): Visible,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RegistrySummary>, Problem> {
    Ok(Json(catalog.registry(&id)?))
}

/// The repositories of a registry, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/registries/{id}/repositories", tag = "repositories",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoListQuery),
    responses((status = 200, description = "One page of repositories", body = Page<RepositorySummary>), ApiErrors, UpstreamErrors))]
pub async fn repositories(
    Visible(catalog): Visible,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RepoListQuery>,
) -> Result<Json<Page<RepositorySummary>>, Problem> {
    Ok(Json(catalog.repositories(&id, &q.query()?, page_request(q.cursor.as_deref(), q.limit)?).await?))
}

/// `GET /api/registries/{id}/repositories/{*rest}`: reads the repository
/// name and what follows it, then answers as the operation below that it names.
pub async fn repository_path(
    Visible(catalog): Visible,
    raw: RawPathParams,
    query: axum::extract::RawQuery,
) -> Result<Response, Problem> {
    let mut id = None;
    let mut rest = None;
    for (key, value) in &raw {
        match key {
            "id" => id = Some(decode(value)?),
            "rest" => rest = Some(value.to_string()),
            _ => {}
        }
    }
    let (Some(id), Some(rest)) = (id, rest) else {
        return Err(AppError::bad_request("missing registry or repository in the path").into());
    };
    // Split before decoding, so `%2F` inside a segment stays part of a name.
    let decoded: Vec<String> = rest.split('/').map(decode).collect::<Result<_, _>>()?;
    let joined = decoded.join("/");
    let catalog = &catalog;
    let query = query.0.unwrap_or_default();
    match parse_repo_path(&joined) {
        Some(RepoPath::Tags { repository }) => {
            let q: TagListQuery = parse_query(&query)?;
            Ok(tags(catalog, &id, &repository, q).await?.into_response())
        }
        Some(RepoPath::Tag { repository, reference }) => {
            Ok(tag(catalog, &id, &repository, &reference).await?.into_response())
        }
        Some(RepoPath::Referrers { repository, digest }) => {
            Ok(referrers(catalog, &id, &repository, &digest).await?.into_response())
        }
        Some(RepoPath::Sbom { repository, digest }) => {
            Ok(sbom(catalog, &id, &repository, &digest).await?.into_response())
        }
        Some(RepoPath::Readme { repository }) => Ok(readme(catalog, &id, &repository).await?.into_response()),
        Some(RepoPath::Repository { repository }) => {
            Ok(repository_detail(catalog, &id, &repository).await?.into_response())
        }
        None => Err(AppError::bad_request(format!("`{rest}` does not name a repository")).into()),
    }
}

fn parse_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, Problem> {
    serde_urlencoded::from_str(query).map_err(|e| AppError::bad_request(format!("query: {e}")).into())
}

/// One repository: what its catalogue API knows, and the labels of its newest image.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}", tag = "repositories",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam),
    responses((status = 200, description = "The repository", body = RepositorySummary), ApiErrors, UpstreamErrors))]
async fn repository_detail(
    catalog: &SharedCatalog,
    id: &str,
    repository: &str,
) -> Result<Json<RepositorySummary>, Problem> {
    Ok(Json(catalog.repository(id, repository).await?))
}

/// A repository's tags, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}/-/tags", tag = "repositories",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam, TagListQuery),
    responses((status = 200, description = "One page of tags", body = Page<TagSummary>), ApiErrors, UpstreamErrors))]
async fn tags(
    catalog: &SharedCatalog,
    id: &str,
    repository: &str,
    q: TagListQuery,
) -> Result<Json<Page<TagSummary>>, Problem> {
    let request = page_request(q.cursor.as_deref(), q.limit)?;
    Ok(Json(catalog.tags(id, repository, &q.query()?, request).await?))
}

/// One tag (or digest): its manifest, platforms, layers, configuration and history.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}/-/tags/{reference}", tag = "repositories",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam,
        ("reference" = String, Path, description = "A tag or a digest",
            pattern = "^([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")),
    responses((status = 200, description = "The tag", body = TagDetail), ApiErrors, UpstreamErrors))]
async fn tag(catalog: &SharedCatalog, id: &str, repository: &str, reference: &str) -> Result<Json<TagDetail>, Problem> {
    Ok(Json(catalog.tag(id, repository, reference).await?))
}

/// What refers to a manifest: signatures, attestations, SBOMs.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}/-/referrers/{digest}", tag = "supply chain",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam, DigestParam),
    responses((status = 200, description = "The referrers", body = Vec<Referrer>), ApiErrors, UpstreamErrors))]
async fn referrers(
    catalog: &SharedCatalog,
    id: &str,
    repository: &str,
    digest: &str,
) -> Result<Json<Vec<Referrer>>, Problem> {
    Ok(Json(catalog.referrers(id, repository, digest).await?))
}

/// The SBOM an artifact carries, summarised.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}/-/sbom/{digest}", tag = "supply chain",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam, DigestParam),
    responses((status = 200, description = "The SBOM", body = Sbom), ApiErrors, UpstreamErrors))]
async fn sbom(catalog: &SharedCatalog, id: &str, repository: &str, digest: &str) -> Result<Json<Sbom>, Problem> {
    Ok(Json(catalog.sbom(id, repository, digest).await?))
}

/// A repository's README, rendered and sanitised.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readme {
    /// Sanitised HTML.
    html: String,
}

/// The repository's README, where the registry serves one.
#[utoipa::path(get, path = "/api/registries/{id}/repositories/{repo}/-/readme", tag = "repositories",
    params(("id" = String, Path, description = "Registry id from `registries.yaml`"), RepoParam),
    responses((status = 200, description = "The README", body = Readme), ApiErrors, UpstreamErrors))]
async fn readme(catalog: &SharedCatalog, id: &str, repository: &str) -> Result<Json<Readme>, Problem> {
    match catalog.readme(id, repository).await? {
        Some(html) => Ok(Json(Readme { html })),
        None => Err(AppError::not_found(format!("`{repository}` has no README this registry serves")).into()),
    }
}

/// The `{repo}` path parameter.
#[derive(IntoParams)]
#[into_params(names("repo"), parameter_in = Path)]
#[allow(dead_code)] // only its parameter description is read
pub struct RepoParam(
    /// Repository name; its slashes are sent as `%2F` (`team%2Fapp`), or as
    /// they are (`team/app`).
    #[param(pattern = "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    String,
);

/// The `{digest}` path parameter.
#[derive(IntoParams)]
#[into_params(names("digest"), parameter_in = Path)]
#[allow(dead_code)] // only its parameter description is read
pub struct DigestParam(
    /// A manifest digest (`sha256:…`); a tag is resolved to its digest.
    #[param(pattern = "^([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")]
    String,
);

fn decode(s: &str) -> Result<String, Problem> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| AppError::bad_request("the path is not valid UTF-8").into())
}
