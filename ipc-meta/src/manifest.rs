//! The manifest: one versioned description of every contract, shared by the
//! runtime (validators) and the code generator (TypeScript).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::check::ContractSetEntry;
use crate::kind::{ContractKind, Direction};
use crate::schema;

/// Bumped on any incompatible change of the manifest's shape.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    /// The JSON Schema dialect of every schema below (draft 2020-12).
    pub json_schema_dialect: String,
    /// Sorted by channel.
    pub contracts: Vec<ContractManifest>,
    /// `$defs` for data the renderer sends (serde's deserialize view). The
    /// `payload` of invoke and send contracts refers to these.
    pub input_definitions: Map<String, Value>,
    /// `$defs` for data main sends (serde's serialize view). Responses,
    /// errors and event payloads refer to these.
    pub output_definitions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractManifest {
    pub channel: String,
    pub kind: ContractKind,
    pub namespace: String,
    pub method: String,
    /// The contract type's Rust path.
    pub rust_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// The data the contract carries: an invoke's or send's request (input
    /// direction) or an event's payload (output direction).
    pub payload: Value,
    /// An invoke's response (output direction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// An invoke's typed error (output direction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorManifest>,
    pub source: SourceManifest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorManifest {
    pub rust_path: String,
    /// The schema of `{"code": .., "details": ..}`.
    pub schema: Value,
    pub codes: Vec<ErrorCodeManifest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorCodeManifest {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceManifest {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Manifest {
    /// The contract on `channel`.
    pub fn contract(&self, channel: &str) -> Option<&ContractManifest> {
        self.contracts
            .iter()
            .find(|contract| contract.channel == channel)
    }

    /// The `$defs` a schema of `direction` refers to.
    pub fn definitions(&self, direction: Direction) -> &Map<String, Value> {
        match direction {
            Direction::Input => &self.input_definitions,
            Direction::Output => &self.output_definitions,
        }
    }

    /// A self-contained root schema of `contract`'s payload.
    pub fn payload_root_schema(&self, contract: &ContractManifest) -> Value {
        schema::root_schema(
            &contract.payload,
            self.definitions(contract.kind.payload_direction()),
        )
    }

    /// A self-contained root schema of `contract`'s response, for invokes.
    pub fn response_root_schema(&self, contract: &ContractManifest) -> Option<Value> {
        let response = contract.response.as_ref()?;
        Some(schema::root_schema(response, &self.output_definitions))
    }

    /// A self-contained root schema of `contract`'s typed error.
    pub fn error_root_schema(&self, contract: &ContractManifest) -> Option<Value> {
        let error = contract.error.as_ref()?;
        Some(schema::root_schema(&error.schema, &self.output_definitions))
    }
}

impl ContractManifest {
    /// This contract as the cross-contract checks see it.
    pub fn set_entry(&self) -> ContractSetEntry<'_> {
        ContractSetEntry::new(
            &self.channel,
            &self.namespace,
            &self.method,
            &self.rust_path,
            format_args!(
                "{}:{}:{}",
                self.source.file, self.source.line, self.source.column
            ),
        )
    }
}
