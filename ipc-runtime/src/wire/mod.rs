//! The wire protocol, version 1 (`docs/protocol.md`): request, reply and
//! event envelopes ([`envelope`]), and the error shapes the renderer
//! receives ([`error`]).
//!
//! Errors are data in a reply, never exceptions. Their shapes are those of
//! `@number10/electron-ipc`: an `IPCValidationError` for a payload that does
//! not match its schema, an `IPCHandlerError` for everything else (typed
//! contract errors, handler errors and the framework failures listed in
//! [`FrameworkCode`]).

pub mod envelope;
pub mod error;
pub(crate) mod json;

pub(crate) use envelope::{
    Input, PayloadSeed, Request, begin_success, encode_event, encode_failure_text, leading_channel,
    leading_id, parse_in_pass, parse_input,
};
pub use envelope::{RequestId, encode_failure};
pub use error::{
    FrameworkCode, HandlerFailure, IpcError, IpcHandlerError, IpcValidationError, PathSegment,
    ValidationField, ValidationIssue,
};
pub use ipc_meta::protocol::{PROTOCOL_VERSION, VALIDATION_ERROR_CODE};

/// The longest request id string, in bytes.
pub const MAX_REQUEST_ID_LENGTH: usize = 128;

/// The most issues one `IPCValidationError` lists.
pub const MAX_ISSUES: usize = 100;

/// `text` cut to at most `max` bytes (on a character boundary) with `...`
/// appended, so that echoing hostile input into a message stays bounded.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
