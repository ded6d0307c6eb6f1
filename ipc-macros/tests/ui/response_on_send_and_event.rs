use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(send, response = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Track {}

#[ipc_runtime::contract(event, response = String, error = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Changed {}

fn main() {}
