//! Reestr's server: configuration, the registry client, the catalogue
//! service and the HTTP surface. The binary in `main.rs` is a thin CLI over
//! this library, which the integration tests drive directly.

// The release build computes the layout of the pages' view futures (each
// page a lazy route's async view), deeper than the default limit of 128.
#![recursion_limit = "256"]

pub mod access;
pub mod cache;
pub mod catalog;
pub mod check;
pub mod config;
pub mod http;
pub mod profiles;
pub mod registry;
