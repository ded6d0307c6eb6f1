use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub struct Opaque;

#[ipc_runtime::contract(invoke, response = Opaque)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Load {}

fn main() {}
