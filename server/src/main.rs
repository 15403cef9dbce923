//! The `reestr` binary: `reestr serve` (the default) and `reestr check`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use reestr::catalog::CatalogService;
use reestr::config::{DEFAULT_PATH, load_file};
use reestr::http::{AppState, router, site_options};
use tracing_subscriber::EnvFilter;

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
    let service = Arc::new(CatalogService::build(&config).await);
    let app = router(AppState::new(options, service));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("reestr: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(config = %config_path.display(), registries = config.registries.len(), "listening on http://{addr}");
    match axum::serve(listener, app).with_graceful_shutdown(shutdown()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reestr: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

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
