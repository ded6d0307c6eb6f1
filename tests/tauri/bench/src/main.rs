//! The benchmark host of the Tauri shell (`tests/tauri/bench.mjs`): the
//! notes router behind the `ipc` plugin, and `bare`, a Tauri command that
//! takes the same raw request body and answers with the same reply bytes
//! without parsing, validating or routing anything: the floor a call
//! through Tauri's IPC costs. The page stores the reply `bare` returns
//! with `bare_reply` before each measurement.
//!
//! `bench-tauri --data-dir DIR [--inline]`: the notes are kept in DIR;
//! with `--inline`, `notes.get` is an inline channel (docs/adr/0033): its
//! calls answer from the thread that received them. Nothing saves during
//! a measurement, so its handler never waits for the store's lock there.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use notes_core::NotesService;
use tauri::ipc::{InvokeBody, Request, Response};

#[derive(Default)]
struct BareReply(Mutex<Arc<Vec<u8>>>);

#[tauri::command]
fn bare(request: Request<'_>, reply: tauri::State<'_, BareReply>) -> Response {
    // The body is received as the plugin receives it, and not looked at.
    let _ = request.body();
    let bytes = reply
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Response::new(bytes.as_ref().clone())
}

#[tauri::command]
fn bare_reply(request: Request<'_>, reply: tauri::State<'_, BareReply>) -> Result<(), String> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err("send the reply as raw bytes".to_owned());
    };
    *reply.0.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(bytes.clone());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let (data_dir, inline) = match args.as_slice() {
        [flag, dir] if flag == "--data-dir" => (PathBuf::from(dir), false),
        [flag, dir, inline] if flag == "--data-dir" && inline == "--inline" => {
            (PathBuf::from(dir), true)
        }
        _ => {
            eprintln!("usage: bench-tauri --data-dir DIR [--inline]");
            return ExitCode::from(2);
        }
    };
    let result = tauri::Builder::default()
        .manage(BareReply::default())
        .invoke_handler(tauri::generate_handler![bare, bare_reply])
        .setup(move |app| {
            let notes = NotesService::open(&data_dir).map_err(|error| {
                format!("cannot open the notes in {}: {error}", data_dir.display())
            })?;
            let mut plugin = ipc_tauri::Builder::new(Arc::new(notes.router()?));
            if inline {
                plugin = plugin.inline::<notes_contracts::GetNote>();
            }
            app.handle().plugin(plugin.build())?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
