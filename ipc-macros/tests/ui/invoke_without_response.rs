use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(invoke)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct GetThing {}

fn main() {}
