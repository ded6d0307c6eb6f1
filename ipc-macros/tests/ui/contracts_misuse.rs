use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// Not a module.
#[ipc_runtime::contracts]
pub struct NotAModule;

// Nothing to handle: events need no handler.
#[ipc_runtime::contracts]
pub mod only_events {
    use super::*;

    #[ipc_runtime::contract(event)]
    #[derive(Serialize, Deserialize, JsonSchema)]
    pub struct Ticked {}
}

// A trait name that is not an identifier, an unknown key, a contract
// whose method would be the trait's own `add_to`, and one whose method
// would be a keyword that cannot be raw: all reported at once.
#[ipc_runtime::contracts(handlers = handlers::Named, every = true)]
pub mod clashing {
    use super::*;

    #[ipc_runtime::contract(send)]
    #[derive(Serialize, Deserialize, JsonSchema)]
    pub struct AddTo {}

    #[ipc_runtime::contract(send)]
    #[derive(Serialize, Deserialize, JsonSchema)]
    pub struct Crate {}
}

fn main() {}
