//! The one axum router: REST, health, server functions, pages, files.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;

use app::{App, shell};
use axum::Router;
use axum::http::Uri;
use axum::routing::{get, post};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;

use super::auth::headers::{Policy, security_headers};
use super::auth::routes as access_routes;
use super::problem::Problem;
use super::surface::{Declared, Guard, Surface};
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

/// Pages that are not "for signed-in users, cacheable": declared here, by
/// route pattern, where the routes are built. Every other page is
/// `Surface::PAGE`; a pattern the app does not route is an error at start
/// (see `page_classes`).
const PAGE_CLASSES: [(&str, Surface); 8] = [
    ("/login", Surface::PAGE.public().secret()),
    ("/login/verify", Surface::PAGE.public().secret()),
    ("/login/enrol", Surface::PAGE.public().secret()),
    ("/setup", Surface::PAGE.public().secret()),
    ("/invite/{token}", Surface::PAGE.public().secret()),
    ("/reset/{token}", Surface::PAGE.public().secret()),
    ("/account", Surface::PAGE.secret()),
    ("/admin/users", Surface::PAGE.secret()),
];

/// Server functions a page before any session calls: the sign-in's
/// authenticator set-up, which a waiting login's cookie authorises, and
/// the single sign-on buttons of the login page.
const PUBLIC_SERVER_FNS: [&str; 2] = ["/_fn/login_enrolment", "/_fn/sign_in_providers"];

/// The classes of the page router's routes: each page by its pattern, each
/// server function by its path, the site's own files (`public/`, served
/// by the fallback) by name. Fails on a `PAGE_CLASSES` entry that names no
/// route, so a renamed page cannot silently lose its class.
pub fn page_classes(routes: &[AxumRouteListing], site_root: &std::path::Path) -> Result<Declared, String> {
    let mut classes: HashMap<String, Surface> = routes.iter().map(|r| (r.path().to_string(), Surface::PAGE)).collect();
    for (pattern, surface) in PAGE_CLASSES {
        match classes.get_mut(pattern) {
            Some(class) => *class = surface,
            None => return Err(format!("PAGE_CLASSES names `{pattern}`, which the app does not route")),
        }
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let surface =
            if PUBLIC_SERVER_FNS.contains(&path) { Surface::SERVER_FN.public().secret() } else { Surface::SERVER_FN };
        classes.insert(path.to_string(), surface);
    }
    let files = std::fs::read_dir(site_root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| format!("/{}", e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Declared::by_route(classes, files, Surface::PAGE))
}

/// Builds the whole application.
pub fn router(state: AppState) -> Result<Router, String> {
    super::executor::install();
    let routes = routes();
    let service = state.service.clone();
    let accounts: app::contract::SharedAccounts = state.access.clone();
    let access = state.access.clone();
    let options = state.leptos_options.clone();
    let site_root = std::path::PathBuf::from(state.leptos_options.site_root.as_ref());
    let guarded = {
        let (access, limit) = (access.clone(), state.api_limit.clone());
        move |declared: Declared| {
            let g = Guard { declared, access: access.clone(), limit: limit.clone() };
            axum::middleware::from_fn_with_state(g, super::surface::guard)
        }
    };
    let rest = Router::new()
        .route("/registries", get(rest::registries))
        .route("/registries/{id}", get(rest::registry))
        .route("/registries/{id}/resync", post(rest::resync))
        .route("/registries/{id}/storage", get(rest::storage))
        .route("/registries/{id}/repositories", get(rest::repositories))
        .route("/registries/{id}/repositories/{*rest}", get(rest::repository_path))
        .with_state(state.clone())
        .fallback(api_not_found)
        .layer(guarded(Declared::all(Surface::REST)));
    let api = Router::new()
        .route("/openapi.json", get(super::openapi::openapi_json))
        .layer(guarded(Declared::all(Surface::DOCUMENT)))
        .merge(
            access_routes::api_routes()
                .with_state(access.clone())
                .layer(guarded(Declared::all(Surface::REST.secret()))),
        )
        .merge(rest);
    let probes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(super::metrics::metrics).with_state(state.metrics.clone()))
        .with_state(state.clone())
        .nest_service("/pkg", super::assets::files(&state.leptos_options))
        .layer(guarded(Declared::all(Surface::PROBE)));
    let forms = access_routes::form_routes().with_state(access.clone()).layer(guarded(Declared::all(Surface::FORM)));
    // Starting a single sign-on stores a flow: counted against the
    // per-address limit, so one address cannot fill the flows' bound.
    let sso = super::auth::sso_forms::routes()
        .with_state(access.clone())
        .layer(guarded(Declared::all(Surface { limited: true, ..Surface::FORM })));
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes.clone(),
            move || {
                // leptos_axum provides the request's parts before this runs:
                // the catalogue is the one this request may see.
                let catalog = match use_context::<axum::http::request::Parts>() {
                    Some(parts) => super::scope::catalog(&service, &parts.extensions, &parts.headers),
                    None => super::scope::catalog(&service, &Default::default(), &Default::default()),
                };
                provide_context(catalog);
                provide_context(accounts.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.service.clone(), super::page_status::page_status))
        .layer(guarded(page_classes(&routes, &site_root)?));
    Ok(Router::new()
        .merge(probes)
        .merge(sso)
        .nest("/api", api)
        .merge(forms)
        .merge(pages)
        .layer(axum::middleware::from_fn(super::request_life::request_life))
        .layer(axum::middleware::from_fn_with_state(state.hosts.clone(), super::host::check_host))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(Policy::for_process(&state.leptos_options), security_headers))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), super::metrics::measure))
        .layer(axum::middleware::from_fn(super::request_id::request_id)))
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
    let mut options = LeptosOptions::builder()
        .output_name("reestr")
        .site_root(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
        .site_addr(addr)
        .env(env)
        .reload_port(reload_port)
        .build();
    // Hashed names when cargo-leptos wrote their hashes beside this binary.
    options.hash_files = app::assets::hash_file(&options).is_some();
    Ok(options)
}

#[cfg(test)]
mod tests {
    use crate::http::surface::{Kind, Surface};

    #[tokio::test]
    async fn every_page_and_server_function_has_its_declared_class() -> Result<(), String> {
        let routes = super::routes();
        let declared = super::page_classes(&routes, std::path::Path::new("../public"))?;
        assert_eq!(declared.route("/login"), Some(Surface::PAGE.public().secret()));
        assert_eq!(declared.route("/login/enrol"), Some(Surface::PAGE.public().secret()));
        assert_eq!(declared.route("/invite/{token}"), Some(Surface::PAGE.public().secret()));
        assert_eq!(declared.route("/reset/{token}"), Some(Surface::PAGE.public().secret()));
        assert_eq!(declared.route("/account").map(|s| (s.public, s.no_store)), Some((false, true)));
        assert_eq!(declared.route("/registries/{registry}"), Some(Surface::PAGE));
        let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
        assert!(!functions.is_empty());
        for path in functions {
            assert_eq!(declared.route(path).map(|s| (s.kind, s.limited)), Some((Kind::ServerFn, true)), "{path}");
            let public = path == "/_fn/login_enrolment" || path == "/_fn/sign_in_providers";
            assert_eq!(declared.route(path).map(|s| s.public), Some(public), "{path}");
        }
        assert!(declared.serves_file("/favicon.svg") && declared.serves_file("/passkeys.js"));
        Ok(())
    }
}
