//! Compiles the generated TypeScript with the repository's `tsc` (from
//! `node_modules`, installed by `npm ci`): the notes bindings with the
//! Electron target against the real `electron` type definitions, the serde
//! cases, a usage file that must type-check and misuse files whose errors
//! are asserted with `@ts-expect-error`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ipc_codegen::output;

/// The strictest settings a renderer project may use.
const COMPILER_OPTIONS: &str = r#"
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "types": [],
    "strict": true,
    "noEmit": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "noImplicitOverride": true,
    "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": true,
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "noPropertyAccessFromIndexSignature": true,
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "erasableSyntaxOnly": true"#;

fn tsc() -> PathBuf {
    let tsc = common::workspace_root().join("node_modules/typescript/bin/tsc");
    assert!(
        tsc.is_file(),
        "{} is missing: run `npm ci` in the repository root to install the TypeScript compiler and Electron's type definitions",
        tsc.display()
    );
    tsc
}

fn run_tsc(project: &Path) -> Output {
    Command::new("node")
        .arg(tsc())
        .arg("-p")
        .arg(project)
        .arg("--pretty")
        .arg("false")
        .output()
        .expect("node runs (install Node.js and run `npm ci`)")
}

/// A project in a scratch directory: `ipc/` (notes, Electron target),
/// `cases/` (serde cases), the given usage files and a tsconfig.
fn project(name: &str, module: &str, usage: &[&str], extra: &[(&str, &str)]) -> PathBuf {
    let dir = common::scratch_dir(name);
    let notes = common::generate(&common::notes_manifest(), &common::electron());
    output::write(&dir.join("ipc"), &notes).expect("write notes bindings");
    let cases = common::generate(&common::serde_cases_manifest(), &common::electron());
    output::write(&dir.join("cases"), &cases).expect("write serde-case bindings");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ts");
    for file in usage {
        std::fs::copy(sources.join(file), dir.join(file)).expect("copy usage file");
    }
    for (file, contents) in extra {
        std::fs::write(dir.join(file), contents).expect("write extra file");
    }
    let electron = common::workspace_root().join("node_modules/electron/electron.d.ts");
    let resolution = if module == "NodeNext" {
        r#""module": "NodeNext", "moduleResolution": "NodeNext""#
    } else {
        r#""module": "ESNext", "moduleResolution": "Bundler""#
    };
    let tsconfig = format!(
        "{{\n  \"compilerOptions\": {{{COMPILER_OPTIONS},\n    {resolution},\n    \"paths\": {{ \"electron\": [{electron}] }}\n  }},\n  \"include\": [\"**/*.ts\"]\n}}\n",
        electron = serde_json::to_string(&electron.to_string_lossy()).expect("path")
    );
    std::fs::write(dir.join("tsconfig.json"), tsconfig).expect("write tsconfig");
    // ESM, as in the generated files' `.js` import specifiers.
    std::fs::write(dir.join("package.json"), "{ \"type\": \"module\" }\n").expect("package.json");
    dir
}

#[test]
fn generated_bindings_and_usage_type_check_strictly() {
    let dir = project(
        "tsc-bundler",
        "Bundler",
        &["notes-usage.ts", "notes-misuse.ts", "serde-cases-usage.ts"],
        &[],
    );
    let output = run_tsc(&dir);
    assert!(
        output.status.success(),
        "tsc failed:\n{}",
        common::output_text(&output)
    );
}

#[test]
fn generated_bindings_type_check_with_node_esm_resolution() {
    let dir = project("tsc-nodenext", "NodeNext", &["notes-usage.ts"], &[]);
    let output = run_tsc(&dir);
    assert!(
        output.status.success(),
        "tsc failed:\n{}",
        common::output_text(&output)
    );
}

#[test]
fn a_wrong_payload_is_a_type_error() {
    let wrong = "import { createApi } from './ipc/api.js'\n\
                 import type { Transport } from './ipc/transport.js'\n\
                 declare const transport: Transport\n\
                 export const saved = createApi(transport).notes.save({ title: 42, body: 'b' })\n";
    let dir = project("tsc-negative", "Bundler", &[], &[("wrong.ts", wrong)]);
    let output = run_tsc(&dir);
    let report = common::output_text(&output);
    assert!(!output.status.success(), "tsc accepted a wrong payload");
    assert!(
        report.contains("wrong.ts(4,") && report.contains("TS2322"),
        "unexpected tsc output:\n{report}"
    );
}
