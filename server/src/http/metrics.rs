//! `/metrics` in the Prometheus text format (prometheus-client: the
//! Prometheus project's own Rust client, one registry per server, no global
//! state): request durations by route, method and status, registry call
//! durations and errors by registry and operation, and the cache's counters
//! by tier, read from the cache at each scrape, and the storage jobs' progress.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::cache::Cache;
use crate::catalog::storage::StorageJobs;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    /// The route's pattern (`/api/registries/{id}`), never the raw path.
    route: String,
    /// One of a closed set ([`method_label`]): a made-up method must not
    /// become a label of its own.
    method: &'static str,
    status: u16,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http: Family<HttpLabels, Histogram>,
}

impl Metrics {
    pub fn new(cache: Arc<Cache>, storage: Arc<StorageJobs>) -> Self {
        let mut registry = Registry::with_prefix("reestr");
        // 1 ms … 16 s.
        let http = Family::<HttpLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", http.clone());
        let upstream = cache.upstream_metrics().clone();
        registry.register("upstream_request_duration_seconds", "Time a registry call took", upstream.duration);
        registry.register("upstream_errors", "Registry calls that failed, by error kind", upstream.errors);
        let breakers = cache.breakers();
        registry.register("breaker_open", "1 while a registry's circuit breaker is open", breakers.open.clone());
        registry.register("breaker_opened", "Times a registry's circuit breaker opened", breakers.opened.clone());
        registry.register(
            "breaker_refused",
            "Registry calls an open breaker answered without a request",
            breakers.refused.clone(),
        );
        registry.register_collector(Box::new(CacheCollector { cache }));
        registry.register_collector(Box::new(StorageCollector { jobs: storage }));
        Self { registry, http }
    }

    fn observe(&self, route: String, method: &'static str, status: u16, seconds: f64) {
        self.http.get_or_create(&HttpLabels { route, method, status }).observe(seconds);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "could not encode the metrics");
        }
        out
    }
}

/// The cache's counters at scrape time (names get the registry's `reestr_` prefix).
#[derive(Debug)]
struct CacheCollector {
    cache: Arc<Cache>,
}

impl Collector for CacheCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = self.cache.stats();
        let lookups: [(&str, &str, u64); 5] = [
            ("memory", "hit", s.memory_hits),
            ("redis", "hit", s.redis_hits),
            ("upstream", "miss", s.misses),
            ("memory", "stale", s.stale_served),
            ("memory", "coalesced", s.coalesced),
        ];
        let mut family = encoder.encode_descriptor(
            "cache_lookups",
            "Cache lookups by tier and result",
            None,
            ConstCounter::<u64>::new(0).metric_type(),
        )?;
        for (tier, result, n) in lookups {
            ConstCounter::new(n).encode(family.encode_family(&[("tier", tier), ("result", result)])?)?;
        }
        let writes = ConstCounter::new(s.redis_writes);
        writes.encode(encoder.encode_descriptor(
            "cache_redis_writes",
            "Values written to Redis",
            None,
            writes.metric_type(),
        )?)?;
        for (name, help, value) in [
            ("cache_memory_entries", "Entries in the memory tier", s.memory_entries),
            ("cache_memory_bytes", "Weight of the memory tier in bytes", s.memory_bytes),
            ("cache_redis_up", "1 when Redis is configured and answers", u64::from(s.redis_connected)),
        ] {
            let g = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
            g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        Ok(())
    }
}

/// The storage jobs' progress at scrape time, one series per registry this
/// replica has counted.
#[derive(Debug)]
struct StorageCollector {
    jobs: Arc<StorageJobs>,
}

impl Collector for StorageCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let jobs = self.jobs.progress();
        let gauge = |n: u64| ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX));
        type Field = fn(&crate::catalog::storage::JobProgress) -> u64;
        let gauges: [(&str, &str, Field); 5] = [
            ("storage_job_running", "1 while this replica counts the registry's storage", |j| u64::from(j.running)),
            ("storage_job_repositories_done", "Repositories scanned in the current or last count", |j| j.done),
            ("storage_job_repositories", "Repositories to scan in the current or last count", |j| j.total),
            ("storage_job_failed", "1 when the last count failed", |j| u64::from(j.failed)),
            ("storage_job_last_duration_milliseconds", "How long the last finished count took", |j| j.last_run_millis),
        ];
        for (name, help, field) in gauges {
            let mut family = encoder.encode_descriptor(name, help, None, gauge(0).metric_type())?;
            for j in &jobs {
                gauge(field(j)).encode(family.encode_family(&[("registry", j.registry.as_str())])?)?;
            }
        }
        let mut family = encoder.encode_descriptor(
            "storage_job_runs",
            "Counts this replica finished",
            None,
            ConstCounter::<u64>::new(0).metric_type(),
        )?;
        for j in &jobs {
            ConstCounter::new(j.finished_runs).encode(family.encode_family(&[("registry", j.registry.as_str())])?)?;
        }
        Ok(())
    }
}

/// The `method` label: the methods Reestr's routes know, else `other`. Any
/// token is a valid HTTP method, so the raw string would let anyone add
/// labels (memory) without end.
pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The `route` label: the matched route's pattern (a closed set: the
/// router's own routes), `/pkg/{file}` for the site's files, else `other`.
fn route_label(req: &Request) -> String {
    match req.extensions().get::<MatchedPath>() {
        Some(m) => m.as_str().to_string(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/{file}".into(),
        None => "other".into(),
    }
}

/// Times every request by its route pattern. Every label is from a closed
/// set: route patterns, eight method names, and the status the server
/// itself chose.
pub async fn measure(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = route_label(&req);
    let method = method_label(req.method());
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics.observe(route, method, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

/// Prometheus metrics (OpenMetrics text): HTTP, upstream, cache, storage counts.
#[utoipa::path(get, path = "/metrics", tag = "health", security(()), responses(
    (status = 200, description = "OpenMetrics text", body = String, content_type = "application/openmetrics-text")))]
pub async fn metrics(State(metrics): State<Arc<Metrics>>) -> Response {
    let mut resp = metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    resp
}
