//! Reestr's server: configuration, the registry client, the catalogue
//! service and the HTTP surface. The binary in `main.rs` is a thin CLI over
//! this library, which the integration tests drive directly.

pub mod access;
pub mod cache;
pub mod catalog;
pub mod check;
pub mod config;
pub mod http;
pub mod profiles;
pub mod registry;
