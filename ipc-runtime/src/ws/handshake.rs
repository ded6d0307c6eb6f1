//! The WebSocket handshake of `/ipc`: the protocol checks and the 101
//! response are tungstenite's (`create_response`, `write_response`: method,
//! HTTP/1.1, `Upgrade`, `Connection`, version 13, a key of 16 base64 bytes);
//! the checks of the transport's security model are ours, and the last one
//! takes a connection slot.

use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;
use tokio_tungstenite::tungstenite::error::{Error, ProtocolError};
use tokio_tungstenite::tungstenite::handshake::server::{create_response, write_response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;

use super::http::RequestHead;
use super::server::Shared;
use super::{Origin, SECRET_PROTOCOL_PREFIX, SUBPROTOCOL};

/// What an accepted handshake established.
pub(crate) struct Accepted {
    /// The whole 101 response, to write before the first frame.
    pub(crate) response: Vec<u8>,
    pub(crate) origin: Origin,
    /// The connection's slot of `max_connections`, held while it lives.
    pub(crate) slot: OwnedSemaphorePermit,
}

/// Why a handshake was refused: the status and a reason for the log and
/// the client, never the secret or anything else the client sent.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) status: &'static str,
    pub(crate) reason: &'static str,
}

const BAD_REQUEST: &str = "400 Bad Request";
const FORBIDDEN: &str = "403 Forbidden";

fn refuse(status: &'static str, reason: &'static str) -> Refusal {
    Refusal { status, reason }
}

/// Every check of the handshake, in the order docs/transport-ws.md gives
/// (the `Host` header was checked before, for every request).
pub(crate) fn accept(head: &RequestHead, shared: &Shared) -> Result<Accepted, Refusal> {
    let upgrade_required = || {
        refuse(
            "426 Upgrade Required",
            "the IPC endpoint takes a WebSocket upgrade",
        )
    };
    if head.method != "GET" {
        return Err(refuse(
            "405 Method Not Allowed",
            "the IPC endpoint takes a WebSocket upgrade",
        ));
    }
    let request = head
        .to_request()
        .ok_or_else(|| refuse(BAD_REQUEST, "malformed request"))?;
    // tungstenite reads the first key only: two keys are ambiguous.
    if head.header_count("sec-websocket-key") > 1 {
        return Err(refuse(BAD_REQUEST, "more than one WebSocket key"));
    }
    let mut response = create_response(&request).map_err(|error| match error {
        Error::Protocol(
            ProtocolError::MissingConnectionUpgradeHeader
            | ProtocolError::MissingUpgradeWebSocketHeader,
        ) => upgrade_required(),
        Error::Protocol(ProtocolError::WrongHttpVersion) => {
            refuse(BAD_REQUEST, "a WebSocket upgrade needs HTTP/1.1")
        }
        Error::Protocol(ProtocolError::MissingSecWebSocketVersionHeader) => {
            refuse(BAD_REQUEST, "unsupported WebSocket version")
        }
        Error::Protocol(
            ProtocolError::MissingSecWebSocketKey | ProtocolError::InvalidSecWebSocketKey,
        ) => refuse(BAD_REQUEST, "missing or invalid WebSocket key"),
        _ => refuse(BAD_REQUEST, "malformed WebSocket upgrade"),
    })?;
    let origin = match head.header("origin") {
        Some(origin) if head.header_count("origin") == 1 => Origin::parse(&origin),
        _ => None,
    };
    let Some(origin) = origin else {
        return Err(refuse(FORBIDDEN, "missing or malformed Origin"));
    };
    let allowed = shared.authority.own_origins().contains(&origin)
        || shared.config.allowed_origins.contains(&origin);
    if !allowed {
        return Err(refuse(FORBIDDEN, "origin not allowed"));
    }
    let offered = head.header("sec-websocket-protocol").unwrap_or_default();
    let protocols: Vec<&str> = offered.split(',').map(str::trim).collect();
    if !protocols.contains(&SUBPROTOCOL) {
        return Err(refuse(
            BAD_REQUEST,
            "the ipc-contracts.v1 subprotocol is required",
        ));
    }
    let secrets: Vec<&str> = protocols
        .iter()
        .filter_map(|p| p.strip_prefix(SECRET_PROTOCOL_PREFIX))
        .collect();
    // Exactly one secret, so a client cannot probe several per handshake.
    if secrets.len() != 1 || !shared.secret.matches_hex(secrets[0]) {
        return Err(refuse(FORBIDDEN, "missing or wrong secret"));
    }
    // Taken here, in one step with the check, so that concurrent handshakes
    // cannot all see a free slot; released when the connection ends.
    let slot = Arc::clone(&shared.connection_slots)
        .try_acquire_owned()
        .map_err(|_| refuse("503 Service Unavailable", "too many connections"))?;
    response.headers_mut().insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let mut bytes = Vec::with_capacity(256);
    write_response(&mut bytes, &response)
        .map_err(|_| refuse("500 Internal Server Error", "cannot write the response"))?;
    Ok(Accepted {
        response: bytes,
        origin,
        slot,
    })
}
