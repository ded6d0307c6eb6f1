//! Every contract registers itself at link time (through `inventory`), so a
//! program that links a contracts crate can list its contracts without any
//! export code.

use std::fmt;

use ipc_meta::{ContractSetEntry, check_contract_set};

use schemars::generate::SchemaGenerator;
use serde_json::Value;

use crate::contract::{
    ContractDeclaration, ContractError, ContractKind, ErrorCodeInfo, EventContract, InvokeContract,
    SendContract,
};
use crate::naming::ContractNames;
use crate::schema;

/// Builds the schema of one type in a generator.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Value;

/// The typed error of an invoke contract.
#[derive(Debug)]
pub struct ErrorRegistration {
    pub type_name: fn() -> &'static str,
    pub schema: SchemaFn,
    pub codes: &'static [ErrorCodeInfo],
}

/// What the macro registers for one contract.
#[derive(Debug)]
pub struct ContractRegistration {
    pub kind: ContractKind,
    pub declaration: ContractDeclaration,
    pub type_name: fn() -> &'static str,
    pub payload_schema: SchemaFn,
    pub response_schema: Option<SchemaFn>,
    pub error: Option<ErrorRegistration>,
}

inventory::collect!(ContractRegistration);

impl ContractRegistration {
    pub const fn invoke<T: InvokeContract>() -> Self {
        let error = if <T::Error as ContractError>::IS_NO_ERROR {
            None
        } else {
            Some(ErrorRegistration {
                type_name: std::any::type_name::<T::Error>,
                schema: schema::subschema_for::<T::Error>,
                codes: <T::Error as ContractError>::CODES,
            })
        };
        ContractRegistration {
            kind: ContractKind::Invoke,
            declaration: T::DECLARATION,
            type_name: std::any::type_name::<T>,
            payload_schema: schema::subschema_for::<T>,
            response_schema: Some(schema::subschema_for::<T::Response>),
            error,
        }
    }

    pub const fn send<T: SendContract>() -> Self {
        Self::without_reply::<T>(ContractKind::Send)
    }

    pub const fn event<T: EventContract>() -> Self {
        Self::without_reply::<T>(ContractKind::Event)
    }

    const fn without_reply<T: crate::Contract>(kind: ContractKind) -> Self {
        ContractRegistration {
            kind,
            declaration: T::DECLARATION,
            type_name: std::any::type_name::<T>,
            payload_schema: schema::subschema_for::<T>,
            response_schema: None,
            error: None,
        }
    }
}

/// A registered contract with its names resolved.
#[derive(Debug, Clone)]
pub struct RegisteredContract {
    pub registration: &'static ContractRegistration,
    pub names: ContractNames,
}

impl RegisteredContract {
    /// The Rust path of the contract type, as `std::any::type_name` gives it.
    pub fn rust_path(&self) -> &'static str {
        (self.registration.type_name)()
    }
}

/// Contracts whose declarations clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    pub conflicts: Vec<String>,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} conflicting contract declaration(s):",
            self.conflicts.len()
        )?;
        for conflict in &self.conflicts {
            writeln!(f, "  - {conflict}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RegistryError {}

/// Every contract linked into this program, sorted by channel. Invalid
/// names, and two contracts on one channel or with one TypeScript method,
/// are an error that names the declarations (see
/// [`ipc_meta::check_contract_set`]); contracts are never merged.
pub fn registered_contracts() -> Result<Vec<RegisteredContract>, RegistryError> {
    resolve(inventory::iter::<ContractRegistration>.into_iter())
}

pub(crate) fn resolve<'a>(
    registrations: impl Iterator<Item = &'a ContractRegistration>,
) -> Result<Vec<RegisteredContract>, RegistryError>
where
    'a: 'static,
{
    let mut contracts: Vec<RegisteredContract> = registrations
        .map(|registration| RegisteredContract {
            registration,
            names: ContractNames::of(&registration.declaration),
        })
        .collect();
    contracts.sort_by(|a, b| {
        (a.names.channel.as_str(), a.rust_path()).cmp(&(b.names.channel.as_str(), b.rust_path()))
    });

    let entries: Vec<ContractSetEntry<'_>> = contracts
        .iter()
        .map(|contract| {
            ContractSetEntry::new(
                &contract.names.channel,
                &contract.names.namespace,
                &contract.names.method,
                contract.rust_path(),
                contract.registration.declaration.location,
            )
        })
        .collect();
    let conflicts = check_contract_set(&entries);
    if conflicts.is_empty() {
        Ok(contracts)
    } else {
        Err(RegistryError { conflicts })
    }
}
