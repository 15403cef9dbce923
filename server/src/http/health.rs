//! `/healthz`: liveness plus each registry's API summary, without calling
//! any registry (so it stays fast and cannot be slowed by one).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::AppState;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    status: &'static str,
    version: &'static str,
    registries: Vec<RegistrySchema>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegistrySchema {
    id: String,
    api_document: String,
    browsable: bool,
    missing_operations: Vec<String>,
    problem: Option<String>,
}

/// `GET /healthz`
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    let registries = state
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
        .collect();
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), registries })
}
