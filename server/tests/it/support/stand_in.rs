//! What the contract tests for catalogue profiles share: credentials as the
//! harness would export them, the Basic header a stand-in expects, and the
//! operations a registry's capability report says were bound.

use base64::Engine;
use serde_json::Value;

use super::{TestResult, arr};

/// `Authorization: Basic …` for `user` and `password`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Secrets as `scripts/test.sh` would export them for every registry id:
/// `…_USERNAME` is `user`, `…_PASSWORD` is `password`.
pub fn credentials(user: &'static str, password: &'static str) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        if name.ends_with("_USERNAME") {
            Some(user.to_string())
        } else if name.ends_with("_PASSWORD") {
            Some(password.to_string())
        } else {
            None
        }
    }
}

/// The catalogue operations of a registry summary that were found in the
/// document with no drifted field, in report order.
pub fn bound_cleanly(summary: &Value) -> TestResult<Vec<String>> {
    Ok(arr(summary, "operations")?
        .iter()
        .filter(|o| o["api"] == "catalogue" && o["found"] == true && o["drift"].as_array().is_some_and(Vec::is_empty))
        .filter_map(|o| o["operation"].as_str().map(str::to_string))
        .collect())
}
