//! Three small contracts and their router, for the tests that probe the
//! transport with hostile or generated requests (`ws_hostile`,
//! `ws_single_pass`). Not declared in `common/mod.rs`: a router needs a
//! handler for every contract linked into its binary, so only the tests
//! that route these include this file.

use ipc_runtime::{CallContext, IpcHandlerError, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Echoes a short text: payloads the fast path refuses are easy to write.
#[ipc_runtime::contract(invoke, namespace = "ws", method = "echo", response = String)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echo {
    #[schemars(length(max = 16))]
    text: String,
}

/// Sums nested lists of small numbers: a payload with depth.
#[ipc_runtime::contract(invoke, namespace = "ws", method = "sum", response = u64)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Sum {
    rows: Vec<Vec<u32>>,
}

/// Fire and forget: no reply on success.
#[ipc_runtime::contract(send, namespace = "ws", method = "note")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Note {
    text: String,
}

/// A router for `ws:echo`, `ws:sum` and `ws:note` that takes requests of
/// up to `max_request_bytes`, a limit small enough for a test to reach.
pub(crate) fn router(max_request_bytes: usize) -> Router {
    Router::builder()
        .max_request_bytes(max_request_bytes)
        .invoke::<Echo, _>(|_: CallContext, echo: Echo| async move {
            Ok::<_, IpcHandlerError>(echo.text)
        })
        .invoke::<Sum, _>(|_: CallContext, sum: Sum| async move {
            Ok::<_, IpcHandlerError>(sum.rows.iter().flatten().map(|n| u64::from(*n)).sum())
        })
        .send::<Note, _>(|_: CallContext, _: Note| async move { Ok::<_, IpcHandlerError>(()) })
        .build()
        .expect("every contract has a handler")
}
