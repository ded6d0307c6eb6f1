// Runs the generated Electron files of the notes example against the
// stand-in `electron` module (tests/electron/stand-in-electron.cjs, see
// electron_runtime.rs): the preload's bundle is loaded as CommonJS, in the
// stand-in's `page`, the renderer side as ESM over what the preload exposed.
// The main side is the stand-in's ipcMain, with the handlers each test sets.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const electron = require('electron')
require('./preload.cjs')

const exposed = electron.exposed.get('api')
globalThis.window = { api: exposed }
const ipc = await import('./renderer.mjs')
const { api } = ipc

const note = { id: 1, title: 'T', body: 'B', updatedAtMs: 5 }

/** What reached ipcMain: `{ method, channel, envelope }` per message, the envelope parsed from its JSON text. */
const calls = []

/** Forgets the recorded messages and the handlers. */
function reset() {
  calls.length = 0
  electron.resetIpcMain()
  for (const channel of ['telemetry:track']) {
    electron.ipcMain.on(channel, (_event, text) => calls.push({ method: 'send', channel, envelope: parseText(text) }))
  }
}

/** Messages travel as JSON text; anything else is recorded as it came. */
function parseText(text) {
  assert.equal(typeof text, 'string', 'the preload sends JSON text')
  return JSON.parse(text)
}

/**
 * Answers invokes of `channel` with the JSON text of `reply(envelope)`, or
 * with `reply(envelope)` itself when `raw`.
 */
function handle(channel, reply, { raw = false } = {}) {
  electron.ipcMain.removeHandler(channel)
  electron.ipcMain.handle(channel, async (_event, text) => {
    const envelope = parseText(text)
    calls.push({ method: 'invoke', channel, envelope })
    const answer = await reply(envelope)
    return raw ? answer : JSON.stringify(answer)
  })
}

/** Lets the stand-in deliver what it queued (it sends on the next turn, as Electron does). */
const delivered = () => new Promise((resolve) => setImmediate(resolve))

/** Sends an event from main to the page, as the JSON text main sends (`raw`: as it is). */
function emit(channel, message, { raw = false } = {}) {
  electron.page.send(channel, raw ? message : JSON.stringify(message))
}

test('the preload exposes one function per channel and nothing else', () => {
  assert.deepEqual([...electron.exposed.keys()], ['api'])
  assert.deepEqual(Object.keys(exposed), ['invoke', 'send', 'subscribe'])
  assert.deepEqual(Object.keys(exposed.invoke), ['notes:delete', 'notes:get', 'notes:list', 'notes:save'])
  assert.deepEqual(Object.keys(exposed.send), ['telemetry:track'])
  assert.deepEqual(Object.keys(exposed.subscribe), ['notes:changed'])
  for (const table of Object.values(exposed)) {
    for (const value of Object.values(table)) assert.equal(typeof value, 'function')
  }
  assert.ok(Object.isFrozen(api) && Object.isFrozen(api.notes))
})

test('an invoke sends the request envelope and resolves with the data', async () => {
  reset()
  handle('notes:save', (envelope) => ({ id: envelope.id, ok: true, data: note }))
  assert.deepEqual(await api.notes.save({ title: 'T', body: 'B' }), note)
  const [call] = calls
  assert.equal(call.method, 'invoke')
  assert.equal(call.channel, 'notes:save')
  assert.deepEqual(Object.keys(call.envelope), ['v', 'id', 'kind', 'channel', 'payload'])
  assert.equal(call.envelope.v, 1)
  assert.equal(call.envelope.kind, 'invoke')
  assert.equal(call.envelope.channel, 'notes:save')
  assert.equal(typeof call.envelope.id, 'number')
  assert.deepEqual(call.envelope.payload, { title: 'T', body: 'B' })
})

test('an empty request may be left out', async () => {
  reset()
  handle('notes:list', (envelope) => ({ id: envelope.id, ok: true, data: [] }))
  assert.deepEqual(await api.notes.list(), [])
  assert.deepEqual(calls[0].envelope.payload, {})
})

test('typed errors are rebuilt in the renderer world with code and details', async () => {
  reset()
  handle('notes:save', (envelope) => ({
    id: envelope.id,
    ok: false,
    error: {
      name: 'IPCHandlerError',
      message: 'Conflict',
      code: 'CONFLICT',
      statusCode: 409,
      details: { id: 1, current_updated_at_ms: 7 },
    },
  }))
  const error = await api.notes.save({ title: 'T', body: 'B' }).then(
    () => assert.fail('resolved'),
    (e) => e,
  )
  assert.ok(error instanceof ipc.IPCHandlerError)
  assert.ok(ipc.isNotesSaveError(error))
  assert.ok(!ipc.isNotesSaveError(new ipc.IPCHandlerError('x', { code: 'IPC_UNKNOWN_CHANNEL' })))
  assert.equal(error.code, 'CONFLICT')
  assert.equal(error.statusCode, 409)
  assert.deepEqual(error.details, { id: 1, current_updated_at_ms: 7 })
})

test('a send sends the send envelope', async () => {
  reset()
  api.telemetry.track({ type: 'pageViewed', page: 'home' })
  await delivered()
  assert.deepEqual(calls, [
    {
      method: 'send',
      channel: 'telemetry:track',
      envelope: { v: 1, kind: 'send', channel: 'telemetry:track', payload: { type: 'pageViewed', page: 'home' } },
    },
  ])
})

test('events reach listeners until they unsubscribe, which removes the ipcRenderer listener', async () => {
  reset()
  const seen = []
  const off = api.notes.onChanged((payload) => seen.push(payload))
  assert.equal(electron.ipcRenderer.listenerCount('notes:changed'), 1)
  const change = { id: 1, kind: 'updated', note }
  emit('notes:changed', { v: 1, kind: 'event', channel: 'notes:changed', payload: change })
  emit('notes:changed', { v: 1, kind: 'send', channel: 'notes:changed', payload: 'wrong kind' })
  emit('notes:changed', { v: 1, kind: 'event', channel: 'other', payload: 'wrong channel' })
  emit('notes:changed', { v: 2, kind: 'event', channel: 'notes:changed', payload: 'wrong version' })
  emit('notes:changed', 'not JSON', { raw: true })
  emit('notes:changed', { v: 1, kind: 'event', channel: 'notes:changed', payload: 'not text' }, { raw: true })
  await delivered()
  assert.deepEqual(seen, [change])
  off()
  off()
  assert.equal(electron.ipcRenderer.listenerCount('notes:changed'), 0)
  emit('notes:changed', { v: 1, kind: 'event', channel: 'notes:changed', payload: change })
  await delivered()
  assert.equal(seen.length, 1)
})

test('a throwing listener does not stop the others', async () => {
  reset()
  const seen = []
  const reported = []
  const original = globalThis.queueMicrotask
  globalThis.queueMicrotask = (task) => {
    try {
      task()
    } catch (error) {
      reported.push(error.message)
    }
  }
  try {
    const offA = api.notes.onChanged(() => {
      throw new Error('listener failed')
    })
    const offB = api.notes.onChanged((payload) => seen.push(payload))
    emit('notes:changed', { v: 1, kind: 'event', channel: 'notes:changed', payload: 1 })
    await delivered()
    offA()
    offB()
  } finally {
    globalThis.queueMicrotask = original
  }
  assert.deepEqual(seen, [1])
  assert.deepEqual(reported, ['listener failed'])
})

test('timeouts, aborts and failed calls reject with IPCTransportError', async () => {
  reset()
  handle('notes:get', () => new Promise(() => {}))
  await assert.rejects(api.notes.get({ id: 1 }, { timeoutMs: 10 }), { name: 'IPCTransportError', code: 'IPC_TIMEOUT' })
  const controller = new AbortController()
  const pending = api.notes.get({ id: 1 }, { signal: controller.signal })
  controller.abort()
  await assert.rejects(pending, { name: 'IPCTransportError', code: 'IPC_ABORTED' })
  const before = calls.length
  await assert.rejects(api.notes.get({ id: 1 }, { signal: AbortSignal.abort() }), { code: 'IPC_ABORTED' })
  assert.equal(calls.length, before, 'an aborted signal sends nothing')
  handle('notes:get', () => {
    throw new Error("No handler registered for 'notes:get'")
  })
  await assert.rejects(api.notes.get({ id: 1 }), { name: 'IPCTransportError', code: 'IPC_PROTOCOL_ERROR' })
  handle('notes:get', () => ({ nonsense: true }))
  await assert.rejects(api.notes.get({ id: 1 }), { name: 'IPCTransportError', code: 'IPC_PROTOCOL_ERROR' })
  // A reply that is not JSON text is refused by the preload, whatever it holds.
  handle('notes:get', (envelope) => ({ id: envelope.id, ok: true, data: note }), { raw: true })
  await assert.rejects(api.notes.get({ id: 1 }), { name: 'IPCTransportError', code: 'IPC_PROTOCOL_ERROR' })
  handle('notes:get', () => '{"id": 1, "ok": tru', { raw: true })
  await assert.rejects(api.notes.get({ id: 1 }), { name: 'IPCTransportError', code: 'IPC_PROTOCOL_ERROR' })
})

test('a payload JSON cannot carry fails in the renderer and sends nothing', async () => {
  reset()
  handle('notes:get', (envelope) => ({ id: envelope.id, ok: true, data: note }))
  await assert.rejects(api.notes.get({ id: 1n }), (error) => {
    assert.equal(error.name, 'IPCTransportError')
    assert.equal(error.code, 'IPC_PROTOCOL_ERROR')
    assert.match(error.message, /notes:get cannot be serialized as JSON/)
    return true
  })
  const cycle = { type: 'pageViewed' }
  cycle.self = cycle
  assert.throws(() => api.telemetry.track(cycle), { name: 'IPCTransportError', code: 'IPC_PROTOCOL_ERROR' })
  await delivered()
  assert.deepEqual(calls, [])
})

test('without the preload every call fails with IPC_NOT_CONNECTED', async () => {
  const offline = ipc.createApi(ipc.electronTransport(() => undefined))
  await assert.rejects(offline.notes.get({ id: 1 }), { name: 'IPCTransportError', code: 'IPC_NOT_CONNECTED' })
  assert.throws(() => offline.telemetry.track({ type: 'pageViewed', page: 'x' }), { code: 'IPC_NOT_CONNECTED' })
  assert.throws(() => offline.notes.onChanged(() => {}), { code: 'IPC_NOT_CONNECTED' })
})
