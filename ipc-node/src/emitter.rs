//! Events from Rust to the JavaScript side, through a threadsafe function.

use std::sync::{Arc, OnceLock};

use ipc_runtime::{CancellationToken, EventContract, IpcError, Router};
use napi::Status;
use napi::bindgen_prelude::Either;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};

use crate::JsonMessage;

/// Where an event goes: `null` for every window, a role's name for the
/// windows of that role, a number for one `webContents.id`.
type EventTarget = Option<Either<String, u32>>;

/// `onEvent(envelope, target)`: weak, so a quiet event channel does not keep
/// Node.js alive; errors the callback throws are Node's uncaught exceptions.
pub type EventCallback = ThreadsafeFunction<
    napi::bindgen_prelude::FnArgs<(JsonMessage, EventTarget)>,
    (),
    napi::bindgen_prelude::FnArgs<(JsonMessage, EventTarget)>,
    Status,
    false,
    true,
>;

/// Why an event was not emitted.
#[derive(Debug, Clone, PartialEq)]
pub enum EmitError {
    /// The router is not built yet (an emit from inside the factory).
    NotReady,
    /// The addon was closed.
    Closed,
    /// The payload failed its outbound checks.
    Invalid(IpcError),
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmitError::NotReady => f.write_str("the router is not built yet"),
            EmitError::Closed => f.write_str("the addon is closed"),
            EmitError::Invalid(error) => write!(f, "the event was refused: {}", error.code()),
        }
    }
}

impl std::error::Error for EmitError {}

pub(crate) struct EmitterState {
    pub(crate) router: OnceLock<Arc<Router>>,
    pub(crate) callback: EventCallback,
    pub(crate) closed: CancellationToken,
}

/// Sends events to the JavaScript side, which forwards them to windows.
/// Cheap to clone; keep one in a handler or a change listener.
#[derive(Clone)]
pub struct Emitter {
    pub(crate) state: Arc<EmitterState>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("ready", &self.state.router.get().is_some())
            .field("closed", &self.state.closed.is_cancelled())
            .finish()
    }
}

impl Emitter {
    /// Sends `payload` to every window.
    pub fn emit<E: EventContract>(&self, payload: &E) -> Result<(), EmitError> {
        self.send(payload, None)
    }

    /// Sends `payload` to the windows of `role`.
    pub fn emit_to_role<E: EventContract>(&self, role: &str, payload: &E) -> Result<(), EmitError> {
        self.send(payload, Some(Either::A(role.to_owned())))
    }

    /// Sends `payload` to the window whose `webContents.id` is `connection_id`.
    pub fn emit_to<E: EventContract>(
        &self,
        connection_id: u32,
        payload: &E,
    ) -> Result<(), EmitError> {
        self.send(payload, Some(Either::B(connection_id)))
    }

    fn send<E: EventContract>(&self, payload: &E, target: EventTarget) -> Result<(), EmitError> {
        if self.state.closed.is_cancelled() {
            return Err(EmitError::Closed);
        }
        let router = self.state.router.get().ok_or(EmitError::NotReady)?;
        // Text, made a JavaScript value as a reply is (a string, or its
        // UTF-8 bytes when large).
        let envelope = JsonMessage(router.event_text(payload).map_err(EmitError::Invalid)?);
        match self.state.callback.call(
            (envelope, target).into(),
            ThreadsafeFunctionCallMode::NonBlocking,
        ) {
            Status::Ok => Ok(()),
            _ => Err(EmitError::Closed),
        }
    }
}
