//! The contracts of the notes example: the single source of truth for the
//! IPC between the notes app's main side and its renderer.
//!
//! They live in their own small crate with no app dependencies, so that
//! `ipc-codegen` can extract them quickly.

pub use notes::*;

/// Every contract of the notes app. `#[contracts]` also generates
/// [`NotesHandlers`], the trait the main side implements: one method per
/// invoke and send contract, so a contract without a handler does not
/// compile.
#[ipc_runtime::contracts(handlers = NotesHandlers)]
pub mod notes {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// A note's identifier, assigned by the main side.
    pub type NoteId = u64;

    /// A stored note.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Note {
        pub id: NoteId,
        /// The title shown in the list.
        pub title: String,
        pub body: String,
        /// Free-form labels; omitted from the wire when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub tags: Vec<String>,
        /// Milliseconds since the Unix epoch of the last save.
        pub updated_at_ms: u64,
    }

    /// One line of the notes list.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct NoteSummary {
        pub id: NoteId,
        pub title: String,
        pub updated_at_ms: u64,
    }

    impl Note {
        /// The note's line in the notes list.
        pub fn summary(&self) -> NoteSummary {
            NoteSummary {
                id: self.id,
                title: self.title.clone(),
                updated_at_ms: self.updated_at_ms,
            }
        }
    }

    /// Lists every note, most recently updated first.
    #[ipc_runtime::contract(invoke, namespace = "notes", method = "list", response = Vec<NoteSummary>)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct ListNotes {}

    /// Reads one note.
    #[ipc_runtime::contract(invoke, namespace = "notes", method = "get", response = Note, error = NoteError)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct GetNote {
        pub id: NoteId,
    }

    /// Creates a note (without `id`) or replaces one (with `id`).
    #[ipc_runtime::contract(invoke, namespace = "notes", method = "save", response = Note, error = NoteError)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct SaveNote {
        /// Absent to create a new note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<NoteId>,
        /// Between 1 and 200 characters.
        #[schemars(length(min = 1, max = 200))]
        pub title: String,
        /// At most 100,000 characters.
        #[schemars(length(max = 100_000))]
        pub body: String,
        /// At most 20 tags of 1 to 32 characters each.
        #[serde(default)]
        #[schemars(length(max = 20), inner(length(min = 1, max = 32)))]
        pub tags: Vec<String>,
    }

    /// Deletes one note.
    #[ipc_runtime::contract(invoke, namespace = "notes", method = "delete", response = (), error = NoteError)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct DeleteNote {
        pub id: NoteId,
    }

    /// The typed errors of the notes contracts.
    #[ipc_runtime::contract_error]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub enum NoteError {
        /// The note does not exist.
        #[ipc(status = 404, message = "Note {id} does not exist")]
        NotFound { id: NoteId },
        /// Another window saved the note since it was read.
        #[ipc(status = 409)]
        Conflict {
            id: NoteId,
            current_updated_at_ms: u64,
        },
        /// The notes could not be written to disk.
        #[ipc(code = "STORAGE_FAILED", status = 503)]
        Storage,
    }

    /// A usage event the renderer reports; no reply.
    #[ipc_runtime::contract(send, namespace = "telemetry", method = "track")]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "type", rename_all = "camelCase")]
    pub enum TelemetryEvent {
        /// A page was shown.
        PageViewed { page: String },
        /// A button was pressed.
        ButtonPressed {
            #[schemars(length(min = 1, max = 64))]
            button: String,
        },
    }

    /// What happened to a note.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub enum ChangeKind {
        Created,
        Updated,
        Deleted,
    }

    /// Sent by main to every open page when a note changes.
    #[ipc_runtime::contract(event, namespace = "notes", method = "changed")]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct NoteChanged {
        pub id: NoteId,
        pub kind: ChangeKind,
        /// The note after the change; absent when it was deleted.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub note: Option<Note>,
    }
}
