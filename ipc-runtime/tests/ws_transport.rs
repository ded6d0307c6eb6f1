//! The loopback WebSocket transport over real sockets: every handshake
//! check, calls, events, hostile clients and static files.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Socket, connect, connect_with, next_json, secret_of};
use futures_util::{SinkExt, StreamExt};
use ipc_runtime::ws::{WsConfig, WsServer};
use ipc_runtime::{CallContext, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// Echoes text back, with who asked.
#[ipc_runtime::contract(invoke, namespace = "test", method = "echo", response = Echoed)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echo {
    #[schemars(length(max = 10))]
    text: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echoed {
    text: String,
    connection_id: u64,
    origin: String,
    role: String,
}

/// Waits until cancelled (or a long time).
#[ipc_runtime::contract(invoke, namespace = "test", method = "hang", response = ())]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Hang {}

/// Replies after sleeping: a call that is still running after its first
/// poll.
#[ipc_runtime::contract(invoke, namespace = "test", method = "nap", response = u32)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Nap {
    #[schemars(range(max = 1000))]
    ms: u32,
}

/// Fire and forget.
#[ipc_runtime::contract(send, namespace = "test", method = "note")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Note {
    text: String,
}

/// Main -> renderer.
#[ipc_runtime::contract(event, namespace = "test", method = "ticked")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Ticked {
    count: u32,
}

/// Main -> renderer, with a body large enough to fill socket buffers.
#[ipc_runtime::contract(event, namespace = "test", method = "broadcast")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Broadcast {
    body: String,
}

struct Harness {
    server: WsServer,
    hung_calls_cancelled: Arc<tokio::sync::Notify>,
    /// Notified when a hanging call's handler has started.
    hung_calls_started: Arc<tokio::sync::Notify>,
    notes: tokio::sync::mpsc::UnboundedReceiver<String>,
    static_dir: std::path::PathBuf,
}

async fn start() -> Harness {
    start_with(WsConfig::default()).await
}

async fn start_with(config: WsConfig) -> Harness {
    let cancelled = Arc::new(tokio::sync::Notify::new());
    let cancelled_in_handler = Arc::clone(&cancelled);
    let started = Arc::new(tokio::sync::Notify::new());
    let started_in_handler = Arc::clone(&started);
    let (notes_tx, notes) = tokio::sync::mpsc::unbounded_channel();
    let router = Router::builder()
        .invoke::<Echo, _>(|context: CallContext, request: Echo| async move {
            let caller = context.caller();
            Ok::<_, ipc_runtime::IpcHandlerError>(Echoed {
                text: request.text,
                connection_id: caller.connection_id,
                origin: caller.origin.clone(),
                role: caller.role.clone(),
            })
        })
        .invoke::<Hang, _>(move |context: CallContext, _: Hang| {
            let cancelled = Arc::clone(&cancelled_in_handler);
            // A stored permit: the test may wait after the call started.
            started_in_handler.notify_one();
            // The router drops a cancelled call's future and cancels its
            // token; work the handler started observes the token.
            let token = context.cancellation().clone();
            tokio::spawn(async move {
                token.cancelled().await;
                cancelled.notify_one();
            });
            async move {
                std::future::pending::<()>().await;
                Ok::<_, ipc_runtime::IpcHandlerError>(())
            }
        })
        .invoke::<Nap, _>(|_: CallContext, nap: Nap| async move {
            tokio::time::sleep(Duration::from_millis(u64::from(nap.ms))).await;
            Ok::<_, ipc_runtime::IpcHandlerError>(nap.ms)
        })
        .send::<Note, _>(move |_: CallContext, note: Note| {
            let notes_tx = notes_tx.clone();
            async move {
                let _ = notes_tx.send(note.text);
                Ok::<_, ipc_runtime::IpcHandlerError>(())
            }
        })
        .build()
        .expect("every contract has a handler");
    let static_dir = common::renderer_dir(
        "ipc-ws-static",
        "<!doctype html><title>app</title>",
        "console.log(1)",
    );
    let config = WsConfig {
        static_dir: Some(static_dir.clone()),
        max_message_bytes: 64 * 1024,
        ..config
    };
    let server = WsServer::start(Arc::new(router), config)
        .await
        .expect("server starts");
    Harness {
        server,
        hung_calls_cancelled: cancelled,
        hung_calls_started: started,
        notes,
        static_dir,
    }
}

/// How `socket` ends: the code of its Close frame (`None` when it ends
/// without one). `None` outside when it does not end within `within`.
async fn close_code(socket: &mut Socket, within: Duration) -> Option<Option<u16>> {
    common::closed_within(socket, within)
        .await
        .map(|closed| closed.ok().flatten())
}

async fn invoke(socket: &mut Socket, id: u64, channel: &str, payload: Value) {
    let request =
        json!({"v": 1, "id": id, "kind": "invoke", "channel": channel, "payload": payload});
    socket
        .send(Message::text(request.to_string()))
        .await
        .expect("sent");
}

/// Sends a raw HTTP request and returns the status line and the response.
async fn raw_request(server: &WsServer, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response).into_owned();
    (
        response.lines().next().unwrap_or_default().to_owned(),
        response,
    )
}

fn upgrade_request(server: &WsServer, host: &str, origin: Option<&str>, protocols: &str) -> String {
    let _ = server;
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    common::upgrade_with_headers(&format!(
        "Host: {host}\r\n{origin}Sec-WebSocket-Protocol: {protocols}\r\n"
    ))
}

#[tokio::test]
async fn listens_on_loopback_with_an_ephemeral_port_and_a_strong_secret() {
    let harness = start().await;
    let addr = harness.server.local_addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let url = harness.server.app_url();
    assert!(
        url.starts_with(&format!("http://127.0.0.1:{}/#ipc-secret=", addr.port())),
        "{url}"
    );
    let secret = secret_of(&harness.server);
    assert_eq!(secret.len(), 64, "256 bits in hex");
    let other = start().await;
    assert_ne!(secret, secret_of(&other.server), "a new secret per launch");
}

#[tokio::test]
async fn a_valid_client_calls_and_sees_its_identity() {
    let harness = start().await;
    let mut socket = connect(&harness.server).await;
    invoke(&mut socket, 1, "test:echo", json!({"text": "hi"})).await;
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["ok"], true);
    assert_eq!(reply["data"]["text"], "hi");
    assert_eq!(reply["data"]["origin"], harness.server.origin());
    assert_eq!(reply["data"]["role"], "renderer");

    let mut second = connect(&harness.server).await;
    invoke(&mut second, 1, "test:echo", json!({"text": "x"})).await;
    let other = next_json(&mut second).await;
    assert_ne!(
        other["data"]["connection_id"], reply["data"]["connection_id"],
        "each connection has its own id"
    );
    assert_eq!(harness.server.connection_count(), 2);
}

#[tokio::test]
async fn validation_and_unknown_channels_are_structured_errors() {
    let harness = start().await;
    let mut socket = connect(&harness.server).await;
    invoke(
        &mut socket,
        7,
        "test:echo",
        json!({"text": "far too long for the limit"}),
    )
    .await;
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["ok"], false);
    assert_eq!(reply["error"]["name"], "IPCValidationError");
    assert_eq!(reply["error"]["issues"][0]["path"], json!(["text"]));

    invoke(&mut socket, 8, "test:nope", json!({})).await;
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["id"], 8);
    assert_eq!(reply["error"]["code"], "IPC_UNKNOWN_CHANNEL");

    socket.send(Message::text("not json")).await.expect("sent");
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["id"], Value::Null);
    assert_eq!(reply["error"]["code"], "IPC_MALFORMED_REQUEST");

    socket
        .send(Message::binary(vec![0u8, 0, 0, 2, b'{', b'}']))
        .await
        .expect("sent");
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["error"]["code"], "IPC_MALFORMED_REQUEST");

    // Still serving after all of that.
    invoke(&mut socket, 9, "test:echo", json!({"text": "ok"})).await;
    assert_eq!(next_json(&mut socket).await["ok"], true);
}

#[tokio::test]
async fn concurrent_calls_are_pipelined_and_sends_reach_their_handler() {
    let mut harness = start().await;
    let mut socket = connect(&harness.server).await;
    invoke(&mut socket, 1, "test:hang", json!({})).await;
    for id in 2..=11 {
        invoke(
            &mut socket,
            id,
            "test:echo",
            json!({"text": id.to_string()}),
        )
        .await;
    }
    let mut ids = Vec::new();
    for _ in 2..=11 {
        ids.push(next_json(&mut socket).await["id"].as_u64().expect("id"));
    }
    ids.sort_unstable();
    assert_eq!(
        ids,
        (2..=11).collect::<Vec<_>>(),
        "replies arrive while call 1 still hangs"
    );

    let send =
        json!({"v": 1, "kind": "send", "channel": "test:note", "payload": {"text": "noted"}});
    socket
        .send(Message::text(send.to_string()))
        .await
        .expect("sent");
    let note = tokio::select! {
        note = harness.notes.recv() => note,
        reply = next_json(&mut socket) => panic!("a send gets no reply on success, got {reply}"),
    };
    assert_eq!(note.as_deref(), Some("noted"));
}

#[tokio::test]
async fn requests_written_together_are_all_answered() {
    // Replies to requests that are already buffered are flushed together,
    // 16 at most: 37 requests in one write make full batches and a last,
    // partial one, which must go out although no request follows it.
    let harness = start().await;
    let mut socket = connect(&harness.server).await;
    for id in 1..=37 {
        let request = json!({"v": 1, "id": id, "kind": "invoke", "channel": "test:echo", "payload": {"text": id.to_string()}});
        socket
            .feed(Message::text(request.to_string()))
            .await
            .expect("fed");
    }
    socket.flush().await.expect("sent");
    for id in 1..=37u64 {
        let reply = next_json(&mut socket).await;
        assert_eq!(reply["id"], id, "replies in order: {reply}");
        assert_eq!(reply["data"]["text"], id.to_string());
    }
    // And one call at a time still gets its reply.
    invoke(&mut socket, 38, "test:echo", json!({"text": "alone"})).await;
    assert_eq!(next_json(&mut socket).await["data"]["text"], "alone");
}

#[tokio::test]
async fn events_reach_every_connection() {
    let harness = start().await;
    let mut first = connect(&harness.server).await;
    let mut second = connect(&harness.server).await;
    let emitter = harness.server.emitter();
    assert_eq!(emitter.emit(&Ticked { count: 3 }).expect("valid event"), 2);
    for socket in [&mut first, &mut second] {
        assert_eq!(
            next_json(socket).await,
            json!({"v": 1, "kind": "event", "channel": "test:ticked", "payload": {"count": 3}})
        );
    }
}

#[tokio::test]
async fn an_event_for_one_connection_reaches_only_that_connection() {
    let harness = start().await;
    let mut first = connect(&harness.server).await;
    let mut second = connect(&harness.server).await;
    invoke(&mut second, 1, "test:echo", json!({"text": "who"})).await;
    let reply = next_json(&mut second).await;
    let second_id = reply["data"]["connection_id"].as_u64().expect("an id");
    let emitter = harness.server.emitter();
    assert!(
        emitter
            .emit_to(second_id, &Ticked { count: 1 })
            .expect("valid event")
    );
    assert_eq!(emitter.emit(&Ticked { count: 2 }).expect("valid event"), 2);
    let event = |count: u32| json!({"v": 1, "kind": "event", "channel": "test:ticked", "payload": {"count": count}});
    assert_eq!(next_json(&mut second).await, event(1));
    assert_eq!(next_json(&mut second).await, event(2));
    // Events to one connection keep their order: the first one here is the broadcast.
    assert_eq!(next_json(&mut first).await, event(2));
    // An unknown (or closed) connection takes nothing.
    assert!(
        !emitter
            .emit_to(second_id + 100, &Ticked { count: 3 })
            .expect("valid event")
    );
}

#[tokio::test]
async fn a_client_that_disconnects_mid_call_cancels_it_and_others_are_unaffected() {
    let harness = start().await;
    let mut leaving = connect(&harness.server).await;
    let mut staying = connect(&harness.server).await;
    invoke(&mut leaving, 1, "test:hang", json!({})).await;
    harness.hung_calls_started.notified().await;
    drop(leaving);
    tokio::time::timeout(
        Duration::from_secs(5),
        harness.hung_calls_cancelled.notified(),
    )
    .await
    .expect("the hanging handler is cancelled when its connection drops");
    // A connection leaves the server's table before its calls are
    // cancelled, so the count is settled by now.
    assert_eq!(harness.server.connection_count(), 1);
    invoke(&mut staying, 2, "test:echo", json!({"text": "still"})).await;
    assert_eq!(next_json(&mut staying).await["data"]["text"], "still");
}

#[tokio::test]
async fn handshakes_without_the_right_secret_origin_or_host_are_refused() {
    let harness = start().await;
    let server = &harness.server;
    let port = server.local_addr().port();
    let host = format!("127.0.0.1:{port}");
    let own = server.origin();
    let secret = secret_of(server);
    let good = format!("ipc-contracts.v1, ipc-secret.{secret}");
    let wrong_secret = {
        let mut flipped = secret.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        String::from_utf8(flipped).expect("hex")
    };
    let cases: Vec<(String, &str)> = vec![
        (
            upgrade_request(
                server,
                &host,
                Some(&own),
                &format!("ipc-contracts.v1, ipc-secret.{wrong_secret}"),
            ),
            "403",
        ),
        (
            upgrade_request(server, &host, Some(&own), "ipc-contracts.v1"),
            "403",
        ),
        (
            upgrade_request(
                server,
                &host,
                Some(&own),
                &format!("ipc-contracts.v1, ipc-secret.{secret}, ipc-secret.{wrong_secret}"),
            ),
            "403",
        ),
        (
            upgrade_request(server, &host, Some(&own), &format!("ipc-secret.{secret}")),
            "400",
        ),
        (
            upgrade_request(
                server,
                &host,
                Some(&format!("http://127.0.0.1:{}", port + 1)),
                &good,
            ),
            "403",
        ),
        (
            upgrade_request(
                server,
                &host,
                Some(&format!("http://127.0.0.1:{port}.evil.example")),
                &good,
            ),
            "403",
        ),
        (
            upgrade_request(server, &host, Some("https://evil.example"), &good),
            "403",
        ),
        (upgrade_request(server, &host, Some("null"), &good), "403"),
        (upgrade_request(server, &host, None, &good), "403"),
        (
            upgrade_request(server, &format!("evil.example:{port}"), Some(&own), &good),
            "421",
        ),
        (
            upgrade_request(
                server,
                &format!("127.0.0.1:{}", port + 1),
                Some(&own),
                &good,
            ),
            "421",
        ),
    ];
    for (request, expected) in cases {
        let (status, response) = raw_request(server, &request).await;
        assert!(
            status.contains(expected),
            "expected {expected} for\n{request}\ngot {response}"
        );
        assert!(!response.contains(&secret), "the secret never leaks");
    }
    let (status, response) =
        raw_request(server, &upgrade_request(server, &host, Some(&own), &good)).await;
    assert!(status.contains("101"), "{response}");
    // Header names are case-insensitive (tungstenite writes them in lower case).
    assert!(
        response
            .to_ascii_lowercase()
            .contains("\r\nsec-websocket-protocol: ipc-contracts.v1\r\n"),
        "{response}"
    );
    assert!(
        connect_with(server.local_addr(), &own, "ipc-contracts.v1, ipc-secret.00")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn calls_beyond_the_in_flight_limit_wait_and_all_get_their_reply() {
    let harness = start_with(WsConfig {
        max_in_flight_per_connection: 2,
        outbound_queue: 2,
        ..WsConfig::default()
    })
    .await;
    let mut socket = connect(&harness.server).await;
    // Twenty calls that each outlive their first poll, against two call
    // slots and a queue of two replies: the server reads the next request
    // only when a slot frees, and writes replies meanwhile.
    for id in 1..=20 {
        invoke(&mut socket, id, "test:nap", json!({"ms": 5 + id % 3})).await;
    }
    let mut ids = Vec::new();
    for _ in 1..=20 {
        let reply = next_json(&mut socket).await;
        assert_eq!(reply["ok"], true, "{reply}");
        ids.push(reply["id"].as_u64().expect("id"));
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=20).collect::<Vec<_>>());
    assert_eq!(harness.server.connection_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_its_events_is_closed_and_others_are_unaffected() {
    let harness = start_with(WsConfig {
        outbound_queue: 4,
        ..WsConfig::default()
    })
    .await;
    let mut stalled = connect(&harness.server).await;
    let reading = connect(&harness.server).await;
    // The reading client reads every event, in a task of its own.
    let (mut reading_sink, mut reading_stream) = reading.split();
    let (read_so_far, mut reading_progress) = tokio::sync::watch::channel(0_u64);
    let events_read = tokio::spawn(async move {
        let mut count = 0_u64;
        while let Some(Ok(message)) = reading_stream.next().await {
            if matches!(message, Message::Text(_)) {
                count += 1;
                read_so_far.send_replace(count);
            }
        }
        count
    });
    let emitter = harness.server.emitter();
    let body = "x".repeat(64 * 1024);
    let mut emitted = 0_u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    // 64 KiB per event: the stalled client's socket buffers fill, then its
    // queue, and the server closes it rather than queue without bound.
    loop {
        let delivered = emitter
            .emit(&Broadcast { body: body.clone() })
            .expect("valid event");
        emitted += 1;
        if delivered == 1 {
            break;
        }
        assert_eq!(delivered, 2);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled client was never closed ({emitted} events)"
        );
        // The reading client keeps up: the next event goes out once it
        // has read this one, so only the stalled client's buffers fill.
        reading_progress
            .wait_for(|read| *read >= emitted)
            .await
            .expect("the reading client reads");
    }
    // The emit that reached one client removed the other at once.
    assert_eq!(harness.server.connection_count(), 1);
    // The stalled client, reading at last, finds its connection ended.
    let ended = close_code(&mut stalled, Duration::from_secs(10))
        .await
        .expect("the stalled connection ends");
    assert!(matches!(ended, None | Some(1008)), "{ended:?}");
    // The other client still gets events and calls.
    assert_eq!(emitter.emit(&Ticked { count: 1 }).expect("valid event"), 1);
    let request = json!({"v": 1, "id": 7, "kind": "invoke", "channel": "test:echo", "payload": {"text": "on"}});
    reading_sink
        .send(Message::text(request.to_string()))
        .await
        .expect("sent");
    reading_sink.close().await.expect("closed");
    let read = tokio::time::timeout(Duration::from_secs(10), events_read)
        .await
        .expect("the reading client finishes")
        .expect("reader task");
    // Every broadcast, the tick, and the echo reply.
    assert_eq!(read, emitted + 2);
}

#[tokio::test]
async fn shutdown_closes_connections_cancels_their_calls_and_stops_accepting() {
    let harness = start().await;
    let mut open = connect(&harness.server).await;
    invoke(&mut open, 1, "test:hang", json!({})).await;
    harness.hung_calls_started.notified().await;
    let addr = harness.server.local_addr();
    let cancelled = Arc::clone(&harness.hung_calls_cancelled);
    let waiting = cancelled.notified();
    tokio::time::timeout(Duration::from_secs(5), harness.server.shutdown())
        .await
        .expect("shutdown completes");
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the hanging call is cancelled");
    let closed = close_code(&mut open, Duration::from_secs(5))
        .await
        .expect("closed in time");
    assert_eq!(closed, Some(1001));
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn dropping_the_server_handle_does_not_stop_it() {
    let harness = start().await;
    let mut open = connect(&harness.server).await;
    let addr = harness.server.local_addr();
    let origin = harness.server.origin();
    let protocols = common::protocols(&harness.server);
    drop(harness);
    // The open connection is still served, and new ones are accepted.
    invoke(&mut open, 1, "test:echo", json!({"text": "still"})).await;
    assert_eq!(next_json(&mut open).await["data"]["text"], "still");
    let mut fresh = connect_with(addr, &origin, &protocols)
        .await
        .expect("handshake accepted");
    invoke(&mut fresh, 2, "test:echo", json!({"text": "new"})).await;
    assert_eq!(next_json(&mut fresh).await["data"]["text"], "new");
}

#[tokio::test]
async fn oversized_messages_close_the_connection_and_the_server_keeps_serving() {
    let harness = start().await;
    let mut socket = connect(&harness.server).await;
    let huge = "x".repeat(128 * 1024);
    let _ = socket.send(Message::text(huge)).await;
    let closed = close_code(&mut socket, Duration::from_secs(5))
        .await
        .expect("closed in time");
    assert_eq!(closed, Some(1009));
    let mut fresh = connect(&harness.server).await;
    invoke(&mut fresh, 1, "test:echo", json!({"text": "alive"})).await;
    assert_eq!(next_json(&mut fresh).await["ok"], true);
}

#[tokio::test]
async fn serves_renderer_files_with_security_headers_and_nothing_else() {
    let harness = start().await;
    let server = &harness.server;
    let host = format!("127.0.0.1:{}", server.local_addr().port());
    let (status, response) =
        raw_request(server, &format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n")).await;
    assert!(status.contains("200"), "{response}");
    assert!(response.contains("<title>app</title>"));
    assert!(response.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"));
    assert!(response.contains(&format!(
        "connect-src ws://127.0.0.1:{0} ws://localhost:{0}",
        server.local_addr().port()
    )));
    assert!(response.contains("X-Content-Type-Options: nosniff"));
    let (status, response) = raw_request(
        server,
        &format!("GET /assets/app.js HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    )
    .await;
    assert!(
        status.contains("200") && response.contains("text/javascript"),
        "{response}"
    );
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/missing.js",
        "/.hidden",
    ] {
        let (status, _) = raw_request(
            server,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
        .await;
        assert!(status.contains("404"), "{path}: {status}");
    }
    let (status, _) = raw_request(
        server,
        &format!("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"),
    )
    .await;
    assert!(status.contains("405"), "{status}");
    let (status, _) = raw_request(server, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").await;
    assert!(status.contains("421"), "{status}");
    let (status, _) = raw_request(server, "garbage\r\n\r\n").await;
    assert!(status.contains("400"), "{status}");
    let (status, _) = raw_request(
        server,
        &format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nX: {}\r\n\r\n",
            "a".repeat(20_000)
        ),
    )
    .await;
    assert!(status.contains("431"), "{status}");
    let _ = std::fs::remove_dir_all(&harness.static_dir);
}

/// Reads a response's status line (the connection may stay open, as after
/// a 101).
async fn status_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => line.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&line).trim_end().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_handshakes_never_exceed_max_connections() {
    // The window between checking the count and taking the slot is short:
    // many rounds make a race in it show up.
    for _ in 0..40 {
        concurrent_handshakes_round(3, 48).await;
    }
}

async fn concurrent_handshakes_round(allowed: usize, clients: usize) {
    let harness = start_with(WsConfig {
        max_connections: allowed,
        max_pending_connections: clients,
        ..WsConfig::default()
    })
    .await;
    let server = &harness.server;
    let host = format!("127.0.0.1:{}", server.local_addr().port());
    let good = common::protocols(server);
    let request = upgrade_request(server, &host, Some(&server.origin()), &good);
    // Every socket connects first; then all the handshakes go out at once,
    // so the server checks them concurrently.
    let mut streams = Vec::new();
    for _ in 0..clients {
        streams.push(
            TcpStream::connect(server.local_addr())
                .await
                .expect("connect"),
        );
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(clients));
    let mut handshakes = tokio::task::JoinSet::new();
    for mut stream in streams {
        let barrier = Arc::clone(&barrier);
        let request = request.clone();
        handshakes.spawn(async move {
            barrier.wait().await;
            stream.write_all(request.as_bytes()).await.expect("write");
            let status = status_line(&mut stream).await;
            (status, stream)
        });
    }
    let mut accepted = Vec::new();
    let mut refused = 0;
    while let Some(joined) = handshakes.join_next().await {
        let (status, stream) = joined.expect("handshake task");
        if status.contains(" 101 ") {
            // Kept open, so its slot stays taken.
            accepted.push(stream);
        } else {
            assert!(status.contains(" 503 "), "{status}");
            refused += 1;
        }
    }
    assert_eq!(accepted.len(), allowed, "{refused} refused");
    assert_eq!(refused, clients - allowed);
}

#[cfg(unix)]
#[tokio::test]
async fn links_in_the_renderer_directory_are_not_followed() {
    use std::os::unix::fs::symlink;
    let harness = start().await;
    let root = &harness.static_dir;
    let outside = root.with_extension("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), "outside-the-root").expect("write");
    std::fs::write(outside.join("index.html"), "outside-the-root").expect("write");
    symlink(outside.join("secret.txt"), root.join("leak.txt")).expect("link");
    symlink(&outside, root.join("linked")).expect("link");
    symlink("/etc/passwd", root.join("passwd")).expect("link");
    // Even a link that stays inside the root is refused: only regular
    // files are served, under their own names.
    symlink(root.join("index.html"), root.join("inside.html")).expect("link");
    symlink(root.join("assets"), root.join("assets-link")).expect("link");
    let host = format!("127.0.0.1:{}", harness.server.local_addr().port());
    for path in [
        "/leak.txt",
        "/linked/secret.txt",
        "/linked/",
        "/linked",
        "/passwd",
        "/inside.html",
        "/assets-link/app.js",
    ] {
        let (status, response) = raw_request(
            &harness.server,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
        .await;
        assert!(status.contains(" 404 "), "{path}: {response}");
        assert!(
            response.ends_with("\r\n\r\nnot found"),
            "{path}: nothing about the target is told: {response}"
        );
    }
    // The files themselves are still served.
    let (status, _) = raw_request(
        &harness.server,
        &format!("GET /assets/app.js HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    )
    .await;
    assert!(status.contains(" 200 "), "{status}");
    let _ = std::fs::remove_dir_all(&outside);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_closes_with_1007() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let harness = start().await;
    let mut socket = connect(&harness.server).await;
    let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    socket.send(Message::Frame(frame)).await.expect("sent");
    let closed = close_code(&mut socket, Duration::from_secs(5))
        .await
        .expect("closed in time");
    assert_eq!(closed, Some(1007));
}

#[tokio::test]
async fn a_client_close_frame_is_answered_with_a_close_frame() {
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    let harness = start().await;
    for code in [CloseCode::Normal, CloseCode::Away, CloseCode::Library(4000)] {
        let mut socket = connect(&harness.server).await;
        socket
            .close(Some(CloseFrame {
                code,
                reason: "bye".into(),
            }))
            .await
            .expect("close sent");
        // RFC 6455 5.5.1: the server answers with a Close frame, echoing
        // the code, then closes the TCP connection.
        let answered = close_code(&mut socket, Duration::from_secs(5))
            .await
            .expect("answered in time");
        assert_eq!(answered, Some(u16::from(code)));
    }
}

#[tokio::test]
async fn request_paths_with_invalid_escapes_are_bad_requests() {
    let harness = start().await;
    let host = format!("127.0.0.1:{}", harness.server.local_addr().port());
    for path in ["/%+2", "/%2", "/%zz", "/a%-1.js", "/%c3%28"] {
        let (status, response) = raw_request(
            &harness.server,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
        .await;
        assert!(status.contains(" 400 "), "{path}: {response}");
    }
    let (status, response) = raw_request(
        &harness.server,
        &format!("GET /assets/%61pp.js HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    )
    .await;
    assert!(status.contains(" 200 "), "{response}");
}

#[tokio::test]
async fn renderer_files_get_their_media_type() {
    let harness = start().await;
    let host = format!("127.0.0.1:{}", harness.server.local_addr().port());
    for (file, expected) in [
        ("app.wasm", "application/wasm"),
        ("photo.jpg", "image/jpeg"),
        ("photo.webp", "image/webp"),
        ("font.woff2", "font/woff2"),
        ("font.ttf", "font/ttf"),
        ("app.mjs", "text/javascript; charset=utf-8"),
        ("page.html", "text/html; charset=utf-8"),
        ("blob.unknown-extension", "application/octet-stream"),
    ] {
        std::fs::write(harness.static_dir.join(file), "x").expect("write");
        let (_, response) = raw_request(
            &harness.server,
            &format!("GET /{file} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
        .await;
        assert!(
            response.contains(&format!("\r\nContent-Type: {expected}\r\n")),
            "{file}: {response}"
        );
        assert!(response.contains("X-Content-Type-Options: nosniff"));
    }
}

#[tokio::test]
async fn upgrades_need_http_1_1_and_a_valid_key() {
    let harness = start().await;
    let server = &harness.server;
    let host = format!("127.0.0.1:{}", server.local_addr().port());
    let good = common::protocols(server);
    let valid = upgrade_request(server, &host, Some(&server.origin()), &good);
    for (request, expected) in [
        (valid.replacen("HTTP/1.1", "HTTP/1.0", 1), " 400 "),
        (
            valid.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="),
            " 400 ",
        ),
        (
            valid.replace("dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!!!!!!"),
            " 400 ",
        ),
        (
            valid.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"),
            " 400 ",
        ),
        (valid.replace("Upgrade: websocket\r\n", ""), " 426 "),
    ] {
        let (status, response) = raw_request(server, &request).await;
        assert!(status.contains(expected), "{request}\n{response}");
    }
}

#[tokio::test]
async fn pending_connections_are_bounded_and_a_slot_frees_when_one_ends() {
    let harness = start_with(WsConfig {
        max_pending_connections: 2,
        handshake_timeout: Duration::from_secs(60),
        ..WsConfig::default()
    })
    .await;
    let server = &harness.server;
    let host = format!("127.0.0.1:{}", server.local_addr().port());
    // Two connections that send nothing take both pending slots (the
    // kernel queues connections in order, so they are accepted first).
    let first_idle = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let _second_idle = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let mut page = TcpStream::connect(server.local_addr())
        .await
        .expect("connect: the kernel queues it");
    page.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), page.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "a third connection is not taken while two are pending: {early:?}"
    );
    // One ends: its slot goes to the page load, which is answered.
    drop(first_idle);
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), page.read_to_end(&mut response))
        .await
        .expect("answered once a slot is free")
        .expect("read");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
}

#[tokio::test]
async fn a_pending_connection_that_sends_no_head_in_time_gets_408_and_frees_its_slot() {
    let harness = start_with(WsConfig {
        max_pending_connections: 1,
        handshake_timeout: Duration::from_millis(200),
        ..WsConfig::default()
    })
    .await;
    let server = &harness.server;
    let host = format!("127.0.0.1:{}", server.local_addr().port());
    let mut idle = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    // Queued behind the idle one; served once its deadline has passed.
    let (status, response) =
        raw_request(server, &format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n")).await;
    assert!(status.contains(" 200 "), "{response}");
    let mut late = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut late))
        .await
        .expect("the idle connection is ended")
        .expect("read");
    assert!(
        String::from_utf8_lossy(&late).starts_with("HTTP/1.1 408 "),
        "{}",
        String::from_utf8_lossy(&late)
    );
}
