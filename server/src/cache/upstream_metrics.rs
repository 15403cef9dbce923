//! How long registry calls take and how they fail, by registry and
//! operation: recorded where every upstream call starts (the cache's fetch
//! closures), exported by `/metrics`.

use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

use crate::registry::RegistryError;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub registry: String,
    pub operation: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub registry: String,
    pub operation: String,
    /// `notFound`, `unauthorized`, `timeout`, … (the error kind).
    pub kind: String,
}

/// The families; cloning shares them.
#[derive(Debug, Clone)]
pub struct UpstreamMetrics {
    pub duration: Family<CallLabels, Histogram>,
    pub errors: Family<ErrorLabels, Counter>,
}

impl Default for UpstreamMetrics {
    fn default() -> Self {
        Self {
            // 5 ms … 20 s.
            duration: Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.005, 2.0, 13))),
            errors: Family::default(),
        }
    }
}

impl UpstreamMetrics {
    /// Runs one upstream call, timing it and counting its failure.
    pub async fn time<T>(
        &self,
        registry: &str,
        operation: &str,
        call: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        let started = Instant::now();
        let result = call.await;
        let labels = CallLabels { registry: registry.to_string(), operation: operation.to_string() };
        self.duration.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
        if let Err(e) = &result {
            let kind = kind_of(e).to_string();
            self.errors
                .get_or_create(&ErrorLabels { registry: labels.registry, operation: labels.operation, kind })
                .inc();
        }
        result
    }
}

/// A short label for an error kind (bounded: one per variant).
fn kind_of(e: &RegistryError) -> &'static str {
    match e {
        RegistryError::Unauthorized => "unauthorized",
        RegistryError::Forbidden => "forbidden",
        RegistryError::NotFound(_) => "notFound",
        RegistryError::RateLimited { .. } => "rateLimited",
        RegistryError::Unavailable(_) => "unavailable",
        RegistryError::Timeout(_) => "timeout",
        RegistryError::InvalidResponse(_) => "invalidResponse",
        RegistryError::TooLarge { .. } => "tooLarge",
        RegistryError::HostNotAllowed(_) | RegistryError::SensitiveAddress(_) => "hostRefused",
        RegistryError::BadRequest(_) => "badRequest",
        RegistryError::MissingOperation(_) | RegistryError::NotConfigured(_) => "unsupported",
    }
}
