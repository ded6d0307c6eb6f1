//! What every WebSocket test client does the same way: read the launch
//! secret, offer it in the handshake as the renderer does, read replies
//! with a deadline, see how a connection ended, and lay out a renderer
//! directory to serve. Shared by the `ws_*` tests and the `ws_round_trip`
//! bench (which includes this file by path).
//!
//! No contracts live here: a router needs a handler for every contract
//! linked into its binary, so each binary brings its own (see
//! `echo_sum_note.rs`).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use ipc_runtime::ws::WsServer;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A client's end of a connection.
pub(crate) type Socket = WebSocketStream<TcpStream>;

/// The launch secret, read from the app URL's fragment as the renderer
/// reads it.
pub(crate) fn secret_of(server: &WsServer) -> String {
    server
        .app_url()
        .split("#ipc-secret=")
        .nth(1)
        .expect("secret in fragment")
        .to_owned()
}

/// The `Sec-WebSocket-Protocol` value a renderer offers: the protocol and
/// the launch secret.
pub(crate) fn protocols(server: &WsServer) -> String {
    format!("ipc-contracts.v1, ipc-secret.{}", secret_of(server))
}

/// The client handshake for `/ipc` over an open stream, with the given
/// `Origin` and subprotocols. The caller opens the stream so that it can
/// set socket options first.
pub(crate) async fn handshake(
    stream: TcpStream,
    origin: &str,
    protocols: &str,
) -> Result<Socket, String> {
    let addr = stream.peer_addr().map_err(|e| e.to_string())?;
    let mut request = format!("ws://{addr}/ipc")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert(
        "Origin",
        HeaderValue::from_str(origin).map_err(|e| e.to_string())?,
    );
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocols).map_err(|e| e.to_string())?,
    );
    tokio_tungstenite::client_async(request, stream)
        .await
        .map(|(socket, _)| socket)
        .map_err(|error| error.to_string())
}

/// Connects to `addr` and shakes hands with the given `Origin` and
/// subprotocols; `Err` says why the server refused.
pub(crate) async fn connect_with(
    addr: SocketAddr,
    origin: &str,
    protocols: &str,
) -> Result<Socket, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    handshake(stream, origin, protocols).await
}

/// A connection as the app's own renderer opens it.
pub(crate) async fn connect(server: &WsServer) -> Socket {
    connect_with(server.local_addr(), &server.origin(), &protocols(server))
        .await
        .expect("handshake accepted")
}

/// The next text frame, past pings and the like. Each read has 5 s, so a
/// missing reply fails the test instead of hanging it.
pub(crate) async fn next_text(socket: &mut Socket) -> String {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("socket open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return text.as_str().to_owned();
        }
    }
}

/// The next text frame, as JSON.
pub(crate) async fn next_json(socket: &mut Socket) -> Value {
    serde_json::from_str(&next_text(socket).await).expect("replies are JSON")
}

/// How a connection ended: with a Close frame (and its code, if it has
/// one), or `Err` when it ended without one.
pub(crate) type Closed = Result<Option<u16>, String>;

/// How `socket` ends, skipping what comes before; `None` when it does not
/// end within `within`.
pub(crate) async fn closed_within(socket: &mut Socket, within: Duration) -> Option<Closed> {
    tokio::time::timeout(within, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return Ok(frame.map(|f| u16::from(f.code))),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.to_string()),
                None => return Err("ended without a Close frame".to_owned()),
            }
        }
    })
    .await
    .ok()
}

/// A raw handshake request for `/ipc` with the sample key of RFC 6455 and
/// the given header lines (each ending in CRLF), for tests that write
/// what a client library would refuse to.
pub(crate) fn upgrade_with_headers(headers: &str) -> String {
    format!(
        "GET /ipc HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{headers}\r\n"
    )
}

/// A new directory of renderer files to serve, `index.html` and
/// `assets/app.js`, named after `prefix`, the process and the time so that
/// tests running at once do not share one. The caller removes it.
pub(crate) fn renderer_dir(prefix: &str, index_html: &str, app_js: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let root = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(root.join("assets")).expect("mkdir");
    std::fs::write(root.join("index.html"), index_html).expect("write");
    std::fs::write(root.join("assets/app.js"), app_js).expect("write");
    root
}
