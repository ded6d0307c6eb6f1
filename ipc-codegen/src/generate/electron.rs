//! The Electron files: `main.electron.ts` (the main-process glue),
//! `preload.electron.ts`, `renderer.electron.ts` and `window.d.ts`.

use askama::Template;
use ipc_meta::protocol::PROTOCOL_VERSION;
use ipc_meta::protocol::electron::BYTES_FROM;
use ipc_meta::{ContractKind, FrameworkCode, Manifest};

use super::{HEADER, render};
use crate::ts;

#[derive(Template)]
#[template(path = "codegen/preload.electron.ts", escape = "none")]
struct PreloadElectronTs<'a> {
    header: &'static str,
    protocol_version: u64,
    /// From this length on, messages travel as UTF-8 bytes.
    bytes_from: usize,
    api_name: &'a str,
    api_name_literal: String,
    electron_import: String,
    has_invoke: bool,
    has_send: bool,
    has_event: bool,
    invoke: Vec<BridgeEntry>,
    send: Vec<BridgeEntry>,
    event: Vec<BridgeEntry>,
}

struct BridgeEntry {
    doc: String,
    key: String,
}

fn preload_view<'a>(manifest: &Manifest, api_name: &'a str) -> PreloadElectronTs<'a> {
    let entries = |kind: ContractKind| -> Vec<BridgeEntry> {
        manifest
            .contracts
            .iter()
            .filter(|contract| contract.kind == kind)
            .map(|contract| BridgeEntry {
                doc: ts::doc_comment(&contract.docs.iter().cloned().collect::<Vec<_>>(), 4),
                key: ts::string_literal(&contract.channel),
            })
            .collect()
    };
    let invoke = entries(ContractKind::Invoke);
    let send = entries(ContractKind::Send);
    let event = entries(ContractKind::Event);
    let mut electron = vec!["contextBridge"];
    if !(invoke.is_empty() && send.is_empty() && event.is_empty()) {
        electron.push("ipcRenderer");
    }
    if !event.is_empty() {
        electron.push("type IpcRendererEvent");
    }
    PreloadElectronTs {
        header: HEADER,
        protocol_version: PROTOCOL_VERSION,
        bytes_from: BYTES_FROM,
        api_name,
        api_name_literal: ts::string_literal(api_name),
        electron_import: format!("import {{ {} }} from 'electron'", electron.join(", ")),
        has_invoke: !invoke.is_empty(),
        has_send: !send.is_empty(),
        has_event: !event.is_empty(),
        invoke,
        send,
        event,
    }
}

#[derive(Template)]
#[template(path = "codegen/renderer.electron.ts", escape = "none")]
struct RendererElectronTs<'a> {
    header: &'static str,
    api_name: &'a str,
}

/// The main-process glue: the channels of each kind, as string literals.
#[derive(Template)]
#[template(path = "codegen/main.electron.ts", escape = "none")]
struct MainElectronTs {
    header: &'static str,
    protocol_version: u64,
    /// From this length on, messages travel as UTF-8 bytes.
    bytes_from: usize,
    /// The code and status of a refused sender's reply.
    forbidden_code: String,
    forbidden_status: u16,
    electron_import: &'static str,
    invoke: Vec<String>,
    send: Vec<String>,
    event: Vec<String>,
}

fn main_view(manifest: &Manifest) -> MainElectronTs {
    let channels = |kind: ContractKind| -> Vec<String> {
        manifest
            .contracts
            .iter()
            .filter(|contract| contract.kind == kind)
            .map(|contract| ts::string_literal(&contract.channel))
            .collect()
    };
    MainElectronTs {
        header: HEADER,
        protocol_version: PROTOCOL_VERSION,
        bytes_from: BYTES_FROM,
        forbidden_code: ts::string_literal(FrameworkCode::Forbidden.code()),
        forbidden_status: FrameworkCode::Forbidden.status_code(),
        electron_import: "import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron'",
        invoke: channels(ContractKind::Invoke),
        send: channels(ContractKind::Send),
        event: channels(ContractKind::Event),
    }
}

#[derive(Template)]
#[template(path = "codegen/window.d.ts", escape = "none")]
struct WindowDts<'a> {
    header: &'static str,
    api_name: &'a str,
}

/// The Electron files, by name.
pub(super) fn files(manifest: &Manifest, api_name: &str) -> [(&'static str, String); 4] {
    [
        ("main.electron.ts", render(&main_view(manifest))),
        (
            "preload.electron.ts",
            render(&preload_view(manifest, api_name)),
        ),
        (
            "renderer.electron.ts",
            render(&RendererElectronTs {
                header: HEADER,
                api_name,
            }),
        ),
        (
            "window.d.ts",
            render(&WindowDts {
                header: HEADER,
                api_name,
            }),
        ),
    ]
}
