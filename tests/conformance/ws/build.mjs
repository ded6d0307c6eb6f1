#!/usr/bin/env node
// Builds the loopback WebSocket shell's conformance page: type-checks the
// suite and the page with tsc (strict, no Node types), bundles ws/page.ts
// with esbuild into page.js (ESM, no eval: the page runs under
// `script-src 'self'`) and copies index.html next to it.
//
//   node tests/conformance/ws/build.mjs              # into target/conformance-ws
//   node tests/conformance/ws/build.mjs --out DIR

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../../..')
const { values } = parseArgs({ options: { out: { type: 'string', default: join(repo, 'target/conformance-ws') } } })
const out = resolve(values.out)

const tsc = join(repo, 'node_modules/typescript/bin/tsc')
const checked = spawnSync(process.execPath, [tsc, '-p', join(here, '../tsconfig.json')], { stdio: 'inherit' })
if (checked.status !== 0) {
  console.error('conformance: type errors (see above); nothing was built')
  process.exit(1)
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [{ in: join(here, 'page.ts'), out: 'page' }],
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
})
const code = readFileSync(join(out, 'page.js'), 'utf8')
if (/\beval\s*\(|\bnew\s+Function\s*\(/.test(code)) {
  console.error("conformance: page.js calls eval or new Function, which the page's CSP forbids")
  process.exit(1)
}
copyFileSync(join(here, 'index.html'), join(out, 'index.html'))
console.log(`conformance: built page.js into ${out}`)
