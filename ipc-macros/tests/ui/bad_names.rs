use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[ipc_runtime::contract(invoke, response = String, channel = "notes save")]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Space {}

#[ipc_runtime::contract(invoke, response = String, channel = "")]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Empty {}

#[ipc_runtime::contract(invoke, response = String, channel = "1notes")]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Digit {}

#[ipc_runtime::contract(invoke, response = String, method = "save-note", namespace = "__proto__")]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct BadMethod {}

fn main() {}
