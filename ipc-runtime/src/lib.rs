//! The trusted main side of ipc-contracts.
//!
//! Contracts are declared with [`contract`] (and their typed errors with
//! [`contract_error`]); each declaration registers itself, so the
//! [`Manifest`] of a crate can be built without any export code.
//!
//! A [`Router`] serves the contracts: build it with a handler for every
//! invoke and send contract, then give it the bytes a transport receives
//! ([`Router::dispatch`]) and send back what it returns; event envelopes
//! come from [`Router::event`]. The wire protocol is described in
//! `docs/protocol.md`.

mod context;
mod contract;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod manifest;
pub mod naming;
mod registry;
mod router;
pub mod schema;
pub mod validation;
pub mod wide;
pub mod wire;
#[cfg(feature = "ws")]
pub mod ws;

pub use context::{CallContext, CallerFrame, CallerIdentity, CancellationToken};
pub use contract::{
    Contract, ContractDeclaration, ContractError, ContractKind, ErrorCodeInfo, EventContract,
    InvokeContract, NoError, SendContract, SourceLocation,
};
pub use ipc_macros::{contract, contract_error, contracts};
pub use manifest::{CollectManifest, MANIFEST_VERSION, Manifest};
pub use registry::{RegisteredContract, RegistryError, registered_contracts};
pub use router::{
    BuildError, BytesAnsweredAsText, DEFAULT_INLINE_MAX_BYTES, InlineChannels, InvokeReply, Permit,
    RequestInput, Router, RouterBuilder, RouterConfig, SendReply, SyncInvokeReply, SyncSendReply,
    TransportToken, blocking,
};
pub use validation::{DecodeError, Decoder, SchemaError};
pub use wide::Wide;
pub use wire::{
    FrameworkCode, HandlerFailure, IpcError, IpcHandlerError, IpcValidationError, PathSegment,
    RequestId, ValidationField, ValidationIssue,
};

/// Used by the code the macros generate; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{ContractRegistration, ErrorRegistration, TypeSchema};
    pub use inventory;
}
