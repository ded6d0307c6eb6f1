//! The trusted main side of ipc-contracts.
//!
//! Contracts are declared with [`contract`] (and their typed errors with
//! [`contract_error`]); each declaration registers itself, so the
//! [`Manifest`] of a crate can be built without any export code.

mod contract;
pub mod manifest;
pub mod naming;
mod registry;
pub mod schema;

pub use contract::{
    Contract, ContractDeclaration, ContractError, ContractKind, ErrorCodeInfo, EventContract,
    InvokeContract, NoError, SendContract, SourceLocation,
};
pub use ipc_macros::{contract, contract_error};
pub use manifest::{MANIFEST_VERSION, Manifest};
pub use registry::{RegisteredContract, RegistryError, registered_contracts};

/// Used by the code the macros generate; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{ContractRegistration, ErrorRegistration, SchemaFn};
    pub use inventory;
}
