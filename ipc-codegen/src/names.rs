//! TypeScript names of the manifest's `$defs`, per direction.
//!
//! A definition whose input and output schemas are identical (and only
//! refer to definitions that are identical too) becomes one type. When they
//! differ, the output form keeps the plain name and the input form gets the
//! `Input` suffix: `Note` is what main sends, `NoteInput` what the renderer
//! sends. Names are the `$defs` names, made into identifiers where they are
//! not (`Page<Note>` -> `PageNote`); names that are already identifiers are
//! assigned first, then sanitized ones, then `Input` forms, each in sorted
//! order, and a name already taken gets the first free numeric suffix
//! (`Note2`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ipc_meta::Direction;
use ipc_meta::schema::references;
use serde_json::{Map, Value};

use crate::ts;

/// One TypeScript type to declare for a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declaration {
    pub(crate) name: String,
    /// The `$defs` name.
    pub(crate) key: String,
    /// The direction whose schema is declared.
    pub(crate) direction: Direction,
    /// How the definition relates to the other direction.
    pub(crate) form: Form,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// The same type in both directions, or used in one direction only.
    Single,
    /// Main's form; `input` names the renderer's form.
    Output { input: String },
    /// The renderer's form; `output` names main's form.
    Input { output: String },
}

/// The TypeScript names of every definition.
#[derive(Debug, Clone, Default)]
pub(crate) struct TypeNames {
    input: BTreeMap<String, String>,
    output: BTreeMap<String, String>,
    declarations: Vec<Declaration>,
}

impl TypeNames {
    pub(crate) fn new(input: &Map<String, Value>, output: &Map<String, Value>) -> TypeNames {
        let shared = shared_definitions(input, output);
        let keys: BTreeSet<&String> = input.keys().chain(output.keys()).collect();
        let mut taken: HashSet<String> = HashSet::new();
        let mut names = TypeNames::default();
        // Plain names first, so that `Input` variants never displace them.
        // Names that are already identifiers are kept before sanitized ones
        // may claim them.
        let mut primary: Vec<(&String, String)> = Vec::new();
        for verbatim in [true, false] {
            for key in &keys {
                if (ts::is_identifier(key) && !ts::is_reserved(key)) == verbatim {
                    let name = unique(sanitize(key), &mut taken);
                    primary.push((key, name));
                }
            }
        }
        primary.sort();
        let mut secondary: BTreeMap<&String, String> = BTreeMap::new();
        for (key, name) in &primary {
            if input.contains_key(*key) && output.contains_key(*key) && !shared.contains(*key) {
                secondary.insert(*key, unique(format!("{name}Input"), &mut taken));
            }
        }
        for (key, name) in primary {
            let in_input = input.contains_key(key);
            let in_output = output.contains_key(key);
            if let Some(input_name) = secondary.get(key) {
                names.output.insert(key.clone(), name.clone());
                names.input.insert(key.clone(), input_name.clone());
                names.declarations.push(Declaration {
                    name: name.clone(),
                    key: key.clone(),
                    direction: Direction::Output,
                    form: Form::Output {
                        input: input_name.clone(),
                    },
                });
                names.declarations.push(Declaration {
                    name: input_name.clone(),
                    key: key.clone(),
                    direction: Direction::Input,
                    form: Form::Input { output: name },
                });
                continue;
            }
            if in_output {
                names.output.insert(key.clone(), name.clone());
            }
            if in_input {
                names.input.insert(key.clone(), name.clone());
            }
            names.declarations.push(Declaration {
                name,
                key: key.clone(),
                direction: if in_output {
                    Direction::Output
                } else {
                    Direction::Input
                },
                form: Form::Single,
            });
        }
        names
    }

    /// The name of the `$defs` entry `key` in `direction`.
    pub(crate) fn get(&self, direction: Direction, key: &str) -> Option<&str> {
        match direction {
            Direction::Input => self.input.get(key),
            Direction::Output => self.output.get(key),
        }
        .map(String::as_str)
    }

    /// Every type to declare, sorted by `$defs` name, output before input.
    pub(crate) fn declarations(&self) -> &[Declaration] {
        &self.declarations
    }
}

/// The `$defs` names whose schema is the same in both directions, and whose
/// referenced definitions are all shared as well.
fn shared_definitions(input: &Map<String, Value>, output: &Map<String, Value>) -> BTreeSet<String> {
    let mut shared: BTreeSet<String> = input
        .iter()
        .filter(|(key, schema)| output.get(*key) == Some(*schema))
        .map(|(key, _)| key.clone())
        .collect();
    loop {
        let before = shared.len();
        let dropped: Vec<String> = shared
            .iter()
            .filter(|key| {
                input.get(*key).is_some_and(|schema| {
                    references(schema)
                        .iter()
                        .any(|reference| !shared.contains(reference))
                })
            })
            .cloned()
            .collect();
        for key in dropped {
            shared.remove(&key);
        }
        if shared.len() == before {
            return shared;
        }
    }
}

/// `name`, or `name2`, `name3`, ... whichever is free; marks it taken.
fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{name}{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// A `$defs` name as a TypeScript identifier: kept when it is one; else the
/// runs of identifier characters, each capitalized, joined (`Page<Note>` ->
/// `PageNote`), with `T` in front of a leading digit and `_` after a
/// reserved word.
pub(crate) fn sanitize(key: &str) -> String {
    let mut name = if ts::is_identifier(key) {
        key.to_owned()
    } else {
        key.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .filter(|piece| !piece.is_empty())
            .map(|piece| {
                let mut chars = piece.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect()
    };
    if name.is_empty() {
        name = "Type".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if ts::is_reserved(&name) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn sanitizes_generic_and_odd_names() {
        assert_eq!(sanitize("Page<Note>"), "PageNote");
        assert_eq!(sanitize("Result<u32, my::Error>"), "ResultU32MyError");
        assert_eq!(sanitize("Page_for_Note"), "Page_for_Note");
        assert_eq!(sanitize("2d-point"), "T2dPoint");
        assert_eq!(sanitize("string"), "string_");
        assert_eq!(sanitize("<>"), "Type");
    }

    #[test]
    fn identical_definitions_share_one_name() {
        let schema = json!({"type": "string"});
        let names = TypeNames::new(
            &map(json!({"Id": schema.clone()})),
            &map(json!({"Id": schema})),
        );
        assert_eq!(names.get(Direction::Input, "Id"), Some("Id"));
        assert_eq!(names.get(Direction::Output, "Id"), Some("Id"));
        assert_eq!(names.declarations().len(), 1);
    }

    #[test]
    fn differing_definitions_split_and_propagate_through_references() {
        // `Outer` is identical in both directions but refers to `Inner`,
        // which differs, so `Outer` must split too.
        let input = map(json!({
            "Inner": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Outer": {"type": "array", "items": {"$ref": "#/$defs/Inner"}},
        }));
        let output = map(json!({
            "Inner": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "Outer": {"type": "array", "items": {"$ref": "#/$defs/Inner"}},
        }));
        let names = TypeNames::new(&input, &output);
        assert_eq!(names.get(Direction::Output, "Outer"), Some("Outer"));
        assert_eq!(names.get(Direction::Input, "Outer"), Some("OuterInput"));
        assert_eq!(names.get(Direction::Input, "Inner"), Some("InnerInput"));
        let declared: Vec<&str> = names
            .declarations()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(declared, ["Inner", "InnerInput", "Outer", "OuterInput"]);
    }

    #[test]
    fn clashing_names_get_numeric_suffixes_deterministically() {
        let input = map(json!({
            "Note": {"type": "object"},
            "NoteInput": {"type": "string"},
            "a-b": {"type": "string"},
            "a_b": {"type": "string"},
            "AB": {"type": "number"},
            "A<B>": {"type": "string"},
        }));
        let output = map(json!({"Note": {"type": "object", "required": []}}));
        let names = TypeNames::new(&input, &output);
        assert_eq!(names.get(Direction::Output, "Note"), Some("Note"));
        assert_eq!(names.get(Direction::Input, "NoteInput"), Some("NoteInput"));
        assert_eq!(names.get(Direction::Input, "Note"), Some("NoteInput2"));
        assert_eq!(names.get(Direction::Input, "AB"), Some("AB"));
        assert_eq!(names.get(Direction::Input, "A<B>"), Some("AB2"));
        assert_eq!(names.get(Direction::Input, "a-b"), Some("AB3"));
        assert_eq!(names.get(Direction::Input, "a_b"), Some("a_b"));
    }
}
