//! The catalogue service: turns registry answers into the DTOs pages and
//! the REST API show. It implements `app::contract::Catalog`, so server
//! functions reach it through Leptos context without knowing HTTP.

mod filter;
mod images;
mod paging;
mod readme;
mod repo_index;
mod scoped;
pub mod storage;
mod supply;
mod tag_order;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use app::contract::{Catalog, PageRequest};
use app::error::AppError;
use app::model::{
    HealthStatus, OperationCheck, Page, Referrer, RegistryHealth, RegistryOverview, RegistrySummary, RepoQuery,
    RepoSort, RepositorySummary, ResyncResult, Sbom, StorageStatus, StorageTotals, TagDetail, TagNames, TagQuery,
    TagSort, TagSummary,
};
use futures::StreamExt;

use crate::cache::{Cache, CacheConfig, CachedCatalogue, CachedRegistry, Policy};
use crate::config::{Config, DocumentSource, Exchange, Field, OperationOverride, ProfileKind, RegistryConfig};
use crate::registry::{
    CanonicalOperation as Op, CatalogueClient, RegistryClient, RegistryError, bind_operations, catalogue_base,
    find_by_id, load_document, transport,
};

pub use paging::{parse_cursor, slice_page};
pub use scoped::Scoped;

/// The answer for a registry that is not configured, or that the caller
/// may not see: the same, so that an answer does not tell which.
pub fn unknown_registry(id: &str) -> AppError {
    AppError::not_found(format!("no registry `{id}` is configured"))
}

/// How long a health probe may take before the registry counts as unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// Listings at least this long are searched on a blocking thread.
const BLOCKING_SEARCH_ROWS: usize = 4096;
/// How long a resync may take before it gives up (the old document stays).
const RESYNC_TIMEOUT: Duration = Duration::from_secs(30);
/// Rows the virtual tags table may ask for in one call.
const MAX_ROWS_AT_ONCE: usize = 100;
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
    /// Whether the API document was fetched and parsed.
    pub document_loaded: bool,
    /// Mistakes in the document that were repaired to read it.
    pub document_repairs: Vec<String>,
    /// Why the catalogue API document (harbor, dockerhub profiles) could not
    /// be used; browsing still works through the OCI endpoint.
    pub catalogue_error: Option<String>,
    client: Option<CachedRegistry>,
    /// The catalogue API (harbor, dockerhub), when its document loaded.
    catalogue: Option<CachedCatalogue>,
    /// What each manifest digest resolved to, for this entry's lifetime.
    images: images::ImageMemo,
}

impl RegistryEntry {
    /// Where the catalogue API is, when the registry has one.
    pub fn catalogue_url(&self) -> Option<&url::Url> {
        self.catalogue.as_ref().map(CachedCatalogue::base)
    }

    /// Probes the catalogue API, bounded by [`PROBE_TIMEOUT`]; `None` without one.
    pub async fn probe_catalogue(&self) -> Option<Result<String, String>> {
        let catalogue = self.catalogue.as_ref().filter(|c| c.can(Op::ListRepositories, &[]))?;
        Some(match tokio::time::timeout(PROBE_TIMEOUT, catalogue.probe()).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
        })
    }

    /// The client, or why this registry cannot be browsed.
    fn browse(&self) -> Result<&CachedRegistry, AppError> {
        self.client.as_ref().ok_or_else(|| {
            AppError::new(
                app::error::ErrorKind::Unsupported,
                self.problem.clone().unwrap_or_else(|| "this registry cannot be browsed".to_string()),
            )
        })
    }
}

/// One registry's current entry; replaced whole on resync.
#[derive(Debug)]
struct Slot {
    entry: RwLock<Arc<RegistryEntry>>,
    /// Serialises resyncs of this registry.
    resync: tokio::sync::Mutex<()>,
}

/// Every configured registry, ready to answer the pages.
#[derive(Debug)]
pub struct CatalogService {
    slots: Vec<Slot>,
    cache: Arc<Cache>,
    storage: Arc<storage::StorageJobs>,
    tag_orders: tag_order::TagOrders,
    repo_indexes: Arc<repo_index::RepoIndexes>,
}

impl CatalogService {
    /// Loads each registry's API document and binds its operations. A
    /// registry whose document is unusable stays listed, marked degraded.
    pub async fn build(config: &Config) -> Self {
        Self::build_with_cache(config, Cache::memory(CacheConfig::default())).await
    }

    /// As [`build`](Self::build), with the given cache (memory, or memory + Redis).
    pub async fn build_with_cache(config: &Config, cache: Arc<Cache>) -> Self {
        let entries = futures::future::join_all(config.registries.iter().map(|r| build_entry(r, &cache))).await;
        let slots = entries
            .into_iter()
            .map(|e| Slot { entry: RwLock::new(Arc::new(e)), resync: tokio::sync::Mutex::new(()) })
            .collect();
        Self {
            slots,
            cache,
            storage: Arc::default(),
            tag_orders: tag_order::TagOrders::default(),
            repo_indexes: Arc::default(),
        }
    }

    /// The cache every registry call goes through.
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// The storage jobs, for `/metrics`.
    pub fn storage_jobs(&self) -> &Arc<storage::StorageJobs> {
        &self.storage
    }

    /// The registries in configuration order, as they are now.
    pub fn entries(&self) -> Vec<Arc<RegistryEntry>> {
        self.slots.iter().map(current).collect()
    }

    fn slot(&self, id: &str) -> Result<&Slot, AppError> {
        self.slots.iter().find(|s| current(s).config.id == id).ok_or_else(|| unknown_registry(id))
    }

    fn entry(&self, id: &str) -> Result<Arc<RegistryEntry>, AppError> {
        self.slot(id).map(current)
    }

    /// The positions `query` selects from `rows`, in order. A long listing
    /// with a search is scored on a blocking thread (itself spreading the
    /// work over every core), so searches never hold the async workers:
    /// `/healthz` and every other page keep answering meanwhile.
    async fn select_repositories(
        &self,
        registry: &str,
        rows: &Arc<repo_index::Rows>,
        query: &RepoQuery,
    ) -> Result<Arc<Vec<u32>>, AppError> {
        let now = time::OffsetDateTime::now_utc();
        if query.q.trim().is_empty() || rows.rows.len() < BLOCKING_SEARCH_ROWS {
            return Ok(self.repo_indexes.select(registry, rows, query, now));
        }
        let (indexes, registry, rows, query) =
            (self.repo_indexes.clone(), registry.to_string(), rows.clone(), query.clone());
        tokio::task::spawn_blocking(move || indexes.select(&registry, &rows, &query, now))
            .await
            .map_err(|e| AppError::internal(format!("the search failed: {e}")))
    }

    /// Fetches the registry's API document again and rebinds its
    /// operations. A failed fetch keeps the last good document.
    pub async fn resync(&self, id: &str) -> Result<ResyncResult, AppError> {
        self.reload(id, true).await
    }

    /// The scheduled document refresh: a resync that keeps cached listings
    /// (they age out by themselves; a user's resync drops them at once).
    pub async fn refresh_document(&self, id: &str) -> Result<ResyncResult, AppError> {
        self.reload(id, false).await
    }

    async fn reload(&self, id: &str, forget_listings: bool) -> Result<ResyncResult, AppError> {
        let slot = self.slot(id)?;
        let _one_at_a_time = slot.resync.lock().await;
        let old = current(slot);
        let fresh = match tokio::time::timeout(RESYNC_TIMEOUT, build_entry(&old.config, &self.cache)).await {
            Ok(entry) => entry,
            Err(_) => {
                return Ok(ResyncResult {
                    ok: false,
                    message: format!(
                        "the API document did not load within {} s; keeping the one from {}",
                        RESYNC_TIMEOUT.as_secs(),
                        old.summary.synced_at
                    ),
                    registry: old.summary.clone(),
                });
            }
        };
        if !fresh.document_loaded && old.document_loaded {
            let why = fresh.problem.unwrap_or_default();
            tracing::warn!(registry = %id, problem = %why, "resync failed; keeping the last good document");
            return Ok(ResyncResult {
                ok: false,
                message: format!("{why}; keeping the document from {}", old.summary.synced_at),
                registry: old.summary.clone(),
            });
        }
        let ok = fresh.problem.is_none();
        let found = fresh.summary.operations.iter().filter(|o| o.found).count();
        let message = match &fresh.problem {
            None => format!(
                "{} reloaded: {found} of {} operations found",
                fresh.summary.api_document,
                fresh.summary.operations.len()
            ),
            Some(p) => p.clone(),
        };
        let registry = fresh.summary.clone();
        if let Ok(mut guard) = slot.entry.write() {
            *guard = Arc::new(fresh);
        }
        if forget_listings {
            self.cache.forget_listings(id).await;
            self.cache.remove(&storage::report_key(id)).await;
        }
        tracing::info!(registry = %id, ok, "resynced");
        Ok(ResyncResult { ok, message, registry })
    }
}

fn current(slot: &Slot) -> Arc<RegistryEntry> {
    match slot.entry.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

async fn build_entry(config: &RegistryConfig, cache: &Arc<Cache>) -> RegistryEntry {
    let http = transport(config);
    let profile = &config.api.profile;
    // A catalogue profile pairs the registry's own API with its OCI endpoint,
    // which the shipped document describes.
    let (oci_source, catalogue_source, oci_profile) = match profile.kind {
        ProfileKind::Registry => (&config.api.document, None, profile.clone()),
        ProfileKind::Catalogue => {
            (&DocumentSource::BuiltinOci, Some(&config.api.document), crate::config::oci_profile())
        }
    };
    let oci_overrides: &[OperationOverride] =
        if profile.kind == ProfileKind::Registry { &config.api.overrides } else { &[] };
    let document = match &http {
        Ok(http) => load_document(oci_source, http).await.map_err(|e| format!("API document: {e}")),
        Err(e) => Err(e.clone()),
    };
    let catalogue = match (catalogue_source, &http) {
        (Some(source), Ok(http)) => {
            Some(load_document(source, http).await.map_err(|e| format!("{} API document: {e}", profile.name)))
        }
        (Some(_), Err(e)) => Some(Err(e.clone())),
        (None, _) => None,
    };
    let document_loaded = document.is_ok() && catalogue.as_ref().is_none_or(Result::is_ok);
    let mut document_repairs = document.as_ref().map(|d| d.repairs.clone()).unwrap_or_default();
    let (mut api_document, mut operations, bound, problem) = match document {
        Ok(doc) => {
            let (bound, checks) = bind_operations(&doc.openapi, &oci_profile.operations, oci_overrides, "registry");
            let missing: Vec<&str> =
                checks.iter().filter(|c| c.required && !c.found).map(|c| c.operation.as_str()).collect();
            let drifted: Vec<String> = checks
                .iter()
                .filter(|c| c.required && c.found && !c.drift.is_empty())
                .map(|c| format!("{} lacks {}", c.operation, c.drift.join(", ")))
                .collect();
            let problem = if !missing.is_empty() {
                Some(format!("the API document lacks required operations: {}", missing.join(", ")))
            } else if !drifted.is_empty() {
                Some(format!("the API document's responses have drifted: {}", drifted.join("; ")))
            } else {
                None
            };
            (doc.title, checks, Some(bound), problem)
        }
        Err(e) => (String::from("unavailable"), Vec::<OperationCheck>::new(), None, Some(e)),
    };
    let mut catalogue_error = None;
    let mut catalogue_client = None;
    match catalogue {
        Some(Ok(doc)) => {
            let (ops, checks) = bind_operations(&doc.openapi, &profile.operations, &config.api.overrides, "catalogue");
            api_document = format!("{api_document} + {}", doc.title);
            operations.extend(checks);
            document_repairs.extend(doc.repairs);
            if let Ok(http) = &http {
                let base = catalogue_base(config, &doc.openapi);
                let login = match &profile.exchange {
                    Some(Exchange::DockerHubLogin { operation_id }) => {
                        find_by_id(&doc.openapi, operation_id).ok().flatten()
                    }
                    None => None,
                };
                catalogue_client = Some(CachedCatalogue::new(
                    &config.id,
                    CatalogueClient::new(config, http.clone(), base, ops, login),
                    cache.clone(),
                ));
            }
        }
        Some(Err(e)) => {
            api_document = format!("{api_document} + {} API unavailable", profile.name);
            catalogue_error = Some(e);
        }
        None => {}
    }
    let client = match (&problem, bound, http) {
        (None, Some(bound), Ok(http)) => {
            Some(CachedRegistry::new(&config.id, RegistryClient::new(config, http, bound), cache.clone()))
        }
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
        synced_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        pull_host: pull_host(&config.base_url),
        plain_http: config.base_url.scheme() == "http",
    };
    RegistryEntry {
        config: config.clone(),
        summary,
        problem,
        document_loaded,
        document_repairs,
        catalogue_error,
        client,
        catalogue: catalogue_client,
        images: images::ImageMemo::default(),
    }
}

/// The labels of the repository's representative image: its `latest` tag,
/// else the last image tag in natural order. Best effort: a repository
/// without tags, or whose image cannot be read, simply shows none.
async fn sample_labels(
    entry: &RegistryEntry,
    repository: &str,
) -> Option<(String, std::collections::BTreeMap<String, String>)> {
    let client = entry.browse().ok()?;
    let all = client.list_tags(repository).await.ok()?;
    let (names, _) = filter::tags(&all, &TagQuery::default());
    let tag = names.iter().find(|n| *n == "latest").or(names.last())?.clone();
    match entry.images.resolve(client, repository, &tag).await {
        Ok(resolved) => {
            resolved.detail.images.iter().map(|i| &i.labels).find(|l| !l.is_empty()).map(|l| (tag, l.clone()))
        }
        Err(e) => {
            tracing::debug!(repository, tag = %tag, error = %e, "no labels for the repository page");
            None
        }
    }
}

/// Tags a date or size order reads the manifests of; past this, the user
/// is asked to filter first (the order needs every manifest).
const MAX_SORTED_TAGS: usize = 1_000;

/// Every row of `names`, ordered by creation time or size (rows without
/// one last, by name).
async fn sorted_rows(
    entry: &RegistryEntry,
    registry: &str,
    repository: &str,
    names: Vec<String>,
    all: &[String],
    sort: TagSort,
) -> Result<Vec<TagSummary>, AppError> {
    if names.len() > MAX_SORTED_TAGS {
        return Err(AppError::bad_request(format!(
            "ordering by {} reads every tag's manifest; {} tags match, more than {MAX_SORTED_TAGS}. \
                 Filter the tags first, or order by name.",
            if sort == TagSort::Newest { "date" } else { "size" },
            names.len()
        )));
    }
    let mut rows = tag_rows(entry, registry, repository, names, all).await?;
    let size = |t: &TagSummary| t.size.or_else(|| t.platforms.iter().filter_map(|p| p.size).max());
    match sort {
        TagSort::Newest => rows.sort_by(|a, b| b.created.cmp(&a.created)),
        _ => rows.sort_by_key(|t| std::cmp::Reverse(size(t))),
    }
    Ok(rows)
}

/// Rows of the tags table for `names`: each manifest resolved (side by
/// side, bounded), signed when `all` holds its cosign `.sig` tag, push and
/// pull times from the catalogue API when it lists tags.
async fn tag_rows(
    entry: &RegistryEntry,
    registry: &str,
    repository: &str,
    names: Vec<String>,
    all: &[String],
) -> Result<Vec<TagSummary>, AppError> {
    let client = entry.browse()?;
    let signatures: std::collections::HashSet<&str> =
        all.iter().map(String::as_str).filter(|n| n.ends_with(".sig")).collect();
    // The manifests stay the OCI endpoint's.
    let times = async {
        let catalogue = entry.catalogue.as_ref().filter(|c| c.can(Op::ListTags, &[Field::Tag]))?;
        match catalogue.list_tags(repository).await {
            Ok(listed) => Some(listed),
            Err(e) => {
                tracing::warn!(registry, repository, error = %e, "catalogue tags unavailable; showing OCI data only");
                None
            }
        }
    };
    let items = futures::stream::iter(names)
        .map(|tag| async move {
            match entry.images.resolve(client, repository, &tag).await {
                Ok(resolved) => resolved.row(tag),
                Err(e) => TagSummary::failed(tag, upstream(registry, "getManifest", e)),
            }
        })
        .buffered(TAG_CONCURRENCY)
        .collect::<Vec<TagSummary>>();
    let (mut items, times) = futures::join!(items, times);
    let times: std::collections::HashMap<String, crate::registry::TagRecord> =
        times.iter().flat_map(|l| l.items.iter()).map(|t| (t.name.clone(), t.clone())).collect();
    for item in &mut items {
        item.signed = item
            .digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .is_some_and(|hex| signatures.contains(format!("sha256-{hex}.sig").as_str()));
        if let Some(record) = times.get(&item.name) {
            item.pushed.clone_from(&record.pushed);
            item.pulled.clone_from(&record.pulled);
            item.vulnerabilities.clone_from(&record.vulnerabilities);
        }
    }
    tag_times(entry, registry, repository, &mut items).await;
    tag_scans(entry, registry, repository, &mut items).await;
    Ok(items)
}

/// The registry scanner's findings for each row shown, when its API
/// reports them per manifest (Quay's security endpoint).
async fn tag_scans(entry: &RegistryEntry, registry: &str, repository: &str, items: &mut [TagSummary]) {
    let Some(catalogue) = entry.catalogue.as_ref().filter(|c| c.can(Op::GetVulnerabilities, &[])) else { return };
    let digests = items.iter().map(|i| i.digest.clone().filter(|_| i.vulnerabilities.is_none())).collect();
    let found = per_row(registry, repository, digests, "catalogue scan", |digest| async move {
        catalogue.vulnerabilities(repository, &digest).await
    })
    .await;
    for (item, v) in items.iter_mut().zip(found) {
        if let Some(v) = v.and_then(|v| Option::clone(&v)) {
            item.vulnerabilities = Some(v);
        }
    }
}

/// The fields of a registry's scan summary.
const SCAN_FIELDS: [Field; 4] = [Field::Critical, Field::High, Field::Scanner, Field::Scanned];

/// Push times from each tag's own catalogue answer, for the rows shown,
/// when the API's tag listing names tags only (GitLab's).
async fn tag_times(entry: &RegistryEntry, registry: &str, repository: &str, items: &mut [TagSummary]) {
    let Some(catalogue) = entry
        .catalogue
        .as_ref()
        .filter(|c| c.can(Op::GetTag, &[Field::Pushed]) && !c.can(Op::ListTags, &[Field::Pushed]))
    else {
        return;
    };
    let names = items.iter().map(|i| Some(i.name.clone())).collect();
    let records =
        per_row(
            registry,
            repository,
            names,
            "catalogue tag",
            |tag| async move { catalogue.tag(repository, &tag).await },
        )
        .await;
    for (item, record) in items.iter_mut().zip(records) {
        if let Some(r) = record {
            item.pushed.clone_from(&r.pushed);
            item.pulled = item.pulled.take().or_else(|| r.pulled.clone());
            item.vulnerabilities = item.vulnerabilities.take().or_else(|| r.vulnerabilities.clone());
        }
    }
}

/// `fetch` for each row's key (none: the row is skipped), side by side and
/// bounded; a failure is logged and leaves its row as it was.
async fn per_row<T, F, Fut>(
    registry: &str,
    repository: &str,
    keys: Vec<Option<String>>,
    what: &str,
    fetch: F,
) -> Vec<Option<T>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::registry::RegistryError>>,
{
    let fetch = &fetch;
    futures::stream::iter(keys)
        .map(|key| async move {
            let key = key?;
            match fetch(key.clone()).await {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::warn!(registry, repository, key, error = %e, "{what} unavailable");
                    None
                }
            }
        })
        .buffered(TAG_CONCURRENCY)
        .collect()
        .await
}

/// The `REESTR_FETCH_SBOMS` switch (default on; `0`, `false` or `off`
/// turns SBOM downloads off for every registry: referrers are still listed).
fn sboms_enabled() -> bool {
    !matches!(
        std::env::var("REESTR_FETCH_SBOMS").map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Ok("0" | "false" | "off" | "no")
    )
}

/// What the pages show of a catalogue API's repository record.
fn summary_of(r: crate::registry::RepositoryRecord) -> RepositorySummary {
    RepositorySummary {
        name: r.name,
        description: r.description,
        pull_count: r.pull_count,
        star_count: r.star_count,
        artifact_count: r.artifact_count,
        updated: r.updated,
        ..RepositorySummary::default()
    }
}

/// The registry as a pull command names it: host, port when not the
/// default, and any path prefix; Docker Hub's API host is `docker.io`.
fn pull_host(base: &url::Url) -> String {
    let host = base.host_str().unwrap_or_default();
    let host = if host == "registry-1.docker.io" { "docker.io" } else { host };
    let port = base.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{host}{port}{}", base.path().trim_end_matches('/'))
}

/// An upstream failure for the user (a plain message) and for the log (the
/// registry, the operation and the whole error).
fn upstream(registry: &str, operation: &'static str, e: RegistryError) -> AppError {
    tracing::warn!(registry, operation, error = %e, debug = ?e, "upstream call failed");
    e.into()
}

/// Probes one registry, bounded by [`PROBE_TIMEOUT`].
/// The `/v2/` probe, behind the registry's breaker: an open breaker
/// answers for it, and a 429 opens it.
async fn probe_through_breaker(entry: &RegistryEntry, client: &CachedRegistry) -> Result<(), RegistryError> {
    client.cache().breakers().run(&entry.config.id, client.uncached().probe()).await
}

/// What the card says while the registry rate-limits Reestr.
async fn rate_limited(entry: &RegistryEntry, client: &CachedRegistry) -> String {
    match client.cache().breakers().open_now(&entry.config.id).await {
        Some(open) => format!(
            "the registry is rate limiting Reestr: nothing is sent to it until {}; pages show what the cache holds",
            open.until_text()
        ),
        None => "the registry is rate limiting Reestr; pages show what the cache holds".to_string(),
    }
}

pub async fn probe(entry: &RegistryEntry) -> RegistryHealth {
    let started = Instant::now();
    let checked_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let (status, message) = match (&entry.client, &entry.problem) {
        (Some(client), _) => match tokio::time::timeout(PROBE_TIMEOUT, probe_through_breaker(entry, client)).await {
            Ok(Ok(())) => (HealthStatus::Healthy, None),
            Ok(Err(RegistryError::RateLimited { .. })) => {
                (HealthStatus::RateLimited, Some(rate_limited(entry, client).await))
            }
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

impl CatalogService {
    /// The overview of the registries whose ids `keep` accepts (the others
    /// are not probed at all).
    pub async fn overview_of(&self, keep: impl Fn(&str) -> bool) -> Vec<RegistryOverview> {
        let entries = self.entries().into_iter().filter(|e| keep(&e.config.id));
        futures::future::join_all(entries.map(|e| async move {
            let storage = self.storage.peek(&self.cache, &e.config.id).await.map(|r| StorageTotals {
                bytes: r.total_bytes,
                repositories: r.repositories.len() as u64,
                tags: r.tags,
                computed_at: r.computed_at.clone(),
            });
            RegistryOverview { registry: e.summary.clone(), health: self.health(e).await, storage }
        }))
        .await
    }

    /// The registry's health, probed at most once per listing freshness
    /// period (and then refreshed in the background), so the home page
    /// neither waits for nor hammers the registries.
    async fn health(&self, entry: Arc<RegistryEntry>) -> RegistryHealth {
        let key = Cache::key(&entry.config.id, "health", &[]);
        let probed = entry.clone();
        match self.cache.get(key, Policy::Listing, move || async move { Ok(probe(&probed).await) }).await {
            Ok(health) => (*health).clone(),
            Err(_) => probe(&entry).await,
        }
    }
}

#[async_trait::async_trait]
impl Catalog for CatalogService {
    fn registries(&self) -> Vec<RegistrySummary> {
        self.entries().iter().map(|e| e.summary.clone()).collect()
    }

    fn registry(&self, id: &str) -> Result<RegistrySummary, AppError> {
        self.entry(id).map(|e| e.summary.clone())
    }

    async fn overview(&self) -> Vec<RegistryOverview> {
        self.overview_of(|_| true).await
    }

    async fn resync(&self, registry: &str) -> Result<ResyncResult, AppError> {
        CatalogService::resync(self, registry).await
    }

    async fn repositories(
        &self,
        registry: &str,
        query: &RepoQuery,
        page: PageRequest,
    ) -> Result<Page<RepositorySummary>, AppError> {
        query.check().map_err(AppError::bad_request)?;
        let entry = self.entry(registry)?;
        let client = entry.browse()?;
        // Sizes, tag counts, signatures and (without a catalogue API) update
        // times from the last storage count; sorting or filtering by them
        // starts one when there is none yet.
        let needs_report = query.sort == RepoSort::Size || query.filters_by_activity();
        let report = match needs_report {
            true => self.storage.report(&self.cache, registry, client).await,
            false => self.storage.peek(&self.cache, registry).await,
        };
        let (rows, mut partial) = match entry.catalogue.as_ref().filter(|c| c.can(Op::ListRepositories, &[Field::Name]))
        {
            Some(catalogue) => {
                let listed =
                    catalogue.list_repositories().await.map_err(|e| upstream(registry, "listRepositories", e))?;
                let partial = listed.truncated.then(|| {
                    format!(
                        "only the first {} pages were read (api.maxPages){}",
                        entry.config.api.max_pages,
                        listed.total.map(|t| format!("; the registry reports {t} repositories")).unwrap_or_default()
                    )
                });
                // A catalogue too large to list in full is searched by the
                // registry itself; a complete list is searched here (fuzzy).
                let q = query.q.trim();
                if listed.truncated && !q.is_empty() && catalogue.can(Op::SearchRepositories, &[Field::Name]) {
                    let found = catalogue
                        .search_repositories(q)
                        .await
                        .map_err(|e| upstream(registry, "searchRepositories", e))?;
                    let mut all: Vec<RepositorySummary> = listed.items.iter().cloned().map(summary_of).collect();
                    all.extend(found.iter().cloned().map(summary_of));
                    let partial = Some(format!(
                        "the full list is longer than api.maxPages ({}), so the registry's own search found these",
                        entry.config.api.max_pages
                    ));
                    (Arc::new(repo_index::Rows::once(all, report.as_deref())), partial)
                } else {
                    let rows = self.repo_indexes.rows(registry, &listed, report.as_ref(), |l| {
                        l.items.iter().cloned().map(summary_of).collect()
                    });
                    (rows, partial)
                }
            }
            None => {
                let names = client.list_repositories().await.map_err(|e| upstream(registry, "listRepositories", e))?;
                let rows = self.repo_indexes.rows(registry, &names, report.as_ref(), |n| {
                    n.iter().cloned().map(RepositorySummary::named).collect()
                });
                (rows, None)
            }
        };
        if needs_report && report.is_none() {
            partial = Some(
                "sizes, signatures and image dates are being counted (see Storage used); until then they are unknown"
                    .into(),
            );
        }
        let order = self.select_repositories(registry, &rows, query).await?;
        let mut out = slice_page(order.iter(), page, |&i| rows.rows.get(i as usize).cloned().unwrap_or_default());
        out.partial = partial;
        Ok(out)
    }

    async fn repository(&self, registry: &str, repository: &str) -> Result<RepositorySummary, AppError> {
        let entry = self.entry(registry)?;
        entry.browse()?;
        crate::registry::validate_repository(repository).map_err(AppError::from)?;
        let mut summary = match entry.catalogue.as_ref().filter(|c| c.can(Op::GetRepository, &[])) {
            Some(catalogue) => summary_of(
                (*catalogue.repository(repository).await.map_err(|e| upstream(registry, "getRepository", e))?).clone(),
            ),
            None => RepositorySummary::named(repository),
        };
        if let Some((tag, labels)) = sample_labels(&entry, repository).await {
            if summary.description.is_none() {
                summary.description = labels.get("org.opencontainers.image.description").cloned();
            }
            summary.labels = labels;
            summary.labels_tag = Some(tag);
        }
        Ok(summary)
    }

    async fn tags(
        &self,
        registry: &str,
        repository: &str,
        query: &TagQuery,
        page: PageRequest,
    ) -> Result<Page<TagSummary>, AppError> {
        query.check().map_err(AppError::bad_request)?;
        let entry = self.entry(registry)?;
        let client = entry.browse()?;
        let all = client.list_tags(repository).await.map_err(|e| upstream(registry, "listTags", e))?;
        let (names, hidden) = self.tag_orders.select(registry, repository, &all, query);
        if query.sort.needs_manifests() {
            let rows = sorted_rows(&entry, registry, repository, names.to_vec(), &all, query.sort).await?;
            let page = slice_page(rows, page, |row| row);
            return Ok(Page {
                items: page.items,
                next_cursor: page.next_cursor,
                total: page.total,
                offset: page.offset,
                partial: None,
                hidden,
            });
        }
        let page = slice_page(names.iter(), page, String::clone);
        let items = tag_rows(&entry, registry, repository, page.items, &all).await?;
        Ok(Page { items, next_cursor: page.next_cursor, total: page.total, offset: page.offset, partial: None, hidden })
    }

    async fn tag_names(&self, registry: &str, repository: &str, query: &TagQuery) -> Result<TagNames, AppError> {
        query.check().map_err(AppError::bad_request)?;
        let entry = self.entry(registry)?;
        let all = entry.browse()?.list_tags(repository).await.map_err(|e| upstream(registry, "listTags", e))?;
        let (names, hidden) = self.tag_orders.select(registry, repository, &all, query);
        if query.sort.needs_manifests() {
            let rows = sorted_rows(&entry, registry, repository, names.to_vec(), &all, query.sort).await?;
            return Ok(TagNames { names: rows.into_iter().map(|r| r.name).collect(), hidden });
        }
        Ok(TagNames { names: names.to_vec(), hidden })
    }

    async fn tag_rows(
        &self,
        registry: &str,
        repository: &str,
        names: Vec<String>,
    ) -> Result<Vec<TagSummary>, AppError> {
        if names.len() > MAX_ROWS_AT_ONCE {
            return Err(AppError::bad_request(format!("at most {MAX_ROWS_AT_ONCE} tags at once")));
        }
        for name in &names {
            crate::registry::validate_reference(name).map_err(AppError::from)?;
        }
        let entry = self.entry(registry)?;
        let all = entry.browse()?.list_tags(repository).await.map_err(|e| upstream(registry, "listTags", e))?;
        tag_rows(&entry, registry, repository, names, &all).await
    }

    async fn tag(&self, registry: &str, repository: &str, reference: &str) -> Result<TagDetail, AppError> {
        let entry = self.entry(registry)?;
        let client = entry.browse()?;
        let detail = async { entry.images.resolve(client, repository, reference).await.map(|r| r.detail(reference)) };
        // The registry's scan summary, from the tag's own catalogue answer.
        let scan = async {
            let catalogue = entry.catalogue.as_ref().filter(|c| {
                !crate::registry::is_digest(reference)
                    && SCAN_FIELDS.iter().any(|f| c.can(Op::GetTag, std::slice::from_ref(f)))
            })?;
            match catalogue.tag(repository, reference).await {
                Ok(record) => record.vulnerabilities.clone(),
                Err(e) => {
                    tracing::warn!(registry, repository, reference, error = %e, "catalogue tag unavailable");
                    None
                }
            }
        };
        let (detail, vulnerabilities) = futures::join!(detail, scan);
        let mut detail = detail.map_err(|e| upstream(registry, "getManifest", e))?;
        detail.vulnerabilities = vulnerabilities;
        // Or from the scan of the manifest itself (Quay).
        if detail.vulnerabilities.is_none()
            && let Some(catalogue) = entry.catalogue.as_ref().filter(|c| c.can(Op::GetVulnerabilities, &[]))
        {
            detail.vulnerabilities = match catalogue.vulnerabilities(repository, &detail.digest).await {
                Ok(v) => Option::clone(&v),
                Err(e) => {
                    tracing::warn!(registry, repository, reference, error = %e, "catalogue scan unavailable");
                    None
                }
            };
        }
        Ok(detail)
    }

    async fn readme(&self, registry: &str, repository: &str) -> Result<Option<String>, AppError> {
        let entry = self.entry(registry)?;
        entry.browse()?;
        crate::registry::validate_repository(repository).map_err(AppError::from)?;
        let Some(catalogue) = entry.catalogue.as_ref().filter(|_| entry.config.capabilities.supports_readme) else {
            return Ok(None);
        };
        let markdown = catalogue.readme(repository).await.map_err(|e| upstream(registry, "getReadme", e))?;
        Ok(markdown.as_deref().filter(|m| !m.trim().is_empty()).map(readme::render))
    }

    async fn referrers(&self, registry: &str, repository: &str, digest: &str) -> Result<Vec<Referrer>, AppError> {
        let entry = self.entry(registry)?;
        let client = entry.browse()?;
        // A tag is resolved to the digest its referrers point at.
        let digest = if crate::registry::is_digest(digest) {
            digest.to_string()
        } else {
            client
                .get_manifest(repository, digest)
                .await
                .map_err(|e| upstream(registry, "getManifest", e))?
                .digest
                .clone()
        };
        supply::referrers(client, repository, &digest).await.map_err(|e| upstream(registry, "listReferrers", e))
    }

    async fn sbom(&self, registry: &str, repository: &str, digest: &str) -> Result<Sbom, AppError> {
        let entry = self.entry(registry)?;
        if !entry.config.capabilities.supports_sbom {
            return Err(AppError::new(
                app::error::ErrorKind::Unsupported,
                "SBOMs are turned off for this registry (capabilities.supportsSbom)",
            ));
        }
        if !sboms_enabled() {
            return Err(AppError::new(
                app::error::ErrorKind::Unsupported,
                "SBOM fetching is turned off on this server (REESTR_FETCH_SBOMS=0)",
            ));
        }
        supply::sbom(entry.browse()?, repository, digest).await.map_err(|e| upstream(registry, "getBlob", e))
    }

    async fn storage(&self, registry: &str) -> Result<StorageStatus, AppError> {
        let entry = self.entry(registry)?;
        let client = entry.browse()?;
        Ok(self.storage.status(&self.cache, registry, client).await)
    }
}
