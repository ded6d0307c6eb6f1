//! The loopback WebSocket transport (feature `ws`).
//!
//! One TCP port serves both the app's renderer files over HTTP and the IPC
//! WebSocket at `/ipc`. It listens on `127.0.0.1` unless configured
//! otherwise. A WebSocket handshake is refused, before anything is
//! dispatched, unless:
//!
//! - the `Host` header names this server (no DNS rebinding);
//! - the `Origin` is the app's own origin or an allowed one, compared as
//!   parsed origins;
//! - the client offers the `ipc-contracts.v1` subprotocol and the
//!   per-launch secret as `ipc-secret.<hex>`, compared in constant time.
//!
//! Each connection gets a [`CallerIdentity`](crate::CallerIdentity)
//! (connection id, role, origin) that handlers see. Requests on one
//! connection run concurrently (bounded); replies go back as they complete,
//! correlated by id. See `docs/transport-ws.md` and `docs/security.md`.
//!
//! The modules: `config` (what the server allows), `server` (the listener
//! and the HTTP exchange), `handshake` (the `/ipc` upgrade), `connection`
//! (one open WebSocket), `emitter` (events), `http` and `files` (request
//! heads and the renderer's files), `security` (secret, `Host`, `Origin`).

mod config;
mod connection;
mod emitter;
mod files;
mod handshake;
mod http;
mod security;
mod server;

pub use config::WsConfig;
pub use emitter::EventEmitter;
pub use security::{LaunchSecret, Origin};
pub use server::{WsServer, WsStartError};

pub use ipc_meta::protocol::ws::{IPC_PATH, SECRET_PROTOCOL_PREFIX, SUBPROTOCOL};
