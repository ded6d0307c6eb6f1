#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests
# need (npm packages from the committed lockfile, Debian's Chromium, WebKitGTK
# with its WebDriver and Xvfb, tauri-driver from crates.io), then checks
# formatting, lints, the Rust tests, a bounded load run, the fuzz targets
# (briefly; their crate's formatting and lints too), the TypeScript tests,
# the committed bindings and the Electron
# main side in Node.js, and runs the notes example end to end in Chromium
# and in the Tauri shell on WebKitGTK, and the conformance suite in every
# shell.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A fresh machine's disk can be small, and debug information is most of
# what this run writes: every test binary that links Tauri and WebKitGTK
# carries about 200 MB of it, and a fresh clone gains nothing from
# incremental caches. Line tables keep file and line in backtraces.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
export CARGO_PROFILE_RELEASE_DEBUG=false

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    step "installing Node.js and npm"
    apt-get update -qq && apt-get install -y -qq nodejs npm
fi

if [ ! -x /usr/bin/chromium ]; then
    step "installing Chromium (Debian's package) for the browser tests"
    apt-get update -qq && apt-get install -y -qq chromium
fi

# shellcheck source=scripts/tauri-deps.sh
. scripts/tauri-deps.sh
install_tauri_build_deps test.sh --test

step "npm ci (dev tools only; no install scripts run)"
npm ci --no-audit --no-fund

# Tauri embeds its pages when an app compiles, so they are built before
# anything compiles the workspace.
step "building the pages of the Tauri apps (notes renderer, conformance suite)"
node examples/notes/renderer/build.mjs --shell tauri --out target/notes-tauri-renderer
node tests/conformance/tauri/build.mjs

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets --all-features -D warnings"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo test (all features: the WebSocket transport too)"
cargo test --workspace --all-features --locked
# Nothing below runs these test executables again (about 2 GB); the
# libraries they link stay for the builds below.
find target/debug/deps -maxdepth 1 -type f -perm -u+x ! -name '*.so' ! -name '*.d' -delete

step "the code generator depends on the contract model, not on the runtime"
if cargo tree --locked -p ipc-codegen -e normal --prefix none \
    | grep -E '^(ipc-contracts-runtime|jsonschema|tokio) '; then
    echo "ipc-codegen must not depend on the crates above" >&2
    exit 1
fi

step "cargo package: every publishable crate, and the code generator built from its .crate"
# The verification builds against a local overlay registry whose sources
# cargo extracts once per path, and builds once, as it would a registry
# crate: both would be reused after the .crate changed. So earlier
# extractions go, and the verification builds in a target directory of its
# own, from scratch: a second run on one machine checks what it packaged.
rm -rf target/package target/package-verify "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/ipc-*
publishable=$(cargo metadata --locked --no-deps --format-version 1 | node -e '
    let json = ""
    process.stdin.on("data", (chunk) => { json += chunk }).on("end", () => {
        for (const p of JSON.parse(json).packages) {
            // `publish = false` is an empty list of registries.
            if (!(Array.isArray(p.publish) && p.publish.length === 0)) console.log(`-p ${p.name}`)
        }
    })')
# shellcheck disable=SC2086 # one `-p NAME` per word
cargo package --locked --no-verify $publishable
CARGO_TARGET_DIR=target/package-verify cargo package --locked -p ipc-meta -p ipc-codegen
rm -rf target/package-verify

step "load: 64 clients x 2,000 pipelined calls over the loopback WebSocket, every reply checked"
cargo run --locked -q -p ipc-contracts-runtime --all-features --example ws_load

step "fuzzing: each target for 25 s on its seed corpus (docs/fuzzing.md)"
./scripts/fuzz.sh 25

step "the fuzz crate (a workspace of its own): cargo fmt --check, clippy -D warnings"
./scripts/fuzz.sh lint
# Nothing after this uses the instrumented build (corpus and artifacts kept).
rm -rf target/fuzz/release target/fuzz/x86_64-* target/fuzz/debug

step "ipc-codegen check: the committed notes bindings match the contracts"
cargo run --locked -q -p ipc-codegen -- check --crate examples/notes/contracts \
    --out examples/notes/renderer/src/ipc --target electron --target tauri

step "ipc-codegen check: the committed conformance bindings match the contracts"
cargo run --locked -q -p ipc-codegen -- check --crate tests/conformance \
    --out tests/conformance/ts/ipc --target electron --target tauri

step "TypeScript tests"
npm run --silent test:ts

step "Electron main side in Node.js (the real addons, the generated glue over a stand-in electron, the conformance suite)"
npm run --silent test:electron

step "building notes-app and the notes renderer"
cargo build --locked -p notes-app
node examples/notes/renderer/build.mjs

step "browser tests (notes example in Chromium)"
npm run --silent test:browser

step "conformance suite against the loopback WebSocket, in Chromium"
npm run --silent test:conformance

if [ ! -x target/tools/bin/tauri-driver ]; then
    step "installing tauri-driver (crates.io) into target/tools"
    cargo install --locked tauri-driver --version 2.1.0 --root target/tools
fi

step "Tauri tests (notes-tauri on WebKitGTK under Xvfb, through tauri-driver)"
npm run --silent test:tauri

step "conformance suite against the Tauri shell, on WebKitGTK"
npm run --silent test:conformance:tauri
