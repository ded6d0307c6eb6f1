#!/usr/bin/env node
// Builds the notes example's Electron app into examples/notes/electron/dist/:
//   main.cjs      main.ts bundled as CommonJS (electron stays external)
//   preload.cjs   the generated preload bundled into one CommonJS file, as a
//                 sandboxed renderer requires (it may only require electron)
//   renderer/     the shared notes page with its Electron entry
//                 (renderer/build.mjs --shell electron)
//   notes.node    the addon (addon/, cargo build -p notes-electron-addon)
// after type-checking main.ts and the preload against the real electron
// type definitions. Then `npx electron .` (in this directory) runs the app.
//
//   node examples/notes/electron/build.mjs [--release] [--skip-addon]
//
// esbuild and tsc come from the repository's node_modules (`npm ci`).
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../../..')
const out = join(here, 'dist')
const { values } = parseArgs({
  options: { release: { type: 'boolean', default: false }, 'skip-addon': { type: 'boolean', default: false } },
})

const tsc = join(repo, 'node_modules/typescript/bin/tsc')
if (spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' }).status !== 0) {
  console.error('notes-electron: type errors (see above); nothing was built')
  process.exit(1)
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const common = { bundle: true, platform: 'node', format: 'cjs', target: ['node20'], external: ['electron'], logLevel: 'warning' }
await build({ ...common, entryPoints: [join(here, 'main.ts')], outfile: join(out, 'main.cjs') })
await build({ ...common, entryPoints: [join(repo, 'examples/notes/renderer/src/ipc/preload.electron.ts')], outfile: join(out, 'preload.cjs') })
// A sandboxed preload can require only electron (and a few Node built-ins).
const preload = readFileSync(join(out, 'preload.cjs'), 'utf8')
const required = [...preload.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((match) => match[1])
if (required.some((name) => name !== 'electron')) {
  console.error(`notes-electron: the preload bundle requires ${required.join(', ')}; a sandboxed preload may only require electron`)
  process.exit(1)
}

const renderer = spawnSync(
  process.execPath,
  [join(repo, 'examples/notes/renderer/build.mjs'), '--shell', 'electron', '--out', join(out, 'renderer'), '--skip-check'],
  { stdio: 'inherit' },
)
if (renderer.status !== 0) process.exit(renderer.status ?? 1)

if (!values['skip-addon']) {
  const profile = values.release ? 'release' : 'debug'
  execFileSync('cargo', ['build', '-q', '-p', 'notes-electron-addon', ...(values.release ? ['--release'] : [])], { cwd: repo, stdio: 'inherit' })
  const library = { linux: 'libnotes_electron_addon.so', darwin: 'libnotes_electron_addon.dylib', win32: 'notes_electron_addon.dll' }[process.platform]
  if (library === undefined) throw new Error(`no addon file name for ${process.platform}`)
  copyFileSync(join(repo, 'target', profile, library), join(out, 'notes.node'))
}
console.log(`notes-electron: built ${out}; run it with \`npx electron .\` in ${here}`)
