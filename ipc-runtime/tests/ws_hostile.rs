//! Hostile input against the real server, over real sockets: handshakes
//! without the right secret, `Host` or `Origin`; request paths that try to
//! leave the renderer directory; malformed and abusive WebSocket frames;
//! sizes at and past every limit; and JSON envelopes at the edges of the
//! protocol. Every case states what the server answers, and the server
//! keeps serving well-behaved clients afterwards.

mod common;
#[path = "common/echo_sum_note.rs"]
mod echo_sum_note;

use std::sync::Arc;
use std::time::Duration;

use common::{Closed, Socket, next_json, upgrade_with_headers};
use futures_util::{SinkExt, StreamExt};
use ipc_runtime::ws::{WsConfig, WsServer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

/// Router limits small enough to reach from a test.
const MAX_REQUEST_BYTES: usize = 4096;
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

struct Server {
    server: WsServer,
    root: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn start() -> Server {
    let root = common::renderer_dir("ipc-ws-hostile", "<!doctype html>index", "app");
    let server = WsServer::start(
        Arc::new(echo_sum_note::router(MAX_REQUEST_BYTES)),
        WsConfig {
            static_dir: Some(root.clone()),
            max_message_bytes: MAX_MESSAGE_BYTES,
            ..WsConfig::default()
        },
    )
    .await
    .expect("server starts");
    Server { server, root }
}

impl Server {
    fn port(&self) -> u16 {
        self.server.local_addr().port()
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port())
    }

    fn secret(&self) -> String {
        common::secret_of(&self.server)
    }

    fn protocols(&self) -> String {
        common::protocols(&self.server)
    }

    /// A valid handshake request.
    fn good_upgrade(&self) -> String {
        upgrade_with_headers(&format!(
            "Host: {}\r\nOrigin: {}\r\nSec-WebSocket-Protocol: {}\r\n",
            self.host(),
            self.server.origin(),
            self.protocols()
        ))
    }

    /// Sends raw bytes and returns the whole response (until the server
    /// closes, or the status line of a 101).
    async fn raw(&self, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(self.server.local_addr())
            .await
            .expect("connect");
        stream.write_all(request).await.expect("write");
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(count) => response.extend_from_slice(&chunk[..count]),
                }
                if response.starts_with(b"HTTP/1.1 101 ") && response.ends_with(b"\r\n\r\n") {
                    break;
                }
            }
        })
        .await;
        assert!(read.is_ok(), "the server answers within 5 s");
        String::from_utf8_lossy(&response).into_owned()
    }

    /// An open WebSocket after a raw handshake, with the stream still
    /// raw so that the test can write any bytes.
    async fn raw_socket(&self) -> TcpStream {
        let mut stream = TcpStream::connect(self.server.local_addr())
            .await
            .expect("connect");
        stream
            .write_all(self.good_upgrade().as_bytes())
            .await
            .expect("write");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).await.expect("response head");
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 101 "), "{head:?}");
        stream
    }

    async fn socket(&self) -> Socket {
        WebSocketStream::from_raw_socket(self.raw_socket().await, Role::Client, None).await
    }

    /// The server still serves a well-behaved client.
    async fn assert_still_serving(&self) {
        let mut socket = self.socket().await;
        let reply = call(&mut socket, &echo(99, "alive")).await;
        assert_eq!(reply, json!({"id": 99, "ok": true, "data": "alive"}));
    }
}

fn echo(id: u64, text: &str) -> String {
    json!({"v": 1, "id": id, "kind": "invoke", "channel": "ws:echo", "payload": {"text": text}})
        .to_string()
}

/// Sends a text frame and returns the next text frame, as JSON.
async fn call(socket: &mut Socket, text: &str) -> Value {
    socket.send(Message::text(text)).await.expect("sent");
    next_json(socket).await
}

async fn close_code(socket: &mut Socket) -> Closed {
    common::closed_within(socket, Duration::from_secs(5))
        .await
        .expect("the connection ends within 5 s")
}

/// One WebSocket frame as a client would write it, masked unless `mask`
/// is `None`. `first` is the first byte: FIN, RSV1-3 and the opcode.
fn frame(first: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![first];
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        len @ 0..=125 => bytes.push(mask_bit | len as u8),
        len @ 126..=0xffff => {
            bytes.push(mask_bit | 126);
            bytes.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            bytes.push(mask_bit | 127);
            bytes.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            bytes.extend_from_slice(&key);
            bytes.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        }
        None => bytes.extend_from_slice(payload),
    }
    bytes
}

const MASK: Option<[u8; 4]> = Some([0x37, 0xfa, 0x21, 0x3d]);
const FIN: u8 = 0x80;
const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CONTINUATION: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;

#[tokio::test]
async fn handshakes_without_the_secret_are_refused() {
    let server = start().await;
    let secret = server.secret();
    let host = server.host();
    let origin = server.server.origin();
    let other = {
        let mut bytes = secret.clone().into_bytes();
        bytes[63] = if bytes[63] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).expect("hex")
    };
    let with_protocols = |protocols: &str| {
        upgrade_with_headers(&format!(
            "Host: {host}\r\nOrigin: {origin}\r\nSec-WebSocket-Protocol: {protocols}\r\n"
        ))
    };
    let cases = [
        ("no secret", with_protocols("ipc-contracts.v1"), "403"),
        (
            "a wrong secret",
            with_protocols(&format!("ipc-contracts.v1, ipc-secret.{other}")),
            "403",
        ),
        (
            "the secret and a wrong one",
            with_protocols(&format!(
                "ipc-contracts.v1, ipc-secret.{secret}, ipc-secret.{other}"
            )),
            "403",
        ),
        (
            "a secret one digit short",
            with_protocols(&format!("ipc-contracts.v1, ipc-secret.{}", &secret[..63])),
            "403",
        ),
        (
            "a secret one digit long",
            with_protocols(&format!("ipc-contracts.v1, ipc-secret.{secret}0")),
            "403",
        ),
        (
            "a secret with a non-hex digit",
            with_protocols(&format!("ipc-contracts.v1, ipc-secret.{}g", &secret[..63])),
            "403",
        ),
        (
            "an empty secret",
            with_protocols("ipc-contracts.v1, ipc-secret."),
            "403",
        ),
        (
            "the secret without the protocol",
            with_protocols(&format!("ipc-secret.{secret}")),
            "400",
        ),
        (
            "the secret in the query string",
            upgrade_with_headers(&format!(
                "Host: {host}\r\nOrigin: {origin}\r\nSec-WebSocket-Protocol: ipc-contracts.v1\r\n"
            ))
            .replacen("/ipc ", &format!("/ipc?ipc-secret={secret} "), 1),
            "403",
        ),
        (
            "no subprotocol header",
            upgrade_with_headers(&format!("Host: {host}\r\nOrigin: {origin}\r\n")),
            "400",
        ),
    ];
    for (case, request, status) in cases {
        let response = server.raw(request.as_bytes()).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{case}: {response}"
        );
        assert!(!response.contains(&secret), "{case}: the secret leaks");
    }
    // The secret's hex digits are compared as bytes, in any case.
    let upper = with_protocols(&format!(
        "ipc-contracts.v1, ipc-secret.{}",
        secret.to_uppercase()
    ));
    assert!(
        server
            .raw(upper.as_bytes())
            .await
            .starts_with("HTTP/1.1 101 ")
    );
    server.assert_still_serving().await;
}

#[tokio::test]
async fn requests_for_another_host_or_from_another_origin_are_refused() {
    let server = start().await;
    let port = server.port();
    let host = server.host();
    let origin = server.server.origin();
    let protocols = server.protocols();
    let with = |host_lines: &str, origin_lines: &str| {
        upgrade_with_headers(&format!(
            "{host_lines}{origin_lines}Sec-WebSocket-Protocol: {protocols}\r\n"
        ))
    };
    let own_origin = format!("Origin: {origin}\r\n");
    let own_host = format!("Host: {host}\r\n");
    let cases = [
        ("no Host", with("", &own_origin), "421"),
        (
            "two Hosts",
            with(&format!("{own_host}{own_host}"), &own_origin),
            "421",
        ),
        (
            "another name",
            with(&format!("Host: evil.example:{port}\r\n"), &own_origin),
            "421",
        ),
        (
            "a rebinding name ending like ours",
            with(
                &format!("Host: 127.0.0.1.evil.example:{port}\r\n"),
                &own_origin,
            ),
            "421",
        ),
        ("no port", with("Host: 127.0.0.1\r\n", &own_origin), "421"),
        (
            "another port",
            with(&format!("Host: 127.0.0.1:{}\r\n", port ^ 1), &own_origin),
            "421",
        ),
        (
            "user info",
            with(&format!("Host: user@127.0.0.1:{port}\r\n"), &own_origin),
            "421",
        ),
        (
            "IPv6 loopback on an IPv4 server",
            with(&format!("Host: [::1]:{port}\r\n"), &own_origin),
            "421",
        ),
        ("no Origin", with(&own_host, ""), "403"),
        ("Origin null", with(&own_host, "Origin: null\r\n"), "403"),
        (
            "two Origins",
            with(&own_host, &format!("{own_origin}{own_origin}")),
            "403",
        ),
        (
            "another port",
            with(
                &own_host,
                &format!("Origin: http://127.0.0.1:{}\r\n", port ^ 1),
            ),
            "403",
        ),
        (
            "https",
            with(&own_host, &format!("Origin: https://127.0.0.1:{port}\r\n")),
            "403",
        ),
        (
            "a trailing slash",
            with(&own_host, &format!("Origin: {origin}/\r\n")),
            "403",
        ),
        (
            "a longer name",
            with(
                &own_host,
                &format!("Origin: http://127.0.0.1:{port}.evil.example\r\n"),
            ),
            "403",
        ),
        ("a file page", with(&own_host, "Origin: file://\r\n"), "403"),
        (
            "another site",
            with(&own_host, "Origin: https://evil.example\r\n"),
            "403",
        ),
    ];
    for (case, request, status) in cases {
        let response = server.raw(request.as_bytes()).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{case}: {response}"
        );
    }
    // Both of the app's own names are fine.
    let localhost = with(
        &format!("Host: localhost:{port}\r\n"),
        &format!("Origin: http://localhost:{port}\r\n"),
    );
    assert!(
        server
            .raw(localhost.as_bytes())
            .await
            .starts_with("HTTP/1.1 101 ")
    );
    server.assert_still_serving().await;
}

#[tokio::test]
async fn request_paths_cannot_leave_the_renderer_directory() {
    let server = start().await;
    let host = server.host();
    let get = |target: &str| format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let cases = [
        ("/..%2f..%2fetc%2fpasswd", "404"),
        ("/%2e%2e/%2e%2e/etc/passwd", "404"),
        ("/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "404"),
        ("/assets/../index.html", "404"),
        ("/assets/%2e%2e/index.html", "404"),
        ("/ipc/../index.html", "404"),
        ("/..%5c..%5cetc%5cpasswd", "404"),
        ("/%252e%252e/etc/passwd", "404"),
        ("/index.html%00.js", "404"),
        ("/.git/config", "404"),
        ("/assets/.hidden", "404"),
        ("//etc/passwd", "404"),
        ("http://evil.example/index.html", "404"),
        ("*", "404"),
        ("/%c0%ae%c0%ae/etc/passwd", "400"),
        ("/%+2e", "400"),
        ("/%", "400"),
        ("/./index.html", "200"),
        ("/assets/app.js?v=1#x", "200"),
    ];
    for (target, status) in cases {
        let response = server.raw(get(target).as_bytes()).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{target}: {response}"
        );
        if status == "404" {
            assert!(
                response.ends_with("\r\n\r\nnot found"),
                "{target}: {response}"
            );
        }
    }
    for (method, status) in [
        ("POST", "405"),
        ("PUT", "405"),
        ("DELETE", "405"),
        ("HEAD", "200"),
    ] {
        let response = server
            .raw(
                format!(
                    "{method} /index.html HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
                )
                .as_bytes(),
            )
            .await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{method}: {response}"
        );
    }
    server.assert_still_serving().await;
}

#[tokio::test]
async fn malformed_request_heads_get_a_status_and_nothing_else() {
    let server = start().await;
    let host = server.host();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("garbage", b"garbage\r\n\r\n".to_vec(), "400"),
        (
            "a NUL in a header",
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX: a\0b\r\n\r\n").into_bytes(),
            "400",
        ),
        (
            "bytes after the head",
            format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\nextra").into_bytes(),
            "400",
        ),
        (
            "HTTP/2 preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "a 20 KiB header",
            format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nX: {}\r\n\r\n",
                "a".repeat(20_000)
            )
            .into_bytes(),
            "431",
        ),
        (
            "65 headers",
            format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\n{}\r\n",
                "X: y\r\n".repeat(65)
            )
            .into_bytes(),
            "400",
        ),
        (
            "an upgrade over HTTP/1.0",
            server
                .good_upgrade()
                .replacen("HTTP/1.1", "HTTP/1.0", 1)
                .into_bytes(),
            "400",
        ),
        (
            "a short key",
            server
                .good_upgrade()
                .replace("dGhlIHNhbXBsZSBub25jZQ==", "AAAA")
                .into_bytes(),
            "400",
        ),
        (
            "two keys",
            server
                .good_upgrade()
                .replacen(
                    "Sec-WebSocket-Key:",
                    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Key:",
                    1,
                )
                .into_bytes(),
            "400",
        ),
        (
            "version 12",
            server
                .good_upgrade()
                .replace("Version: 13", "Version: 12")
                .into_bytes(),
            "400",
        ),
        (
            "POST /ipc",
            server
                .good_upgrade()
                .replacen("GET", "POST", 1)
                .into_bytes(),
            "405",
        ),
        (
            "no Upgrade",
            server
                .good_upgrade()
                .replace("Upgrade: websocket\r\n", "")
                .into_bytes(),
            "426",
        ),
        (
            "Connection: keep-alive",
            server
                .good_upgrade()
                .replace("Connection: Upgrade", "Connection: keep-alive")
                .into_bytes(),
            "426",
        ),
    ];
    for (case, request, status) in cases {
        let response = server.raw(&request).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{case}: {response}"
        );
    }
    server.assert_still_serving().await;
}

#[tokio::test]
async fn malformed_frames_close_with_the_code_rfc_6455_gives() {
    let server = start().await;
    let request = echo(1, "x").into_bytes();
    let cases: Vec<(&str, Vec<u8>, Closed)> = vec![
        (
            "an unmasked frame",
            frame(FIN | TEXT, None, &request),
            Ok(Some(1002)),
        ),
        (
            "a reserved data opcode",
            frame(FIN | 0x3, MASK, b"x"),
            Ok(Some(1002)),
        ),
        (
            "a reserved control opcode",
            frame(FIN | 0xb, MASK, b""),
            Ok(Some(1002)),
        ),
        (
            "RSV1 without an extension",
            frame(FIN | 0x40 | TEXT, MASK, &request),
            Ok(Some(1002)),
        ),
        (
            "a continuation with nothing to continue",
            frame(FIN | CONTINUATION, MASK, b"x"),
            Ok(Some(1002)),
        ),
        ("a fragmented ping", frame(PING, MASK, b"x"), Ok(Some(1002))),
        (
            "a 126-byte ping",
            frame(FIN | PING, MASK, &[b'p'; 126]),
            Ok(Some(1002)),
        ),
        (
            "a new message inside a fragmented one",
            [frame(TEXT, MASK, b"{"), frame(FIN | TEXT, MASK, b"{}")].concat(),
            Ok(Some(1002)),
        ),
        (
            "text that is not UTF-8",
            frame(FIN | TEXT, MASK, b"{\"v\":1,\xc3\x28}"),
            Ok(Some(1007)),
        ),
        (
            "UTF-8 cut off at the end of a message",
            [
                frame(TEXT, MASK, b"\"\xe2\x82"),
                frame(FIN | CONTINUATION, MASK, b""),
            ]
            .concat(),
            Ok(Some(1007)),
        ),
        (
            "a close frame with one byte",
            frame(FIN | CLOSE, MASK, b"\x03"),
            Ok(Some(1002)),
        ),
        (
            "a close code that is never sent (1005)",
            frame(FIN | CLOSE, MASK, &1005u16.to_be_bytes()),
            Ok(Some(1002)),
        ),
        (
            "a reserved close code (999)",
            frame(FIN | CLOSE, MASK, &999u16.to_be_bytes()),
            Ok(Some(1002)),
        ),
        (
            "a close frame without a code",
            frame(FIN | CLOSE, MASK, b""),
            Ok(None),
        ),
        (
            "a close reason that is not UTF-8",
            frame(FIN | CLOSE, MASK, &[0x03, 0xe8, 0xff]),
            Ok(Some(1007)),
        ),
        (
            "a normal close",
            frame(FIN | CLOSE, MASK, &1000u16.to_be_bytes()),
            Ok(Some(1000)),
        ),
        (
            "a private close code",
            frame(
                FIN | CLOSE,
                MASK,
                &[&4321u16.to_be_bytes()[..], b"bye"].concat(),
            ),
            Ok(Some(4321)),
        ),
    ];
    for (case, bytes, expected) in cases {
        let mut raw = server.raw_socket().await;
        raw.write_all(&bytes).await.expect("write");
        let mut socket = WebSocketStream::from_raw_socket(raw, Role::Client, None).await;
        assert_eq!(close_code(&mut socket).await, expected, "{case}");
    }
    server.assert_still_serving().await;
}

#[tokio::test]
async fn fragments_pings_and_binary_frames_are_handled() {
    let server = start().await;
    let mut raw = server.raw_socket().await;
    // A request in three fragments, split inside a multi-byte character,
    // with a ping between two of them.
    let request = echo(5, "é€😀").into_bytes();
    let cut = request.iter().position(|&b| b == 0xe2).expect("€") + 1;
    let mut bytes = frame(TEXT, MASK, &request[..cut]);
    bytes.extend(frame(FIN | PING, MASK, b"ping-data"));
    bytes.extend(frame(CONTINUATION, MASK, &request[cut..cut + 3]));
    bytes.extend(frame(FIN | CONTINUATION, MASK, &request[cut + 3..]));
    bytes.extend(frame(FIN | BINARY, MASK, &[0, 0, 0, 2, b'{', b'}']));
    raw.write_all(&bytes).await.expect("write");
    let mut socket = WebSocketStream::from_raw_socket(raw, Role::Client, None).await;
    let mut pong = None;
    let mut replies = Vec::new();
    while replies.len() < 2 {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("valid");
        match message {
            Message::Pong(data) => pong = Some(data.to_vec()),
            Message::Text(text) => {
                replies.push(serde_json::from_str::<Value>(&text).expect("JSON"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(pong.as_deref(), Some(&b"ping-data"[..]));
    assert_eq!(replies[0], json!({"id": 5, "ok": true, "data": "é€😀"}));
    assert_eq!(replies[1]["id"], Value::Null);
    assert_eq!(replies[1]["error"]["code"], "IPC_MALFORMED_REQUEST");
}

#[tokio::test]
async fn sizes_past_each_limit_are_refused_at_that_limit() {
    let server = start().await;
    // Up to the router's limit: an ordinary reply.
    let mut socket = server.socket().await;
    let padding = MAX_REQUEST_BYTES - echo(1, "").len();
    let at_limit =
        echo(1, "").replacen(r#""kind""#, &format!("{}\"kind\"", " ".repeat(padding)), 1);
    assert_eq!(at_limit.len(), MAX_REQUEST_BYTES);
    assert_eq!(call(&mut socket, &at_limit).await["ok"], true);
    // One byte over it: refused before parsing. (A send without an id, so
    // that no id can be read from it either.)
    let send =
        json!({"v": 1, "kind": "send", "channel": "ws:note", "payload": {"text": ""}}).to_string();
    let over = send.replacen(
        r#""text":"""#,
        &format!(
            r#""text":"{}""#,
            "x".repeat(MAX_REQUEST_BYTES + 1 - send.len())
        ),
        1,
    );
    assert_eq!(over.len(), MAX_REQUEST_BYTES + 1);
    let reply = call(&mut socket, &over).await;
    assert_eq!(reply["id"], Value::Null);
    assert_eq!(reply["error"]["code"], "IPC_PAYLOAD_TOO_LARGE");
    assert_eq!(reply["error"]["statusCode"], 413);
    // Past the transport's limit: the connection closes with 1009.
    let huge = "x".repeat(MAX_MESSAGE_BYTES + 1);
    let _ = socket.send(Message::text(huge)).await;
    assert_eq!(close_code(&mut socket).await, Ok(Some(1009)));
    // A frame header announcing 2^62 bytes: closed at once, nothing
    // allocated for it.
    let mut raw = server.raw_socket().await;
    let mut header = vec![FIN | TEXT, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    header.extend_from_slice(&MASK.expect("mask"));
    raw.write_all(&header).await.expect("write");
    let mut socket = WebSocketStream::from_raw_socket(raw, Role::Client, None).await;
    assert_eq!(close_code(&mut socket).await, Ok(Some(1009)));
    // Many fragments that add up past the limit.
    let mut raw = server.raw_socket().await;
    let piece = vec![b'x'; 16 * 1024];
    let mut bytes = frame(TEXT, MASK, &piece);
    for _ in 0..4 {
        bytes.extend(frame(CONTINUATION, MASK, &piece));
    }
    raw.write_all(&bytes).await.expect("write");
    let mut socket = WebSocketStream::from_raw_socket(raw, Role::Client, None).await;
    assert_eq!(close_code(&mut socket).await, Ok(Some(1009)));
    server.assert_still_serving().await;
}

#[tokio::test]
async fn json_at_the_edges_of_the_protocol_gets_a_structured_answer() {
    let server = start().await;
    let mut socket = server.socket().await;
    let sum = |rows: &str| {
        format!(
            r#"{{"v":1,"id":1,"kind":"invoke","channel":"ws:sum","payload":{{"rows":{rows}}}}}"#
        )
    };
    let deep_payload = |depth: usize| sum(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
    // (case, request, expected id, expected error code or None for success)
    let cases: Vec<(&str, String, Value, Option<&str>)> = vec![
        (
            "not JSON",
            "not json".into(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an empty frame",
            String::new(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "whitespace",
            " \n\t ".into(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an array",
            "[1,2]".into(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a string",
            r#""invoke""#.into(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "null",
            "null".into(),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a byte order mark",
            format!("\u{feff}{}", echo(1, "a")),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "trailing bytes",
            format!("{} x", echo(1, "a")),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "two documents",
            format!("{}{}", echo(1, "a"), echo(2, "b")),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an unknown field",
            echo(3, "a").replacen('{', r#"{"extra":1,"#, 1),
            json!(3),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a repeated field",
            echo(4, "a").replacen('{', r#"{"kind":"invoke","#, 1),
            json!(4),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        // The reply carries one of the two ids (the last read): either way it
        // answers the one request that was sent.
        (
            "a repeated id",
            echo(5, "a").replacen('{', r#"{"id":6,"#, 1),
            json!(5),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "version 2",
            echo(7, "a").replace(r#""v":1"#, r#""v":2"#),
            json!(7),
            Some("IPC_UNSUPPORTED_VERSION"),
        ),
        (
            "version \"1\"",
            echo(8, "a").replace(r#""v":1"#, r#""v":"1""#),
            json!(8),
            Some("IPC_UNSUPPORTED_VERSION"),
        ),
        (
            "no version",
            echo(9, "a").replace(r#""v":1,"#, ""),
            json!(9),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an id of 2^53",
            echo(1, "a").replace(r#""id":1"#, r#""id":9007199254740992"#),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a fractional id",
            echo(1, "a").replace(r#""id":1"#, r#""id":1.5"#),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an id in exponent form",
            echo(1, "a").replace(r#""id":1"#, r#""id":1e2"#),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an object id",
            echo(1, "a").replace(r#""id":1"#, r#""id":{}"#),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a 129-byte id",
            echo(1, "a").replace(r#""id":1"#, &format!(r#""id":"{}""#, "i".repeat(129))),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a 128-byte id",
            echo(1, "a").replace(r#""id":1"#, &format!(r#""id":"{}""#, "i".repeat(128))),
            json!("i".repeat(128)),
            None,
        ),
        (
            "the largest negative id",
            echo(1, "a").replace(r#""id":1"#, r#""id":-9007199254740991"#),
            json!(-9_007_199_254_740_991_i64),
            None,
        ),
        (
            "an invoke without an id",
            echo(1, "a").replace(r#""id":1,"#, ""),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "kind event",
            echo(10, "a").replace("invoke", "event"),
            json!(10),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "kind send on an invoke channel",
            echo(11, "a").replace("invoke", "send"),
            json!(11),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "an unknown channel",
            echo(12, "a").replace("ws:echo", "ws:nope"),
            json!(12),
            Some("IPC_UNKNOWN_CHANNEL"),
        ),
        (
            "a channel that differs in case",
            echo(13, "a").replace("ws:echo", "Ws:Echo"),
            json!(13),
            Some("IPC_UNKNOWN_CHANNEL"),
        ),
        (
            "a null payload",
            echo(14, "a").replace(r#"{"text":"a"}"#, "null"),
            json!(14),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "no payload",
            echo(15, "a").replace(r#","payload":{"text":"a"}"#, ""),
            json!(15),
            Some("IPC_MALFORMED_REQUEST"),
        ),
        (
            "a text too long",
            echo(16, &"a".repeat(17)),
            json!(16),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "a lone surrogate",
            echo(17, "a").replace(r#""text":"a""#, r#""text":"\ud800""#),
            json!(17),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "an escaped NUL",
            echo(18, "a").replace(r#""text":"a""#, r#""text":"a\u0000b""#),
            json!(18),
            None,
        ),
        (
            "a number too large for any float",
            sum("[[1e400]]"),
            json!(1),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "a number past u32",
            sum("[[4294967296]]"),
            json!(1),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "a negative number",
            sum("[[-1]]"),
            json!(1),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "a fraction for an integer",
            sum("[[1.5]]"),
            json!(1),
            Some("IPC_VALIDATION_ERROR"),
        ),
        (
            "an integer written as a float",
            sum("[[2.0]]"),
            json!(1),
            None,
        ),
        ("minus zero", sum("[[-0]]"), json!(1), None),
        (
            "depth past the limit",
            deep_payload(70),
            json!(1),
            Some("IPC_PAYLOAD_TOO_DEEP"),
        ),
        (
            "depth past serde_json's recursion limit",
            deep_payload(2000),
            json!(1),
            Some("IPC_PAYLOAD_TOO_DEEP"),
        ),
        (
            "4,000 unclosed brackets",
            sum(&"[".repeat(4000)),
            Value::Null,
            Some("IPC_MALFORMED_REQUEST"),
        ),
        // serde ignores it (the contract does not deny unknown fields).
        (
            "an unknown payload field",
            echo(19, "a").replace(r#"{"text":"a"}"#, r#"{"text":"a","more":1}"#),
            json!(19),
            None,
        ),
        (
            "a send with a bad payload",
            json!({"v": 1, "kind": "send", "channel": "ws:note", "payload": {"text": 5}})
                .to_string(),
            Value::Null,
            Some("IPC_VALIDATION_ERROR"),
        ),
    ];
    for (case, request, id, code) in cases {
        let reply = call(&mut socket, &request).await;
        assert_eq!(reply["id"], id, "{case}: {reply}");
        match code {
            None => assert_eq!(reply["ok"], true, "{case}: {reply}"),
            Some(code) => {
                assert_eq!(reply["ok"], false, "{case}: {reply}");
                assert_eq!(reply["error"]["code"], code, "{case}: {reply}");
                let name = reply["error"]["name"].as_str().unwrap_or_default();
                assert!(
                    matches!(name, "IPCValidationError" | "IPCHandlerError"),
                    "{case}: {reply}"
                );
            }
        }
    }
    // The same connection still serves.
    assert_eq!(
        call(&mut socket, &echo(20, "done")).await,
        json!({"id": 20, "ok": true, "data": "done"})
    );
}
