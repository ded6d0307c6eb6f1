//! The entry points with a per-call check (`dispatch_permitted` and
//! `dispatch_inline`, which the Electron addon and the Tauri plugin use)
//! parse a request whose channel leads in one pass too, once the checks
//! have passed on the route that channel names
//! (docs/adr/0044-single-pass-envelope.md). Whatever the request, text or
//! bytes, inline or not, the reply must be byte for byte the reply of the
//! two-pass parse with the same check (the `fuzzing` feature's reference).

#[path = "common/echo_sum_note.rs"]
mod echo_sum_note;
#[path = "common/requests.rs"]
mod requests;

use std::sync::Arc;

use ipc_runtime::{CallerIdentity, CancellationToken, ContractKind, InlineChannels, Router};
use proptest::prelude::*;
use requests::{MAX_REQUEST_BYTES, client_request, request};

/// The channel the check refuses; the others it grants.
const REFUSED: &str = "ws:sum";

fn permit(channel: &str, _: ContractKind) -> bool {
    channel != REFUSED
}

fn caller() -> CallerIdentity {
    CallerIdentity::new(1, "renderer", "app://localhost")
}

/// Every checked way in for `request`, each with the reply it gave.
async fn checked_replies(router: &Router, request: &str) -> Vec<(&'static str, Option<String>)> {
    let token = Arc::new(CancellationToken::new());
    let echo_inline = InlineChannels::none().with_channel("ws:echo");
    let as_text =
        |reply: Option<Vec<u8>>| reply.map(|bytes| String::from_utf8(bytes).expect("UTF-8"));
    vec![
        (
            "permitted, text",
            router
                .dispatch_permitted(request, caller(), &token, &permit)
                .await,
        ),
        (
            "permitted, bytes",
            as_text(
                router
                    .dispatch_permitted(request.as_bytes(), caller(), &token, &permit)
                    .await,
            ),
        ),
        (
            "permitted, borrowed token",
            router
                .dispatch_permitted(request, caller(), token.as_ref(), &permit)
                .await,
        ),
        (
            "inline, every channel",
            router
                .dispatch_inline(request, caller(), &token, &permit, &InlineChannels::all())
                .await,
        ),
        (
            "inline, ws:echo only",
            router
                .dispatch_inline(request, caller(), &token, &permit, &echo_inline)
                .await,
        ),
        (
            "inline, ws:echo only, bytes",
            as_text(
                router
                    .dispatch_inline(request.as_bytes(), caller(), &token, &permit, &echo_inline)
                    .await,
            ),
        ),
    ]
}

fn same_replies(strategy: impl Strategy<Value = String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let router = echo_sum_note::router(MAX_REQUEST_BYTES);
    let mut runner = requests::runner(512);
    let outcome = runner.run(&strategy, |request| {
        runtime.block_on(async {
            let expected = ipc_runtime::fuzzing::dispatch_two_pass_permitted(
                &router,
                request.as_bytes(),
                caller(),
                &permit,
            )
            .await;
            for (way, got) in checked_replies(&router, &request).await {
                prop_assert_eq!(&got, &expected, "{}: {}", way, request);
            }
            Ok(())
        })
    });
    if let Err(error) = outcome {
        panic!("{error}");
    }
}

#[test]
fn any_request_gets_the_reply_of_the_two_pass_parse() {
    same_replies(request());
}

#[test]
fn client_requests_get_the_reply_of_the_two_pass_parse() {
    same_replies(client_request());
}

/// Known answers, so that a pass that gave the same wrong answer as the
/// two-pass parse would still be caught.
#[tokio::test]
async fn checked_requests_are_answered() {
    let router = echo_sum_note::router(MAX_REQUEST_BYTES);
    let cases = [
        (
            r#"{"v":1,"id":1,"kind":"invoke","channel":"ws:echo","payload":{"text":"caf\u00e9"}}"#,
            Some("{\"id\":1,\"ok\":true,\"data\":\"caf\u{e9}\"}"),
        ),
        // Refused by the check, though the payload is valid...
        (
            r#"{"v":1,"id":2,"kind":"invoke","channel":"ws:sum","payload":{"rows":[[1]]}}"#,
            Some(
                r#"{"id":2,"ok":false,"error":{"name":"IPCHandlerError","code":"IPC_FORBIDDEN","message":"This caller has no permission for channel \"ws:sum\"","statusCode":403}}"#,
            ),
        ),
        // ...or invalid: never looked at.
        (
            r#"{"v":1,"id":3,"kind":"invoke","channel":"ws:sum","payload":{"rows":"no"}}"#,
            Some(
                r#"{"id":3,"ok":false,"error":{"name":"IPCHandlerError","code":"IPC_FORBIDDEN","message":"This caller has no permission for channel \"ws:sum\"","statusCode":403}}"#,
            ),
        ),
        // A kind that is not the route's is refused before the check.
        (
            r#"{"v":1,"id":4,"kind":"send","channel":"ws:sum","payload":{"rows":[[1]]}}"#,
            Some(
                r#"{"id":4,"ok":false,"error":{"name":"IPCHandlerError","code":"IPC_MALFORMED_REQUEST","message":"Channel \"ws:sum\" is a invoke contract, but the request's kind is \"send\"","statusCode":400}}"#,
            ),
        ),
        (
            r#"{"v":1,"kind":"send","channel":"ws:note","payload":{"text":"x"}}"#,
            None,
        ),
    ];
    for (request, expected) in cases {
        for (way, got) in checked_replies(&router, request).await {
            assert_eq!(got.as_deref(), expected, "{way}: {request}");
        }
    }
}
