//! The notes example's main side: keeps notes in a file under a data
//! directory, serves the renderer and the validated IPC on loopback, and
//! tells every open page when a note changes.

mod store;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use clap::Parser;
use ipc_runtime::ws::{EventEmitter, WsConfig, WsServer};
use ipc_runtime::{CallContext, HandlerFailure, IpcHandlerError, Router};
use notes_contracts::{
    ChangeKind, DeleteNote, GetNote, ListNotes, Note, NoteChanged, NoteError, NoteSummary,
    NotesHandlers, SaveNote, TelemetryEvent,
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

/// The handlers, one method per contract (a missing one does not compile).
/// They hold the app in an `Arc` so that writes can move it to the blocking
/// pool.
struct Handlers(Arc<App>);

impl NotesHandlers for Handlers {
    // Reads are in memory: no hop to the blocking pool.
    async fn list_notes(
        &self,
        _: CallContext,
        _: ListNotes,
    ) -> Result<Vec<NoteSummary>, IpcHandlerError> {
        Ok(self.0.store.list())
    }

    async fn get_note(
        &self,
        _: CallContext,
        request: GetNote,
    ) -> Result<Note, HandlerFailure<NoteError>> {
        Ok(self.0.store.get(request.id).map_err(to_note_error)?)
    }

    // Writes touch the disk: they run on the blocking pool.
    async fn save_note(
        &self,
        _: CallContext,
        request: SaveNote,
    ) -> Result<Note, HandlerFailure<NoteError>> {
        let app = Arc::clone(&self.0);
        ipc_runtime::blocking(move || {
            let (note, created) = app.store.save(request).map_err(to_note_error)?;
            let kind = if created {
                ChangeKind::Created
            } else {
                ChangeKind::Updated
            };
            app.changed(note.id, kind, Some(note.clone()));
            Ok(note)
        })
        .await
    }

    async fn delete_note(
        &self,
        _: CallContext,
        request: DeleteNote,
    ) -> Result<(), HandlerFailure<NoteError>> {
        let app = Arc::clone(&self.0);
        ipc_runtime::blocking(move || {
            app.store.delete(request.id).map_err(to_note_error)?;
            app.changed(request.id, ChangeKind::Deleted, None);
            Ok(())
        })
        .await
    }

    async fn telemetry_event(
        &self,
        context: CallContext,
        event: TelemetryEvent,
    ) -> Result<(), IpcHandlerError> {
        tracing::info!(
            connection = context.caller().connection_id,
            ?event,
            "telemetry"
        );
        Ok(())
    }
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
    let router = Handlers(Arc::clone(&app))
        .add_to(Router::builder())
        .build()
        .map_err(|error| error.to_string())?;
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
