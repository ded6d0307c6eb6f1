use ipc_runtime::{CallContext, IpcHandlerError};

#[ipc_runtime::contracts]
pub mod clock {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    #[ipc_runtime::contract(invoke, response = u64)]
    #[derive(Serialize, Deserialize, JsonSchema)]
    pub struct ReadClock {}

    #[ipc_runtime::contract(send)]
    #[derive(Serialize, Deserialize, JsonSchema)]
    pub struct ResetClock {}
}

struct Clock;

// `reset_clock` is missing: a contract without a handler does not compile.
impl clock::Handlers for Clock {
    async fn read_clock(
        &self,
        _: CallContext,
        _: clock::ReadClock,
    ) -> Result<u64, IpcHandlerError> {
        Ok(0)
    }
}

fn main() {}
