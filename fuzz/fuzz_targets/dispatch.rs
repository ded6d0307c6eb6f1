//! `Router::dispatch`, bytes in: never panics or hangs, answers every
//! invoke with one well-formed reply carrying its id, answers a send only
//! to refuse it, and every failure is a structured error. A request whose
//! channel leads is parsed in one pass (docs/adr/0044): the reply must be,
//! byte for byte, the one of the two-pass parse, and so must the reply of
//! the text entry point (the WebSocket transport's) for input that is
//! UTF-8. With a per-call check (the Electron addon's and the Tauri
//! plugin's entry point), made before the one-pass parse decodes, the reply
//! must be the two-pass parse's with the same check.

#![no_main]

use std::sync::OnceLock;

use ipc_runtime::{CallContext, CallerIdentity, ContractKind, IpcHandlerError, Router};
use libfuzzer_sys::fuzz_target;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[path = "common/reference.rs"]
mod reference;

/// A short text, echoed.
#[ipc_runtime::contract(invoke, namespace = "fuzz", method = "echo", response = String)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echo {
    #[schemars(length(min = 1, max = 10))]
    text: String,
}

/// Numbers, options and nesting.
#[ipc_runtime::contract(invoke, namespace = "fuzz", method = "sum", response = u64, error = SumError)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Sum {
    rows: Vec<Vec<u32>>,
    #[schemars(range(max = 1000))]
    limit: Option<u64>,
}

#[ipc_runtime::contract_error]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
enum SumError {
    /// The sum is over the limit.
    #[ipc(status = 422)]
    OverLimit { sum: u64 },
}

/// Tagged variants.
#[ipc_runtime::contract(invoke, namespace = "fuzz", method = "shape", response = f64)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
enum Shape {
    Circle { radius: f64 },
    Square { side: f32 },
    Point,
}

/// Fire and forget.
#[ipc_runtime::contract(send, namespace = "fuzz", method = "note")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Note {
    text: String,
    level: Option<u8>,
}

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        Router::builder()
            .invoke::<Echo, _>(|_: CallContext, echo: Echo| async move {
                Ok::<_, IpcHandlerError>(echo.text)
            })
            .invoke::<Sum, _>(|_: CallContext, sum: Sum| async move {
                let total: u64 = sum.rows.iter().flatten().map(|n| u64::from(*n)).sum();
                match sum.limit {
                    Some(limit) if total > limit => {
                        Err(ipc_runtime::HandlerFailure::Contract(SumError::OverLimit {
                            sum: total,
                        }))
                    }
                    _ => Ok(total),
                }
            })
            .invoke::<Shape, _>(|_: CallContext, shape: Shape| async move {
                Ok::<_, IpcHandlerError>(match shape {
                    Shape::Circle { radius } => radius * radius * std::f64::consts::PI,
                    Shape::Square { side } => f64::from(side) * f64::from(side),
                    Shape::Point => 0.0,
                })
            })
            .send::<Note, _>(|_: CallContext, _: Note| async move { Ok::<_, IpcHandlerError>(()) })
            .build()
            .expect("every contract has a handler")
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|bytes: &[u8]| {
    let caller = CallerIdentity::new(1, "fuzz".to_owned(), "http://127.0.0.1:1".to_owned());
    let reply = runtime().block_on(router().dispatch(bytes, caller.clone()));
    let two_pass = runtime().block_on(ipc_runtime::fuzzing::dispatch_two_pass(
        router(),
        bytes,
        caller.clone(),
    ));
    assert_eq!(
        reply.as_deref(),
        two_pass.as_deref().map(str::as_bytes),
        "one pass and two answer {bytes:?} alike"
    );
    // A check that refuses one channel, so that both of its answers are seen.
    let permit = |channel: &str, _: ContractKind| channel != "fuzz:shape";
    let token = ipc_runtime::CancellationToken::new();
    let permitted =
        runtime().block_on(router().dispatch_permitted(bytes, caller.clone(), &token, &permit));
    let permitted_two_pass = runtime().block_on(ipc_runtime::fuzzing::dispatch_two_pass_permitted(
        router(),
        bytes,
        caller.clone(),
        &permit,
    ));
    assert_eq!(
        permitted.as_deref(),
        permitted_two_pass.as_deref().map(str::as_bytes),
        "checked, one pass and two answer {bytes:?} alike"
    );
    if let Ok(text) = std::str::from_utf8(bytes) {
        let as_text =
            runtime().block_on(ipc_runtime::fuzzing::dispatch_text(router(), text, caller));
        assert_eq!(
            as_text.as_deref().map(str::as_bytes),
            reply.as_deref(),
            "the text path answers {text:?} as the byte path does"
        );
    }
    let request = reference::read(bytes);
    let Some(reply) = reply else {
        // Only a send that succeeded goes unanswered.
        assert!(
            matches!(&request, Some(request) if request.kind == ContractKind::Send),
            "no reply to {request:?}"
        );
        return;
    };
    let reply: Value = serde_json::from_slice(&reply).expect("replies are JSON");
    let ok = reply["ok"].as_bool().expect("a reply has `ok`");
    if let Some(request) = &request {
        if request.kind == ContractKind::Invoke {
            let id = serde_json::to_value(&request.id).expect("ids serialize");
            assert_eq!(reply["id"], id, "the reply carries the request's id");
        } else {
            assert!(!ok, "a send is answered only when it fails: {reply}");
        }
    }
    if ok {
        assert!(
            request.is_some(),
            "success for an invalid envelope: {reply}"
        );
        assert!(reply.get("data").is_some(), "{reply}");
    } else {
        let error = &reply["error"];
        assert!(
            matches!(
                error["name"].as_str(),
                Some("IPCValidationError" | "IPCHandlerError")
            ),
            "{reply}"
        );
        assert!(
            error["code"].is_string() && error["message"].is_string(),
            "{reply}"
        );
    }
});
