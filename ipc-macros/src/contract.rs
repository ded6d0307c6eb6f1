//! `#[contract(..)]`: parse the arguments and the item into a model, then expand.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Attribute, DeriveInput, LitStr, Type};

use crate::attr::{self, Value, ValueKind};
use crate::derives;
use crate::diagnostics::{self, Diagnostics};
use crate::serde_forms;
use ipc_meta::naming;

/// Where the payload flows. Streams will join as a fourth kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Renderer -> main, with a reply.
    Invoke,
    /// Renderer -> main, no reply.
    Send,
    /// Main -> renderer.
    Event,
}

impl Kind {
    fn keyword(self) -> &'static str {
        match self {
            Kind::Invoke => "invoke",
            Kind::Send => "send",
            Kind::Event => "event",
        }
    }
}

/// What the arguments of `#[contract(..)]` declare.
pub(crate) struct ContractArgs {
    pub(crate) kind: Kind,
    channel: Option<LitStr>,
    method: Option<LitStr>,
    namespace: Option<LitStr>,
    pub(crate) response: Option<Type>,
    pub(crate) error: Option<Type>,
}

struct ContractModel {
    item: DeriveInput,
    args: ContractArgs,
    docs: String,
}

const KEYS: &[(&str, ValueKind)] = &[
    ("invoke", ValueKind::Flag),
    ("send", ValueKind::Flag),
    ("event", ValueKind::Flag),
    ("channel", ValueKind::Str),
    ("method", ValueKind::Str),
    ("namespace", ValueKind::Str),
    ("response", ValueKind::Type),
    ("error", ValueKind::Type),
];

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match parse(args, item.clone()) {
        Ok(model) => expand_model(&model),
        Err(error) => diagnostics::with_item(&error, item),
    }
}

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<ContractModel> {
    let mut item: DeriveInput = syn::parse2(item).map_err(|error| {
        syn::Error::new(error.span(), "`#[contract]` applies to a struct or an enum")
    })?;
    let mut diagnostics = Diagnostics::default();
    let args = parse_args(args, &mut diagnostics);
    check_item(&item, &mut diagnostics);
    let docs = doc_string(&item.attrs);
    let shape = serde_forms::shape_of(&item.data);
    serde_forms::mark(&mut item.attrs, &item.ident, &shape);
    diagnostics.finish(ContractModel { item, args, docs })
}

/// Parses the arguments of `#[contract(..)]`, reporting every problem in
/// `diagnostics`.
pub(crate) fn parse_args(args: TokenStream, diagnostics: &mut Diagnostics) -> ContractArgs {
    let args = attr::parse_args(args, KEYS, "`#[contract(..)]`", diagnostics);

    let mut kind: Option<(Kind, Span)> = None;
    let mut channel = None;
    let mut method = None;
    let mut namespace = None;
    let mut response: Option<(Type, Span)> = None;
    let mut error: Option<(Type, Span)> = None;
    for arg in args {
        let span = arg.span();
        let key = arg.key.to_string();
        match (key.as_str(), arg.value) {
            ("invoke" | "send" | "event", Value::Flag) => {
                let this = match key.as_str() {
                    "invoke" => Kind::Invoke,
                    "send" => Kind::Send,
                    _ => Kind::Event,
                };
                match kind {
                    Some((first, _)) => diagnostics.error(
                        span,
                        format!(
                            "a contract has exactly one kind, but `{}` and `{}` were both given",
                            first.keyword(),
                            this.keyword()
                        ),
                    ),
                    None => kind = Some((this, span)),
                }
            }
            ("channel", Value::Str(lit)) => {
                if let Err(message) = naming::check_channel(&lit.value()) {
                    diagnostics.error(lit.span(), message);
                }
                channel = Some(lit);
            }
            ("method", Value::Str(lit)) => {
                if let Err(message) = naming::check_ts_identifier("method name", &lit.value()) {
                    diagnostics.error(lit.span(), message);
                }
                method = Some(lit);
            }
            ("namespace", Value::Str(lit)) => {
                if let Err(message) = naming::check_ts_identifier("namespace", &lit.value()) {
                    diagnostics.error(lit.span(), message);
                }
                namespace = Some(lit);
            }
            ("response", Value::Type(ty)) => response = Some((*ty, span)),
            ("error", Value::Type(ty)) => error = Some((*ty, span)),
            _ => diagnostics.error(span, format!("unexpected value for `{key}`")),
        }
    }

    let kind = match kind {
        Some((kind, _)) => kind,
        None => {
            diagnostics.error(
                Span::call_site(),
                "missing contract kind: write `#[contract(invoke, response = ..)]`, `#[contract(send)]` or `#[contract(event)]`",
            );
            Kind::Invoke
        }
    };
    match kind {
        Kind::Invoke => {
            if response.is_none() {
                diagnostics.error(
                    Span::call_site(),
                    "an `invoke` contract needs a response type: add `response = <Type>` (use `()` for no data)",
                );
            }
        }
        Kind::Send | Kind::Event => {
            let why = if kind == Kind::Send {
                "a `send` contract gets no reply"
            } else {
                "an `event` contract flows from main to the renderer and gets no reply"
            };
            if let Some((_, span)) = &response {
                diagnostics.error(
                    *span,
                    format!("`response` is only for `invoke` contracts: {why}"),
                );
            }
            if let Some((_, span)) = &error {
                diagnostics.error(
                    *span,
                    format!("`error` is only for `invoke` contracts: {why}"),
                );
            }
        }
    }
    ContractArgs {
        kind,
        channel,
        method,
        namespace,
        response: response.map(|(ty, _)| ty),
        error: error.map(|(ty, _)| ty),
    }
}

/// What the item itself must be: a concrete struct or enum with the derives.
fn check_item(item: &DeriveInput, diagnostics: &mut Diagnostics) {
    let ident = &item.ident;
    if !item.generics.params.is_empty() {
        diagnostics.error_spanned(
            &item.generics,
            format!(
                "a contract cannot be generic: declare a concrete type for the contract (`{ident}` may hold generic types at concrete instantiations)"
            ),
        );
    }
    if let syn::Data::Union(data) = &item.data {
        diagnostics.error(
            data.union_token.span,
            "`#[contract]` applies to a struct or an enum, not a union",
        );
    } else {
        let required = [
            derives::SERIALIZE,
            derives::DESERIALIZE,
            derives::JSON_SCHEMA,
        ];
        derives::check("contract", ident, &item.attrs, &required, diagnostics);
    }
}

/// The rustdoc of an item, one line per `///` line, leading space removed.
pub(crate) fn doc_string(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) = &nv.value
        {
            let value = lit.value();
            lines.push(
                value
                    .strip_prefix(' ')
                    .unwrap_or(&value)
                    .trim_end()
                    .to_owned(),
            );
        }
    }
    lines.join("\n").trim().to_owned()
}

fn optional_str(value: Option<&LitStr>) -> TokenStream {
    match value {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

fn expand_model(model: &ContractModel) -> TokenStream {
    let item = &model.item;
    let ident = &item.ident;
    let channel = optional_str(model.args.channel.as_ref());
    let method = optional_str(model.args.method.as_ref());
    let namespace = optional_str(model.args.namespace.as_ref());
    let docs = &model.docs;
    let rt = quote!(::ipc_runtime);
    let (kind, kind_impl, registration) = match model.args.kind {
        Kind::Invoke => {
            let response = model
                .args
                .response
                .as_ref()
                .map_or_else(|| quote!(()), ToTokens::to_token_stream);
            let error = model
                .args
                .error
                .as_ref()
                .map_or_else(|| quote!(#rt::NoError), ToTokens::to_token_stream);
            (
                quote!(Invoke),
                quote! {
                    impl #rt::InvokeContract for #ident {
                        type Response = #response;
                        type Error = #error;
                    }
                },
                quote!(invoke),
            )
        }
        Kind::Send => (
            quote!(Send),
            quote!(impl #rt::SendContract for #ident {}),
            quote!(send),
        ),
        Kind::Event => (
            quote!(Event),
            quote!(impl #rt::EventContract for #ident {}),
            quote!(event),
        ),
    };
    quote! {
        #item

        const _: () = {
            impl #rt::Contract for #ident {
                const KIND: #rt::ContractKind = #rt::ContractKind::#kind;
                const DECLARATION: #rt::ContractDeclaration = #rt::ContractDeclaration {
                    type_name: ::core::stringify!(#ident),
                    module_path: ::core::module_path!(),
                    channel: #channel,
                    method: #method,
                    namespace: #namespace,
                    docs: #docs,
                    location: #rt::SourceLocation {
                        file: ::core::file!(),
                        line: ::core::line!(),
                        column: ::core::column!(),
                    },
                };
            }

            #kind_impl

            #rt::__private::inventory::submit! {
                #rt::__private::ContractRegistration::#registration::<#ident>()
            }
        };
    }
}
