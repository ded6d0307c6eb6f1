//! The caller the main-side glue reports, converted into the runtime's
//! caller identity.

use std::sync::Arc;

use ipc_runtime::{CallerFrame, CallerIdentity};

/// Who sent a request, as the main-side glue reports it (Electron's
/// `webContents.id`, the window, the role the app gave it, the sending
/// frame and its origin). Converted from a JavaScript object.
#[napi_derive::napi(object)]
#[derive(Debug, Clone)]
pub struct Caller {
    /// `webContents.id` of the sender.
    pub connection_id: u32,
    /// The `BrowserWindow` id, when the sender belongs to one.
    pub window_id: Option<u32>,
    /// What the application made this window for.
    pub role: String,
    /// The origin of the sending frame (e.g. `app://notes`).
    pub origin: String,
    /// The sending frame (`event.senderFrame`), when the glue reports it.
    pub frame: Option<Frame>,
}

/// The sending frame, from Electron's `WebFrameMain`: `{ processId,
/// routingId, mainFrame }`.
#[napi_derive::napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// `WebFrameMain.processId`.
    pub process_id: u32,
    /// `WebFrameMain.routingId`.
    pub routing_id: u32,
    /// `WebFrameMain.parent === null`.
    pub main_frame: bool,
}

impl From<Caller> for CallerIdentity {
    fn from(caller: Caller) -> Self {
        let mut identity =
            CallerIdentity::new(caller.connection_id.into(), caller.role, caller.origin);
        if let Some(window) = caller.window_id {
            identity = identity.with_window(window.into());
        }
        if let Some(frame) = caller.frame {
            identity = identity.with_frame(CallerFrame {
                process_id: frame.process_id,
                routing_id: frame.routing_id,
                main_frame: frame.main_frame,
            });
        }
        identity
    }
}

/// A [`Caller`] converted once into the router's identity and shared by
/// every call it makes: what `router.caller(caller)` returns, as an
/// opaque `External`, which the glue keeps per sending frame. Reading a caller
/// object's eight properties costs more than the router's own work for a
/// small call.
#[derive(Debug, Clone)]
pub struct SharedCaller(Arc<CallerIdentity>);

impl SharedCaller {
    /// The identity, shared with the calls that use it.
    pub fn identity(&self) -> Arc<CallerIdentity> {
        Arc::clone(&self.0)
    }
}

impl From<Caller> for SharedCaller {
    fn from(caller: Caller) -> Self {
        SharedCaller(Arc::new(caller.into()))
    }
}
