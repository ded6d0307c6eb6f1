//! Serves the conformance suite's router to the app's windows through the
//! `ipc` plugin; the suite runs in the `main` window (tests/conformance/tauri).
//! Every channel is inline (docs/adr/0033), as in the Electron runner: the
//! service's handlers never block before their first `.await`, so the suite
//! runs over the path that answers from the UI thread and moves the calls
//! that wait to the runtime. The notes app's tests cover the default path.

use std::process::ExitCode;
use std::sync::Arc;

use conformance::{ConformanceService, EventTarget, Pinged};
use ipc_tauri::Target;

fn main() -> ExitCode {
    let result = tauri::Builder::default()
        .setup(|app| {
            let service = ConformanceService::new();
            let router = Arc::new(service.router()?);
            app.handle()
                .plugin(ipc_tauri::Builder::new(router).inline_all().build())?;
            let handle = app.handle().clone();
            let listener = Box::new(move |target: EventTarget<'_>, event: &Pinged| {
                let target = match target {
                    EventTarget::All => Target::All,
                    EventTarget::Caller(caller) => Target::Connection(caller.connection_id),
                };
                match ipc_tauri::emit(&handle, &target, event) {
                    Ok(0) if target != Target::All => Err("the caller's page is gone".to_owned()),
                    Ok(_) => Ok(()),
                    Err(error) => Err(error.to_string()),
                }
            });
            if service.on_event(listener).is_err() {
                return Err("the event listener was already set".into());
            }
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
