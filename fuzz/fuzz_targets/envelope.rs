//! The envelope parser against the protocol's definition: it accepts
//! exactly the envelopes `reference::read` accepts, reads the same id,
//! kind, channel and payload from them, and refuses the others with a
//! framework code of the protocol.

#![no_main]

use ipc_runtime::fuzzing::{Envelope, parse_envelope};
use libfuzzer_sys::fuzz_target;

#[path = "common/reference.rs"]
mod reference;

fuzz_target!(|bytes: &[u8]| {
    let expected = reference::read(bytes);
    match (parse_envelope(bytes), expected) {
        (
            Envelope::Request {
                id,
                kind,
                channel,
                payload,
            },
            Some(expected),
        ) => {
            let parsed = reference::Request {
                id,
                kind,
                channel,
                payload: payload.to_owned(),
            };
            assert_eq!(parsed, expected, "the parser read another request");
        }
        (Envelope::Refused { code, .. }, None) => {
            assert!(
                matches!(
                    code.as_str(),
                    "IPC_MALFORMED_REQUEST" | "IPC_UNSUPPORTED_VERSION"
                ),
                "refused with {code}"
            );
        }
        (parsed, expected) => {
            panic!("the parser and the protocol disagree: {parsed:?} against {expected:?}")
        }
    }
});
