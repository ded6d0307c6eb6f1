//! The WebSocket transport parses a request whose channel comes first in
//! one pass, its payload decoded by the route's fast path while the
//! envelope is read (docs/adr/0044-single-pass-envelope.md). Whatever the
//! request, the reply over a real socket must be byte for byte the reply
//! of the two-pass parse (the `fuzzing` feature's reference entry point).

mod common;
#[path = "common/echo_sum_note.rs"]
mod echo_sum_note;
#[path = "common/requests.rs"]
mod requests;

use std::sync::Arc;

use common::{Socket, connect, next_text};
use futures_util::SinkExt;
use ipc_runtime::ws::{WsConfig, WsServer};
use ipc_runtime::{CallerIdentity, Router};
use proptest::prelude::*;
use requests::{MAX_REQUEST_BYTES, client_request, request};
use tokio_tungstenite::tungstenite::Message;

fn router() -> Router {
    echo_sum_note::router(MAX_REQUEST_BYTES)
}

const SENTINEL: &str =
    r#"{"v":1,"id":"end","kind":"invoke","channel":"ws:echo","payload":{"text":"end"}}"#;
const SENTINEL_REPLY: &str = r#"{"id":"end","ok":true,"data":"end"}"#;

/// The frames the server sends for `request`: none (a send) or its reply.
async fn over_socket(socket: &mut Socket, request: &str) -> Vec<String> {
    socket.send(Message::text(request)).await.expect("sent");
    socket.send(Message::text(SENTINEL)).await.expect("sent");
    let mut replies = Vec::new();
    loop {
        let text = next_text(socket).await;
        if text == SENTINEL_REPLY {
            return replies;
        }
        replies.push(text);
    }
}

/// The reply of the two-pass parse.
async fn two_pass(router: &Router, request: &str) -> Vec<String> {
    let caller = CallerIdentity::new(1, "renderer", "http://127.0.0.1");
    ipc_runtime::fuzzing::dispatch_two_pass(router, request.as_bytes(), caller)
        .await
        .into_iter()
        .collect()
}

fn same_replies(strategy: impl Strategy<Value = Vec<String>>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let router = Arc::new(router());
    let server = runtime
        .block_on(WsServer::start(Arc::clone(&router), WsConfig::default()))
        .expect("server starts");
    let mut runner = requests::runner(64);
    let outcome = runner.run(&strategy, |requests| {
        runtime.block_on(async {
            let mut socket = connect(&server).await;
            for request in &requests {
                let expected = two_pass(&router, request).await;
                let got = over_socket(&mut socket, request).await;
                prop_assert_eq!(&got, &expected, "request: {}", request);
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
    same_replies(proptest::collection::vec(request(), 1..12));
}

#[test]
fn client_requests_get_the_reply_of_the_two_pass_parse() {
    same_replies(proptest::collection::vec(client_request(), 1..12));
}

/// Known answers through the single pass, so that a pass that gave the
/// same wrong answer as the two-pass parse would still be caught.
#[test]
fn channel_first_requests_are_answered() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = WsServer::start(Arc::new(router()), WsConfig::default())
            .await
            .expect("server starts");
        let mut socket = connect(&server).await;
        let cases = [
            (
                r#"{"v":1,"id":1,"kind":"invoke","channel":"ws:echo","payload":{"text":"caf\u00e9"}}"#,
                vec!["{\"id\":1,\"ok\":true,\"data\":\"caf\u{e9}\"}"],
            ),
            (
                r#"{"v":1,"id":2,"kind":"invoke","channel":"ws:sum","payload":{"rows":[[1,2],[3]]}}"#,
                vec![r#"{"id":2,"ok":true,"data":6}"#],
            ),
            (
                r#"{"v":1,"kind":"send","channel":"ws:note","payload":{"text":"x"}}"#,
                vec![],
            ),
            // Decoded in the pass, then refused by the envelope's checks.
            (
                r#"{"v":1,"id":3,"kind":"send","channel":"ws:echo","payload":{"text":"a"}}"#,
                vec![
                    r#"{"id":3,"ok":false,"error":{"name":"IPCHandlerError","code":"IPC_MALFORMED_REQUEST","message":"Channel \"ws:echo\" is a invoke contract, but the request's kind is \"send\"","statusCode":400}}"#,
                ],
            ),
            (
                r#"{"v":1,"id":4,"kind":"invoke","channel":"ws:echo","payload":{"text":"a"},"extra":1}"#,
                vec![
                    r#"{"id":4,"ok":false,"error":{"name":"IPCHandlerError","code":"IPC_MALFORMED_REQUEST","message":"The request has a unknown envelope field `extra`","statusCode":400}}"#,
                ],
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(over_socket(&mut socket, request).await, expected, "{request}");
        }
    });
}
