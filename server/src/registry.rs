//! The runtime registry client. Requests are built from the registry's
//! OpenAPI document (the shipped OCI Distribution document unless the
//! configuration names another), never from hard-coded paths. Every call has
//! a timeout and a response-size limit; redirects go only to allowed hosts.

mod catalogue;
mod client;
mod document;
mod drift;
mod error;
mod fields;
mod guard;
mod manifest;
mod normalize;
mod operations;
mod pagination;
#[cfg(test)]
mod properties;
mod reference;
mod retry;
mod template;
mod token;
mod upstream;

pub use catalogue::{CatalogueClient, Listed, RepositoryRecord, TagRecord, catalogue_base};
pub use client::{FetchedManifest, RegistryClient, transport};
pub use document::{ApiDocument, DocumentError, load_document};
pub use error::RegistryError;
pub use manifest::{ImageConfig, Manifest, parse_config, parse_manifest};
pub use operations::{BoundOperations, CanonicalOperation, bind_operations, find_by_id};
pub use reference::{is_digest, validate_reference, validate_repository};
