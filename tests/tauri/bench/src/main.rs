//! The benchmark host of the Tauri shell (`tests/tauri/bench.mjs`): the
//! notes router behind the `ipc` plugin, and `bare`, a Tauri command that
//! takes the same raw request body and answers with the same reply bytes
//! without parsing, validating or routing anything: the floor a call
//! through Tauri's IPC costs. The page stores the reply `bare` returns
//! with `bare_reply` before each measurement.
//!
//! `bench-tauri --data-dir DIR`: the notes are kept in DIR.

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
    let mut args = std::env::args_os().skip(1);
    let data_dir = match (args.next(), args.next()) {
        (Some(flag), Some(dir)) if flag == "--data-dir" => PathBuf::from(dir),
        _ => {
            eprintln!("usage: bench-tauri --data-dir DIR");
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
            app.handle()
                .plugin(ipc_tauri::plugin(Arc::new(notes.router()?)))?;
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
