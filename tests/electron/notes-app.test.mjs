// The notes example's Electron main script as built (examples/notes/electron/dist/main.cjs),
// run in Node.js against the stand-in `electron`: its window settings, its
// `app:` protocol handler (files of the page only, each with the CSP), its
// refusal of navigation, new windows and permissions, the notes served
// through the generated glue and the addon it loads, and a quit that closes
// the router first. Electron's own behaviour is not exercised (no binary).
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'

import { electron, load, rendererApi, settle } from './harness.mjs'

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/notes/electron/dist')
const userData = mkdtempSync(join(tmpdir(), 'notes-electron-app-'))
let window

before(async () => {
  assert.ok(existsSync(join(dist, 'main.cjs')), `${dist} is not built: node examples/notes/electron/build.mjs`)
  electron.resetIpcMain()
  electron.app.userData = userData
  const main = join(dist, 'main.cjs')
  const realRequire = createRequire(main)
  const module = { exports: {} }
  const requireInMain = (id) => (id === 'electron' ? electron : realRequire(id))
  // The built main script, evaluated as Node would load it, with `electron`
  // resolved to the stand-in.
  new Function('require', 'module', 'exports', '__filename', '__dirname', readFileSync(main, 'utf8'))(requireInMain, module, module.exports, main, dist)
  for (let i = 0; i < 100 && electron.BrowserWindow.getAllWindows().length === 0; i += 1) await settle()
  window = electron.BrowserWindow.getAllWindows()[0]
  assert.ok(window !== undefined, 'main.cjs opened no window')
})

after(() => rmSync(userData, { recursive: true, force: true }))

test('the window is locked down and loads the page from app://notes', () => {
  const preferences = window.options.webPreferences
  assert.equal(preferences.contextIsolation, true)
  assert.equal(preferences.sandbox, true)
  assert.equal(preferences.nodeIntegration, false)
  assert.equal(preferences.preload, join(dist, 'preload.cjs'))
  assert.ok(existsSync(preferences.preload))
  assert.equal(window.loadedUrl, 'app://notes/index.html')
  assert.deepEqual(electron.protocol.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true } }])
})

test('no navigation, no new window, no permission', () => {
  let prevented = false
  window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example')
  assert.ok(prevented)
  assert.deepEqual(window.webContents.windowOpenHandler({ url: 'https://evil.example' }), { action: 'deny' })
  let granted
  electron.session.defaultSession.permissionRequestHandler(window.webContents, 'media', (answer) => (granted = answer))
  assert.equal(granted, false)
})

test('the app: protocol serves the page files only, each with the CSP', async () => {
  const serve = electron.protocol.handlers.get('app')
  const page = await serve(new Request('app://notes/index.html'))
  assert.equal(page.status, 200)
  assert.match(page.headers.get('content-type'), /^text\/html/)
  assert.match(page.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/)
  assert.match(await page.text(), /<script type="module" src="app.js">/)
  assert.equal((await serve(new Request('app://notes/app.js'))).status, 200)
  for (const url of ['app://notes/%2e%2e/main.cjs', 'app://notes/..%2fnotes.node', 'app://notes/missing.js', 'app://other/index.html', 'app://notes/']) {
    assert.equal((await serve(new Request(url))).status, 404, url)
  }
})

test('the page reaches the notes through the preload, the glue and the addon', async () => {
  const bundle = await load('notes')
  const api = rendererApi(bundle, window.webContents)
  const changes = []
  api.notes.onChanged((change) => changes.push(change.kind))
  const saved = await api.notes.save({ title: 'From the app', body: '' })
  assert.deepEqual(await api.notes.get({ id: saved.id }), saved)
  await settle()
  assert.deepEqual(changes, ['created'])
  // A page of another origin in the same window is refused.
  window.webContents.navigate('https://evil.example')
  const refused = await rendererApi(bundle, window.webContents).notes.list().catch((error) => error)
  assert.equal(refused.code, 'IPC_FORBIDDEN')
})

test('quitting closes the router first, then quits', async () => {
  let quit = false
  electron.app.once('quit', () => (quit = true))
  electron.app.quit()
  for (let i = 0; i < 100 && !quit; i += 1) await settle()
  assert.ok(quit, 'the app did not quit after closing the router')
  assert.equal(electron.app.exitCode, undefined)
})
