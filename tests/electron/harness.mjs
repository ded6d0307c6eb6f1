// Loads what build.mjs built: the stand-in `electron` (the same instance the
// glue bundles require), an addon, its glue, and a renderer per window: the
// bundled preload run against that window's side of the stand-in, and the
// generated renderer API over the bridge it exposed.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../target/electron-test')
const require = createRequire(join(out, 'package.json'))

export const electron = require('electron')

/**
 * The addon, glue module, preload source and renderer module of `name`
 * (notes or probe), and the length from which its preload sends a request
 * as UTF-8 bytes (`ipc_meta::protocol::electron::BYTES_FROM`, as generated).
 */
export async function load(name) {
  const preload = readFileSync(join(out, `${name}-preload.cjs`), 'utf8')
  const bytesFrom = Number(/\bBYTES_FROM = (\d+)/.exec(preload)?.[1])
  if (!(bytesFrom > 0)) throw new Error(`the ${name} preload does not say from which length it sends bytes`)
  return {
    addon: require(`./${name}.node`),
    glue: require(`./${name}-main.cjs`),
    preload,
    bytesFrom,
    renderer: await import(pathToFileURL(join(out, `${name}-renderer.mjs`)).href),
  }
}

const utf8Decoder = new TextDecoder()

/** A message's JSON text, whichever form it crossed in: a string, or its UTF-8 bytes. */
export function jsonText(message) {
  return typeof message === 'string' ? message : utf8Decoder.decode(message)
}

/**
 * Runs the preload in `frame` of `webContents` (its main frame by default)
 * and returns the typed API over what it exposed as `window.api`.
 */
export function rendererApi(bundle, webContents, frame) {
  const side = electron.rendererOf(webContents, frame)
  const module = { exports: {} }
  const requireInPreload = (id) => {
    if (id === 'electron') return side
    throw new Error(`the preload may only require electron, not ${id}`)
  }
  // The preload is the test's own bundle; evaluated per window like
  // Electron evaluates it in each renderer.
  new Function('require', 'module', 'exports', bundle.preload)(requireInPreload, module, module.exports)
  const bridge = side.exposed.get('api')
  return bundle.renderer.createApi(bundle.renderer.electronTransport(() => bridge))
}

/** Resolves once pending setImmediate deliveries (sends, events) have run. */
export function settle() {
  return new Promise((done) => setTimeout(done, 20))
}
