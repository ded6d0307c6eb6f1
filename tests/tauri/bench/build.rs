//! Embeds the ACL (the notes contracts' generated `ipc` permissions) and
//! the bench page.

use std::path::Path;

const PERMISSIONS: &str = "../../../examples/notes/renderer/src/ipc/permissions.tauri.toml";

/// `build.frontendDist` of tauri.conf.json: the page
/// `tests/tauri/bench/build.mjs` builds.
const FRONTEND: &str = "../../../target/bench-tauri-page";

fn main() {
    println!("cargo:rerun-if-changed={PERMISSIONS}");
    println!("cargo:rerun-if-changed={FRONTEND}");
    // Tauri embeds frontendDist at compile time and fails without it; a
    // workspace build before the page's gets a page that says so.
    let frontend = Path::new(FRONTEND);
    if !frontend.join("index.html").is_file() {
        let page = "<!doctype html><meta charset=\"utf-8\"><title>bench</title>\
            <p>The bench page is not built: run <code>node tests/tauri/bench/build.mjs</code>.</p>\n";
        if let Err(error) = std::fs::create_dir_all(frontend)
            .and_then(|()| std::fs::write(frontend.join("index.html"), page))
        {
            println!("cargo::error=bench-tauri: cannot create {FRONTEND}: {error}");
            return;
        }
    }
    let attributes = tauri_build::Attributes::new().plugin(
        "ipc",
        tauri_build::InlinedPlugin::new().permissions_path_pattern(PERMISSIONS),
    );
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=bench-tauri: {error:#}");
    }
}
