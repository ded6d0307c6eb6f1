// A module in its own file: the macro cannot see its items.
#[ipc_runtime::contracts]
#[path = "contracts_file_module/inner.rs"]
pub mod inner;

fn main() {}
