#!/usr/bin/env bash
# Builds and runs the notes example as a Tauri app in one command:
#
#   ./scripts/notes-tauri.sh [--data-dir DIR]
#
# 1. installs Node.js, the npm dev tools and Debian's WebKitGTK development
#    packages (the Tauri build dependencies) when they are missing;
# 2. checks that the committed bindings (with transport.tauri.ts and the
#    plugin's permissions.tauri.toml) match the contracts;
# 3. builds the renderer for the Tauri shell into target/notes-tauri-renderer;
# 4. builds notes-tauri, which embeds that renderer, and runs it: a main
#    window and a read-only viewer window.
#
# --data-dir DIR keeps the notes in DIR (default: the app's data directory).
set -euo pipefail
cd "$(dirname "$0")/.."

contracts=examples/notes/contracts
bindings=examples/notes/renderer/src/ipc
targets=(--target electron --target tauri)

# shellcheck source=scripts/tauri-deps.sh
. scripts/tauri-deps.sh
install_tauri_build_deps notes-tauri

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "notes-tauri: installing Node.js and npm (Debian's packages)" >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm
fi

if [ ! -d node_modules ]; then
    echo "notes-tauri: installing the npm dev tools (npm ci)" >&2
    npm ci --no-audit --no-fund
fi

echo "notes-tauri: checking the TypeScript bindings against the contracts" >&2
if ! cargo run -q -p ipc-codegen -- check --crate "$contracts" --out "$bindings" "${targets[@]}"; then
    {
        echo
        echo "notes-tauri: the bindings in $bindings do not match the contracts in $contracts."
        echo "Regenerate them, review the diff and commit it:"
        echo
        echo "  cargo run -p ipc-codegen -- generate --crate $contracts --out $bindings ${targets[*]}"
    } >&2
    exit 1
fi

echo "notes-tauri: building the renderer" >&2
node examples/notes/renderer/build.mjs --shell tauri --out target/notes-tauri-renderer

echo "notes-tauri: building and starting the app (close its windows to stop it)" >&2
exec cargo run -q -p notes-tauri -- "$@"
