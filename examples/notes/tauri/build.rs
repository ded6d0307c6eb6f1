//! Embeds the ACL: the `ipc` plugin's permissions are the ones ipc-codegen
//! generated from the contracts, read as those of an inlined plugin.

const PERMISSIONS: &str = "../renderer/src/ipc/permissions.tauri.toml";

fn main() {
    println!("cargo:rerun-if-changed={PERMISSIONS}");
    let attributes = tauri_build::Attributes::new().plugin(
        "ipc",
        tauri_build::InlinedPlugin::new().permissions_path_pattern(PERMISSIONS),
    );
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=notes-tauri: {error:#}");
    }
}
