//! The notes example's main side: keeps notes in a file under a data
//! directory, serves the renderer and the validated IPC on loopback, and
//! tells every open page when a note changes.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use ipc_runtime::ws::{WsConfig, WsServer};
use notes_core::NotesService;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "notes-app", about = "The ipc-contracts notes example")]
struct Args {
    /// Where the notes are kept.
    #[arg(long, value_name = "DIR", default_value = "target/notes-data")]
    data_dir: PathBuf,
    /// The built renderer (index.html and app.js).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "examples/notes/renderer/dist"
    )]
    renderer: PathBuf,
    /// The loopback port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
}

async fn run(args: Args) -> Result<(), String> {
    let notes = NotesService::open(&args.data_dir).map_err(|error| {
        format!(
            "cannot open the notes in {}: {error}",
            args.data_dir.display()
        )
    })?;
    if !args.renderer.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: build the renderer first (scripts/notes.sh does)",
            args.renderer.display()
        ));
    }
    let router = notes.router().map_err(|error| error.to_string())?;
    let config = WsConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], args.port)),
        static_dir: Some(args.renderer),
        role: "notes".to_owned(),
        ..WsConfig::default()
    };
    let server = WsServer::start(Arc::new(router), config)
        .await
        .map_err(|error| error.to_string())?;
    let events = server.emitter();
    notes.on_change(Box::new(move |change| {
        if let Err(error) = events.emit(change) {
            tracing::error!(%error, "could not emit a note change");
        }
    }));
    // The one hand-off of the secret: this URL, printed for the user (or a
    // test) to open; it is never put on another process's command line.
    println!("notes: open {}", server.app_url());
    println!("notes: data in {}", args.data_dir.display());
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| error.to_string())?;
    server.shutdown().await;
    Ok(())
}

/// Logs to stderr, at the level `RUST_LOG` sets (`info` when unset, e.g.
/// `RUST_LOG=debug` or `RUST_LOG=ipc_runtime=debug,info`). The runtime's
/// logs name channels, request ids, peers and reasons, never the secret or
/// a payload.
fn init_logging() {
    let filter = match EnvFilter::try_from_default_env() {
        Ok(filter) => filter,
        Err(error) => {
            if std::env::var_os(EnvFilter::DEFAULT_ENV).is_some() {
                eprintln!("warning: RUST_LOG is not a valid filter ({error}); logging at info");
            }
            EnvFilter::new("info")
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
