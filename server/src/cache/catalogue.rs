//! A catalogue API (Harbor, Docker Hub) seen through the cache, like
//! [`CachedRegistry`](super::CachedRegistry) for the OCI endpoint: listings,
//! repository records and READMEs follow the listing policy, so warm pages
//! make no catalogue request either. Probes stay uncached.

use std::sync::Arc;

use super::{Cache, Policy};
use crate::registry::{
    CanonicalOperation, CanonicalOperation as Op, CatalogueClient, Listed, RegistryError, RepositoryRecord, TagRecord,
};

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
        self.cached(
            Op::ListRepositories,
            "catalogue-repositories",
            &[],
            |c, _| async move { c.list_repositories().await },
        )
        .await
    }

    pub async fn search_repositories(&self, q: &str) -> Result<Arc<Vec<RepositoryRecord>>, RegistryError> {
        self.cached(Op::SearchRepositories, "catalogue-search", &[q], |c, a| async move {
            c.search_repositories(&a[0]).await
        })
        .await
    }

    pub async fn repository(&self, name: &str) -> Result<Arc<RepositoryRecord>, RegistryError> {
        self.cached(Op::GetRepository, "catalogue-repository", &[name], |c, a| async move { c.repository(&a[0]).await })
            .await
    }

    pub async fn readme(&self, name: &str) -> Result<Arc<Option<String>>, RegistryError> {
        self.cached(Op::GetReadme, "catalogue-readme", &[name], |c, a| async move { c.readme(&a[0]).await }).await
    }

    pub async fn list_tags(&self, name: &str) -> Result<Arc<Listed<TagRecord>>, RegistryError> {
        self.cached(Op::ListTags, "catalogue-tags", &[name], |c, a| async move { c.list_tags(&a[0]).await }).await
    }

    /// One tag's own answer (`getTag`).
    pub async fn tag(&self, name: &str, tag: &str) -> Result<Arc<TagRecord>, RegistryError> {
        self.cached(Op::GetTag, "catalogue-tag", &[name, tag], |c, a| async move { c.tag(&a[0], &a[1]).await }).await
    }

    /// The registry scanner's findings for one manifest (`getVulnerabilities`).
    pub async fn vulnerabilities(
        &self,
        name: &str,
        digest: &str,
    ) -> Result<Arc<Option<app::model::Vulnerabilities>>, RegistryError> {
        self.cached(Op::GetVulnerabilities, "catalogue-scan", &[name, digest], |c, a| async move {
            c.vulnerabilities(&a[0], &a[1]).await
        })
        .await
    }

    /// `fetch` through the cache under the listing policy, keyed by `kind`
    /// and `args`, timed as `op` in the upstream metrics, behind the
    /// registry's breaker.
    async fn cached<T, F, Fut>(&self, op: Op, kind: &str, args: &[&str], fetch: F) -> Result<Arc<T>, RegistryError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        F: FnOnce(Arc<CatalogueClient>, Vec<String>) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let client = self.client.clone();
        let key = Cache::key(&self.registry, kind, args);
        let owned: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        let upstream = self.cache.call(&self.registry);
        self.cache
            .get(key, Policy::Listing, move || async move { upstream.run(op.name(), fetch(client, owned)).await })
            .await
    }
}
