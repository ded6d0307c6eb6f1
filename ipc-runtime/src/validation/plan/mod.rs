//! The fast path of inbound validation.
//!
//! A schema is compiled into a [`Plan`]: one node per schema, holding the
//! JSON types it allows and the constraints serde cannot express (string
//! lengths, enums, `pattern` and asserted `format`s, numeric bounds —
//! including the safe-integer clamp — and `multipleOf`, item counts,
//! `uniqueItems`, tuples, required and unknown properties, internally,
//! adjacently and externally tagged enums, untagged unions whose branches
//! allow disjoint JSON types, and `allOf`). The payload is then
//! deserialized straight into the typed value through [`Guided`], a
//! deserializer adapter that checks every value serde reads against its
//! node. Nothing is allocated beyond what the typed value needs (but the
//! item hashes of a `uniqueItems` array).
//!
//! The plan only answers "accept". Any rejection — a constraint, a shape
//! serde would have coerced (a struct given as an array, a unit variant as
//! `{"Variant": null}`), or serde's own error — sends the payload to the
//! JSON Schema validator, which decides and reports exact issues. Every
//! check decides as the validator does: `pattern` is translated and
//! compiled by the validator's own code for the same engine (and an
//! anchored run of ASCII classes is then matched by `classes`, exactly
//! as that engine would), `multipleOf`
//! uses its arithmetic, every asserted `format` but `regex` is checked by
//! the validator's own code (`formats`), and `regex` by a validator of
//! that keyword alone. A schema using a keyword
//! the plan does not check (`not`, `if`, unions whose branches overlap, …)
//! gets no plan: every payload of that contract goes through the
//! validator.
//!
//! The parts: `compile` turns a schema into nodes (`node`), `merge` builds
//! the nodes of unions and `allOf` from others, `cursor` is where a value
//! is in the plan while it is read, `guided` the adapter itself,
//! `containers` its arrays, objects and externally tagged enums,
//! `distinct` the item hashes of `uniqueItems`, `formats` the format
//! checks, and `watchers` the wrappers that see a key or a tag as serde
//! reads it.

#[macro_use]
mod forward;
mod classes;
mod compile;
mod containers;
mod cursor;
mod distinct;
mod formats;
mod guided;
mod merge;
mod node;
mod stride;
#[cfg(test)]
mod tests;
mod watchers;

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::schema::MAX_SAFE_INTEGER;
use crate::wire::json::{TextReader, reads_as_serde_json};
use compile::Compiler;
use cursor::{Cursor, Walk};
use guided::Guided;
use node::{Divisor, NULL, NUMBER, Node, NodeId, integer_range, plain_string_bytes, within};
use stride::Stride;

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
        merge::merge_all(&mut plan)?;
        for node in &mut plan.nodes {
            let (low, high) = integer_range(node);
            node.unsigned_range = within(low.max(0), high.min(safe), (1, 0));
            node.signed_range = within(low.max(-safe), high.min(i64::MAX.into()), (0, -1));
            node.divisors = node.multiple_of.iter().map(|&m| Divisor::new(m)).collect();
            if !node.multiple_of.is_empty() {
                // Checked out of line (see `Cursor::check_unsigned`).
                node.divisible_ranges = (node.unsigned_range, node.signed_range);
                node.unsigned_range = (1, 0);
                node.signed_range = (0, -1);
            }
            // The common node with a divisor: one integral divisor, its
            // multiples in range told apart inline.
            if let [Divisor::Integer(divisor)] = node.divisors[..] {
                let (low, high) = node.divisible_ranges.0;
                node.unsigned_stride = Stride::new(low, high, divisor);
            }
            node.any_float = node.types & NUMBER != 0
                && node.multiple_of.is_empty()
                && node.minimum.is_none()
                && node.maximum.is_none()
                && node.exclusive_minimum.is_none()
                && node.exclusive_maximum.is_none();
            if let [Divisor::Dyadic(_, scale)] = node.divisors[..]
                && node.types & NUMBER != 0
                && node.minimum.is_none()
                && node.maximum.is_none()
                && node.exclusive_minimum.is_none()
                && node.exclusive_maximum.is_none()
            {
                node.float_scale = scale;
            }
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
        match std::str::from_utf8(bytes) {
            Ok(text) => self.decode_text_or(text, max_depth, refused),
            // serde_json refuses it, as it always did.
            Err(_) => self.decode_from(
                serde_json::Deserializer::from_slice(bytes),
                max_depth,
                refused,
            ),
        }
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
        if reads_as_serde_json() {
            let mut reader = TextReader::new(text);
            if let Ok(value) = self.decode_within(&mut reader, max_depth)
                && reader.end().is_ok()
            {
                return Ok(value);
            }
        }
        // Declined, invalid or refused: serde_json's reading is the answer.
        self.decode_from(serde_json::Deserializer::from_str(text), max_depth, refused)
    }

    /// Decodes the value `deserializer` reads next, as
    /// [`decode`](Self::decode) does, but leaves whatever follows it to the
    /// caller (a payload read in its envelope's pass). A value the plan
    /// refuses is an error, which ends the caller's parse.
    #[inline(always)]
    pub(crate) fn decode_within<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
        &self,
        deserializer: D,
        max_depth: usize,
    ) -> Result<T, D::Error> {
        let walk = Walk {
            plan: self,
            refused: Cell::new(false),
        };
        let root = self.root_cursor(&walk, max_depth);
        let value = T::deserialize(Guided {
            de: deserializer,
            at: &root,
        })?;
        if walk.refused.get() {
            return Err(cursor::reject());
        }
        Ok(value)
    }

    /// The cursor at the plan's root, for one walk.
    #[inline(always)]
    fn root_cursor<'p>(&'p self, walk: &'p Walk<'p>, max_depth: usize) -> Cursor<'p> {
        let (root, null_ok) = self.resolved[self.root];
        Cursor {
            walk,
            node: &self.nodes[root],
            null_ok,
            depth: max_depth,
        }
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
        let root = self.root_cursor(&walk, max_depth);
        match T::deserialize(Guided {
            de: &mut deserializer,
            at: &root,
        }) {
            Ok(value) if !walk.refused.get() && deserializer.end().is_ok() => Ok(value),
            _ => refused(),
        }
    }
}
