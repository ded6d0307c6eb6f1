//! Decodes one benchmark payload many times, one way, for a profiler or an
//! instruction counter (timings on a shared machine are noisy; instruction
//! counts are not):
//!
//! ```text
//! cargo build --release -p ipc-contracts-runtime --example decode_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/decode_cost small_struct decode
//! ```
//!
//! Ways: `none` (setup only), `bare` (`serde_json::from_slice`), `decode`
//! (`Decoder::decode`), `naive` (parse to a `Value`, validate,
//! `from_value`). See docs/performance.md.

#[macro_use]
#[path = "../benches/support/payloads.rs"]
mod payloads;

use std::hint::black_box;
use std::process::ExitCode;

use ipc_runtime::Decoder;
use ipc_runtime::validation::{compile_schema, input_root_schema};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn run<T: DeserializeOwned + JsonSchema>(
    way: &str,
    payload: &Value,
    schema: Option<Value>,
    times: usize,
) -> bool {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    let schema = schema.unwrap_or_else(input_root_schema::<T>);
    let validator = compile_schema(&schema).expect("schema compiles");
    let decoder = Decoder::<T>::with_schema(schema, 64).expect("schema compiles");
    if decoder.decode_fast(&bytes).is_none() {
        eprintln!("note: the fast path does not take this payload");
    }
    match way {
        "none" => {}
        "bare" => {
            for _ in 0..times {
                black_box(serde_json::from_slice::<T>(black_box(&bytes)).expect("valid"));
            }
        }
        "decode" => {
            for _ in 0..times {
                black_box(decoder.decode(black_box(&bytes)).expect("valid"));
            }
        }
        "naive" => {
            for _ in 0..times {
                let value: Value = serde_json::from_slice(black_box(&bytes)).expect("json");
                assert!(validator.is_valid(&value));
                black_box(serde_json::from_value::<T>(value).expect("valid"));
            }
        }
        _ => return false,
    }
    true
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(way)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: decode_cost <payload> <none|bare|decode|naive> [repeat]");
        return ExitCode::FAILURE;
    };
    let all = payloads::payloads();
    let Some((name, payload)) = all.iter().find(|(n, _)| n == name) else {
        let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        eprintln!("payloads: {}", names.join(", "));
        return ExitCode::FAILURE;
    };
    // An optional multiplier, for a sampling profiler that needs the loop
    // to run longer than an instruction counter does.
    let repeat = args
        .get(3)
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    // About the same work per run for every payload.
    let times = match *name {
        "array_1000_structs" | "multiple_of_1000" => 10,
        "string_100kb" => 100,
        _ => 10_000,
    } * repeat;
    let schema = payloads::schema_of(name);
    let known = with_payload_type!(*name, run(way, payload, schema, times));
    if known {
        ExitCode::SUCCESS
    } else {
        eprintln!("ways: none, bare, decode, naive");
        ExitCode::FAILURE
    }
}
