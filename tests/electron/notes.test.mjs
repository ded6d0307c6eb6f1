// The notes example's Electron main side in Node.js: the real notes addon
// (notes-core's handlers), the committed generated glue, preload and
// renderer API, over the stand-in `electron`. A thousand concurrent calls
// must not block the JavaScript thread: its event-loop delay is measured
// while they run.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { after, before, test } from 'node:test'

import { electron, load, rendererApi, settle } from './harness.mjs'

const ORIGIN = 'app://notes'
const dataDir = mkdtempSync(join(tmpdir(), 'notes-electron-'))
let bundle
let router
let ipc

before(async () => {
  bundle = await load('notes')
  electron.resetIpcMain()
  router = bundle.addon.open({ dataDir }, (envelope, target) => ipc.emit(envelope, target))
  ipc = bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN] })
})

after(async () => {
  ipc.dispose()
  await router.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function notesWindow() {
  const webContents = new electron.WebContents(ORIGIN)
  ipc.attach(webContents, { role: 'notes' })
  return { webContents, api: rendererApi(bundle, webContents) }
}

test('open() without its options is a clear error', () => {
  assert.throws(() => bundle.addon.open({}, () => {}), /dataDir/)
})

test('save, get and list through the glue; a change reaches every window', async () => {
  const first = notesWindow()
  const second = notesWindow()
  const changes = []
  second.api.notes.onChanged((change) => changes.push(change))
  const saved = await first.api.notes.save({ title: 'Groceries', body: 'milk' })
  assert.equal(saved.title, 'Groceries')
  assert.deepEqual(await first.api.notes.get({ id: saved.id }), saved)
  assert.ok((await second.api.notes.list()).some((summary) => summary.id === saved.id))
  await settle()
  assert.deepEqual(changes, [{ id: saved.id, kind: 'created', note: saved }])
  // Text that is not ASCII, in a reply and in an event, arrives as it was sent.
  const accented = await first.api.notes.save({ title: 'Café ✓ \u{1F600}', body: 'crème brûlée' })
  assert.deepEqual([accented.title, accented.body], ['Café ✓ \u{1F600}', 'crème brûlée'])
  await settle()
  assert.deepEqual(changes.at(-1), { id: accented.id, kind: 'created', note: accented })
})

test('a validation error carries its path; a typed error its code, status and details', async () => {
  const { api } = notesWindow()
  const invalid = await api.notes.save({ title: 'x', body: '', tags: ['ok', ''] }).catch((error) => error)
  assert.equal(invalid.name, 'IPCValidationError')
  assert.deepEqual(invalid.issues.map((issue) => issue.path), [['tags', 1]])
  const missing = await api.notes.get({ id: 424242 }).catch((error) => error)
  assert.equal(missing.code, 'NOT_FOUND')
  assert.equal(missing.statusCode, 404)
  assert.deepEqual(missing.details, { id: 424242 })
  assert.equal(missing.message, 'Note 424242 does not exist')
})

test('a thousand concurrent calls do not block the JavaScript thread', async () => {
  const { api } = notesWindow()
  const saved = await api.notes.save({ title: 'concurrent', body: 'x'.repeat(2000) })
  const delay = monitorEventLoopDelay({ resolution: 5 })
  let ticks = 0
  const ticker = setInterval(() => {
    ticks += 1
  }, 2)
  delay.enable()
  const started = performance.now()
  const calls = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? api.notes.get({ id: saved.id }) : api.notes.list()))
  const replies = await Promise.all(calls)
  const elapsed = performance.now() - started
  delay.disable()
  clearInterval(ticker)
  assert.equal(replies.length, 1000)
  assert.deepEqual(replies[0], saved)
  assert.ok(replies[1].some((summary) => summary.id === saved.id))
  // The handlers ran on the router's runtime: while the calls were in
  // flight the JavaScript thread kept turning (its timer fired) and its
  // 99th-percentile turn stayed short.
  const p99 = delay.percentile(99) / 1e6
  const report = `${ticks} timer ticks, event-loop delay p99 ${p99.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms over ${elapsed.toFixed(0)} ms`
  assert.ok(ticks >= 1, report)
  assert.ok(p99 < 200, report)
})
