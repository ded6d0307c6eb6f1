//! Requests for the `ws:echo`, `ws:sum` and `ws:note` contracts of
//! `echo_sum_note.rs`, generated to probe the one-pass parse
//! (docs/adr/0044): envelopes in any order, with repeats, bad values and
//! trailing bytes, and payloads the fast path refuses. Shared by
//! `ws_single_pass` (over a socket) and `checked_single_pass` (through the
//! entry points with per-call checks).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The request limit of the router these requests are written for: one
/// payload is longer.
pub(crate) const MAX_REQUEST_BYTES: usize = 2048;

pub(crate) fn payload() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{0,20}".prop_map(|text| format!(r#"{{"text":"{text}"}}"#)),
        1 => Just(r#"{"text":"caf\u00e9\nx"}"#.to_owned()),
        1 => Just(r#"{"text":"\ud800"}"#.to_owned()),
        1 => Just(r#"{"text":"a","text":"b"}"#.to_owned()),
        1 => Just(r#"{"text":"a","more":1}"#.to_owned()),
        1 => Just(r#"{"text":5}"#.to_owned()),
        1 => Just(r#"{"text":"a\u0000"}"#.to_owned()),
        1 => Just("{\"text\":\"a\u{1}\"}".to_owned()),
        2 => (0usize..160).prop_map(|depth| format!(r#"{{"rows":[{}{}]}}"#, "[".repeat(depth), "]".repeat(depth))),
        2 => proptest::collection::vec(proptest::collection::vec(0u32..9, 0..3), 0..3)
            .prop_map(|rows| format!(r#"{{"rows":{}}}"#, serde_json::to_string(&rows).unwrap_or_default())),
        1 => Just(r#"{"rows":[[1,2],[3.0]]}"#.to_owned()),
        1 => Just(r#"{"rows":[[-1]]}"#.to_owned()),
        1 => Just(r#"{"rows":[[1e400]]}"#.to_owned()),
        1 => Just(r#"{"rows":[[4294967296]]}"#.to_owned()),
        1 => Just("{}".to_owned()),
        1 => Just("null".to_owned()),
        1 => Just(r#""text""#.to_owned()),
        1 => Just("[1,2".to_owned()),
        1 => Just(r#"{"text":"unterminated"#.to_owned()),
        1 => Just(format!(r#"{{"text":"{}"}}"#, "y".repeat(MAX_REQUEST_BYTES))),
    ]
}

pub(crate) fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(r#""v":1"#.to_owned()),
        1 => Just(r#""v":2"#.to_owned()),
        1 => Just(r#""v":"1""#.to_owned()),
        4 => (0u32..4).prop_map(|id| format!(r#""id":{id}"#)),
        1 => Just(r#""id":"a""#.to_owned()),
        1 => Just(r#""id":1.5"#.to_owned()),
        1 => Just(r#""id":9007199254740993"#.to_owned()),
        4 => Just(r#""kind":"invoke""#.to_owned()),
        2 => Just(r#""kind":"send""#.to_owned()),
        1 => Just(r#""kind":"event""#.to_owned()),
        6 => prop::sample::select(vec!["ws:echo", "ws:sum", "ws:note", "ws:none"])
            .prop_map(|channel| format!(r#""channel":"{channel}""#)),
        1 => Just(r#""channel":"ws\u003aecho""#.to_owned()),
        1 => Just(r#""channel":7"#.to_owned()),
        6 => payload().prop_map(|payload| format!(r#""payload":{payload}"#)),
        1 => Just(r#""extra":{"a":[1]}"#.to_owned()),
        1 => Just(r#""extra":1"#.to_owned()),
    ]
}

/// Envelopes in any order, with repeats, gaps and trailing bytes.
pub(crate) fn request() -> impl Strategy<Value = String> {
    let members = proptest::collection::vec(member(), 0..8).prop_shuffle();
    let tail = prop_oneof![12 => Just(""), 1 => Just(" "), 1 => Just(" x"), 1 => Just("}"), 1 => Just(",")];
    (members, tail).prop_map(|(members, tail)| format!("{{{}}}{tail}", members.join(",")))
}

/// What a client writes: `v`, `id`, `kind` and `channel` before the
/// payload, the order in which the payload is read in the envelope's pass.
pub(crate) fn client_request() -> impl Strategy<Value = String> {
    (
        0u32..4,
        prop::sample::select(vec!["invoke", "send"]),
        prop::sample::select(vec!["ws:echo", "ws:sum", "ws:note", "ws:none"]),
        payload(),
    )
        .prop_map(|(id, kind, channel, payload)| {
            format!(
                r#"{{"v":1,"id":{id},"kind":"{kind}","channel":"{channel}","payload":{payload}}}"#
            )
        })
}

/// A runner of `cases` cases that keeps no failure file: the requests are
/// generated anew each run.
pub(crate) fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}
