#[ipc_runtime::contract(send)]
pub fn handler() {}

#[ipc_runtime::contract(send)]
#[derive(serde::Serialize)]
pub union Bits {
    a: u32,
}

fn main() {}
