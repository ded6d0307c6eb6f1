//! Marks the serde forms schemars (1.2) does not describe, so that the
//! runtime's schema policy can: a struct's `#[serde(tag = "..")]` and the
//! unit enums whose variants have docs (see `ipc_runtime::schema`,
//! `SerdeTag` and `UnitEnumKeys`, and ADR 0052).

use proc_macro2::Ident;
use syn::ext::IdentExt;
use syn::{Attribute, Fields, Item, LitStr, parse_quote};

/// The shape of a type, as far as the marks care.
pub(crate) enum Shape {
    /// A struct with named fields, the one form serde writes a tag for.
    NamedStruct,
    Enum,
    Other,
}

/// Appends to `attrs` the `#[schemars(transform = ..)]` attributes the
/// type needs. They go after the derives, which introduce `schemars`.
pub(crate) fn mark(attrs: &mut Vec<Attribute>, ident: &Ident, shape: &Shape) {
    match shape {
        Shape::NamedStruct => {
            let serde = container_serde(attrs);
            if let Some(tag) = serde.tag {
                // serde names the struct after its identifier, `r#` removed.
                let name = serde
                    .name
                    .unwrap_or_else(|| LitStr::new(&ident.unraw().to_string(), ident.span()));
                attrs.push(parse_quote!(
                    #[schemars(transform = ::ipc_runtime::schema::SerdeTag { tag: #tag, name: #name })]
                ));
            }
        }
        Shape::Enum => attrs.push(parse_quote!(
            #[schemars(transform = ::ipc_runtime::schema::UnitEnumKeys)]
        )),
        Shape::Other => {}
    }
}

/// The shape of a derive input.
pub(crate) fn shape_of(data: &syn::Data) -> Shape {
    match data {
        syn::Data::Struct(data) if matches!(data.fields, Fields::Named(_)) => Shape::NamedStruct,
        syn::Data::Enum(_) => Shape::Enum,
        _ => Shape::Other,
    }
}

/// Marks a module item that derives `JsonSchema` and is not a contract
/// (a contract's own attribute marks it).
pub(crate) fn mark_item(item: &mut Item) {
    let (attrs, ident, shape) = match item {
        Item::Struct(item) => {
            let shape = if matches!(item.fields, Fields::Named(_)) {
                Shape::NamedStruct
            } else {
                Shape::Other
            };
            (&mut item.attrs, &item.ident, shape)
        }
        Item::Enum(item) => (&mut item.attrs, &item.ident, Shape::Enum),
        _ => return,
    };
    let is_contract = attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "contract" || segment.ident == "contract_error")
    });
    if !is_contract && derives_json_schema(attrs) {
        mark(attrs, ident, &shape);
    }
}

fn derives_json_schema(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| {
                paths.iter().any(|path| {
                    path.segments
                        .last()
                        .is_some_and(|s| s.ident == "JsonSchema")
                })
            })
        })
}

/// What of the container's serde attributes the marks need.
#[derive(Default)]
struct ContainerSerde {
    tag: Option<LitStr>,
    /// The serialized name: `rename = ".."` or `rename(serialize = "..")`.
    name: Option<LitStr>,
}

/// Reads `tag` and the serialized name; serde itself reports malformed
/// attributes, so a part that does not parse is skipped here.
fn container_serde(attrs: &[Attribute]) -> ContainerSerde {
    let mut found = ContainerSerde::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tag") && meta.input.peek(syn::Token![=]) {
                found.tag = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("rename") && meta.input.peek(syn::Token![=]) {
                found.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("rename") {
                meta.parse_nested_meta(|inner| {
                    let value: LitStr = inner.value()?.parse()?;
                    if inner.path.is_ident("serialize") {
                        found.name = Some(value);
                    }
                    Ok(())
                })?;
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}
