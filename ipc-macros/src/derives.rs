//! Checks that a contract type derives what the runtime needs.

use syn::{Attribute, Ident};

use crate::diagnostics::Diagnostics;

/// One required derive, with the path to suggest when it is missing.
pub(crate) struct RequiredDerive {
    pub(crate) name: &'static str,
    pub(crate) suggestion: &'static str,
}

pub(crate) const SERIALIZE: RequiredDerive = RequiredDerive {
    name: "Serialize",
    suggestion: "serde::Serialize",
};
pub(crate) const DESERIALIZE: RequiredDerive = RequiredDerive {
    name: "Deserialize",
    suggestion: "serde::Deserialize",
};
pub(crate) const JSON_SCHEMA: RequiredDerive = RequiredDerive {
    name: "JsonSchema",
    suggestion: "schemars::JsonSchema",
};

/// The last path segment of every derive on the item (`serde::Serialize`
/// counts as `Serialize`).
fn derived_names(attrs: &[Attribute], diagnostics: &mut Diagnostics) -> Vec<String> {
    let mut names = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
        let parsed = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        );
        match parsed {
            Ok(paths) => names.extend(
                paths
                    .iter()
                    .filter_map(|path| path.segments.last().map(|s| s.ident.to_string())),
            ),
            Err(error) => diagnostics.push(error),
        }
    }
    names
}

/// Reports each missing derive on the type's name. The macro must sit above
/// `#[derive(..)]`: derives listed before it have already been expanded and
/// are no longer visible, so that placement is reported too.
pub(crate) fn check(
    what: &str,
    ident: &Ident,
    attrs: &[Attribute],
    required: &[RequiredDerive],
    diagnostics: &mut Diagnostics,
) {
    let names = derived_names(attrs, diagnostics);
    if names.is_empty() {
        diagnostics.error(
            ident.span(),
            format!(
                "{what} `{ident}` has no visible `#[derive(..)]`: add `#[derive({})]` below this attribute (the attribute must come before the derive)",
                required.iter().map(|d| d.suggestion).collect::<Vec<_>>().join(", ")
            ),
        );
        return;
    }
    for derive in required {
        if !names.iter().any(|name| name == derive.name) {
            diagnostics.error(
                ident.span(),
                format!(
                    "{what} `{ident}` must derive `{}`: add `{}` to its `#[derive(..)]`",
                    derive.name, derive.suggestion
                ),
            );
        }
    }
}
