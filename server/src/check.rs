//! `reestr check`: validates the configuration, loads each registry's API
//! document, and prints one report per registry. Usable in a config
//! repository's CI: the exit status is non-zero on any error.

use std::fmt::Write;
use std::path::Path;

use app::model::HealthStatus;

use crate::catalog::{CatalogService, probe};
use crate::config::load_file;

/// The report text and whether everything was fine.
pub async fn run(path: &Path, with_probe: bool) -> (String, bool) {
    let config = match load_file(path) {
        Ok(c) => c,
        Err(errors) => {
            let n = errors.0.len();
            return (
                format!("{errors}\n\n{} error{} in {}\n", n, if n == 1 { "" } else { "s" }, path.display()),
                false,
            );
        }
    };
    let service = CatalogService::build(&config).await;
    let mut out = String::new();
    let mut ok = true;
    let n = service.entries().len();
    let _ = writeln!(out, "{}: {n} registr{}", config.source, if n == 1 { "y" } else { "ies" });
    for entry in service.entries() {
        let s = &entry.summary;
        let _ = writeln!(out, "\n{} — {}", s.id, s.display_name);
        let _ = writeln!(out, "  endpoint  {}", s.base_url);
        if let Some(u) = entry.catalogue_url() {
            let _ = writeln!(out, "  catalogue {u}");
        }
        let _ = writeln!(out, "  auth      {}", s.auth_mode);
        let _ = writeln!(out, "  api       {}", s.api_document);
        for repair in &entry.document_repairs {
            let _ = writeln!(out, "  repaired  {repair}");
        }
        let mut section = "";
        for op in &s.operations {
            if op.api != section {
                section = &op.api;
                let title = if section == "catalogue" { "catalogue API" } else { "registry API (OCI)" };
                let _ = writeln!(out, "  {title}:");
            }
            let mark = if op.found && !op.drift.is_empty() {
                "DRIFTED"
            } else if op.found {
                "found  "
            } else if op.required {
                "MISSING"
            } else {
                "absent "
            };
            let _ = writeln!(out, "    {mark} {:<19} {}", op.operation, op.detail);
        }
        if let Some(e) = &entry.catalogue_error {
            ok = false;
            let _ = writeln!(out, "  catalogue error: {e}");
        }
        if with_probe && entry.problem.is_none() {
            let health = probe(&entry).await;
            let line = match (&health.status, &health.message) {
                (HealthStatus::Healthy, _) => format!("healthy ({} ms)", health.latency_ms),
                (status, Some(m)) => format!("{}: {m}", status.label()),
                (status, None) => status.label().to_string(),
            };
            if health.status != HealthStatus::Healthy {
                ok = false;
            }
            let _ = writeln!(out, "  probe     {line}");
            match entry.probe_catalogue().await {
                None => {}
                Some(Ok(sample)) => {
                    let _ = writeln!(out, "  probe     catalogue API answers: {sample}");
                }
                Some(Err(e)) => {
                    ok = false;
                    let _ = writeln!(out, "  probe     catalogue API: {e}");
                }
            }
        }
        match &entry.problem {
            None => {
                let _ = writeln!(out, "  result    ok");
            }
            Some(p) => {
                ok = false;
                let _ = writeln!(out, "  result    error: {p}");
            }
        }
    }
    (out, ok)
}
