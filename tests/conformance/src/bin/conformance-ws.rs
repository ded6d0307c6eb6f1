//! Serves the conformance suite's router over the loopback WebSocket, and
//! the suite's page from `--page DIR`; prints the address to open, then
//! runs until interrupted.

use std::path::PathBuf;
use std::sync::Arc;

use conformance::{ConformanceService, EventTarget};
use ipc_runtime::ws::{WsConfig, WsServer};

async fn run(page: Option<PathBuf>) -> Result<(), String> {
    let service = ConformanceService::new();
    let router = service.router().map_err(|error| error.to_string())?;
    let config = WsConfig {
        static_dir: page,
        role: "conformance".to_owned(),
        ..WsConfig::default()
    };
    let server = WsServer::start(Arc::new(router), config)
        .await
        .map_err(|error| error.to_string())?;
    let events = server.emitter();
    let listener = Box::new(
        move |target: EventTarget<'_>, event: &conformance::Pinged| match target {
            EventTarget::All => events.emit(event).map(drop).map_err(|e| e.to_string()),
            EventTarget::Caller(caller) => match events.emit_to(caller.connection_id, event) {
                Ok(true) => Ok(()),
                Ok(false) => Err("the caller's connection is closed".to_owned()),
                Err(error) => Err(error.to_string()),
            },
        },
    );
    if service.on_event(listener).is_err() {
        return Err("the event listener was already set".to_owned());
    }
    // The one hand-off of the secret: printed for the test that opens it.
    println!("conformance: open {}", server.app_url());
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| error.to_string())?;
    server.shutdown().await;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1);
    let page = match (args.next(), args.next()) {
        (None, _) => None,
        (Some(flag), Some(dir)) if flag == "--page" => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("usage: conformance-ws [--page DIR]");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(page)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
