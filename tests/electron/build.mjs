// Builds what the Electron tests load, under target/electron-test/: the
// notes, probe and conformance addons (cargo, once), the probe's generated
// bindings, and for each the main-side glue and the preload bundled as
// CommonJS (as a sandboxed preload is) and the renderer side as ESM (for the
// conformance suite, with suite.ts). The `electron` they import is the
// stand-in (stand-in-electron.cjs).
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const out = join(root, 'target/electron-test')
const release = process.argv.includes('--release')
const profile = release ? 'release' : 'debug'

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: 'inherit' })
}

const cargoArgs = ['build', '-q', '-p', 'notes-electron-addon', '-p', 'ipc-node-probe', '-p', 'conformance-electron-addon']
run('cargo', release ? [...cargoArgs, '--release'] : cargoArgs)
run('cargo', ['run', '-q', '-p', 'ipc-codegen', '--', 'generate', '--crate', 'ipc-node/tests/probe', '--out', join(out, 'probe/ipc'), '--target', 'electron'])

const library = { linux: (name) => `lib${name}.so`, darwin: (name) => `lib${name}.dylib`, win32: (name) => `${name}.dll` }[process.platform]
if (library === undefined) throw new Error(`no addon file name for ${process.platform}`)
mkdirSync(join(out, 'node_modules/electron'), { recursive: true })
copyFileSync(join(root, 'target', profile, library('notes_electron_addon')), join(out, 'notes.node'))
copyFileSync(join(root, 'target', profile, library('ipc_node_probe')), join(out, 'probe.node'))
copyFileSync(join(root, 'target', profile, library('conformance_electron_addon')), join(out, 'conformance.node'))
copyFileSync(join(root, 'tests/electron/stand-in-electron.cjs'), join(out, 'node_modules/electron/index.js'))
writeFileSync(join(out, 'node_modules/electron/package.json'), '{ "name": "electron", "main": "index.js" }\n')
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n')

const bindings = {
  notes: join(root, 'examples/notes/renderer/src/ipc'),
  probe: join(out, 'probe/ipc'),
  conformance: join(root, 'tests/conformance/ts/ipc'),
}
for (const [name, dir] of Object.entries(bindings)) {
  const entry = join(out, `${name}-renderer-entry.ts`)
  writeFileSync(
    entry,
    `export { electronTransport } from ${JSON.stringify(join(dir, 'renderer.electron.js'))}\n` +
      `export * from ${JSON.stringify(join(dir, 'errors.js'))}\n` +
      `export { createApi } from ${JSON.stringify(join(dir, 'api.js'))}\n` +
      (name === 'conformance' ? `export * from ${JSON.stringify(join(root, 'tests/conformance/suite.js'))}\n` : ''),
  )
  const common = { bundle: true, logLevel: 'warning', external: ['electron'] }
  await build({ ...common, entryPoints: [join(dir, 'main.electron.ts')], platform: 'node', format: 'cjs', outfile: join(out, `${name}-main.cjs`) })
  await build({ ...common, entryPoints: [join(dir, 'preload.electron.ts')], platform: 'node', format: 'cjs', outfile: join(out, `${name}-preload.cjs`) })
  await build({ ...common, entryPoints: [entry], platform: 'neutral', format: 'esm', outfile: join(out, `${name}-renderer.mjs`) })
}
