use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(invoke, respnse = String, channel = "a", channel = "b", response = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Contract {}

fn main() {}
