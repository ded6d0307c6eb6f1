//! The JSON Schema conventions of a manifest: the dialect, the integer
//! formats wider than a JavaScript number, and the `$ref`/`$defs` helpers.
//! Generating schemas is the runtime's business; reading them is shared.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The JSON Schema dialect of every schema in a manifest.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Integer formats wider than what a JavaScript number holds exactly:
/// their values are limited to [`MAX_SAFE_INTEGER`](crate::protocol::MAX_SAFE_INTEGER).
pub const WIDE_INTEGER_FORMATS: &[&str] = &["int64", "uint64", "int128", "uint128", "int", "uint"];

/// The prefix of a reference to a definition: `#/$defs/<name>`.
const DEFS_PREFIX: &str = "#/$defs/";

/// The `$defs` name of a `{"$ref": "#/$defs/.."}` schema.
pub fn reference_key(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(DEFS_PREFIX)
}

/// The `$defs` names `schema` refers to directly (`#/$defs/<name>`).
pub fn references(schema: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![schema];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                if let Some(name) = object
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|reference| reference.strip_prefix(DEFS_PREFIX))
                {
                    found.insert(name.to_owned());
                }
                pending.extend(object.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    found
}

/// Every `$defs` name that `schema` reaches, directly or through other
/// definitions, in `definitions`.
pub fn reachable_definitions(
    schema: &Value,
    definitions: &Map<String, Value>,
) -> Map<String, Value> {
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = references(schema).into_iter().collect();
    while let Some(name) = pending.pop() {
        if let Some(definition) = definitions.get(&name)
            && !reached.contains(&name)
        {
            pending.extend(references(definition));
        }
        reached.insert(name);
    }
    reached
        .into_iter()
        .filter_map(|name| definitions.get(&name).map(|d| (name, d.clone())))
        .collect()
}

/// A self-contained root schema for `schema`, with the definitions it needs.
pub fn root_schema(schema: &Value, definitions: &Map<String, Value>) -> Value {
    let mut root = Map::new();
    root.insert("$schema".to_owned(), Value::from(DIALECT));
    match schema {
        Value::Object(object) => root.extend(object.clone()),
        Value::Bool(false) => {
            root.insert("not".to_owned(), Value::Object(Map::new()));
        }
        _ => {}
    }
    let needed = reachable_definitions(schema, definitions);
    if !needed.is_empty() {
        root.insert("$defs".to_owned(), Value::Object(needed));
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reachable_definitions_follow_refs_transitively() {
        let definitions: Map<String, Value> = serde_json::from_value(json!({
            "A": {"$ref": "#/$defs/B"},
            "B": {"type": "array", "items": {"$ref": "#/$defs/A"}},
            "C": {"type": "string"}
        }))
        .expect("valid map");
        let reached = reachable_definitions(&json!({"$ref": "#/$defs/A"}), &definitions);
        assert_eq!(reached.keys().collect::<Vec<_>>(), ["A", "B"]);
    }

    #[test]
    fn a_root_schema_carries_the_dialect_and_what_it_needs() {
        let definitions: Map<String, Value> = serde_json::from_value(json!({
            "A": {"type": "string"},
            "B": {"type": "number"}
        }))
        .expect("valid map");
        assert_eq!(
            root_schema(&json!({"$ref": "#/$defs/A"}), &definitions),
            json!({"$schema": DIALECT, "$ref": "#/$defs/A", "$defs": {"A": {"type": "string"}}})
        );
        assert_eq!(
            root_schema(&json!(false), &definitions),
            json!({"$schema": DIALECT, "not": {}})
        );
        assert_eq!(reference_key(&json!({"$ref": "#/$defs/B"})), Some("B"));
        assert_eq!(reference_key(&json!({"$ref": "other.json"})), None);
    }
}
