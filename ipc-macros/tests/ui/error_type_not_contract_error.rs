use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, JsonSchema)]
pub enum PlainError {
    Failed,
}

#[ipc_runtime::contract(invoke, response = String, error = PlainError)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Load {}

fn main() {}
