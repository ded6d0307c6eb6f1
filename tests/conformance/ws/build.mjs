#!/usr/bin/env node
// Builds the loopback WebSocket shell's conformance page: type-checks the
// suite and the page with tsc (strict, no Node types), bundles ws/page.ts
// with esbuild into page.js (ESM, no eval: the page runs under
// `script-src 'self'`) and copies index.html next to it.
//
//   node tests/conformance/ws/build.mjs              # into target/conformance-ws
//   node tests/conformance/ws/build.mjs --out DIR

import { buildPage } from '../../build-page.mjs'

await buildPage(import.meta.url, {
  label: 'conformance',
  tsconfig: '../tsconfig.json',
  entries: ['page'],
  html: ['index.html'],
  defaultOut: 'target/conformance-ws',
})
