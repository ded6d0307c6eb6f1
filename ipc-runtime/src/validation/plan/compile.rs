//! A schema's nodes, as [`Plan::compile`](super::Plan::compile) builds them.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::classes::ClassRun;
use super::node::*;

pub(super) struct Compiler<'a> {
    pub(super) nodes: Vec<Node>,
    pub(super) definitions: Vec<(&'a str, NodeId)>,
    pub(super) options: &'a jsonschema::ValidationOptions<'static>,
}

pub(super) fn only_annotations(object: &Map<String, Value>, allowed: &[&str]) -> bool {
    object
        .keys()
        .all(|key| ANNOTATIONS.contains(&key.as_str()) || allowed.contains(&key.as_str()))
}

pub(super) fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
            .map(|f| f as u64)
    })
}

pub(super) fn type_bits(name: &str) -> Option<u8> {
    Some(match name {
        "null" => NULL,
        "boolean" => BOOLEAN,
        "integer" => INTEGER,
        "number" => INTEGER | NUMBER,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => return None,
    })
}

impl<'a> Compiler<'a> {
    pub(super) fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    pub(super) fn child(&mut self, schema: &Value) -> Option<NodeId> {
        let node = self.node(schema)?;
        Some(self.push(node))
    }

    pub(super) fn reference(&self, object: &Map<String, Value>) -> Option<NodeId> {
        let name = object.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
        self.definitions
            .iter()
            .find(|(definition, _)| *definition == name)
            .map(|(_, id)| *id)
    }

    pub(super) fn node(&mut self, schema: &Value) -> Option<Node> {
        let object = match schema {
            Value::Bool(true) => return Some(Node::new()),
            Value::Object(object) => object,
            _ => return None,
        };
        let mut node = Node::new();
        if object.contains_key("$ref") {
            if !only_annotations(object, &["$ref"]) {
                return None;
            }
            node.alias = Some(self.reference(object)?);
            return Some(node);
        }
        if let Some(branches) = object.get("anyOf") {
            if !only_annotations(object, &["anyOf"]) {
                return None;
            }
            return self
                .nullable(object, branches)
                .or_else(|| self.union(branches.as_array()?));
        }
        if let Some(branches) = object.get("oneOf") {
            return self.one_of(object, branches);
        }
        for (key, value) in object {
            match key.as_str() {
                "type" => {
                    node.types = match value {
                        Value::String(name) => type_bits(name)?,
                        Value::Array(names) => names
                            .iter()
                            .try_fold(0, |bits, name| Some(bits | type_bits(name.as_str()?)?))?,
                        _ => return None,
                    };
                }
                "format" => {
                    // Known formats are asserted; unknown ones (schemars'
                    // `uint64`, `double`, ..) are annotations.
                    let name = value.as_str()?;
                    if self
                        .options
                        .is_known_format(jsonschema::Draft::Draft202012, name)
                    {
                        node.string_checks.push(match super::formats::check(name) {
                            Some(check) => StringCheck::Format(check),
                            None => StringCheck::Validator(Arc::new(
                                self.options.build(&json!({"format": name})).ok()?,
                            )),
                        });
                    }
                }
                "pattern" => {
                    // As the validator compiles it (with the `regex` engine
                    // and no size limits of its own, see `options`).
                    let source = value.as_str()?;
                    let translated = jsonschema_regex::to_rust_regex(source).ok()?;
                    let regex = regex::Regex::new(&translated).ok()?;
                    // A pattern the regex takes and that is a run of ASCII
                    // classes is matched without it (docs/adr/0072).
                    node.string_checks.push(match ClassRun::parse(source) {
                        Some(run) => StringCheck::Classes(run),
                        None => StringCheck::Pattern(regex),
                    });
                }
                "multipleOf" => {
                    let multiple = value.as_f64().filter(|m| m.is_finite() && *m > 0.0)?;
                    node.multiple_of.push(multiple);
                }
                "allOf" => {
                    for branch in value.as_array()? {
                        let id = self.child(branch)?;
                        node.all_of.push(id);
                    }
                }
                "enum" => {
                    let options = value.as_array()?;
                    let strings: Option<Vec<String>> = options
                        .iter()
                        .map(|option| option.as_str().map(str::to_owned))
                        .collect();
                    node.string_enum = Some(strings?);
                }
                "const" => node.string_enum = Some(vec![value.as_str()?.to_owned()]),
                "minLength" => node.min_length = Some(as_u64(value)?),
                "maxLength" => node.max_length = Some(as_u64(value)?),
                "minimum" => node.minimum = Some(Num::from_json(value.as_number()?)),
                "maximum" => node.maximum = Some(Num::from_json(value.as_number()?)),
                "exclusiveMinimum" => {
                    node.exclusive_minimum = Some(Num::from_json(value.as_number()?));
                }
                "exclusiveMaximum" => {
                    node.exclusive_maximum = Some(Num::from_json(value.as_number()?));
                }
                "items" => node.items = Some(self.child(value)?),
                "prefixItems" => {
                    for item in value.as_array()? {
                        let id = self.child(item)?;
                        node.prefix_items.push(id);
                    }
                }
                "minItems" => node.min_items = Some(as_u64(value)?),
                "maxItems" => node.max_items = Some(as_u64(value)?),
                "uniqueItems" => node.unique_items = value.as_bool()?,
                "properties" => {
                    for (name, property) in value.as_object()? {
                        let id = self.child(property)?;
                        node.properties.push((name.clone(), id));
                    }
                }
                "required" | "additionalProperties" => {}
                "maxProperties" => node.max_properties = as_u64(value)?,
                key if ANNOTATIONS.contains(&key) => {}
                _ => return None,
            }
        }
        if node.properties.len() > 64 {
            return None;
        }
        // An enum of strings allows strings only; the other types' checks
        // can then leave the enum out.
        if node.string_enum.is_some() {
            node.types &= STRING;
        }
        if let Some(required) = object.get("required") {
            for name in required.as_array()? {
                let name = name.as_str()?;
                let index = node.properties.iter().position(|(p, _)| p == name)?;
                node.required |= 1 << index;
            }
        }
        node.additional = match object.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Additional::Any,
            Some(Value::Bool(false)) => Additional::Deny,
            Some(schema) => Additional::Node(self.child(schema)?),
        };
        Some(node)
    }

    /// `anyOf: [X, {"type": "null"}]` (in either order), as schemars writes
    /// `Option<X>`.
    pub(super) fn nullable(
        &mut self,
        object: &Map<String, Value>,
        branches: &Value,
    ) -> Option<Node> {
        if !only_annotations(object, &["anyOf"]) {
            return None;
        }
        let is_null = |schema: &Value| {
            schema.as_object().is_some_and(|object| {
                object.get("type") == Some(&Value::from("null"))
                    && only_annotations(object, &["type"])
            })
        };
        let inner = match branches.as_array()?.as_slice() {
            [a, b] if is_null(b) => a,
            [a, b] if is_null(a) => b,
            _ => return None,
        };
        let mut node = Node::new();
        node.nullable = Some(self.child(inner)?);
        Some(node)
    }

    /// A `oneOf` of string constants (a unit enum with documented
    /// variants), or a union of objects told apart by a required string
    /// property with a distinct `const` in each branch (an internally or
    /// adjacently tagged enum).
    pub(super) fn one_of(&mut self, object: &Map<String, Value>, branches: &Value) -> Option<Node> {
        if !only_annotations(object, &["oneOf"]) {
            return None;
        }
        let branches = branches.as_array()?;
        if let Some(constants) = branches
            .iter()
            .map(string_constant)
            .collect::<Option<Vec<_>>>()
        {
            let mut node = Node::new();
            node.types = STRING;
            node.string_enum = Some(constants);
            return Some(node);
        }
        self.internally_tagged(branches)
            .or_else(|| self.externally_tagged(branches))
            .or_else(|| self.union(branches))
    }

    /// A union of branches each allowing its own JSON types (an untagged
    /// enum such as `u32 | String | {x, y}`): whatever the value, at most
    /// one branch can accept it, so `anyOf` and `oneOf` both mean that
    /// branch's verdict. The branches are merged into one node once every
    /// node is compiled (see `merge`), which refuses overlapping types.
    pub(super) fn union(&mut self, branches: &[Value]) -> Option<Node> {
        let mut node = Node::new();
        for branch in branches {
            let id = self.child(branch)?;
            node.union.push(id);
        }
        if node.union.is_empty() {
            return None;
        }
        Some(node)
    }

    /// Objects told apart by a required string property with a distinct
    /// `const` in each (an internally or adjacently tagged enum).
    pub(super) fn internally_tagged(&mut self, branches: &[Value]) -> Option<Node> {
        let first = branches.first()?.as_object()?;
        let tag = first
            .get("properties")?
            .as_object()?
            .iter()
            .find(|(name, property)| {
                string_constant(property).is_some()
                    && branches.iter().all(|branch| {
                        branch
                            .get("properties")
                            .and_then(|p| p.get(name.as_str()))
                            .and_then(string_constant)
                            .is_some()
                            && branch
                                .get("required")
                                .and_then(Value::as_array)
                                .is_some_and(|required| required.iter().any(|r| r == name.as_str()))
                    })
            })
            .map(|(name, _)| name.clone())?;
        let mut tagged = Tagged {
            tag,
            branches: Vec::new(),
        };
        for branch in branches {
            if branch.get("type") != Some(&Value::from("object")) {
                return None;
            }
            let value = string_constant(branch.get("properties")?.get(&tagged.tag)?)?;
            if tagged
                .branches
                .iter()
                .any(|existing| existing.value == value)
            {
                return None;
            }
            let node = self.child(branch)?;
            let tag_index = self.nodes[node]
                .properties
                .iter()
                .position(|(name, _)| *name == tagged.tag)?;
            tagged.branches.push(Branch {
                value,
                node,
                tag_index,
            });
        }
        // The union's one property is its tag: a key that names it is the
        // tag, and the fast path takes no other first key.
        let mut node = Node::new();
        let tag_value = self.push(Node::new());
        node.properties.push((tagged.tag.clone(), tag_value));
        node.types = OBJECT;
        node.tagged = Some(tagged);
        Some(node)
    }

    /// serde's default enum representation: unit variants as strings, data
    /// variants as `{"<name>": <value>}` (an object with that one required
    /// property and no other).
    pub(super) fn externally_tagged(&mut self, branches: &[Value]) -> Option<Node> {
        let mut units = Vec::new();
        let mut variants = Vec::new();
        for branch in branches {
            let object = branch.as_object()?;
            if object.get("type") == Some(&Value::from("string")) {
                match (object.get("const"), object.get("enum")) {
                    (Some(constant), None) if only_annotations(object, &["type", "const"]) => {
                        units.push(constant.as_str()?.to_owned());
                    }
                    (None, Some(Value::Array(names)))
                        if only_annotations(object, &["type", "enum"]) =>
                    {
                        for name in names {
                            units.push(name.as_str()?.to_owned());
                        }
                    }
                    _ => return None,
                }
                continue;
            }
            if object.get("type") != Some(&Value::from("object"))
                || object.get("additionalProperties") != Some(&Value::Bool(false))
                || !only_annotations(
                    object,
                    &["type", "properties", "required", "additionalProperties"],
                )
            {
                return None;
            }
            let [(name, value)] = object
                .get("properties")?
                .as_object()?
                .iter()
                .collect::<Vec<_>>()[..]
            else {
                return None;
            };
            if object.get("required") != Some(&json!([name])) {
                return None;
            }
            let node = self.child(value)?;
            variants.push(Variant {
                name: name.clone(),
                node,
            });
        }
        let mut names: Vec<&str> = units
            .iter()
            .map(String::as_str)
            .chain(variants.iter().map(|variant| variant.name.as_str()))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        if variants.is_empty() || names.len() != count {
            return None;
        }
        let mut node = Node::new();
        // A string is a unit variant; an object only counts through serde's
        // enum access (see `Guided::deserialize_enum`).
        node.types = STRING;
        node.string_enum = Some(units);
        node.variants = variants.into_boxed_slice();
        Some(node)
    }
}

/// The value of `{"type": "string", "const": ..}` (annotations allowed).
pub(super) fn string_constant(schema: &Value) -> Option<String> {
    let object = schema.as_object()?;
    if !only_annotations(object, &["type", "const"])
        || object.get("type").is_some_and(|t| t != "string")
    {
        return None;
    }
    object.get("const")?.as_str().map(str::to_owned)
}
