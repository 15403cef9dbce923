//! The HTTP surface: pages (Leptos SSR and server functions), the REST
//! API, health, and the static site.

mod health;
pub(crate) mod problem;
mod rest;
mod router;
mod state;

pub use router::{router, site_options};
pub use state::AppState;
