//! The validated-decode ratio, measured so that machine load cancels out.
//!
//! Criterion (`benches/decode.rs`) times each function in its own stretch
//! of seconds; on a shared machine the load changes between those
//! stretches and the ratio of two means moves with it. Here the bare typed
//! parse and the validated decode take turns in short batches (A B B A, so
//! neither always runs first), each round gives one ratio, and the median
//! of the rounds is reported with its quartiles.
//!
//! Run with `cargo bench -p ipc-contracts-runtime --bench decode_ratio`; add
//! `-- --rounds N` for more rounds. Figures are in docs/performance.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ipc_runtime::Decoder;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[path = "support/args.rs"]
mod args;
#[path = "support/payloads.rs"]
mod payloads;

use payloads::{Document, InputEvent, ItemList, SmallRecord};

/// How long one timed batch runs.
const BATCH: Duration = Duration::from_millis(2);

/// What one payload measured.
struct Measured {
    bare_ns: f64,
    decode_ns: f64,
    ratio_median: f64,
    ratio_quartiles: (f64, f64),
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

fn measure<T: DeserializeOwned + JsonSchema>(payload: &Value, rounds: usize) -> Measured {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    let decoder = Decoder::<T>::new(64).expect("schema compiles");
    assert!(decoder.has_fast_path(), "the payload has a fast path");
    let mut bare = || {
        black_box(serde_json::from_slice::<T>(black_box(&bytes)).expect("valid"));
    };
    let mut decode = || {
        black_box(decoder.decode(black_box(&bytes)).expect("valid"));
    };
    // Warm up, and size the batches from the bare parse.
    let mut iterations = 1;
    while time_batch(iterations, &mut bare) < BATCH {
        iterations *= 2;
    }
    time_batch(iterations, &mut decode);

    let mut bare_times = Vec::with_capacity(rounds);
    let mut decode_times = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (bare_time, decode_time) = if round % 2 == 0 {
            let bare_time = time_batch(iterations, &mut bare);
            (bare_time, time_batch(iterations, &mut decode))
        } else {
            let decode_time = time_batch(iterations, &mut decode);
            (time_batch(iterations, &mut bare), decode_time)
        };
        let per_call = |time: Duration| time.as_nanos() as f64 / iterations as f64;
        bare_times.push(per_call(bare_time));
        decode_times.push(per_call(decode_time));
        ratios.push(decode_time.as_secs_f64() / bare_time.as_secs_f64());
    }
    for samples in [&mut bare_times, &mut decode_times, &mut ratios] {
        samples.sort_by(f64::total_cmp);
    }
    Measured {
        bare_ns: percentile(&bare_times, 0.5),
        decode_ns: percentile(&decode_times, 0.5),
        ratio_median: percentile(&ratios, 0.5),
        ratio_quartiles: (percentile(&ratios, 0.25), percentile(&ratios, 0.75)),
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
    println!(
        "validated decode against bare typed parse, {rounds} interleaved rounds of {} ms batches",
        BATCH.as_millis()
    );
    println!(
        "| payload | bare parse (median) | validated decode (median) | ratio, median of rounds | ratio, quartiles |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, payload) in payloads::payloads() {
        let measured = match name {
            "small_struct" => measure::<SmallRecord>(&payload, rounds),
            "tagged_enum" => measure::<InputEvent>(&payload, rounds),
            "array_1000_structs" => measure::<ItemList>(&payload, rounds),
            _ => measure::<Document>(&payload, rounds),
        };
        println!(
            "| `{name}` | {} | {} | {:.2}× | {:.2}× to {:.2}× |",
            format_ns(measured.bare_ns),
            format_ns(measured.decode_ns),
            measured.ratio_median,
            measured.ratio_quartiles.0,
            measured.ratio_quartiles.1,
        );
    }
}
