//! What every handler can reach.

use std::sync::Arc;

use app::contract::SharedCatalog;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::access::Access;
use crate::catalog::CatalogService;

/// Cheap to clone; handed to axum and, through context, to server functions.
#[derive(Clone)]
pub struct AppState {
    /// Where the site's files are and how Leptos renders.
    pub leptos_options: LeptosOptions,
    /// The catalogue, concrete (REST, health) ...
    pub service: Arc<CatalogService>,
    /// ... and as the contract the pages see.
    pub catalog: SharedCatalog,
    /// Reestr's own users and sessions.
    pub access: Arc<Access>,
    /// Prometheus metrics.
    pub metrics: Arc<super::Metrics>,
    /// The per-address limit on `/api` and `/_fn`.
    pub api_limit: Arc<super::ApiLimit>,
    /// The host names Reestr answers to.
    pub hosts: Arc<super::AllowedHosts>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, service: Arc<CatalogService>, access: Arc<Access>) -> Self {
        let catalog: SharedCatalog = service.clone();
        let metrics = Arc::new(super::Metrics::new(service.cache().clone(), service.storage_jobs().clone()));
        let api_limit = Arc::new(super::ApiLimit::per_minute(600));
        let hosts = Arc::new(super::AllowedHosts::new(access.policy.public_url.as_ref(), &[]));
        Self { leptos_options, service, catalog, access, metrics, api_limit, hosts }
    }

    /// With the host names of `REESTR_ALLOWED_HOSTS` (and the public URL's).
    pub fn with_allowed_hosts(mut self, hosts: super::AllowedHosts) -> Self {
        self.hosts = Arc::new(hosts);
        self
    }

    /// With another API rate limit (`REESTR_API_RATE_PER_MINUTE`).
    pub fn with_api_limit(mut self, limit: super::ApiLimit) -> Self {
        self.api_limit = Arc::new(limit);
        self
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("leptos_options", &self.leptos_options)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}
