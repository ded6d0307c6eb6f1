use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(invoke, response = T)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
}

fn main() {}
