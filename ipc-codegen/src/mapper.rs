//! JSON Schema (as schemars emits it for serde types) to TypeScript types.
//!
//! The mapping is exact to serde's wire form where TypeScript can say it:
//! `properties`/`required` become `?:` properties, `type: [.., "null"]` and
//! `anyOf [.., {type: null}]` become `| null`, `oneOf`/`anyOf` unions,
//! `allOf` and `$ref` siblings intersections, `const`/`enum` literal types,
//! `prefixItems` tuples, `additionalProperties` index signatures and
//! `propertyNames` over unit enums mapped types. Value constraints (ranges,
//! lengths, patterns) are not types; they are checked by the main side's
//! validation and, for integers, documented in TSDoc. Whatever cannot be
//! expressed exactly becomes `unknown`, with a note in the nearest TSDoc.

use ipc_meta::Direction;
use ipc_meta::protocol::MAX_SAFE_INTEGER;
use ipc_meta::schema::{WIDE_INTEGER_FORMATS, reference_key};
use serde_json::{Map, Value};

use crate::names::TypeNames;
use crate::ts::{ElementKind, Property, TsObject, TsType, TupleElement, UnionMember};

/// Keywords whose meaning TypeScript cannot express.
const INEXPRESSIBLE: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "$dynamicRef",
    "$recursiveRef",
];

/// The longest fixed-length array written as a tuple; longer ones stay
/// `T[]`, since a tuple of hundreds of elements helps no one.
const MAX_FIXED_TUPLE: u64 = 32;

/// Maps schemas of one direction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mapper<'a> {
    names: &'a TypeNames,
    definitions: &'a Map<String, Value>,
    direction: Direction,
    /// Written before every type name, such as `types.`.
    qualifier: &'a str,
}

impl<'a> Mapper<'a> {
    pub(crate) fn new(
        names: &'a TypeNames,
        definitions: &'a Map<String, Value>,
        direction: Direction,
        qualifier: &'a str,
    ) -> Self {
        Mapper {
            names,
            definitions,
            direction,
            qualifier,
        }
    }

    /// The type of `schema`; notes on what could not be expressed are
    /// added to `notes`.
    pub(crate) fn map(&self, schema: &Value, notes: &mut Vec<String>) -> TsType {
        self.map_in(schema, false, notes)
    }

    /// The definition `schema` resolves to through `$ref`, if any.
    pub(crate) fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut current = schema;
        for _ in 0..16 {
            match reference_key(current).and_then(|key| self.definitions.get(key)) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    fn map_in(&self, schema: &Value, object_context: bool, notes: &mut Vec<String>) -> TsType {
        let object = match schema {
            Value::Bool(true) => return TsType::UNKNOWN,
            Value::Bool(false) => return TsType::Keyword("never"),
            Value::Object(object) => object,
            _ => {
                notes.push("`unknown`: the schema is not a JSON Schema object.".to_owned());
                return TsType::UNKNOWN;
            }
        };
        if let Some(keyword) = INEXPRESSIBLE.iter().find(|k| object.contains_key(**k)) {
            notes.push(format!(
                "`unknown`: the schema uses `{keyword}`, which TypeScript cannot express."
            ));
            return TsType::UNKNOWN;
        }
        for keyword in ["unevaluatedProperties", "unevaluatedItems"] {
            if object.get(keyword).is_some_and(Value::is_object) {
                notes.push(format!(
                    "`unknown`: the schema uses `{keyword}` with a schema, which TypeScript cannot express."
                ));
                return TsType::UNKNOWN;
            }
        }

        let mut parts: Vec<TsType> = Vec::new();
        if let Some(reference) = object.get("$ref") {
            match self.reference(reference) {
                Some(named) => parts.push(named),
                None => {
                    notes.push(format!(
                        "`unknown`: the reference {reference} does not resolve to a definition."
                    ));
                    return TsType::UNKNOWN;
                }
            }
        }

        let types = types_of(object);
        let composed = ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| object.contains_key(*k));
        let has_object_keywords = [
            "properties",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
            "required",
        ]
        .iter()
        .any(|k| object.contains_key(*k));
        let only_object = types.as_deref() == Some(&["object".to_owned()][..]);

        if let Some(value) = object.get("const") {
            parts.push(literal(value));
        } else if let Some(values) = object.get("enum") {
            match values {
                Value::Array(values) => parts.push(TsType::union(
                    values
                        .iter()
                        .map(|value| UnionMember {
                            ty: literal(value),
                            doc: Vec::new(),
                        })
                        .collect(),
                )),
                _ => {
                    notes.push("`unknown`: `enum` is not an array.".to_owned());
                    return TsType::UNKNOWN;
                }
            }
        } else if let Some(types) = &types {
            // A bare `type: object` next to `oneOf`/`anyOf`/`allOf` adds
            // nothing the composed object types do not say.
            if !(only_object && composed && !has_object_keywords) {
                let mut members = Vec::with_capacity(types.len());
                for name in types {
                    let ty = match name.as_str() {
                        "string" if crate::wide::wide_format(object).is_some() => {
                            TsType::Keyword("bigint")
                        }
                        "string" => TsType::Keyword("string"),
                        "number" | "integer" => TsType::Keyword("number"),
                        "boolean" => TsType::Keyword("boolean"),
                        "null" => TsType::Keyword("null"),
                        "array" => self.array(object, notes),
                        "object" => self.object(object, notes),
                        other => {
                            notes.push(format!("`unknown`: `{other}` is not a JSON Schema type."));
                            return TsType::UNKNOWN;
                        }
                    };
                    members.push(UnionMember {
                        ty,
                        doc: Vec::new(),
                    });
                }
                parts.push(TsType::union(members));
            }
        } else if has_object_keywords {
            if object_context {
                parts.push(self.object(object, notes));
            } else {
                notes.push(
                    "`unknown`: object keywords without `type: object` also accept non-objects."
                        .to_owned(),
                );
                return TsType::UNKNOWN;
            }
        }

        let branch_context = object_context || only_object;
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = object.get(keyword) {
                let Value::Array(branches) = branches else {
                    notes.push(format!("`unknown`: `{keyword}` is not an array."));
                    return TsType::UNKNOWN;
                };
                let members = branches
                    .iter()
                    .map(|branch| {
                        let mut branch_notes = Vec::new();
                        let ty = self.map_in(branch, branch_context, &mut branch_notes);
                        let mut doc = description(branch);
                        doc.extend(branch_notes);
                        UnionMember { ty, doc }
                    })
                    .collect();
                parts.push(TsType::union(members));
            }
        }
        if let Some(all) = object.get("allOf") {
            let Value::Array(all) = all else {
                notes.push("`unknown`: `allOf` is not an array.".to_owned());
                return TsType::UNKNOWN;
            };
            for part in all {
                parts.push(self.map_in(part, branch_context, notes));
            }
        }
        TsType::intersection(parts)
    }

    fn reference(&self, reference: &Value) -> Option<TsType> {
        let key = reference.as_str()?.strip_prefix("#/$defs/")?;
        if !self.definitions.contains_key(key) {
            return None;
        }
        let name = self.names.get(self.direction, key)?;
        Some(TsType::Named(format!("{}{name}", self.qualifier)))
    }

    fn array(&self, object: &Map<String, Value>, notes: &mut Vec<String>) -> TsType {
        let items = object.get("items");
        let min = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = object.get("maxItems").and_then(Value::as_u64);
        let Some(prefix) = object.get("prefixItems") else {
            return match items {
                Some(Value::Bool(false)) => TsType::Tuple(Vec::new()),
                // An array of a fixed length (`[u8; 4]`) is a tuple, as
                // exact as serde's own tuples.
                Some(items) if max == Some(min) && (1..=MAX_FIXED_TUPLE).contains(&min) => {
                    let ty = self.map(items, notes);
                    TsType::Tuple(
                        (0..min)
                            .map(|_| TupleElement {
                                ty: ty.clone(),
                                kind: ElementKind::Required,
                            })
                            .collect(),
                    )
                }
                Some(items) => TsType::Array(Box::new(self.map(items, notes))),
                None => TsType::Array(Box::new(TsType::UNKNOWN)),
            };
        };
        let Value::Array(prefix) = prefix else {
            notes.push("`unknown`: `prefixItems` is not an array.".to_owned());
            return TsType::UNKNOWN;
        };
        let mut elements: Vec<TupleElement> = Vec::new();
        for (index, item) in prefix.iter().enumerate() {
            let index = index as u64;
            if max.is_some_and(|max| index >= max) {
                break;
            }
            elements.push(TupleElement {
                ty: self.map(item, notes),
                kind: if index < min {
                    ElementKind::Required
                } else {
                    ElementKind::Optional
                },
            });
        }
        let room_for_more = max.is_none_or(|max| max > prefix.len() as u64);
        if room_for_more {
            let rest = match items {
                Some(Value::Bool(false)) => None,
                Some(items) => Some(self.map(items, notes)),
                None => Some(TsType::UNKNOWN),
            };
            if let Some(rest) = rest {
                elements.push(TupleElement {
                    ty: rest,
                    kind: ElementKind::Rest,
                });
            }
        }
        TsType::Tuple(elements)
    }

    fn object(&self, object: &Map<String, Value>, notes: &mut Vec<String>) -> TsType {
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut properties = Vec::new();
        if let Some(Value::Object(schemas)) = object.get("properties") {
            for (name, schema) in schemas {
                let mut property_notes = Vec::new();
                let ty = self.map(schema, &mut property_notes);
                let mut doc = self.describe(schema);
                doc.extend(property_notes);
                properties.push(Property {
                    name: name.clone(),
                    optional: !required.contains(&name.as_str()),
                    readonly: false,
                    ty,
                    doc,
                });
            }
        }

        let additional = object.get("additionalProperties");
        let patterns: Vec<&Value> = match object.get("patternProperties") {
            Some(Value::Object(patterns)) => patterns.values().collect(),
            _ => Vec::new(),
        };
        let closed = matches!(additional, Some(Value::Bool(false)));
        let open = matches!(additional, None | Some(Value::Bool(true)))
            || additional.is_some_and(|a| a.as_object().is_some_and(Map::is_empty));

        // The type of the values of keys that are not listed in `properties`.
        let extra: Option<TsType> = match (patterns.as_slice(), open, closed) {
            ([], true, _) => properties.is_empty().then_some(TsType::UNKNOWN),
            ([], _, true) => properties.is_empty().then_some(TsType::Keyword("never")),
            ([], false, false) => additional.map(|schema| self.map(schema, notes)),
            ([pattern], _, true) => Some(self.map(pattern, notes)),
            ([_], true, _) if properties.is_empty() => Some(TsType::UNKNOWN),
            _ => {
                notes.push(
                    "`unknown`: this combination of `patternProperties` and `additionalProperties` cannot be expressed exactly."
                        .to_owned(),
                );
                return TsType::UNKNOWN;
            }
        };
        let Some(extra) = extra else {
            return TsType::Object(TsObject {
                properties,
                index: None,
            });
        };
        if properties.is_empty()
            && let Some(keys) = object
                .get("propertyNames")
                .and_then(|names| self.literal_keys(names))
        {
            return TsType::Mapped {
                keys: Box::new(keys),
                value: Box::new(extra),
            };
        }
        // TypeScript requires every listed property to fit the index
        // signature (a struct with a flattened map of another type), so the
        // index also names their types; the note says what the other keys
        // really hold.
        let mut index = extra.clone();
        if !extra.is_unknown() && properties.iter().any(|p| !fits_index(&p.ty, &extra)) {
            let mut members = vec![UnionMember {
                ty: extra.clone(),
                doc: Vec::new(),
            }];
            for property in &properties {
                if !members.iter().any(|m| fits_index(&property.ty, &m.ty)) {
                    members.push(UnionMember {
                        ty: property.ty.clone(),
                        doc: Vec::new(),
                    });
                }
            }
            index = TsType::union(members);
            notes.push(format!(
                "Keys other than the listed properties hold `{}`; the index signature also names the properties' types, as TypeScript requires.",
                extra.inline()
            ));
        }
        TsType::Object(TsObject {
            properties,
            index: Some(Box::new(index)),
        })
    }

    /// The key type of a map whose `propertyNames` are a union of string
    /// literals: a unit enum's name or the literals themselves.
    fn literal_keys(&self, names: &Value) -> Option<TsType> {
        if let Some(named) = names.get("$ref").and_then(|r| self.reference(r)) {
            let target = self.resolve(names);
            return string_literals(target).map(|_| named);
        }
        let literals = string_literals(names)?;
        Some(TsType::union(
            literals
                .into_iter()
                .map(|value| UnionMember {
                    ty: TsType::Literal(crate::ts::string_literal(&value)),
                    doc: Vec::new(),
                })
                .collect(),
        ))
    }

    /// TSDoc lines for a definition or property: its description, the range
    /// of integers, its default (input only) and deprecation.
    pub(crate) fn describe(&self, schema: &Value) -> Vec<String> {
        let mut lines = description(schema);
        let Some(object) = schema.as_object() else {
            return lines;
        };
        if let Some(line) = integer_doc(object) {
            push_paragraph(&mut lines, line);
        }
        if let Some(format) = crate::wide::wide_format(object) {
            push_paragraph(
                &mut lines,
                format!(
                    "Integer (`{format}`, exact): a `bigint` here, a decimal string on the wire."
                ),
            );
        }
        if self.direction == Direction::Input
            && let Some(default) = object.get("default")
        {
            let json = serde_json::to_string(default).unwrap_or_default();
            push_paragraph(&mut lines, format!("@defaultValue `{json}`"));
        }
        if object.get("deprecated") == Some(&Value::Bool(true)) {
            push_paragraph(&mut lines, "@deprecated".to_owned());
        }
        lines
    }
}

fn push_paragraph(lines: &mut Vec<String>, line: String) {
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(line);
}

/// The `description` of `schema` as TSDoc lines.
pub(crate) fn description(schema: &Value) -> Vec<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
        .map(|text| vec![text.to_owned()])
        .unwrap_or_default()
}

fn integer_doc(object: &Map<String, Value>) -> Option<String> {
    if !types_of(object).is_some_and(|types| types.iter().any(|t| t == "integer")) {
        return None;
    }
    let format = object.get("format").and_then(Value::as_str);
    let wide = format.is_some_and(|f| WIDE_INTEGER_FORMATS.contains(&f));
    let min = object.get("minimum").map(Value::to_string);
    let max = object.get("maximum").map(Value::to_string);
    let kind = match format {
        Some(format) if wide => format!("Integer (`{format}`, limited to safe integers)"),
        Some(format) => format!("Integer (`{format}`)"),
        None => "Integer".to_owned(),
    };
    let range = match (min, max) {
        (Some(min), Some(max)) => format!(" from {min} to {max}"),
        (Some(min), None) => format!(" of at least {min}"),
        (None, Some(max)) => format!(" of at most {max}"),
        (None, None) if wide => {
            format!(" from -{MAX_SAFE_INTEGER} to {MAX_SAFE_INTEGER}")
        }
        (None, None) => String::new(),
    };
    Some(format!("{kind}{range}."))
}

/// `type` as a list; `None` when absent or malformed.
fn types_of(object: &Map<String, Value>) -> Option<Vec<String>> {
    match object.get("type")? {
        Value::String(single) => Some(vec![single.clone()]),
        Value::Array(many) => many.iter().map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// The strings of a schema that is only a set of string literals.
fn string_literals(schema: &Value) -> Option<Vec<String>> {
    if let Some(Value::String(value)) = schema.get("const") {
        return Some(vec![value.clone()]);
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    let branches = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let mut all = Vec::new();
    for branch in branches {
        all.extend(string_literals(branch)?);
    }
    Some(all)
}

/// Whether a property of type `ty` may sit next to `[key: string]: index`.
fn fits_index(ty: &TsType, index: &TsType) -> bool {
    if ty == index {
        return true;
    }
    match index {
        TsType::Union(members) => members.iter().any(|m| &m.ty == ty),
        _ => false,
    }
}

/// The literal type of a JSON value.
pub(crate) fn literal(value: &Value) -> TsType {
    match value {
        Value::Null => TsType::Keyword("null"),
        Value::Bool(b) => TsType::Literal(b.to_string()),
        Value::Number(n) => TsType::Literal(n.to_string()),
        Value::String(s) => TsType::Literal(crate::ts::string_literal(s)),
        Value::Array(items) => TsType::Tuple(
            items
                .iter()
                .map(|item| TupleElement {
                    ty: literal(item),
                    kind: ElementKind::Required,
                })
                .collect(),
        ),
        Value::Object(object) => TsType::Object(TsObject {
            properties: object
                .iter()
                .map(|(name, value)| Property {
                    name: name.clone(),
                    optional: false,
                    readonly: false,
                    ty: literal(value),
                    doc: Vec::new(),
                })
                .collect(),
            index: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map_with(definitions: Value, schema: Value) -> (String, Vec<String>) {
        let definitions = match definitions {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let names = TypeNames::new(&definitions, &Map::new());
        let mapper = Mapper::new(&names, &definitions, Direction::Input, "");
        let mut notes = Vec::new();
        let ty = mapper.map(&schema, &mut notes);
        (ty.render(0), notes)
    }

    fn map(schema: Value) -> String {
        let (ty, notes) = map_with(json!({}), schema);
        assert!(notes.is_empty(), "unexpected notes {notes:?}");
        ty
    }

    #[test]
    fn scalars_and_nullables() {
        assert_eq!(map(json!({"type": "string"})), "string");
        assert_eq!(
            map(json!({"type": ["integer", "null"], "format": "uint64"})),
            "number | null"
        );
        assert_eq!(map(json!(true)), "unknown");
        assert_eq!(map(json!({})), "unknown");
        assert_eq!(map(json!(false)), "never");
        assert_eq!(map(json!({"const": "a'b"})), r"'a\'b'");
        assert_eq!(
            map(json!({"enum": ["a", 1, null, true]})),
            "'a' | 1 | null | true"
        );
    }

    #[test]
    fn tuples_follow_min_and_max_items() {
        assert_eq!(
            map(
                json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "minItems": 2, "maxItems": 2})
            ),
            "[string, number]"
        );
        assert_eq!(
            map(
                json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "minItems": 1, "items": {"type": "boolean"}})
            ),
            "[string, number?, ...boolean[]]"
        );
        assert_eq!(
            map(json!({"type": "array", "prefixItems": [{"type": "string"}]})),
            "[string?, ...unknown[]]"
        );
        assert_eq!(map(json!({"type": "array"})), "unknown[]");
    }

    #[test]
    fn maps_with_string_and_literal_keys() {
        assert_eq!(
            map(json!({"type": "object", "additionalProperties": {"type": "number"}})),
            "{ [key: string]: number }"
        );
        assert_eq!(
            map(
                json!({"type": "object", "additionalProperties": {"type": "number"}, "propertyNames": {"enum": ["a", "b"]}})
            ),
            "{ [key in 'a' | 'b']?: number }"
        );
        let (ty, _) = map_with(
            json!({"Kind": {"type": "string", "enum": ["x", "y"]}}),
            json!({"type": "object", "additionalProperties": {"type": "number"}, "propertyNames": {"$ref": "#/$defs/Kind"}}),
        );
        assert_eq!(ty, "{ [key in Kind]?: number }");
        assert_eq!(map(json!({"type": "object"})), "{ [key: string]: unknown }");
        assert_eq!(
            map(json!({"type": "object", "additionalProperties": false})),
            "{ [key: string]: never }"
        );
    }

    #[test]
    fn fixed_length_arrays_are_tuples() {
        let byte = json!({"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255});
        assert_eq!(
            map(json!({"type": "array", "items": byte, "minItems": 4, "maxItems": 4})),
            "[number, number, number, number]"
        );
        // Not a fixed length, or too long to spell out: an array.
        assert_eq!(
            map(json!({"type": "array", "items": byte, "minItems": 1, "maxItems": 4})),
            "number[]"
        );
        assert_eq!(
            map(json!({"type": "array", "items": byte, "minItems": 64, "maxItems": 64})),
            "number[]"
        );
        assert_eq!(
            map(json!({"type": "array", "items": byte, "minItems": 0, "maxItems": 0})),
            "number[]"
        );
    }

    /// A struct with a flattened map of another type: the other keys are
    /// still an index signature, widened to the listed properties' types
    /// as TypeScript requires.
    #[test]
    fn flattened_maps_keep_an_index_signature() {
        let (ty, notes) = map_with(
            json!({}),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "number"}}, "required": ["a"], "additionalProperties": {"type": "number"}}),
        );
        assert_eq!(
            ty,
            "{ a: string; b?: number; [key: string]: number | string }"
        );
        assert_eq!(
            notes,
            [
                "Keys other than the listed properties hold `number`; the index signature also names the properties' types, as TypeScript requires."
            ]
        );
        let (ty, notes) = map_with(
            json!({}),
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
        );
        assert_eq!(ty, "{ a?: string; [key: string]: string }");
        assert!(notes.is_empty());
    }

    #[test]
    fn inexpressible_schemas_become_unknown_with_a_note() {
        let (ty, notes) = map_with(json!({}), json!({"not": {"type": "string"}}));
        assert_eq!(ty, "unknown");
        assert_eq!(
            notes,
            ["`unknown`: the schema uses `not`, which TypeScript cannot express."]
        );
        let (ty, notes) = map_with(json!({}), json!({"$ref": "#/$defs/Missing"}));
        assert_eq!(ty, "unknown");
        assert_eq!(notes.len(), 1);
        let (ty, notes) = map_with(json!({}), json!({"properties": {"a": {"type": "string"}}}));
        assert_eq!(ty, "unknown");
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn property_notes_stay_on_the_property() {
        let (ty, notes) = map_with(
            json!({}),
            json!({"type": "object", "properties": {"odd": {"if": {}}}, "required": ["odd"]}),
        );
        assert!(notes.is_empty());
        assert_eq!(
            ty,
            "{\n  /** `unknown`: the schema uses `if`, which TypeScript cannot express. */\n  odd: unknown\n}"
        );
    }

    #[test]
    fn refs_with_siblings_intersect() {
        let (ty, notes) = map_with(
            json!({"Cat": {"type": "object", "properties": {"lives": {"type": "integer"}}, "required": ["lives"]}}),
            json!({"$ref": "#/$defs/Cat", "type": "object", "properties": {"kind": {"const": "cat"}}, "required": ["kind"]}),
        );
        assert!(notes.is_empty());
        assert_eq!(ty, "Cat & { kind: 'cat' }");
    }

    #[test]
    fn integers_are_documented_with_their_range() {
        let definitions = Map::new();
        let names = TypeNames::default();
        let mapper = Mapper::new(&names, &definitions, Direction::Input, "");
        assert_eq!(
            mapper.describe(&json!({"type": "integer", "format": "uint64", "minimum": 0, "maximum": MAX_SAFE_INTEGER, "description": "Id."})),
            [
                "Id.".to_owned(),
                String::new(),
                "Integer (`uint64`, limited to safe integers) from 0 to 9007199254740991.".to_owned()
            ]
        );
        assert_eq!(
            mapper.describe(&json!({"type": "array", "default": []})),
            ["@defaultValue `[]`"]
        );
    }
}
