//! Parses attribute arguments such as `invoke, response = Vec<Note>, channel = "notes:list"`.
//!
//! Every argument is kept with its span. Values are parsed by the key's
//! expected kind (a type, a string, an integer), so `HashMap<K, V>` is read
//! as one type even though it contains a comma. Unknown keys are reported and
//! skipped, and parsing carries on so that every problem surfaces at once.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitInt, LitStr, Token, Type};

use crate::diagnostics::Diagnostics;

/// What a key's value must be.
#[derive(Clone, Copy)]
pub(crate) enum ValueKind {
    /// A bare word, no value: `invoke`.
    Flag,
    Type,
    Str,
    Int,
}

/// A parsed value.
pub(crate) enum Value {
    Flag,
    Type(Box<Type>),
    Str(LitStr),
    Int(LitInt),
}

pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Value,
}

/// Parses `tokens` against the allowed keys. Unknown and duplicate keys are
/// reported in `diagnostics`; the well-formed arguments are returned.
pub(crate) fn parse_args(
    tokens: TokenStream,
    keys: &[(&str, ValueKind)],
    context: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<Arg> {
    let parser = |input: ParseStream<'_>| -> syn::Result<Vec<Arg>> {
        let mut args: Vec<Arg> = Vec::new();
        while !input.is_empty() {
            let key: Ident = match input.parse() {
                Ok(key) => key,
                Err(error) => {
                    diagnostics.push(error);
                    skip_to_comma(input);
                    continue;
                }
            };
            let expected = keys
                .iter()
                .find(|(name, _)| key == name)
                .map(|(_, kind)| *kind);
            match expected {
                None => {
                    let known: Vec<String> =
                        keys.iter().map(|(name, _)| format!("`{name}`")).collect();
                    diagnostics.error(
                        key.span(),
                        format!(
                            "unknown key `{key}` in {context}; expected one of {}",
                            known.join(", ")
                        ),
                    );
                    skip_to_comma(input);
                }
                Some(ValueKind::Flag) if input.peek(Token![=]) => {
                    // Keep the flag so that no second error ("missing kind")
                    // follows from this one.
                    diagnostics.error(key.span(), format!("`{key}` takes no value"));
                    skip_to_comma(input);
                    if !args.iter().any(|arg| arg.key == key) {
                        args.push(Arg {
                            key,
                            value: Value::Flag,
                        });
                    }
                }
                Some(kind) => match parse_value(input, &key, kind) {
                    Ok(value) => {
                        if args.iter().any(|arg| arg.key == key) {
                            diagnostics
                                .error(key.span(), format!("duplicate key `{key}` in {context}"));
                        } else {
                            args.push(Arg { key, value });
                        }
                    }
                    Err(error) => {
                        diagnostics.push(error);
                        skip_to_comma(input);
                    }
                },
            }
            if !input.is_empty()
                && let Err(error) = input.parse::<Token![,]>()
            {
                diagnostics.push(error);
                skip_to_comma(input);
            }
        }
        Ok(args)
    };
    match parser.parse2(tokens) {
        Ok(args) => args,
        Err(error) => {
            diagnostics.push(error);
            Vec::new()
        }
    }
}

fn parse_value(input: ParseStream<'_>, key: &Ident, kind: ValueKind) -> syn::Result<Value> {
    if let ValueKind::Flag = kind {
        if input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("`{key}` takes no value"),
            ));
        }
        return Ok(Value::Flag);
    }
    if !input.peek(Token![=]) {
        let example = match kind {
            ValueKind::Type => "a type",
            ValueKind::Str => "a string literal",
            ValueKind::Int => "an integer",
            ValueKind::Flag => "nothing",
        };
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: `{key} = <{example}>`"),
        ));
    }
    input.parse::<Token![=]>()?;
    Ok(match kind {
        ValueKind::Type => Value::Type(Box::new(input.parse()?)),
        ValueKind::Str => Value::Str(input.parse()?),
        ValueKind::Int => Value::Int(input.parse()?),
        ValueKind::Flag => Value::Flag,
    })
}

/// Skips tokens up to the next top-level comma. A type's `<..>` can hold
/// commas, so angle brackets are tracked.
fn skip_to_comma(input: ParseStream<'_>) {
    let mut angle_depth = 0usize;
    while !input.is_empty() {
        if angle_depth == 0 && input.peek(Token![,]) {
            return;
        }
        if input.peek(Token![<]) {
            angle_depth += 1;
        } else if input.peek(Token![>]) {
            angle_depth = angle_depth.saturating_sub(1);
        }
        if input.parse::<proc_macro2::TokenTree>().is_err() {
            return;
        }
    }
}

impl Arg {
    pub(crate) fn span(&self) -> Span {
        self.key.span()
    }
}
