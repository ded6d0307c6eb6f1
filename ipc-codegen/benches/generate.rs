//! Code generation speed on a synthetic manifest of 1,000 contracts
//! (invokes with typed errors, sends and events over ~2,000 definitions).
//!
//! `cargo bench -p ipc-codegen --bench generate`. The manifest is also
//! written to `target/ipc-codegen-bench/manifest-1000.json`, to time the
//! command line: `ipc-codegen generate --manifest <it> --out <dir> --target electron`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ipc_codegen::generate::{Options, Target, generate};
use ipc_runtime::Manifest;
use serde_json::{Map, Value, json};

const CONTRACTS: usize = 1_000;

fn synthetic_manifest(count: usize) -> Value {
    let mut contracts = Vec::new();
    let mut input = Map::new();
    let mut output = Map::new();
    let shared = json!({
        "type": "object",
        "properties": {
            "label": {"type": "string", "description": "A label."},
            "weight": {"type": ["number", "null"]}
        },
        "required": ["label"]
    });
    let kind = json!({"type": "string", "enum": ["a", "b", "c"], "description": "A kind."});
    for defs in [&mut input, &mut output] {
        defs.insert("Shared".into(), shared.clone());
        defs.insert("Kind".into(), kind.clone());
    }
    for e in 0..20 {
        output.insert(
            format!("Error{e}"),
            json!({"oneOf": [
                {"type": "object", "properties": {"code": {"type": "string", "const": "NOT_FOUND"},
                    "details": {"type": "object", "properties": {"id": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": 9007199254740991_u64}}, "required": ["id"]}},
                    "required": ["code", "details"], "description": "Missing."},
                {"type": "object", "properties": {"code": {"type": "string", "const": "CONFLICT"},
                    "details": {"$ref": "#/$defs/Shared"}}, "required": ["code", "details"]},
                {"type": "object", "properties": {"code": {"type": "string", "const": "BUSY"}}, "required": ["code"]}
            ]}),
        );
    }
    for i in 0..count {
        let kind_name = match i % 10 {
            0 => "event",
            1 => "send",
            _ => "invoke",
        };
        let body = json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": 9007199254740991_u64},
                "name": {"type": "string", "description": "The name.", "maxLength": 100},
                "tags": {"type": "array", "items": {"type": "string"}},
                "shared": {"anyOf": [{"$ref": "#/$defs/Shared"}, {"type": "null"}]},
                "kind": {"$ref": "#/$defs/Kind"},
                "extra": {"type": "object", "additionalProperties": {"type": "integer", "format": "int32"}}
            },
            "required": ["id", "name", "kind"],
            "description": format!("Payload {i}.")
        });
        let mut contract = json!({
            "channel": format!("ns{}:op{i}", i % 50),
            "kind": kind_name,
            "namespace": format!("ns{}", i % 50),
            "method": format!("op{i}"),
            "rustPath": format!("bench::Op{i}"),
            "docs": format!("Operation {i}."),
            "payload": {"$ref": format!("#/$defs/Payload{i}")},
            "source": {"file": "src/lib.rs", "line": i + 1, "column": 1}
        });
        if kind_name == "event" {
            output.insert(format!("Payload{i}"), body);
        } else {
            input.insert(format!("Payload{i}"), body);
        }
        if kind_name == "invoke" {
            output.insert(
                format!("Reply{i}"),
                json!({"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/$defs/Shared"}},
                    "total": {"type": "integer", "format": "uint32", "minimum": 0}
                }, "required": ["items", "total"]}),
            );
            contract["response"] = json!({"$ref": format!("#/$defs/Reply{i}")});
            contract["error"] = json!({
                "rustPath": format!("bench::Error{}", i % 20),
                "schema": {"$ref": format!("#/$defs/Error{}", i % 20)},
                "codes": [
                    {"code": "NOT_FOUND", "statusCode": 404, "docs": "Missing."},
                    {"code": "CONFLICT", "statusCode": 409},
                    {"code": "BUSY"}
                ]
            });
        }
        contracts.push(contract);
    }
    contracts.sort_by(|a, b| a["channel"].as_str().cmp(&b["channel"].as_str()));
    json!({
        "manifestVersion": 1,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "contracts": contracts,
        "inputDefinitions": input,
        "outputDefinitions": output
    })
}

fn bench(c: &mut Criterion) {
    let json = serde_json::to_string(&synthetic_manifest(CONTRACTS)).expect("serializes");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ipc-codegen-bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("manifest-1000.json"), &json);
    }
    let options = Options {
        targets: [Target::Electron].into_iter().collect(),
        ..Options::default()
    };
    c.bench_function("parse and generate 1000 contracts", |b| {
        b.iter(|| {
            let manifest: Manifest = serde_json::from_str(black_box(&json)).expect("manifest");
            let files = generate(&manifest, &options).expect("generates");
            black_box(files)
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
