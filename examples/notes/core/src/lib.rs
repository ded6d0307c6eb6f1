//! The notes example's main side, shared by every shell (the loopback
//! WebSocket app, the Tauri app and the Electron addon): the note store and
//! the handlers of the notes contracts.
//!
//! A shell builds a [`Router`](ipc_runtime::Router) with
//! [`NotesService::router`] and tells the service how to reach its windows
//! with [`NotesService::on_change`]; the handlers never know which shell
//! carries them.

mod store;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use ipc_runtime::{BuildError, CallContext, HandlerFailure, IpcHandlerError, Router};
use notes_contracts::{
    ChangeKind, DeleteNote, GetNote, ListNotes, Note, NoteChanged, NoteError, NoteSummary,
    NotesHandlers, SaveNote, TelemetryEvent,
};

pub use store::{NoteStore, StoreError};

/// Where a shell sends "note changed" events (to every window it serves).
pub type ChangeListener = Box<dyn Fn(&NoteChanged) + Send + Sync>;

/// What the handlers share.
struct App {
    store: NoteStore,
    /// Set once the shell can reach its windows.
    changes: OnceLock<ChangeListener>,
}

impl App {
    fn changed(&self, id: u64, kind: ChangeKind, note: Option<Note>) {
        if let Some(listener) = self.changes.get() {
            listener(&NoteChanged { id, kind, note });
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

/// The notes handlers, one method per contract (a missing one does not
/// compile). Cloning shares the store.
#[derive(Clone)]
pub struct NotesService(Arc<App>);

impl std::fmt::Debug for NotesService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotesService")
            .field("store", &self.0.store)
            .finish_non_exhaustive()
    }
}

impl NotesService {
    /// Opens the notes kept under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<NotesService, StoreError> {
        Ok(NotesService(Arc::new(App {
            store: NoteStore::open(data_dir)?,
            changes: OnceLock::new(),
        })))
    }

    /// A router serving the notes contracts with these handlers.
    pub fn router(&self) -> Result<Router, BuildError> {
        self.clone().add_to(Router::builder()).build()
    }

    /// Sets where changes go; only the first listener set is kept, and
    /// changes before it are not reported.
    pub fn on_change(&self, listener: ChangeListener) {
        if self.0.changes.set(listener).is_err() {
            tracing::warn!("the notes change listener was already set");
        }
    }
}

impl NotesHandlers for NotesService {
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
