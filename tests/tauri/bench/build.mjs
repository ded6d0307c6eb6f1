#!/usr/bin/env node
// Builds bench-tauri's page: type-checks bench.ts with tsc (strict, against
// the real @tauri-apps/api types), bundles it with esbuild (ESM, no eval)
// and copies index.html next to it. bench-tauri embeds the result when it
// compiles, so this runs first.
//
//   node tests/tauri/bench/build.mjs              # into target/bench-tauri-page
//   node tests/tauri/bench/build.mjs --out DIR

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../../..')
const { values } = parseArgs({ options: { out: { type: 'string', default: join(repo, 'target/bench-tauri-page') } } })
const out = resolve(values.out)

const tsc = join(repo, 'node_modules/typescript/bin/tsc')
const checked = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' })
if (checked.status !== 0) {
  console.error('bench: type errors (see above); nothing was built')
  process.exit(1)
}

const entries = ['bench']
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
    console.error(`bench: ${name}.js calls eval or new Function, which the page's CSP forbids`)
    process.exit(1)
  }
}
copyFileSync(join(here, 'index.html'), join(out, 'index.html'))
console.log(`bench: built bench.js into ${out}`)
