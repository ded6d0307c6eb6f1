//! `Router::dispatch_permitted`: a check made per call, after the route is
//! found and before the payload is looked at.

use std::sync::Mutex;

use ipc_runtime::{
    CallerIdentity, CancellationToken, ContractKind, IpcHandlerError, Router, contract,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Echoes a bounded label.
#[contract(invoke, response = String)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Shout {
    #[schemars(length(min = 1, max = 8))]
    pub label: String,
}

/// A one-way message.
#[contract(send)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Whisper {
    pub label: String,
}

fn router() -> Router {
    Router::builder()
        .invoke::<Shout, _>(|_, request| async move {
            Ok::<_, IpcHandlerError>(request.label.to_uppercase())
        })
        .send::<Whisper, _>(|_, _| async move { Ok::<_, IpcHandlerError>(()) })
        .build()
        .expect("router")
}

fn caller() -> CallerIdentity {
    CallerIdentity::new(1, "main", "tauri://localhost")
}

async fn dispatch(
    router: &Router,
    request: Value,
    allow: &[&str],
    asked: &Mutex<Vec<(String, ContractKind)>>,
) -> Option<Value> {
    let permit = |channel: &str, kind: ContractKind| {
        asked.lock().expect("lock").push((channel.to_owned(), kind));
        allow.contains(&channel)
    };
    let bytes = serde_json::to_vec(&request).expect("request");
    router
        .dispatch_permitted(&bytes, caller(), &CancellationToken::new(), &permit)
        .await
        .map(|reply| serde_json::from_slice(&reply).expect("reply"))
}

#[tokio::test]
async fn a_refused_channel_is_forbidden_with_its_id_before_validation() {
    let router = router();
    let asked = Mutex::new(Vec::new());
    let channel = router.channels()[0].to_owned();
    // An invalid payload: a validation error if it were looked at.
    let reply = dispatch(
        &router,
        json!({"v": 1, "id": 7, "kind": "invoke", "channel": channel, "payload": {"label": ""}}),
        &[],
        &asked,
    )
    .await
    .expect("a reply");
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["error"]["code"], "IPC_FORBIDDEN");
    assert_eq!(reply["error"]["statusCode"], 403);
    assert_eq!(
        *asked.lock().expect("lock"),
        [(channel, ContractKind::Invoke)]
    );
}

#[tokio::test]
async fn a_permitted_call_is_validated_and_served() {
    let router = router();
    let channels = router.channels();
    let (shout, whisper) = (channels[0], channels[1]);
    let asked = Mutex::new(Vec::new());
    let served = dispatch(
        &router,
        json!({"v": 1, "id": 1, "kind": "invoke", "channel": shout, "payload": {"label": "hey"}}),
        &[shout, whisper],
        &asked,
    )
    .await
    .expect("a reply");
    assert_eq!(served, json!({"id": 1, "ok": true, "data": "HEY"}));
    let invalid = dispatch(
        &router,
        json!({"v": 1, "id": 2, "kind": "invoke", "channel": shout, "payload": {"label": ""}}),
        &[shout],
        &asked,
    )
    .await
    .expect("a reply");
    assert_eq!(invalid["error"]["name"], "IPCValidationError");
    let sent = dispatch(
        &router,
        json!({"v": 1, "kind": "send", "channel": whisper, "payload": {"label": "psst"}}),
        &[whisper],
        &asked,
    )
    .await;
    assert_eq!(sent, None);
    let kinds: Vec<ContractKind> = asked
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, kind)| *kind)
        .collect();
    assert_eq!(
        kinds,
        [
            ContractKind::Invoke,
            ContractKind::Invoke,
            ContractKind::Send
        ]
    );
}

#[tokio::test]
async fn requests_refused_before_routing_never_ask() {
    let router = router();
    let asked = Mutex::new(Vec::new());
    let unknown = dispatch(
        &router,
        json!({"v": 1, "id": 3, "kind": "invoke", "channel": "nobody:home", "payload": {}}),
        &["nobody:home"],
        &asked,
    )
    .await
    .expect("a reply");
    assert_eq!(unknown["error"]["code"], "IPC_UNKNOWN_CHANNEL");
    let malformed = router
        .dispatch_permitted(
            b"{not json",
            caller(),
            &CancellationToken::new(),
            &|_: &str, _: ContractKind| true,
        )
        .await
        .expect("a reply");
    let malformed: Value = serde_json::from_slice(&malformed).expect("reply");
    assert_eq!(malformed["error"]["code"], "IPC_MALFORMED_REQUEST");
    assert!(asked.lock().expect("lock").is_empty());
}
