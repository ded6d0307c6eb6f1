//! The traits the macros implement for each contract.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Which way a contract's payload flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractKind {
    /// Renderer -> main, answered with a response or a typed error.
    Invoke,
    /// Renderer -> main, fire and forget.
    Send,
    /// Main -> renderer.
    Event,
}

impl ContractKind {
    /// The keyword used in `#[contract(..)]` and in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractKind::Invoke => "invoke",
            ContractKind::Send => "send",
            ContractKind::Event => "event",
        }
    }
}

/// Where a contract is declared, for diagnostics such as duplicate channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a `#[contract(..)]` attribute declared, before default names are
/// derived (see [`crate::naming`]).
#[derive(Debug, Clone, Copy)]
pub struct ContractDeclaration {
    pub type_name: &'static str,
    pub module_path: &'static str,
    pub channel: Option<&'static str>,
    pub method: Option<&'static str>,
    pub namespace: Option<&'static str>,
    pub docs: &'static str,
    pub location: SourceLocation,
}

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

/// One code of a contract error enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCodeInfo {
    pub code: &'static str,
    pub status_code: Option<u16>,
    pub docs: &'static str,
}

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
