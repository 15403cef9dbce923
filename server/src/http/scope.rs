//! The catalogue one request may see ([`Scoped`]): the registries the
//! caller's grants reach from the client's address (resolved through
//! `REESTR_TRUSTED_PROXIES`), each registry's `access.allowFrom` applied.
//! REST handlers take it as the [`Visible`] extractor; pages and server
//! functions find it in Leptos context (the router provides it per
//! request), so every route sees the same registries.

use std::sync::Arc;

use app::contract::SharedCatalog;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use super::AppState;
use super::client_addr::client_addr;
use crate::access::Principal;
use crate::access::reach::Reach;
use crate::catalog::{CatalogService, Scoped};

/// What the request reaches: nothing without a principal (the gate puts
/// one on every request it lets through signed in, or under open access).
pub fn reach(service: &CatalogService, extensions: &Extensions, headers: &HeaderMap) -> Reach {
    let Some(principal) = extensions.get::<Principal>() else { return Reach::nothing() };
    let entries = service.entries();
    let registries = entries.iter().map(|e| (e.config.id.as_str(), e.config.allow_from.as_slice()));
    Reach::of(&principal.user.grants, client_addr(extensions, headers), registries)
}

/// The catalogue narrowed to what the request reaches.
pub fn catalog(service: &Arc<CatalogService>, extensions: &Extensions, headers: &HeaderMap) -> SharedCatalog {
    Arc::new(Scoped::new(service.clone(), reach(service, extensions, headers)))
}

/// The catalogue this REST request may see.
pub struct Visible(pub SharedCatalog);

impl FromRequestParts<AppState> for Visible {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(catalog(&state.service, &parts.extensions, &parts.headers)))
    }
}

/// What this request reaches, for handlers that list registries without
/// the catalogue (health).
pub struct Reached(pub Reach);

impl FromRequestParts<AppState> for Reached {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(reach(&state.service, &parts.extensions, &parts.headers)))
    }
}
