//! The conformance suite's router (`conformance::ConformanceService`) as a
//! Node.js addon: the Electron runner loads it as the main side. Events go
//! to every window or to the caller's `webContents.id`. Every channel is
//! inline (ADR 0012): the service's handlers never block before their first
//! `.await`, so the suite runs over the path that starts calls on the
//! JavaScript thread and moves them to the runtime when they wait.

use conformance::{ConformanceService, EventTarget};
use ipc_node::{Emitter, Served};

fn conformance_router(_: serde_json::Value, events: Emitter) -> Result<Served, String> {
    let service = ConformanceService::new();
    let router = service.router().map_err(|error| error.to_string())?;
    service
        .on_event(Box::new(move |target, event| {
            let sent = match target {
                EventTarget::All => events.emit(event),
                EventTarget::Caller(caller) => {
                    let connection = u32::try_from(caller.connection_id)
                        .map_err(|_| format!("no webContents has id {}", caller.connection_id))?;
                    events.emit_to(connection, event)
                }
            };
            sent.map_err(|error| error.to_string())
        }))
        .map_err(|_| "the event listener was already set".to_owned())?;
    Ok(Served::new(router).inline_all())
}

ipc_node::addon!(conformance_router);
