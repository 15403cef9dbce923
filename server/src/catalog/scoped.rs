//! The catalogue as one request may see it: every call about a registry
//! outside the caller's reach fails as for a registry nobody configured
//! (404, same message), the lists leave such registries out, and a resync
//! needs the administrator role in that registry. Pages, server functions
//! and the REST API all go through it (`http::scope` builds one per
//! request), so no route can forget the check.

use std::sync::Arc;

use app::contract::{Catalog, PageRequest};
use app::error::{AppError, ErrorKind};
use app::model::{
    Page, Referrer, RegistryOverview, RegistrySummary, RepoQuery, RepositorySummary, ResyncResult, Role, Sbom,
    StorageStatus, TagDetail, TagNames, TagQuery, TagSummary,
};

use super::{CatalogService, unknown_registry};
use crate::access::reach::Reach;

/// A catalogue narrowed to a [`Reach`].
#[derive(Debug)]
pub struct Scoped {
    inner: Arc<CatalogService>,
    reach: Reach,
}

impl Scoped {
    pub fn new(inner: Arc<CatalogService>, reach: Reach) -> Self {
        Self { inner, reach }
    }

    fn check(&self, registry: &str) -> Result<(), AppError> {
        if self.reach.sees(registry) { Ok(()) } else { Err(unknown_registry(registry)) }
    }
}

#[async_trait::async_trait]
impl Catalog for Scoped {
    fn registries(&self) -> Vec<RegistrySummary> {
        self.inner.registries().into_iter().filter(|r| self.reach.sees(&r.id)).collect()
    }

    fn registry(&self, id: &str) -> Result<RegistrySummary, AppError> {
        self.check(id)?;
        self.inner.registry(id)
    }

    async fn overview(&self) -> Vec<RegistryOverview> {
        self.inner.overview_of(|id| self.reach.sees(id)).await
    }

    async fn resync(&self, registry: &str) -> Result<ResyncResult, AppError> {
        match self.reach.role_in(registry) {
            None => Err(unknown_registry(registry)),
            Some(Role::Viewer) => {
                Err(AppError::new(ErrorKind::NotAllowed, "only administrators of this registry may resync it"))
            }
            Some(Role::Admin) => self.inner.resync(registry).await,
        }
    }

    async fn repositories(
        &self,
        registry: &str,
        query: &RepoQuery,
        page: PageRequest,
    ) -> Result<Page<RepositorySummary>, AppError> {
        self.check(registry)?;
        self.inner.repositories(registry, query, page).await
    }

    async fn repository(&self, registry: &str, repository: &str) -> Result<RepositorySummary, AppError> {
        self.check(registry)?;
        self.inner.repository(registry, repository).await
    }

    async fn readme(&self, registry: &str, repository: &str) -> Result<Option<String>, AppError> {
        self.check(registry)?;
        self.inner.readme(registry, repository).await
    }

    async fn tags(
        &self,
        registry: &str,
        repository: &str,
        query: &TagQuery,
        page: PageRequest,
    ) -> Result<Page<TagSummary>, AppError> {
        self.check(registry)?;
        self.inner.tags(registry, repository, query, page).await
    }

    async fn tag_names(&self, registry: &str, repository: &str, query: &TagQuery) -> Result<TagNames, AppError> {
        self.check(registry)?;
        self.inner.tag_names(registry, repository, query).await
    }

    async fn tag_rows(
        &self,
        registry: &str,
        repository: &str,
        names: Vec<String>,
    ) -> Result<Vec<TagSummary>, AppError> {
        self.check(registry)?;
        self.inner.tag_rows(registry, repository, names).await
    }

    async fn tag(&self, registry: &str, repository: &str, reference: &str) -> Result<TagDetail, AppError> {
        self.check(registry)?;
        self.inner.tag(registry, repository, reference).await
    }

    async fn referrers(&self, registry: &str, repository: &str, digest: &str) -> Result<Vec<Referrer>, AppError> {
        self.check(registry)?;
        self.inner.referrers(registry, repository, digest).await
    }

    async fn sbom(&self, registry: &str, repository: &str, digest: &str) -> Result<Sbom, AppError> {
        self.check(registry)?;
        self.inner.sbom(registry, repository, digest).await
    }

    async fn storage(&self, registry: &str) -> Result<StorageStatus, AppError> {
        self.check(registry)?;
        self.inner.storage(registry).await
    }
}
