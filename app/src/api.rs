//! Server functions: thin calls from the pages into the server's catalogue.
//! Each fetches the catalogue from context and forwards; no logic lives here.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    Page, Referrer, RegistryOverview, RegistrySummary, RepoQuery, RepositorySummary, ResyncResult, Sbom, StorageStatus,
    TagDetail, TagNames, TagQuery, TagSummary,
};

/// Items per page in the UI listings.
pub const PAGE_SIZE: u32 = 50;

#[cfg(feature = "ssr")]
fn catalog() -> Result<crate::contract::SharedCatalog, AppError> {
    use_context::<crate::contract::SharedCatalog>()
        .ok_or_else(|| AppError::internal("the catalogue is not available in this context"))
}

#[cfg(feature = "ssr")]
fn page_request(page: u32) -> crate::contract::PageRequest {
    crate::contract::PageRequest { offset: u64::from(page.saturating_sub(1)) * u64::from(PAGE_SIZE), limit: PAGE_SIZE }
}

/// Every registry with its health, for the home page.
#[server(prefix = "/_fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Vec<RegistryOverview>, AppError> {
    Ok(catalog()?.overview().await)
}

/// One registry's configuration summary.
#[server(prefix = "/_fn", endpoint = "registry")]
pub async fn get_registry(registry: String) -> Result<RegistrySummary, AppError> {
    catalog()?.registry(&registry)
}

/// Page `page` (from 1) of a registry's repositories.
#[server(prefix = "/_fn", endpoint = "repositories")]
pub async fn list_repositories(
    registry: String,
    query: RepoQuery,
    page: u32,
) -> Result<Page<RepositorySummary>, AppError> {
    catalog()?.repositories(&registry, &query, page_request(page)).await
}

/// One repository's description and counts.
#[server(prefix = "/_fn", endpoint = "repository")]
pub async fn get_repository(registry: String, repository: String) -> Result<RepositorySummary, AppError> {
    catalog()?.repository(&registry, &repository).await
}

/// The repository's README as sanitised HTML (`None` without one).
#[server(prefix = "/_fn", endpoint = "readme")]
pub async fn get_readme(registry: String, repository: String) -> Result<Option<String>, AppError> {
    catalog()?.readme(&registry, &repository).await
}

/// Page `page` (from 1) of a repository's tags.
#[server(prefix = "/_fn", endpoint = "tags")]
pub async fn list_tags(
    registry: String,
    repository: String,
    query: TagQuery,
    page: u32,
) -> Result<Page<TagSummary>, AppError> {
    catalog()?.tags(&registry, &repository, &query, page_request(page)).await
}

/// Every tag name the query selects (for the virtual tags table).
#[server(prefix = "/_fn", endpoint = "tag_names")]
pub async fn list_tag_names(registry: String, repository: String, query: TagQuery) -> Result<TagNames, AppError> {
    catalog()?.tag_names(&registry, &repository, &query).await
}

/// Table rows for up to 100 tags.
#[server(prefix = "/_fn", endpoint = "tag_rows")]
pub async fn get_tag_rows(
    registry: String,
    repository: String,
    names: Vec<String>,
) -> Result<Vec<TagSummary>, AppError> {
    catalog()?.tag_rows(&registry, &repository, names).await
}

/// One tag's manifest, platforms, layers and configuration.
#[server(prefix = "/_fn", endpoint = "tag")]
pub async fn get_tag(registry: String, repository: String, reference: String) -> Result<TagDetail, AppError> {
    catalog()?.tag(&registry, &repository, &reference).await
}

/// What refers to a manifest (SBOMs, signatures, attestations).
#[server(prefix = "/_fn", endpoint = "referrers")]
pub async fn list_referrers(registry: String, repository: String, digest: String) -> Result<Vec<Referrer>, AppError> {
    catalog()?.referrers(&registry, &repository, &digest).await
}

/// One SBOM, parsed: format, package count, packages.
#[server(prefix = "/_fn", endpoint = "sbom")]
pub async fn get_sbom(registry: String, repository: String, digest: String) -> Result<Sbom, AppError> {
    catalog()?.sbom(&registry, &repository, &digest).await
}

/// The registry's storage report and the progress of its count.
#[server(prefix = "/_fn", endpoint = "storage")]
pub async fn get_storage(registry: String) -> Result<StorageStatus, AppError> {
    catalog()?.storage(&registry).await
}

/// Reloads a registry's API document ("Resync schema").
#[server(prefix = "/_fn", endpoint = "resync")]
pub async fn resync_registry(registry: String) -> Result<ResyncResult, AppError> {
    // The request's catalogue refuses callers who do not administer it.
    catalog()?.resync(&registry).await
}

/// The signed-in user (absent on the login and setup pages).
#[server(prefix = "/_fn", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<crate::model::Viewer>, AppError> {
    Ok(use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<crate::model::Viewer>().cloned()))
}

/// The signed-in user's sessions and API tokens; a token made just now is
/// in it once (its cookie is cleared on the way out).
#[server(prefix = "/_fn", endpoint = "account")]
pub async fn get_account() -> Result<crate::model::Account, AppError> {
    let (accounts, parts) = accounts_and_request()?;
    let account = accounts.account(&parts).await?;
    if account.new_token.is_some() {
        clear_flash_cookie("reestr_new_token");
    }
    if account.second_factor.new_recovery_codes.is_some() {
        clear_flash_cookie("reestr_new_codes");
    }
    Ok(account)
}

/// Users and invitations, for administrators; an invitation or reset link
/// made just now is in it once (its cookie is cleared on the way out).
#[server(prefix = "/_fn", endpoint = "users")]
pub async fn get_users() -> Result<crate::model::UserAdmin, AppError> {
    let (accounts, parts) = accounts_and_request()?;
    let admin = accounts.users(&parts).await?;
    if admin.new_invitation.is_some() {
        clear_flash_cookie("reestr_new_invite");
    }
    if admin.new_reset.is_some() {
        clear_flash_cookie("reestr_new_reset");
    }
    Ok(admin)
}

/// The single sign-on providers the login page offers (anyone may ask).
#[server(prefix = "/_fn", endpoint = "sign_in_providers")]
pub async fn get_sign_in_providers() -> Result<Vec<crate::model::SignInProvider>, AppError> {
    let (accounts, _) = accounts_and_request()?;
    Ok(accounts.sign_in_providers())
}

/// The authenticator set-up a sign-in waits for (no session yet: the
/// waiting login's cookie says whose).
#[server(prefix = "/_fn", endpoint = "login_enrolment")]
pub async fn get_login_enrolment() -> Result<crate::model::EnrolmentInfo, AppError> {
    let (accounts, parts) = accounts_and_request()?;
    accounts.login_enrolment(&parts).await
}

#[cfg(feature = "ssr")]
fn accounts_and_request() -> Result<(crate::contract::SharedAccounts, http::request::Parts), AppError> {
    let accounts = use_context::<crate::contract::SharedAccounts>()
        .ok_or_else(|| AppError::internal("accounts are not available in this context"))?;
    let parts =
        use_context::<http::request::Parts>().ok_or_else(|| AppError::internal("no request in this context"))?;
    Ok((accounts, parts))
}

/// Ends a one-time cookie (a just-made token or invitation link) once the
/// page has shown it.
#[cfg(feature = "ssr")]
fn clear_flash_cookie(name: &str) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) =
            http::HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
