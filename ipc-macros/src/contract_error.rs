//! `#[contract_error]`: an enum whose variants are a contract's typed errors.
//!
//! The wire form is fixed by this macro, so the TypeScript side can rely on
//! it: the enum is serialized adjacently tagged as `{"code": .., "details": ..}`
//! and each variant is renamed to its code. The runtime adds `message` and
//! `statusCode` to make the `IPCHandlerError` the renderer receives.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Attribute, DeriveInput, Fields, LitStr, parse_quote};

use crate::attr::{self, Value, ValueKind};
use crate::contract::doc_string;
use crate::derives;
use crate::diagnostics::{self, Diagnostics};
use ipc_meta::naming;

struct VariantModel {
    ident: syn::Ident,
    fields: Fields,
    code: String,
    status: Option<u16>,
    /// A format string; `{field}` names a field of a struct-like variant.
    message: Option<LitStr>,
    docs: String,
}

struct ErrorModel {
    item: DeriveInput,
    variants: Vec<VariantModel>,
}

const VARIANT_KEYS: &[(&str, ValueKind)] = &[
    ("code", ValueKind::Str),
    ("status", ValueKind::Int),
    ("message", ValueKind::Str),
];

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match parse(args, item.clone()) {
        Ok(model) => expand_model(model),
        Err(error) => diagnostics::with_item(&error, strip_helper_attrs(item)),
    }
}

/// On failure the item is re-emitted without our `#[ipc(..)]` helpers, which
/// would otherwise add "unknown attribute" errors to the real ones.
fn strip_helper_attrs(item: TokenStream) -> TokenStream {
    match syn::parse2::<DeriveInput>(item.clone()) {
        Ok(mut input) => {
            if let syn::Data::Enum(data) = &mut input.data {
                for variant in &mut data.variants {
                    variant.attrs.retain(|attr| !attr.path().is_ident("ipc"));
                }
            }
            quote!(#input)
        }
        Err(_) => item,
    }
}

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<ErrorModel> {
    let mut item: DeriveInput = syn::parse2(item)
        .map_err(|error| syn::Error::new(error.span(), "`#[contract_error]` applies to an enum"))?;
    let mut diagnostics = Diagnostics::default();
    if !args.is_empty() {
        diagnostics.error_spanned(&args, "`#[contract_error]` takes no arguments; configure variants with `#[ipc(code = .., status = .., message = ..)]`");
    }
    let ident = item.ident.clone();
    if !item.generics.params.is_empty() {
        diagnostics.error_spanned(&item.generics, "a contract error cannot be generic");
    }
    derives::check(
        "contract error",
        &ident,
        &item.attrs,
        &[derives::SERIALIZE, derives::JSON_SCHEMA],
        &mut diagnostics,
    );
    check_serde_attrs(
        &item.attrs,
        &["tag", "content", "untagged"],
        "the enum",
        &mut diagnostics,
    );

    let mut variants = Vec::new();
    match &mut item.data {
        syn::Data::Enum(data) => {
            if data.variants.is_empty() {
                diagnostics.error(ident.span(), "a contract error needs at least one variant");
            }
            for variant in &mut data.variants {
                check_serde_attrs(
                    &variant.attrs,
                    &[
                        "rename",
                        "skip",
                        "skip_serializing",
                        "skip_deserializing",
                        "untagged",
                        "other",
                    ],
                    "a variant",
                    &mut diagnostics,
                );
                let mut code = naming::screaming_snake_case(&variant.ident.to_string());
                let mut code_span = variant.ident.span();
                let mut status = None;
                let mut message = None;
                for helper in variant
                    .attrs
                    .iter()
                    .filter(|attr| attr.path().is_ident("ipc"))
                {
                    let tokens = match helper.meta.require_list() {
                        Ok(list) => list.tokens.clone(),
                        Err(error) => {
                            diagnostics.push(error);
                            continue;
                        }
                    };
                    for arg in
                        attr::parse_args(tokens, VARIANT_KEYS, "`#[ipc(..)]`", &mut diagnostics)
                    {
                        match arg.value {
                            Value::Str(lit) if arg.key == "code" => {
                                code = lit.value();
                                code_span = lit.span();
                            }
                            Value::Str(lit) => message = Some(lit),
                            Value::Int(lit) => match lit.base10_parse::<u16>() {
                                Ok(value @ 100..=599) => status = Some(value),
                                _ => diagnostics.error(
                                    lit.span(),
                                    "`status` is an HTTP-style status code from 100 to 599",
                                ),
                            },
                            Value::Flag | Value::Type(_) => {}
                        }
                    }
                }
                if let Err(message) = naming::check_error_code(&code) {
                    diagnostics.error(code_span, message);
                }
                if let Some(previous) = variants.iter().find(|v: &&VariantModel| v.code == code) {
                    diagnostics.error(
                        code_span,
                        format!(
                            "error code `{code}` is already used by variant `{}`",
                            previous.ident
                        ),
                    );
                }
                if let Some(lit) = &message {
                    check_message_placeholders(
                        lit,
                        &variant.ident,
                        &variant.fields,
                        &mut diagnostics,
                    );
                }
                variants.push(VariantModel {
                    ident: variant.ident.clone(),
                    fields: variant.fields.clone(),
                    status,
                    message,
                    docs: doc_string(&variant.attrs),
                    code,
                });
                variant.attrs.retain(|attr| !attr.path().is_ident("ipc"));
            }
        }
        syn::Data::Struct(data) => {
            diagnostics.error(
                data.struct_token.span,
                "`#[contract_error]` applies to an enum: each variant is one error code",
            );
        }
        syn::Data::Union(data) => {
            diagnostics.error(
                data.union_token.span,
                "`#[contract_error]` applies to an enum: each variant is one error code",
            );
        }
    }
    diagnostics.finish(ErrorModel { item, variants })
}

/// The macro owns the enum's wire form, so serde attributes that would
/// change it are reported instead of silently producing another shape.
fn check_serde_attrs(
    attrs: &[Attribute],
    forbidden: &[&str],
    place: &str,
    diagnostics: &mut Diagnostics,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let result = attr.parse_nested_meta(|meta| {
            if let Some(key) = forbidden.iter().find(|key| meta.path.is_ident(key)) {
                diagnostics.error_spanned(
                    &meta.path,
                    format!("`#[serde({key})]` on {place} conflicts with `#[contract_error]`, which sets the wire form `{{\"code\", \"details\"}}`; use `#[ipc(code = \"..\")]` to choose a code"),
                );
            }
            // Consume the value, whatever its form, so parsing can go on.
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
        if let Err(error) = result {
            diagnostics.push(error);
        }
    }
}

/// The names inside `{..}` of a format string (`{{` is an escaped brace).
fn placeholders(format: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        if let Some(after_escape) = rest.strip_prefix('{') {
            rest = after_escape;
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        let inside = &rest[..end];
        names.push(
            inside
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        );
        rest = &rest[end..];
    }
    names
}

/// `{name}` in a message must name a field of a struct-like variant; checked
/// here so the user gets this explanation rather than rustc's.
fn check_message_placeholders(
    lit: &LitStr,
    variant: &syn::Ident,
    fields: &Fields,
    diagnostics: &mut Diagnostics,
) {
    let names = placeholders(&lit.value());
    if names.is_empty() {
        return;
    }
    let Fields::Named(named) = fields else {
        diagnostics.error(
            lit.span(),
            "`{..}` placeholders in `message` name fields, so they need a variant with named fields",
        );
        return;
    };
    let field_names: Vec<String> = named
        .named
        .iter()
        .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
        .collect();
    for name in names {
        if !field_names.contains(&name) {
            diagnostics.error(
                lit.span(),
                format!(
                    "`{{{name}}}` in `message` names no field of `{variant}` (its fields: {})",
                    field_names.join(", ")
                ),
            );
        }
    }
}

fn humanize(code: &str) -> String {
    let lower = code.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn expand_model(model: ErrorModel) -> TokenStream {
    let ErrorModel { mut item, variants } = model;
    let rt = quote!(::ipc_runtime);
    let ident = item.ident.clone();
    // After the derives: a derive helper may not precede its derive.
    let after_derives = item
        .attrs
        .iter()
        .rposition(|attr| attr.path().is_ident("derive"))
        .map_or(0, |index| index + 1);
    item.attrs.insert(
        after_derives,
        parse_quote!(#[serde(tag = "code", content = "details")]),
    );
    if let syn::Data::Enum(data) = &mut item.data {
        for (variant, model) in data.variants.iter_mut().zip(&variants) {
            let code = &model.code;
            variant
                .attrs
                .insert(0, parse_quote!(#[serde(rename = #code)]));
        }
    }

    let mut code_arms = Vec::new();
    let mut status_arms = Vec::new();
    let mut message_arms = Vec::new();
    let mut infos = Vec::new();
    for variant in &variants {
        let name = &variant.ident;
        let code = &variant.code;
        let status = match variant.status {
            Some(value) => quote!(::core::option::Option::Some(#value)),
            None => quote!(::core::option::Option::None),
        };
        let ignore_fields = match &variant.fields {
            Fields::Named(_) => quote!({ .. }),
            Fields::Unnamed(_) => quote!((..)),
            Fields::Unit => quote!(),
        };
        code_arms.push(quote!(Self::#name #ignore_fields => #code));
        status_arms.push(quote!(Self::#name #ignore_fields => #status));
        let docs = &variant.docs;
        let fallback = if docs.is_empty() {
            humanize(code)
        } else {
            docs.split("\n\n")
                .next()
                .unwrap_or_default()
                .replace('\n', " ")
        };
        let message = match (&variant.message, &variant.fields) {
            (Some(lit), Fields::Named(fields)) => {
                let bindings: Vec<_> = fields
                    .named
                    .iter()
                    .filter_map(|f| f.ident.clone())
                    .collect();
                quote!(Self::#name { #(#bindings),* } => ::std::format!(#lit))
            }
            (Some(lit), _) => {
                quote!(Self::#name #ignore_fields => ::std::string::String::from(#lit))
            }
            (None, _) => {
                quote!(Self::#name #ignore_fields => ::std::string::String::from(#fallback))
            }
        };
        message_arms.push(message);
        infos.push(quote! {
            #rt::ErrorCodeInfo { code: #code, status_code: #status, docs: #docs }
        });
    }
    let unused = format_ident!("unused_variables");
    quote! {
        #item

        const _: () = {
            impl #rt::ContractError for #ident {
                const CODES: &'static [#rt::ErrorCodeInfo] = &[#(#infos),*];

                fn code(&self) -> &'static str {
                    match self { #(#code_arms,)* }
                }

                fn status_code(&self) -> ::core::option::Option<u16> {
                    match self { #(#status_arms,)* }
                }

                #[allow(#unused)]
                fn message(&self) -> ::std::string::String {
                    match self { #(#message_arms,)* }
                }
            }
        };
    }
}
