//! What the pages need from the server, as a trait. The server implements it
//! (`server::catalog`) and hands it to server functions through Leptos
//! context, so this crate sees a contract and never an HTTP client.

use std::sync::Arc;

use crate::error::AppError;
use crate::model::{
    Page, Referrer, RegistryOverview, RegistrySummary, RepoQuery, RepositorySummary, ResyncResult, Sbom, StorageStatus,
    TagDetail, TagNames, TagQuery, TagSummary,
};

/// A page request: where to start and how many items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u32,
}

/// The catalogue as the UI and the REST API see it.
#[async_trait::async_trait]
pub trait Catalog: Send + Sync + 'static {
    /// Every configured registry, without asking any of them.
    fn registries(&self) -> Vec<RegistrySummary>;

    /// One configured registry.
    fn registry(&self, id: &str) -> Result<RegistrySummary, AppError>;

    /// Every registry with a fresh health probe; the probes run concurrently
    /// and each is bounded by a timeout, so a slow registry delays no other.
    async fn overview(&self) -> Vec<RegistryOverview>;

    /// Loads the registry's API document again; a failed fetch keeps the last good one.
    async fn resync(&self, registry: &str) -> Result<ResyncResult, AppError>;

    /// One page of a registry's repositories, sorted by name.
    async fn repositories(
        &self,
        registry: &str,
        query: &RepoQuery,
        page: PageRequest,
    ) -> Result<Page<RepositorySummary>, AppError>;

    /// One repository: its name, and its description and counts when a
    /// catalogue API knows them.
    async fn repository(&self, registry: &str, repository: &str) -> Result<RepositorySummary, AppError>;

    /// The repository's README as sanitised HTML, when its registry has one.
    async fn readme(&self, registry: &str, repository: &str) -> Result<Option<String>, AppError>;

    /// One page of a repository's tags with their manifests resolved.
    async fn tags(
        &self,
        registry: &str,
        repository: &str,
        query: &TagQuery,
        page: PageRequest,
    ) -> Result<Page<TagSummary>, AppError>;

    /// Every tag name the query selects, in its order, without manifests:
    /// what a virtual table scrolls through.
    async fn tag_names(&self, registry: &str, repository: &str, query: &TagQuery) -> Result<TagNames, AppError>;

    /// Table rows for these tags (at most 100), manifests resolved.
    async fn tag_rows(&self, registry: &str, repository: &str, names: Vec<String>)
    -> Result<Vec<TagSummary>, AppError>;

    /// One tag (or digest): manifest, platforms, layers and configuration.
    async fn tag(&self, registry: &str, repository: &str, reference: &str) -> Result<TagDetail, AppError>;

    /// What refers to a manifest: SBOMs, signatures, attestations.
    async fn referrers(&self, registry: &str, repository: &str, digest: &str) -> Result<Vec<Referrer>, AppError>;

    /// The SBOM an artifact manifest carries, parsed.
    async fn sbom(&self, registry: &str, repository: &str, digest: &str) -> Result<Sbom, AppError>;

    /// The registry's storage: the last report and the background job's
    /// progress. Asking starts the job when there is no fresh report.
    async fn storage(&self, registry: &str) -> Result<StorageStatus, AppError>;
}

/// How the catalogue travels through context and router state.
pub type SharedCatalog = Arc<dyn Catalog>;

/// Reestr's own accounts, as the account page sees them. The server
/// implements it over its user store (`server::access`).
#[async_trait::async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// The signed-in user's account (sessions, API tokens), from the
    /// request the page or server function is answering.
    async fn account(&self, request: &http::request::Parts) -> Result<crate::model::Account, AppError>;

    /// Every user and pending invitation (administrators only).
    async fn users(&self, request: &http::request::Parts) -> Result<crate::model::UserAdmin, AppError>;

    /// The authenticator set-up a sign-in waits for when an administrator
    /// requires a second factor (`/login/enrol`; the waiting login is a
    /// cookie on the request).
    async fn login_enrolment(&self, request: &http::request::Parts) -> Result<crate::model::EnrolmentInfo, AppError>;

    /// The single sign-on providers, in configuration order.
    fn sign_in_providers(&self) -> Vec<crate::model::SignInProvider>;
}

pub type SharedAccounts = Arc<dyn Accounts>;
