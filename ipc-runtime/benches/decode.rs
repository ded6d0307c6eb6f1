//! Inbound decoding cost: bare typed parse vs validated decode vs the naive
//! validated path vs a whole `dispatch`, over representative payloads.
//!
//! Run with `cargo bench -p ipc-runtime`; figures are in docs/performance.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ipc_runtime::validation::{compile_schema, input_root_schema};
use ipc_runtime::{CallContext, CallerIdentity, Decoder, IpcHandlerError, Router, contract};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A small struct with five fields and a few constraints.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmallRecord {
    pub id: u64,
    #[schemars(length(min = 1, max = 64))]
    pub name: String,
    pub score: f64,
    pub active: bool,
    #[schemars(length(max = 16))]
    pub tags: Vec<String>,
}

/// An internally tagged enum.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum InputEvent {
    Click {
        x: i32,
        y: i32,
        #[schemars(length(min = 1, max = 16))]
        button: String,
    },
    Key {
        key: String,
        code: u32,
    },
    Scroll {
        delta: f64,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: u64,
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    pub price: f64,
    pub quantity: u32,
    pub in_stock: bool,
}

/// A 1,000-element array of structs.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ItemList(#[schemars(length(max = 10_000))] pub Vec<Item>);

/// A 100 KB string.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    #[schemars(length(max = 200_000))]
    pub body: String,
}

fn payloads() -> Vec<(&'static str, Value)> {
    let small =
        json!({"id": 42, "name": "widget", "score": 0.75, "active": true, "tags": ["a", "b"]});
    let event = json!({"type": "click", "x": 120, "y": -4, "button": "left"});
    let items: Vec<Value> = (0..1000)
        .map(|i| {
            json!({
                "id": i,
                "name": format!("item number {i}"),
                "price": f64::from(i) * 1.25,
                "quantity": i % 17,
                "inStock": i % 3 == 0
            })
        })
        .collect();
    let document = json!({"body": "lorem ipsum dolor sit amet ".repeat(100 * 1024 / 27)});
    vec![
        ("small_struct", small),
        ("tagged_enum", event),
        ("array_1000_structs", Value::Array(items)),
        ("string_100kb", document),
    ]
}

fn bench_payload<T: DeserializeOwned + JsonSchema + Send + 'static>(
    c: &mut Criterion,
    name: &str,
    payload: &Value,
    router: &Router,
    runtime: &tokio::runtime::Runtime,
) {
    let bytes = serde_json::to_vec(payload).expect("payload serializes");
    let decoder = Decoder::<T>::new(64).expect("schema compiles");
    assert!(decoder.has_fast_path(), "{name} should have a fast path");
    let validator = compile_schema(&input_root_schema::<T>()).expect("schema compiles");
    decoder.decode(&bytes).expect("payload is valid");
    let channel = match name {
        "small_struct" => "decode:smallRecord",
        "tagged_enum" => "decode:inputEvent",
        "array_1000_structs" => "decode:itemList",
        _ => "decode:document",
    };
    let mut request = br#"{"v":1,"id":1,"kind":"invoke","channel":""#.to_vec();
    request.extend_from_slice(channel.as_bytes());
    request.extend_from_slice(br#"","payload":"#);
    request.extend_from_slice(&bytes);
    request.push(b'}');
    let caller = CallerIdentity::new(1, "main", "app://bench");
    let reply = runtime
        .block_on(router.dispatch(&request, caller.clone()))
        .expect("invoke replies");
    assert_eq!(reply, br#"{"id":1,"ok":true,"data":null}"#);

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
    group.bench_function(BenchmarkId::new("Router::dispatch", ""), |b| {
        b.iter(|| {
            runtime
                .block_on(router.dispatch(black_box(&request), caller.clone()))
                .expect("invoke replies")
        });
    });
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
        .build()
        .expect("router builds");
    for (name, payload) in payloads() {
        match name {
            "small_struct" => bench_payload::<SmallRecord>(c, name, &payload, &router, &runtime),
            "tagged_enum" => bench_payload::<InputEvent>(c, name, &payload, &router, &runtime),
            "array_1000_structs" => bench_payload::<ItemList>(c, name, &payload, &router, &runtime),
            _ => bench_payload::<Document>(c, name, &payload, &router, &runtime),
        }
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
