//! Helpers shared by ipc-codegen's integration tests.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Output;

use ipc_codegen::generate::{self, GeneratedFile, Options, Target};
use ipc_runtime::Manifest;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// A checked-in manifest (see `fixture_manifests.rs`, which keeps them
/// fresh).
pub fn fixture_manifest(name: &str) -> Manifest {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not a manifest: {error}", path.display()))
}

pub fn notes_manifest() -> Manifest {
    fixture_manifest("notes-manifest.json")
}

pub fn serde_cases_manifest() -> Manifest {
    fixture_manifest("serde-cases-manifest.json")
}

pub fn electron() -> Options {
    Options {
        targets: [Target::Electron].into_iter().collect(),
        ..Options::default()
    }
}

/// The targets the notes bindings are committed with.
pub fn notes_committed() -> Options {
    Options {
        targets: [Target::Electron, Target::Tauri].into_iter().collect(),
        ..Options::default()
    }
}

pub fn generate(manifest: &Manifest, options: &Options) -> Vec<GeneratedFile> {
    generate::generate(manifest, options)
        .unwrap_or_else(|error| panic!("generation failed: {error}"))
}

pub fn contents<'f>(files: &'f [GeneratedFile], path: &str) -> &'f str {
    files
        .iter()
        .find(|file| file.path == path)
        .map(|file| file.contents.as_str())
        .unwrap_or_else(|| panic!("{path} was not generated"))
}

/// A fresh, empty directory under the target directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ipc-codegen")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove old scratch dir");
    }
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// The bindings of the notes example, committed with the example.
pub fn notes_bindings_dir() -> PathBuf {
    workspace_root().join("examples/notes/renderer/src/ipc")
}

/// Compares `manifest` (source paths made relative to `crate_dir`, as the
/// extractor records them) with the fixture `name`. With
/// `IPC_CODEGEN_BLESS=1` a stale fixture is rewritten instead.
pub fn assert_fixture_fresh(mut manifest: Manifest, crate_dir: &str, name: &str) {
    let prefix = format!("{crate_dir}/");
    for contract in &mut manifest.contracts {
        let file = contract.source.file.replace('\\', "/");
        let relative = file
            .strip_prefix(&prefix)
            .or_else(|| file.split_once(&prefix).map(|(_, rest)| rest))
            .unwrap_or(&file)
            .to_owned();
        contract.source.file = relative;
    }
    let fresh = serde_json::to_string_pretty(&manifest).expect("manifest serializes") + "\n";
    let path = fixture_path(name);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == fresh {
        return;
    }
    if std::env::var_os("IPC_CODEGEN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write fixture");
        return;
    }
    panic!(
        "{} is stale: the contracts changed. Rerun with IPC_CODEGEN_BLESS=1 to rewrite it, review the diff, then update the bindings and snapshots.",
        path.display()
    );
}

/// What a process printed, stdout then stderr.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
