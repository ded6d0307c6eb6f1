//! JSON Schema generation: draft 2020-12, one generator per direction, and
//! the 64-bit integer policy.
//!
//! serde may read and write a field differently (`default` makes it optional
//! on input, `skip_serializing_if` on output), so payloads the renderer sends
//! are described by serde's deserialize view ("input") and payloads main
//! sends by its serialize view ("output").
//!
//! 64-bit policy: integers travel as JSON numbers and must be *safe integers*
//! (|n| <= 2^53 - 1), the range a JavaScript `number` holds exactly. Every
//! `int64`/`uint64`/`int128`/`uint128`/`int`/`uint` schema gets `minimum` and
//! `maximum` clamped to that range, so 2^53 + 1 is rejected on the way in by
//! validation and on the way out by the runtime's outbound check.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

pub use ipc_meta::Direction;
pub use ipc_meta::protocol::MAX_SAFE_INTEGER;
pub use ipc_meta::schema::{
    DIALECT, WIDE_INTEGER_FORMATS, reachable_definitions, references, root_schema,
};

/// A generator for one direction.
pub fn generator(direction: Direction) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12();
    let settings = match direction {
        Direction::Input => settings.for_deserialize(),
        Direction::Output => settings.for_serialize(),
    };
    settings.into_generator()
}

/// The schema of `T` in `generator`, with the 64-bit policy applied.
pub fn subschema_for<T: ?Sized + JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    let mut schema: Value = generator.subschema_for::<T>().to_value();
    apply_safe_integer_policy(&mut schema);
    schema
}

/// Takes the generator's `$defs`, sorted by name, with the policy applied.
pub fn take_definitions(generator: &mut SchemaGenerator) -> Map<String, Value> {
    let mut definitions: Vec<(String, Value)> =
        generator.take_definitions(true).into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    definitions
        .into_iter()
        .map(|(name, mut schema)| {
            apply_safe_integer_policy(&mut schema);
            (name, schema)
        })
        .collect()
}

/// Clamps every wide integer schema inside `schema` to the safe range.
pub fn apply_safe_integer_policy(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let is_wide_integer = object
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|format| WIDE_INTEGER_FORMATS.contains(&format))
                && types_of(object).iter().any(|t| t == "integer");
            if is_wide_integer {
                clamp(object, "minimum", -MAX_SAFE_INTEGER, i64::max);
                clamp(object, "maximum", MAX_SAFE_INTEGER, i64::min);
            }
            for value in object.values_mut() {
                apply_safe_integer_policy(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(apply_safe_integer_policy),
        _ => {}
    }
}

fn types_of(object: &Map<String, Value>) -> Vec<String> {
    match object.get("type") {
        Some(Value::String(single)) => vec![single.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn clamp(object: &mut Map<String, Value>, key: &str, bound: i64, pick: fn(i64, i64) -> i64) {
    let current = object.get(key).and_then(|value| {
        value
            .as_i64()
            .or_else(|| value.as_u64().map(|_| i64::MAX))
            .or_else(|| value.as_f64().map(|f| f as i64))
    });
    let clamped = current.map_or(bound, |current| pick(current, bound));
    object.insert(key.to_owned(), Value::from(clamped));
}

/// Converts a schema value back into a [`Schema`].
pub fn to_schema(value: Value) -> Option<Schema> {
    Schema::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wide_integers_are_clamped_to_the_safe_range() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": "integer", "format": "uint64", "minimum": 0},
                "b": {"type": ["integer", "null"], "format": "int64"},
                "c": {"type": "integer", "format": "uint32", "minimum": 0, "maximum": 4294967295_u64},
                "d": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": 10}
            }
        });
        apply_safe_integer_policy(&mut schema);
        assert_eq!(
            schema["properties"]["a"],
            json!({"type": "integer", "format": "uint64", "minimum": 0, "maximum": MAX_SAFE_INTEGER})
        );
        assert_eq!(
            schema["properties"]["b"]["minimum"],
            json!(-MAX_SAFE_INTEGER)
        );
        assert_eq!(
            schema["properties"]["b"]["maximum"],
            json!(MAX_SAFE_INTEGER)
        );
        assert_eq!(schema["properties"]["c"]["maximum"], json!(4294967295_u64));
        assert_eq!(schema["properties"]["d"]["maximum"], json!(10));
    }
}
