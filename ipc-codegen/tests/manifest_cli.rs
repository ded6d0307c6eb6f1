//! `ipc-codegen manifest` on real crates: the notes example, and a crate
//! outside this workspace that is valid, then broken, then conflicting.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ipc_runtime::{ContractKind, Manifest};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Runs the CLI. The crates under test share one target directory so their
/// dependencies are compiled once.
fn ipc_codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipc-codegen"))
        .args(args)
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target").join("manifest-cli-tests"),
        )
        .output()
        .expect("ipc-codegen runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn prints_the_notes_manifest() {
    let crate_dir = workspace_root().join("examples/notes/contracts");
    let output = ipc_codegen(&[
        "manifest",
        "--crate",
        crate_dir.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest: Manifest = serde_json::from_slice(&output.stdout).expect("stdout is a manifest");
    let channels: Vec<&str> = manifest
        .contracts
        .iter()
        .map(|c| c.channel.as_str())
        .collect();
    assert_eq!(
        channels,
        [
            "notes:changed",
            "notes:delete",
            "notes:get",
            "notes:list",
            "notes:save",
            "telemetry:track"
        ]
    );
    assert!(manifest.input_definitions.contains_key("SaveNote"));
}

/// The namespaces of the contracts `ipc-codegen manifest` extracts from
/// `crate_dir`, running cargo as `cargo`.
fn namespaces_of(crate_dir: &Path, cargo: &Path) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_ipc-codegen"))
        .args(["manifest", "--crate"])
        .arg(crate_dir)
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target").join("manifest-cli-tests"),
        )
        .env("CARGO", cargo)
        .output()
        .expect("ipc-codegen runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest: Manifest = serde_json::from_slice(&output.stdout).expect("stdout is a manifest");
    let mut namespaces: Vec<String> = manifest
        .contracts
        .iter()
        .map(|c| c.namespace.clone())
        .collect();
    namespaces.dedup();
    namespaces
}

#[cfg(unix)]
#[test]
fn each_crate_extracted_into_one_target_directory_gets_its_own_manifest() {
    use std::os::unix::fs::PermissionsExt;

    let notes = workspace_root().join("examples/notes/contracts");
    let conformance = workspace_root().join("tests/conformance");
    let expected = |dir: &Path| -> Vec<String> {
        if dir == notes {
            vec!["notes".to_owned(), "telemetry".to_owned()]
        } else {
            vec!["conformance".to_owned()]
        }
    };
    let cargo = PathBuf::from(env!("CARGO"));
    // One after the other, interleaved.
    for dir in [&notes, &conformance, &notes, &conformance] {
        assert_eq!(
            namespaces_of(dir, &cargo),
            expected(dir),
            "{}",
            dir.display()
        );
    }
    // At once, with a cargo that lingers after each build: the other
    // extraction's build ends in between, so a harness binary shared by the
    // two crates would be the other crate's by the time it runs.
    let dir = std::env::temp_dir().join(format!("ipc-codegen-slow-cargo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let slow_cargo = dir.join("cargo");
    write(
        &slow_cargo,
        &format!(
            "#!/bin/sh\n{} \"$@\"\nstatus=$?\nif [ \"$1\" = build ]; then sleep 2; fi\nexit $status\n",
            shell_quote(&cargo.to_string_lossy())
        ),
    );
    std::fs::set_permissions(&slow_cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let extractions: Vec<_> = [&notes, &conformance]
        .map(|crate_dir| {
            let crate_dir = crate_dir.clone();
            let slow_cargo = slow_cargo.clone();
            std::thread::spawn(move || {
                let namespaces = namespaces_of(&crate_dir, &slow_cargo);
                (crate_dir, namespaces)
            })
        })
        .into_iter()
        .collect();
    for extraction in extractions {
        let (crate_dir, namespaces) = extraction.join().expect("the extraction thread ends");
        assert_eq!(namespaces, expected(&crate_dir), "{}", crate_dir.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

const VALID: &str = r#"
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Adds two numbers.
#[ipc_runtime::contract(invoke, response = i32)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Add { pub a: i32, pub b: i32 }

#[ipc_runtime::contract(event)]
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Ticked { pub count: u64 }
"#;

#[test]
fn works_on_a_crate_outside_the_workspace_and_reports_failures() {
    let dir = std::env::temp_dir().join(format!("ipc-codegen-external-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = workspace_root().join("ipc-runtime");
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"calculator-contracts\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nipc-runtime = {{ path = {runtime:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nschemars = \"1\"\n\n\
             [workspace]\n"
        ),
    );
    // The workspace's lockfile keeps the versions (and the need for a network) the same.
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .expect("copy lockfile");
    let crate_arg = dir.to_str().expect("utf-8 path");

    write(&dir.join("src/lib.rs"), VALID);
    let output = ipc_codegen(&["manifest", "--crate", crate_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest: Manifest = serde_json::from_slice(&output.stdout).expect("stdout is a manifest");
    let listed: Vec<(&str, ContractKind)> = manifest
        .contracts
        .iter()
        .map(|c| (c.channel.as_str(), c.kind))
        .collect();
    assert_eq!(
        listed,
        [
            ("calculatorContracts:add", ContractKind::Invoke),
            ("calculatorContracts:ticked", ContractKind::Event)
        ]
    );
    assert_eq!(
        manifest.contracts[0].docs.as_deref(),
        Some("Adds two numbers.")
    );
    assert_eq!(
        manifest.contracts[0].source.file, "src/lib.rs",
        "relative to the crate"
    );

    // A crate that does not compile: the compiler's message, a failure exit, no panic.
    write(
        &dir.join("src/lib.rs"),
        &format!("{VALID}\npub fn broken() -> u32 {{ \"not a number\" }}\n"),
    );
    let output = ipc_codegen(&["manifest", "--crate", crate_arg]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("error[E0308]: mismatched types"),
        "{message}"
    );
    assert!(message.contains("src/lib.rs"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(output.stdout.is_empty());

    // Two contracts on one channel: both locations, never merged.
    write(
        &dir.join("src/lib.rs"),
        &format!(
            "{VALID}\n#[ipc_runtime::contract(invoke, response = i32, channel = \"calculatorContracts:add\")]\n\
             #[derive(Serialize, Deserialize, JsonSchema)]\npub struct AddAgain {{ pub a: i32 }}\n"
        ),
    );
    let output = ipc_codegen(&["manifest", "--crate", crate_arg]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("channel `calculatorContracts:add` is declared by both"),
        "{message}"
    );
    assert!(
        message.starts_with("error: 1 conflicting contract declaration(s):"),
        "{message}"
    );
    assert!(
        message.contains("`calculator_contracts::Add` at "),
        "{message}"
    );
    assert!(
        message.contains("src/lib.rs:6:1 and `calculator_contracts::AddAgain` at "),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_short_errors() {
    let output = ipc_codegen(&["manifest", "--crate", "/nonexistent/contracts"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: `/nonexistent/contracts` has no Cargo.toml: pass the directory of the contracts crate\n"
    );

    let output = ipc_codegen(&[
        "manifest",
        "--crate",
        workspace_root().to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is a workspace, not a crate"),
        "{}",
        stderr(&output)
    );

    let output = ipc_codegen(&[
        "manifest",
        "--crate",
        workspace_root().join("ipc-macros").to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("`ipc-macros` has no library target"),
        "{}",
        stderr(&output)
    );

    let output = ipc_codegen(&[
        "manifest",
        "--crate",
        workspace_root()
            .join("ipc-runtime")
            .to_str()
            .expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("does not depend on `ipc-runtime`"),
        "{}",
        stderr(&output)
    );

    let output = ipc_codegen(&["manifest"]);
    assert_eq!(output.status.code(), Some(2), "clap usage error");
    assert!(stderr(&output).contains("--crate <DIR>"));

    let bad_manifest =
        std::env::temp_dir().join(format!("ipc-codegen-bad-{}.json", std::process::id()));
    std::fs::write(&bad_manifest, "{\"manifestVersion\": 99}").expect("write");
    let output = ipc_codegen(&[
        "manifest",
        "--manifest",
        bad_manifest.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not a valid manifest"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_file(bad_manifest);
}
