//! `errors.ts`: the runtime's error classes (`templates/ts/errors.ts`,
//! with the framework error table), then one typed error union, codes and
//! guard per Rust error type, with each invoke contract's own names as
//! aliases of them.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use ipc_meta::manifest::{ContractManifest, ErrorManifest};
use ipc_meta::naming::{upper_camel_case, words};
use ipc_meta::schema::reference_key;
use ipc_meta::{ContractKind, Direction, Manifest};
use serde_json::Value;

use super::api::method_name;
use super::runtime::runtime_errors;
use super::{HEADER, paragraph};
use crate::mapper::Mapper;
use crate::names::TypeNames;
use crate::ts::{self, Property, TsObject, TsType, UnionMember};

#[derive(Template)]
#[template(path = "codegen/errors.ts", escape = "none")]
struct ErrorsTs {
    header: &'static str,
    runtime: String,
    imports: Vec<String>,
    /// The unions of typed errors: one per Rust error type, and one per
    /// contract whose error could not be shared.
    unions: Vec<ErrorUnionView>,
    /// The per-contract names of shared unions.
    aliases: Vec<ErrorAliasView>,
}

/// The typed errors of a manifest's invoke contracts.
pub(super) struct TypedErrors {
    unions: Vec<ErrorUnionView>,
    aliases: Vec<ErrorAliasView>,
}

/// A union of typed errors, its codes and its guard.
struct ErrorUnionView {
    doc: String,
    /// What the guard's doc says the union holds.
    subject: String,
    names: ErrorNames,
    ty: String,
    codes: String,
}

/// A contract's names for the union of its error type.
struct ErrorAliasView {
    contract: String,
    own: ErrorNames,
    shared: ErrorNames,
}

/// The three names a union of typed errors is declared under.
#[derive(Clone)]
pub(super) struct ErrorNames {
    pub(super) type_name: String,
    codes_name: String,
    pub(super) guard_name: String,
}

impl ErrorNames {
    /// `notes` + `save` -> `NotesSaveError`, `NOTES_SAVE_ERROR_CODES`,
    /// `isNotesSaveError`.
    pub(super) fn of_contract(contract: &ContractManifest) -> ErrorNames {
        let type_name = format!(
            "{}{}Error",
            upper_camel_case(&contract.namespace),
            upper_camel_case(&contract.method)
        );
        let code_words = words(&contract.namespace)
            .into_iter()
            .chain(words(&contract.method))
            .chain(["error".to_owned(), "codes".to_owned()]);
        ErrorNames::new(type_name, code_words)
    }

    /// The TypeScript name `NoteError` of a Rust error type -> `IPCNoteError`,
    /// `IPC_NOTE_ERROR_CODES`, `isIPCNoteError`: the error as it arrives
    /// over IPC, named like the runtime's `IPCHandlerError`.
    fn of_error_type(ts_name: &str) -> ErrorNames {
        let code_words = std::iter::once("ipc".to_owned())
            .chain(words(ts_name))
            .chain(std::iter::once("codes".to_owned()));
        ErrorNames::new(format!("IPC{ts_name}"), code_words)
    }

    /// The guard is `is` + the type; the codes constant is the words in
    /// SCREAMING_SNAKE_CASE.
    fn new(type_name: String, code_words: impl Iterator<Item = String>) -> ErrorNames {
        let code_words: Vec<String> = code_words.map(|word| word.to_uppercase()).collect();
        ErrorNames {
            guard_name: format!("is{type_name}"),
            type_name,
            codes_name: code_words.join("_"),
        }
    }

    fn all(&self) -> [&String; 3] {
        [&self.type_name, &self.codes_name, &self.guard_name]
    }
}

/// The names `templates/ts/errors.ts` declares at the top level.
pub(super) fn runtime_error_names() -> BTreeSet<String> {
    runtime_errors()
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("export ")?;
            let rest = rest.strip_prefix("declare ").unwrap_or(rest);
            let rest = rest.strip_prefix("abstract ").unwrap_or(rest);
            let rest = rest.strip_prefix("async ").unwrap_or(rest);
            let (_, rest) = rest.split_once(' ')?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// The `$defs` name of an error type, when its schema is a plain reference
/// to one (as `#[contract_error]` types always are).
fn error_definition(error: &ErrorManifest) -> Option<&str> {
    let schema = error.schema.as_object()?;
    if schema.len() != 1 {
        return None;
    }
    reference_key(&error.schema)
}

/// Claims `names` for `owner`, or, when some are taken, claims none and
/// returns those with who declares them.
fn claim<'n>(
    taken: &mut BTreeMap<String, String>,
    names: &'n ErrorNames,
    owner: &str,
) -> Vec<(&'n String, String)> {
    let clashes: Vec<(&String, String)> = names
        .all()
        .into_iter()
        .filter_map(|name| Some((name, taken.get(name)?.clone())))
        .collect();
    if clashes.is_empty() {
        for name in names.all() {
            taken.insert(name.clone(), owner.to_owned());
        }
    }
    clashes
}

/// The typed errors of the invoke contracts. Contracts whose error is the
/// same Rust type share one union, declared under the type's name, and get
/// their own names as aliases of it.
pub(super) fn contract_errors(
    manifest: &Manifest,
    names: &TypeNames,
    problems: &mut Vec<String>,
) -> TypedErrors {
    let mut taken: BTreeMap<String, String> = runtime_error_names()
        .into_iter()
        .map(|name| (name, "templates/ts/errors.ts".to_owned()))
        .collect();
    let mapper = Mapper::new(
        names,
        &manifest.output_definitions,
        Direction::Output,
        "types.",
    );
    /// An invoke contract with a typed error, under its own names.
    struct Owned<'m> {
        error: &'m ErrorManifest,
        /// `namespace.method`, as the generated API spells it.
        display: String,
        own: ErrorNames,
    }

    // The contracts' own names come first: they are the public API, and a
    // shared name that would collide with one is simply not used.
    let mut owned = Vec::new();
    for contract in &manifest.contracts {
        let Some(error) = &contract.error else {
            continue;
        };
        if contract.kind != ContractKind::Invoke {
            continue;
        }
        let own = ErrorNames::of_contract(contract);
        let clashes = claim(&mut taken, &own, &format!("`{}`", contract.channel));
        for (name, owner) in &clashes {
            problems.push(format!(
                "the typed error of `{}` would be named `{name}`, which {owner} already declares",
                contract.channel
            ));
        }
        if clashes.is_empty() {
            owned.push(Owned {
                error,
                display: format!("{}.{}", contract.namespace, method_name(contract)),
                own,
            });
        }
    }

    // One union per Rust error type, in `$defs` order; each entry is the
    // indices in `owned` of the contracts that throw it.
    let mut by_definition: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, contract) in owned.iter().enumerate() {
        if let Some(definition) = error_definition(contract.error) {
            by_definition.entry(definition).or_default().push(index);
        }
    }
    let mut unions = Vec::new();
    let mut shared_of: Vec<Option<ErrorNames>> = vec![None; owned.len()];
    for (definition, users) in &by_definition {
        let Some(ts_name) = names.get(Direction::Output, definition) else {
            continue;
        };
        let shared = ErrorNames::of_error_type(ts_name);
        let error = owned[users[0]].error;
        let rust_path = &error.rust_path;
        if !claim(&mut taken, &shared, &format!("`{rust_path}`")).is_empty() {
            continue;
        }
        let thrown: Vec<String> = users
            .iter()
            .map(|&index| format!("`{}`", owned[index].display))
            .collect();
        for &index in users {
            shared_of[index] = Some(shared.clone());
        }
        unions.push(error_union_view(
            &mapper,
            error,
            shared,
            format!(
                "The typed errors of Rust `{rust_path}`, as {}.",
                thrown_by(&thrown)
            ),
            format!("Rust `{rust_path}`"),
        ));
    }

    let mut aliases = Vec::new();
    for (contract, shared) in owned.into_iter().zip(shared_of) {
        let Owned {
            error,
            display,
            own,
        } = contract;
        match shared {
            Some(shared) => aliases.push(ErrorAliasView {
                contract: display,
                own,
                shared,
            }),
            None => unions.push(error_union_view(
                &mapper,
                error,
                own,
                format!(
                    "The typed errors of `{display}` (Rust `{}`).",
                    error.rust_path
                ),
                format!("`{display}`"),
            )),
        }
    }
    TypedErrors { unions, aliases }
}

/// "thrown by `a.b`", "thrown by `a.b` and `c.d`", "thrown by `a`, `b` and `c`".
fn thrown_by(users: &[String]) -> String {
    match users {
        [] => "thrown by no contract".to_owned(),
        [one] => format!("thrown by {one}"),
        [rest @ .., last] => format!("thrown by {} and {last}", rest.join(", ")),
    }
}

fn error_union_view(
    mapper: &Mapper<'_>,
    error: &ErrorManifest,
    names: ErrorNames,
    summary: String,
    subject: String,
) -> ErrorUnionView {
    let (ty, mut notes) = error_union(mapper, error);
    let mut doc = vec![
        summary,
        String::new(),
        format!(
            "Each is an {{@link IPCHandlerError}} whose `code` narrows `details`; check with {{@link {}}}.",
            names.guard_name
        ),
    ];
    doc.append(&mut notes);
    let codes = error
        .codes
        .iter()
        .map(|c| ts::string_literal(&c.code))
        .collect::<Vec<_>>()
        .join(", ");
    ErrorUnionView {
        doc: ts::doc_comment(&doc, 0),
        subject,
        names,
        ty: ts::after_operator(&ty.render(0)),
        codes,
    }
}

/// `IPCHandlerError & { code: ..; details: .. }` for each code of an
/// error type, from the adjacently tagged schema.
fn error_union(mapper: &Mapper<'_>, error: &ErrorManifest) -> (TsType, Vec<String>) {
    let mut notes = Vec::new();
    let schema = mapper.resolve(&error.schema);
    let branches: Vec<&Value> = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
        .map(|branches| branches.iter().collect())
        .unwrap_or_else(|| vec![schema]);
    let mut members = Vec::new();
    for code in &error.codes {
        let branch = branches.iter().find(|branch| {
            let branch = mapper.resolve(branch);
            branch
                .pointer("/properties/code/const")
                .and_then(Value::as_str)
                == Some(code.code.as_str())
        });
        let mut property_notes = Vec::new();
        let details = match branch.map(|b| mapper.resolve(b)) {
            Some(branch) => match branch.pointer("/properties/details") {
                Some(details) => {
                    let required = branch
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|n| n == "details"));
                    let ty = mapper.map(details, &mut property_notes);
                    if required {
                        (ty, false)
                    } else {
                        (
                            TsType::union(vec![
                                UnionMember {
                                    ty,
                                    doc: Vec::new(),
                                },
                                UnionMember {
                                    ty: TsType::Keyword("undefined"),
                                    doc: Vec::new(),
                                },
                            ]),
                            true,
                        )
                    }
                }
                None => (TsType::Keyword("undefined"), true),
            },
            None => {
                property_notes.push(format!(
                    "`unknown`: the error schema has no variant with code `{}`.",
                    code.code
                ));
                (TsType::UNKNOWN, true)
            }
        };
        let mut code_doc: Vec<String> = code.docs.iter().cloned().collect();
        if let Some(status) = code.status_code {
            paragraph(&mut code_doc, format!("Status {status}."));
        }
        members.push(UnionMember {
            ty: TsType::intersection(vec![
                TsType::Named("IPCHandlerError".to_owned()),
                TsType::Object(TsObject {
                    properties: vec![
                        Property {
                            name: "code".to_owned(),
                            optional: false,
                            readonly: true,
                            ty: TsType::Literal(ts::string_literal(&code.code)),
                            doc: code_doc,
                        },
                        Property {
                            name: "details".to_owned(),
                            optional: details.1,
                            readonly: true,
                            ty: details.0,
                            doc: property_notes,
                        },
                    ],
                    index: None,
                }),
            ]),
            doc: Vec::new(),
        });
    }
    let ty = match members.len() {
        0 => {
            notes.push("The contract declares no error codes.".to_owned());
            TsType::Keyword("never")
        }
        1 => members.remove(0).ty,
        _ => TsType::Union(members),
    };
    (ty, notes)
}

/// The contents of `errors.ts`.
pub(super) fn render(typed: TypedErrors) -> String {
    let TypedErrors { unions, aliases } = typed;
    let uses_types = unions.iter().any(|union| union.ty.contains("types."));
    super::render(&ErrorsTs {
        header: HEADER,
        runtime: runtime_errors(),
        imports: if uses_types {
            vec!["import type * as types from './types.js'".to_owned()]
        } else {
            Vec::new()
        },
        unions,
        aliases,
    })
}
