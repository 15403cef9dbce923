//! `/healthz` (liveness) and `/readyz` (readiness): each registry's API
//! summary without calling any registry (so neither can be slowed by one),
//! and for readiness the user database and the cache tiers. Anonymous
//! callers (probes, anyone) see the states only, without the registries
//! (which ones exist is for those who may see them); signed-in callers see
//! the registries they reach, with the configuration's details and error
//! texts (they are in the log too).

use app::model::Viewer;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;

use super::AppState;
use super::scope::Reached;
use crate::access::reach::Reach;
use crate::cache::breaker::Reason;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    status: &'static str,
    version: &'static str,
    registries: Vec<RegistrySchema>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct RegistrySchema {
    id: String,
    browsable: bool,
    /// Signed-in callers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_document: Option<String>,
    /// Signed-in callers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_operations: Option<Vec<String>>,
    /// Why it cannot be browsed: the text for signed-in callers, else `see the server log`.
    problem: Option<String>,
    /// While its circuit breaker is open: until when, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    breaker: Option<String>,
}

/// Liveness: the process serves and its configuration is loaded.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Reached(reach): Reached,
) -> Json<Health> {
    let registries = schemas(&state, &reach, viewer.is_some());
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), registries })
}

const SEE_LOG: &str = "see the server log";

/// The registries the caller reaches (none for an anonymous caller: a
/// registry's existence is not for everyone), with detail for signed-in ones.
fn schemas(state: &AppState, reach: &Reach, detail: bool) -> Vec<RegistrySchema> {
    state
        .service
        .entries()
        .iter()
        .filter(|e| reach.sees(&e.config.id))
        .map(|e| RegistrySchema {
            id: e.summary.id.clone(),
            browsable: e.problem.is_none(),
            api_document: detail.then(|| e.summary.api_document.clone()),
            missing_operations: detail
                .then(|| e.summary.operations.iter().filter(|o| !o.found).map(|o| o.operation.clone()).collect()),
            problem: e.problem.as_ref().map(|p| if detail { p.clone() } else { SEE_LOG.into() }),
            breaker: state.service.cache().breakers().open_here(&e.config.id).map(|o| {
                let why = match o.reason {
                    Reason::RateLimited => "the registry answered 429",
                    Reason::Failing => "the registry kept failing",
                };
                format!("open until {}: {why}", o.until_text())
            }),
        })
        .collect()
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// `ready`, `degraded` (serving, a shared tier is down) or `unavailable`.
    status: &'static str,
    version: &'static str,
    /// `ok` or why not.
    database: String,
    /// `memory` only, or `memory+redis` and whether Redis answers.
    cache: CacheReadiness,
    registries: Vec<RegistrySchema>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct CacheReadiness {
    tiers: &'static str,
    redis: Option<&'static str>,
}

/// Readiness: 200 when Reestr can serve (a Redis outage only degrades it:
/// pages carry on from memory), 503 when the user database is down.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()), responses(
    (status = 200, description = "Ready, or degraded (Redis unreachable)", body = Readiness),
    (status = 503, description = "The user database is unavailable", body = Readiness),
))]
pub async fn readyz(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Reached(reach): Reached,
) -> Response {
    let detail = viewer.is_some();
    let database = match tokio::time::timeout(std::time::Duration::from_secs(2), state.access.store.ping()).await {
        Ok(Ok(())) => "ok".to_string(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the user database is unavailable");
            if detail { format!("unavailable: {e}") } else { format!("unavailable: {SEE_LOG}") }
        }
        Err(_) => "unavailable: no answer in 2 s".to_string(),
    };
    let stats = state.service.cache().stats();
    let cache = CacheReadiness {
        tiers: if stats.redis_configured { "memory+redis" } else { "memory" },
        redis: stats.redis_configured.then_some(if stats.redis_connected { "ok" } else { "unreachable" }),
    };
    let (status, code) = if database != "ok" {
        ("unavailable", StatusCode::SERVICE_UNAVAILABLE)
    } else if cache.redis == Some("unreachable") {
        ("degraded", StatusCode::OK)
    } else {
        ("ready", StatusCode::OK)
    };
    let body = Readiness {
        status,
        version: env!("CARGO_PKG_VERSION"),
        database,
        cache,
        registries: schemas(&state, &reach, detail),
    };
    (code, Json(body)).into_response()
}
