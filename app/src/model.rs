//! The data Reestr shows, shared by the server, the REST API and the WASM
//! front end. Field names are camelCase on the wire and stay stable: scripts
//! read them through the REST API.

mod registry;
mod repository;
mod tag;

pub use registry::{HealthStatus, OperationCheck, RegistryHealth, RegistryOverview, RegistrySummary, ResyncResult};
pub use repository::{Page, RepositorySummary};
pub use tag::{Descriptor, ImageDetail, Platform, TagDetail, TagSummary};
