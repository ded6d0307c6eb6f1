//! The constants of the wire protocol (`docs/protocol.md`). The generated
//! TypeScript runtime is written from these.

/// The `v` of every request and event envelope.
pub const PROTOCOL_VERSION: u64 = 1;

/// The `code` of every `IPCValidationError`.
pub const VALIDATION_ERROR_CODE: &str = "IPC_VALIDATION_ERROR";

/// `2^53 - 1`, JavaScript's `Number.MAX_SAFE_INTEGER`: integers travel as
/// JSON numbers and must stay within it (see `docs/protocol.md`).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The loopback WebSocket transport's handshake (`docs/transport-ws.md`).
pub mod ws {
    /// The subprotocol of this version of the wire protocol.
    pub const SUBPROTOCOL: &str = "ipc-contracts.v1";
    /// The prefix of the subprotocol entry that carries the secret.
    pub const SECRET_PROTOCOL_PREFIX: &str = "ipc-secret.";
    /// The WebSocket path.
    pub const IPC_PATH: &str = "/ipc";
    /// The key of the secret in the fragment of the address the renderer
    /// is opened at: `#ipc-secret=<hex>`.
    pub const SECRET_FRAGMENT_KEY: &str = "ipc-secret";
}

/// The Tauri 2 transport: the `ipc-tauri` plugin's name and commands
/// (`docs/transport-tauri.md`).
pub mod tauri {
    /// The plugin's name: its commands are `plugin:ipc|<command>`, its
    /// permissions `ipc:...`.
    pub const PLUGIN_NAME: &str = "ipc";
    /// The command that carries requests.
    pub const DISPATCH_COMMAND: &str = "dispatch";
    /// The command that opens a webview's event channel.
    pub const SUBSCRIBE_COMMAND: &str = "subscribe";

    /// The name a webview invokes `command` by: `plugin:ipc|dispatch`.
    pub fn invoke_name(command: &str) -> String {
        format!("plugin:{PLUGIN_NAME}|{command}")
    }
}

/// Electron's IPC (`docs/transport-electron.md`): messages are the
/// envelopes' JSON text, as a string or, when large, as its UTF-8 bytes.
pub mod electron {
    /// From this length on (bytes in Rust, UTF-16 units in JavaScript)
    /// the preload sends a request, and the addon hands back a reply or an
    /// event, as a `Uint8Array` of UTF-8 rather than a string. A large
    /// string is garbage on Electron's main-thread heap for as long as its
    /// call is in flight; bytes live outside it. Below this, a string is
    /// cheaper to make than a buffer (docs/adr/0017-large-electron-messages-as-bytes.md).
    pub const BYTES_FROM: usize = 16 * 1024;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subprotocol_names_the_protocol_version() {
        assert_eq!(
            ws::SUBPROTOCOL,
            format!("ipc-contracts.v{PROTOCOL_VERSION}")
        );
    }

    #[test]
    fn tauri_commands_are_named_after_the_plugin() {
        assert_eq!(
            tauri::invoke_name(tauri::DISPATCH_COMMAND),
            "plugin:ipc|dispatch"
        );
    }

    #[test]
    fn max_safe_integer_is_javascripts() {
        assert_eq!(MAX_SAFE_INTEGER, 9_007_199_254_740_991);
    }
}
