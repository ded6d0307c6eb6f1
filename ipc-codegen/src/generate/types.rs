//! `types.ts`: one `export type` per `$defs` entry, per direction.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use ipc_meta::Manifest;

use super::{HEADER, paragraph};
use crate::mapper::Mapper;
use crate::names::{Form, TypeNames};
use crate::ts::{self, TsType};

#[derive(Template)]
#[template(path = "codegen/types.ts", escape = "none")]
struct TypesTs {
    header: &'static str,
    declarations: Vec<DeclarationView>,
}

struct DeclarationView {
    doc: String,
    name: String,
    /// The type, with the space or line break that follows `=`.
    ty: String,
}

/// The contents of `types.ts`.
pub(super) fn render(manifest: &Manifest, names: &TypeNames) -> String {
    super::render(&types_view(manifest, names))
}

fn types_view(manifest: &Manifest, names: &TypeNames) -> TypesTs {
    let mut mapped: Vec<(String, TsType, Vec<String>)> = Vec::new();
    for declaration in names.declarations() {
        let definitions = manifest.definitions(declaration.direction);
        let Some(schema) = definitions.get(&declaration.key) else {
            continue;
        };
        let mapper = Mapper::new(names, definitions, declaration.direction, "");
        let mut notes = Vec::new();
        let ty = mapper.map(schema, &mut notes);
        let mut doc = mapper.describe(schema);
        doc.extend(notes);
        match &declaration.form {
            Form::Single => {}
            Form::Output { input } => paragraph(
                &mut doc,
                format!("The form main sends; the renderer sends {{@link {input}}}."),
            ),
            Form::Input { output } => paragraph(
                &mut doc,
                format!("The form the renderer sends; main sends {{@link {output}}}."),
            ),
        }
        mapped.push((declaration.name.clone(), ty, doc));
    }
    break_alias_cycles(&mut mapped);
    TypesTs {
        header: HEADER,
        declarations: mapped
            .into_iter()
            .map(|(name, ty, doc)| DeclarationView {
                doc: ts::doc_comment(&doc, 0),
                name,
                ty: ts::after_operator(&ty.render(0)),
            })
            .collect(),
    }
}

/// The names a type refers to outside of any object, array or tuple: a
/// type alias may only refer to itself through one of those.
fn direct_references(ty: &TsType, out: &mut Vec<String>) {
    match ty {
        TsType::Named(name) => out.push(name.clone()),
        TsType::Union(members) => members
            .iter()
            .for_each(|member| direct_references(&member.ty, out)),
        TsType::Intersection(parts) => parts.iter().for_each(|part| direct_references(part, out)),
        _ => {}
    }
}

/// Replaces with `unknown` (and a note) the declarations that refer to
/// themselves directly (`type List = List | null`, from
/// `struct List(Option<Box<List>>)`), which TypeScript rejects.
fn break_alias_cycles(declarations: &mut [(String, TsType, Vec<String>)]) {
    let edges: BTreeMap<&str, Vec<String>> = declarations
        .iter()
        .map(|(name, ty, _)| {
            let mut references = Vec::new();
            direct_references(ty, &mut references);
            (name.as_str(), references)
        })
        .collect();
    let cyclic: BTreeSet<String> = edges
        .keys()
        .filter(|start| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut pending: Vec<&str> = edges[**start].iter().map(String::as_str).collect();
            while let Some(next) = pending.pop() {
                if next == **start {
                    return true;
                }
                if seen.insert(next)
                    && let Some(more) = edges.get(next)
                {
                    pending.extend(more.iter().map(String::as_str));
                }
            }
            false
        })
        .map(|name| (*name).to_owned())
        .collect();
    for (name, ty, doc) in declarations.iter_mut() {
        if cyclic.contains(name) {
            *ty = TsType::UNKNOWN;
            paragraph(
                doc,
                "`unknown`: this type refers to itself without an object, array or tuple in between, which a TypeScript type alias cannot express.".to_owned(),
            );
        }
    }
}
