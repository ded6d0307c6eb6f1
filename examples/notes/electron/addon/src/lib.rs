//! The notes handlers (`notes-core`) as a Node.js addon: Electron's main
//! process loads it and serves the renderer's IPC through it.
//!
//! `open({ dataDir }, onEvent)` opens the notes under `dataDir`; every
//! change is emitted to all windows as `notes:changed`.

use std::path::Path;

use ipc_node::Emitter;
use ipc_runtime::Router;
use notes_core::NotesService;

fn notes_router(options: serde_json::Value, events: Emitter) -> Result<Router, String> {
    let data_dir = options
        .get("dataDir")
        .and_then(serde_json::Value::as_str)
        .ok_or("open() needs { dataDir: string }, the directory the notes are kept in")?;
    let notes = NotesService::open(Path::new(data_dir))
        .map_err(|error| format!("cannot open the notes in {data_dir}: {error}"))?;
    let router = notes.router().map_err(|error| error.to_string())?;
    notes.on_change(Box::new(move |change| {
        if let Err(error) = events.emit(change) {
            tracing::error!(%error, "could not emit a note change");
        }
    }));
    Ok(router)
}

ipc_node::addon!(notes_router);
