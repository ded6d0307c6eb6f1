// Builds a test page: type-checks it with tsc, bundles its entries with
// esbuild (ESM, for the browser, no eval: the pages run under
// `script-src 'self'`) and copies its HTML next to them. Shared by the
// conformance pages of each shell and the Tauri bench page, whose build.mjs
// only say what to build.

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { build } from 'esbuild'

/** The repository's root. */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Builds a page into `--out DIR` (default `defaultOut`) and exits the
 * process with status 1 on a type error or a bundle that calls eval.
 *
 * @param {string} script - the calling build.mjs's `import.meta.url`: its
 *   directory holds the entries and the HTML files
 * @param {object} page
 * @param {string} page.label - what messages start with
 * @param {string} page.tsconfig - the tsconfig.json to check with, relative to the script
 * @param {string[]} page.entries - entry names: `<name>.ts` becomes `<out>/<name>.js`
 * @param {string[]} page.html - HTML files copied next to them
 * @param {string} page.defaultOut - where to build without `--out`, relative to the repository
 */
export async function buildPage(script, { label, tsconfig, entries, html, defaultOut }) {
  const dir = dirname(fileURLToPath(script))
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(repo, defaultOut) } } })
  const out = resolve(values.out)

  const tsc = join(repo, 'node_modules/typescript/bin/tsc')
  const checked = spawnSync(process.execPath, [tsc, '-p', join(dir, tsconfig)], { stdio: 'inherit' })
  if (checked.status !== 0) {
    console.error(`${label}: type errors (see above); nothing was built`)
    process.exit(1)
  }

  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  await build({
    entryPoints: entries.map((name) => ({ in: join(dir, `${name}.ts`), out: name })),
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
      console.error(`${label}: ${name}.js calls eval or new Function, which the page's CSP forbids`)
      process.exit(1)
    }
  }
  for (const file of html) copyFileSync(join(dir, file), join(out, file))
  console.log(`${label}: built ${entries.map((name) => `${name}.js`).join(' and ')} into ${out}`)
}
