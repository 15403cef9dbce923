//! Storage accounting, which no registry API offers: a background job per
//! registry walks every repository's tags to their manifests (through the
//! cache, so each manifest is read once, ever) and sums the distinct blobs
//! (configs and layers, every platform of an index) by digest: per
//! repository, per registry, and split into bytes shared with other
//! repositories and bytes only one repository holds. Concurrency is bounded
//! per registry; across replicas a shared lock lets one of them compute and
//! the report lands in the shared cache for all.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use app::model::{
    ImageSize, ReferrerKind, RepoStorage, StorageProgress, StorageReport, StorageStatus, is_artifact_tag,
};
use futures::StreamExt;

use crate::cache::{Cache, CachedRegistry, Policy};
use crate::registry::{Manifest, RegistryError, parse_config, parse_manifest};

/// Repositories scanned at once, per registry.
const REPO_CONCURRENCY: usize = 4;
/// Tags of one repository resolved at once.
const TAG_CONCURRENCY: usize = 8;
/// An index with more entries is counted as far as this.
const MAX_INDEX_ENTRIES: usize = 256;
/// Largest images listed.
const LARGEST: usize = 20;
/// Problems listed (the count of the rest is given).
const MAX_PROBLEMS: usize = 50;
/// How long one replica may hold the job before another may take over.
const JOB_LOCK: Duration = Duration::from_secs(30 * 60);
/// After finding the job held elsewhere, how long to wait before trying again.
const RETRY_ELSEWHERE: Duration = Duration::from_secs(30);

/// The jobs of every registry in this process.
#[derive(Debug, Default)]
pub struct StorageJobs {
    slots: Mutex<HashMap<String, Arc<JobState>>>,
}

#[derive(Debug, Default)]
struct JobState {
    running: AtomicBool,
    /// When this replica last found the job held by another.
    elsewhere: Mutex<Option<std::time::Instant>>,
    done: AtomicU64,
    total: AtomicU64,
    failed: Mutex<Option<String>>,
    /// Runs this replica finished, and how long the last one took.
    finished: AtomicU64,
    last_millis: AtomicU64,
}

/// One registry's job as `/metrics` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobProgress {
    pub registry: String,
    pub running: bool,
    /// Repositories scanned, and to scan, in the current or last run.
    pub done: u64,
    pub total: u64,
    pub failed: bool,
    pub finished_runs: u64,
    pub last_run_millis: u64,
}

/// The cache key of a registry's report.
pub fn report_key(registry: &str) -> String {
    Cache::key(registry, "storage", &[])
}

impl StorageJobs {
    /// The last report and the job's progress; starts the job when there is
    /// no fresh report and none is running.
    pub async fn status(&self, cache: &Arc<Cache>, registry: &str, client: &CachedRegistry) -> StorageStatus {
        let (report, state, elsewhere) = self.start_if_stale(cache, registry, client).await;
        let failed = state.failed.lock().ok().and_then(|f| f.clone());
        let progress = if state.running.load(Ordering::SeqCst) {
            StorageProgress::Running {
                done: state.done.load(Ordering::SeqCst),
                total: state.total.load(Ordering::SeqCst),
            }
        } else if let Some(message) = failed {
            StorageProgress::Failed { message }
        } else if report.is_some() {
            StorageProgress::Done
        } else if elsewhere {
            StorageProgress::Elsewhere
        } else {
            StorageProgress::Idle
        };
        StorageStatus { progress, report: report.map(|r| (*r).clone()) }
    }

    /// The last report as the cache holds it (not copied), starting the job
    /// as [`status`](Self::status) does.
    pub async fn report(
        &self,
        cache: &Arc<Cache>,
        registry: &str,
        client: &CachedRegistry,
    ) -> Option<Arc<StorageReport>> {
        self.start_if_stale(cache, registry, client).await.0
    }

    /// The last report, this registry's job, and whether another replica
    /// holds it; starts the job when the report is missing or stale.
    async fn start_if_stale(
        &self,
        cache: &Arc<Cache>,
        registry: &str,
        client: &CachedRegistry,
    ) -> (Option<Arc<StorageReport>>, Arc<JobState>, bool) {
        let key = report_key(registry);
        let report = cache.peek::<StorageReport>(&key, Policy::Storage).await;
        let state = self.slot(registry);
        let fresh = report.as_ref().is_some_and(|(_, fresh)| *fresh);
        let elsewhere = state.elsewhere.lock().ok().and_then(|e| *e).is_some_and(|at| at.elapsed() < RETRY_ELSEWHERE);
        if !fresh
            && !elsewhere
            && state.running.compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst).is_ok()
        {
            state.done.store(0, Ordering::SeqCst);
            state.total.store(0, Ordering::SeqCst);
            tokio::spawn(run(cache.clone(), registry.to_string(), client.clone(), state.clone()));
        }
        (report.map(|(r, _)| r), state, elsewhere)
    }

    /// The last report, if any, without starting anything.
    pub async fn peek(&self, cache: &Cache, registry: &str) -> Option<Arc<StorageReport>> {
        cache.peek::<StorageReport>(&report_key(registry), Policy::Storage).await.map(|(r, _)| r)
    }

    /// Every job this replica has run or is running, without starting any.
    pub fn progress(&self) -> Vec<JobProgress> {
        let Ok(slots) = self.slots.lock() else { return Vec::new() };
        let mut out: Vec<JobProgress> = slots
            .iter()
            .map(|(registry, s)| JobProgress {
                registry: registry.clone(),
                running: s.running.load(Ordering::SeqCst),
                done: s.done.load(Ordering::SeqCst),
                total: s.total.load(Ordering::SeqCst),
                failed: s.failed.lock().map(|f| f.is_some()).unwrap_or(false),
                finished_runs: s.finished.load(Ordering::SeqCst),
                last_run_millis: s.last_millis.load(Ordering::SeqCst),
            })
            .collect();
        out.sort_by(|a, b| a.registry.cmp(&b.registry));
        out
    }

    fn slot(&self, registry: &str) -> Arc<JobState> {
        match self.slots.lock() {
            Ok(mut slots) => slots.entry(registry.to_string()).or_default().clone(),
            Err(_) => Arc::new(JobState::default()),
        }
    }
}

/// One run: take the shared lock, compute, store, release.
async fn run(cache: Arc<Cache>, registry: String, client: CachedRegistry, state: Arc<JobState>) {
    let key = report_key(&registry);
    let Some(lock) = cache.lock_shared(&key, JOB_LOCK).await else {
        if let Ok(mut e) = state.elsewhere.lock() {
            *e = Some(std::time::Instant::now());
        }
        state.running.store(false, Ordering::SeqCst);
        return;
    };
    if let Ok(mut e) = state.elsewhere.lock() {
        *e = None;
    }
    let started = std::time::Instant::now();
    match compute(&client, &registry, &state).await {
        Ok(report) => {
            tracing::info!(
                registry = %registry,
                repositories = report.repositories.len(),
                bytes = report.total_bytes,
                seconds = started.elapsed().as_secs_f64(),
                "storage accounted"
            );
            cache.put(&key, report, Policy::Storage).await;
            if let Ok(mut f) = state.failed.lock() {
                *f = None;
            }
        }
        Err(e) => {
            tracing::warn!(registry = %registry, error = %e, "storage accounting failed");
            if let Ok(mut f) = state.failed.lock() {
                *f = Some(e.to_string());
            }
        }
    }
    cache.unlock_shared(lock).await;
    state.last_millis.store(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    state.finished.fetch_add(1, Ordering::SeqCst);
    state.running.store(false, Ordering::SeqCst);
}

/// What one repository's tags reach.
#[derive(Default)]
struct RepoScan {
    name: String,
    tags: u64,
    /// digest → size of every distinct blob.
    blobs: HashMap<String, u64>,
    /// (tag, manifest digest, bytes) per tag that resolved.
    images: Vec<(String, String, u64)>,
    /// Distinct images (manifest digests of its non-artifact tags).
    image_count: u64,
    /// Of those, the ones with a signature.
    signed_images: u64,
    /// Creation time of its newest image (RFC 3339).
    newest: Option<String>,
    problems: Vec<String>,
}

async fn compute(client: &CachedRegistry, registry: &str, state: &JobState) -> Result<StorageReport, RegistryError> {
    let repositories = client.list_repositories().await?;
    state.total.store(repositories.len() as u64, Ordering::SeqCst);
    let scans: Vec<RepoScan> = futures::stream::iter(repositories.iter().cloned())
        .map(|name| async move {
            let scan = scan_repository(client, name).await;
            state.done.fetch_add(1, Ordering::SeqCst);
            scan
        })
        .buffer_unordered(REPO_CONCURRENCY)
        .collect()
        .await;
    Ok(aggregate(registry, scans))
}

async fn scan_repository(client: &CachedRegistry, name: String) -> RepoScan {
    let mut scan = RepoScan { name, ..RepoScan::default() };
    let tags = match client.list_tags(&scan.name).await {
        Ok(t) => t,
        Err(e) => {
            scan.problems.push(format!("{}: {e}", scan.name));
            return scan;
        }
    };
    scan.tags = tags.len() as u64;
    let repo = scan.name.clone();
    let resolved: Vec<(String, Result<TagBlobs, RegistryError>)> = futures::stream::iter(tags.iter().cloned())
        .map(|tag| {
            let repo = repo.clone();
            async move {
                let blobs = tag_blobs(client, &repo, &tag).await;
                (tag, blobs)
            }
        })
        .buffer_unordered(TAG_CONCURRENCY)
        .collect()
        .await;
    // Digests a signature names: cosign's `sha256-<hex>.sig` tags, and
    // referrers (`sha256-<hex>`) indexes that list a signature.
    let mut signed: HashSet<String> = HashSet::new();
    let mut image_digests: HashSet<String> = HashSet::new();
    let mut configs: HashSet<String> = HashSet::new();
    for (tag, result) in resolved {
        let subject = tag.strip_prefix("sha256-").map(|hex| format!("sha256:{}", hex.trim_end_matches(".sig")));
        match result {
            Ok(reached) => {
                let bytes = reached.blobs.values().fold(0_u64, |a, b| a.saturating_add(*b));
                match subject {
                    Some(subject) if tag.ends_with(".sig") || reached.lists_signature => {
                        signed.insert(subject);
                    }
                    _ => {}
                }
                if !is_artifact_tag(&tag) {
                    image_digests.insert(reached.digest.clone());
                    configs.extend(reached.image_configs);
                }
                scan.images.push((tag, reached.digest, bytes));
                scan.blobs.extend(reached.blobs);
            }
            Err(e) => scan.problems.push(format!("{}:{tag}: {e}", scan.name)),
        }
    }
    scan.image_count = image_digests.len() as u64;
    scan.signed_images = image_digests.iter().filter(|d| signed.contains(*d)).count() as u64;
    scan.newest = newest_created(client, &repo, configs, &mut scan.problems).await;
    scan
}

/// The newest creation time among these image configs (read through the
/// cache: each config once, ever).
async fn newest_created(
    client: &CachedRegistry,
    repository: &str,
    configs: HashSet<String>,
    problems: &mut Vec<String>,
) -> Option<String> {
    if !client.can_read_blobs() {
        return None;
    }
    let read: Vec<(String, Result<Option<String>, RegistryError>)> = futures::stream::iter(configs)
        .map(|digest| async move {
            let created = match client.get_config_blob(repository, &digest).await {
                Ok(body) => parse_config(&body).map(|c| c.created),
                Err(e) => Err(e),
            };
            (digest, created)
        })
        .buffer_unordered(TAG_CONCURRENCY)
        .collect()
        .await;
    let mut newest: Option<(time::OffsetDateTime, String)> = None;
    for (digest, created) in read {
        match created {
            Ok(Some(text)) => {
                if let Some(at) = super::filter::instant(&text)
                    && newest.as_ref().is_none_or(|(n, _)| at > *n)
                {
                    newest = Some((at, text));
                }
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("{repository}@{digest}: {e}")),
        }
    }
    newest.map(|(_, text)| text)
}

/// What one tag reaches.
struct TagBlobs {
    /// The manifest digest the tag points to.
    digest: String,
    /// digest → size of the distinct blobs.
    blobs: HashMap<String, u64>,
    /// Config digests of its images (platforms, not attestations).
    image_configs: Vec<String>,
    /// The manifest is an index listing a signature (a referrers index).
    lists_signature: bool,
}

async fn tag_blobs(client: &CachedRegistry, repository: &str, tag: &str) -> Result<TagBlobs, RegistryError> {
    let fetched = client.get_manifest(repository, tag).await?;
    let mut reached = TagBlobs {
        digest: fetched.digest.clone(),
        blobs: HashMap::new(),
        image_configs: Vec::new(),
        lists_signature: false,
    };
    match parse_manifest(&fetched.media_type, &fetched.body)? {
        Manifest::Image(m) => {
            add_image(&mut reached.blobs, &m);
            reached.image_configs.push(m.config().digest().to_string());
        }
        Manifest::Index(index) => {
            reached.lists_signature = index.manifests().iter().any(|e| {
                e.artifact_type()
                    .as_ref()
                    .is_some_and(|t| super::supply::kind_of(t.as_ref()) == ReferrerKind::Signature)
            });
            for entry in index.manifests().iter().take(MAX_INDEX_ENTRIES) {
                let child = client.get_manifest(repository, entry.digest().as_ref()).await?;
                match parse_manifest(&child.media_type, &child.body)? {
                    Manifest::Image(m) => {
                        add_image(&mut reached.blobs, &m);
                        if !super::images::is_attestation(entry) {
                            reached.image_configs.push(m.config().digest().to_string());
                        }
                    }
                    // Nested indexes hold no blobs of their own.
                    Manifest::Index(_) => {}
                }
            }
        }
    }
    Ok(reached)
}

fn add_image(blobs: &mut HashMap<String, u64>, m: &oci_spec::image::ImageManifest) {
    blobs.insert(m.config().digest().to_string(), m.config().size());
    for layer in m.layers() {
        blobs.insert(layer.digest().to_string(), layer.size());
    }
}

/// Registry totals, per-repository shares, the largest images.
fn aggregate(registry: &str, scans: Vec<RepoScan>) -> StorageReport {
    // digest → (size, repositories holding it)
    let mut holders: HashMap<&str, (u64, u32)> = HashMap::new();
    for scan in &scans {
        for (digest, size) in &scan.blobs {
            let e = holders.entry(digest.as_str()).or_insert((*size, 0));
            e.1 = e.1.saturating_add(1);
        }
    }
    let total_bytes = holders.values().fold(0_u64, |a, (size, _)| a.saturating_add(*size));
    let blobs = holders.len() as u64;
    let mut repositories: Vec<RepoStorage> = scans
        .iter()
        .map(|scan| {
            let (mut bytes, mut unique) = (0_u64, 0_u64);
            for (digest, size) in &scan.blobs {
                bytes = bytes.saturating_add(*size);
                if holders.get(digest.as_str()).is_some_and(|(_, n)| *n == 1) {
                    unique = unique.saturating_add(*size);
                }
            }
            RepoStorage {
                name: scan.name.clone(),
                bytes,
                unique_bytes: unique,
                shared_bytes: bytes - unique,
                tags: scan.tags,
                blobs: scan.blobs.len() as u64,
                images: scan.image_count,
                signed_images: scan.signed_images,
                newest: scan.newest.clone(),
            }
        })
        .collect();
    repositories.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));

    // One entry per distinct image (many tags may point to one manifest).
    let mut seen = HashSet::new();
    let mut images: Vec<ImageSize> = Vec::new();
    let mut all: Vec<(&str, &str, &str, u64)> = scans
        .iter()
        .flat_map(|s| {
            s.images.iter().map(move |(tag, digest, bytes)| (s.name.as_str(), tag.as_str(), digest.as_str(), *bytes))
        })
        .collect();
    all.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.0.cmp(b.0)).then_with(|| natord::compare(a.1, b.1)));
    for (repository, tag, digest, bytes) in all {
        if images.len() == LARGEST {
            break;
        }
        // Referrer indexes and cosign artifacts take space but are not images.
        if !is_artifact_tag(tag) && seen.insert((repository, digest)) {
            images.push(ImageSize { repository: repository.to_string(), tag: tag.to_string(), bytes });
        }
    }
    let mut problems: Vec<String> = scans.iter().flat_map(|s| s.problems.iter().cloned()).collect();
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("… and {more} more"));
    }
    StorageReport {
        registry: registry.to_string(),
        computed_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        total_bytes,
        blobs,
        tags: scans.iter().map(|s| s.tags).sum(),
        repositories,
        largest_images: images,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(name: &str, blobs: &[(&str, u64)]) -> RepoScan {
        RepoScan {
            name: name.into(),
            tags: 1,
            blobs: blobs.iter().map(|(d, s)| ((*d).to_string(), *s)).collect(),
            images: vec![("1.0".into(), format!("m-{name}"), blobs.iter().map(|(_, s)| s).sum())],
            ..RepoScan::default()
        }
    }

    #[test]
    fn shared_blobs_count_once_for_the_registry_and_as_shared_for_each_repository() {
        let report =
            aggregate("r", vec![scan("a", &[("base", 100), ("a1", 10)]), scan("b", &[("base", 100), ("b1", 5)])]);
        assert_eq!((report.total_bytes, report.blobs, report.tags), (115, 3, 2));
        let a = &report.repositories[0];
        assert_eq!((a.name.as_str(), a.bytes, a.unique_bytes, a.shared_bytes), ("a", 110, 10, 100));
        let b = &report.repositories[1];
        assert_eq!((b.name.as_str(), b.bytes, b.unique_bytes, b.shared_bytes), ("b", 105, 5, 100));
        assert_eq!(report.largest_images[0].repository, "a");
    }
}
