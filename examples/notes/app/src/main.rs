//! The notes example's main side: keeps notes in a file under a data
//! directory, serves the renderer and the validated IPC on loopback, and
//! tells every open page when a note changes.

mod store;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use clap::Parser;
use ipc_runtime::ws::{EventEmitter, WsConfig, WsServer};
use ipc_runtime::{CallContext, IpcHandlerError, Router};
use notes_contracts::{
    ChangeKind, DeleteNote, GetNote, ListNotes, Note, NoteChanged, NoteError, NoteSummary,
    SaveNote, TelemetryEvent,
};

use crate::store::{NoteStore, StoreError};

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

/// What the handlers share.
struct App {
    store: NoteStore,
    /// Set once the server runs; handlers emit "note changed" through it.
    events: OnceLock<EventEmitter>,
}

impl App {
    fn changed(&self, id: u64, kind: ChangeKind, note: Option<Note>) {
        if let Some(events) = self.events.get()
            && let Err(error) = events.emit(&NoteChanged { id, kind, note })
        {
            tracing::error!(%error, "could not emit a note change");
        }
    }
}

fn to_note_error(error: StoreError) -> NoteError {
    match error {
        StoreError::NotFound(id) => NoteError::NotFound { id },
        StoreError::Io(error) => {
            tracing::error!(%error, "notes storage failed");
            NoteError::Storage
        }
        StoreError::Corrupt(message) => {
            tracing::error!(message, "notes storage failed");
            NoteError::Storage
        }
    }
}

fn router(app: &Arc<App>) -> Result<Router, ipc_runtime::BuildError> {
    let list = Arc::clone(app);
    let get = Arc::clone(app);
    let save = Arc::clone(app);
    let delete = Arc::clone(app);
    Router::builder()
        // Reads are in memory: async handlers, no hop to the blocking pool.
        .invoke::<ListNotes, _>(move |_: CallContext, _: ListNotes| {
            std::future::ready(Ok::<Vec<NoteSummary>, IpcHandlerError>(list.store.list()))
        })
        .invoke::<GetNote, _>(move |_: CallContext, request: GetNote| {
            std::future::ready(get.store.get(request.id).map_err(to_note_error))
        })
        // Writes touch the disk: blocking handlers.
        .invoke_sync::<SaveNote, _>(move |_: CallContext, request: SaveNote| {
            let (note, created) = save.store.save(request).map_err(to_note_error)?;
            let kind = if created {
                ChangeKind::Created
            } else {
                ChangeKind::Updated
            };
            save.changed(note.id, kind, Some(note.clone()));
            Ok::<Note, NoteError>(note)
        })
        .invoke_sync::<DeleteNote, _>(move |_: CallContext, request: DeleteNote| {
            delete.store.delete(request.id).map_err(to_note_error)?;
            delete.changed(request.id, ChangeKind::Deleted, None);
            Ok::<(), NoteError>(())
        })
        .send_sync::<TelemetryEvent, _>(|context: CallContext, event: TelemetryEvent| {
            tracing::info!(
                connection = context.caller().connection_id,
                ?event,
                "telemetry"
            );
            Ok::<(), IpcHandlerError>(())
        })
        .build()
}

async fn run(args: Args) -> Result<(), String> {
    let store = NoteStore::open(&args.data_dir).map_err(|error| {
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
    let app = Arc::new(App {
        store,
        events: OnceLock::new(),
    });
    let router = router(&app).map_err(|error| error.to_string())?;
    let config = WsConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], args.port)),
        static_dir: Some(args.renderer),
        role: "notes".to_owned(),
        ..WsConfig::default()
    };
    let server = WsServer::start(Arc::new(router), config)
        .await
        .map_err(|error| error.to_string())?;
    let _ = app.events.set(server.emitter());
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

fn main() -> std::process::ExitCode {
    let args = Args::parse();
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
