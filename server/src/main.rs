//! The `reestr` binary: `reestr serve` (the default) and `reestr check`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use reestr::access::{Access, Mode, Policy, Store};
use reestr::cache::{Cache, CacheConfig, RedisTier};
use reestr::catalog::CatalogService;
use reestr::config::{DEFAULT_PATH, load_file};
use reestr::http::{AppState, router, site_options};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: rendering a page is allocation-heavy
/// (strings, reactive owners), and under load glibc's allocator took a
/// third of the CPU time (`perf record` on the 100-tag repository page, see
/// BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "reestr", version, about = "A browser for container registries")]
struct Cli {
    /// The registries file.
    #[arg(long, global = true, env = "REESTR_CONFIG", default_value = DEFAULT_PATH)]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web UI and the REST API (the default).
    Serve {
        /// Address to listen on; overrides LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
        #[arg(long, env = "REESTR_LISTEN")]
        listen: Option<std::net::SocketAddr>,
    },
    /// Validate the registries file and print each registry's capability report.
    Check {
        /// Also contact each registry and report whether it answers.
        #[arg(long)]
        probe: bool,
    },
    /// Print Reestr's own OpenAPI document (what `/api/openapi.json` serves).
    Openapi,
    /// List the shipped API profiles (oci, harbor, dockerhub, …), or print one.
    Profiles {
        /// Print this profile's file, to start one of your own from.
        #[arg(long)]
        show: Option<String>,
    },
    /// Ask a running server's `/healthz`; exit 0 when it answers 200 (the
    /// container image's health check: the runtime image has no curl).
    Healthcheck {
        /// Default: `/healthz` on 127.0.0.1 at the port of REESTR_LISTEN
        /// (or LEPTOS_SITE_ADDR), else 3000.
        #[arg(long)]
        url: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("reestr: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Check { probe } => runtime.block_on(async {
            let (report, ok) = reestr::check::run(&cli.config, probe).await;
            print!("{report}");
            if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }),
        Command::Serve { listen } => runtime.block_on(serve(cli.config, listen)),
        Command::Healthcheck { url } => runtime.block_on(healthcheck(url)),
        Command::Openapi => {
            println!("{}", reestr::http::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Profiles { show: None } => {
            print!("{}", reestr::profiles::list());
            ExitCode::SUCCESS
        }
        Command::Profiles { show: Some(name) } => match reestr::profiles::show(&name) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("reestr: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn healthcheck(url: Option<String>) -> ExitCode {
    let url = url.unwrap_or_else(|| {
        let port = ["REESTR_LISTEN", "LEPTOS_SITE_ADDR"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find_map(|a| a.parse::<std::net::SocketAddr>().ok())
            .map_or(3000, |a| a.port());
        format!("http://127.0.0.1:{port}/healthz")
    });
    let client = match reqwest::Client::builder().timeout(std::time::Duration::from_secs(3)).build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&url).send().await {
        Ok(resp) if resp.status().is_success() => ExitCode::SUCCESS,
        Ok(resp) => {
            eprintln!("reestr: {url} answered {}", resp.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("reestr: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config_path: PathBuf, listen: Option<std::net::SocketAddr>) -> ExitCode {
    let config = match load_file(&config_path) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("reestr: the configuration has errors; nothing was started");
            return ExitCode::FAILURE;
        }
    };
    let mut options = match site_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(addr) = listen {
        options.site_addr = addr;
    }
    let addr = options.site_addr;
    if let Err(e) = reestr::http::client_addr::init_from_env() {
        eprintln!("reestr: {e}");
        return ExitCode::FAILURE;
    }
    let api_limit = match reestr::http::ApiLimit::from_env() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (cache, redis) = match open_cache() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    let access = match open_access(&config, redis).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    let hosts = match reestr::http::AllowedHosts::from_env(access.policy.public_url.as_ref()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !addr.ip().is_loopback() && access.policy.public_url.is_none() {
        tracing::warn!(
            "listening on {addr} beyond loopback without REESTR_PUBLIC_URL: only loopback names and IP addresses \
             are answered (others get 421); set REESTR_PUBLIC_URL to the address users open"
        );
    }
    let service = Arc::new(CatalogService::build_with_cache(&config, cache).await);
    refresh_documents(service.clone());
    sweep_sessions(access.clone());
    let app = match router(AppState::new(options, service, access).with_api_limit(api_limit).with_allowed_hosts(hosts))
    {
        Ok(app) => app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        Err(e) => {
            eprintln!("reestr: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("reestr: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(config = %config_path.display(), registries = config.registries.len(), "listening on http://{addr}");
    match axum::serve(reestr::http::listen::no_delay(listener), app).with_graceful_shutdown(shutdown()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reestr: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Users and sessions: Postgres when `DATABASE_URL` says so, else an SQLite
/// file. On a first run, prints the setup token.
async fn open_access(config: &reestr::config::Config, redis: Option<RedisTier>) -> Result<Arc<Access>, String> {
    let url = Access::database_url();
    let store = Store::open(&url).await.map_err(|e| format!("cannot open the user database: {e}"))?;
    let policy = Policy::from_env()?;
    let mode = if config.open_access { Mode::Open } else { Mode::Login };
    let access = Access::new(store, mode, policy)
        .await
        .map_err(|e| format!("the user database: {e}"))?
        .with_session_cache(redis)
        .with_sso(config.oidc.clone())?
        .with_registries(config.registries.iter().map(|r| r.id.clone()).collect());
    for (id, name) in access.sso.list() {
        tracing::info!(provider = %id, "single sign-on: {name}");
    }
    tracing::info!(store = access.store.kind, "users and sessions: {}", access.store.kind);
    if mode == Mode::Open {
        tracing::warn!(
            "access: open — anyone who can reach this server can browse it and resync registries; use it for demos only"
        );
    }
    match access.issue_setup_token().await {
        Ok(Some(token)) => {
            tracing::warn!("first run: open /setup and enter the setup token {token} (valid 24 h, once)")
        }
        Ok(None) => {}
        Err(e) => return Err(format!("cannot write the setup token: {e}")),
    }
    Ok(Arc::new(access))
}

/// Deletes expired sessions and old throttle entries every 10 minutes.
fn sweep_sessions(access: Arc<Access>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = access.sweep().await {
                tracing::warn!(error = %e, "could not sweep expired sessions");
            }
        }
    });
}

/// The cache: memory only, or memory before Redis when `REDIS_URL` is set.
/// An unreachable Redis is not fatal: the server starts, warns, and uses
/// Redis once it answers.
/// Sessions are cached in the same Redis.
fn open_cache() -> Result<(Arc<Cache>, Option<RedisTier>), String> {
    let config = CacheConfig::from_env();
    match std::env::var("REDIS_URL").ok().filter(|u| !u.trim().is_empty()) {
        None => {
            tracing::info!("cache: memory only (set REDIS_URL to share it between replicas)");
            Ok((Cache::memory(config), None))
        }
        Some(url) => {
            let redis = RedisTier::connect(&url)?;
            tracing::info!("cache: memory, then Redis");
            Ok((Cache::with_redis(config, Some(redis.clone())), Some(redis)))
        }
    }
}

/// Reloads every registry's API document every `REESTR_SCHEMA_REFRESH`
/// seconds (default 900; 0 turns it off). A failed reload keeps the last
/// good document.
fn refresh_documents(service: Arc<CatalogService>) {
    let every = match std::env::var("REESTR_SCHEMA_REFRESH").map(|v| v.trim().parse::<u64>()) {
        Err(_) => DEFAULT_SCHEMA_REFRESH,
        Ok(Ok(0)) => return,
        Ok(Ok(secs)) if secs <= MAX_SCHEMA_REFRESH => std::time::Duration::from_secs(secs),
        Ok(Ok(_)) => {
            tracing::warn!("REESTR_SCHEMA_REFRESH is capped at {MAX_SCHEMA_REFRESH} seconds (a week)");
            std::time::Duration::from_secs(MAX_SCHEMA_REFRESH)
        }
        Ok(Err(_)) => {
            tracing::warn!("REESTR_SCHEMA_REFRESH is not a whole number of seconds; using 900");
            DEFAULT_SCHEMA_REFRESH
        }
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for entry in service.entries() {
                let id = entry.config.id.clone();
                if let Err(e) = service.refresh_document(&id).await {
                    tracing::warn!(registry = %id, error = %e, "scheduled schema refresh failed");
                }
            }
        }
    });
}

const DEFAULT_SCHEMA_REFRESH: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// A week: anything longer is "never" in practice and would overflow the timer.
const MAX_SCHEMA_REFRESH: u64 = 7 * 24 * 60 * 60;

/// `RUST_LOG` filters (default `info`); `REESTR_LOG_FORMAT=json` for production.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("REESTR_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
