use schemars::JsonSchema;
use serde::Serialize;

#[ipc_runtime::contract_error]
#[derive(Serialize, JsonSchema)]
pub enum LoadError {
    #[ipc(message = "no file {path} ({name:?}), {{literal}}")]
    Missing { name: String },
    #[ipc(message = "{}")]
    Unnamed { name: String },
}

fn main() {}
