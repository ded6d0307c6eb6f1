//! A router's limits and checks.

use std::time::Duration;

/// Limits and checks of a router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterConfig {
    /// The largest request accepted, in bytes, checked before parsing.
    /// Default 8 MiB.
    pub max_request_bytes: usize,
    /// How deep a payload may nest arrays and objects. Default 64. Payloads
    /// are parsed with serde_json, whose recursion limit is 128: deeper
    /// payloads are refused whatever this says.
    pub max_depth: usize,
    /// How long a handler may run; `None` for no limit. Default 30 s.
    /// Needs a tokio runtime with the time driver enabled: on one without
    /// it, a call that does not complete at its first poll is refused with
    /// `INTERNAL_ERROR` (and logged) rather than run without its limit.
    pub timeout: Option<Duration>,
    /// Validate responses, typed errors and event payloads against their
    /// schemas. Default: on in debug builds (and tests), off in release.
    /// The safe-integer check on outbound data runs either way.
    pub validate_outbound: bool,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            max_request_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            timeout: Some(Duration::from_secs(30)),
            validate_outbound: cfg!(debug_assertions),
        }
    }
}
