//! The contract model of ipc-contracts, shared by the macros, the runtime
//! and the code generator: what a contract is, how it is named, how it is
//! described in a manifest, and the constants of the wire protocol.
//!
//! Every rule lives here once. The macros apply the naming rules at compile
//! time, the runtime's registry applies them again with the cross-contract
//! checks when it collects the contracts, and the code generator applies
//! them to the manifest it reads; the TypeScript constants are written from
//! [`protocol`] and [`FrameworkCode`]. The crate depends on serde and
//! serde_json only, so a proc-macro crate and the code generator can use it
//! without pulling in the runtime.

mod check;
mod declaration;
mod framework;
mod kind;
pub mod manifest;
pub mod naming;
pub mod protocol;
pub mod schema;
pub mod wide;

pub use check::{ContractSetEntry, check_contract_set};
pub use declaration::{ContractDeclaration, ErrorCodeInfo, SourceLocation};
pub use framework::FrameworkCode;
pub use kind::{ContractKind, Direction};
pub use manifest::{MANIFEST_VERSION, Manifest};
