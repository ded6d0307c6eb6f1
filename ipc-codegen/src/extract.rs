//! Extracts the manifest of a contracts crate without running the user's
//! app and without any export code in it.
//!
//! A tiny harness crate is written under the crate's target directory; it
//! depends on the contracts crate and on the same `ipc-runtime`, links them
//! (which registers every contract) and prints the manifest. Cargo's own
//! caching makes later runs cheap: only the contracts crate and the harness
//! are rebuilt when contracts change.
//!
//! Each contracts crate has a harness of its own, named after the crate and
//! a stable hash of its manifest path ([`HarnessKey`]): harnesses of several
//! crates share one target directory (and its compiled dependencies) but
//! never a binary, so an extraction can never run another crate's harness.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ipc_meta::Manifest;
use serde::Deserialize;

/// Why a manifest could not be extracted.
#[derive(Debug)]
pub enum ExtractError {
    /// `cargo` could not be started or `cargo metadata` failed.
    Cargo(String),
    /// The directory is not a library crate that uses the runtime.
    NotAContractsCrate(String),
    /// The crate (or the harness) did not compile; `stderr` is cargo's.
    Build {
        stderr: String,
    },
    /// The contracts are inconsistent (for example two on one channel).
    Contracts(String),
    /// The harness printed something that is not a manifest.
    Output(String),
    Io(std::io::Error),
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Cargo(message) => write!(f, "cargo failed: {message}"),
            ExtractError::NotAContractsCrate(message) => f.write_str(message),
            ExtractError::Build { stderr } => {
                write!(
                    f,
                    "the contracts crate does not compile:\n{}",
                    stderr.trim_end()
                )
            }
            ExtractError::Contracts(message) => f.write_str(message.trim_end()),
            ExtractError::Output(message) => write!(
                f,
                "the extraction harness printed no valid manifest: {message}"
            ),
            ExtractError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ExtractError {}

impl From<std::io::Error> for ExtractError {
    fn from(error: std::io::Error) -> Self {
        ExtractError::Io(error)
    }
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    target_directory: PathBuf,
    workspace_root: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
    manifest_path: PathBuf,
    targets: Vec<Target>,
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn metadata(manifest_path: &Path) -> Result<Metadata, ExtractError> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest_path)
        .output()
        .map_err(|error| ExtractError::Cargo(format!("could not run cargo: {error}")))?;
    if !output.status.success() {
        return Err(ExtractError::Cargo(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|error| {
        ExtractError::Cargo(format!("unexpected `cargo metadata` output: {error}"))
    })
}

/// The runtime's package name (its library is `ipc_runtime`).
const RUNTIME_PACKAGE: &str = "ipc-contracts-runtime";

/// How the harness depends on the runtime: the very same package the
/// contracts crate uses, or the contracts would register in another copy.
fn runtime_dependency(runtime: &Package) -> String {
    match &runtime.source {
        None => {
            let dir = runtime.manifest_path.parent().unwrap_or(Path::new("."));
            format!("{{ path = {} }}", toml_string(&dir.to_string_lossy()))
        }
        Some(_) => format!("{{ version = \"={}\" }}", runtime.version),
    }
}

fn toml_string(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Extracts the manifest of the contracts crate in `crate_dir`.
pub fn manifest_of_crate(crate_dir: &Path) -> Result<Manifest, ExtractError> {
    let manifest_path = crate_dir.join("Cargo.toml");
    if !manifest_path.is_file() {
        return Err(ExtractError::NotAContractsCrate(format!(
            "`{}` has no Cargo.toml: pass the directory of the contracts crate",
            crate_dir.display()
        )));
    }
    let manifest_path = manifest_path.canonicalize()?;
    let metadata = metadata(&manifest_path)?;
    let package = metadata
        .packages
        .iter()
        .find(|package| package.manifest_path == manifest_path)
        .ok_or_else(|| {
            ExtractError::NotAContractsCrate(format!(
                "`{}` is a workspace, not a crate: pass the directory of the contracts crate",
                crate_dir.display()
            ))
        })?;
    if !package.targets.iter().any(|target| {
        target
            .kind
            .iter()
            .any(|kind| kind == "lib" || kind == "rlib")
    }) {
        return Err(ExtractError::NotAContractsCrate(format!(
            "`{}` has no library target: contracts must live in a library crate",
            package.name
        )));
    }
    if !package
        .dependencies
        .iter()
        .any(|dependency| dependency.name == RUNTIME_PACKAGE)
    {
        return Err(ExtractError::NotAContractsCrate(format!(
            "`{}` does not depend on `{RUNTIME_PACKAGE}`, so it declares no contracts",
            package.name
        )));
    }
    let runtime = metadata
        .packages
        .iter()
        .find(|candidate| candidate.name == RUNTIME_PACKAGE)
        .ok_or_else(|| {
            ExtractError::Cargo(format!(
                "`{RUNTIME_PACKAGE}` is missing from the dependency graph"
            ))
        })?;

    let key = HarnessKey::new(&manifest_path, &package.name);
    let harness_dir = metadata
        .target_directory
        .join("ipc-codegen")
        .join(format!("harness-{}", key.0));
    write_harness(
        &harness_dir,
        &key,
        package,
        runtime,
        &metadata.workspace_root,
    )?;
    let mut manifest = build_and_run(&harness_dir, &key, &metadata.target_directory)?;
    relativize_sources(
        &mut manifest,
        manifest_path.parent().unwrap_or(Path::new(".")),
    );
    Ok(manifest)
}

/// Names one contracts crate's harness: its package name (made safe for a
/// package and file name) and the 64-bit FNV-1a hash of the name and its
/// canonical `Cargo.toml` path, so two crates of one name differ too. FNV-1a
/// is fixed by its definition, unlike `DefaultHasher`, so the name (and the
/// cached build) survives toolchain updates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HarnessKey(String);

impl HarnessKey {
    fn new(manifest_path: &Path, package_name: &str) -> HarnessKey {
        let mut bytes = package_name.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(manifest_path.as_os_str().as_encoded_bytes());
        let name: String = package_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        HarnessKey(format!("{name}-{:016x}", fnv1a64(&bytes)))
    }

    /// The harness's package name, which is also its binary's name.
    fn package(&self) -> String {
        format!("ipc-contracts-harness-{}", self.0)
    }
}

/// 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/).
fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// Writes a file only when its content changes, so cargo's fingerprints of
/// an unchanged harness stay fresh.
fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == content) {
        return Ok(());
    }
    std::fs::write(path, content)
}

/// The profile the harness is built with. The harness runs once, for well
/// under a second, to print a manifest: it needs no optimisation and no
/// debug information, which the compiler would otherwise write for the
/// whole contracts crate after every edit, and the linker read. Debug
/// assertions stay as in a debug build, so `cfg(debug_assertions)` selects
/// the same contracts, and incremental compilation stays on, so an edit
/// recompiles only what it touched. The profile is the harness's own, so
/// its artifacts (in `target/ipc-harness/` of the harness target directory)
/// never replace those of another build. See `docs/adr/0026-*`.
const HARNESS_PROFILE: &str = "[profile.ipc-harness]\n\
     inherits = \"dev\"\n\
     opt-level = 0\n\
     debug = false\n\
     strip = \"debuginfo\"\n\
     incremental = true\n\
     codegen-units = 256\n";

/// The directory, under the harness target directory, of
/// [`HARNESS_PROFILE`]'s builds.
const HARNESS_PROFILE_NAME: &str = "ipc-harness";

fn write_harness(
    dir: &Path,
    key: &HarnessKey,
    package: &Package,
    runtime: &Package,
    workspace_root: &Path,
) -> Result<(), ExtractError> {
    std::fs::create_dir_all(dir.join("src"))?;
    let crate_dir = package.manifest_path.parent().unwrap_or(Path::new("."));
    let cargo_toml = format!(
        "# Written by ipc-codegen to extract the contracts of `{name}`.\n\
         [package]\nname = {harness}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ncontracts = {{ package = {package}, path = {path} }}\n{runtime_package} = {runtime}\n\n\
         [workspace]\n\n{HARNESS_PROFILE}",
        name = package.name,
        harness = toml_string(&key.package()),
        package = toml_string(&package.name),
        path = toml_string(&crate_dir.to_string_lossy()),
        runtime_package = RUNTIME_PACKAGE,
        runtime = runtime_dependency(runtime),
    );
    write_if_changed(&dir.join("Cargo.toml"), &cargo_toml)?;
    // `extern crate` links the contracts crate, which registers its contracts.
    let main = "extern crate contracts;\n\nfn main() -> std::process::ExitCode {\n    ipc_runtime::manifest::__harness_main()\n}\n";
    write_if_changed(&dir.join("src").join("main.rs"), main)?;
    // Start from the user's lockfile so the harness builds the same versions.
    let lock = workspace_root.join("Cargo.lock");
    if !dir.join("Cargo.lock").exists() && lock.is_file() {
        std::fs::copy(&lock, dir.join("Cargo.lock"))?;
    }
    Ok(())
}

fn build_and_run(
    harness_dir: &Path,
    key: &HarnessKey,
    target_directory: &Path,
) -> Result<Manifest, ExtractError> {
    let build = cargo()
        .args([
            "build",
            "--quiet",
            "--profile",
            HARNESS_PROFILE_NAME,
            "--manifest-path",
        ])
        .arg(harness_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_directory.join("ipc-codegen").join("target"))
        .output()
        .map_err(|error| ExtractError::Cargo(format!("could not run cargo: {error}")))?;
    if !build.status.success() {
        return Err(ExtractError::Build {
            stderr: String::from_utf8_lossy(&build.stderr).into_owned(),
        });
    }
    let binary = target_directory
        .join("ipc-codegen")
        .join("target")
        .join(HARNESS_PROFILE_NAME)
        .join(format!("{}{}", key.package(), std::env::consts::EXE_SUFFIX));
    let run = Command::new(&binary).output().map_err(|error| {
        ExtractError::Cargo(format!(
            "could not run the harness {}: {error}",
            binary.display()
        ))
    })?;
    if !run.status.success() {
        return Err(ExtractError::Contracts(
            String::from_utf8_lossy(&run.stderr).into_owned(),
        ));
    }
    serde_json::from_slice(&run.stdout).map_err(|error| ExtractError::Output(error.to_string()))
}

/// The compiler gives the harness absolute paths for the contracts crate (a
/// path dependency); the manifest records them relative to the crate, so it
/// is the same on every machine.
fn relativize_sources(manifest: &mut Manifest, crate_dir: &Path) {
    for contract in &mut manifest.contracts {
        if let Ok(relative) = Path::new(&contract.source.file).strip_prefix(crate_dir) {
            contract.source.file = relative.to_string_lossy().replace('\\', "/");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn harness_keys_are_readable_stable_and_distinct() {
        let notes = HarnessKey::new(
            Path::new("/work/app/contracts/Cargo.toml"),
            "notes-contracts",
        );
        assert_eq!(
            notes,
            HarnessKey::new(
                Path::new("/work/app/contracts/Cargo.toml"),
                "notes-contracts"
            )
        );
        assert!(notes.0.starts_with("notes-contracts-"), "{}", notes.0);
        assert_eq!(notes.0.len(), "notes-contracts-".len() + 16);
        // Another path or another name: another harness.
        assert_ne!(
            notes,
            HarnessKey::new(
                Path::new("/work/other/contracts/Cargo.toml"),
                "notes-contracts"
            )
        );
        assert_ne!(
            notes,
            HarnessKey::new(
                Path::new("/work/app/contracts/Cargo.toml"),
                "notes_contracts"
            )
        );
        let odd = HarnessKey::new(Path::new("/x/Cargo.toml"), "Odd.Name");
        assert!(odd.0.starts_with("odd-name-"), "{}", odd.0);
        assert!(
            odd.package()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
