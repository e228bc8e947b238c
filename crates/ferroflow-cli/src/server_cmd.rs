//! `ferroflow server`: MLflow's `mlflow server` flags and defaults, wired to concrete stores.

use anyhow::{Context, Result};
use clap::Args;
use ferroflow_service::{LoggedModelService, RegistryService, TrackingConfig, TrackingService};
use ferroflow_store::{LoggedModelStore, RegistryStore, TrackingStore};
use ferroflow_store_sql::SqlStore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct ServerArgs {
    /// Address to listen on (MLflow's `-h/--host`). Use 0.0.0.0 to accept remote clients.
    #[arg(short = 'h', long, default_value = "127.0.0.1", env = "MLFLOW_HOST")]
    host: String,

    /// Port to listen on.
    #[arg(short = 'p', long, default_value_t = 5000, env = "MLFLOW_PORT")]
    port: u16,

    /// Where runs, experiments and metrics are stored: `sqlite:///relative.db`,
    /// `sqlite:////absolute.db` (PostgreSQL and MySQL URIs are planned).
    #[arg(
        long,
        default_value = "sqlite:///mlflow.db",
        env = "MLFLOW_BACKEND_STORE_URI"
    )]
    backend_store_uri: String,

    /// Artifact location given to new experiments. Defaults to `mlflow-artifacts:/` (the proxy)
    /// when serving artifacts, else `./mlruns`.
    #[arg(long, env = "MLFLOW_DEFAULT_ARTIFACT_ROOT")]
    default_artifact_root: Option<String>,

    /// Where proxied artifacts are stored: a local directory or `file://` URI.
    #[arg(
        long,
        default_value = "./mlartifacts",
        env = "MLFLOW_ARTIFACTS_DESTINATION"
    )]
    artifacts_destination: String,

    /// Proxy artifact uploads and downloads through this server (the default).
    #[arg(long, overrides_with = "no_serve_artifacts")]
    serve_artifacts: bool,

    /// Do not serve artifacts: clients write to the artifact root directly.
    #[arg(long, overrides_with = "serve_artifacts")]
    no_serve_artifacts: bool,

    /// Accepted for compatibility with `mlflow server`. Ferroflow is one process that uses every
    /// core through its async runtime, so there is nothing to fork.
    #[arg(short = 'w', long, env = "MLFLOW_WORKERS")]
    workers: Option<u32>,

    /// Comma-separated Host headers to answer, against DNS rebinding (`*` wildcards; `*` alone
    /// accepts every host). Default: localhost and loopback/private IP addresses, any port.
    #[arg(long, env = "MLFLOW_SERVER_ALLOWED_HOSTS")]
    allowed_hosts: Option<String>,

    /// Comma-separated origins allowed to make cross-origin requests (`*` wildcards; `*` alone
    /// allows all, without credentials). http://localhost, 127.0.0.1 and [::1] on any port are
    /// always allowed.
    #[arg(long, env = "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS")]
    cors_allowed_origins: Option<String>,

    /// X-Frame-Options header against clickjacking: SAMEORIGIN, DENY, or NONE (no header).
    #[arg(
        long,
        default_value = "SAMEORIGIN",
        env = "MLFLOW_SERVER_X_FRAME_OPTIONS"
    )]
    x_frame_options: String,

    /// DANGEROUS: turn off Host validation, CORS protection and security headers.
    #[arg(
        long,
        env = "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    disable_security_middleware: bool,

    /// Comma-separated schemes (e.g. `https,s3`) whose experiment artifact locations may name
    /// any host. MLflow reads only the environment variable.
    #[arg(
        long,
        env = "MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES",
        hide = true
    )]
    allowed_host_addressed_artifact_schemes: Option<String>,

    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

pub fn run(args: ServerArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServerArgs) -> Result<()> {
    let started = Instant::now();
    let serve_artifacts = !args.no_serve_artifacts;
    if let Some(w) = args.workers {
        tracing::debug!(
            workers = w,
            "--workers is accepted for compatibility and ignored"
        );
    }

    let security = security_config(&args);
    let store = Arc::new(
        SqlStore::connect(&args.backend_store_uri)
            .await
            .with_context(|| {
                format!("opening backend store {}", redact(&args.backend_store_uri))
            })?,
    );

    let default_artifact_root = match args.default_artifact_root {
        Some(root) => root,
        None if serve_artifacts => "mlflow-artifacts:/".to_owned(),
        None => absolute_path("mlruns")?,
    };
    let artifacts = if serve_artifacts {
        Some(
            ferroflow_artifacts::open_repo(&args.artifacts_destination).with_context(|| {
                format!(
                    "opening artifacts destination {}",
                    args.artifacts_destination
                )
            })?,
        )
    } else {
        None
    };

    let tracking_store: Arc<dyn TrackingStore> = store.clone();
    let logged_model_store: Arc<dyn LoggedModelStore> = store.clone();
    let registry_store: Arc<dyn RegistryStore> = store.clone();
    let tracking = Arc::new(TrackingService::new(
        tracking_store.clone(),
        TrackingConfig {
            default_artifact_root: default_artifact_root.clone(),
            truncate_long_values: true,
            allowed_host_addressed_schemes: args
                .allowed_host_addressed_artifact_schemes
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
        },
    ));
    tracking
        .init()
        .await
        .context("initialising the tracking store")?;

    let logged_models = Arc::new(LoggedModelService::new(
        logged_model_store.clone(),
        tracking_store.clone(),
    ));
    let registry = Arc::new(RegistryService::new(
        registry_store,
        logged_model_store,
        tracking_store,
    ));
    let app = ferroflow_server::secured_router(
        ferroflow_server::AppState {
            tracking,
            logged_models,
            registry,
            artifacts,
        },
        security,
    );
    let addr: SocketAddr = format!("{}:{}", bracket_ipv6(&args.host), args.port)
        .parse()
        .with_context(|| format!("invalid --host/--port: {}:{}", args.host, args.port))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr} (is another server using the port?)"))?;
    let local = listener.local_addr()?;

    tracing::info!(
        backend = %redact(&args.backend_store_uri),
        artifacts = if serve_artifacts { args.artifacts_destination.as_str() } else { "not served" },
        default_artifact_root = %default_artifact_root,
        ready_ms = started.elapsed().as_millis() as u64,
        "Ferroflow {} listening on http://{local}",
        env!("CARGO_PKG_VERSION"),
    );

    // Without TCP_NODELAY, Nagle's algorithm holds a small body written after its headers for
    // a delayed ACK (~40 ms per small artifact download).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;

    // In-flight requests have finished; make sure every queued write reached the database.
    store.close().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

async fn shutdown_signal() {
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
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// The security middleware's settings, or `None` when it is disabled; says which on stderr as
/// `mlflow server` does.
fn security_config(args: &ServerArgs) -> Option<ferroflow_server::SecurityConfig> {
    if args.disable_security_middleware {
        tracing::warn!(
            "security middleware is DISABLED: the server accepts any Host and cross-origin writes"
        );
        return None;
    }
    let config = ferroflow_server::SecurityConfig::from_flags(
        args.allowed_hosts.as_deref(),
        args.cors_allowed_origins.as_deref(),
        Some(&args.x_frame_options),
    );
    if config.allowed_hosts.iter().any(|h| h == "*") {
        tracing::warn!("accepting ALL hosts: the server is open to DNS rebinding attacks");
    }
    if config.cors_allowed_origins.iter().any(|o| o == "*") {
        tracing::warn!("allowing ALL CORS origins: any website can read and write this server");
    }
    tracing::info!(
        allowed_hosts = ?config.allowed_hosts,
        cors_allowed_origins = ?config.cors_allowed_origins,
        "security middleware enabled (empty lists: localhost and private addresses only)"
    );
    Some(config)
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn absolute_path(rel: &str) -> Result<String> {
    let p: PathBuf = std::env::current_dir()?.join(Path::new(rel));
    Ok(p.to_string_lossy().into_owned())
}

/// Hides the password of a `scheme://user:password@host/db` URI, so logs never carry secrets.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    let Some((creds, host)) = rest.split_once('@') else {
        return uri.to_owned();
    };
    match creds.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgresql://u:secret@h:5432/db"),
            "postgresql://u:***@h:5432/db"
        );
        assert_eq!(redact("sqlite:///mlflow.db"), "sqlite:///mlflow.db");
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
    }

    #[test]
    fn brackets_ipv6_hosts() {
        assert_eq!(bracket_ipv6("::1"), "[::1]");
        assert_eq!(bracket_ipv6("127.0.0.1"), "127.0.0.1");
    }
}
