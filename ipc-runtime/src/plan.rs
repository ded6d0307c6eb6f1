//! The fast path of inbound validation.
//!
//! A schema is compiled into a [`Plan`]: one node per schema, holding the
//! JSON types it allows and the constraints serde cannot express (string
//! lengths, enums, numeric bounds — including the safe-integer clamp —,
//! item counts, tuples, required and unknown properties, internally,
//! adjacently and externally tagged enums). The payload
//! is then deserialized straight into the typed value through [`Guided`], a
//! deserializer adapter that checks every value serde reads against its
//! node. Nothing is allocated beyond what the typed value needs.
//!
//! The plan only answers "accept". Any rejection — a constraint, a shape
//! serde would have coerced (a struct given as an array, a unit variant as
//! `{"Variant": null}`), or serde's own error — sends the payload to the
//! JSON Schema validator, which decides and reports exact issues. A
//! string's `pattern` and asserted `format` are checked by a small validator
//! of their own, built with the contract validator's options (the same
//! linear-time regex engine, the same formats). A schema using a keyword the
//! plan does not check (`multipleOf`, `uniqueItems`, `allOf`, `not`,
//! untagged unions, …) gets no plan: every payload of that contract goes
//! through the validator.

use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Map, Number, Value, json};

use crate::schema::MAX_SAFE_INTEGER;

type NodeId = usize;

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
/// `number` also allows integers; [`INTEGER`] alone does not allow 1.5.
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;
const ALL_TYPES: u8 = NULL | BOOLEAN | INTEGER | NUMBER | STRING | ARRAY | OBJECT;

/// Keywords that never change whether a value is valid.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

#[derive(Debug, Clone, Copy)]
enum Additional {
    Any,
    Deny,
    Node(NodeId),
}

#[derive(Debug)]
struct Tagged {
    tag: String,
    branches: Vec<Branch>,
}

#[derive(Debug)]
struct Branch {
    /// The tag's value that picks this branch.
    value: String,
    /// The branch's object node.
    node: NodeId,
    /// The tag's index among the node's properties.
    tag_index: usize,
}

/// A data variant of an externally tagged enum: `{"<name>": <value>}`.
#[derive(Debug)]
struct Variant {
    name: String,
    /// The node of the value.
    node: NodeId,
}

/// One of several alternatives told apart by a string, read as serde reads
/// that string.
trait Choice {
    fn name(&self) -> &str;
}

impl Choice for Branch {
    fn name(&self) -> &str {
        &self.value
    }
}

impl Choice for Variant {
    fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug)]
struct Node {
    /// `{"$ref": ..}`: this node is another one.
    alias: Option<NodeId>,
    /// `anyOf: [X, {"type": "null"}]`: null, or what X allows.
    nullable: Option<NodeId>,
    types: u8,
    string_enum: Option<Vec<String>>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    minimum: Option<Num>,
    maximum: Option<Num>,
    exclusive_minimum: Option<Num>,
    exclusive_maximum: Option<Num>,
    items: Option<NodeId>,
    /// `prefixItems`: the nodes of a tuple's first items (`items` applies
    /// to the rest).
    prefix_items: Vec<NodeId>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    properties: Vec<(String, NodeId)>,
    /// Per property, its node resolved as in [`Plan::resolved`].
    property_targets: Vec<(NodeId, bool)>,
    /// Bit i: `properties[i]` is required.
    required: u64,
    additional: Additional,
    /// `maxProperties`, `u64::MAX` when there is none.
    max_properties: u64,
    tagged: Option<Tagged>,
    /// The data variants of an externally tagged enum (its unit variants
    /// are `string_enum`).
    variants: Box<[Variant]>,
    /// The integers serde_json reads as `u64` that the node allows, as an
    /// inclusive range; empty (low above high) when it allows none.
    unsigned_range: (u64, u64),
    /// The same for the negative integers, which serde_json reads as `i64`.
    signed_range: (i64, i64),
    /// Whether every float is allowed: `number`, with no bound and no enum.
    any_float: bool,
    /// Byte lengths at which any string is accepted without counting its
    /// code points; empty when strings need the full check.
    plain_string_bytes: (u64, u64),
    /// `pattern` and asserted `format`s, compiled with the options of the
    /// contract's validator, so both decide alike.
    string_validator: Option<jsonschema::Validator>,
}

impl Node {
    fn new() -> Node {
        Node {
            alias: None,
            nullable: None,
            types: ALL_TYPES,
            string_enum: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            items: None,
            prefix_items: Vec::new(),
            min_items: None,
            max_items: None,
            properties: Vec::new(),
            property_targets: Vec::new(),
            required: 0,
            additional: Additional::Any,
            max_properties: u64::MAX,
            tagged: None,
            variants: Box::default(),
            unsigned_range: (1, 0),
            signed_range: (0, -1),
            any_float: false,
            plain_string_bytes: (1, 0),
            string_validator: None,
        }
    }
}

/// A compiled schema for the fast path.
#[derive(Debug)]
pub(crate) struct Plan {
    nodes: Vec<Node>,
    /// Per node: the node that applies to non-null values (aliases and
    /// `Option` wrappers followed) and whether null is allowed.
    resolved: Vec<(NodeId, bool)>,
    root: NodeId,
    /// A node that allows everything: unknown properties, items without
    /// an `items` schema.
    any: NodeId,
}

struct Compiler<'a> {
    nodes: Vec<Node>,
    definitions: Vec<(&'a str, NodeId)>,
    options: &'a jsonschema::ValidationOptions<'static>,
}

impl Plan {
    /// The plan of a self-contained root schema, or `None` when the schema
    /// uses something the plan cannot check exactly.
    pub(crate) fn compile(
        root: &Value,
        options: &jsonschema::ValidationOptions<'static>,
    ) -> Option<Plan> {
        let empty = Map::new();
        let definitions = match root.get("$defs") {
            Some(Value::Object(definitions)) => definitions,
            Some(_) => return None,
            None => &empty,
        };
        let mut compiler = Compiler {
            nodes: Vec::new(),
            definitions: Vec::new(),
            options,
        };
        for name in definitions.keys() {
            let id = compiler.push(Node::new());
            compiler.definitions.push((name, id));
        }
        for (index, definition) in definitions.values().enumerate() {
            let id = compiler.definitions[index].1;
            let node = compiler.node(definition)?;
            compiler.nodes[id] = node;
        }
        let mut root_object = root.as_object()?.clone();
        root_object.remove("$defs");
        let root_node = compiler.node(&Value::Object(root_object))?;
        let root = compiler.push(root_node);
        let any = compiler.push(Node::new());
        let mut plan = Plan {
            nodes: compiler.nodes,
            resolved: Vec::new(),
            root,
            any,
        };
        // A cycle of pure aliases would make `resolve` loop.
        for id in 0..plan.nodes.len() {
            let mut current = id;
            for _ in 0..=plan.nodes.len() {
                match plan.nodes[current].alias {
                    Some(next) => current = next,
                    None => break,
                }
            }
            if plan.nodes[current].alias.is_some() {
                return None;
            }
        }
        // An integer outside the safe range is refused wherever it is
        // written, whatever its node (a float, a JSON value, an untagged
        // union's float branch): serde could still build an integer from it.
        let safe = i128::from(MAX_SAFE_INTEGER);
        for node in &mut plan.nodes {
            let (low, high) = integer_range(node);
            node.unsigned_range = within(low.max(0), high.min(safe), (1, 0));
            node.signed_range = within(low.max(-safe), high.min(i64::MAX.into()), (0, -1));
            node.any_float = node.types & NUMBER != 0
                && node.string_enum.is_none()
                && node.minimum.is_none()
                && node.maximum.is_none()
                && node.exclusive_minimum.is_none()
                && node.exclusive_maximum.is_none();
            node.plain_string_bytes = plain_string_bytes(node);
        }
        plan.resolved = (0..plan.nodes.len())
            .map(|id| {
                let mut target = plan.resolve(id);
                let mut nullable = false;
                let mut steps = 0;
                while let Some(inner) = plan.nodes[target].nullable {
                    nullable = true;
                    target = plan.resolve(inner);
                    steps += 1;
                    if steps > plan.nodes.len() {
                        return None;
                    }
                }
                Some((target, nullable || plan.nodes[target].types & NULL != 0))
            })
            .collect::<Option<Vec<_>>>()?;
        for id in 0..plan.nodes.len() {
            let targets = plan.nodes[id]
                .properties
                .iter()
                .map(|(_, property)| plan.resolved[*property])
                .collect();
            plan.nodes[id].property_targets = targets;
        }
        Some(plan)
    }

    fn resolve(&self, mut id: NodeId) -> NodeId {
        while let Some(next) = self.nodes[id].alias {
            id = next;
        }
        id
    }

    /// Decodes `bytes` when the value is valid and nests at most
    /// `max_depth` levels of arrays and objects; `None` when the plan or
    /// serde rejects it (the caller then asks the validator).
    #[cfg(test)]
    pub(crate) fn decode<T: DeserializeOwned>(&self, bytes: &[u8], max_depth: usize) -> Option<T> {
        self.decode_or(bytes, max_depth, || Err(())).ok()
    }

    /// Decodes `bytes` as [`decode`](Self::decode) does, or returns what
    /// `refused` returns. The value is moved once, into the caller's
    /// result, rather than through an `Option` first.
    #[inline(always)]
    pub(crate) fn decode_or<T: DeserializeOwned, E>(
        &self,
        bytes: &[u8],
        max_depth: usize,
        refused: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        self.decode_from(
            serde_json::Deserializer::from_slice(bytes),
            max_depth,
            refused,
        )
    }

    /// [`decode_or`](Self::decode_or) for text known to be UTF-8, which
    /// serde_json then does not validate again.
    #[inline(always)]
    pub(crate) fn decode_text_or<T: DeserializeOwned, E>(
        &self,
        text: &str,
        max_depth: usize,
        refused: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        self.decode_from(serde_json::Deserializer::from_str(text), max_depth, refused)
    }

    #[inline(always)]
    fn decode_from<'de, R: serde_json::de::Read<'de>, T: DeserializeOwned, E>(
        &self,
        mut deserializer: serde_json::Deserializer<R>,
        max_depth: usize,
        refused: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let walk = Walk {
            plan: self,
            refused: Cell::new(false),
        };
        let (root, null_ok) = self.resolved[self.root];
        let root = Cursor {
            walk: &walk,
            node: &self.nodes[root],
            null_ok,
            depth: max_depth,
        };
        match T::deserialize(Guided {
            de: &mut deserializer,
            at: &root,
        }) {
            Ok(value) if !walk.refused.get() && deserializer.end().is_ok() => Ok(value),
            _ => refused(),
        }
    }
}

/// The integers a node allows, as one inclusive range (empty when `low`
/// is above `high`). A bound that is not an integer still gives an exact
/// integer range: `n >= b` is `n >= ceil(b)`, `n > b` is
/// `n >= floor(b) + 1`, and the same for the upper bounds.
fn integer_range(node: &Node) -> (i128, i128) {
    const EMPTY: (i128, i128) = (1, 0);
    if node.types & (INTEGER | NUMBER) == 0 || node.string_enum.is_some() {
        return EMPTY;
    }
    let mut low = i128::MIN;
    let mut high = i128::MAX;
    for (bound, is_lower, exclusive) in [
        (node.minimum, true, false),
        (node.exclusive_minimum, true, true),
        (node.maximum, false, false),
        (node.exclusive_maximum, false, true),
    ] {
        let Some(bound) = bound else { continue };
        // No number compares with NaN, so nothing is allowed.
        let Some((floor, ceil)) = bound.floor_ceil() else {
            return EMPTY;
        };
        match (is_lower, exclusive) {
            (true, false) => low = low.max(ceil),
            (true, true) => low = low.max(floor.saturating_add(1)),
            (false, false) => high = high.min(floor),
            (false, true) => high = high.min(ceil.saturating_sub(1)),
        }
    }
    (low, high)
}

/// `low..=high` as a range of `N`, or `empty` when an end does not fit
/// (the caller has clamped each end toward `N`'s range) or `low` is above
/// `high`.
fn within<N: TryFrom<i128> + PartialOrd>(low: i128, high: i128, empty: (N, N)) -> (N, N) {
    match (N::try_from(low), N::try_from(high)) {
        (Ok(low), Ok(high)) if low <= high => (low, high),
        _ => empty,
    }
}

/// The byte lengths that settle a string's length constraints on their
/// own: a UTF-8 string has at most as many code points as bytes, and at
/// least a quarter as many.
fn plain_string_bytes(node: &Node) -> (u64, u64) {
    if node.types & STRING == 0 || node.string_enum.is_some() || node.string_validator.is_some() {
        return (1, 0);
    }
    let low = node.min_length.map_or(0, |min| min.saturating_mul(4));
    let high = node.max_length.unwrap_or(u64::MAX);
    (low, high)
}

fn only_annotations(object: &Map<String, Value>, allowed: &[&str]) -> bool {
    object
        .keys()
        .all(|key| ANNOTATIONS.contains(&key.as_str()) || allowed.contains(&key.as_str()))
}

fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
            .map(|f| f as u64)
    })
}

fn type_bits(name: &str) -> Option<u8> {
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
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn child(&mut self, schema: &Value) -> Option<NodeId> {
        let node = self.node(schema)?;
        Some(self.push(node))
    }

    fn reference(&self, object: &Map<String, Value>) -> Option<NodeId> {
        let name = object.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
        self.definitions
            .iter()
            .find(|(definition, _)| *definition == name)
            .map(|(_, id)| *id)
    }

    fn node(&mut self, schema: &Value) -> Option<Node> {
        let object = match schema {
            Value::Bool(true) => return Some(Node::new()),
            Value::Object(object) => object,
            _ => return None,
        };
        let mut node = Node::new();
        // `pattern` and asserted `format`s: checked by a validator of their own.
        let mut string_keywords = Map::new();
        if object.contains_key("$ref") {
            if !only_annotations(object, &["$ref"]) {
                return None;
            }
            node.alias = Some(self.reference(object)?);
            return Some(node);
        }
        if let Some(branches) = object.get("anyOf") {
            return self.nullable(object, branches);
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
                    if self
                        .options
                        .is_known_format(jsonschema::Draft::Draft202012, value.as_str()?)
                    {
                        string_keywords.insert(key.clone(), value.clone());
                    }
                }
                "pattern" => {
                    string_keywords.insert(key.clone(), value.as_str()?.into());
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
                "uniqueItems" => {
                    if value != &Value::Bool(false) {
                        return None;
                    }
                }
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
        if !string_keywords.is_empty() {
            let validator = self.options.build(&Value::Object(string_keywords)).ok()?;
            node.string_validator = Some(validator);
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
    fn nullable(&mut self, object: &Map<String, Value>, branches: &Value) -> Option<Node> {
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
    fn one_of(&mut self, object: &Map<String, Value>, branches: &Value) -> Option<Node> {
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
        match self.internally_tagged(branches) {
            Some(node) => Some(node),
            None => self.externally_tagged(branches),
        }
    }

    /// Objects told apart by a required string property with a distinct
    /// `const` in each (an internally or adjacently tagged enum).
    fn internally_tagged(&mut self, branches: &[Value]) -> Option<Node> {
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
    fn externally_tagged(&mut self, branches: &[Value]) -> Option<Node> {
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
fn string_constant(schema: &Value) -> Option<String> {
    let object = schema.as_object()?;
    if !only_annotations(object, &["type", "const"])
        || object.get("type").is_some_and(|t| t != "string")
    {
        return None;
    }
    object.get("const")?.as_str().map(str::to_owned)
}

/// A JSON number, compared exactly.
#[derive(Debug, Clone, Copy)]
enum Num {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Num {
    #[cfg(test)]
    fn from_i128(value: i128) -> Num {
        match (u64::try_from(value), i64::try_from(value)) {
            (Ok(n), _) => Num::Unsigned(n),
            (_, Ok(n)) => Num::Signed(n),
            _ => Num::Float(value as f64),
        }
    }

    fn from_json(number: &Number) -> Num {
        if let Some(n) = number.as_u64() {
            Num::Unsigned(n)
        } else if let Some(n) = number.as_i64() {
            Num::Signed(n)
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// The greatest integer at most and the least integer at least this
    /// number, saturated beyond ±1e38 (far outside every 64-bit value);
    /// `None` for NaN.
    fn floor_ceil(self) -> Option<(i128, i128)> {
        match self {
            Num::Unsigned(n) => Some((i128::from(n), i128::from(n))),
            Num::Signed(n) => Some((i128::from(n), i128::from(n))),
            Num::Float(f) if f.is_nan() => None,
            Num::Float(f) if f >= 1.0e38 => Some((i128::MAX, i128::MAX)),
            Num::Float(f) if f <= -1.0e38 => Some((i128::MIN, i128::MIN)),
            // Exact: below 1e38 every integral f64 is an i128.
            Num::Float(f) => Some((f.floor() as i128, f.ceil() as i128)),
        }
    }

    fn integer(self) -> Option<i128> {
        match self {
            Num::Unsigned(n) => Some(i128::from(n)),
            Num::Signed(n) => Some(i128::from(n)),
            Num::Float(_) => None,
        }
    }

    fn compare(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Float(a), b) => compare_integer_float(b.integer()?, a).map(Ordering::reverse),
            (a, Num::Float(b)) => compare_integer_float(a.integer()?, b),
            (a, b) => Some(a.integer()?.cmp(&b.integer()?)),
        }
    }
}

/// `integer` against `float`, exactly.
fn compare_integer_float(integer: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    if float >= 1.0e38 {
        return Some(Ordering::Less);
    }
    if float <= -1.0e38 {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    let ordering = integer.cmp(&(whole as i128));
    if ordering != Ordering::Equal {
        return Some(ordering);
    }
    let fraction = float - whole;
    Some(if fraction > 0.0 {
        Ordering::Less
    } else if fraction < 0.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

/// Out of line: most floats are checked by [`Node::any_float`] alone.
#[inline(never)]
fn float_ok(node: &Node, value: f64) -> bool {
    node.types & NUMBER != 0 && node.string_enum.is_none() && number_ok(node, Num::Float(value))
}

fn number_ok(node: &Node, value: Num) -> bool {
    let at_least = |bound: Option<Num>, accept: fn(Ordering) -> bool| {
        bound.is_none_or(|bound| value.compare(bound).is_some_and(accept))
    };
    at_least(node.minimum, |o| o != Ordering::Less)
        && at_least(node.maximum, |o| o != Ordering::Greater)
        && at_least(node.exclusive_minimum, |o| o == Ordering::Greater)
        && at_least(node.exclusive_maximum, |o| o == Ordering::Less)
}

#[inline(always)]
fn string_ok(node: &Node, text: &str) -> bool {
    let bytes = text.len() as u64;
    let (low, high) = node.plain_string_bytes;
    (low <= bytes && bytes <= high) || string_ok_exactly(node, text)
}

#[inline(never)]
fn string_ok_exactly(node: &Node, text: &str) -> bool {
    if node.types & STRING == 0 {
        return false;
    }
    if let Some(options) = &node.string_enum
        && !options.iter().any(|option| option == text)
    {
        return false;
    }
    // JSON Schema counts code points; a UTF-8 string has at least a quarter
    // as many as it has bytes, and at most as many.
    let bytes = text.len() as u64;
    let mut count = None;
    let mut chars = || *count.get_or_insert_with(|| text.chars().count() as u64);
    if let Some(max) = node.max_length
        && bytes > max
        && chars() > max
    {
        return false;
    }
    if let Some(min) = node.min_length
        && (bytes < min || (bytes < min.saturating_mul(4) && chars() < min))
    {
        return false;
    }
    match &node.string_validator {
        Some(validator) => validator.is_valid(&Value::String(text.to_owned())),
        None => true,
    }
}

fn reject<E: de::Error>() -> E {
    E::custom("rejected by the schema plan")
}

/// What every cursor of one decode shares.
struct Walk<'p> {
    plan: &'p Plan,
    /// Set when the plan refuses a value. The walk then goes on (serde's
    /// own errors still stop it) and the decode fails at its end. Failing
    /// at once would make each wrapper merge the visitor's result with its
    /// own error, and LLVM copies such a merged result through the stack:
    /// that copy costs more than the check.
    refused: Cell<bool>,
}

/// Where a value is: its node and how many more levels of arrays and
/// objects may open below it.
#[derive(Clone, Copy)]
struct Cursor<'p> {
    walk: &'p Walk<'p>,
    /// The node that applies to a non-null value here.
    node: &'p Node,
    /// Whether null is allowed here.
    null_ok: bool,
    depth: usize,
}

impl<'p> Cursor<'p> {
    #[inline(always)]
    fn non_null(&self) -> &'p Node {
        self.node
    }

    #[inline(always)]
    fn plan(&self) -> &'p Plan {
        self.walk.plan
    }

    /// The decode fails, whatever else is read.
    #[cold]
    fn refuse(&self) {
        self.walk.refused.set(true);
    }

    #[inline(always)]
    fn require(&self, ok: bool) {
        if !ok {
            self.refuse();
        }
    }

    /// A cursor at node `id`, at the same depth.
    #[inline(always)]
    fn at(&self, id: NodeId) -> Cursor<'p> {
        self.at_resolved(self.plan().resolved[id])
    }

    /// A cursor at a node already resolved (see [`Plan::resolved`]).
    #[inline(always)]
    fn at_resolved(&self, (target, null_ok): (NodeId, bool)) -> Cursor<'p> {
        Cursor {
            node: &self.plan().nodes[target],
            null_ok,
            ..*self
        }
    }

    /// The cursor for the children of a container opened here. Past the
    /// depth limit the decode is refused; serde_json's own recursion limit
    /// still bounds the stack.
    #[inline(always)]
    fn open(&self) -> Cursor<'p> {
        match self.depth.checked_sub(1) {
            Some(depth) => Cursor { depth, ..*self },
            None => {
                self.refuse();
                *self
            }
        }
    }

    #[inline(always)]
    fn check_unsigned(&self, value: u64) {
        let (low, high) = self.non_null().unsigned_range;
        self.require(low <= value && value <= high);
    }

    #[inline(always)]
    fn check_signed(&self, value: i64) {
        let (low, high) = self.non_null().signed_range;
        self.require(low <= value && value <= high);
    }

    /// An integer serde read wider than 64 bits.
    fn check_wide_integer(&self, value: i128) {
        if let Ok(value) = u64::try_from(value) {
            self.check_unsigned(value);
        } else if let Ok(value) = i64::try_from(value) {
            self.check_signed(value);
        } else {
            // Not decided here: the validator will.
            self.refuse();
        }
    }

    #[inline(always)]
    fn check_float(&self, value: f64) {
        let node = self.non_null();
        if !node.any_float {
            self.require(float_ok(node, value));
        }
    }

    #[inline(always)]
    fn check_string(&self, text: &str) {
        self.require(string_ok(self.non_null(), text));
    }
}

/// A deserializer that checks each value against its plan node.
///
/// The wrappers hold their cursor by reference: at two words or less a
/// wrapper is passed in registers, where a larger one is passed through
/// memory, and reading it back right after it was written stalls.
pub(crate) struct Guided<'a, D> {
    de: D,
    at: &'a Cursor<'a>,
}

struct GuidedVisitor<'a, V> {
    visitor: V,
    at: &'a Cursor<'a>,
}

impl<'a, V> GuidedVisitor<'a, V> {
    /// A float where only integers are allowed. JSON Schema counts 1.0 as
    /// an integer; serde's integer types do not, so an integral float is
    /// given to serde as an integer. Out of line: the number visits stay
    /// small enough for serde_json to inline them.
    #[inline(never)]
    fn visit_float_as_integer<'de, E: de::Error>(self, value: f64) -> Result<V::Value, E>
    where
        V: Visitor<'de>,
    {
        if self.at.non_null().types & INTEGER != 0 && value.fract() == 0.0 {
            if (0.0..18_446_744_073_709_551_616.0).contains(&value) {
                let n = value as u64;
                self.at.check_unsigned(n);
                return self.visitor.visit_u64(n);
            }
            if (-9_223_372_036_854_775_808.0..0.0).contains(&value) {
                let n = value as i64;
                self.at.check_signed(n);
                return self.visitor.visit_i64(n);
            }
        }
        self.at.refuse();
        self.visitor.visit_f64(value)
    }
}

/// Forwards `Deserializer` methods to `self.de`, wrapping the visitor in
/// `$wrapper` (which also takes `self.$field`). Methods with
/// extra arguments list them: `deserialize_tuple(len: usize)`.
macro_rules! forward_wrapped {
    ($wrapper:ident { $field:ident }; $($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            #[inline(always)]
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
                self.de.$method($($arg,)* $wrapper { visitor, $field: self.$field })
            }
        )*
    };
}

/// Forwards, through [`forward_wrapped`], every `Deserializer` method but
/// `deserialize_enum` and `deserialize_ignored_any`, which [`Guided`]
/// handles itself.
macro_rules! forward_value_methods {
    ($wrapper:ident { $field:ident }) => {
        forward_wrapped!(
            $wrapper { $field };
            deserialize_any(),
            deserialize_bool(),
            deserialize_i8(),
            deserialize_i16(),
            deserialize_i32(),
            deserialize_i64(),
            deserialize_i128(),
            deserialize_u8(),
            deserialize_u16(),
            deserialize_u32(),
            deserialize_u64(),
            deserialize_u128(),
            deserialize_f32(),
            deserialize_f64(),
            deserialize_char(),
            deserialize_str(),
            deserialize_string(),
            deserialize_bytes(),
            deserialize_byte_buf(),
            deserialize_option(),
            deserialize_unit(),
            deserialize_seq(),
            deserialize_map(),
            deserialize_identifier(),
            deserialize_unit_struct(name: &'static str),
            deserialize_newtype_struct(name: &'static str),
            deserialize_tuple(len: usize),
            deserialize_tuple_struct(name: &'static str, len: usize),
            deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        );
    };
}

/// Forwards every `Deserializer` method, for a wrapper that watches what
/// is read and checks nothing of its own.
macro_rules! forward_every_method {
    ($wrapper:ident { $field:ident }) => {
        forward_value_methods!($wrapper { $field });
        forward_wrapped!(
            $wrapper { $field };
            deserialize_ignored_any(),
            deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        );

        fn is_human_readable(&self) -> bool {
            self.de.is_human_readable()
        }
    };
}

impl<'de, 'a, D: Deserializer<'de>> Deserializer<'de> for Guided<'a, D> {
    type Error = D::Error;

    forward_value_methods!(GuidedVisitor { at });

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let node = self.at.non_null();
        if node.types != STRING || node.string_enum.is_none() {
            self.at.refuse();
            return self.de.deserialize_enum(name, variants, visitor);
        }
        if node.variants.is_empty() {
            // A unit enum: strings only (serde_json would also take
            // `{"Variant": null}`).
            return self.de.deserialize_str(UnitVariantVisitor {
                visitor,
                at: self.at,
            });
        }
        // Read as a JSON value, so that a string (a unit variant) and an
        // object (a data variant) are told apart.
        self.de.deserialize_any(ExternalVisitor {
            visitor,
            at: self.at,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // Still walked, to check the value and its depth.
        self.de.deserialize_any(GuidedVisitor {
            visitor,
            at: self.at,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for GuidedVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    #[inline(always)]
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        let node = self.at.non_null();
        self.at
            .require(node.types & BOOLEAN != 0 && node.string_enum.is_none());
        self.visitor.visit_bool(value)
    }

    #[inline(always)]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.at.check_signed(value);
        self.visitor.visit_i64(value)
    }

    #[inline(always)]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.at.check_unsigned(value);
        self.visitor.visit_u64(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<V::Value, E> {
        self.at.check_wide_integer(value);
        self.visitor.visit_i128(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<V::Value, E> {
        match i128::try_from(value) {
            Ok(value) => self.at.check_wide_integer(value),
            Err(_) => self.at.refuse(),
        }
        self.visitor.visit_u128(value)
    }

    #[inline(always)]
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        if self.at.non_null().types & NUMBER == 0 {
            return self.visit_float_as_integer(value);
        }
        self.at.check_float(value);
        self.visitor.visit_f64(value)
    }

    #[inline(always)]
    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_str(value)
    }

    #[inline(always)]
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_borrowed_str(value)
    }

    #[inline(always)]
    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.at.check_string(&value);
        self.visitor.visit_string(value)
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<V::Value, E> {
        self.at.refuse();
        self.visitor.visit_bytes(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.at.require(self.at.null_ok);
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.at.require(self.at.null_ok);
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<V::Value, D2::Error> {
        self.visitor.visit_some(Guided {
            de: deserializer,
            at: self.at,
        })
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(
        self,
        deserializer: D2,
    ) -> Result<V::Value, D2::Error> {
        self.visitor.visit_newtype_struct(Guided {
            de: deserializer,
            at: self.at,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let node = self.at.non_null();
        self.at
            .require(node.types & ARRAY != 0 && node.string_enum.is_none());
        let mut guided = GuidedSeq {
            seq,
            prefix: &node.prefix_items,
            items: self.at.open().at(node.items.unwrap_or(self.at.plan().any)),
            count: 0,
            max: node.max_items,
        };
        let result = self.visitor.visit_seq(&mut guided);
        if node.min_items.is_some_and(|min| guided.count < min) {
            self.at.refuse();
        }
        result
    }

    #[inline(always)]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let node = self.at.non_null();
        self.at
            .require(node.types & OBJECT != 0 && node.string_enum.is_none());
        let inner = self.at.open();
        let mut guided = GuidedMap {
            map,
            at: inner,
            keys: Keys {
                object: node,
                guess: 0,
                found: NO_PROPERTY,
            },
            union: node.tagged.as_ref(),
            seen: 0,
            count: 0,
            value_at: inner.at(inner.plan().any),
        };
        let result = self.visitor.visit_map(&mut guided);
        let required = guided.keys.object.required;
        self.at
            .require(guided.union.is_none() && guided.seen & required == required);
        result
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.at.refuse();
        self.visitor.visit_enum(data)
    }
}

struct GuidedSeq<'p, A> {
    seq: A,
    /// The nodes of the first items, for a tuple.
    prefix: &'p [NodeId],
    /// The items after those.
    items: Cursor<'p>,
    count: u64,
    max: Option<u64>,
}

impl<'de, 'p, A: SeqAccess<'de>> SeqAccess<'de> for GuidedSeq<'p, A> {
    type Error = A::Error;

    #[inline(always)]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let result = if self.prefix.is_empty() {
            self.seq.next_element_seed(GuidedSeed {
                seed,
                at: &self.items,
            })
        } else {
            let at = self.tuple_item();
            self.seq.next_element_seed(GuidedSeed { seed, at: &at })
        };
        if matches!(result, Ok(Some(_))) {
            self.count += 1;
            if self.max.is_some_and(|max| self.count > max) {
                self.items.refuse();
            }
        }
        result
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

impl<'p, A> GuidedSeq<'p, A> {
    /// The cursor of the next item of a tuple.
    #[inline(never)]
    fn tuple_item(&self) -> Cursor<'p> {
        match usize::try_from(self.count)
            .ok()
            .and_then(|index| self.prefix.get(index))
        {
            Some(&node) => self.items.at(node),
            None => self.items,
        }
    }
}

struct GuidedMap<'p, A> {
    map: A,
    /// The children's cursor (its node is replaced per value).
    at: Cursor<'p>,
    keys: Keys<'p>,
    /// A union whose tag is still to be read: it must be the first key,
    /// and the next value is the tag's.
    union: Option<&'p Tagged>,
    seen: u64,
    count: u64,
    /// Where the next value is.
    value_at: Cursor<'p>,
}

/// [`Keys::found`] when the last key named no property.
const NO_PROPERTY: usize = usize::MAX;

/// Finds the property a key names, as the key is read.
struct Keys<'p> {
    /// The node whose properties apply (a union's branch once its tag is
    /// read).
    object: &'p Node,
    /// The property expected next: keys usually come in schema order.
    guess: usize,
    /// The index of the property the last key names, or [`NO_PROPERTY`]
    /// (also when it was not read as a string).
    found: usize,
}

/// What learns from a string serde reads (a key, or a tag's value) without
/// changing what serde is given.
trait Watch {
    fn saw(self, text: &str);
}

/// Finds the property a key names.
impl Watch for &mut Keys<'_> {
    #[inline(always)]
    fn saw(self, key: &str) {
        let properties = &self.object.properties;
        let index = if properties
            .get(self.guess)
            .is_some_and(|(name, _)| same(name, key))
        {
            self.guess
        } else {
            match properties.iter().position(|(name, _)| same(name, key)) {
                Some(index) => index,
                None => {
                    self.found = NO_PROPERTY;
                    return;
                }
            }
        };
        self.guess = index + 1;
        self.found = index;
    }
}

/// Which of a union's branches (or an enum's variants) a tag picks.
struct TagWatch<'a, 'p, C> {
    choices: &'p [C],
    /// The choice the string named.
    picked: &'a mut Option<&'p C>,
}

/// Records the choice a tag names; none when it names none (or is not a
/// string), and the plan then refuses the payload.
impl<C: Choice> Watch for TagWatch<'_, '_, C> {
    #[inline(always)]
    fn saw(self, tag: &str) {
        *self.picked = self.choices.iter().find(|choice| same(choice.name(), tag));
    }
}

/// A seed whose string is shown to a [`Watch`] as serde reads it.
struct WatchedSeed<S, W> {
    seed: S,
    watch: W,
}

impl<'de, S: DeserializeSeed<'de>, W: Watch> DeserializeSeed<'de> for WatchedSeed<S, W> {
    type Value = S::Value;

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(WatchedDeserializer {
            de: deserializer,
            watch: self.watch,
        })
    }
}

struct WatchedDeserializer<D, W> {
    de: D,
    watch: W,
}

struct WatchedVisitor<V, W> {
    visitor: V,
    watch: W,
}

impl<'de, D: Deserializer<'de>, W: Watch> Deserializer<'de> for WatchedDeserializer<D, W> {
    type Error = D::Error;

    forward_every_method!(WatchedVisitor { watch });
}

impl<'de, V: Visitor<'de>, W: Watch> Visitor<'de> for WatchedVisitor<V, W> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    #[inline(always)]
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.watch.saw(value);
        self.visitor.visit_borrowed_str(value)
    }

    #[inline(always)]
    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.watch.saw(value);
        self.visitor.visit_str(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.watch.saw(&value);
        self.visitor.visit_string(value)
    }

    // Anything else is not shown to the watch: a key read as a number
    // (a `HashMap<u32, _>`) names no property, and a tag that is not a
    // string picks no branch.
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        self.visitor.visit_bool(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.visitor.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.visitor.visit_u64(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<V::Value, E> {
        self.visitor.visit_i128(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<V::Value, E> {
        self.visitor.visit_u128(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        self.visitor.visit_f64(value)
    }

    fn visit_char<E: de::Error>(self, value: char) -> Result<V::Value, E> {
        self.visitor.visit_char(value)
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<V::Value, E> {
        self.visitor.visit_bytes(value)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, value: &'de [u8]) -> Result<V::Value, E> {
        self.visitor.visit_borrowed_bytes(value)
    }

    fn visit_byte_buf<E: de::Error>(self, value: Vec<u8>) -> Result<V::Value, E> {
        self.visitor.visit_byte_buf(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, _: D2) -> Result<V::Value, D2::Error> {
        Err(reject())
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, _: D2) -> Result<V::Value, D2::Error> {
        Err(reject())
    }

    fn visit_seq<A2: SeqAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }

    fn visit_map<A2: MapAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }

    fn visit_enum<A2: EnumAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }
}

/// String equality without a call to `memcmp`, for the short strings
/// property names are: two overlapping word loads cover 4 to 16 bytes.
#[inline(always)]
fn same(a: &str, b: &str) -> bool {
    #[inline(always)]
    fn word4(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }
    #[inline(always)]
    fn word8(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes([
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
            bytes[at + 4],
            bytes[at + 5],
            bytes[at + 6],
            bytes[at + 7],
        ])
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0 => true,
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        _ => a == b,
    }
}

impl<'de, 'p, A: MapAccess<'de>> MapAccess<'de> for GuidedMap<'p, A> {
    type Error = A::Error;

    #[inline(always)]
    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.keys.found = NO_PROPERTY;
        let result = self.map.next_key_seed(WatchedSeed {
            seed,
            watch: &mut self.keys,
        });
        if matches!(result, Ok(Some(_))) {
            self.take_key();
        }
        result
    }

    #[inline(always)]
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        // serde_json's own map refuses a value that follows no key.
        match self.union.take() {
            None => self.map.next_value_seed(GuidedSeed {
                seed,
                at: &self.value_at,
            }),
            Some(union) => {
                let mut picked = None;
                let result = self.map.next_value_seed(WatchedSeed {
                    seed,
                    watch: TagWatch {
                        choices: &union.branches,
                        picked: &mut picked,
                    },
                });
                match picked {
                    Some(picked) => {
                        let branch = self.at.at(picked.node).node;
                        self.keys.object = branch;
                        self.keys.guess = picked.tag_index + 1;
                        self.seen |= 1 << picked.tag_index;
                        self.at.require(self.count <= branch.max_properties);
                    }
                    None => self.at.refuse(),
                }
                result
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

impl<A> GuidedMap<'_, A> {
    /// Counts the key just read and picks its value's node.
    #[inline(always)]
    fn take_key(&mut self) {
        self.count += 1;
        let object = self.keys.object;
        let index = self.keys.found;
        self.at.require(self.count <= object.max_properties);
        if self.union.is_some() {
            // The union's only property is its tag.
            self.at.require(index == 0);
            return;
        }
        if index != NO_PROPERTY {
            self.seen |= 1 << index;
            self.value_at = self.at.at_resolved(object.property_targets[index]);
            return;
        }
        let plan = self.at.plan();
        self.value_at = match object.additional {
            Additional::Any => self.at.at(plan.any),
            Additional::Deny => {
                self.at.refuse();
                self.at.at(plan.any)
            }
            Additional::Node(node) => self.at.at(node),
        };
    }
}

struct GuidedSeed<'a, S> {
    seed: S,
    at: &'a Cursor<'a>,
}

impl<'de, 'a, S: DeserializeSeed<'de>> DeserializeSeed<'de> for GuidedSeed<'a, S> {
    type Value = S::Value;

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Guided {
            de: deserializer,
            at: self.at,
        })
    }
}

/// Reads an externally tagged enum: a unit variant from a string, a data
/// variant from an object with one key.
struct ExternalVisitor<'a, V> {
    visitor: V,
    at: &'a Cursor<'a>,
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for ExternalVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_borrowed_str(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_str(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_string(value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let variants = &self.at.non_null().variants;
        self.visitor.visit_enum(ExternalAccess {
            map,
            variants,
            at: self.at.open(),
        })
    }
}

/// `{"<name>": <value>}` as serde's enum access.
struct ExternalAccess<'p, A> {
    map: A,
    variants: &'p [Variant],
    /// Inside the object.
    at: Cursor<'p>,
}

impl<'de, 'p, A: MapAccess<'de>> EnumAccess<'de> for ExternalAccess<'p, A> {
    type Error = A::Error;
    type Variant = ExternalVariant<'p, A>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let mut picked = None;
        let name = self
            .map
            .next_key_seed(WatchedSeed {
                seed,
                watch: TagWatch {
                    choices: self.variants,
                    picked: &mut picked,
                },
            })?
            .ok_or_else(reject)?;
        let at = match picked {
            Some(variant) => self.at.at(variant.node),
            None => {
                self.at.refuse();
                self.at.at(self.at.plan().any)
            }
        };
        Ok((name, ExternalVariant { map: self.map, at }))
    }
}

struct ExternalVariant<'p, A> {
    map: A,
    /// The variant's value.
    at: Cursor<'p>,
}

impl<'de, A: MapAccess<'de>> ExternalVariant<'_, A> {
    /// The object must end after the variant's value.
    fn end(mut self) -> Result<(), A::Error> {
        if self.map.next_key::<de::IgnoredAny>()?.is_some() {
            self.at.refuse();
        }
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> de::VariantAccess<'de> for ExternalVariant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        // Unit variants are strings, never `{"<name>": null}`; only data
        // variants are in the object form's choices anyway.
        Err(reject())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<S::Value, A::Error> {
        let value = self
            .map
            .next_value_seed(GuidedSeed { seed, at: &self.at })?;
        self.end()?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'de>>(
        mut self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let value = self.map.next_value_seed(VariantValueSeed {
            shape: VariantShape::Tuple(len),
            visitor,
            at: &self.at,
        })?;
        self.end()?;
        Ok(value)
    }

    fn struct_variant<V: Visitor<'de>>(
        mut self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let value = self.map.next_value_seed(VariantValueSeed {
            shape: VariantShape::Struct(fields),
            visitor,
            at: &self.at,
        })?;
        self.end()?;
        Ok(value)
    }
}

enum VariantShape {
    Tuple(usize),
    Struct(&'static [&'static str]),
}

/// The value of a tuple or struct variant, read through the plan.
struct VariantValueSeed<'a, V> {
    shape: VariantShape,
    visitor: V,
    at: &'a Cursor<'a>,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for VariantValueSeed<'_, V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        let guided = Guided {
            de: deserializer,
            at: self.at,
        };
        match self.shape {
            VariantShape::Tuple(len) => guided.deserialize_tuple(len, self.visitor),
            VariantShape::Struct(fields) => guided.deserialize_struct("", fields, self.visitor),
        }
    }
}

/// Reads a unit variant from a string only.
struct UnitVariantVisitor<'a, V> {
    visitor: V,
    at: &'a Cursor<'a>,
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for UnitVariantVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_enum(BorrowedStrDeserializer::new(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_enum(StrDeserializer::new(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.at.check_string(&value);
        self.visitor.visit_enum(StringDeserializer::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    fn plan(schema: Value) -> Option<Plan> {
        Plan::compile(&schema, &crate::validation::options())
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Point {
        x: u8,
        y: Option<f64>,
    }

    #[test]
    fn structs_given_as_arrays_are_rejected() {
        let plan = plan(json!({
            "type": "object",
            "properties": {"x": {"type": "integer", "minimum": 0, "maximum": 255}, "y": {"type": ["number", "null"]}},
            "required": ["x"]
        }))
        .expect("plan");
        assert_eq!(
            plan.decode::<Point>(br#"{"x": 3}"#, 8),
            Some(Point { x: 3, y: None })
        );
        assert_eq!(
            plan.decode::<Point>(br#"{"x": 3.0, "y": 1}"#, 8),
            Some(Point { x: 3, y: Some(1.0) })
        );
        assert_eq!(plan.decode::<Point>(b"[3, null]", 8), None);
        assert_eq!(plan.decode::<Point>(br#"{"x": 3.5}"#, 8), None);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Shape {
        Circle { r: f64 },
        Square(u8),
        Empty,
    }

    #[test]
    fn externally_tagged_enums_take_strings_for_unit_variants_and_objects_for_data() {
        let plan = plan(json!({
            "oneOf": [
                {"type": "string", "enum": ["Empty"]},
                {
                    "type": "object",
                    "properties": {"Circle": {
                        "type": "object",
                        "properties": {"r": {"type": "number", "minimum": 0}},
                        "required": ["r"]
                    }},
                    "required": ["Circle"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {"Square": {"type": "integer", "minimum": 0, "maximum": 9}},
                    "required": ["Square"],
                    "additionalProperties": false
                }
            ]
        }))
        .expect("plan");
        let decode = |json: &str| plan.decode::<Shape>(json.as_bytes(), 8);
        assert_eq!(decode(r#""Empty""#), Some(Shape::Empty));
        assert_eq!(decode(r#"{"Square": 3}"#), Some(Shape::Square(3)));
        assert_eq!(
            decode(r#"{"Circle": {"r": 1.5}}"#),
            Some(Shape::Circle { r: 1.5 })
        );
        // What serde would take and the schema does not, and the plan's own
        // constraints: left to the validator.
        for refused in [
            r#"{"Empty": null}"#,
            r#""Circle""#,
            r#"{"Square": 12}"#,
            r#"{"Circle": {"r": -1}}"#,
            r#"{"Square": 3, "Circle": {"r": 1}}"#,
            r#"{}"#,
            r#"["Square", 3]"#,
        ] {
            assert_eq!(decode(refused), None, "{refused}");
        }
        // Each object level counts toward the depth limit.
        assert_eq!(plan.decode::<Shape>(br#"{"Circle": {"r": 1}}"#, 1), None);
        assert!(
            plan.decode::<Shape>(br#"{"Circle": {"r": 1}}"#, 2)
                .is_some()
        );
    }

    #[test]
    fn key_comparison_sees_every_byte() {
        for len in 0..=40 {
            let a: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same(&a, &a.clone()), "{a}");
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] = b'_';
                let b = String::from_utf8(b).expect("ascii");
                assert!(!same(&a, &b), "{a} vs {b}");
            }
            assert!(!same(&a, &format!("{a}x")));
        }
    }

    #[test]
    fn exact_numeric_bounds() {
        assert_eq!(
            compare_integer_float(9_007_199_254_740_993, 9_007_199_254_740_992.0),
            Some(Ordering::Greater)
        );
        assert_eq!(compare_integer_float(3, 3.5), Some(Ordering::Less));
        assert_eq!(compare_integer_float(-3, -3.5), Some(Ordering::Greater));
        assert_eq!(compare_integer_float(4, 4.0), Some(Ordering::Equal));
    }

    /// The integer ranges decide like the exact comparison (and the
    /// safe-integer policy), for integer and fractional bounds, inclusive
    /// and exclusive, near every edge.
    #[test]
    fn integer_ranges_match_exact_bounds() {
        let bounds = [
            json!(0),
            json!(-3),
            json!(7),
            json!(2.5),
            json!(-2.5),
            json!(3.0),
            json!(9_007_199_254_740_992.0),
            json!(18_446_744_073_709_551_615_u64),
            json!(-9_223_372_036_854_775_808_i64),
            json!(1e300),
            json!(-1e300),
        ];
        let values: Vec<i128> = [
            0,
            1,
            -1,
            2,
            3,
            4,
            -2,
            -3,
            -4,
            6,
            7,
            8,
            9_007_199_254_740_991,
            9_007_199_254_740_992,
            9_007_199_254_740_993,
            i128::from(i64::MIN),
            i128::from(i64::MIN) + 1,
            i128::from(i64::MAX),
            i128::from(u64::MAX),
            i128::from(u64::MAX) - 1,
        ]
        .to_vec();
        let keywords = ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"];
        let mut schemas = vec![json!({"type": "integer"}), json!({"type": "string"})];
        for (i, first) in keywords.iter().enumerate() {
            for bound in &bounds {
                schemas.push(json!({"type": "integer", *first: bound}));
                for second in &keywords[i + 1..] {
                    for other in &bounds {
                        schemas.push(json!({"type": "number", *first: bound, *second: other}));
                    }
                }
            }
        }
        for schema in schemas {
            let plan = plan(schema.clone()).expect("plan");
            let node = &plan.nodes[plan.root];
            for &value in &values {
                // The ranges also hold the safe-integer policy.
                let exact = node.types & (INTEGER | NUMBER) != 0
                    && number_ok(node, Num::from_i128(value))
                    && value.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs().into();
                let by_range = match (u64::try_from(value), i64::try_from(value)) {
                    (Ok(n), _) => node.unsigned_range.0 <= n && n <= node.unsigned_range.1,
                    (_, Ok(n)) => node.signed_range.0 <= n && n <= node.signed_range.1,
                    _ => unreachable!("every test value is a 64-bit integer"),
                };
                assert_eq!(by_range, exact, "{value} against {schema}");
            }
        }
    }

    #[test]
    fn unsupported_keywords_give_no_plan() {
        assert!(plan(json!({"type": "string", "pattern": "^a"})).is_some());
        assert!(plan(json!({"type": "string", "format": "email"})).is_some());
        assert!(plan(json!({"type": "integer", "format": "uint64"})).is_some());
        assert!(plan(json!({"type": "string", "pattern": "("})).is_none());
        assert!(plan(json!({"type": "array", "uniqueItems": true})).is_none());
        assert!(
            plan(json!({"type": "array", "prefixItems": [{"type": "string"}], "maxItems": 1}))
                .is_some()
        );
        assert!(plan(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})).is_none());
        assert!(plan(json!({"$ref": "https://example.com/x"})).is_none());
    }
}
