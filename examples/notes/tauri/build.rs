//! Embeds the ACL: the `ipc` plugin's permissions are the ones ipc-codegen
//! generated from the contracts, read as those of an inlined plugin.

use std::path::Path;

const PERMISSIONS: &str = "../renderer/src/ipc/permissions.tauri.toml";

/// `build.frontendDist` of tauri.conf.json: the renderer built with
/// `build.mjs --shell tauri` (scripts/notes-tauri.sh builds it first).
const FRONTEND: &str = "../../../target/notes-tauri-renderer";

fn main() {
    println!("cargo:rerun-if-changed={PERMISSIONS}");
    println!("cargo:rerun-if-changed={FRONTEND}");
    // Tauri embeds frontendDist at compile time and fails without it; a
    // workspace build before the renderer's gets a page that says so.
    let frontend = Path::new(FRONTEND);
    if !frontend.join("index.html").is_file() {
        let page = "<!doctype html><meta charset=\"utf-8\"><title>Notes</title>\
            <p>The renderer is not built: run <code>scripts/notes-tauri.sh</code>.</p>\n";
        if let Err(error) = std::fs::create_dir_all(frontend)
            .and_then(|()| std::fs::write(frontend.join("index.html"), page))
        {
            println!("cargo::error=notes-tauri: cannot create {FRONTEND}: {error}");
            return;
        }
    }
    let attributes = tauri_build::Attributes::new().plugin(
        "ipc",
        tauri_build::InlinedPlugin::new().permissions_path_pattern(PERMISSIONS),
    );
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=notes-tauri: {error:#}");
    }
}
