//! The notes example as a Tauri app: the notes-core store and handlers,
//! served to the app's windows by the `ipc` plugin; every change is sent
//! to every window that subscribed.
//!
//! `notes-tauri [--data-dir DIR]`: the notes are kept in DIR (default: the
//! app's data directory).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ipc_tauri::Target;
use notes_core::NotesService;
use tauri::Manager;

fn data_dir_argument() -> Result<Option<PathBuf>, String> {
    let mut args = std::env::args_os().skip(1);
    let mut dir = None;
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--data-dir") => {
                dir = Some(PathBuf::from(
                    args.next().ok_or("--data-dir needs a directory")?,
                ));
            }
            _ => {
                return Err(format!(
                    "unknown argument {}; usage: notes-tauri [--data-dir DIR]",
                    arg.to_string_lossy()
                ));
            }
        }
    }
    Ok(dir)
}

fn main() -> ExitCode {
    let data_dir = match data_dir_argument() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let result = tauri::Builder::default()
        .setup(move |app| {
            let dir = match data_dir {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            let notes = NotesService::open(&dir)
                .map_err(|error| format!("cannot open the notes in {}: {error}", dir.display()))?;
            let router = Arc::new(notes.router()?);
            app.handle().plugin(ipc_tauri::plugin(router))?;
            let handle = app.handle().clone();
            notes.on_change(Box::new(move |change| {
                if let Err(error) = ipc_tauri::emit(&handle, &Target::All, change) {
                    tracing::error!(%error, "could not send a note change");
                }
            }));
            println!("notes-tauri: data in {}", dir.display());
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
