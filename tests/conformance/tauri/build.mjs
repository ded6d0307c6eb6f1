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

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../../..')
const { values } = parseArgs({ options: { out: { type: 'string', default: join(repo, 'target/conformance-tauri-page') } } })
const out = resolve(values.out)

const tsc = join(repo, 'node_modules/typescript/bin/tsc')
const checked = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' })
if (checked.status !== 0) {
  console.error('conformance: type errors (see above); nothing was built')
  process.exit(1)
}

const entries = ['page', 'caller']
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: entries.map((name) => ({ in: join(here, `${name}.ts`), out: name })),
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
})
for (const name of entries) {
  const code = readFileSync(join(out, `${name}.js`), 'utf8')
  if (/\beval\s*\(|\bnew\s+Function\s*\(/.test(code)) {
    console.error(`conformance: ${name}.js calls eval or new Function, which the page's CSP forbids`)
    process.exit(1)
  }
}
copyFileSync(join(here, 'index.html'), join(out, 'index.html'))
copyFileSync(join(here, 'caller.html'), join(out, 'caller.html'))
console.log(`conformance: built page.js and caller.js into ${out}`)
