//! The catalogue service: turns registry answers into the DTOs pages and
//! the REST API show. It implements `app::contract::Catalog`, so server
//! functions reach it through Leptos context without knowing HTTP.

mod images;
mod paging;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use app::contract::{Catalog, PageRequest};
use app::error::AppError;
use app::model::{
    HealthStatus, OperationCheck, Page, RegistryHealth, RegistryOverview, RegistrySummary, RepositorySummary,
    TagDetail, TagSummary,
};
use futures::StreamExt;

use crate::config::{Config, RegistryConfig};
use crate::registry::{RegistryClient, RegistryError, bind_operations, load_document, transport};

pub use images::resolve_tag;
pub use paging::{parse_cursor, slice_page};

/// How long a health probe may take before the registry counts as unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// Tags resolved at once when a page of the tags table is built.
const TAG_CONCURRENCY: usize = 8;

/// One configured registry and the client built for it.
#[derive(Debug)]
pub struct RegistryEntry {
    pub config: RegistryConfig,
    pub summary: RegistrySummary,
    /// Why the registry cannot be browsed (document unusable, required
    /// operations missing, client not buildable); `None` when it can.
    pub problem: Option<String>,
    client: Option<RegistryClient>,
}

/// Every configured registry, ready to answer the pages.
#[derive(Debug)]
pub struct CatalogService {
    registries: Vec<Arc<RegistryEntry>>,
}

impl CatalogService {
    /// Loads each registry's API document and binds its operations. A
    /// registry whose document is unusable stays listed, marked degraded.
    pub async fn build(config: &Config) -> Self {
        let entries = futures::future::join_all(config.registries.iter().map(build_entry)).await;
        Self { registries: entries.into_iter().map(Arc::new).collect() }
    }

    /// The registries in configuration order.
    pub fn entries(&self) -> &[Arc<RegistryEntry>] {
        &self.registries
    }

    fn entry(&self, id: &str) -> Result<&RegistryEntry, AppError> {
        self.registries
            .iter()
            .find(|e| e.config.id == id)
            .map(|e| e.as_ref())
            .ok_or_else(|| AppError::not_found(format!("no registry `{id}` is configured")))
    }

    fn client(&self, id: &str) -> Result<&RegistryClient, AppError> {
        let entry = self.entry(id)?;
        entry.client.as_ref().ok_or_else(|| {
            AppError::new(
                app::error::ErrorKind::Unsupported,
                entry.problem.clone().unwrap_or_else(|| "this registry cannot be browsed".to_string()),
            )
        })
    }
}

async fn build_entry(config: &RegistryConfig) -> RegistryEntry {
    let http = transport(config);
    let document = match &http {
        Ok(http) => load_document(&config.api.document, http).await.map_err(|e| format!("API document: {e}")),
        Err(e) => Err(e.clone()),
    };
    let (api_document, operations, bound, problem) = match document {
        Ok(doc) => {
            let (bound, checks) = bind_operations(&doc.openapi);
            let missing: Vec<&str> =
                checks.iter().filter(|c| c.required && !c.found).map(|c| c.operation.as_str()).collect();
            let problem = (!missing.is_empty())
                .then(|| format!("the API document lacks required operations: {}", missing.join(", ")));
            (doc.title, checks, Some(bound), problem)
        }
        Err(e) => (String::from("unavailable"), Vec::<OperationCheck>::new(), None, Some(e)),
    };
    let client = match (&problem, bound, http) {
        (None, Some(bound), Ok(http)) => Some(RegistryClient::new(config, http, bound)),
        _ => None,
    };
    if let Some(p) = &problem {
        tracing::warn!(registry = %config.id, problem = %p, "registry is degraded");
    }
    let summary = RegistrySummary {
        id: config.id.clone(),
        display_name: config.display_name.clone(),
        description: config.description.clone(),
        base_url: config.base_url.to_string(),
        auth_mode: config.auth.mode().to_string(),
        api_document,
        operations,
    };
    RegistryEntry { config: config.clone(), summary, problem, client }
}

/// Probes one registry, bounded by [`PROBE_TIMEOUT`].
pub async fn probe(entry: &RegistryEntry) -> RegistryHealth {
    let started = Instant::now();
    let checked_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let (status, message) = match (&entry.client, &entry.problem) {
        (Some(client), _) => match tokio::time::timeout(PROBE_TIMEOUT, client.probe()).await {
            Ok(Ok(())) => (HealthStatus::Healthy, None),
            Ok(Err(e @ (RegistryError::Unauthorized | RegistryError::Forbidden))) => {
                let hint =
                    if entry.config.auth.mode() == "anonymous" { " (it needs credentials: set auth)" } else { "" };
                (HealthStatus::AuthFailed, Some(format!("{e}{hint}")))
            }
            Ok(Err(e)) => (HealthStatus::Unreachable, Some(e.to_string())),
            Err(_) => (HealthStatus::Unreachable, Some(format!("no answer within {} s", PROBE_TIMEOUT.as_secs()))),
        },
        (None, problem) => (HealthStatus::MissingOperations, problem.clone()),
    };
    let latency_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    RegistryHealth { status, message, latency_ms, checked_at }
}

#[async_trait::async_trait]
impl Catalog for CatalogService {
    fn registries(&self) -> Vec<RegistrySummary> {
        self.registries.iter().map(|e| e.summary.clone()).collect()
    }

    fn registry(&self, id: &str) -> Result<RegistrySummary, AppError> {
        self.entry(id).map(|e| e.summary.clone())
    }

    async fn overview(&self) -> Vec<RegistryOverview> {
        futures::future::join_all(
            self.registries
                .iter()
                .map(|e| async move { RegistryOverview { registry: e.summary.clone(), health: probe(e).await } }),
        )
        .await
    }

    async fn repositories(&self, registry: &str, page: PageRequest) -> Result<Page<RepositorySummary>, AppError> {
        let client = self.client(registry)?;
        let mut names = client.list_repositories().await?;
        names.sort_unstable();
        names.dedup();
        Ok(slice_page(names, page, |name| RepositorySummary { name }))
    }

    async fn tags(&self, registry: &str, repository: &str, page: PageRequest) -> Result<Page<TagSummary>, AppError> {
        let client = self.client(registry)?;
        let mut names = client.list_tags(repository).await?;
        names.sort_unstable();
        names.dedup();
        let page = slice_page(names, page, |name| name);
        let items = futures::stream::iter(page.items)
            .map(|tag| async move {
                match resolve_tag(client, repository, &tag).await {
                    Ok(detail) => images::summarize(tag, &detail),
                    Err(e) => TagSummary {
                        name: tag,
                        digest: None,
                        media_type: None,
                        size: None,
                        platforms: Vec::new(),
                        created: None,
                        error: Some(e.into()),
                    },
                }
            })
            .buffered(TAG_CONCURRENCY)
            .collect()
            .await;
        Ok(Page { items, next_cursor: page.next_cursor, total: page.total, offset: page.offset })
    }

    async fn tag(&self, registry: &str, repository: &str, reference: &str) -> Result<TagDetail, AppError> {
        let client = self.client(registry)?;
        Ok(resolve_tag(client, repository, reference).await?)
    }
}
