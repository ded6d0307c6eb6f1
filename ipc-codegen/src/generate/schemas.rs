//! `schemas.json`: per channel, its kind, namespace, method and the
//! self-contained root schemas of payload, response and error.

use ipc_meta::Manifest;
use serde_json::{Map, Value, json};

use super::GENERATED_MARKER;

/// The contents of `schemas.json`.
pub(super) fn render(manifest: &Manifest) -> String {
    let mut contracts = Map::new();
    for contract in &manifest.contracts {
        let mut entry = Map::new();
        entry.insert("kind".to_owned(), json!(contract.kind.as_str()));
        entry.insert("namespace".to_owned(), json!(contract.namespace));
        entry.insert("method".to_owned(), json!(contract.method));
        entry.insert("payload".to_owned(), manifest.payload_root_schema(contract));
        if let Some(response) = manifest.response_root_schema(contract) {
            entry.insert("response".to_owned(), response);
        }
        if let Some(error) = manifest.error_root_schema(contract) {
            entry.insert("error".to_owned(), error);
        }
        contracts.insert(contract.channel.clone(), Value::Object(entry));
    }
    let document = json!({
        "$comment": format!("{GENERATED_MARKER}. Do not edit: regenerate with `ipc-codegen generate`."),
        "manifestVersion": manifest.manifest_version,
        "jsonSchemaDialect": manifest.json_schema_dialect,
        "contracts": contracts,
    });
    // Serializing a `Value` cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
