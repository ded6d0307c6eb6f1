//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): parts
//! of the runtime that are private, reachable without going through a
//! router. Not a public API.

use std::sync::Arc;

use crate::context::{CallerIdentity, CancellationToken};
use crate::contract::ContractKind;
use crate::router::{Permit, Router};
use crate::wire::{self, RequestId};

/// What the envelope parser made of a request.
#[derive(Debug)]
pub enum Envelope<'a> {
    /// A valid envelope.
    Request {
        id: Option<RequestId>,
        kind: ContractKind,
        channel: String,
        /// The payload's JSON text, unparsed.
        payload: &'a str,
    },
    /// A refused one: the framework code and the id, when it was read.
    Refused { id: Option<RequestId>, code: String },
}

/// Runs the envelope parser on `bytes`, as the router does after its size
/// check.
pub fn parse_envelope(bytes: &[u8]) -> Envelope<'_> {
    match wire::parse_input(wire::Input::Bytes(bytes)) {
        Ok(request) => Envelope::Request {
            id: request.id,
            kind: request.kind,
            channel: request.channel,
            payload: request.payload.get(),
        },
        Err(refused) => Envelope::Refused {
            id: refused.id,
            code: refused.error.code.to_string(),
        },
    }
}

/// Dispatches `text` as the WebSocket transport does: a request whose
/// channel leads is parsed in one pass (docs/adr/0044), anything else as
/// [`Router::dispatch`] parses it. Both must give the same reply.
pub async fn dispatch_text(router: &Router, text: &str, caller: CallerIdentity) -> Option<String> {
    let connection = Arc::new(CancellationToken::new());
    router
        .dispatch_cancellable(text, Arc::new(caller), &connection)
        .await
}

/// Dispatches `bytes` parsing them in two passes whatever they hold: the
/// reference [`Router::dispatch`] and [`dispatch_text`], which parse a
/// request whose channel leads in one, must answer as.
pub async fn dispatch_two_pass(
    router: &Router,
    bytes: &[u8],
    caller: CallerIdentity,
) -> Option<String> {
    router.dispatch_two_pass(bytes, caller, None).await
}

/// [`dispatch_two_pass`] with a per-call check, the reference for
/// [`Router::dispatch_permitted`] and [`Router::dispatch_inline`], which
/// make their checks before the one-pass parse decodes a payload.
pub async fn dispatch_two_pass_permitted(
    router: &Router,
    bytes: &[u8],
    caller: CallerIdentity,
    permit: &Permit<'_>,
) -> Option<String> {
    router.dispatch_two_pass(bytes, caller, Some(permit)).await
}

/// Reads `text` with the runtime's own JSON reader (`wire::json`), as the
/// router reads requests: the value, or `None` when the reader declines
/// (and serde_json would read the text instead).
pub fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let mut reader = wire::json::TextReader::new(text);
    let value = T::deserialize(&mut reader).ok()?;
    reader.end().ok()?;
    Some(value)
}
