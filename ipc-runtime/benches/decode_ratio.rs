//! The validated-decode ratio, measured so that machine load cancels out.
//!
//! Criterion (`benches/decode.rs`) times each function in its own stretch
//! of seconds; on a shared machine the load changes between those
//! stretches and the ratio of two means moves with it. Here the bare typed
//! parse, the validated decode and the naive validated path (parse to a
//! `Value`, validate, `from_value`) take turns in short batches (A B C,
//! then C B A, so none always runs first), each round gives one ratio of
//! the decode to each of the others, and the median of the rounds is
//! reported with its quartiles.
//!
//! Run with `cargo bench -p ipc-contracts-runtime --bench decode_ratio`; add
//! `-- --rounds N` for more rounds and `-- --only NAME` for one payload.
//! Figures are in docs/performance.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ipc_runtime::Decoder;
use ipc_runtime::validation::{compile_schema, input_root_schema};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[path = "support/args.rs"]
mod args;
#[macro_use]
#[path = "support/payloads.rs"]
mod payloads;

/// How long one timed batch runs.
const BATCH: Duration = Duration::from_millis(2);

/// What one payload measured.
struct Measured {
    fast_path: bool,
    bare_ns: f64,
    decode_ns: f64,
    naive_ns: f64,
    /// Decode over bare parse: median, and quartiles.
    bare_ratio: (f64, f64, f64),
    /// Decode over the naive path.
    naive_ratio: (f64, f64, f64),
}

fn time_batch(iterations: u64, mut run: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        run();
    }
    start.elapsed()
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn spread(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    (
        percentile(&samples, 0.5),
        percentile(&samples, 0.25),
        percentile(&samples, 0.75),
    )
}

fn measure<T: DeserializeOwned + JsonSchema>(
    payload: &Value,
    schema: Option<Value>,
    rounds: usize,
) -> Measured {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    let schema = schema.unwrap_or_else(input_root_schema::<T>);
    let validator = compile_schema(&schema).expect("schema compiles");
    let decoder = Decoder::<T>::with_schema(schema, 64).expect("schema compiles");
    let fast_path = decoder.decode_fast(&bytes).is_some();
    let mut bare = || {
        black_box(serde_json::from_slice::<T>(black_box(&bytes)).expect("valid"));
    };
    let mut decode = || {
        black_box(decoder.decode(black_box(&bytes)).expect("valid"));
    };
    let mut naive = || {
        let value: Value = serde_json::from_slice(black_box(&bytes)).expect("json");
        assert!(validator.is_valid(&value));
        black_box(serde_json::from_value::<T>(value).expect("valid"));
    };
    // Warm up, and size the batches from the bare parse.
    let mut iterations = 1;
    while time_batch(iterations, &mut bare) < BATCH {
        iterations *= 2;
    }
    time_batch(iterations, &mut decode);
    time_batch(iterations, &mut naive);

    let per_call = |time: Duration| time.as_nanos() as f64 / iterations as f64;
    let (mut bare_times, mut decode_times, mut naive_times) = (vec![], vec![], vec![]);
    let (mut bare_ratios, mut naive_ratios) = (vec![], vec![]);
    for round in 0..rounds {
        let (b, d, n) = if round % 2 == 0 {
            let b = time_batch(iterations, &mut bare);
            let d = time_batch(iterations, &mut decode);
            (b, d, time_batch(iterations, &mut naive))
        } else {
            let n = time_batch(iterations, &mut naive);
            let d = time_batch(iterations, &mut decode);
            (time_batch(iterations, &mut bare), d, n)
        };
        bare_times.push(per_call(b));
        decode_times.push(per_call(d));
        naive_times.push(per_call(n));
        bare_ratios.push(d.as_secs_f64() / b.as_secs_f64());
        naive_ratios.push(d.as_secs_f64() / n.as_secs_f64());
    }
    Measured {
        fast_path,
        bare_ns: spread(bare_times).0,
        decode_ns: spread(decode_times).0,
        naive_ns: spread(naive_times).0,
        bare_ratio: spread(bare_ratios),
        naive_ratio: spread(naive_ratios),
    }
}

fn format_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.1} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn main() {
    let rounds = args::count_option("rounds", 200);
    let only = args::string_option("only");
    println!(
        "validated decode against the bare typed parse and the naive path, \
         {rounds} interleaved rounds of {} ms batches",
        BATCH.as_millis()
    );
    println!(
        "| payload | fast path | bare parse | validated decode | naive path | decode / bare (quartiles) | decode / naive (quartiles) |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, payload) in payloads::payloads() {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let schema = payloads::schema_of(name);
        let m = with_payload_type!(name, measure(&payload, schema, rounds));
        println!(
            "| `{name}` | {} | {} | {} | {} | {:.2}× ({:.2} to {:.2}) | {:.2}× ({:.2} to {:.2}) |",
            if m.fast_path { "yes" } else { "no" },
            format_ns(m.bare_ns),
            format_ns(m.decode_ns),
            format_ns(m.naive_ns),
            m.bare_ratio.0,
            m.bare_ratio.1,
            m.bare_ratio.2,
            m.naive_ratio.0,
            m.naive_ratio.1,
            m.naive_ratio.2,
        );
    }
}
