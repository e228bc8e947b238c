//! `ferroflow`: one binary for the tracking server and, later, every other tool.
//!
//! The CLI is the only place that reads the environment and picks concrete implementations
//! (which store, which artifact repository); everything below it receives trait objects.

mod server_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ferroflow",
    version,
    about = "A fast, self-hosted MLflow-compatible platform: tracking, registry, projects and models.",
    long_about = "Ferroflow speaks MLflow's REST API, so the official `mlflow` Python client works \
                  against it unchanged: point MLFLOW_TRACKING_URI at `ferroflow server`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the tracking server (MLflow's REST API, artifact proxy and web UI).
    Server(server_cmd::ServerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Server(args) => server_cmd::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default `info`), so stdout stays usable by scripts.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only on a terminal: log files and CI output stay free of escape codes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}
