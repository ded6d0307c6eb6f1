//! Runs the generated Electron files of the notes example in Node.js: the
//! preload (bundled as CommonJS with esbuild, as a sandboxed preload would
//! be) against the project's stand-in `electron`
//! (`tests/electron/stand-in-electron.cjs`, whose `contextBridge` copies
//! values like Electron's: errors keep only their message), and the
//! renderer side over what the preload exposed. The scenarios are in
//! `tests/ts/electron-bridge.test.mjs`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use ipc_codegen::output;

fn node(dir: &Path, args: &[&str]) -> Output {
    Command::new("node")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("node runs (install Node.js and run `npm ci`)")
}

#[test]
fn electron_preload_and_renderer_work_together() {
    let root = common::workspace_root();
    let esbuild = root.join("node_modules/esbuild/bin/esbuild");
    assert!(
        esbuild.is_file(),
        "{} is missing: run `npm ci` in the repository root",
        esbuild.display()
    );
    let esbuild = esbuild.to_str().expect("utf-8 path");
    let dir = common::scratch_dir("electron-runtime");
    let files = common::generate(&common::notes_manifest(), &common::electron());
    output::write(&dir.join("ipc"), &files).expect("write bindings");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ts");
    std::fs::create_dir_all(dir.join("node_modules/electron")).expect("stand-in electron dir");
    std::fs::copy(
        root.join("tests/electron/stand-in-electron.cjs"),
        dir.join("node_modules/electron/index.js"),
    )
    .expect("copy the stand-in electron");
    std::fs::write(
        dir.join("node_modules/electron/package.json"),
        "{ \"name\": \"electron\", \"main\": \"index.js\" }\n",
    )
    .expect("stand-in electron package.json");
    std::fs::copy(
        sources.join("electron-bridge.test.mjs"),
        dir.join("electron-bridge.test.mjs"),
    )
    .expect("copy test");
    std::fs::write(dir.join("package.json"), "{ \"type\": \"module\" }\n").expect("package.json");
    std::fs::write(
        dir.join("renderer-entry.ts"),
        "export * from './ipc/renderer.electron.js'\nexport * from './ipc/errors.js'\nexport { createApi } from './ipc/api.js'\n",
    )
    .expect("entry");

    for args in [
        vec![
            esbuild,
            "ipc/preload.electron.ts",
            "--bundle",
            "--platform=node",
            "--format=cjs",
            "--external:electron",
            "--outfile=preload.cjs",
            "--log-level=warning",
        ],
        vec![
            esbuild,
            "renderer-entry.ts",
            "--bundle",
            "--platform=browser",
            "--format=esm",
            "--outfile=renderer.mjs",
            "--log-level=warning",
        ],
    ] {
        let output = node(&dir, &args);
        assert!(
            output.status.success(),
            "esbuild failed:\n{}",
            common::output_text(&output)
        );
    }
    let preload = std::fs::read_to_string(dir.join("preload.cjs")).expect("bundle");
    assert!(
        !preload.contains("require(\"./"),
        "the preload bundle is self-contained"
    );

    let output = node(&dir, &["--test", "electron-bridge.test.mjs"]);
    assert!(
        output.status.success(),
        "the Electron bridge tests failed:\n{}",
        common::output_text(&output)
    );
}
