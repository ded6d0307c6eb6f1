//! `Router::dispatch_inline`: what a transport's own thread runs when it
//! polls a call once (docs/adr/0033). A call of an inline channel is
//! validated and its handler run at that poll; any other call is pending
//! before its payload is validated, and goes on at the next poll.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use ipc_runtime::{
    CallerIdentity, CancellationToken, ContractKind, InlineChannels, IpcHandlerError, Router,
    contract,
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

/// Answers after a yield of its own: pending at its first poll, inline or not.
#[contract(invoke, response = u32)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Count {
    pub to: u32,
}

struct Counters {
    shouted: AtomicUsize,
    counted: AtomicUsize,
}

fn router(counters: &Arc<Counters>) -> Router {
    let (shouted, counted) = (Arc::clone(counters), Arc::clone(counters));
    Router::builder()
        .invoke::<Shout, _>(move |_, request| {
            shouted.shouted.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, IpcHandlerError>(request.label.to_uppercase()) }
        })
        .invoke::<Count, _>(move |_, request| {
            counted.counted.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::task::yield_now().await;
                Ok::<_, IpcHandlerError>(request.to)
            }
        })
        .build()
        .expect("router")
}

fn counters() -> Arc<Counters> {
    Arc::new(Counters {
        shouted: AtomicUsize::new(0),
        counted: AtomicUsize::new(0),
    })
}

fn channel_of(router: &Router, prefix: &str) -> String {
    router
        .channels()
        .into_iter()
        .find(|channel| channel.contains(prefix))
        .expect("channel")
        .to_owned()
}

fn request(id: u64, channel: &str, payload: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"v": 1, "id": id, "kind": "invoke", "channel": channel, "payload": payload}),
    )
    .expect("request")
}

/// Polls the call once with a waker that does nothing, as a transport's
/// thread does; `Err` holds the pending call.
type Call<'a> = Pin<Box<dyn Future<Output = Option<Vec<u8>>> + 'a>>;

fn first_poll(mut call: Call<'_>) -> Result<Value, Call<'_>> {
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(reply) => Ok(serde_json::from_slice(&reply.expect("a reply")).expect("JSON")),
        Poll::Pending => Err(call),
    }
}

fn call<'a>(
    router: &'a Router,
    bytes: &'a [u8],
    inline: &'a InlineChannels,
    cancel: &'a CancellationToken,
) -> Call<'a> {
    Box::pin(router.dispatch_inline(
        bytes,
        CallerIdentity::new(1, "main", "tauri://localhost"),
        cancel,
        &|_: &str, _: ContractKind| true,
        inline,
    ))
}

#[tokio::test]
async fn an_inline_call_is_validated_and_answered_at_the_first_poll() {
    let counters = counters();
    let router = router(&counters);
    let shout = channel_of(&router, "shout");
    let inline = InlineChannels::none().with::<Shout>();
    let cancel = CancellationToken::new();

    let ok = request(1, &shout, json!({"label": "hey"}));
    let reply = first_poll(call(&router, &ok, &inline, &cancel))
        .ok()
        .expect("ready");
    assert_eq!(reply, json!({"id": 1, "ok": true, "data": "HEY"}));

    let invalid = request(2, &shout, json!({"label": ""}));
    let reply = first_poll(call(&router, &invalid, &inline, &cancel))
        .ok()
        .expect("ready");
    assert_eq!(reply["error"]["name"], "IPCValidationError");
    assert_eq!(counters.shouted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn another_channel_is_pending_before_its_payload_is_looked_at() {
    let counters = counters();
    let router = router(&counters);
    let shout = channel_of(&router, "shout");
    let inline = InlineChannels::none().with::<Count>();
    let cancel = CancellationToken::new();

    let bytes = request(3, &shout, json!({"label": "hey"}));
    let pending = first_poll(call(&router, &bytes, &inline, &cancel)).expect_err("pending");
    assert_eq!(
        counters.shouted.load(Ordering::SeqCst),
        0,
        "handler ran inline"
    );
    // Where the transport moves it, it goes on.
    let reply: Value = serde_json::from_slice(&pending.await.expect("a reply")).expect("JSON");
    assert_eq!(reply["data"], "HEY");
    assert_eq!(counters.shouted.load(Ordering::SeqCst), 1);

    // No channel inline: the same.
    let none = InlineChannels::none();
    let pending = first_poll(call(&router, &bytes, &none, &cancel)).expect_err("pending");
    assert_eq!(counters.shouted.load(Ordering::SeqCst), 1);
    assert!(pending.await.is_some());
}

#[tokio::test]
async fn an_inline_handler_that_waits_goes_on_where_it_is_moved() {
    let counters = counters();
    let router = router(&counters);
    let count = channel_of(&router, "count");
    let inline = InlineChannels::all();
    let cancel = CancellationToken::new();

    let bytes = request(4, &count, json!({"to": 5}));
    let pending = first_poll(call(&router, &bytes, &inline, &cancel)).expect_err("pending");
    // Started inline: validated and its handler called at the first poll.
    assert_eq!(counters.counted.load(Ordering::SeqCst), 1);
    let reply: Value = serde_json::from_slice(&pending.await.expect("a reply")).expect("JSON");
    assert_eq!(reply, json!({"id": 4, "ok": true, "data": 5}));
    assert_eq!(counters.counted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_request_above_the_inline_bound_is_pending_at_once() {
    let counters = counters();
    let router = router(&counters);
    let shout = channel_of(&router, "shout");
    let cancel = CancellationToken::new();
    let bytes = request(5, &shout, json!({"label": "hey"}));
    let tight = InlineChannels::all().max_bytes(bytes.len() - 1);
    let pending = first_poll(call(&router, &bytes, &tight, &cancel)).expect_err("pending");
    assert_eq!(counters.shouted.load(Ordering::SeqCst), 0);
    assert!(pending.await.is_some());

    let exact = InlineChannels::all().max_bytes(bytes.len());
    assert!(first_poll(call(&router, &bytes, &exact, &cancel)).is_ok());
}

#[tokio::test]
async fn refusals_before_routing_are_answered_inline() {
    let counters = counters();
    let router = router(&counters);
    let inline = InlineChannels::all();
    let cancel = CancellationToken::new();
    let unknown = request(6, "nobody:home", json!({}));
    let reply = first_poll(call(&router, &unknown, &inline, &cancel))
        .ok()
        .expect("ready");
    assert_eq!(reply["error"]["code"], "IPC_UNKNOWN_CHANNEL");
    let reply = first_poll(call(&router, b"{not json", &inline, &cancel))
        .ok()
        .expect("ready");
    assert_eq!(reply["error"]["code"], "IPC_MALFORMED_REQUEST");
}

#[test]
fn named_channels_a_router_does_not_serve_are_told() {
    let router = router(&counters());
    let inline = InlineChannels::none()
        .with::<Shout>()
        .with_channel("nobody:home")
        .with_channel("also:missing");
    assert_eq!(inline.unknown_to(&router), ["also:missing", "nobody:home"]);
    assert!(InlineChannels::all().unknown_to(&router).is_empty());
    assert!(!InlineChannels::none().allows("anything", 1));
    assert!(InlineChannels::all().allows("anything", 1));
}
