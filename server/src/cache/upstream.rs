//! A registry client seen through the cache: the same calls the catalogue
//! makes, each answered from the cache when it can be. Content addressed by
//! digest is fetched once, ever; a tag's manifest and the listings follow
//! the listing policy; "not found" on a tag is remembered like a listing,
//! so probing for optional tags (cosign `.sig`, referrer fallbacks) costs
//! nothing on a warm page.

use std::sync::Arc;

use super::{Cache, Policy};
use crate::registry::{FetchedManifest, RegistryClient, RegistryError, is_digest};

/// One registry's client plus the shared cache.
#[derive(Debug, Clone)]
pub struct CachedRegistry {
    client: Arc<RegistryClient>,
    cache: Arc<Cache>,
    registry: String,
}

impl CachedRegistry {
    pub fn new(registry: &str, client: RegistryClient, cache: Arc<Cache>) -> Self {
        Self { client: Arc::new(client), cache, registry: registry.to_string() }
    }

    /// The client itself, for calls that must not be cached (probes).
    pub fn uncached(&self) -> &RegistryClient {
        &self.client
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    pub async fn list_repositories(&self) -> Result<Arc<Vec<String>>, RegistryError> {
        let client = self.client.clone();
        let key = Cache::key(&self.registry, "repositories", &[]);
        let call = self.cache.call(&self.registry);
        self.cache
            .get(
                key,
                Policy::Listing,
                move || async move { call.run("listRepositories", client.list_repositories()).await },
            )
            .await
    }

    pub async fn list_tags(&self, repository: &str) -> Result<Arc<Vec<String>>, RegistryError> {
        let (client, repo) = (self.client.clone(), repository.to_string());
        let key = Cache::key(&self.registry, "tags", &[repository]);
        let call = self.cache.call(&self.registry);
        self.cache
            .get(key, Policy::Listing, move || async move { call.run("listTags", client.list_tags(&repo)).await })
            .await
    }

    /// A manifest by digest (immutable) or by tag (a listing; a missing tag
    /// is remembered as missing for as long).
    pub async fn get_manifest(&self, repository: &str, reference: &str) -> Result<Arc<FetchedManifest>, RegistryError> {
        let (client, repo, reference_owned) = (self.client.clone(), repository.to_string(), reference.to_string());
        let call = self.cache.call(&self.registry);
        if is_digest(reference) {
            let key = Cache::key(&self.registry, "manifest", &[repository, reference]);
            return self
                .cache
                .get(key, Policy::Immutable, move || async move {
                    call.run("getManifest", client.get_manifest(&repo, &reference_owned)).await
                })
                .await;
        }
        let key = Cache::key(&self.registry, "tag", &[repository, reference]);
        let found: Arc<Option<FetchedManifest>> = self
            .cache
            .get(key, Policy::Listing, move || async move {
                match call.run("getManifest", client.get_manifest(&repo, &reference_owned)).await {
                    Ok(m) => Ok(Some(m)),
                    Err(RegistryError::NotFound(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        match &*found {
            Some(m) => Ok(Arc::new(m.clone())),
            None => Err(RegistryError::NotFound(format!("manifest `{repository}:{reference}`"))),
        }
    }

    /// An image configuration, by digest: fetched once, ever.
    pub async fn get_config_blob(&self, repository: &str, digest: &str) -> Result<Arc<Vec<u8>>, RegistryError> {
        let (client, repo, d) = (self.client.clone(), repository.to_string(), digest.to_string());
        let key = Cache::key(&self.registry, "blob", &[repository, digest]);
        let call = self.cache.call(&self.registry);
        self.cache
            .get(
                key,
                Policy::Immutable,
                move || async move { call.run("getBlob", client.get_config_blob(&repo, &d)).await },
            )
            .await
    }

    /// Any blob up to `limit` bytes (an SBOM), by digest: fetched once, ever.
    pub async fn get_blob(
        &self,
        repository: &str,
        digest: &str,
        limit: u64,
        what: &'static str,
    ) -> Result<Arc<Vec<u8>>, RegistryError> {
        let (client, repo, d) = (self.client.clone(), repository.to_string(), digest.to_string());
        let key = Cache::key(&self.registry, "blob", &[repository, digest]);
        let call = self.cache.call(&self.registry);
        self.cache
            .get(key, Policy::Immutable, move || async move {
                call.run("getBlob", client.get_blob(&repo, &d, limit, what)).await
            })
            .await
    }

    /// The referrers index of `digest` (`None`: no referrers API).
    pub async fn list_referrers(&self, repository: &str, digest: &str) -> Result<Arc<Option<Vec<u8>>>, RegistryError> {
        let (client, repo, d) = (self.client.clone(), repository.to_string(), digest.to_string());
        let key = Cache::key(&self.registry, "referrers", &[repository, digest]);
        let call = self.cache.call(&self.registry);
        self.cache
            .get(key, Policy::Referrers, move || async move {
                call.run("listReferrers", client.list_referrers(&repo, &d)).await
            })
            .await
    }

    pub fn can_read_blobs(&self) -> bool {
        self.client.can_read_blobs()
    }
}
