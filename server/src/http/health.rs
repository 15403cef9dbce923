//! `/healthz` (liveness) and `/readyz` (readiness): each registry's API
//! summary without calling any registry (so neither can be slowed by one),
//! and for readiness the user database and the cache tiers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;

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
    api_document: String,
    browsable: bool,
    missing_operations: Vec<String>,
    problem: Option<String>,
}

/// Liveness: the process serves and its configuration is loaded.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), registries: schemas(&state) })
}

fn schemas(state: &AppState) -> Vec<RegistrySchema> {
    state
        .service
        .entries()
        .iter()
        .map(|e| RegistrySchema {
            id: e.summary.id.clone(),
            api_document: e.summary.api_document.clone(),
            browsable: e.problem.is_none(),
            missing_operations: e.summary.operations.iter().filter(|o| !o.found).map(|o| o.operation.clone()).collect(),
            problem: e.problem.clone(),
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
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(std::time::Duration::from_secs(2), state.access.store.ping()).await {
        Ok(Ok(())) => "ok".to_string(),
        Ok(Err(e)) => format!("unavailable: {e}"),
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
    let body = Readiness { status, version: env!("CARGO_PKG_VERSION"), database, cache, registries: schemas(&state) };
    (code, Json(body)).into_response()
}
