//! The code generator's schema-to-TypeScript mapper, through
//! `ipc_codegen::generate::generate`: any JSON value as a contract's payload
//! and response schema (its `$defs` as the manifest's definitions) is
//! either generated or refused with problems, never a panic, and the same
//! manifest always generates the same files.

#![no_main]

use ipc_codegen::generate::{Options, generate};
use ipc_runtime::Manifest;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fn manifest(schema: Value) -> Option<Manifest> {
    let definitions = schema
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(Map::new);
    serde_json::from_value(json!({
        "manifestVersion": 1,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "contracts": [{
            "channel": "fuzz:target",
            "kind": "invoke",
            "namespace": "fuzz",
            "method": "target",
            "rustPath": "fuzz::Target",
            "payload": schema,
            "response": schema,
            "source": {"file": "fuzz.rs", "line": 1, "column": 1}
        }],
        "inputDefinitions": definitions,
        "outputDefinitions": definitions,
    }))
    .ok()
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(schema) = serde_json::from_slice::<Value>(bytes) else {
        return;
    };
    let Some(manifest) = manifest(schema) else {
        return;
    };
    let options = Options::default();
    let first = generate(&manifest, &options);
    let second = generate(&manifest, &options);
    assert_eq!(first, second, "generation is deterministic");
    match first {
        Ok(files) => {
            for file in files {
                assert!(file.contents.contains("@generated"), "{}", file.path);
                assert!(!file.contents.contains("new Function"), "{}", file.path);
            }
        }
        Err(error) => assert!(!error.problems.is_empty()),
    }
});
