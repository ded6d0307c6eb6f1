#!/usr/bin/env bash
# Builds and runs the notes example in one command:
#
#   ./scripts/notes.sh [notes-app options]     e.g. --port 8080 --data-dir ~/notes
#
# 1. installs the npm dev tools from the lockfile when node_modules is missing;
# 2. checks that the committed TypeScript bindings match the contracts (it
#    never rewrites them: when they are stale it prints the generate command
#    to run, so that the change shows up in your diff);
# 3. builds the renderer into examples/notes/renderer/dist;
# 4. runs notes-app, which prints the address to open in a browser.
#
# Options are passed to notes-app (see `cargo run -p notes-app -- --help`):
# --port (default: a free one), --data-dir (default: target/notes-data),
# --renderer (default: examples/notes/renderer/dist).
set -euo pipefail
cd "$(dirname "$0")/.."

contracts=examples/notes/contracts
bindings=examples/notes/renderer/src/ipc
# The committed bindings include the Electron and Tauri files; transport.ws.ts,
# which this example uses, is part of every output.
targets=(--target electron --target tauri)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "notes: installing Node.js and npm (Debian's packages)" >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm
fi

if [ ! -d node_modules ]; then
    echo "notes: installing the npm dev tools (npm ci)" >&2
    npm ci --no-audit --no-fund
fi

echo "notes: checking the TypeScript bindings against the contracts" >&2
if ! cargo run -q -p ipc-codegen -- check --crate "$contracts" --out "$bindings" "${targets[@]}"; then
    {
        echo
        echo "notes: the bindings in $bindings do not match the contracts in $contracts."
        echo "Regenerate them, review the diff and commit it:"
        echo
        echo "  cargo run -p ipc-codegen -- generate --crate $contracts --out $bindings ${targets[*]}"
    } >&2
    exit 1
fi

echo "notes: building the renderer" >&2
node examples/notes/renderer/build.mjs

echo "notes: starting notes-app (Ctrl-C stops it)" >&2
exec cargo run -q -p notes-app -- "$@"
