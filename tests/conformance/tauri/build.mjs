#!/usr/bin/env node
// Builds the Tauri shell's conformance pages: type-checks the suite and the
// pages with tsc (strict, against the real @tauri-apps/api types), bundles
// page.ts (the suite's window) and caller.ts (the other windows) with
// esbuild (ESM, no eval: the pages run under `script-src 'self'`) and copies
// their HTML next to them. conformance-tauri embeds the result when it
// compiles, so this runs first.
//
//   node tests/conformance/tauri/build.mjs              # into target/conformance-tauri-page
//   node tests/conformance/tauri/build.mjs --out DIR

import { buildPage } from '../../build-page.mjs'

await buildPage(import.meta.url, {
  label: 'conformance',
  tsconfig: 'tsconfig.json',
  entries: ['page', 'caller'],
  html: ['index.html', 'caller.html'],
  defaultOut: 'target/conformance-tauri-page',
})
