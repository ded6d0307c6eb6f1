//! The manifest: one versioned description of every contract, shared by the
//! runtime (validators) and the code generator (TypeScript).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contract::ContractKind;
use crate::registry::{RegisteredContract, RegistryError, registered_contracts};
use crate::schema::{self, Direction};

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

fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl ContractKind {
    /// The direction of the contract's payload.
    pub fn payload_direction(self) -> Direction {
        match self {
            ContractKind::Invoke | ContractKind::Send => Direction::Input,
            ContractKind::Event => Direction::Output,
        }
    }
}

impl Manifest {
    /// The manifest of every contract linked into this program.
    pub fn collect() -> Result<Manifest, RegistryError> {
        Ok(Self::from_contracts(&registered_contracts()?))
    }

    /// Builds the manifest of `contracts` (already sorted and checked).
    pub fn from_contracts(contracts: &[RegisteredContract]) -> Manifest {
        let mut input = schema::generator(Direction::Input);
        let mut output = schema::generator(Direction::Output);
        let manifests = contracts
            .iter()
            .map(|contract| {
                let registration = contract.registration;
                let declaration = &registration.declaration;
                let payload = match registration.kind.payload_direction() {
                    Direction::Input => (registration.payload_schema)(&mut input),
                    Direction::Output => (registration.payload_schema)(&mut output),
                };
                ContractManifest {
                    channel: contract.names.channel.clone(),
                    kind: registration.kind,
                    namespace: contract.names.namespace.clone(),
                    method: contract.names.method.clone(),
                    rust_path: contract.rust_path().to_owned(),
                    docs: non_empty(declaration.docs),
                    payload,
                    response: registration
                        .response_schema
                        .map(|schema_fn| schema_fn(&mut output)),
                    error: registration.error.as_ref().map(|error| ErrorManifest {
                        rust_path: (error.type_name)().to_owned(),
                        schema: (error.schema)(&mut output),
                        codes: error
                            .codes
                            .iter()
                            .map(|info| ErrorCodeManifest {
                                code: info.code.to_owned(),
                                status_code: info.status_code,
                                docs: non_empty(info.docs),
                            })
                            .collect(),
                    }),
                    source: SourceManifest {
                        file: declaration.location.file.replace('\\', "/"),
                        line: declaration.location.line,
                        column: declaration.location.column,
                    },
                }
            })
            .collect();
        Manifest {
            manifest_version: MANIFEST_VERSION,
            json_schema_dialect: schema::DIALECT.to_owned(),
            contracts: manifests,
            input_definitions: schema::take_definitions(&mut input),
            output_definitions: schema::take_definitions(&mut output),
        }
    }

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

/// The entry point of the extraction harness that `ipc-codegen manifest`
/// builds next to a contracts crate: prints the manifest of every linked
/// contract as JSON on stdout, or the conflicts on stderr with exit code 1.
#[doc(hidden)]
pub fn __harness_main() -> std::process::ExitCode {
    use std::io::Write;
    match Manifest::collect() {
        Ok(manifest) => match serde_json::to_string(&manifest) {
            Ok(json) => {
                let mut stdout = std::io::stdout().lock();
                if writeln!(stdout, "{json}")
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    return std::process::ExitCode::FAILURE;
                }
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("the manifest could not be serialized: {error}");
                std::process::ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprint!("{error}");
            std::process::ExitCode::FAILURE
        }
    }
}
