//! The traits the macros implement for each contract.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use ipc_meta::{ContractDeclaration, ContractKind, ErrorCodeInfo, SourceLocation};

/// A declared contract: the type is the payload the contract carries.
pub trait Contract: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {
    const KIND: ContractKind;
    const DECLARATION: ContractDeclaration;
}

/// Renderer -> main with a reply.
pub trait InvokeContract: Contract {
    type Response: Serialize + JsonSchema + Send + 'static;
    /// [`NoError`] when the contract declares no typed error.
    type Error: ContractError;
}

/// Renderer -> main, no reply.
pub trait SendContract: Contract {}

/// Main -> renderer.
pub trait EventContract: Contract {}

/// A contract's typed error, implemented by `#[contract_error]`.
///
/// It serializes as `{"code": "..", "details": ..}`; the runtime adds the
/// message and status code to build the `IPCHandlerError` on the wire.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a contract error",
    label = "used as a contract's `error` type",
    note = "annotate the enum with `#[ipc_runtime::contract_error]`"
)]
pub trait ContractError: Serialize + JsonSchema + Send + 'static {
    /// Every code this error can take, in declaration order.
    const CODES: &'static [ErrorCodeInfo];
    /// True only for [`NoError`], the error of contracts that declare none.
    #[doc(hidden)]
    const IS_NO_ERROR: bool = false;

    fn code(&self) -> &'static str;
    fn status_code(&self) -> Option<u16>;
    /// A human-readable message, safe to show to the renderer.
    fn message(&self) -> String;
}

/// The error of an invoke contract that declares none: it has no values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoError {}

impl Serialize for NoError {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

impl JsonSchema for NoError {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NoError".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::from(false)
    }
}

impl ContractError for NoError {
    const CODES: &'static [ErrorCodeInfo] = &[];
    const IS_NO_ERROR: bool = true;

    fn code(&self) -> &'static str {
        match *self {}
    }

    fn status_code(&self) -> Option<u16> {
        match *self {}
    }

    fn message(&self) -> String {
        match *self {}
    }
}
