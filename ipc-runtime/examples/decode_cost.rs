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

#[path = "../benches/support/payloads.rs"]
mod payloads;

use std::hint::black_box;
use std::process::ExitCode;

use ipc_runtime::Decoder;
use ipc_runtime::validation::{compile_schema, input_root_schema};
use payloads::{Document, InputEvent, ItemList, SmallRecord};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn run<T: DeserializeOwned + JsonSchema>(way: &str, payload: &Value, times: usize) -> bool {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    let decoder = Decoder::<T>::new(64).expect("schema compiles");
    let validator = compile_schema(&input_root_schema::<T>()).expect("schema compiles");
    assert!(
        decoder.decode_fast(&bytes).is_some(),
        "the fast path takes it"
    );
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
    let Some((_, payload)) = payloads::payloads().into_iter().find(|(n, _)| n == name) else {
        eprintln!("payloads: small_struct, tagged_enum, array_1000_structs, string_100kb");
        return ExitCode::FAILURE;
    };
    // An optional multiplier, for a sampling profiler that needs the loop
    // to run longer than an instruction counter does.
    let repeat = args
        .get(3)
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    let known = match name.as_str() {
        "small_struct" => run::<SmallRecord>(way, &payload, 10_000 * repeat),
        "tagged_enum" => run::<InputEvent>(way, &payload, 10_000 * repeat),
        "array_1000_structs" => run::<ItemList>(way, &payload, 10 * repeat),
        _ => run::<Document>(way, &payload, 100 * repeat),
    };
    if known {
        ExitCode::SUCCESS
    } else {
        eprintln!("ways: none, bare, decode, naive");
        ExitCode::FAILURE
    }
}
