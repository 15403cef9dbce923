//! A catalogue API (Harbor, Docker Hub) seen through the cache, like
//! [`CachedRegistry`](super::CachedRegistry) for the OCI endpoint: listings,
//! repository records and READMEs follow the listing policy, so warm pages
//! make no catalogue request either. Probes stay uncached.

use std::sync::Arc;

use super::{Cache, Policy};
use crate::registry::{CanonicalOperation, CatalogueClient, Listed, RegistryError, RepositoryRecord, TagRecord};

/// One registry's catalogue client plus the shared cache.
#[derive(Debug, Clone)]
pub struct CachedCatalogue {
    client: Arc<CatalogueClient>,
    cache: Arc<Cache>,
    registry: String,
}

impl CachedCatalogue {
    pub fn new(registry: &str, client: CatalogueClient, cache: Arc<Cache>) -> Self {
        Self { client: Arc::new(client), cache, registry: registry.to_string() }
    }

    pub fn base(&self) -> &url::Url {
        self.client.base()
    }

    pub fn can(&self, op: CanonicalOperation, fields: &[crate::config::Field]) -> bool {
        self.client.can(op, fields)
    }

    pub async fn probe(&self) -> Result<String, RegistryError> {
        self.client.probe().await
    }

    pub async fn list_repositories(&self) -> Result<Arc<Listed<RepositoryRecord>>, RegistryError> {
        let client = self.client.clone();
        let key = Cache::key(&self.registry, "catalogue-repositories", &[]);
        let (m, r) = (self.cache.upstream_metrics().clone(), self.registry.clone());
        self.cache
            .get(key, Policy::Listing, move || async move {
                m.time(&r, "listRepositories", client.list_repositories()).await
            })
            .await
    }

    pub async fn search_repositories(&self, q: &str) -> Result<Arc<Vec<RepositoryRecord>>, RegistryError> {
        let (client, q) = (self.client.clone(), q.to_string());
        let key = Cache::key(&self.registry, "catalogue-search", &[&q]);
        let (m, r) = (self.cache.upstream_metrics().clone(), self.registry.clone());
        self.cache
            .get(key, Policy::Listing, move || async move {
                m.time(&r, "searchRepositories", client.search_repositories(&q)).await
            })
            .await
    }

    pub async fn repository(&self, name: &str) -> Result<Arc<RepositoryRecord>, RegistryError> {
        let (client, n) = (self.client.clone(), name.to_string());
        let key = Cache::key(&self.registry, "catalogue-repository", &[name]);
        let (m, r) = (self.cache.upstream_metrics().clone(), self.registry.clone());
        self.cache
            .get(key, Policy::Listing, move || async move { m.time(&r, "getRepository", client.repository(&n)).await })
            .await
    }

    pub async fn readme(&self, name: &str) -> Result<Arc<Option<String>>, RegistryError> {
        let (client, n) = (self.client.clone(), name.to_string());
        let key = Cache::key(&self.registry, "catalogue-readme", &[name]);
        let (m, r) = (self.cache.upstream_metrics().clone(), self.registry.clone());
        self.cache
            .get(key, Policy::Listing, move || async move { m.time(&r, "getReadme", client.readme(&n)).await })
            .await
    }

    pub async fn list_tags(&self, name: &str) -> Result<Arc<Listed<TagRecord>>, RegistryError> {
        let (client, n) = (self.client.clone(), name.to_string());
        let key = Cache::key(&self.registry, "catalogue-tags", &[name]);
        let (m, r) = (self.cache.upstream_metrics().clone(), self.registry.clone());
        self.cache
            .get(key, Policy::Listing, move || async move { m.time(&r, "listTags", client.list_tags(&n)).await })
            .await
    }
}
