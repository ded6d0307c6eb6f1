//! The manifest: one versioned description of every contract, shared by the
//! runtime (validators) and the code generator (TypeScript). The types are
//! `ipc_meta::manifest`'s; this module builds them from the registry.

pub use ipc_meta::manifest::*;

use crate::registry::{RegisteredContract, RegistryError, registered_contracts};
use crate::schema::{self, Direction};

fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Builds the [`Manifest`] of the contracts linked into this program.
pub trait CollectManifest {
    /// The manifest of every contract linked into this program.
    fn collect() -> Result<Manifest, RegistryError>;
    /// Builds the manifest of `contracts` (already sorted and checked).
    fn from_contracts(contracts: &[RegisteredContract]) -> Manifest;
}

impl CollectManifest for Manifest {
    fn collect() -> Result<Manifest, RegistryError> {
        Ok(Self::from_contracts(&registered_contracts()?))
    }

    fn from_contracts(contracts: &[RegisteredContract]) -> Manifest {
        let mut input = schema::generator(Direction::Input);
        let mut output = schema::generator(Direction::Output);
        let manifests = contracts
            .iter()
            .map(|contract| {
                let registration = contract.registration;
                let declaration = &registration.declaration;
                let payload = match registration.kind.payload_direction() {
                    Direction::Input => registration.payload.subschema(&mut input),
                    Direction::Output => registration.payload.subschema(&mut output),
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
                        .response
                        .map(|response| response.subschema(&mut output)),
                    error: registration.error.as_ref().map(|error| ErrorManifest {
                        rust_path: (error.schema.type_name)().to_owned(),
                        schema: error.schema.subschema(&mut output),
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
