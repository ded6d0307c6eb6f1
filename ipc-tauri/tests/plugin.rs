//! The plugin on Tauri's mock runtime (no display): real Tauri IPC
//! dispatch, with the ACL resolved from the permissions ipc-codegen
//! generated for the notes contracts and two capabilities.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use notes_core::NotesService;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody, RuntimeAuthority};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use tauri_utils::acl::capability::Capability;
use tauri_utils::acl::manifest::{Manifest, PermissionFile};
use tauri_utils::acl::resolved::Resolved;
use tauri_utils::platform::Target;

const PERMISSIONS: &str =
    include_str!("../../examples/notes/renderer/src/ipc/permissions.tauri.toml");

fn data_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ipc-tauri-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("data dir");
    dir
}

/// The ACL a Tauri build would embed: the generated permissions as the
/// `ipc` plugin's manifest, and the capabilities given.
fn authority(capabilities: &[Value]) -> RuntimeAuthority {
    let file: PermissionFile = toml::from_str(PERMISSIONS).expect("generated permissions parse");
    let mut acl = BTreeMap::new();
    acl.insert(
        ipc_tauri::PLUGIN_NAME.to_owned(),
        Manifest::new(vec![file], None),
    );
    let capabilities: BTreeMap<String, Capability> = capabilities
        .iter()
        .map(|value| {
            let capability: Capability = serde_json::from_value(value.clone()).expect("capability");
            (capability.identifier.clone(), capability)
        })
        .collect();
    let resolved = Resolved::resolve(&acl, capabilities, Target::current()).expect("ACL resolves");
    RuntimeAuthority::new(acl, resolved)
}

fn app(capabilities: &[Value], plugin: ipc_tauri::Builder) -> App<MockRuntime> {
    let mut context = mock_context(noop_assets());
    *context.runtime_authority_mut() = authority(capabilities);
    mock_builder()
        .plugin(plugin.build())
        .build(context)
        .expect("mock app")
}

fn notes_plugin(name: &str) -> (ipc_tauri::Builder, NotesService) {
    let notes = NotesService::open(&data_dir(name)).expect("notes");
    let router = Arc::new(notes.router().expect("router"));
    (ipc_tauri::Builder::new(router), notes)
}

fn standard_capabilities() -> Vec<Value> {
    vec![
        json!({
            "identifier": "main",
            "windows": ["main"],
            "permissions": ["ipc:default"]
        }),
        json!({
            "identifier": "viewer",
            "windows": ["viewer"],
            "permissions": ["ipc:allow-notes-list", "ipc:allow-notes-get", "ipc:allow-subscribe"]
        }),
    ]
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, WebviewUrl::App("index.html".into()))
        .build()
        .expect("window")
}

fn call(window: &WebviewWindow<MockRuntime>, body: InvokeBody) -> Result<Value, Value> {
    let url = window.url().expect("url");
    get_ipc_response(
        window,
        InvokeRequest {
            // The constants name the command the plugin really registers.
            cmd: format!(
                "plugin:{}|{}",
                ipc_tauri::PLUGIN_NAME,
                ipc_tauri::DISPATCH_COMMAND
            ),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url,
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )
    .map(|body| match body {
        tauri::ipc::InvokeResponseBody::Raw(bytes) => {
            serde_json::from_slice(&bytes).expect("the reply is JSON")
        }
        tauri::ipc::InvokeResponseBody::Json(text) => {
            panic!("a JSON reply instead of bytes: {text}")
        }
    })
}

fn request(id: u64, channel: &str, payload: Value) -> InvokeBody {
    InvokeBody::Raw(
        serde_json::to_vec(
            &json!({"v": 1, "id": id, "kind": "invoke", "channel": channel, "payload": payload}),
        )
        .expect("request"),
    )
}

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn a_granted_call_is_served_and_its_errors_are_data() {
    let (plugin, _notes) = notes_plugin("served");
    served_with_errors_as_data(plugin);
}

/// Inline, a read answers from the thread that received it at its first
/// poll, and a save, which waits for the blocking pool, goes on on the
/// runtime: both answer as on the runtime alone.
#[test]
fn inline_calls_are_served_the_same_on_both_paths() {
    let (plugin, _notes) = notes_plugin("served-inline");
    served_with_errors_as_data(plugin.inline_all());
    let (plugin, _notes) = notes_plugin("forbidden-inline");
    forbidden_before_validation(plugin.inline::<notes_contracts::ListNotes>());
}

#[test]
fn an_inline_channel_the_router_does_not_serve_stops_the_app() {
    let (plugin, _notes) = notes_plugin("inline-unknown");
    let mut context = mock_context(noop_assets());
    *context.runtime_authority_mut() = authority(&standard_capabilities());
    let error = mock_builder()
        .plugin(plugin.inline_channel("notes:nope").build())
        .build(context)
        .expect_err("the app does not start");
    assert!(error.to_string().contains("notes:nope"), "{error}");
}

fn served_with_errors_as_data(plugin: ipc_tauri::Builder) {
    let tauri_app = app(&standard_capabilities(), plugin);
    let main = window(&tauri_app, "main");

    let saved = call(
        &main,
        request(
            1,
            "notes:save",
            json!({"title": "Groceries", "body": "milk", "tags": []}),
        ),
    )
    .expect("resolved");
    assert_eq!(saved["id"], 1);
    assert_eq!(saved["ok"], true, "{saved}");
    assert_eq!(saved["data"]["title"], "Groceries");

    let invalid = call(
        &main,
        request(
            2,
            "notes:save",
            json!({"title": "", "body": "", "tags": []}),
        ),
    )
    .expect("resolved");
    assert_eq!(invalid["error"]["name"], "IPCValidationError", "{invalid}");
    assert_eq!(invalid["error"]["issues"][0]["path"], json!(["title"]));

    let missing = call(&main, request(3, "notes:get", json!({"id": 999}))).expect("resolved");
    assert_eq!(code(&missing), "NOT_FOUND", "{missing}");
    assert_eq!(missing["error"]["statusCode"], 404);
}

#[test]
fn a_json_body_is_a_malformed_request() {
    let (plugin, _notes) = notes_plugin("json");
    let tauri_app = app(&standard_capabilities(), plugin);
    let main = window(&tauri_app, "main");
    let reply = call(&main, InvokeBody::Json(json!({"v": 1, "id": 1}))).expect("resolved");
    assert_eq!(code(&reply), "IPC_MALFORMED_REQUEST", "{reply}");
    assert_eq!(reply["id"], Value::Null);
}

#[test]
fn a_contract_the_window_was_not_granted_is_forbidden_before_validation() {
    let (plugin, _notes) = notes_plugin("forbidden");
    forbidden_before_validation(plugin);
}

fn forbidden_before_validation(plugin: ipc_tauri::Builder) {
    let tauri_app = app(&standard_capabilities(), plugin);
    let viewer = window(&tauri_app, "viewer");

    let listed = call(&viewer, request(1, "notes:list", json!({}))).expect("resolved");
    assert_eq!(listed["ok"], true, "{listed}");

    // An invalid payload would be a validation error if it were looked at.
    let refused = call(&viewer, request(2, "notes:save", json!({"title": 5}))).expect("resolved");
    assert_eq!(code(&refused), "IPC_FORBIDDEN", "{refused}");
    assert_eq!(refused["id"], 2);
    assert_eq!(refused["error"]["statusCode"], 403);
}

#[test]
fn a_window_without_a_capability_is_refused_by_tauri() {
    let (plugin, _notes) = notes_plugin("no-capability");
    let tauri_app = app(&standard_capabilities(), plugin);
    let other = window(&tauri_app, "other");
    let refusal = call(&other, request(1, "notes:list", json!({}))).expect_err("Tauri refuses");
    let message = refusal.as_str().unwrap_or_default();
    assert!(message.contains("not allowed"), "{refusal}");
}

#[test]
fn a_remote_origin_is_refused_unless_the_app_allows_it() {
    let remote = json!({
        "identifier": "remote",
        "windows": ["main"],
        "remote": {"urls": ["https://notes.example.com/*"]},
        "permissions": ["ipc:default"]
    });
    let mut capabilities = standard_capabilities();
    capabilities.push(remote);

    let (plugin, _notes) = notes_plugin("remote-refused");
    let tauri_app = app(&capabilities, plugin);
    let main = window(&tauri_app, "main");
    main.navigate("https://notes.example.com/index.html".parse().expect("url"))
        .expect("navigate");
    let refused = call(&main, request(1, "notes:list", json!({}))).expect("resolved");
    assert_eq!(code(&refused), "IPC_FORBIDDEN", "{refused}");

    let (plugin, _notes) = notes_plugin("remote-allowed");
    let tauri_app = app(
        &capabilities,
        plugin.allow_remote_origin("https://notes.example.com"),
    );
    let main = window(&tauri_app, "main");
    main.navigate("https://notes.example.com/index.html".parse().expect("url"))
        .expect("navigate");
    let listed = call(&main, request(1, "notes:list", json!({}))).expect("resolved");
    assert_eq!(listed["ok"], true, "{listed}");
}

#[test]
fn malformed_and_oversized_requests_are_answered() {
    let (plugin, _notes) = notes_plugin("malformed");
    let tauri_app = app(&standard_capabilities(), plugin);
    let main = window(&tauri_app, "main");
    let reply = call(&main, InvokeBody::Raw(b"{not json".to_vec())).expect("resolved");
    assert_eq!(code(&reply), "IPC_MALFORMED_REQUEST", "{reply}");
    let reply = call(&main, InvokeBody::Raw(vec![b' '; 9 * 1024 * 1024])).expect("resolved");
    assert_eq!(code(&reply), "IPC_PAYLOAD_TOO_LARGE", "{reply}");
}
