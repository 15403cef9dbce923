//! Reestr's own OpenAPI 3.1 document, served at `/api/openapi.json`. It is
//! derived from the handlers' `#[utoipa::path]` attributes and the wire
//! types' `ToSchema` derives, so it changes when the code does.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Json;
use axum::response::IntoResponse;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::auth::routes as access;
use super::problem::Body as ProblemBody;
use super::{health, metrics, rest};
use crate::http::auth::cookies::SESSION_COOKIE;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Reestr",
        description = "Browse container registries: repositories, tags, manifests, referrers, SBOMs and storage. \
            Every `/api` route needs an API token (`Authorization: Bearer reestr_…`, made on the account page or \
            with `POST /api/tokens`) or a signed-in session. Errors are `application/problem+json`.",
        license(name = "Apache-2.0")
    ),
    paths(
        rest::registries,
        rest::registry,
        rest::storage,
        rest::resync,
        rest::repositories,
        rest::repository_detail,
        rest::tags,
        rest::tag,
        rest::referrers,
        rest::sbom,
        rest::readme,
        access::me,
        access::list_tokens,
        access::create_token,
        access::revoke_token,
        health::healthz,
        health::readyz,
        metrics::metrics,
    ),
    components(schemas(ProblemBody)),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    tags(
        (name = "registries", description = "The registries of `registries.yaml`"),
        (name = "repositories", description = "Repositories, tags and images"),
        (name = "supply chain", description = "Signatures, attestations and SBOMs"),
        (name = "account", description = "The caller and their API tokens"),
        (name = "health", description = "Liveness, readiness and metrics (no sign-in)"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("reestr_…").build()),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
    }
}

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// `GET /api/openapi.json`
pub async fn openapi_json() -> impl IntoResponse {
    Json(document())
}

/// The document as pretty JSON (`reestr openapi`).
pub fn document_json() -> String {
    serde_json::to_string_pretty(document()).unwrap_or_default()
}

/// One table row per operation (`| `METHOD path` | summary |`), in path
/// order: the README's route table is this, checked by a test.
#[cfg(test)]
fn markdown_routes() -> String {
    let mut out = String::from("| route | answer |\n|---|---|\n");
    for (path, item) in &document().paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op.summary.as_deref().unwrap_or_default().replace('\n', " ").replace('|', "\\|");
                out.push_str(&format!("| `{method} {path}` | {summary} |\n"));
            }
        }
    }
    out
}

fn problem(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    ResponseBuilder::new().description(description).content("application/problem+json", content).build().into()
}

fn responses(list: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter().map(|(code, description)| (code.to_string(), problem(description))).collect()
}

/// The refusals every `/api` route can give.
pub struct ApiErrors;

impl utoipa::IntoResponses for ApiErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("400", "The request is malformed (a path, query or body the API does not accept)"),
            ("401", "Not signed in: no valid API token or session"),
            ("404", "No such registry, repository, tag or route"),
            ("429", "Too many requests from this address (`Retry-After` says when to retry)"),
        ])
    }
}

/// What a route that asks a registry can add.
pub struct UpstreamErrors;

impl utoipa::IntoResponses for UpstreamErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("501", "The registry's API document lacks the operation this needs"),
            ("502", "The registry refused Reestr's credentials, or answered an error or something unreadable"),
            ("503", "The registry asked Reestr to slow down"),
            ("504", "The registry did not answer in time"),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_every_api_route_and_resolves_every_reference() {
        let doc = document();
        let json = serde_json::to_value(doc).unwrap_or_default();
        let paths: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
        for p in [
            "/api/registries",
            "/api/registries/{id}/repositories",
            "/api/registries/{id}/repositories/{repo}/-/tags/{reference}",
            "/api/tokens/{id}",
            "/readyz",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        // Every `$ref` points at a schema the document defines.
        let schemas = json.pointer("/components/schemas").and_then(|s| s.as_object()).cloned().unwrap_or_default();
        let text = json.to_string();
        let mut refs = 0;
        for part in text.split("\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap_or_default();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
            refs += 1;
        }
        assert!(refs > 10, "only {refs} references");
    }

    /// The README's route table is generated; `REESTR_BLESS=1 cargo test`
    /// rewrites it after a change.
    #[test]
    fn the_readme_lists_the_documented_routes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        let readme = std::fs::read_to_string(&path).unwrap_or_default();
        let (start, end) = ("<!-- api-routes:start -->\n", "<!-- api-routes:end -->");
        let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
            panic!("README.md lacks the {start} … {end} markers");
        };
        let current = &readme[a + start.len()..b];
        let wanted = markdown_routes();
        if current != wanted && std::env::var_os("REESTR_BLESS").is_some() {
            let updated = format!("{}{wanted}{}", &readme[..a + start.len()], &readme[b..]);
            if let Err(e) = std::fs::write(&path, updated) {
                panic!("cannot rewrite {}: {e}", path.display());
            }
            return;
        }
        assert_eq!(
            current, wanted,
            "README.md's route table is stale: run REESTR_BLESS=1 cargo test -p reestr --lib readme"
        );
    }
}
