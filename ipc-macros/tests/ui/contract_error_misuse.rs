use schemars::JsonSchema;
use serde::Serialize;

#[ipc_runtime::contract_error]
#[derive(Serialize, JsonSchema)]
pub struct NotAnEnum {
    code: String,
}

#[ipc_runtime::contract_error(strict)]
#[derive(Serialize, JsonSchema)]
pub enum WithArgs {
    A,
}

#[ipc_runtime::contract_error]
#[derive(Serialize, JsonSchema)]
pub enum BadCodes {
    #[ipc(code = "not-found")]
    Lower,
    #[ipc(code = "IPC_TIMEOUT")]
    Reserved,
    #[ipc(code = "INTERNAL_ERROR")]
    Internal,
    Twice,
    #[ipc(code = "TWICE")]
    AlsoTwice,
    #[ipc(status = 700)]
    BadStatus,
    #[ipc(message = "value {0}")]
    Positional(u32),
    #[ipc(colour = "red")]
    UnknownKey,
}

#[ipc_runtime::contract_error]
#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind")]
pub enum TaggedByUser {
    #[serde(rename = "x")]
    A,
}

#[ipc_runtime::contract_error]
#[derive(Serialize, JsonSchema)]
pub enum Empty {}

#[ipc_runtime::contract_error]
#[derive(Serialize)]
pub enum NoSchema {
    A,
}

fn main() {}
