//! `Router::dispatch_permitted`: a check made per call, after the route is
//! found and before the payload is looked at; and on every entry point, a
//! payload decoded only once the caller is let through.

use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Waker};

use ipc_runtime::{
    CallerIdentity, CancellationToken, ContractKind, InlineChannels, IpcHandlerError, Router,
    contract,
};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
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

/// How many times a [`Counted`] was decoded.
static DECODED: AtomicUsize = AtomicUsize::new(0);

/// A text that counts its decodes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Counted(String);

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DECODED.fetch_add(1, Ordering::SeqCst);
        String::deserialize(deserializer).map(Counted)
    }
}

/// Counts the decodes of its payload.
#[contract(invoke, namespace = "probe", method = "tally", response = String)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    pub label: Counted,
}

fn router() -> Router {
    builder().build().expect("router")
}

fn builder() -> ipc_runtime::RouterBuilder {
    Router::builder()
        .invoke::<Shout, _>(|_, request| async move {
            Ok::<_, IpcHandlerError>(request.label.to_uppercase())
        })
        .send::<Whisper, _>(|_, _| async move { Ok::<_, IpcHandlerError>(()) })
        .invoke::<Tally, _>(|_, request| async move { Ok::<_, IpcHandlerError>(request.label.0) })
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

/// Whether `reply` is `IPC_FORBIDDEN` for request 9.
fn forbidden(reply: Option<impl AsRef<[u8]>>) -> bool {
    let reply: Value = serde_json::from_slice(reply.expect("a reply").as_ref()).expect("reply");
    reply["id"] == 9 && reply["error"]["code"] == "IPC_FORBIDDEN"
}

/// The router's authorizer and a transport's permit are asked before the
/// payload is decoded, on every entry point and whichever pass reads the
/// request: a refused caller's payload is never decoded.
#[tokio::test]
async fn a_refused_callers_payload_is_never_decoded() {
    const TALLY: &str =
        r#"{"v":1,"id":9,"kind":"invoke","channel":"probe:tally","payload":{"label":"x"}}"#;
    // The same request with its channel last: parsed in two passes.
    const TALLY_LAST: &str =
        r#"{"v":1,"id":9,"kind":"invoke","payload":{"label":"x"},"channel":"probe:tally"}"#;
    let closed = builder()
        .authorize(|_, channel, _| channel != "probe:tally")
        .build()
        .expect("router");
    let open = router();
    let token = CancellationToken::new();
    let refuse = |channel: &str, _: ContractKind| channel != "probe:tally";
    let grant = |_: &str, _: ContractKind| true;
    for request in [TALLY, TALLY_LAST] {
        assert!(forbidden(closed.dispatch(request, caller()).await));
        assert!(forbidden(
            closed.dispatch(request.as_bytes(), caller()).await
        ));
        assert!(forbidden(
            closed.dispatch_cancellable(request, caller(), &token).await
        ));
        assert!(forbidden(
            closed
                .dispatch_permitted(request, caller(), &token, &grant)
                .await
        ));
        assert!(forbidden(
            open.dispatch_permitted(request, caller(), &token, &refuse)
                .await
        ));
        assert!(forbidden(
            open.dispatch_inline(request, caller(), &token, &refuse, &InlineChannels::all())
                .await
        ));
        assert_eq!(DECODED.load(Ordering::SeqCst), 0, "{request}");
    }
    // Let through, a payload is decoded once, in either pass.
    for request in [TALLY, TALLY_LAST] {
        let before = DECODED.load(Ordering::SeqCst);
        let reply = open
            .dispatch_permitted(request, caller(), &token, &grant)
            .await
            .expect("a reply");
        assert_eq!(reply, r#"{"id":9,"ok":true,"data":"x"}"#);
        assert_eq!(DECODED.load(Ordering::SeqCst), before + 1, "{request}");
    }
    // A channel that may not run inline is not decoded on the thread that
    // polls it first: that poll is pending before the payload is read.
    let elsewhere = InlineChannels::none().with::<Shout>();
    for request in [TALLY, TALLY_LAST] {
        let before = DECODED.load(Ordering::SeqCst);
        let mut call = pin!(open.dispatch_inline(request, caller(), &token, &grant, &elsewhere));
        let first = call.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert!(first.is_pending(), "{request}");
        assert_eq!(DECODED.load(Ordering::SeqCst), before, "{request}");
        assert_eq!(
            call.await.as_deref(),
            Some(r#"{"id":9,"ok":true,"data":"x"}"#)
        );
        assert_eq!(DECODED.load(Ordering::SeqCst), before + 1, "{request}");
    }
}
