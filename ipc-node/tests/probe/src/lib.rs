//! The probe router of ipc-node's Node.js tests (`tests/electron/`): its
//! calls report who called them (with the frame), sleep until cancelled,
//! panic, emit events to a target and count what they saw, so the tests can
//! observe the addon and the main-side glue from outside.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ipc_node::{Emitter, Served};
use ipc_runtime::{CallContext, HandlerFailure, IpcHandlerError, Router};

pub use probe::*;

#[ipc_runtime::contracts(handlers = ProbeHandlers)]
pub mod probe {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// Returns its text; `"refuse"` is refused with a typed error.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "echo", response = String, error = ProbeError)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Echo {
        #[schemars(length(min = 1, max = 100))]
        pub text: String,
    }

    /// Validates a note like the notes example's `notes:save` and returns
    /// it unchanged: the payload of the Electron benchmark.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "save", response = SaveDraft)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct SaveDraft {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<u64>,
        #[schemars(length(min = 1, max = 200))]
        pub title: String,
        #[schemars(length(max = 100_000))]
        pub body: String,
        #[serde(default)]
        #[schemars(length(max = 20), inner(length(min = 1, max = 32)))]
        pub tags: Vec<String>,
    }

    /// Who the router says called.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "whoami", response = Caller)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct WhoAmI {}

    /// The caller identity, as a handler sees it.
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Caller {
        pub connection_id: u64,
        pub window_id: Option<u64>,
        pub role: String,
        pub origin: String,
        pub frame: Option<Frame>,
    }

    /// The frame that called, as a handler sees it.
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Frame {
        pub process_id: u32,
        pub routing_id: u32,
        pub main_frame: bool,
    }

    /// Sleeps `ms` milliseconds, or until the call is cancelled.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "sleep", response = ())]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Sleep {
        #[schemars(range(max = 60000))]
        pub ms: u32,
    }

    /// Panics in the handler.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "panic", response = ())]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Panic {}

    /// Emits `probe:pinged` with `n` (and `text`, to make a large
    /// event): to every window, a role's windows or one connection.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "ping", response = ())]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Ping {
        pub n: u32,
        pub role: Option<String>,
        pub connection: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub text: Option<String>,
    }

    /// Counted; no reply.
    #[ipc_runtime::contract(send, namespace = "probe", method = "note")]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Note {
        #[schemars(length(max = 100))]
        pub text: String,
    }

    /// What the probe has seen so far.
    #[ipc_runtime::contract(invoke, namespace = "probe", method = "stats", response = Stats)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct GetStats {}

    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Stats {
        /// Sends handled.
        pub notes: u32,
        /// Sleeps whose cancellation token was cancelled.
        pub cancelled_sleeps: u32,
    }

    /// The event `ping` emits.
    #[ipc_runtime::contract(event, namespace = "probe", method = "pinged")]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Pinged {
        pub n: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub text: Option<String>,
    }

    #[ipc_runtime::contract_error]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub enum ProbeError {
        /// The text was `"refuse"`.
        #[ipc(status = 409, message = "Refused: {reason}")]
        Refused { reason: String },
    }
}

struct Probe {
    events: Emitter,
    notes: AtomicU32,
    cancelled_sleeps: AtomicU32,
}

#[derive(Clone)]
struct Handlers(Arc<Probe>);

impl ProbeHandlers for Handlers {
    async fn echo(
        &self,
        _: CallContext,
        request: Echo,
    ) -> Result<String, HandlerFailure<ProbeError>> {
        if request.text == "refuse" {
            return Err(ProbeError::Refused {
                reason: "asked to".to_owned(),
            }
            .into());
        }
        Ok(request.text)
    }

    async fn save_draft(
        &self,
        _: CallContext,
        request: SaveDraft,
    ) -> Result<SaveDraft, IpcHandlerError> {
        Ok(request)
    }

    async fn who_am_i(&self, context: CallContext, _: WhoAmI) -> Result<Caller, IpcHandlerError> {
        let caller = context.caller();
        Ok(Caller {
            connection_id: caller.connection_id,
            window_id: caller.window_id,
            role: caller.role.clone(),
            origin: caller.origin.clone(),
            frame: caller.frame.map(|frame| Frame {
                process_id: frame.process_id,
                routing_id: frame.routing_id,
                main_frame: frame.main_frame,
            }),
        })
    }

    async fn sleep(&self, context: CallContext, request: Sleep) -> Result<(), IpcHandlerError> {
        let duration = Duration::from_millis(request.ms.into());
        // A cancelled call's future is dropped by the router; a task of its
        // own sees the token that the router cancels.
        let token = context.cancellation().clone();
        let probe = Arc::clone(&self.0);
        tokio::spawn(async move {
            if tokio::time::timeout(duration, token.cancelled())
                .await
                .is_ok()
            {
                probe.cancelled_sleeps.fetch_add(1, Ordering::SeqCst);
            }
        });
        tokio::time::sleep(duration).await;
        Ok(())
    }

    async fn panic(&self, _: CallContext, _: Panic) -> Result<(), IpcHandlerError> {
        panic!("the probe panics on purpose");
    }

    async fn ping(&self, _: CallContext, request: Ping) -> Result<(), IpcHandlerError> {
        let event = Pinged {
            n: request.n,
            text: request.text,
        };
        let sent = match (request.role, request.connection) {
            (Some(role), _) => self.0.events.emit_to_role(&role, &event),
            (None, Some(connection)) => self.0.events.emit_to(connection, &event),
            (None, None) => self.0.events.emit(&event),
        };
        sent.map_err(|error| IpcHandlerError::new("EMIT_FAILED", error.to_string()))
    }

    async fn note(&self, _: CallContext, _: Note) -> Result<(), IpcHandlerError> {
        self.0.notes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn get_stats(&self, _: CallContext, _: GetStats) -> Result<Stats, IpcHandlerError> {
        Ok(Stats {
            notes: self.0.notes.load(Ordering::SeqCst),
            cancelled_sleeps: self.0.cancelled_sleeps.load(Ordering::SeqCst),
        })
    }
}

/// Some channels inline (ADR 0013), the others on the runtime, so that the
/// tests go through both paths: `sleep` starts inline and moves to the
/// runtime at its first `.await`; `stats`, `ping` and `note` never start
/// inline. `open({ inline: [channel, ..] })` adds channels, to test how
/// `open()` treats a channel the router does not serve.
fn probe_router(options: serde_json::Value, events: Emitter) -> Result<Served, String> {
    let handlers = Handlers(Arc::new(Probe {
        events,
        notes: AtomicU32::new(0),
        cancelled_sleeps: AtomicU32::new(0),
    }));
    let router = handlers
        .add_to(Router::builder())
        .build()
        .map_err(|error| error.to_string())?;
    let mut served = Served::new(router)
        .inline::<Echo>()
        .inline::<SaveDraft>()
        .inline::<WhoAmI>()
        .inline::<Sleep>()
        .inline::<Panic>();
    let extra = options.get("inline").and_then(serde_json::Value::as_array);
    for channel in extra.into_iter().flatten() {
        let channel = channel.as_str().ok_or("inline channels are strings")?;
        served = served.inline_channel(channel);
    }
    Ok(served)
}

ipc_node::addon!(probe_router);
