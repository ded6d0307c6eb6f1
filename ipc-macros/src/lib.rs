//! Attribute macros that declare ipc-contracts contracts.
//!
//! Use them through `ipc_runtime` (`#[ipc_runtime::contract(..)]`,
//! `#[ipc_runtime::contract_error]`); the generated code refers to
//! `::ipc_runtime`, so this crate is not meant to be depended on directly.
//!
//! Each macro is a thin entry point: parse the tokens into a model
//! (collecting every problem with its span), then expand the model.

mod attr;
mod contract;
mod contract_error;
mod derives;
mod diagnostics;
mod naming;

use proc_macro::TokenStream;

/// Declares an IPC contract on a struct or enum.
///
/// ```ignore
/// #[ipc_runtime::contract(invoke, response = Note, error = NotesError)]
/// #[derive(Serialize, Deserialize, JsonSchema)]
/// pub struct GetNote { pub id: u32 }
/// ```
///
/// See `docs/contracts.md` for every key.
#[proc_macro_attribute]
pub fn contract(args: TokenStream, item: TokenStream) -> TokenStream {
    contract::expand(args.into(), item.into()).into()
}

/// Turns an enum into a contract's typed error: every variant becomes an
/// error code, and its fields become the error's `details`.
#[proc_macro_attribute]
pub fn contract_error(args: TokenStream, item: TokenStream) -> TokenStream {
    contract_error::expand(args.into(), item.into()).into()
}
