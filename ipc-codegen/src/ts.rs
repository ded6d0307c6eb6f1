//! TypeScript syntax: a small type AST that the schema mapper builds, and its
//! deterministic rendering, plus literals, identifiers and TSDoc comments.

use std::fmt::Write as _;

/// Width under which a type without comments is written on one line.
const INLINE_WIDTH: usize = 72;

/// A TypeScript type expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TsType {
    /// `string`, `number`, `boolean`, `null`, `unknown`, `never`, `undefined`.
    Keyword(&'static str),
    /// A literal type, already written as TypeScript (`'a'`, `1`, `true`).
    Literal(String),
    /// A named type, with any module qualifier (`types.Note`).
    Named(String),
    Array(Box<TsType>),
    Tuple(Vec<TupleElement>),
    Object(TsObject),
    /// `{ [key in K]?: V }`: a map whose keys are a union of string literals.
    Mapped {
        keys: Box<TsType>,
        value: Box<TsType>,
    },
    Union(Vec<UnionMember>),
    Intersection(Vec<TsType>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TupleElement {
    pub(crate) ty: TsType,
    pub(crate) kind: ElementKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementKind {
    Required,
    Optional,
    Rest,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TsObject {
    pub(crate) properties: Vec<Property>,
    /// `[key: string]: T`.
    pub(crate) index: Option<Box<TsType>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    /// The property name as it is on the wire.
    pub(crate) name: String,
    pub(crate) optional: bool,
    pub(crate) readonly: bool,
    pub(crate) ty: TsType,
    pub(crate) doc: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnionMember {
    pub(crate) ty: TsType,
    pub(crate) doc: Vec<String>,
}

impl TsType {
    pub(crate) const UNKNOWN: TsType = TsType::Keyword("unknown");

    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, TsType::Keyword("unknown"))
    }

    /// A union of `members`, flattened, without duplicates; `never` when
    /// empty and the member itself when there is one.
    pub(crate) fn union(members: Vec<UnionMember>) -> TsType {
        let mut flat: Vec<UnionMember> = Vec::with_capacity(members.len());
        for member in members {
            match member.ty {
                TsType::Union(inner) if member.doc.is_empty() => {
                    for inner in inner {
                        push_member(&mut flat, inner);
                    }
                }
                ty => push_member(
                    &mut flat,
                    UnionMember {
                        ty,
                        doc: member.doc,
                    },
                ),
            }
        }
        if flat.iter().any(|member| member.ty.is_unknown()) {
            return TsType::UNKNOWN;
        }
        match flat.len() {
            0 => TsType::Keyword("never"),
            1 if flat[0].doc.is_empty() => flat.remove(0).ty,
            _ => TsType::Union(flat),
        }
    }

    /// An intersection of `parts`, without `unknown` parts.
    pub(crate) fn intersection(parts: Vec<TsType>) -> TsType {
        let mut flat: Vec<TsType> = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                TsType::Intersection(inner) => flat.extend(inner),
                part if part.is_unknown() => {}
                part => {
                    if !flat.contains(&part) {
                        flat.push(part);
                    }
                }
            }
        }
        match flat.len() {
            0 => TsType::UNKNOWN,
            1 => flat.remove(0),
            _ => TsType::Intersection(flat),
        }
    }

    fn has_comments(&self) -> bool {
        match self {
            TsType::Keyword(_) | TsType::Literal(_) | TsType::Named(_) => false,
            TsType::Array(inner) => inner.has_comments(),
            TsType::Tuple(elements) => elements.iter().any(|e| e.ty.has_comments()),
            TsType::Object(object) => {
                object
                    .properties
                    .iter()
                    .any(|p| !p.doc.is_empty() || p.ty.has_comments())
                    || object.index.as_ref().is_some_and(|i| i.has_comments())
            }
            TsType::Mapped { keys, value } => keys.has_comments() || value.has_comments(),
            TsType::Union(members) => members
                .iter()
                .any(|m| !m.doc.is_empty() || m.ty.has_comments()),
            TsType::Intersection(parts) => parts.iter().any(TsType::has_comments),
        }
    }

    /// Whether the type needs parentheses as an array element or an
    /// intersection part.
    fn is_compound(&self) -> bool {
        matches!(self, TsType::Union(_) | TsType::Intersection(_))
    }

    /// The type on one line; comments are left out.
    pub(crate) fn inline(&self) -> String {
        let mut out = String::new();
        self.write_inline(&mut out);
        out
    }

    fn write_inline(&self, out: &mut String) {
        match self {
            TsType::Keyword(keyword) => out.push_str(keyword),
            TsType::Literal(text) | TsType::Named(text) => out.push_str(text),
            TsType::Array(inner) => {
                write_element_inline(inner, out);
                out.push_str("[]");
            }
            TsType::Tuple(elements) => {
                out.push('[');
                for (index, element) in elements.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_tuple_element(element, out, |ty, out| ty.write_inline(out));
                }
                out.push(']');
            }
            TsType::Object(object) => {
                if object.properties.is_empty() && object.index.is_none() {
                    out.push_str("{}");
                    return;
                }
                out.push_str("{ ");
                let mut first = true;
                for property in &object.properties {
                    if !first {
                        out.push_str("; ");
                    }
                    first = false;
                    out.push_str(&property_head(property));
                    property.ty.write_inline(out);
                }
                if let Some(index) = &object.index {
                    if !first {
                        out.push_str("; ");
                    }
                    out.push_str("[key: string]: ");
                    index.write_inline(out);
                }
                out.push_str(" }");
            }
            TsType::Mapped { keys, value } => {
                out.push_str("{ [key in ");
                keys.write_inline(out);
                out.push_str("]?: ");
                value.write_inline(out);
                out.push_str(" }");
            }
            TsType::Union(members) => {
                for (index, member) in members.iter().enumerate() {
                    if index > 0 {
                        out.push_str(" | ");
                    }
                    write_part_inline(&member.ty, out);
                }
            }
            TsType::Intersection(parts) => {
                for (index, part) in parts.iter().enumerate() {
                    if index > 0 {
                        out.push_str(" & ");
                    }
                    write_part_inline(part, out);
                }
            }
        }
    }

    /// The type as written after `= ` or `: ` on a line indented by
    /// `indent` spaces. A multi-line union starts with a line break.
    pub(crate) fn render(&self, indent: usize) -> String {
        if !self.has_comments() {
            let inline = self.inline();
            if inline.len() <= INLINE_WIDTH {
                return inline;
            }
        }
        let mut out = String::new();
        self.write_block(indent, &mut out);
        out
    }

    fn write_block(&self, indent: usize, out: &mut String) {
        match self {
            TsType::Object(object) if !object.properties.is_empty() || object.index.is_some() => {
                out.push_str("{\n");
                let inner = indent + 2;
                for property in &object.properties {
                    out.push_str(&doc_comment(&property.doc, inner));
                    push_indent(out, inner);
                    out.push_str(&property_head(property));
                    out.push_str(property.ty.render(inner).trim_start_matches(' '));
                    out.push('\n');
                }
                if let Some(index) = &object.index {
                    push_indent(out, inner);
                    out.push_str("[key: string]: ");
                    out.push_str(&index.render(inner));
                    out.push('\n');
                }
                push_indent(out, indent);
                out.push('}');
            }
            TsType::Union(members) => {
                for member in members {
                    out.push('\n');
                    out.push_str(&doc_comment(&member.doc, indent + 2));
                    push_indent(out, indent + 2);
                    out.push_str("| ");
                    write_part_block(&member.ty, indent + 4, out);
                }
            }
            TsType::Intersection(parts) => {
                for (index, part) in parts.iter().enumerate() {
                    if index > 0 {
                        out.push_str(" & ");
                    }
                    write_part_block(part, indent, out);
                }
            }
            TsType::Array(inner) => {
                if inner.is_compound() {
                    out.push('(');
                    out.push_str(&inner.render(indent + 2));
                    out.push_str(")[]");
                } else {
                    out.push_str(&inner.render(indent));
                    out.push_str("[]");
                }
            }
            TsType::Tuple(elements) => {
                out.push_str("[\n");
                for element in elements {
                    push_indent(out, indent + 2);
                    write_tuple_element(element, out, |ty, out| {
                        out.push_str(&ty.render(indent + 2));
                    });
                    out.push_str(",\n");
                }
                push_indent(out, indent);
                out.push(']');
            }
            TsType::Mapped { keys, value } => {
                out.push_str("{ [key in ");
                out.push_str(&keys.render(indent));
                out.push_str("]?: ");
                out.push_str(&value.render(indent));
                out.push_str(" }");
            }
            other => other.write_inline(out),
        }
    }
}

fn push_member(flat: &mut Vec<UnionMember>, member: UnionMember) {
    if let Some(existing) = flat.iter_mut().find(|m| m.ty == member.ty) {
        if existing.doc.is_empty() {
            existing.doc = member.doc;
        }
    } else {
        flat.push(member);
    }
}

fn write_element_inline(inner: &TsType, out: &mut String) {
    if inner.is_compound() {
        out.push('(');
        inner.write_inline(out);
        out.push(')');
    } else {
        inner.write_inline(out);
    }
}

fn write_part_inline(part: &TsType, out: &mut String) {
    if part.is_compound() {
        out.push('(');
        part.write_inline(out);
        out.push(')');
    } else {
        part.write_inline(out);
    }
}

fn write_part_block(part: &TsType, indent: usize, out: &mut String) {
    if part.is_compound() {
        out.push('(');
        out.push_str(&part.render(indent));
        out.push(')');
    } else {
        out.push_str(&part.render(indent));
    }
}

fn write_tuple_element(
    element: &TupleElement,
    out: &mut String,
    write: impl Fn(&TsType, &mut String),
) {
    match element.kind {
        ElementKind::Required => write(&element.ty, out),
        ElementKind::Optional => {
            write_compound_aware(&element.ty, out, &write);
            out.push('?');
        }
        ElementKind::Rest => {
            out.push_str("...");
            write_compound_aware(&element.ty, out, &write);
            out.push_str("[]");
        }
    }
}

fn write_compound_aware(ty: &TsType, out: &mut String, write: &impl Fn(&TsType, &mut String)) {
    if ty.is_compound() {
        out.push('(');
        write(ty, out);
        out.push(')');
    } else {
        write(ty, out);
    }
}

fn property_head(property: &Property) -> String {
    format!(
        "{}{}{}: ",
        if property.readonly { "readonly " } else { "" },
        property_key(&property.name),
        if property.optional { "?" } else { "" }
    )
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Text to write after `=` or `:`: a space unless it starts on a new line.
pub(crate) fn after_operator(rendered: &str) -> String {
    if rendered.starts_with('\n') {
        rendered.to_owned()
    } else {
        format!(" {rendered}")
    }
}

/// A TSDoc comment of `lines` at `indent`, ending with a line break; empty
/// when there are no lines.
pub(crate) fn doc_comment(lines: &[String], indent: usize) -> String {
    let lines: Vec<String> = lines
        .iter()
        .flat_map(|line| {
            if line.is_empty() {
                vec![String::new()]
            } else {
                line.lines().map(|l| l.trim_end().to_owned()).collect()
            }
        })
        .map(|line| line.replace("*/", "*\\/"))
        .collect();
    let lines = trim_blank_edges(&lines);
    if lines.is_empty() {
        return String::new();
    }
    let pad = " ".repeat(indent);
    if lines.len() == 1 && lines[0].len() + indent + 7 <= 100 {
        return format!("{pad}/** {} */\n", lines[0]);
    }
    let mut out = format!("{pad}/**\n");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{pad} *");
        } else {
            let _ = writeln!(out, "{pad} * {line}");
        }
    }
    let _ = writeln!(out, "{pad} */");
    out
}

fn trim_blank_edges(lines: &[String]) -> &[String] {
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |i| i + 1);
    &lines[start..end]
}

/// A single-quoted JavaScript string literal.
pub(crate) fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Whether `name` is an ASCII JavaScript identifier.
pub(crate) fn is_identifier(name: &str) -> bool {
    ipc_meta::naming::is_ts_identifier(name)
}

/// A property name as written in a type or object literal.
pub(crate) fn property_key(name: &str) -> String {
    if is_identifier(name) {
        name.to_owned()
    } else {
        string_literal(name)
    }
}

/// Words that cannot name a type, variable or function.
const RESERVED: &[&str] = &[
    "any",
    "arguments",
    "as",
    "async",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "get",
    "if",
    "implements",
    "import",
    "in",
    "infer",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "object",
    "of",
    "package",
    "private",
    "protected",
    "prototype",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "set",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "__proto__",
];

/// Whether `name` is reserved in TypeScript (or unsafe as a binding).
pub(crate) fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(name: &str, optional: bool, ty: TsType, doc: &[&str]) -> Property {
        Property {
            name: name.to_owned(),
            optional,
            readonly: false,
            ty,
            doc: doc.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn string_literals_escape_quotes_and_control_characters() {
        assert_eq!(string_literal("it's"), r"'it\'s'");
        assert_eq!(string_literal("a\\b\nc\u{1}"), r"'a\\b\nc\x01'");
        assert_eq!(string_literal("\u{2028}"), r"'\u2028'");
    }

    #[test]
    fn property_keys_are_quoted_when_not_identifiers() {
        assert_eq!(property_key("light-red"), "'light-red'");
        assert_eq!(property_key("$ok_1"), "$ok_1");
        assert_eq!(property_key("1a"), "'1a'");
    }

    #[test]
    fn unions_flatten_and_deduplicate() {
        let ty = TsType::union(vec![
            UnionMember {
                ty: TsType::Keyword("string"),
                doc: vec![],
            },
            UnionMember {
                ty: TsType::union(vec![
                    UnionMember {
                        ty: TsType::Keyword("null"),
                        doc: vec![],
                    },
                    UnionMember {
                        ty: TsType::Keyword("string"),
                        doc: vec![],
                    },
                ]),
                doc: vec![],
            },
        ]);
        assert_eq!(ty.inline(), "string | null");
        let any = TsType::union(vec![
            UnionMember {
                ty: TsType::UNKNOWN,
                doc: vec![],
            },
            UnionMember {
                ty: TsType::Keyword("null"),
                doc: vec![],
            },
        ]);
        assert!(any.is_unknown());
    }

    #[test]
    fn compound_types_are_parenthesized() {
        let union = TsType::union(vec![
            UnionMember {
                ty: TsType::Keyword("string"),
                doc: vec![],
            },
            UnionMember {
                ty: TsType::Keyword("number"),
                doc: vec![],
            },
        ]);
        assert_eq!(
            TsType::Array(Box::new(union.clone())).inline(),
            "(string | number)[]"
        );
        let tuple = TsType::Tuple(vec![
            TupleElement {
                ty: TsType::Keyword("string"),
                kind: ElementKind::Required,
            },
            TupleElement {
                ty: union.clone(),
                kind: ElementKind::Optional,
            },
            TupleElement {
                ty: TsType::Keyword("boolean"),
                kind: ElementKind::Rest,
            },
        ]);
        assert_eq!(tuple.inline(), "[string, (string | number)?, ...boolean[]]");
        let both = TsType::intersection(vec![TsType::Named("A".into()), union]);
        assert_eq!(both.inline(), "A & (string | number)");
    }

    #[test]
    fn documented_objects_render_on_several_lines() {
        let object = TsType::Object(TsObject {
            properties: vec![
                prop("id", false, TsType::Keyword("number"), &["The id."]),
                prop("light-red", true, TsType::Keyword("string"), &[]),
            ],
            index: None,
        });
        assert_eq!(
            object.render(0),
            "{\n  /** The id. */\n  id: number\n  'light-red'?: string\n}"
        );
        let plain = TsType::Object(TsObject {
            properties: vec![prop("id", false, TsType::Keyword("number"), &[])],
            index: Some(Box::new(TsType::UNKNOWN)),
        });
        assert_eq!(plain.render(0), "{ id: number; [key: string]: unknown }");
    }

    #[test]
    fn documented_unions_put_one_member_per_line() {
        let union = TsType::union(vec![
            UnionMember {
                ty: TsType::Literal("'a'".into()),
                doc: vec!["First.".into()],
            },
            UnionMember {
                ty: TsType::Object(TsObject {
                    properties: vec![prop("b", false, TsType::Keyword("number"), &["B."])],
                    index: None,
                }),
                doc: vec![],
            },
        ]);
        assert_eq!(
            format!("type X ={}", after_operator(&union.render(0))),
            "type X =\n  /** First. */\n  | 'a'\n  | {\n      /** B. */\n      b: number\n    }"
        );
    }

    #[test]
    fn doc_comments_escape_terminators_and_wrap_lines() {
        assert_eq!(doc_comment(&["a */ b".into()], 2), "  /** a *\\/ b */\n");
        assert_eq!(
            doc_comment(&["one\ntwo".into(), String::new()], 0),
            "/**\n * one\n * two\n */\n"
        );
        assert_eq!(doc_comment(&[], 0), "");
    }
}
