//! Embeds the ACL (the `ipc` plugin's permissions generated from the
//! suite's contracts) and the suite's page.

use std::path::Path;

const PERMISSIONS: &str = "../ts/ipc/permissions.tauri.toml";

/// `build.frontendDist`: the page `tests/conformance/tauri/build.mjs` builds.
const FRONTEND: &str = "../../../target/conformance-tauri-page";

fn main() {
    println!("cargo:rerun-if-changed={PERMISSIONS}");
    println!("cargo:rerun-if-changed={FRONTEND}");
    // Tauri embeds frontendDist at compile time and fails without it; a
    // workspace build before the page's gets a page that says so.
    let frontend = Path::new(FRONTEND);
    if !frontend.join("index.html").is_file() {
        let page = "<!doctype html><meta charset=\"utf-8\"><title>conformance</title>\
            <p>The page is not built: run <code>node tests/conformance/tauri/build.mjs</code>.</p>\n";
        if let Err(error) = std::fs::create_dir_all(frontend)
            .and_then(|()| std::fs::write(frontend.join("index.html"), page))
        {
            println!("cargo::error=conformance-tauri: cannot create {FRONTEND}: {error}");
            return;
        }
    }
    let attributes = tauri_build::Attributes::new().plugin(
        "ipc",
        tauri_build::InlinedPlugin::new().permissions_path_pattern(PERMISSIONS),
    );
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=conformance-tauri: {error:#}");
    }
}
