//! JSON Schema generation: draft 2020-12, one generator per direction, and
//! the 64-bit integer policy.
//!
//! serde may read and write a field differently (`default` makes it optional
//! on input, `skip_serializing_if` on output), so payloads the renderer sends
//! are described by serde's deserialize view ("input") and payloads main
//! sends by its serialize view ("output").
//!
//! The schemas are schemars' output with [`WirePolicy`] applied, a
//! transform that makes them say what serde and the runtime really accept:
//!
//! - 64-bit policy: integers travel as JSON numbers and must be *safe
//!   integers* (|n| <= 2^53 - 1), the range a JavaScript `number` holds
//!   exactly. Every `int64`/`uint64`/`int128`/`uint128`/`int`/`uint`
//!   schema gets `minimum` and `maximum` within that range (a bound the
//!   type already has is kept when it is tighter), so 2^53 + 1 is rejected
//!   on the way in by validation and on the way out by the runtime's
//!   outbound check.
//! - The narrower integers get the bounds of their Rust type (schemars
//!   gives `i32` none), and `f32` the range serde reads as a finite `f32`.
//! - Integer map keys must be written as serde reads them: canonical
//!   decimals, no leading zeros, no `+`.
//! - Input: sets accept duplicate elements (serde de-duplicates them).
//! - Output: a property main may leave out (`skip_serializing_if`) is never
//!   `null` when present, since main skips a `None` rather than writing it.

use std::cmp::Ordering;

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

pub use ipc_meta::Direction;
pub use ipc_meta::protocol::MAX_SAFE_INTEGER;
pub use ipc_meta::schema::{
    DIALECT, WIDE_INTEGER_FORMATS, reachable_definitions, references, root_schema,
};

/// The range of each narrower integer format, as its Rust type has it.
const NARROW_INTEGER_RANGES: &[(&str, i64, i64)] = &[
    ("int8", i8::MIN as i64, i8::MAX as i64),
    ("int16", i16::MIN as i64, i16::MAX as i64),
    ("int32", i32::MIN as i64, i32::MAX as i64),
    ("uint8", 0, u8::MAX as i64),
    ("uint16", 0, u16::MAX as i64),
    ("uint32", 0, u32::MAX as i64),
];

/// The least number serde_json refuses for an `f32`: `f32::MAX` plus half
/// a unit in the last place, where rounding to `f32` overflows.
pub const F32_OVERFLOW: f64 = 3.402_823_567_797_336_6e38;

/// A generator for one direction, with [`WirePolicy`] applied to every
/// definition it takes.
pub fn generator(direction: Direction) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12();
    let settings = match direction {
        Direction::Input => settings.for_deserialize(),
        Direction::Output => settings.for_serialize(),
    };
    settings
        .with_transform(WirePolicy { direction })
        .into_generator()
}

/// The schema of `T` in `generator`, with the policy applied.
pub fn subschema_for<T: ?Sized + JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    let schema = generator.subschema_for::<T>();
    with_policy(generator, schema)
}

/// `schema`, just taken from `generator`, with the policy of the
/// generator's direction applied; not generic, so that it is compiled once.
pub(crate) fn with_policy(generator: &SchemaGenerator, mut schema: Schema) -> Value {
    let direction = if matches!(
        generator.settings().contract,
        schemars::generate::Contract::Serialize
    ) {
        Direction::Output
    } else {
        Direction::Input
    };
    WirePolicy { direction }.transform(&mut schema);
    schema.to_value()
}

/// Takes the generator's `$defs`, sorted by name, with the policy applied.
pub fn take_definitions(generator: &mut SchemaGenerator) -> Map<String, Value> {
    let mut definitions: Vec<(String, Value)> =
        generator.take_definitions(true).into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    definitions.into_iter().collect()
}

/// The schemars transform that makes a schema exact to serde and to the
/// runtime's integer policy (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct WirePolicy {
    pub direction: Direction,
}

impl Transform for WirePolicy {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            self.apply(object);
        }
        transform_subschemas(self, schema);
    }
}

impl WirePolicy {
    fn apply(&self, object: &mut Map<String, Value>) {
        let format = object
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let types = types_of(object);
        if let Some(format) = &format {
            if types.iter().any(|t| t == "integer") {
                let range = if WIDE_INTEGER_FORMATS.contains(&format.as_str()) {
                    Some((-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER))
                } else {
                    NARROW_INTEGER_RANGES
                        .iter()
                        .find(|(name, _, _)| name == format)
                        .map(|&(_, low, high)| (low, high))
                };
                if let Some((low, high)) = range {
                    tighten(object, "minimum", Value::from(low), Ordering::Greater);
                    tighten(object, "maximum", Value::from(high), Ordering::Less);
                }
            }
            if format == "float" && types.iter().any(|t| t == "number") {
                tighten(
                    object,
                    "exclusiveMinimum",
                    Value::from(-F32_OVERFLOW),
                    Ordering::Greater,
                );
                tighten(
                    object,
                    "exclusiveMaximum",
                    Value::from(F32_OVERFLOW),
                    Ordering::Less,
                );
            }
        }
        if let Some(Value::Object(patterns)) = object.get_mut("patternProperties") {
            canonical_integer_keys(patterns);
        }
        match self.direction {
            Direction::Input => {
                if object.get("uniqueItems") == Some(&Value::Bool(true)) {
                    object.remove("uniqueItems");
                }
            }
            Direction::Output => never_null_when_optional(object),
        }
    }
}

/// Sets `object[key]` to `bound` unless it already holds a number on the
/// `keep` side of it: a bound can only get tighter.
fn tighten(object: &mut Map<String, Value>, key: &str, bound: Value, keep: Ordering) {
    let current = object.get(key).and_then(Value::as_number);
    let bound_number = bound.as_number().map(compare_key);
    let tighter = match (current.map(compare_key), bound_number) {
        (Some(current), Some(bound)) => current.partial_cmp(&bound) == Some(keep),
        _ => false,
    };
    if !tighter {
        object.insert(key.to_owned(), bound);
    }
}

/// A number as an exact integer when it is one, else as a float.
fn compare_key(number: &serde_json::Number) -> NumberKey {
    match (number.as_i64(), number.as_u64()) {
        (Some(n), _) => NumberKey::Integer(i128::from(n)),
        (None, Some(n)) => NumberKey::Integer(i128::from(n)),
        _ => NumberKey::Float(number.as_f64().unwrap_or(f64::NAN)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberKey {
    Integer(i128),
    Float(f64),
}

impl PartialOrd for NumberKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (*self, *other) {
            (NumberKey::Integer(a), NumberKey::Integer(b)) => Some(a.cmp(&b)),
            // Only the policy's own bounds are compared, all within ±2^128,
            // where an i128 converts to the nearest f64 and ties are rare
            // enough to keep the policy's bound, the tighter one.
            (NumberKey::Integer(a), NumberKey::Float(b)) => (a as f64).partial_cmp(&b),
            (NumberKey::Float(a), NumberKey::Integer(b)) => a.partial_cmp(&(b as f64)),
            (NumberKey::Float(a), NumberKey::Float(b)) => a.partial_cmp(&b),
        }
    }
}

/// schemars' integer-key patterns accept `01` and `+1`-like spellings
/// that serde refuses; these accept only what serde reads.
fn canonical_integer_keys(patterns: &mut Map<String, Value>) {
    for (loose, exact) in [
        (r"^\d+$", UNSIGNED_KEY_PATTERN),
        (r"^-?\d+$", SIGNED_KEY_PATTERN),
    ] {
        if let Some(schema) = patterns.remove(loose) {
            patterns.insert(exact.to_owned(), schema);
        }
    }
}

/// A canonical unsigned decimal, as serde reads an unsigned integer key.
pub const UNSIGNED_KEY_PATTERN: &str = "^(0|[1-9][0-9]*)$";
/// A canonical signed decimal, as serde reads a signed integer key.
pub const SIGNED_KEY_PATTERN: &str = "^(0|-?[1-9][0-9]*)$";

/// In the output direction, a property that is not required is one main
/// may skip (`skip_serializing_if`); when it is written, it is not null.
fn never_null_when_optional(object: &mut Map<String, Value>) {
    let required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = object.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let Value::Object(property) = property else {
            continue;
        };
        if let Some(Value::Array(types)) = property.get_mut("type")
            && types.len() > 1
            && types.iter().any(|t| t == "null")
        {
            types.retain(|t| t != "null");
            if let [single] = types.as_slice() {
                let single = single.clone();
                property.insert("type".to_owned(), single);
            }
            continue;
        }
        let inner = match property
            .get("anyOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([a, b]) if is_null_schema(b) => a.clone(),
            Some([a, b]) if is_null_schema(a) => b.clone(),
            _ => continue,
        };
        property.remove("anyOf");
        if let Value::Object(mut merged) = inner {
            // The inner schema first (`$ref`, then the annotations).
            for (key, value) in std::mem::take(property) {
                merged.entry(key).or_insert(value);
            }
            *property = merged;
        }
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(|object| object.len() == 1 && object.get("type") == Some(&Value::from("null")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(direction: Direction, mut schema: Value) -> Value {
        let mut schema = Schema::try_from(std::mem::take(&mut schema)).expect("a schema");
        WirePolicy { direction }.transform(&mut schema);
        schema.to_value()
    }

    #[test]
    fn wide_integers_are_clamped_to_the_safe_range() {
        let schema = apply(
            Direction::Input,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "format": "uint64", "minimum": 0},
                    "b": {"type": ["integer", "null"], "format": "int64"},
                    "c": {"type": "integer", "format": "uint32", "minimum": 0, "maximum": 4294967295_u64},
                    "d": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": 10},
                    "e": {"type": "integer", "format": "uint64", "maximum": 1e300}
                }
            }),
        );
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
        assert_eq!(
            schema["properties"]["e"]["maximum"],
            json!(MAX_SAFE_INTEGER)
        );
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Bounded {
        #[schemars(range(min = 0.5))]
        half: u64,
        #[schemars(range(min = -2.5, max = 1e20))]
        signed: i64,
        #[schemars(range(max = 7.5))]
        small: u8,
        #[schemars(range(min = 1, max = 2))]
        f: f32,
        wide_open: i32,
        tiny: i8,
    }

    fn definition<T: JsonSchema>(direction: Direction) -> Value {
        let mut generator = generator(direction);
        let schema = subschema_for::<T>(&mut generator);
        let definitions = take_definitions(&mut generator);
        match schema::references(&schema).into_iter().next() {
            Some(name) => definitions[&name].clone(),
            None => schema,
        }
    }

    use crate::schema;

    /// The clamp keeps a tighter bound of the type's own, fractional ones
    /// included: `min = 0.5` on a `u64` stays 0.5, so 0 is refused.
    #[test]
    fn bounds_only_get_tighter() {
        let properties = &definition::<Bounded>(Direction::Input)["properties"];
        assert_eq!(properties["half"]["minimum"], json!(0.5));
        assert_eq!(properties["half"]["maximum"], json!(MAX_SAFE_INTEGER));
        assert_eq!(properties["signed"]["minimum"], json!(-2.5));
        assert_eq!(properties["signed"]["maximum"], json!(MAX_SAFE_INTEGER));
        assert_eq!(properties["small"]["minimum"], json!(0));
        assert_eq!(properties["small"]["maximum"], json!(7.5));
        assert_eq!(properties["f"]["minimum"], json!(1));
        assert_eq!(properties["f"]["exclusiveMaximum"], json!(F32_OVERFLOW));
        assert_eq!(properties["wide_open"]["minimum"], json!(i32::MIN));
        assert_eq!(properties["wide_open"]["maximum"], json!(i32::MAX));
        assert_eq!(properties["tiny"]["minimum"], json!(-128));
        assert_eq!(properties["tiny"]["maximum"], json!(127));
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Directions {
        set: std::collections::BTreeSet<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped_struct: Option<Inner>,
        always: Option<u8>,
        by_id: std::collections::BTreeMap<u32, u8>,
        by_offset: std::collections::BTreeMap<i16, u8>,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        a: u8,
    }

    #[test]
    fn each_direction_says_what_serde_does() {
        let input = definition::<Directions>(Direction::Input);
        let output = definition::<Directions>(Direction::Output);
        // serde reads a set with duplicates and writes none.
        assert_eq!(input["properties"]["set"].get("uniqueItems"), None);
        assert_eq!(output["properties"]["set"]["uniqueItems"], json!(true));
        // A skipped `None` is absent, never null; a field that is always
        // written may be null.
        assert_eq!(output["properties"]["skipped"]["type"], json!("integer"));
        assert_eq!(
            output["properties"]["skipped_struct"],
            json!({"$ref": "#/$defs/Inner"})
        );
        assert_eq!(
            output["properties"]["always"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(
            input["properties"]["skipped"]["type"],
            json!(["integer", "null"])
        );
        for direction in [&input, &output] {
            assert_eq!(
                direction["properties"]["by_id"]["patternProperties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect::<Vec<_>>()),
                Some(vec![UNSIGNED_KEY_PATTERN.to_owned()])
            );
            assert_eq!(
                direction["properties"]["by_offset"]["patternProperties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect::<Vec<_>>()),
                Some(vec![SIGNED_KEY_PATTERN.to_owned()])
            );
        }
    }

    /// The key patterns accept exactly the spellings serde_json reads as
    /// an integer key.
    #[test]
    fn integer_key_patterns_follow_serde() {
        let unsigned = regex_lite(UNSIGNED_KEY_PATTERN);
        let signed = regex_lite(SIGNED_KEY_PATTERN);
        for key in [
            "0", "1", "10", "-1", "-0", "01", "+1", " 1", "1 ", "1.0", "1e2", "", "-",
        ] {
            let serde_unsigned = serde_json::from_str::<std::collections::BTreeMap<u64, u8>>(
                &format!("{{\"{key}\":1}}"),
            )
            .is_ok();
            let serde_signed = serde_json::from_str::<std::collections::BTreeMap<i64, u8>>(
                &format!("{{\"{key}\":1}}"),
            )
            .is_ok();
            assert_eq!(unsigned(key), serde_unsigned, "unsigned {key:?}");
            assert_eq!(signed(key), serde_signed, "signed {key:?}");
        }
    }

    fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
        let validator =
            crate::validation::compile_schema(&json!({"type": "string", "pattern": pattern}))
                .expect("pattern compiles");
        move |text| validator.is_valid(&json!(text))
    }
}
