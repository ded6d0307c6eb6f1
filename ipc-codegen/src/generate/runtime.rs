//! The runtime files: `templates/ts/transport.ts` as it is, and
//! `errors.ts`, `transport.ws.ts` and `transport.tauri.ts` with the
//! protocol's constants (framework codes and statuses, protocol version,
//! subprotocols, secret prefix, path, the Tauri plugin's commands) written
//! from their Rust definitions in `ipc_meta`.

use askama::Template;
use ipc_meta::FrameworkCode;
use ipc_meta::protocol::{PROTOCOL_VERSION, VALIDATION_ERROR_CODE, tauri, ws};

use super::{HEADER, render};
use crate::ts;

const RUNTIME_TRANSPORT: &str = include_str!("../../templates/ts/transport.ts");

#[derive(Template)]
#[template(path = "codegen/transport.ts", escape = "none")]
struct TransportTs<'a> {
    header: &'static str,
    runtime: &'a str,
}

/// A runtime file under the generated header.
fn with_header(runtime: &str) -> String {
    render(&TransportTs {
        header: HEADER,
        runtime,
    })
}

/// The contents of `transport.ts`.
pub(super) fn transport() -> String {
    with_header(RUNTIME_TRANSPORT)
}

/// The contents of `transport.ws.ts`.
pub(super) fn transport_ws() -> String {
    with_header(&runtime_transport_ws())
}

/// The contents of `transport.tauri.ts`.
pub(super) fn transport_tauri() -> String {
    with_header(&runtime_transport_tauri())
}

/// `templates/ts/errors.ts` with the framework error table.
#[derive(Template)]
#[template(path = "ts/errors.ts", escape = "none")]
struct RuntimeErrorsTs {
    framework_codes: Vec<FrameworkCodeView>,
    /// The code of an `IPCValidationError`, as a string literal.
    validation_code: String,
    prose: ErrorsProse,
}

struct ErrorsProse {
    validation_code: &'static str,
}

struct FrameworkCodeView {
    /// The code as a string literal.
    literal: String,
    /// The code as a property key.
    name: String,
    status: u16,
}

/// askama drops a template file's final newline; the runtime files keep it.
fn with_final_newline(mut text: String) -> String {
    text.push('\n');
    text
}

/// The runtime half of `errors.ts`, without the header.
pub(super) fn runtime_errors() -> String {
    with_final_newline(render(&RuntimeErrorsTs {
        framework_codes: FrameworkCode::ALL
            .iter()
            .map(|code| FrameworkCodeView {
                literal: ts::string_literal(code.code()),
                name: ts::property_key(code.code()),
                status: code.status_code(),
            })
            .collect(),
        validation_code: ts::string_literal(VALIDATION_ERROR_CODE),
        prose: ErrorsProse {
            validation_code: VALIDATION_ERROR_CODE,
        },
    }))
}

/// `templates/ts/transport.ws.ts` with the protocol's constants: as string
/// literals in the code, as they are in the prose.
#[derive(Template)]
#[template(path = "ts/transport.ws.ts", escape = "none")]
struct RuntimeTransportWsTs {
    protocol_version: u64,
    subprotocol: String,
    secret_protocol_prefix: String,
    path: String,
    secret_fragment_key: String,
    prose: WsProse,
}

struct WsProse {
    subprotocol: &'static str,
    secret_protocol_prefix: &'static str,
    path: &'static str,
    secret_fragment_key: &'static str,
}

fn runtime_transport_ws() -> String {
    with_final_newline(render(&RuntimeTransportWsTs {
        protocol_version: PROTOCOL_VERSION,
        subprotocol: ts::string_literal(ws::SUBPROTOCOL),
        secret_protocol_prefix: ts::string_literal(ws::SECRET_PROTOCOL_PREFIX),
        path: ts::string_literal(ws::IPC_PATH),
        secret_fragment_key: ts::string_literal(ws::SECRET_FRAGMENT_KEY),
        prose: WsProse {
            subprotocol: ws::SUBPROTOCOL,
            secret_protocol_prefix: ws::SECRET_PROTOCOL_PREFIX,
            path: ws::IPC_PATH,
            secret_fragment_key: ws::SECRET_FRAGMENT_KEY,
        },
    }))
}

/// `templates/ts/transport.tauri.ts` with the protocol version, the
/// plugin's commands and the code and status of a refusal.
#[derive(Template)]
#[template(path = "ts/transport.tauri.ts", escape = "none")]
struct RuntimeTransportTauriTs {
    protocol_version: u64,
    dispatch_command: String,
    subscribe_command: String,
    forbidden_code: String,
    forbidden_status: u16,
    prose: TauriProse,
}

struct TauriProse {
    plugin_name: &'static str,
    dispatch_command: String,
    subscribe_command: String,
    forbidden_code: &'static str,
}

fn runtime_transport_tauri() -> String {
    let dispatch = tauri::invoke_name(tauri::DISPATCH_COMMAND);
    let subscribe = tauri::invoke_name(tauri::SUBSCRIBE_COMMAND);
    with_final_newline(render(&RuntimeTransportTauriTs {
        protocol_version: PROTOCOL_VERSION,
        dispatch_command: ts::string_literal(&dispatch),
        subscribe_command: ts::string_literal(&subscribe),
        forbidden_code: ts::string_literal(FrameworkCode::Forbidden.code()),
        forbidden_status: FrameworkCode::Forbidden.status_code(),
        prose: TauriProse {
            plugin_name: tauri::PLUGIN_NAME,
            dispatch_command: dispatch,
            subscribe_command: subscribe,
            forbidden_code: FrameworkCode::Forbidden.code(),
        },
    }))
}
