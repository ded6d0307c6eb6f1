#!/usr/bin/env node
// Builds bench-tauri's page: type-checks bench.ts with tsc (strict, against
// the real @tauri-apps/api types), bundles it with esbuild (ESM, no eval)
// and copies index.html next to it. bench-tauri embeds the result when it
// compiles, so this runs first.
//
//   node tests/tauri/bench/build.mjs              # into target/bench-tauri-page
//   node tests/tauri/bench/build.mjs --out DIR

import { buildPage } from '../../build-page.mjs'

await buildPage(import.meta.url, {
  label: 'bench',
  tsconfig: 'tsconfig.json',
  entries: ['bench'],
  html: ['index.html'],
  defaultOut: 'target/bench-tauri-page',
})
