//! `#[contracts]` on an inline module: parse the module's contracts into a
//! model, then expand it into the module plus a trait with one handler
//! method per invoke and send contract, so that a missing handler is a
//! compile error.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Attribute, Ident, Item, ItemMod, Type};

use crate::attr::{self, Value, ValueKind};
use crate::contract::{self, Kind, doc_string};
use crate::diagnostics::{self, Diagnostics};
use crate::serde_forms;
use ipc_meta::naming;

const KEYS: &[(&str, ValueKind)] = &[("handlers", ValueKind::Type)];

/// The provided method that registers every handler; no contract's method
/// may take its name.
const ADD_TO: &str = "add_to";

/// A contract that needs a handler.
struct Handled {
    ident: Ident,
    /// The handler method: the type's name in snake case.
    method: Ident,
    /// `#[cfg]` attributes of the contract, repeated on its method.
    cfgs: Vec<Attribute>,
    docs: String,
    reply: Reply,
}

enum Reply {
    /// An invoke contract's response type, and its typed error if it has one.
    Invoke {
        response: Box<Type>,
        error: Option<Box<Type>>,
    },
    Send,
}

struct ModuleModel {
    module: ItemMod,
    trait_ident: Ident,
    handled: Vec<Handled>,
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match parse(args, item.clone()) {
        Ok(model) => expand_model(model),
        Err(error) => diagnostics::with_item(&error, item),
    }
}

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<ModuleModel> {
    let mut module: ItemMod = syn::parse2(item).map_err(|error| {
        syn::Error::new(
            error.span(),
            "`#[contracts]` applies to an inline module: `mod name { .. }`",
        )
    })?;
    let mut diagnostics = Diagnostics::default();
    let args = attr::parse_args(args, KEYS, "`#[contracts(..)]`", &mut diagnostics);
    let mut trait_ident = Ident::new("Handlers", Span::call_site());
    for arg in args {
        if let Value::Type(ty) = arg.value {
            match plain_ident(&ty) {
                Some(ident) => trait_ident = ident,
                None => diagnostics.error_spanned(
                    &ty,
                    "`handlers` names the generated trait: a plain identifier such as `NotesHandlers`",
                ),
            }
        }
    }

    let mut handled = Vec::new();
    match &module.content {
        None => diagnostics.error(
            module.ident.span(),
            format!(
                "`#[contracts]` needs the module's items inline (`mod {} {{ .. }}`): the items of a module in its own file are not visible to the macro",
                module.ident
            ),
        ),
        Some((_, items)) => {
            let mut found = 0;
            for item in items {
                match handled_contract(item) {
                    Some(Ok(contract)) => handled.push(contract),
                    Some(Err(error)) => diagnostics.push(error),
                    None => continue,
                }
                found += 1;
            }
            if found == 0 {
                diagnostics.error(
                    module.ident.span(),
                    format!(
                        "module `{}` declares no `#[contract(invoke, ..)]` or `#[contract(send)]` type, so there is nothing to handle",
                        module.ident
                    ),
                );
            }
        }
    }
    for contract in &handled {
        if contract.method == ADD_TO {
            diagnostics.error(
                contract.ident.span(),
                format!(
                    "the handler method of `{}` would be `{ADD_TO}`, the method of the generated trait `{trait_ident}` that registers the handlers: rename the type",
                    contract.ident
                ),
            );
        }
    }
    // The module's other types are the contracts' parts: mark the serde
    // forms schemars does not describe (a contract marks its own).
    if let Some((_, items)) = &mut module.content {
        items.iter_mut().for_each(serde_forms::mark_item);
    }
    diagnostics.finish(ModuleModel {
        module,
        trait_ident,
        handled,
    })
}

fn plain_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
        _ => None,
    }
}

/// The contract `item` declares, when it is an invoke or send contract,
/// or why it cannot have a handler method. Problems in the contract's own
/// arguments are left to `#[contract]`, which reports them on the item.
fn handled_contract(item: &Item) -> Option<syn::Result<Handled>> {
    let (attrs, ident) = match item {
        Item::Struct(item) => (&item.attrs, &item.ident),
        Item::Enum(item) => (&item.attrs, &item.ident),
        _ => return None,
    };
    let attribute = attrs.iter().find(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "contract")
    })?;
    let tokens = match &attribute.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => return None,
    };
    // A contract with bad arguments gets its errors from `#[contract]`.
    let mut problems = Diagnostics::default();
    let args = contract::parse_args(tokens, &mut problems);
    problems.finish(()).ok()?;
    let reply = match args.kind {
        Kind::Invoke => Reply::Invoke {
            response: Box::new(args.response?),
            error: args.error.map(Box::new),
        },
        Kind::Send => Reply::Send,
        Kind::Event => return None,
    };
    let name = naming::snake_case(&ident.to_string());
    let Some(method) = method_ident(&name, ident.span()) else {
        return Some(Err(syn::Error::new(
            ident.span(),
            format!(
                "the handler method of `{ident}` would be `{name}`, a keyword that cannot name a method: rename the type"
            ),
        )));
    };
    let cfgs = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .cloned()
        .collect();
    Some(Ok(Handled {
        ident: ident.clone(),
        method,
        cfgs,
        docs: doc_string(attrs),
        reply,
    }))
}

/// `name` as a method name: written raw when it is a keyword (`Type` gives
/// `r#type`), and `None` for the keywords that cannot be raw (`self`,
/// `super`, `crate`).
fn method_ident(name: &str, span: Span) -> Option<Ident> {
    if syn::parse_str::<Ident>(name).is_ok() {
        return Some(Ident::new(name, span));
    }
    (!matches!(name, "self" | "super" | "crate")).then(|| Ident::new_raw(name, span))
}

fn expand_model(model: ModuleModel) -> TokenStream {
    let ModuleModel {
        mut module,
        trait_ident,
        handled,
    } = model;
    let rt = quote!(::ipc_runtime);
    let mut methods = Vec::new();
    let mut forwards = Vec::new();
    let mut registrations = Vec::new();
    let mut calls = Vec::new();
    for contract in &handled {
        let Handled {
            ident,
            method,
            cfgs,
            docs,
            reply,
        } = contract;
        let summary = docs.lines().next().unwrap_or_default();
        let doc = if summary.is_empty() {
            format!("Handles [`{ident}`].")
        } else {
            format!("Handles [`{ident}`]: {summary}")
        };
        let (output, register) = match reply {
            Reply::Invoke { response, error } => {
                let failure = match error {
                    Some(error) => quote!(#rt::HandlerFailure<#error>),
                    None => quote!(#rt::IpcHandlerError),
                };
                (
                    quote!(::core::result::Result<#response, #failure>),
                    quote!(invoke),
                )
            }
            Reply::Send => (
                quote!(::core::result::Result<(), #rt::IpcHandlerError>),
                quote!(send),
            ),
        };
        // Spanned at the contract, where rustc points when it is missing.
        let signature = quote_spanned! {ident.span()=>
            fn #method(
                &self,
                context: #rt::CallContext,
                request: #ident,
            ) -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
        };
        methods.push(quote_spanned! {ident.span()=>
            #(#cfgs)*
            #[doc = #doc]
            #signature;
        });
        forwards.push(quote! {
            #(#cfgs)*
            #signature {
                T::#method(self, context, request)
            }
        });
        // One small function per contract rather than one statement each
        // in `add_to`: the compiler checks each body on its own, and its
        // borrow checker grows faster than linearly with one body's size.
        let register_fn = format_ident!("register_{}", method.to_string().trim_start_matches("r#"));
        registrations.push(quote! {
            #(#cfgs)*
            fn #register_fn<H: #trait_ident>(
                builder: #rt::RouterBuilder,
                handlers: &::std::sync::Arc<H>,
            ) -> #rt::RouterBuilder {
                let handlers = ::std::sync::Arc::clone(handlers);
                builder.#register::<#ident, _>(move |context: #rt::CallContext, request: #ident| {
                    let handlers = ::std::sync::Arc::clone(&handlers);
                    async move { handlers.#method(context, request).await }
                })
            }
        });
        calls.push(quote! {
            #(#cfgs)*
            let builder = #register_fn::<Self>(builder, &handlers);
        });
    }
    let trait_doc = format!(
        "The handlers of the contracts of module `{}`: one method per invoke and send contract, so a contract without a handler does not compile. [`{trait_ident}::{ADD_TO}`] adds them all to a router.",
        module.ident
    );
    let add_to = Ident::new(ADD_TO, Span::call_site());
    let generated: Item = syn::parse_quote! {
        #[doc = #trait_doc]
        pub trait #trait_ident: ::core::marker::Send + ::core::marker::Sync + 'static {
            #(#methods)*

            /// Adds every handler of this trait to `builder`.
            fn #add_to(self, builder: #rt::RouterBuilder) -> #rt::RouterBuilder
            where
                Self: ::core::marker::Sized,
            {
                #(#registrations)*
                let handlers = ::std::sync::Arc::new(self);
                #(#calls)*
                ::core::mem::drop(handlers);
                builder
            }
        }
    };
    // Handlers kept in an `Arc` (to be used elsewhere too) are handlers.
    let shared: Item = syn::parse_quote! {
        impl<T: #trait_ident> #trait_ident for ::std::sync::Arc<T> {
            #(#forwards)*
        }
    };
    if let Some((_, items)) = &mut module.content {
        items.push(generated);
        items.push(shared);
    }
    quote!(#module)
}
