//! `--target tauri`: `transport.tauri.ts` and the `ipc` plugin's
//! permissions. Snapshots of both, the permissions read as Tauri reads
//! them (TOML, identifiers, scopes), naming problems reported, and the
//! generated bindings compiled by `tsc --strict` against the real
//! `@tauri-apps/api` types from `node_modules`.

mod common;

use std::process::Command;

use ipc_codegen::generate::{self, Options, Target};
use ipc_codegen::output;

fn tauri() -> Options {
    Options {
        targets: [Target::Tauri].into_iter().collect(),
        ..Options::default()
    }
}

#[test]
fn the_tauri_files_are_generated_and_snapshotted() {
    let files = common::generate(&common::notes_manifest(), &tauri());
    let names: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "api.ts",
            "errors.ts",
            "permissions.tauri.toml",
            "schemas.json",
            "transport.tauri.ts",
            "transport.ts",
            "transport.ws.ts",
            "types.ts"
        ]
    );
    for path in ["permissions.tauri.toml", "transport.tauri.ts"] {
        insta::assert_snapshot!(format!("notes__{path}"), common::contents(&files, path));
    }
}

#[test]
fn the_permissions_grant_each_contract_and_namespace_through_channel_scopes() {
    let files = common::generate(&common::notes_manifest(), &tauri());
    let text = common::contents(&files, "permissions.tauri.toml");
    let parsed: toml::Table = toml::from_str(text).expect("the permissions are TOML");
    let default = parsed["default"]["permissions"]
        .as_array()
        .expect("default set");
    let default: Vec<&str> = default.iter().filter_map(toml::Value::as_str).collect();
    assert_eq!(
        default,
        ["allow-notes", "allow-telemetry", "allow-subscribe"]
    );

    let permissions = parsed["permission"].as_array().expect("permissions");
    let grants: Vec<(String, Vec<String>, Vec<String>)> = permissions
        .iter()
        .map(|permission| {
            let id = permission["identifier"].as_str().expect("id").to_owned();
            let commands = permission["commands"]["allow"]
                .as_array()
                .expect("commands")
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect();
            let channels = permission
                .get("scope")
                .map(|scope| {
                    scope["allow"]
                        .as_array()
                        .expect("allow scopes")
                        .iter()
                        .map(|entry| entry["channel"].as_str().expect("channel").to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (id, commands, channels)
        })
        .collect();
    let find = |id: &str| {
        grants
            .iter()
            .find(|(name, _, _)| name == id)
            .unwrap_or_else(|| panic!("no permission {id}"))
    };
    assert_eq!(find("allow-notes-save").1, ["dispatch"]);
    assert_eq!(find("allow-notes-save").2, ["notes:save"]);
    assert_eq!(
        find("allow-notes").2,
        ["notes:delete", "notes:get", "notes:list", "notes:save"]
    );
    assert_eq!(find("allow-telemetry-track").2, ["telemetry:track"]);
    assert_eq!(find("allow-subscribe").1, ["subscribe"]);
    assert!(find("allow-subscribe").2.is_empty());
    // Events are sent by main: no permission calls them.
    assert!(
        grants
            .iter()
            .all(|(_, _, channels)| !channels.iter().any(|c| c == "notes:changed"))
    );
}

#[test]
fn colliding_permission_names_are_reported() {
    let mut manifest = common::notes_manifest();
    let mut twin = manifest
        .contracts
        .iter()
        .find(|c| c.channel == "notes:save")
        .expect("notes:save")
        .clone();
    twin.channel = twin.channel.replace(':', "-");
    twin.method = format!("{}Twin", twin.method);
    manifest.contracts.push(twin.clone());
    let error = generate::generate(&manifest, &tauri()).expect_err("a collision");
    assert!(
        error.problems.iter().any(
            |p| p.contains("would both be granted by the Tauri permission")
                && p.contains(&twin.channel)
        ),
        "{error}"
    );
    // Without the Tauri target the names do not matter.
    let mut options = tauri();
    options.targets.clear();
    assert!(generate::generate(&manifest, &options).is_ok());
}

#[test]
fn the_tauri_bindings_type_check_against_the_real_tauri_api() {
    let dir = common::scratch_dir("tsc-tauri");
    let files = common::generate(&common::notes_manifest(), &tauri());
    output::write(&dir.join("ipc"), &files).expect("write bindings");
    std::fs::write(
        dir.join("usage.ts"),
        "import { createApi } from './ipc/api.js'\n\
         import { connectTauri } from './ipc/transport.tauri.js'\n\
         const transport = connectTauri({ defaultTimeoutMs: 5_000, events: 'lazy' })\n\
         export const note = createApi(transport).notes.get({ id: 1 })\n\
         export const ready: Promise<void> = transport.ready\n",
    )
    .expect("usage");
    // The scratch directory is under the repository, so `@tauri-apps/api`
    // resolves from its node_modules as in an app.
    std::fs::write(
        dir.join("tsconfig.json"),
        r#"{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "DOM", "ESNext.Disposable"], "types": [],
    "module": "ESNext", "moduleResolution": "Bundler",
    "strict": true, "noEmit": true, "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true, "noImplicitOverride": true, "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": true, "noUnusedLocals": true, "noUnusedParameters": true,
    "noPropertyAccessFromIndexSignature": true, "verbatimModuleSyntax": true,
    "isolatedModules": true, "erasableSyntaxOnly": true
  },
  "include": ["**/*.ts"]
}
"#,
    )
    .expect("tsconfig");
    let tsc = common::workspace_root().join("node_modules/typescript/bin/tsc");
    assert!(tsc.is_file(), "{} is missing: run npm ci", tsc.display());
    let output = Command::new("node")
        .arg(tsc)
        .arg("-p")
        .arg(&dir)
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "tsc failed:\n{}",
        common::output_text(&output)
    );
}
