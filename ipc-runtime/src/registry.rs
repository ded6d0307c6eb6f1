//! Every contract registers itself at link time (through `inventory`), so a
//! program that links a contracts crate can list its contracts without any
//! export code.
//!
//! A registration is data only: the contract's declaration and, for each of
//! its types, the functions of its `JsonSchema` implementation
//! ([`TypeSchema`]), which the derive has already compiled. The code that
//! turns them into schemas is compiled once, here, instead of once per
//! contract type in the contracts crate (see `docs/adr/0026-*`).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use ipc_meta::{ContractSetEntry, check_contract_set};

use schemars::generate::SchemaGenerator;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::contract::{
    ContractDeclaration, ContractError, ContractKind, ErrorCodeInfo, EventContract, InvokeContract,
    SendContract,
};
use crate::naming::ContractNames;
use crate::schema;

/// One type's `JsonSchema` implementation, as function pointers.
#[derive(Debug, Clone, Copy)]
pub struct TypeSchema {
    /// The Rust path of the type, as `std::any::type_name` gives it.
    pub type_name: fn() -> &'static str,
    schema_name: fn() -> Cow<'static, str>,
    schema_id: fn() -> Cow<'static, str>,
    inline_schema: fn() -> bool,
    json_schema: fn(&mut SchemaGenerator) -> Schema,
}

impl TypeSchema {
    pub const fn of<T: ?Sized + JsonSchema>() -> Self {
        TypeSchema {
            type_name: std::any::type_name::<T>,
            schema_name: T::schema_name,
            schema_id: T::schema_id,
            inline_schema: T::inline_schema,
            json_schema: T::json_schema,
        }
    }

    /// The type's schema in `generator`, with the policy applied: exactly
    /// what [`schema::subschema_for`] gives for the type.
    pub fn subschema(&self, generator: &mut SchemaGenerator) -> Value {
        let schema = {
            let _current = Current::set(*self);
            generator.subschema_for::<Erased>()
        };
        schema::with_policy(generator, schema)
    }
}

thread_local! {
    /// The type [`Erased`] stands for, while [`TypeSchema::subschema`] runs.
    static CURRENT: Cell<Option<TypeSchema>> = const { Cell::new(None) };
}

/// Sets [`CURRENT`] and restores the previous value when dropped, even when
/// a schema function panics.
struct Current(Option<TypeSchema>);

impl Current {
    fn set(schema: TypeSchema) -> Current {
        Current(CURRENT.replace(Some(schema)))
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CURRENT.set(self.0);
    }
}

fn current() -> TypeSchema {
    CURRENT
        .get()
        .expect("`Erased` is only used inside `TypeSchema::subschema`")
}

/// A `JsonSchema` implementation that answers as the type in [`CURRENT`],
/// so that schemars' own `subschema_for` (definitions, names, recursion)
/// runs for a type known only through its [`TypeSchema`]. schemars reads a
/// type's name, id and inlining before it asks for its schema, all inside
/// one [`TypeSchema::subschema`]; the schema function itself calls the
/// field types' implementations directly, never this one.
struct Erased;

impl JsonSchema for Erased {
    fn schema_name() -> Cow<'static, str> {
        (current().schema_name)()
    }

    fn schema_id() -> Cow<'static, str> {
        (current().schema_id)()
    }

    fn inline_schema() -> bool {
        (current().inline_schema)()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        (current().json_schema)(generator)
    }
}

/// The typed error of an invoke contract.
#[derive(Debug)]
pub struct ErrorRegistration {
    pub schema: TypeSchema,
    pub codes: &'static [ErrorCodeInfo],
}

/// What the macro registers for one contract.
#[derive(Debug)]
pub struct ContractRegistration {
    pub kind: ContractKind,
    pub declaration: ContractDeclaration,
    pub payload: TypeSchema,
    pub response: Option<TypeSchema>,
    pub error: Option<ErrorRegistration>,
}

inventory::collect!(ContractRegistration);

impl ContractRegistration {
    pub const fn invoke<T: InvokeContract>() -> Self {
        let error = if <T::Error as ContractError>::IS_NO_ERROR {
            None
        } else {
            Some(ErrorRegistration {
                schema: TypeSchema::of::<T::Error>(),
                codes: <T::Error as ContractError>::CODES,
            })
        };
        ContractRegistration {
            kind: ContractKind::Invoke,
            declaration: T::DECLARATION,
            payload: TypeSchema::of::<T>(),
            response: Some(TypeSchema::of::<T::Response>()),
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
            payload: TypeSchema::of::<T>(),
            response: None,
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
        (self.registration.payload.type_name)()
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
