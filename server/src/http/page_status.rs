//! The HTTP status of a streamed page. A page about one thing (a registry,
//! a repository, a tag: `app::paths::Subject`) answers with that thing's
//! status, the one the REST API gives it: 404 when it does not exist,
//! 502/503/504 when its registry fails. Pages stream, and a status cannot
//! change once the first bytes are out, so it is decided here, beside the
//! render and before the response starts, from the same cached catalogue
//! calls the page makes (the registry's configuration, the repository's tag
//! list, the tag's manifest). The page shows the same error inline.
//!
//! Leptos applies a page's status when its first chunk is ready. Set from
//! a blocking resource read in a `<Suspense>`, it would count only if that
//! section made it into the first chunk: the section resolves through an
//! effect scheduled after the resource, so whether it is ready at the
//! stream's first poll is a matter of timing. Deciding it here is not.

use std::sync::Arc;

use app::contract::SharedCatalog;
use app::error::AppError;
use app::model::TagQuery;
use app::paths::Subject;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::catalog::CatalogService;

/// Whether `subject` exists and its registry answers, as the page will
/// find it.
async fn check(catalog: &SharedCatalog, subject: &Subject) -> Result<(), AppError> {
    match subject {
        Subject::Registry { registry } => catalog.registry(registry).map(drop),
        Subject::Repository { registry, repository } => {
            catalog.tag_names(registry, repository, &TagQuery::default()).await.map(drop)
        }
        Subject::Tag { registry, repository, reference } => {
            catalog.tag(registry, repository, reference).await.map(drop)
        }
    }
}

/// Renders the page and checks its subject side by side; a subject that
/// fails gives the page its status.
pub async fn page_status(State(service): State<Arc<CatalogService>>, req: Request, next: Next) -> Response {
    let subject = (req.method() == Method::GET).then(|| Subject::of_page(req.uri().path())).flatten();
    let Some(subject) = subject else { return next.run(req).await };
    // The registries this caller may see: one out of reach is a 404.
    let catalog = super::scope::catalog(&service, req.extensions(), req.headers());
    let (checked, mut response) = tokio::join!(check(&catalog, &subject), next.run(req));
    if let Err(error) = checked
        && response.status() == StatusCode::OK
        && let Ok(status) = StatusCode::from_u16(error.kind.status())
    {
        *response.status_mut() = status;
    }
    response
}
