//! `ipc_runtime::Wide<T>` fields: `bigint` in TypeScript, a canonical
//! decimal string on the wire, converted by the generated API.
//!
//! Requests are encoded by one generic function (a `bigint` can only be
//! where the type says `Wide`); responses, events and typed errors'
//! details are decoded by functions generated from the schema, one per
//! definition that reaches a `Wide` field, so that only those strings
//! become `bigint`s. Nothing is evaluated at run time.

use std::collections::{BTreeMap, BTreeSet};

use ipc_meta::Direction;
use ipc_meta::schema::reference_key;
use ipc_meta::wide::wide_formats;
use serde_json::{Map, Value};

use crate::names::TypeNames;

/// The format of a `Wide<T>` string schema (`uint64`, `int64`, `uint128`,
/// `int128`): a string with that format and exactly its pattern.
pub(crate) fn wide_format(object: &Map<String, Value>) -> Option<&'static str> {
    // `Option<Wide<T>>` is the same schema with `type: ["string", "null"]`.
    let string = match object.get("type") {
        Some(Value::String(name)) => name == "string",
        Some(Value::Array(names)) => {
            names.iter().any(|n| n == "string")
                && names.iter().all(|n| n == "string" || n == "null")
        }
        _ => false,
    };
    if !string {
        return None;
    }
    let format = object.get("format")?.as_str()?;
    let pattern = object.get("pattern")?.as_str()?;
    wide_formats()
        .into_iter()
        .find(|(name, expected)| *name == format && *expected == pattern)
        .map(|(name, _)| name)
}

/// Whether a schema (through its references) contains a `Wide` field.
pub(crate) fn reaches_wide(schema: &Value, definitions: &Map<String, Value>) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![schema];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                if wide_format(object).is_some() {
                    return true;
                }
                if let Some(key) = reference_key(value)
                    && seen.insert(key.to_owned())
                    && let Some(definition) = definitions.get(key)
                {
                    pending.push(definition);
                }
                pending.extend(object.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    false
}

/// The decoders of one generated file: the functions per definition, and
/// the expressions that call them.
pub(crate) struct Decoders<'a> {
    names: &'a TypeNames,
    definitions: &'a Map<String, Value>,
    direction: Direction,
    /// Per definition key: its function's body, once generated.
    functions: BTreeMap<String, String>,
    pub(crate) problems: Vec<String>,
}

/// The helpers the generated conversions call, each with the helpers it
/// calls itself; only those in use are written (the generated files are
/// compiled with `noUnusedLocals`).
const HELPERS: &[(&str, &str, &[&str])] = &[
    (
        "encodeWide",
        r"/** A request with every `bigint` written as its decimal string. */
function encodeWide(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return value.map(encodeWide)
  if (value !== null && typeof value === 'object') {
    // A null prototype: a `__proto__` key stays an ordinary key.
    const out: Record<string, unknown> = Object.create(null)
    for (const [key, item] of Object.entries(value)) out[key] = encodeWide(item)
    return out
  }
  return value
}",
        &[],
    ),
    (
        "Decode",
        "/** Converts a value main sent, in place where it is an object or an array. */\ntype Decode = (value: any) => any",
        &[],
    ),
    (
        "rethrowDecoded",
        r"/** Converts a typed error's `details`, then rethrows it. */
function rethrowDecoded(error: unknown, decode: Decode): never {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') decode(error)
  throw error
}",
        &["Decode"],
    ),
    (
        "wide",
        "const wide: Decode = (value) => (typeof value === 'string' ? BigInt(value) : value)",
        &["Decode"],
    ),
    (
        "nullable",
        "const nullable = (decode: Decode): Decode => (value) =>\n  value === null || value === undefined ? value : decode(value)",
        &["Decode"],
    ),
    (
        "items",
        "const items = (decode: Decode): Decode => (value) =>\n  Array.isArray(value) ? value.map(decode) : value",
        &["Decode"],
    ),
    (
        "tuple",
        "const tuple = (decoders: readonly Decode[], rest: Decode): Decode => (value) =>\n  Array.isArray(value) ? value.map((item: unknown, i: number) => (decoders[i] ?? rest)(item)) : value",
        &["Decode"],
    ),
    ("keep", "const keep: Decode = (value) => value", &["Decode"]),
    (
        "fields",
        r"const fields = (decoders: Readonly<Record<string, Decode>>, listed: readonly string[], others: Decode): Decode => (value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  for (const key of Object.keys(value)) {
    const decode = Object.prototype.hasOwnProperty.call(decoders, key) ? decoders[key] : listed.includes(key) ? undefined : others
    if (decode !== undefined) value[key] = decode(value[key])
  }
  return value
}",
        &["Decode"],
    ),
    (
        "tagged",
        r"const tagged = (tag: string, branches: Readonly<Record<string, Decode>>): Decode => (value) => {
  if (value === null || typeof value !== 'object') return value
  const name = value[tag]
  const decode = typeof name === 'string' && Object.prototype.hasOwnProperty.call(branches, name) ? branches[name] : undefined
  return decode === undefined ? value : decode(value)
}",
        &["Decode"],
    ),
    (
        "both",
        "const both = (first: Decode, second: Decode): Decode => (value) => second(first(value))",
        &["Decode"],
    ),
];

/// The conversions of one `api.ts`.
pub(crate) struct Codecs<'a> {
    /// Decoders of what main sends.
    pub(crate) decoders: Decoders<'a>,
    /// Every conversion expression handed out, to find the helpers in use.
    used: String,
}

impl<'a> Codecs<'a> {
    pub(crate) fn new(names: &'a TypeNames, output: &'a Map<String, Value>) -> Self {
        Codecs {
            decoders: Decoders::new(names, output, Direction::Output),
            used: String::new(),
        }
    }

    /// `argument`, or its encoding when the payload holds `Wide` fields.
    pub(crate) fn encode(
        &mut self,
        manifest: &ipc_meta::Manifest,
        payload: &Value,
        argument: String,
    ) -> String {
        if reaches_wide(payload, &manifest.input_definitions) {
            let encoded = format!("encodeWide({argument})");
            self.used.push_str(&encoded);
            encoded
        } else {
            argument
        }
    }

    /// What follows an invoke's promise to convert its response and its
    /// typed errors' details; empty when neither holds `Wide` fields.
    pub(crate) fn decode_reply(
        &mut self,
        contract: &ipc_meta::manifest::ContractManifest,
    ) -> String {
        let response = contract.response.as_ref().and_then(|schema| {
            self.decoders
                .decoder(schema, &format!("the response of `{}`", contract.channel))
        });
        let error = contract.error.as_ref().and_then(|error| {
            self.decoders.decoder(
                &error.schema,
                &format!("the error of `{}`", contract.channel),
            )
        });
        let text = match (response, error) {
            (None, None) => String::new(),
            (Some(response), None) => format!(".then({response})"),
            (response, Some(error)) => format!(
                ".then({}, (error: unknown) => rethrowDecoded(error, {error}))",
                response.unwrap_or_else(|| "undefined".to_owned())
            ),
        };
        self.used.push_str(&text);
        text
    }

    /// An event's payload expression, converted when it holds `Wide` fields.
    pub(crate) fn decode_event(
        &mut self,
        contract: &ipc_meta::manifest::ContractManifest,
    ) -> String {
        match self.decoders.decoder(
            &contract.payload,
            &format!("the payload of `{}`", contract.channel),
        ) {
            Some(decoder) => {
                let text = format!("({decoder})(payload)");
                self.used.push_str(&text);
                text
            }
            None => "payload".to_owned(),
        }
    }

    /// The helpers in use and the decoder functions, or nothing.
    pub(crate) fn render(&self) -> String {
        let functions = self.decoders.functions();
        let mut text = self.used.clone();
        for function in &functions {
            text.push_str(function);
        }
        if text.is_empty() {
            return String::new();
        }
        let mut wanted: BTreeSet<&str> = BTreeSet::new();
        let mut pending: Vec<&str> = HELPERS
            .iter()
            .filter(|(name, _, _)| uses(&text, name))
            .map(|(name, _, _)| *name)
            .collect();
        while let Some(name) = pending.pop() {
            if wanted.insert(name)
                && let Some((_, _, needs)) = HELPERS.iter().find(|(n, _, _)| *n == name)
            {
                pending.extend(needs.iter().copied());
            }
        }
        let mut out = String::from(
            "\n// --- Wide integers: `bigint` here, a canonical decimal string on the wire.\n",
        );
        for (name, code, _) in HELPERS {
            if wanted.contains(name) {
                out.push('\n');
                out.push_str(code);
                out.push('\n');
            }
        }
        for function in functions {
            out.push('\n');
            out.push_str(&function);
            out.push('\n');
        }
        out
    }
}

/// Whether `text` uses the helper `name` (as a whole word).
fn uses(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

impl<'a> Decoders<'a> {
    pub(crate) fn new(
        names: &'a TypeNames,
        definitions: &'a Map<String, Value>,
        direction: Direction,
    ) -> Self {
        Decoders {
            names,
            definitions,
            direction,
            functions: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// The function name of definition `key`'s decoder.
    fn function_name(&self, key: &str) -> String {
        let name = self.names.get(self.direction, key).unwrap_or(key);
        let prefix = match self.direction {
            Direction::Input => "decodeInput",
            Direction::Output => "decode",
        };
        format!("{prefix}{name}")
    }

    /// A `Decode` expression for `schema`, or `None` when nothing in it is
    /// a `Wide` field. `place` names it in problems.
    pub(crate) fn decoder(&mut self, schema: &Value, place: &str) -> Option<String> {
        if !reaches_wide(schema, self.definitions) {
            return None;
        }
        let object = schema.as_object()?;
        if wide_format(object).is_some() {
            return Some("wide".to_owned());
        }
        let mut parts = Vec::new();
        if let Some(key) = reference_key(schema) {
            let key = key.to_owned();
            if self.definitions.contains_key(&key) {
                if !self.functions.contains_key(&key) {
                    // Reserved first: a recursive type refers to itself.
                    self.functions.insert(key.clone(), String::new());
                    let definition = &self.definitions[&key];
                    let body = self
                        .decoder(definition, place)
                        .unwrap_or_else(|| "keep".to_owned());
                    self.functions.insert(key.clone(), body);
                }
                parts.push(format!("(value) => {}(value)", self.function_name(&key)));
            }
        }
        if let Some(nullable) = self.nullable(object, place) {
            parts.push(nullable);
        } else {
            if object.get("type").and_then(Value::as_str) == Some("array")
                || object.get("type").is_some_and(|t| {
                    t.as_array()
                        .is_some_and(|types| types.iter().any(|t| t == "array"))
                })
            {
                parts.push(self.array(object, place));
            }
            if ["properties", "additionalProperties", "patternProperties"]
                .iter()
                .any(|k| object.contains_key(*k))
            {
                parts.push(self.object(object, place));
            }
            for keyword in ["oneOf", "anyOf"] {
                if let Some(Value::Array(branches)) = object.get(keyword) {
                    parts.push(self.union(branches, place));
                }
            }
            if let Some(Value::Array(all)) = object.get("allOf") {
                for part in all {
                    if let Some(decoder) = self.decoder(part, place) {
                        parts.push(decoder);
                    }
                }
            }
        }
        let mut parts = parts.into_iter();
        let first = parts.next()?;
        Some(parts.fold(first, |acc, next| format!("both({acc}, {next})")))
    }

    /// `anyOf: [X, null]` or `type: [.., "null"]` around a converting `X`.
    fn nullable(&mut self, object: &Map<String, Value>, place: &str) -> Option<String> {
        if let Some(Value::Array(types)) = object.get("type")
            && types.iter().any(|t| t == "null")
        {
            let mut inner = object.clone();
            let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            inner.insert(
                "type".to_owned(),
                match rest.as_slice() {
                    [single] => single.clone(),
                    _ => Value::Array(rest),
                },
            );
            let decoder = self.decoder(&Value::Object(inner), place)?;
            return Some(format!("nullable({decoder})"));
        }
        let branches = object.get("anyOf")?.as_array()?;
        let is_null = |b: &Value| b.get("type") == Some(&Value::from("null"));
        let inner = match branches.as_slice() {
            [a, b] if is_null(b) => a,
            [a, b] if is_null(a) => b,
            _ => return None,
        };
        let decoder = self.decoder(inner, place)?;
        Some(format!("nullable({decoder})"))
    }

    fn array(&mut self, object: &Map<String, Value>, place: &str) -> String {
        let rest = object
            .get("items")
            .and_then(|items| self.decoder(items, place))
            .unwrap_or_else(|| "keep".to_owned());
        match object.get("prefixItems") {
            Some(Value::Array(prefix)) => {
                let decoders: Vec<String> = prefix
                    .iter()
                    .map(|item| {
                        self.decoder(item, place)
                            .unwrap_or_else(|| "keep".to_owned())
                    })
                    .collect();
                format!("tuple([{}], {rest})", decoders.join(", "))
            }
            _ => format!("items({rest})"),
        }
    }

    fn object(&mut self, object: &Map<String, Value>, place: &str) -> String {
        let mut decoders = Vec::new();
        let mut listed = Vec::new();
        if let Some(Value::Object(properties)) = object.get("properties") {
            for (name, schema) in properties {
                let key = crate::ts::string_literal(name);
                match self.decoder(schema, place) {
                    Some(decoder) => decoders.push(format!("{key}: {decoder}")),
                    None => listed.push(key),
                }
            }
        }
        let mut others: Vec<String> = Vec::new();
        if let Some(additional) = object.get("additionalProperties")
            && let Some(decoder) = self.decoder(additional, place)
        {
            others.push(decoder);
        }
        if let Some(Value::Object(patterns)) = object.get("patternProperties") {
            for schema in patterns.values() {
                if let Some(decoder) = self.decoder(schema, place) {
                    others.push(decoder);
                }
            }
        }
        let others = match others.as_slice() {
            [] => "keep".to_owned(),
            [single] => single.clone(),
            _ => {
                self.problems.push(format!(
                    "{place}: a map with several key patterns holds `Wide` integers; the generated decoder cannot tell which applies"
                ));
                "keep".to_owned()
            }
        };
        format!(
            "fields({}, [{}], {others})",
            braces(&decoders),
            listed.join(", ")
        )
    }

    /// A tagged union picks its branch by the tag; serde's external form
    /// is one object key per variant, decoded as fields. Any other union
    /// cannot tell a `Wide` string from another string.
    fn union(&mut self, branches: &[Value], place: &str) -> String {
        let converting: Vec<&Value> = branches
            .iter()
            .filter(|b| reaches_wide(b, self.definitions))
            .collect();
        if let Some(tag) = common_tag(branches) {
            let mut cases = Vec::new();
            for branch in branches {
                let Some(value) = branch
                    .get("properties")
                    .and_then(|p| p.get(&tag))
                    .and_then(|p| p.get("const"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                if let Some(decoder) = self.decoder(branch, place) {
                    cases.push(format!("{}: {decoder}", crate::ts::string_literal(value)));
                }
            }
            return format!(
                "tagged({}, {})",
                crate::ts::string_literal(&tag),
                braces(&cases)
            );
        }
        let external = converting.iter().all(|branch| {
            branch.get("additionalProperties") == Some(&Value::Bool(false))
                && branch
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.len() == 1)
                && branch
                    .get("required")
                    .and_then(Value::as_array)
                    .map(Vec::len)
                    == Some(1)
        });
        if external {
            let mut decoders = Vec::new();
            for branch in converting {
                if let Some(Value::Object(properties)) = branch.get("properties") {
                    for (name, schema) in properties {
                        if let Some(decoder) = self.decoder(schema, place) {
                            decoders
                                .push(format!("{}: {decoder}", crate::ts::string_literal(name)));
                        }
                    }
                }
            }
            return format!("fields({}, [], keep)", braces(&decoders));
        }
        self.problems.push(format!(
            "{place}: an untagged union holds `Wide` integers; the generated decoder cannot tell their strings from other strings (use a tagged enum)"
        ));
        "keep".to_owned()
    }

    /// The TypeScript of every decoder function generated so far.
    pub(crate) fn functions(&self) -> Vec<String> {
        self.functions
            .iter()
            .map(|(key, body)| {
                format!(
                    "function {}(value: any): any {{\n  return ({body})(value)\n}}",
                    self.function_name(key)
                )
            })
            .collect()
    }
}

/// An object literal of `entries`.
fn braces(entries: &[String]) -> String {
    if entries.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", entries.join(", "))
    }
}

/// The property every branch has as a required string constant, as
/// serde's internally and adjacently tagged enums (and typed errors) do.
fn common_tag(branches: &[Value]) -> Option<String> {
    let first = branches.first()?.get("properties")?.as_object()?;
    first
        .keys()
        .find(|name| {
            branches.iter().all(|branch| {
                branch
                    .get("properties")
                    .and_then(|p| p.get(name.as_str()))
                    .and_then(|p| p.get("const"))
                    .is_some_and(Value::is_string)
                    && branch
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|n| n == name.as_str()))
            })
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipc_runtime::wide::WideInteger;
    use serde_json::json;

    fn wide_u64() -> Value {
        json!({"type": "string", "format": "uint64", "pattern": u64::pattern()})
    }

    fn decode(definitions: Value, schema: Value) -> (Option<String>, Vec<String>, Vec<String>) {
        let Value::Object(definitions) = definitions else {
            panic!("definitions are an object")
        };
        let names = TypeNames::new(&Map::new(), &definitions);
        let mut decoders = Decoders::new(&names, &definitions, Direction::Output);
        let decoder = decoders.decoder(&schema, "the test");
        (decoder, decoders.functions(), decoders.problems)
    }

    #[test]
    fn only_the_exact_wide_schema_is_wide() {
        let exact = wide_u64();
        assert_eq!(
            wide_format(exact.as_object().expect("object")),
            Some("uint64")
        );
        let nullable =
            json!({"type": ["string", "null"], "format": "uint64", "pattern": u64::pattern()});
        assert_eq!(
            wide_format(nullable.as_object().expect("object")),
            Some("uint64")
        );
        // Another string with a number format, or another pattern: a string.
        let loose = json!({"type": "string", "format": "uint64"});
        assert_eq!(wide_format(loose.as_object().expect("object")), None);
        let other = json!({"type": "string", "format": "int64", "pattern": u64::pattern()});
        assert_eq!(wide_format(other.as_object().expect("object")), None);
    }

    #[test]
    fn types_without_wide_fields_get_no_decoder() {
        let (decoder, functions, problems) = decode(
            json!({"A": {"type": "object", "properties": {"n": {"type": "integer"}}}}),
            json!({"$ref": "#/$defs/A"}),
        );
        assert_eq!(decoder, None);
        assert!(functions.is_empty() && problems.is_empty());
    }

    #[test]
    fn recursive_types_get_one_function_each() {
        let (decoder, functions, problems) = decode(
            json!({"Tree": {"type": "object", "properties": {
                "id": wide_u64(),
                "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
            }, "required": ["id", "children"]}}),
            json!({"$ref": "#/$defs/Tree"}),
        );
        assert!(problems.is_empty());
        assert_eq!(decoder.as_deref(), Some("(value) => decodeTree(value)"));
        assert_eq!(
            functions,
            [
                "function decodeTree(value: any): any {\n  return (fields({ 'id': wide, 'children': items((value) => decodeTree(value)) }, [], keep))(value)\n}"
            ]
        );
    }

    #[test]
    fn untagged_unions_with_wide_fields_are_refused() {
        let (_, _, problems) = decode(
            json!({}),
            json!({"anyOf": [wide_u64(), {"type": "string"}, {"type": "integer"}]}),
        );
        assert_eq!(
            problems,
            [
                "the test: an untagged union holds `Wide` integers; the generated decoder cannot tell their strings from other strings (use a tagged enum)"
            ]
        );
    }
}
