//! The HTTP surface: pages (Leptos SSR and server functions), the REST
//! API, health, and the static site.

mod assets;
pub(crate) mod auth;
pub mod client_addr;
mod executor;
pub(crate) mod extract;
mod health;
mod host;
pub mod listen;
mod metrics;
pub(crate) mod openapi;
mod page_status;
pub(crate) mod problem;
mod rate_limit;
mod request_id;
mod request_life;
mod rest;
mod router;
mod scope;
mod state;
pub(crate) mod surface;

pub use host::AllowedHosts;
pub use metrics::Metrics;
pub use openapi::document_json as openapi_json;
pub use rate_limit::ApiLimit;
pub use router::{router, site_options};
pub use state::AppState;
