//! The REST API for scripts. Shapes are stable: fields are only ever added.
//! The routes and their parameters are listed in the README ("REST API").
//!
//! `{repo}` may contain slashes; `{repo}/-/tags…` (and `-/referrers`,
//! `-/sbom`, `-/readme`) keep names whose last components are themselves
//! `tags` unambiguous.

use app::contract::PageRequest;
use app::error::AppError;
use app::model::{
    Page, Recency, RegistryOverview, RegistrySummary, RepoQuery, RepoSort, RepositorySummary, ResyncResult,
    StorageStatus, TagDetail, TagQuery, TagSort, TagSummary,
};
use app::paths::{RepoPath, parse_repo_path};
use axum::Json;
use axum::extract::{Path, Query, RawPathParams, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::problem::Problem;
use crate::catalog::parse_cursor;

/// Default and largest page sizes of the REST listings.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
    /// Search (repositories: fuzzy; tags: substring).
    #[serde(default)]
    q: String,
    /// Repositories: only this namespace.
    #[serde(default)]
    namespace: String,
    /// `name`, `pulls`, `updated`, `size` (repositories); `name`, `-name`, `newest`, `largest` (tags).
    sort: Option<String>,
    /// Repositories: updated within `7d`, `30d`, `90d` or `365d`.
    updated: Option<String>,
    /// Repositories: `yes` (some image signed) or `no`.
    signed: Option<String>,
    /// Tags: also referrer and signature tags.
    #[serde(default)]
    artifacts: bool,
}

impl PageQuery {
    fn request(&self) -> Result<PageRequest, Problem> {
        let offset = parse_cursor(self.cursor.as_deref()).map_err(AppError::bad_request)?;
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(AppError::bad_request(format!("limit must be between 1 and {MAX_LIMIT}")).into());
        }
        Ok(PageRequest { offset, limit })
    }

    fn repo_query(&self) -> Result<RepoQuery, Problem> {
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

    fn tag_query(&self) -> Result<TagQuery, Problem> {
        let sort = match self.sort.as_deref() {
            None => TagSort::default(),
            Some(s) => TagSort::from_key(s)
                .ok_or_else(|| AppError::bad_request(format!("sort `{s}`: use name, -name, newest or largest")))?,
        };
        Ok(TagQuery { q: self.q.clone(), artifacts: self.artifacts, sort })
    }
}

/// `GET /api/registries`: every registry with a fresh health probe.
pub async fn registries(State(state): State<AppState>) -> Json<Vec<RegistryOverview>> {
    Json(state.catalog.overview().await)
}

/// `GET /api/registries/{id}/storage`: the last storage report and the
/// progress of the background count (asking starts it when needed).
pub async fn storage(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<StorageStatus>, Problem> {
    Ok(Json(state.catalog.storage(&id).await?))
}

/// `POST /api/registries/{id}/resync`: reload the API document.
/// Administrators only.
pub async fn resync(
    State(state): State<AppState>,
    viewer: Option<axum::Extension<app::model::Viewer>>,
    Path(id): Path<String>,
) -> Result<Json<ResyncResult>, Problem> {
    if !viewer.is_some_and(|axum::Extension(v)| v.role == app::model::Role::Admin) {
        return Err(
            AppError::new(app::error::ErrorKind::NotAllowed, "only administrators may resync a registry").into()
        );
    }
    Ok(Json(state.catalog.resync(&id).await?))
}

/// `GET /api/registries/{id}`: configuration and capability report, without probing.
pub async fn registry(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<RegistrySummary>, Problem> {
    Ok(Json(state.catalog.registry(&id)?))
}

/// `GET /api/registries/{id}/repositories`
pub async fn repositories(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<RepositorySummary>>, Problem> {
    Ok(Json(state.catalog.repositories(&id, &q.repo_query()?, q.request()?).await?))
}

/// `GET /api/registries/{id}/repositories/{*rest}`: a repository, its tags, or one tag.
pub async fn repository_path(
    State(state): State<AppState>,
    raw: RawPathParams,
    Query(q): Query<PageQuery>,
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
    match parse_repo_path(&joined) {
        Some(RepoPath::Tags { repository }) => {
            let page: Page<TagSummary> = state.catalog.tags(&id, &repository, &q.tag_query()?, q.request()?).await?;
            Ok(Json(page).into_response())
        }
        Some(RepoPath::Tag { repository, reference }) => {
            let tag: TagDetail = state.catalog.tag(&id, &repository, &reference).await?;
            Ok(Json(tag).into_response())
        }
        Some(RepoPath::Referrers { repository, digest }) => {
            Ok(Json(state.catalog.referrers(&id, &repository, &digest).await?).into_response())
        }
        Some(RepoPath::Sbom { repository, digest }) => {
            Ok(Json(state.catalog.sbom(&id, &repository, &digest).await?).into_response())
        }
        Some(RepoPath::Readme { repository }) => match state.catalog.readme(&id, &repository).await? {
            Some(html) => Ok(Json(serde_json::json!({ "html": html })).into_response()),
            None => Err(AppError::not_found(format!("`{repository}` has no README this registry serves")).into()),
        },
        Some(RepoPath::Repository { repository }) => {
            Ok(Json(state.catalog.repository(&id, &repository).await?).into_response())
        }
        None => Err(AppError::bad_request(format!("`{rest}` does not name a repository")).into()),
    }
}

fn decode(s: &str) -> Result<String, Problem> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| AppError::bad_request("the path is not valid UTF-8").into())
}
