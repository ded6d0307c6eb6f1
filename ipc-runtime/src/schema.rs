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
//!
//! Two forms schemars (1.2) loses before any transform sees the schema are
//! marked on the type itself by [`SerdeTag`] and [`UnitEnumKeys`], which
//! the contract macros add to the types they see (ADR 0052):
//!
//! - a struct with `#[serde(tag = "..")]`: serde writes the tag, schemars
//!   leaves it out; the output schema requires it as a `const`, the input
//!   schema lists it as what serde makes of it, an ignored key;
//! - a unit enum whose variants have docs: schemars describes it as a
//!   `oneOf` of `const`s, which its map implementation does not read, so a
//!   map keyed by it became open; the enum also says `type: string` and
//!   `enum` while the map's schema is built, and the policy takes them out
//!   of the enum's own definition again.

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

/// The mark [`SerdeTag`] leaves for [`WirePolicy`]: the tag's key and value.
const TAG_MARK: &str = "x-ipc-serde-tag";
/// The mark [`UnitEnumKeys`] leaves next to the `type` and `enum` it adds.
const UNIT_ENUM_MARK: &str = "x-ipc-unit-enum";

/// A transform for a struct with `#[serde(tag = "..")]`, which serde
/// writes as a first key `tag: name` and reads as any other unknown key;
/// schemars does not describe it. Put on the struct as
/// `#[schemars(transform = ipc_runtime::schema::SerdeTag { tag: "type", name: "Tagged" })]`
/// (the contract macros add it to the types they see), it marks the schema,
/// and [`WirePolicy`] writes the tag for each direction:
///
/// - output: a required property `{"type": "string", "const": name}`, first;
/// - input: an optional property that accepts anything, as serde ignores
///   the key, unless the struct refuses unknown keys
///   (`deny_unknown_fields`, where serde refuses the tag too) or collects
///   them (a flattened map, where serde puts the tag in the map).
///
/// A struct with a field of the tag's name is left as schemars gives it.
#[derive(Debug, Clone, Copy)]
pub struct SerdeTag {
    /// The key, `tag` of `#[serde(tag = "..")]`.
    pub tag: &'static str,
    /// The value: the struct's serialized name.
    pub name: &'static str,
}

impl Transform for SerdeTag {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            let mut mark = Map::new();
            mark.insert("tag".to_owned(), Value::from(self.tag));
            mark.insert("name".to_owned(), Value::from(self.name));
            object.insert(TAG_MARK.to_owned(), Value::Object(mark));
        }
    }
}

/// A transform for a unit enum, so that a map keyed by it keeps its keys.
///
/// schemars describes a unit enum whose variants carry docs (or other
/// attributes) as a `oneOf` of string `const`s, and its map
/// implementation reads only `enum` key schemas: the map came out open
/// (`additionalProperties`), where the same enum without the docs gives
/// one property per variant. This adds the `type: string` and the `enum`
/// of every variant next to the `oneOf` while the type's schema is built,
/// so that the map reads the keys; [`WirePolicy`] removes them from the
/// enum's own schema, where the `oneOf` already says it with each
/// variant's docs. Any other schema is left alone. The contract macros add
/// it to every enum they see; elsewhere write
/// `#[schemars(transform = ipc_runtime::schema::UnitEnumKeys)]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitEnumKeys;

impl Transform for UnitEnumKeys {
    fn transform(&mut self, schema: &mut Schema) {
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        if object.contains_key("type") || object.contains_key("enum") {
            return;
        }
        let Some(names) = unit_variant_names(object) else {
            return;
        };
        object.insert("type".to_owned(), Value::from("string"));
        object.insert("enum".to_owned(), Value::Array(names));
        object.insert(UNIT_ENUM_MARK.to_owned(), Value::Bool(true));
    }
}

/// The names of a `oneOf` whose every option is a string `const` or a
/// string `enum`: the schema of a unit-only, externally tagged enum.
fn unit_variant_names(object: &Map<String, Value>) -> Option<Vec<Value>> {
    let options = object.get("oneOf")?.as_array()?;
    let mut names = Vec::new();
    for option in options {
        let option = option.as_object()?;
        if option.get("type").and_then(Value::as_str) != Some("string") {
            return None;
        }
        match (option.get("const"), option.get("enum")) {
            (Some(Value::String(name)), None) => names.push(Value::from(name.as_str())),
            (None, Some(Value::Array(values))) if values.iter().all(Value::is_string) => {
                names.extend(values.iter().cloned());
            }
            _ => return None,
        }
    }
    (!names.is_empty()).then_some(names)
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
        if object.remove(UNIT_ENUM_MARK).is_some() {
            object.remove("type");
            object.remove("enum");
        }
        if let Some(Value::Object(mark)) = object.remove(TAG_MARK)
            && let (Some(Value::String(tag)), Some(Value::String(name))) =
                (mark.get("tag"), mark.get("name"))
        {
            self.serde_tag(object, tag, name);
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

impl WirePolicy {
    /// Describes the tag serde writes on a struct (see [`SerdeTag`]).
    fn serde_tag(&self, object: &mut Map<String, Value>, tag: &str, name: &str) {
        let taken = object
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|properties| properties.contains_key(tag));
        if taken {
            return;
        }
        let property = match self.direction {
            Direction::Output => {
                let mut property = Map::new();
                property.insert("type".to_owned(), Value::from("string"));
                property.insert("const".to_owned(), Value::from(name));
                property
            }
            Direction::Input => {
                // serde reads the tag as an unknown key: refused with
                // `deny_unknown_fields`, kept by a flattened map, else
                // ignored whatever its value.
                if object.contains_key("additionalProperties")
                    || object.contains_key("unevaluatedProperties")
                {
                    return;
                }
                let mut property = Map::new();
                property.insert(
                    "description".to_owned(),
                    Value::from(format!(
                        "The tag main writes (`\"{name}\"`); ignored when read."
                    )),
                );
                property
            }
        };
        // First, where serde writes it; the other keys keep their order.
        let properties = object
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(properties) = properties {
            let rest = std::mem::take(properties);
            properties.insert(tag.to_owned(), Value::Object(property));
            properties.extend(rest);
        }
        if self.direction == Direction::Output {
            let required = object
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(required) = required {
                required.insert(0, Value::from(tag));
            }
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

    // A struct's serde tag, described per direction from the mark.
    #[derive(JsonSchema)]
    #[schemars(transform = SerdeTag { tag: "t", name: "Named" })]
    #[allow(dead_code)]
    struct Marked {
        a: u8,
    }

    /// The tag is left out where unknown keys are refused or collected.
    #[derive(JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(transform = SerdeTag { tag: "t", name: "Closed" })]
    #[allow(dead_code)]
    struct Closed {
        a: u8,
    }

    #[test]
    fn a_serde_tag_is_required_on_output_and_ignored_on_input() {
        let output = definition::<Marked>(Direction::Output);
        assert_eq!(
            output,
            json!({
                "type": "object",
                "properties": {
                    "t": {"type": "string", "const": "Named"},
                    "a": {"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255}
                },
                "required": ["t", "a"]
            })
        );
        let input = definition::<Marked>(Direction::Input);
        assert_eq!(input["required"], json!(["a"]));
        assert_eq!(
            input["properties"]["t"]
                .as_object()
                .map(|t| t.keys().collect::<Vec<_>>()),
            Some(vec![&"description".to_owned()])
        );
        assert!(input.get(TAG_MARK).is_none());
        let closed = definition::<Closed>(Direction::Input);
        assert_eq!(closed["properties"].get("t"), None);
        let closed = definition::<Closed>(Direction::Output);
        assert_eq!(closed["required"], json!(["t", "a"]));
    }

    #[derive(JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
    #[schemars(transform = UnitEnumKeys)]
    #[serde(rename_all = "lowercase")]
    #[allow(dead_code)]
    enum Level {
        /// Low.
        Low,
        High,
    }

    #[derive(JsonSchema)]
    #[schemars(transform = UnitEnumKeys)]
    #[allow(dead_code)]
    enum NotUnit {
        /// A unit.
        A,
        B(u8),
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Keyed {
        by_level: std::collections::BTreeMap<Level, u8>,
        level: Level,
        other: NotUnit,
    }

    #[test]
    fn a_documented_unit_enum_keeps_its_keys_and_its_docs() {
        for direction in [Direction::Input, Direction::Output] {
            let mut generator = generator(direction);
            subschema_for::<Keyed>(&mut generator);
            let definitions = take_definitions(&mut generator);
            let map = &definitions["Keyed"]["properties"]["by_level"];
            assert_eq!(map["additionalProperties"], json!(false));
            assert_eq!(
                map["properties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect::<Vec<_>>()),
                Some(vec!["high".to_owned(), "low".to_owned()])
            );
            let level = &definitions["Level"];
            assert_eq!(level.get("enum"), None, "{level}");
            assert_eq!(level.get("type"), None, "{level}");
            assert_eq!(level.get(UNIT_ENUM_MARK), None, "{level}");
            assert_eq!(level["oneOf"][1]["description"], json!("Low."));
            let other = &definitions["NotUnit"];
            assert_eq!(other.get("enum"), None, "{other}");
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
