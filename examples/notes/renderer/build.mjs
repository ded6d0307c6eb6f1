#!/usr/bin/env node
// Builds the notes renderer: type-checks src/ with tsc, bundles the entry of
// one shell (src/entry.<shell>.ts, which connects that shell's transport and
// starts the shared page in src/notes.ts) with esbuild into app.js (ESM, for
// browsers, not minified, no eval: the page runs under `script-src 'self'`)
// and copies index.html and styles.css next to it. The output directory is
// emptied first.
//
//   node examples/notes/renderer/build.mjs                 # the WebSocket shell, into examples/notes/renderer/dist
//   node examples/notes/renderer/build.mjs --shell ws --out DIR
//   node examples/notes/renderer/build.mjs --shell electron --out DIR   # (examples/notes/electron/build.mjs does this)
//   node examples/notes/renderer/build.mjs --shell tauri --out target/notes-tauri-renderer
//   node examples/notes/renderer/build.mjs --out DIR       # elsewhere
//   node examples/notes/renderer/build.mjs --bench --out DIR
//       also bench.html and bench.js, the page tests/browser/bench.mjs drives
//       (never part of the app's own build)
//
// esbuild and tsc come from the repository's node_modules (`npm ci`).

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../../..')

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, 'dist') },
    shell: { type: 'string', default: 'ws' },
    bench: { type: 'boolean', default: false },
    'skip-check': { type: 'boolean', default: false },
  },
})
const out = resolve(values.out)

/** Each shell's entry point. */
const SHELL_ENTRIES = {
  ws: 'src/entry.ws.ts',
  electron: 'src/entry.electron.ts',
  tauri: 'src/entry.tauri.ts',
}
const shellEntry = Object.hasOwn(SHELL_ENTRIES, values.shell) ? SHELL_ENTRIES[values.shell] : undefined
if (shellEntry === undefined) {
  console.error(`renderer: unknown --shell ${values.shell}; known: ${Object.keys(SHELL_ENTRIES).join(', ')}`)
  process.exit(2)
}

if (!values['skip-check']) {
  const tsc = join(repo, 'node_modules/typescript/bin/tsc')
  const checked = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' })
  if (checked.status !== 0) {
    console.error('renderer: type errors (see above); nothing was built')
    process.exit(1)
  }
}

const entries = [{ in: join(here, shellEntry), out: 'app' }]
const pages = ['index.html', 'styles.css']
if (values.bench) {
  entries.push({ in: join(here, 'src/bench.ts'), out: 'bench' })
  pages.push('bench.html')
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: entries,
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
})
// The page's CSP has no 'unsafe-eval': a bundle that needs it would break at run time.
for (const entry of entries) {
  const code = readFileSync(join(out, `${entry.out}.js`), 'utf8')
  if (/\beval\s*\(|\bnew\s+Function\s*\(/.test(code)) {
    console.error(`renderer: ${entry.out}.js calls eval or new Function, which the page's CSP forbids`)
    process.exit(1)
  }
}
for (const page of pages) copyFileSync(join(here, page), join(out, page))
console.log(`renderer: built ${entries.map((entry) => `${entry.out}.js`).join(', ')} into ${out}`)
