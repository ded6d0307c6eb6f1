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
mod contracts;
mod derives;
mod diagnostics;
mod serde_forms;

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

/// Put on an inline module of contracts: generates, inside it, a trait with
/// one handler method per invoke and send contract of the module, so that
/// a contract without a handler is a compile error.
///
/// ```ignore
/// #[ipc_runtime::contracts(handlers = NotesHandlers)]
/// pub mod notes {
///     #[ipc_runtime::contract(invoke, response = Note, error = NoteError)]
///     #[derive(Serialize, Deserialize, JsonSchema)]
///     pub struct GetNote { pub id: u64 }
///     // ..
/// }
///
/// impl notes::NotesHandlers for App {
///     async fn get_note(&self, context: CallContext, request: GetNote)
///         -> Result<Note, HandlerFailure<NoteError>> { .. }
/// }
///
/// let router = App::new().add_to(Router::builder()).build()?;
/// ```
///
/// See `docs/contracts.md`.
#[proc_macro_attribute]
pub fn contracts(args: TokenStream, item: TokenStream) -> TokenStream {
    contracts::expand(args.into(), item.into()).into()
}
