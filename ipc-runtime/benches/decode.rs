//! Inbound decoding cost: bare typed parse vs validated decode vs the naive
//! validated path vs a whole `dispatch`, over representative payloads.
//!
//! Run with `cargo bench -p ipc-contracts-runtime`; figures are in docs/performance.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ipc_runtime::validation::{compile_schema, input_root_schema};
use ipc_runtime::{CallContext, CallerIdentity, Decoder, IpcHandlerError, Router};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[macro_use]
#[path = "support/payloads.rs"]
mod payloads;

use payloads::{
    Account, Composed, Document, InputEvent, ItemList, LotList, Row, Sets, SmallRecord,
};

fn bench_payload<T: DeserializeOwned + JsonSchema + Send + 'static>(
    c: &mut Criterion,
    name: &str,
    payload: &Value,
    router: &Router,
    runtime: &tokio::runtime::Runtime,
) {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    // A payload about a keyword its type's schema does not use is decoded
    // against a schema that uses it; `dispatch` uses the type's own.
    let custom = payloads::schema_of(name);
    let schema = custom.clone().unwrap_or_else(input_root_schema::<T>);
    let decoder = Decoder::<T>::with_schema(schema.clone(), 64).expect("schema compiles");
    let validator = compile_schema(&schema).expect("schema compiles");
    decoder.decode(&bytes).expect("payload is valid");
    let channel = match name {
        "small_struct" => "payloads:smallRecord",
        "tagged_enum" => "payloads:inputEvent",
        "array_1000_structs" => "payloads:itemList",
        "string_100kb" => "payloads:document",
        "sets" => "payloads:sets",
        "multiple_of_1000" => "payloads:lotList",
        "untagged_enum" => "payloads:row",
        "pattern_format" => "payloads:account",
        _ => "",
    };
    let mut request = br#"{"v":1,"id":1,"kind":"invoke","channel":""#.to_vec();
    request.extend_from_slice(channel.as_bytes());
    request.extend_from_slice(br#"","payload":"#);
    request.extend_from_slice(&bytes);
    request.push(b'}');
    let caller = CallerIdentity::new(1, "main", "app://bench");
    let dispatch = custom.is_none() && !channel.is_empty();
    if dispatch {
        let reply = runtime
            .block_on(router.dispatch(&request, caller.clone()))
            .expect("invoke replies");
        assert_eq!(reply, br#"{"id":1,"ok":true,"data":null}"#);
    }

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function(BenchmarkId::new("serde_json::from_slice", ""), |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(&bytes)).expect("valid"));
    });
    group.bench_function(BenchmarkId::new("Decoder::decode", ""), |b| {
        b.iter(|| decoder.decode(black_box(&bytes)).expect("valid"));
    });
    group.bench_function(
        BenchmarkId::new("naive_value_validate_from_value", ""),
        |b| {
            b.iter(|| {
                let value: Value = serde_json::from_slice(black_box(&bytes)).expect("json");
                assert!(validator.is_valid(&value));
                serde_json::from_value::<T>(value).expect("valid")
            });
        },
    );
    if dispatch {
        group.bench_function(BenchmarkId::new("Router::dispatch", ""), |b| {
            b.iter(|| {
                runtime
                    .block_on(router.dispatch(black_box(&request), caller.clone()))
                    .expect("invoke replies")
            });
        });
    }
    group.finish();
}

fn ok(_: CallContext, _: impl Sized) -> std::future::Ready<Result<(), IpcHandlerError>> {
    std::future::ready(Ok(()))
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let router = Router::builder()
        .invoke::<SmallRecord, _>(ok)
        .invoke::<InputEvent, _>(ok)
        .invoke::<ItemList, _>(ok)
        .invoke::<Document, _>(ok)
        .invoke::<Sets, _>(ok)
        .invoke::<LotList, _>(ok)
        .invoke::<Composed, _>(ok)
        .invoke::<Row, _>(ok)
        .invoke::<Account, _>(ok)
        .build()
        .expect("router builds");
    for (name, payload) in payloads::payloads() {
        with_payload_type!(name, bench_payload(c, name, &payload, &router, &runtime));
    }
}

criterion_group! {
    name = decode;
    config = Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(decode);
