use serde::{Deserialize, Serialize};

/// Which way a contract's payload flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractKind {
    /// Renderer -> main, answered with a response or a typed error.
    Invoke,
    /// Renderer -> main, fire and forget.
    Send,
    /// Main -> renderer.
    Event,
}

impl ContractKind {
    /// The keyword used in `#[contract(..)]` and in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractKind::Invoke => "invoke",
            ContractKind::Send => "send",
            ContractKind::Event => "event",
        }
    }

    /// The direction of the contract's payload.
    pub fn payload_direction(self) -> Direction {
        match self {
            ContractKind::Invoke | ContractKind::Send => Direction::Input,
            ContractKind::Event => Direction::Output,
        }
    }
}

/// Which side of serde a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Renderer -> main: what main deserializes.
    Input,
    /// Main -> renderer: what main serializes.
    Output,
}
