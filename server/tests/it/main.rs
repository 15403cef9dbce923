//! Reestr's integration tests, one binary (faster to build, one harness):
//! a real Reestr against real registries started by `scripts/test.sh`.

mod access;
mod auth;
mod backoff;
mod browse;
mod cache;
mod catalogue;
mod cli;
mod ghcr;
mod gitlab;
mod hostile;
mod observability;
mod oidc;
mod oidc_tokens;
mod passwords;
mod profiles;
mod quay;
mod registry_access;
mod resync;
mod second_factor;
mod security;
mod storage;
mod streaming;
mod supply;
mod support;
mod transport;
