//! What a [`WsServer`](super::WsServer) listens on and what it allows.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::Origin;

/// How the server listens and what it allows.
#[derive(Debug, Clone)]
pub struct WsConfig {
    /// Where to listen: `127.0.0.1:0` (loopback, an ephemeral port) by
    /// default. Another interface exposes the app to the network: only do
    /// that deliberately.
    pub bind: SocketAddr,
    /// The renderer's files, served over HTTP; `None` serves none. Only
    /// regular files reached without a symbolic link are served.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed besides the app's own (`http://127.0.0.1:<port>`,
    /// `http://localhost:<port>`), e.g. a dev server's.
    pub allowed_origins: Vec<Origin>,
    /// The role every connection of this server gets in its identity.
    pub role: String,
    /// The largest WebSocket message accepted; a larger one closes the
    /// connection (1009). Messages up to it that exceed the router's own
    /// limit get a structured `IPC_PAYLOAD_TOO_LARGE` reply.
    pub max_message_bytes: usize,
    /// Requests of one connection handled at once; more wait (backpressure:
    /// the server stops reading from that socket).
    pub max_in_flight_per_connection: usize,
    /// Replies and events queued for one connection; a client that does not
    /// read them is disconnected rather than letting memory grow.
    pub outbound_queue: usize,
    /// Open WebSocket connections; more are refused with 503. A slot is
    /// taken when the handshake is accepted, so concurrent handshakes
    /// cannot exceed it.
    pub max_connections: usize,
    /// Connections still in their HTTP exchange (a page load, or a
    /// handshake not yet accepted). At the bound the server stops accepting
    /// until one ends; the others wait in the kernel's listen queue.
    pub max_pending_connections: usize,
    /// The whole HTTP exchange of a pending connection: reading its request
    /// head and writing the response (408 when the head is late).
    pub handshake_timeout: Duration,
    /// The page's Content-Security-Policy; `{ws}` is replaced with the
    /// server's WebSocket origins.
    pub content_security_policy: String,
}

impl Default for WsConfig {
    fn default() -> Self {
        WsConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            static_dir: None,
            allowed_origins: Vec::new(),
            role: "renderer".to_owned(),
            max_message_bytes: 16 * 1024 * 1024,
            max_in_flight_per_connection: 64,
            outbound_queue: 1024,
            max_connections: 64,
            max_pending_connections: 32,
            handshake_timeout: Duration::from_secs(10),
            content_security_policy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'".to_owned(),
        }
    }
}
