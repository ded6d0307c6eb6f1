use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(response = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct NoKind {}

#[ipc_runtime::contract(invoke, event, response = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct TwoKinds {}

#[ipc_runtime::contract(invoke = "yes", response = String)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct KindWithValue {}

fn main() {}
