use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(invoke, response = String)]
#[derive(Serialize, JsonSchema)]
pub struct NoDeserialize {}

#[ipc_runtime::contract(send)]
#[derive(Debug)]
pub struct NoSerdeAtAll {}

#[derive(Serialize, Deserialize, JsonSchema)]
#[ipc_runtime::contract(send)]
pub struct DeriveAboveAttribute {}

fn main() {}
