//! The one axum router: REST, health, server functions, pages, files.

use std::net::SocketAddr;
use std::sync::OnceLock;

use app::{App, shell};
use axum::Router;
use axum::http::Uri;
use axum::routing::{get, post};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use super::auth::gate::gate;
use super::auth::headers::security_headers;
use super::auth::routes as access_routes;
use super::problem::Problem;
use super::{AppState, health, rest};

/// The page routes, generated once per process. Generating them runs the
/// app with resource loading suppressed process-wide (leptos_server's
/// `SuppressResourceLoad`), so a second generation while another router
/// serves (the integration tests build one per test) could leave a page's
/// resources pending forever: leptos-rs/leptos#4773.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    super::executor::install();
    let routes = routes();
    let catalog = state.catalog.clone();
    let accounts: app::contract::SharedAccounts = state.access.clone();
    let access = state.access.clone();
    let options = state.leptos_options.clone();
    let api = Router::new()
        .route("/openapi.json", get(super::openapi::openapi_json))
        .route("/registries", get(rest::registries))
        .route("/registries/{id}", get(rest::registry))
        .route("/registries/{id}/resync", post(rest::resync))
        .route("/registries/{id}/storage", get(rest::storage))
        .route("/registries/{id}/repositories", get(rest::repositories))
        .route("/registries/{id}/repositories/{*rest}", get(rest::repository_path))
        .with_state(state.clone())
        .merge(access_routes::api_routes().with_state(access.clone()))
        .fallback(api_not_found);
    let metrics = state.metrics.clone();
    let api_limit = state.api_limit.clone();
    let hosts = state.hosts.clone();
    let pkg = static_files(&state.leptos_options);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(super::metrics::metrics).with_state(metrics.clone()))
        .nest("/api", api)
        .nest_service("/pkg", pkg)
        .merge(access_routes::form_routes().with_state(access.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(catalog.clone());
                provide_context(accounts.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        .layer(axum::middleware::from_fn(super::request_life::request_life))
        .layer(axum::middleware::from_fn_with_state(access, gate))
        .layer(axum::middleware::from_fn_with_state(api_limit, super::rate_limit::limit_api))
        .layer(axum::middleware::from_fn_with_state(hosts, super::host::check_host))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(metrics, super::metrics::measure))
        .layer(axum::middleware::from_fn(super::request_id::request_id))
}

/// The front end's files, with the `.br` and `.gz` copies the release build
/// writes beside them (brotli 11, gzip 9) sent as they are; without them
/// the compression layer compresses on the fly. Copies older than their
/// file (a debug build over a release one) would send stale code, so then
/// none is used.
fn static_files(options: &LeptosOptions) -> ServeDir {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let serve = ServeDir::new(&dir);
    let stale = stale_copies(&dir);
    if stale.is_empty() {
        serve.precompressed_br().precompressed_gzip()
    } else {
        tracing::warn!(files = ?stale, "compressed copies older than their files: compressing on the fly instead");
        serve
    }
}

/// `.br`/`.gz` files in `dir` older than the file they compress (by more
/// than two seconds: compressors copy the file's time, at coarser precision).
fn stale_copies(dir: &std::path::Path) -> Vec<String> {
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "br" || x == "gz"))
        .filter(|copy| {
            let original = copy.with_extension("");
            matches!((modified(copy), modified(&original)),
                (Some(c), Some(o)) if c + std::time::Duration::from_secs(2) < o)
        })
        .map(|p| p.display().to_string())
        .collect()
}

async fn api_not_found(uri: Uri) -> Problem {
    app::error::AppError::not_found(format!("no API route `{}`", uri.path())).into()
}

/// Leptos options from the environment cargo-leptos sets (`LEPTOS_SITE_ROOT`,
/// `LEPTOS_SITE_ADDR`, `LEPTOS_ENV`, `LEPTOS_RELOAD_PORT`), with defaults
/// that match `Cargo.toml`'s `[[workspace.metadata.leptos]]`.
pub fn site_options() -> Result<LeptosOptions, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let addr: SocketAddr = var("LEPTOS_SITE_ADDR")
        .unwrap_or_else(|| "127.0.0.1:3000".into())
        .parse()
        .map_err(|e| format!("LEPTOS_SITE_ADDR: {e}"))?;
    let env = match var("LEPTOS_ENV").as_deref() {
        Some("PROD" | "prod" | "production") => Env::PROD,
        _ => Env::DEV,
    };
    let reload_port = match var("LEPTOS_RELOAD_PORT") {
        Some(p) => p.parse().map_err(|e| format!("LEPTOS_RELOAD_PORT: {e}"))?,
        None => 3001,
    };
    Ok(LeptosOptions::builder()
        .output_name("reestr")
        .site_root(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
        .site_addr(addr)
        .env(env)
        .reload_port(reload_port)
        .build())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn compressed_copies_older_than_their_file_are_found() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("reestr-pkg-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let touch = |name: &str, age: u64| -> std::io::Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, name)?;
            std::fs::File::options().write(true).open(&path)?.set_modified(SystemTime::now() - Duration::from_secs(age))
        };
        touch("app.wasm", 10)?;
        touch("app.wasm.br", 5)?; // newer: fine
        touch("app.css", 10)?;
        touch("app.css.br", 11)?; // a second older: the compressor's copied time, fine
        touch("app.js", 10)?;
        touch("app.js.gz", 20)?; // older: a later build replaced app.js
        let stale = super::stale_copies(&dir);
        std::fs::remove_dir_all(&dir)?;
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].ends_with("app.js.gz"));
        Ok(())
    }
}
