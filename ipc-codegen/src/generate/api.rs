//! `api.ts`: `interface Api` and `createApi(transport)`, one method per
//! contract.

use std::collections::BTreeMap;

use askama::Template;
use ipc_meta::manifest::ContractManifest;
use ipc_meta::naming::upper_camel_case;
use ipc_meta::{ContractKind, Direction, Manifest};
use serde_json::Value;

use super::errors::ErrorNames;
use super::{HEADER, paragraph};
use crate::mapper::Mapper;
use crate::names::TypeNames;
use crate::ts::{self, TsType};
use crate::wide;

#[derive(Template)]
#[template(path = "codegen/api.ts", escape = "none")]
struct ApiTs {
    header: &'static str,
    imports: Vec<String>,
    transport_param: &'static str,
    namespaces: Vec<NamespaceView>,
    /// The conversions of `Wide` integers, when a contract has any.
    conversions: String,
}

pub(super) struct NamespaceView {
    key: String,
    methods: Vec<MethodView>,
}

struct MethodView {
    doc: String,
    key: String,
    params: String,
    returns: String,
    /// The return type as written after an arrow function's parameters.
    returns_expression: String,
    body: String,
}

/// The TypeScript method name of a contract: the method for invokes and
/// sends, `on` + UpperCamelCase(method) for events.
pub fn method_name(contract: &ContractManifest) -> String {
    match contract.kind {
        ContractKind::Invoke | ContractKind::Send => contract.method.clone(),
        ContractKind::Event => format!("on{}", upper_camel_case(&contract.method)),
    }
}

/// The API's namespaces and methods; a method name two contracts of a
/// namespace would share is a problem.
pub(super) fn namespaces(
    manifest: &Manifest,
    names: &TypeNames,
    codecs: &mut wide::Codecs<'_>,
    problems: &mut Vec<String>,
) -> Vec<NamespaceView> {
    let mut grouped: BTreeMap<&str, BTreeMap<String, Vec<&ContractManifest>>> = BTreeMap::new();
    for contract in &manifest.contracts {
        grouped
            .entry(contract.namespace.as_str())
            .or_default()
            .entry(method_name(contract))
            .or_default()
            .push(contract);
    }
    let mut views = Vec::new();
    for (namespace, methods) in grouped {
        let mut method_views = Vec::new();
        for (name, contracts) in methods {
            if let [contract] = contracts.as_slice() {
                method_views.push(method_view(manifest, names, codecs, contract, name));
            } else {
                let channels: Vec<&str> = contracts.iter().map(|c| c.channel.as_str()).collect();
                problems.push(format!(
                    "`{namespace}.{name}` would be generated for several contracts: {}; rename one with `method = \"..\"`",
                    channels.join(", ")
                ));
            }
        }
        views.push(NamespaceView {
            key: namespace.to_owned(),
            methods: method_views,
        });
    }
    views
}

fn method_view(
    manifest: &Manifest,
    names: &TypeNames,
    codecs: &mut wide::Codecs<'_>,
    contract: &ContractManifest,
    key: String,
) -> MethodView {
    let direction = contract.kind.payload_direction();
    let definitions = manifest.definitions(direction);
    let mapper = Mapper::new(names, definitions, direction, "types.");
    let mut notes = Vec::new();
    let payload = mapper.map(&contract.payload, &mut notes).render(4);
    let channel = ts::string_literal(&contract.channel);
    let mut doc: Vec<String> = contract.docs.iter().cloned().collect();
    match contract.kind {
        ContractKind::Invoke => {
            let output = Mapper::new(
                names,
                &manifest.output_definitions,
                Direction::Output,
                "types.",
            );
            let response = contract
                .response
                .as_ref()
                .map_or(TsType::UNKNOWN, |schema| output.map(schema, &mut notes));
            let returns = format!("Promise<{}>", response.render(4));
            let (param, argument) = match optional_payload(&mapper, &contract.payload) {
                Some(default) => (
                    format!("request?: {payload}"),
                    format!("request ?? {default}"),
                ),
                None => (format!("request: {payload}"), "request".to_owned()),
            };
            let argument = codecs.encode(manifest, &contract.payload, argument);
            if let Some(error) = &contract.error {
                let codes: Vec<&str> = error.codes.iter().map(|c| c.code.as_str()).collect();
                let names = ErrorNames::of_contract(contract);
                paragraph(
                    &mut doc,
                    format!(
                        "@throws `{}` for the typed errors {}\n(narrow with `{}` from `errors.ts`).",
                        names.type_name,
                        codes.join(", "),
                        names.guard_name,
                    ),
                );
            }
            paragraph(
                &mut doc,
                "@throws `IPCValidationError` for an invalid request or response,\n`IPCHandlerError` for framework failures, `IPCTransportError` when the\ncall itself fails.".to_owned(),
            );
            doc.extend(notes);
            MethodView {
                doc: ts::doc_comment(&doc, 4),
                key,
                params: format!("{param}, options?: CallOptions"),
                returns_expression: returns.clone(),
                body: format!(
                    "invokeAndUnwrap(transport, {channel}, {argument}, options){} as {returns}",
                    codecs.decode_reply(contract)
                ),
                returns,
            }
        }
        ContractKind::Send => {
            let (param, argument) = match optional_payload(&mapper, &contract.payload) {
                Some(default) => (
                    format!("message?: {payload}"),
                    format!("message ?? {default}"),
                ),
                None => (format!("message: {payload}"), "message".to_owned()),
            };
            let argument = codecs.encode(manifest, &contract.payload, argument);
            doc.extend(notes);
            MethodView {
                doc: ts::doc_comment(&doc, 4),
                key,
                params: param,
                returns: "void".to_owned(),
                returns_expression: "void".to_owned(),
                body: format!("transport.send({channel}, {argument})"),
            }
        }
        ContractKind::Event => {
            paragraph(
                &mut doc,
                "Calls `listener` with each event; returns a function that removes it.".to_owned(),
            );
            doc.extend(notes);
            MethodView {
                doc: ts::doc_comment(&doc, 4),
                key,
                params: format!("listener: (payload: {payload}) => void"),
                returns: "() => void".to_owned(),
                returns_expression: "(() => void)".to_owned(),
                body: format!(
                    "transport.subscribe({channel}, (payload: unknown) => listener({} as {payload}))",
                    codecs.decode_event(contract)
                ),
            }
        }
    }
}

/// The value sent when a request may be left out: `{}` for objects without
/// required properties, `null` for unit requests.
fn optional_payload(mapper: &Mapper<'_>, payload: &Value) -> Option<&'static str> {
    let schema = mapper.resolve(payload).as_object()?;
    let composed = ["oneOf", "anyOf", "allOf", "$ref", "const", "enum", "not"]
        .iter()
        .any(|k| schema.contains_key(*k));
    if composed {
        return None;
    }
    match schema.get("type")?.as_str()? {
        "null" => Some("null"),
        "object" => {
            let no_required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            let only_patterns = schema.contains_key("patternProperties");
            (no_required && !only_patterns).then_some("{}")
        }
        _ => None,
    }
}

/// The contents of `api.ts`.
pub(super) fn render(namespaces: Vec<NamespaceView>, codecs: &wide::Codecs<'_>) -> String {
    let methods = || namespaces.iter().flat_map(|n| n.methods.iter());
    let uses_invoke = methods().any(|m| m.body.starts_with("invokeAndUnwrap"));
    let uses_types = methods().any(|m| m.params.contains("types.") || m.returns.contains("types."));
    let mut transport_imports = Vec::new();
    if uses_invoke {
        transport_imports.push("invokeAndUnwrap");
        transport_imports.push("type CallOptions");
    }
    transport_imports.push("type Transport");
    let mut imports = vec![format!(
        "import {{ {} }} from './transport.js'",
        transport_imports.join(", ")
    )];
    if uses_types {
        imports.push("import type * as types from './types.js'".to_owned());
    }
    super::render(&ApiTs {
        header: HEADER,
        imports,
        transport_param: if namespaces.is_empty() {
            "_transport"
        } else {
            "transport"
        },
        namespaces,
        conversions: codecs.render(),
    })
}
