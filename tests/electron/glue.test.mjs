// The generated main-side glue (main.electron.ts of the probe contracts)
// over the real probe addon, driven through the stand-in `electron`: the
// sender checks, the caller identity, events to one window and to a role,
// a handler panic, a window that goes away mid-call, and close().
import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { after, before, test } from 'node:test'

import { electron, jsonText, load, rendererApi, settle } from './harness.mjs'

const ORIGIN = 'app://probe'
let bundle
let router
let ipc
const refusals = []
const sendFailures = []
/** Every caller the glue had the addon convert (`router.caller`). */
const conversions = []
/** The addon as the glue sees it, counting the callers it converts. */
let counted
/** The request of the glue's last dispatch, as the glue passed it. */
let lastRequest
/** The channel of the glue's last dispatch, as the glue passed it (a name or an id). */
let lastChannel
/** From this length on, messages cross Electron's IPC as UTF-8 bytes (read from the generated preload). */
let bytesFrom

before(async () => {
  bundle = await load('probe')
  bytesFrom = bundle.bytesFrom
  router = bundle.addon.open({}, (envelope, target) => ipc.emit(envelope, target))
  counted = {
    dispatch: (request, caller, channel) => {
      lastRequest = request
      lastChannel = channel
      return router.dispatch(request, caller, channel)
    },
    disconnect: (id) => router.disconnect(id),
    channelId: (channel) => router.channelId(channel),
    channels: () => router.channels(),
    caller: (caller) => {
      conversions.push(caller)
      return router.caller(caller)
    },
  }
  ipc = registerSuiteIpc()
})

/** The glue most tests use: over the counting router, refusals and failed sends recorded. */
function registerSuiteIpc() {
  return bundle.glue.registerMainIpc({
    router: counted,
    allowedOrigins: [ORIGIN, 'http://localhost:5173'],
    onRefused: (refusal) => refusals.push(refusal),
    onSendFailed: (channel, reply) => sendFailures.push({ channel, reply }),
  })
}

after(async () => {
  ipc.dispose()
  await router.close()
})

function attachedWindow(role, origin = ORIGIN, windowId = undefined) {
  const webContents = new electron.WebContents(origin)
  ipc.attach(webContents, windowId === undefined ? { role } : { role, windowId })
  return webContents
}

test('exactly one ipcMain.handle per invoke channel and one ipcMain.on per send channel', () => {
  assert.deepEqual(electron.ipcMain.handledChannels().sort(), [...bundle.glue.INVOKE_CHANNELS].sort())
  assert.deepEqual(electron.ipcMain.eventNames().sort(), ['probe:note'])
  assert.equal(electron.ipcMain.listenerCount('probe:note'), 1)
  assert.deepEqual(bundle.glue.INVOKE_CHANNELS, ['probe:echo', 'probe:panic', 'probe:ping', 'probe:save', 'probe:sleep', 'probe:stats', 'probe:whoami'])
  // A second registration is refused by ipcMain, as Electron does.
  assert.throws(() => bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN] }), /second handler/)
})

test('a typed call, a validation error with its path and a typed error', async () => {
  const api = rendererApi(bundle, attachedWindow('main'))
  assert.equal(await api.probe.echo({ text: 'hello' }), 'hello')

  const invalid = await api.probe.echo({ text: '' }).catch((error) => error)
  assert.equal(invalid.name, 'IPCValidationError')
  assert.equal(invalid.field, 'request')
  assert.deepEqual(invalid.issues.map((issue) => issue.path), [['text']])

  const typed = await api.probe.echo({ text: 'refuse' }).catch((error) => error)
  assert.equal(typed.name, 'IPCHandlerError')
  assert.equal(typed.code, 'REFUSED')
  assert.equal(typed.statusCode, 409)
  assert.deepEqual(typed.details, { reason: 'asked to' })
})

test('the caller is the sender: webContents id, window, role, canonical origin and frame', async () => {
  const settings = attachedWindow('settings', 'HTTP://LOCALHOST:5173', 7)
  const api = rendererApi(bundle, settings)
  const frame = settings.mainFrame
  assert.deepEqual(await api.probe.whoami(), {
    connectionId: settings.id,
    windowId: 7,
    role: 'settings',
    origin: 'http://localhost:5173',
    frame: { processId: frame.processId, routingId: frame.routingId, mainFrame: true },
  })
  const main = attachedWindow('main')
  assert.deepEqual(await rendererApi(bundle, main).probe.whoami(), {
    connectionId: main.id,
    windowId: null,
    role: 'main',
    origin: ORIGIN,
    frame: { processId: main.mainFrame.processId, routingId: main.mainFrame.routingId, mainFrame: true },
  })
  // After a navigation the main frame is a new WebFrameMain, with its own routing id.
  main.navigate(ORIGIN)
  const reloaded = await rendererApi(bundle, main).probe.whoami()
  assert.equal(reloaded.frame.routingId, main.mainFrame.routingId)
  assert.notEqual(reloaded.frame.routingId, frame.routingId)
})

test('a served channel is dispatched by its id, and by its name from a router without ids; the addon refuses ids and names it does not serve', async () => {
  const channels = router.channels()
  assert.deepEqual(channels, [...channels].sort())
  for (const [index, channel] of channels.entries()) assert.equal(router.channelId(channel), index)
  assert.throws(() => router.channelId('probe:nope'), /serves no channel "probe:nope"/)
  const webContents = attachedWindow('main')
  assert.equal(await rendererApi(bundle, webContents).probe.echo({ text: 'by id' }), 'by id')
  assert.equal(lastChannel, router.channelId('probe:echo'))

  const caller = { connectionId: 95, role: 'main', origin: ORIGIN }
  const echo = JSON.stringify({ v: 1, id: 8, kind: 'invoke', channel: 'probe:echo', payload: { text: 'hi' } })
  assert.equal(JSON.parse(await router.dispatch(echo, caller, router.channelId('probe:echo'))).data, 'hi')
  // An id is the channel it names: an envelope of another is refused.
  const refused = JSON.parse(await router.dispatch(echo, caller, router.channelId('probe:ping')))
  assert.equal(refused.error.code, 'IPC_FORBIDDEN')
  assert.throws(() => router.dispatch(echo, caller, channels.length), /no channel has the id/)
  // A name the router does not serve is kept, and the envelope's channel then differs from it.
  assert.equal(JSON.parse(await router.dispatch(echo, caller, 'probe:nope')).error.code, 'IPC_FORBIDDEN')

  electron.resetIpcMain()
  const dispatched = []
  const byName = bundle.glue.registerMainIpc({
    router: { dispatch: (request, caller, channel) => (dispatched.push(channel), router.dispatch(request, caller, channel)) },
    allowedOrigins: [ORIGIN],
  })
  try {
    const named = new electron.WebContents(ORIGIN)
    byName.attach(named, { role: 'main' })
    assert.equal(await rendererApi(bundle, named).probe.echo({ text: 'by name' }), 'by name')
    assert.deepEqual(dispatched, ['probe:echo'])
  } finally {
    byName.dispose()
    electron.resetIpcMain()
    ipc = registerSuiteIpc()
  }
})

test('with allowSubframes, a handler tells a subframe from its main frame', async () => {
  electron.resetIpcMain()
  const framed = bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN], allowSubframes: true })
  try {
    const webContents = new electron.WebContents(ORIGIN)
    framed.attach(webContents, { role: 'main' })
    const first = webContents.subframe(ORIGIN)
    const second = webContents.subframe(ORIGIN)
    const seen = await Promise.all([
      rendererApi(bundle, webContents).probe.whoami(),
      rendererApi(bundle, webContents, first).probe.whoami(),
      rendererApi(bundle, webContents, second).probe.whoami(),
    ])
    assert.deepEqual(
      seen.map((caller) => caller.frame),
      [webContents.mainFrame, first, second].map((frame) => ({ processId: frame.processId, routingId: frame.routingId, mainFrame: frame === webContents.mainFrame })),
    )
    // One window, one connection: the frame is what tells them apart.
    assert.deepEqual(new Set(seen.map((caller) => caller.connectionId)), new Set([webContents.id]))
    assert.equal(new Set(seen.map((caller) => caller.frame.routingId)).size, 3)
    // A subframe from a foreign origin is still refused.
    const foreign = await rendererApi(bundle, webContents, webContents.subframe('https://ads.example')).probe.whoami().catch((error) => error)
    assert.equal(foreign.code, 'IPC_FORBIDDEN')
  } finally {
    framed.dispose()
    electron.resetIpcMain()
    ipc = registerSuiteIpc()
  }
})

test("a frame's caller is converted once, and again when its window's role, its origin or its ids change", async () => {
  const webContents = attachedWindow('main')
  const frame = webContents.mainFrame
  const api = rendererApi(bundle, webContents)
  conversions.length = 0
  const first = await api.probe.whoami()
  assert.deepEqual(await api.probe.whoami(), first)
  assert.equal(await api.probe.echo({ text: 'same caller' }), 'same caller')
  assert.equal(conversions.length, 1)
  // The checks still run on every call: the same frame object with a
  // foreign origin (Electron may rebind a WebFrameMain) is refused.
  frame.origin = 'https://evil.example'
  assert.equal((await api.probe.whoami().catch((error) => error)).code, 'IPC_FORBIDDEN')
  frame.origin = ORIGIN
  assert.deepEqual(await api.probe.whoami(), first)
  assert.equal(conversions.length, 1)
  frame.origin = 'http://localhost:5173'
  assert.equal((await api.probe.whoami()).origin, 'http://localhost:5173')
  assert.equal(conversions.length, 2)
  frame.routingId += 1000
  assert.equal((await api.probe.whoami()).frame.routingId, frame.routingId)
  assert.equal(conversions.length, 3)
  ipc.attach(webContents, { role: 'settings', windowId: 3 })
  const reattached = await api.probe.whoami()
  assert.equal(reattached.role, 'settings')
  assert.equal(reattached.windowId, 3)
  assert.equal(conversions.length, 4)
})

test('a caller handle from the addon reaches the handler as its object would', async () => {
  const caller = { connectionId: 97, windowId: 2, role: 'main', origin: ORIGIN, frame: { processId: 5, routingId: 8, mainFrame: true } }
  const handle = router.caller(caller)
  const request = JSON.stringify({ v: 1, id: 1, kind: 'invoke', channel: 'probe:whoami', payload: {} })
  const byHandle = JSON.parse(await router.dispatch(request, handle, 'probe:whoami'))
  assert.deepEqual(byHandle.data, caller)
  assert.deepEqual(JSON.parse(await router.dispatch(request, handle)).data, caller)
  assert.deepEqual(JSON.parse(await router.dispatch(request, caller)).data, caller)
  // Neither a handle nor a caller object: a TypeError, and the addon serves on.
  assert.throws(() => router.dispatch(request, { notACaller: true }))
  assert.throws(() => router.caller({ connectionId: 1 }))
  assert.deepEqual(JSON.parse(await router.dispatch(request, handle)).data, caller)
})

test('request text crosses N-API as JavaScript had it, bytes as they are, and the reply as text', async () => {
  const caller = { connectionId: 96, role: 'main', origin: ORIGIN }
  // Written unescaped into the envelope, as a hand-made request could be; a lone surrogate reads as U+FFFD.
  for (const text of ['plain', 'ünïcødé ✓', '\u{1F600}€', 'a\uD800b', '\uDC00', 'x'.repeat(100)]) {
    const request = `{"v":1,"id":4,"kind":"invoke","channel":"probe:echo","payload":{"text":"${text}"}}`
    for (const [how, sent] of [['inline', 'probe:echo'], ['on the runtime', undefined]]) {
      const reply = await router.dispatch(request, caller, sent)
      assert.equal(typeof reply, 'string')
      assert.deepEqual(JSON.parse(reply), { id: 4, ok: true, data: text.toWellFormed() }, `${JSON.stringify(text)} ${how}`)
    }
    const bytes = new TextEncoder().encode(request)
    assert.equal(JSON.parse(await router.dispatch(bytes, caller, 'probe:echo')).data, text.toWellFormed())
  }
  // Bytes that are not UTF-8 are refused, and the refusal is text like every other reply.
  const encoder = new TextEncoder()
  const broken = Uint8Array.from([...encoder.encode('{"v":1,"id":5,"kind":"invoke","channel":"probe:echo","payload":{"text":"'), 0xff, ...encoder.encode('"}}')])
  const refusal = await router.dispatch(broken, caller, 'probe:echo')
  assert.equal(typeof refusal, 'string')
  const refused = JSON.parse(refusal)
  assert.equal(refused.ok, false, refusal)
  assert.equal(refused.error.code, 'IPC_MALFORMED_REQUEST', refusal)
})

test('request text of mostly non-ASCII characters, longer in UTF-8 than first reserved for it, is read whole', async () => {
  const caller = { connectionId: 96, role: 'main', origin: ORIGIN }
  // Two, three and four bytes of UTF-8 a character, in runs that end on
  // either side of the room reserved for mostly-ASCII text.
  const texts = [...Array.from({ length: 48 }, (_, count) => 'é'.repeat(count)), '✓'.repeat(300), '\u{1F600}'.repeat(150), 'a✓'.repeat(2000)]
  for (const text of texts) {
    const request = `{"v":1,"id":6,"kind":"invoke","channel":"probe:save","payload":{"title":"t","body":"${text}","tags":[]}}`
    const reply = JSON.parse(jsonText(await router.dispatch(request, caller, 'probe:save')))
    assert.deepEqual(reply, { id: 6, ok: true, data: { title: 't', body: text, tags: [] } }, `${text.length} units of ${JSON.stringify(text.slice(0, 2))}`)
  }
})

test('a reply of BYTES_FROM bytes or more is its UTF-8 in a Uint8Array, a shorter one a string, inline and on the runtime', async () => {
  const caller = { connectionId: 96, role: 'main', origin: ORIGIN }
  const request = (body) => JSON.stringify({ v: 1, id: 7, kind: 'invoke', channel: 'probe:save', payload: { title: 't', body, tags: [] } })
  const specials = 'é✓\u{1F600}' // two, three and four bytes of UTF-8
  const overhead = (await router.dispatch(request(''), caller, 'probe:save')).length
  for (const length of [bytesFrom - 1, bytesFrom, bytesFrom + 1]) {
    const body = specials + 'x'.repeat(length - overhead - new TextEncoder().encode(specials).length)
    for (const [how, sent] of [['inline', 'probe:save'], ['on the runtime', undefined]]) {
      const reply = await router.dispatch(request(body), caller, sent)
      const expected = JSON.stringify({ id: 7, ok: true, data: { title: 't', body, tags: [] } })
      assert.equal(new TextEncoder().encode(expected).length, length)
      if (length < bytesFrom) {
        assert.equal(typeof reply, 'string', `${length} bytes ${how}`)
        assert.equal(reply, expected)
      } else {
        assert.ok(reply instanceof Uint8Array && !(reply instanceof Buffer), `${length} bytes ${how}: a plain Uint8Array`)
        assert.equal(reply.byteLength, length)
        assert.equal(jsonText(reply), expected)
      }
    }
  }
})

test('the preload sends a request of BYTES_FROM units or more as UTF-8 bytes, the glue passes them on, and the reply comes back whole', async () => {
  const api = rendererApi(bundle, attachedWindow('main'))
  const small = { title: 'small', body: 'ü'.repeat(100), tags: ['a'] }
  assert.deepEqual(await api.probe.save(small), small)
  assert.equal(typeof lastRequest, 'string')
  const large = { title: 'large', body: 'ü\u{1F600}'.repeat(bytesFrom), tags: ['a'] }
  assert.deepEqual(await api.probe.save(large), large)
  assert.ok(lastRequest instanceof Uint8Array)
  assert.deepEqual(JSON.parse(jsonText(lastRequest)).payload, large)
  // A validation error of a large request keeps its path.
  const failure = await api.probe.save({ ...large, title: '' }).catch((error) => error)
  assert.equal(failure.code, 'IPC_VALIDATION_ERROR')
  assert.deepEqual(failure.issues.map((issue) => issue.path), [['title']])
  // A large send too; an invalid one is reported with the router's reply.
  sendFailures.length = 0
  api.probe.note({ text: 'n'.repeat(bytesFrom) })
  await settle()
  assert.ok(lastRequest instanceof Uint8Array)
  assert.deepEqual(sendFailures.map((failed) => [failed.channel, failed.reply.error.code]), [['probe:note', 'IPC_VALIDATION_ERROR']])
})

test('a request as bytes is checked like text: its sender, its channel, its UTF-8, and its id in the glue\'s own replies', async () => {
  const encoder = new TextEncoder()
  const envelope = (id, channel, payload) => encoder.encode(JSON.stringify({ v: 1, id, kind: 'invoke', channel, payload }))
  const eventOf = (webContents) => ({ type: 'frame', sender: webContents, senderFrame: webContents.mainFrame, processId: 4, frameId: webContents.mainFrame.routingId })
  const invoke = async (webContents, message) => {
    const reply = await electron.ipcMain.invokeFromRenderer('probe:echo', eventOf(webContents), [message])
    return JSON.parse(jsonText(reply))
  }
  const trusted = attachedWindow('main')
  assert.deepEqual(await invoke(trusted, envelope(1, 'probe:echo', { text: 'bytes' })), { id: 1, ok: true, data: 'bytes' })
  const evil = attachedWindow('main', 'https://evil.example')
  const foreign = await invoke(evil, envelope('req-2', 'probe:echo', { text: 'a' }))
  assert.deepEqual([foreign.id, foreign.error.code], ['req-2', 'IPC_FORBIDDEN'])
  // The glue's own replies take no id from bytes the router would refuse: not UTF-8, or behind a byte order mark.
  const badId = Uint8Array.from([...encoder.encode('{"v":1,"id":"a'), 0xff, ...encoder.encode('","kind":"invoke","channel":"probe:echo","payload":{"text":"a"}}')])
  const withBom = Uint8Array.from([0xef, 0xbb, 0xbf, ...envelope('req-3', 'probe:echo', { text: 'a' })])
  for (const refused of [badId, withBom]) {
    const reply = await invoke(evil, refused)
    assert.deepEqual([reply.id, reply.error.code], [null, 'IPC_FORBIDDEN'])
  }
  assert.equal((await invoke(trusted, withBom)).error.code, 'IPC_MALFORMED_REQUEST')
  const wrongChannel = await invoke(trusted, envelope(3, 'probe:panic', {}))
  assert.deepEqual([wrongChannel.id, wrongChannel.error.code], [3, 'IPC_FORBIDDEN'])
  const broken = Uint8Array.from([...envelope(4, 'probe:echo', { text: 'a' }).subarray(0, 60), 0xc3, 0x28, ...encoder.encode('"}}')])
  assert.equal((await invoke(trusted, broken)).error.code, 'IPC_MALFORMED_REQUEST')
  // Other binary forms are not the preload's: refused as data.
  for (const other of [new Uint16Array(4), encoder.encode('{}').buffer]) {
    assert.equal((await invoke(trusted, other)).error.code, 'IPC_MALFORMED_REQUEST')
  }
})

test('a request text over the size limit is IPC_PAYLOAD_TOO_LARGE with its id and size, whatever its characters; one of exactly the limit is read whole', async () => {
  const caller = { connectionId: 96, role: 'main', origin: ORIGIN }
  const limit = 8 * 1024 * 1024 // the probe router's: RouterConfig's default
  const head = '{"v":1,"id":61,"kind":"invoke","channel":"probe:echo","payload":{"text":"'
  const tail = '"}}'
  // `bytes` of UTF-8 in all, of `character` (its UTF-8 `width`) and ASCII to make up the rest.
  const sized = (bytes, character, width) => {
    const room = bytes - head.length - tail.length
    return `${head}${character.repeat(Math.floor(room / width))}${'x'.repeat(room % width)}${tail}`
  }
  for (const [character, width] of [['x', 1], ['é', 2], ['€', 3], ['\u{1F600}', 4]]) {
    const over = JSON.parse(await router.dispatch(sized(limit + 1, character, width), caller))
    assert.deepEqual([over.id, over.error.code], [61, 'IPC_PAYLOAD_TOO_LARGE'], `${character} over the limit`)
    assert.equal(over.error.message, `The request is ${limit + 1} bytes; the limit is ${limit} bytes`)
    // Read whole, so the contract's own check answers (the text is longer than 100).
    const exact = JSON.parse(await router.dispatch(sized(limit, character, width), caller))
    assert.deepEqual([exact.id, exact.error.code], [61, 'IPC_VALIDATION_ERROR'], `${character} at the limit`)
  }
})

test('a caller given to dispatch without a frame reaches the handler with none', async () => {
  const caller = { connectionId: 98, role: 'main', origin: ORIGIN }
  const reply = JSON.parse(await router.dispatch(JSON.stringify({ v: 1, id: 1, kind: 'invoke', channel: 'probe:whoami', payload: {} }), caller))
  assert.deepEqual(reply.data, { connectionId: 98, windowId: null, role: 'main', origin: ORIGIN, frame: null })
  const framed = { ...caller, frame: { processId: 5, routingId: 9, mainFrame: false } }
  const seen = JSON.parse(await router.dispatch(JSON.stringify({ v: 1, id: 2, kind: 'invoke', channel: 'probe:whoami', payload: {} }), framed))
  assert.deepEqual(seen.data.frame, { processId: 5, routingId: 9, mainFrame: false })
  // A frame that is not { processId, routingId, mainFrame } is a TypeError, not a guess.
  assert.throws(() => router.dispatch('{}', { ...caller, frame: { processId: 5 } }))
})

test('a request is served only on the channel its envelope names', async () => {
  const caller = { connectionId: 97, role: 'main', origin: ORIGIN }
  const echo = JSON.stringify({ v: 1, id: 3, kind: 'invoke', channel: 'probe:echo', payload: { text: 'a' } })
  // On its own channel: inline (echo) and on the runtime (stats, and any call given no channel).
  assert.equal(JSON.parse(await router.dispatch(echo, caller, 'probe:echo')).data, 'a')
  assert.equal(JSON.parse(await router.dispatch(echo, caller)).data, 'a')
  const stats = JSON.stringify({ v: 1, id: 4, kind: 'invoke', channel: 'probe:stats', payload: {} })
  assert.equal(JSON.parse(await router.dispatch(stats, caller, 'probe:stats')).ok, true)
  // Given another channel, inline or not, it is refused before its payload is read.
  for (const channel of ['probe:stats', 'probe:whoami', 'probe:nope']) {
    const reply = JSON.parse(await router.dispatch(echo, caller, channel))
    assert.equal(reply.id, 3)
    assert.equal(reply.error.code, 'IPC_FORBIDDEN', channel)
  }
})

test('an inline call that completes at once is answered at once; one that waits, or runs on the runtime, with a promise', async () => {
  const caller = { connectionId: 98, role: 'main', origin: ORIGIN }
  const echo = JSON.stringify({ v: 1, id: 5, kind: 'invoke', channel: 'probe:echo', payload: { text: 'now' } })
  const answered = router.dispatch(echo, caller, 'probe:echo')
  assert.equal(typeof answered, 'string')
  assert.equal(JSON.parse(answered).data, 'now')
  // Received on another inline channel, it is refused on this thread, at once too.
  const refused = router.dispatch(echo, caller, 'probe:save')
  assert.equal(typeof refused, 'string')
  assert.equal(JSON.parse(refused).error.code, 'IPC_FORBIDDEN')
  // Given no channel, the call runs on the runtime.
  const onRuntime = router.dispatch(echo, caller)
  assert.ok(onRuntime instanceof Promise)
  assert.equal(JSON.parse(await onRuntime).data, 'now')
  // sleep is inline, and pending at its first poll: it goes on on the runtime.
  const sleep = JSON.stringify({ v: 1, id: 6, kind: 'invoke', channel: 'probe:sleep', payload: { ms: 20 } })
  const waiting = router.dispatch(sleep, caller, 'probe:sleep')
  assert.ok(waiting instanceof Promise)
  assert.deepEqual(JSON.parse(await waiting), { id: 6, ok: true, data: null })
  // Through the glue, either answer reaches the renderer the same way.
  const api = rendererApi(bundle, attachedWindow('main'))
  assert.equal(await api.probe.echo({ text: 'now' }), 'now')
  assert.equal(await api.probe.sleep({ ms: 20 }), null)
})

test('open() refuses an inline channel the router does not serve', () => {
  assert.throws(() => bundle.addon.open({ inline: ['probe:nope', 'nope:missing'] }, () => {}), /inline channels the router does not serve: nope:missing, probe:nope/)
})

async function forbidden(call) {
  const error = await call.catch((failure) => failure)
  assert.equal(error.name, 'IPCHandlerError', String(error))
  assert.equal(error.code, 'IPC_FORBIDDEN')
  assert.equal(error.statusCode, 403)
  return error
}

test('a sender whose frame navigated away (senderFrame null) is refused', async () => {
  const webContents = attachedWindow('main')
  const api = rendererApi(bundle, webContents)
  webContents.navigate(ORIGIN)
  refusals.length = 0
  await forbidden(api.probe.echo({ text: 'x' }))
  assert.equal(refusals.length, 1)
  assert.match(refusals[0].reason, /frame is gone/)
  assert.equal(refusals[0].webContentsId, webContents.id)
})

test('a foreign origin is refused, and so is an origin that only starts like an allowed one', async () => {
  for (const origin of ['https://evil.example', 'app://probe.evil', 'app://probeX', 'app://probe:1', 'null']) {
    refusals.length = 0
    await forbidden(rendererApi(bundle, attachedWindow('main', origin)).probe.echo({ text: 'x' }))
    assert.match(refusals[0].reason, /origin/, origin)
  }
})

test('a subframe is refused unless subframes are allowed, even with an allowed origin', async () => {
  const webContents = attachedWindow('main')
  refusals.length = 0
  await forbidden(rendererApi(bundle, webContents, webContents.subframe(ORIGIN)).probe.echo({ text: 'x' }))
  assert.match(refusals[0].reason, /subframe/)
})

test('a webContents that was never attached, or was destroyed, is refused', async () => {
  const stranger = new electron.WebContents(ORIGIN)
  await forbidden(rendererApi(bundle, stranger).probe.echo({ text: 'x' }))
  const closed = attachedWindow('main')
  const api = rendererApi(bundle, closed)
  closed.destroy()
  await forbidden(api.probe.echo({ text: 'x' }))
  const detached = new electron.WebContents(ORIGIN)
  const detach = ipc.attach(detached, { role: 'main' })
  detach()
  await forbidden(rendererApi(bundle, detached).probe.whoami())
})

test('attach refuses a window id the addon cannot read, and attaches nothing', async () => {
  for (const windowId of [-1, 1.5, 2 ** 32, Number.NaN, '3', null]) {
    const webContents = new electron.WebContents(ORIGIN)
    assert.throws(() => ipc.attach(webContents, { role: 'main', windowId }), (error) => error instanceof TypeError && /window id/.test(error.message), String(windowId))
    await forbidden(rendererApi(bundle, webContents).probe.whoami())
  }
  // The bounds themselves are valid ids.
  for (const windowId of [0, 2 ** 32 - 1]) {
    const webContents = attachedWindow('main', ORIGIN, windowId)
    assert.equal((await rendererApi(bundle, webContents).probe.whoami()).windowId, windowId)
  }
})

test('attaching a window again changes its role and keeps its calls', async () => {
  const webContents = new electron.WebContents(ORIGIN)
  const detachFirst = ipc.attach(webContents, { role: 'main' })
  const api = rendererApi(bundle, webContents)
  const pending = api.probe.sleep({ ms: 300 })
  await settle()
  ipc.attach(webContents, { role: 'settings' })
  assert.equal(await pending, null)
  assert.equal((await api.probe.whoami()).role, 'settings')
  assert.equal(webContents.listenerCount('destroyed'), 1)
  // The first attachment's detach no longer detaches the window.
  detachFirst()
  assert.equal((await api.probe.whoami()).role, 'settings')
})

test('a refused send is dropped and reported; an accepted one reaches its handler', async () => {
  const before = await rendererApi(bundle, attachedWindow('main')).probe.stats()
  const foreign = rendererApi(bundle, attachedWindow('main', 'https://evil.example'))
  refusals.length = 0
  foreign.probe.note({ text: 'x' })
  await settle()
  assert.deepEqual(refusals.map((refusal) => [refusal.channel, refusal.kind]), [['probe:note', 'send']])
  const api = rendererApi(bundle, attachedWindow('main'))
  api.probe.note({ text: 'y' })
  await settle()
  assert.equal((await api.probe.stats()).notes, before.notes + 1)
  // An invalid send is answered by the router; the glue reports it.
  sendFailures.length = 0
  api.probe.note({ text: 'z'.repeat(101) })
  await settle()
  assert.equal(sendFailures.length, 1)
  assert.equal(sendFailures[0].reply.error.code, 'IPC_VALIDATION_ERROR')
})

test('a malformed message from a trusted sender is answered as data', async () => {
  const webContents = attachedWindow('main')
  const event = (frame = webContents.mainFrame) => ({ type: 'frame', sender: webContents, senderFrame: frame, processId: 4, frameId: frame.routingId })
  const invoke = async (message) => {
    const reply = await electron.ipcMain.invokeFromRenderer('probe:echo', event(), [message])
    assert.equal(typeof reply, 'string', 'every reply is JSON text')
    return JSON.parse(reply)
  }
  const text = (envelope) => JSON.stringify(envelope)
  // An envelope naming another channel than the one it came on: the addon refuses it.
  const wrongChannel = await invoke(text({ v: 1, id: 3, kind: 'invoke', channel: 'probe:panic', payload: {} }))
  assert.equal(wrongChannel.id, 3)
  assert.equal(wrongChannel.error.code, 'IPC_FORBIDDEN')
  const extra = await invoke(text({ v: 1, id: 5, kind: 'invoke', channel: 'probe:echo', payload: { text: 'a' }, admin: true }))
  assert.equal(extra.id, 5)
  assert.equal(extra.error.code, 'IPC_MALFORMED_REQUEST')
  const notJson = await invoke('{"v": 1, "id": 6, "kind": "invoke", "channel": "probe:ec')
  assert.equal(notJson.id, null)
  assert.equal(notJson.error.code, 'IPC_MALFORMED_REQUEST')
  // A structured clone instead of text (not what the generated preload sends).
  const object = await invoke({ v: 1, id: 7, kind: 'invoke', channel: 'probe:echo', payload: { text: 'a' } })
  assert.deepEqual(object, {
    id: null,
    ok: false,
    error: { name: 'IPCHandlerError', code: 'IPC_MALFORMED_REQUEST', message: 'The request is not the JSON text of an envelope of probe:echo', statusCode: 400 },
  })
  // The text reaches the router as it came: a well-formed one is served.
  assert.deepEqual(await invoke(text({ v: 1, id: 8, kind: 'invoke', channel: 'probe:echo', payload: { text: 'as text' } })), { id: 8, ok: true, data: 'as text' })
})

test('a refused sender gets IPC_FORBIDDEN with its request id, as JSON text', async () => {
  const webContents = attachedWindow('main', 'https://evil.example')
  const event = { type: 'frame', sender: webContents, senderFrame: webContents.mainFrame, processId: 4, frameId: webContents.mainFrame.routingId }
  const request = JSON.stringify({ v: 1, id: 'req-1', kind: 'invoke', channel: 'probe:echo', payload: { text: 'a' } })
  const reply = JSON.parse(await electron.ipcMain.invokeFromRenderer('probe:echo', event, [request]))
  assert.equal(reply.id, 'req-1')
  assert.equal(reply.error.code, 'IPC_FORBIDDEN')
  assert.equal(reply.error.statusCode, 403)
})

test('events go to every window, to the windows of a role, or to one window', async () => {
  const a = attachedWindow('editor')
  const b = attachedWindow('editor')
  const c = attachedWindow('palette')
  const seen = new Map([[a, []], [b, []], [c, []]])
  for (const [webContents, list] of seen) {
    rendererApi(bundle, webContents).probe.onPinged((payload) => list.push(payload.n))
  }
  const api = rendererApi(bundle, a)
  await api.probe.ping({ n: 1, role: 'editor', connection: null })
  await api.probe.ping({ n: 2, role: null, connection: c.id })
  await api.probe.ping({ n: 3, role: null, connection: null })
  await settle()
  assert.deepEqual(seen.get(a), [1, 3])
  assert.deepEqual(seen.get(b), [1, 3])
  assert.deepEqual(seen.get(c), [2, 3])
  // Only declared event channels are forwarded, and only event envelopes.
  for (const text of [
    JSON.stringify({ v: 1, kind: 'event', channel: 'probe:other', payload: {} }),
    JSON.stringify({ v: 2, kind: 'event', channel: 'probe:pinged', payload: { n: 4 } }),
    JSON.stringify({ v: 1, kind: 'invoke', channel: 'probe:pinged', payload: { n: 4 } }),
    'not JSON',
  ]) {
    assert.throws(() => ipc.emit(text), TypeError, text)
  }
  assert.throws(() => ipc.emit(42), TypeError)
  // The addon's envelopes are sent as they are, unparsed; one written in another key order is parsed, then sent.
  const addonWritten = a.received.at(-1).args[0]
  assert.match(addonWritten, /^\{"v":1,"kind":"event","channel":"probe:pinged","payload":/)
  const reordered = JSON.stringify({ channel: 'probe:pinged', payload: { n: 5 }, kind: 'event', v: 1 })
  assert.deepEqual(parsesDuring(() => ipc.emit(addonWritten, c.id)), { result: 1, parses: 0 })
  assert.deepEqual(parsesDuring(() => ipc.emit(reordered, c.id)), { result: 1, parses: 1 })
  await settle()
  assert.deepEqual(seen.get(c), [2, 3, 3, 5])
  assert.deepEqual(c.received.at(-1), { channel: 'probe:pinged', args: [reordered] })
  // A large event is handed over as UTF-8 bytes, forwarded unparsed, and read by the preload.
  const texts = []
  rendererApi(bundle, c).probe.onPinged((payload) => {
    if (payload.text !== undefined) texts.push(payload.text)
  })
  const large = '\u{1F600}'.repeat(bytesFrom / 4)
  await api.probe.ping({ n: 6, role: null, connection: c.id, text: large })
  await settle()
  const bytes = c.received.at(-1).args[0]
  assert.ok(bytes instanceof Uint8Array)
  assert.deepEqual(texts, [large])
  assert.deepEqual(parsesDuring(() => ipc.emit(bytes, c.id)), { result: 1, parses: 0 })
  const reorderedBytes = new TextEncoder().encode(JSON.stringify({ channel: 'probe:pinged', payload: { n: 7 }, kind: 'event', v: 1 }))
  assert.deepEqual(parsesDuring(() => ipc.emit(reorderedBytes, c.id)), { result: 1, parses: 1 })
  for (const refused of ['probe:other', 'probe:pinged\u0000']) {
    assert.throws(() => ipc.emit(new TextEncoder().encode(JSON.stringify({ v: 1, kind: 'event', channel: refused, payload: {} }))), TypeError)
  }
  assert.throws(() => ipc.emit(Uint8Array.of(0xff, 0xfe)), TypeError)
  await settle()
  assert.deepEqual(texts, [large, large])
  assert.deepEqual(seen.get(c), [2, 3, 3, 5, 6, 6, 7])
})

/** What `run` returns, and how many times it called JSON.parse. */
function parsesDuring(run) {
  const parse = JSON.parse
  let parses = 0
  JSON.parse = (...args) => {
    parses += 1
    return parse(...args)
  }
  try {
    return { result: run(), parses }
  } finally {
    JSON.parse = parse
  }
}

test('a handler panic is INTERNAL_ERROR and the addon keeps serving, inline and on the runtime', async () => {
  const api = rendererApi(bundle, attachedWindow('main'))
  for (let i = 0; i < 3; i += 1) {
    // Through the glue: panic is an inline channel, so it panics on this thread.
    const error = await api.probe.panic().catch((failure) => failure)
    assert.equal(error.name, 'IPCHandlerError')
    assert.equal(error.code, 'INTERNAL_ERROR')
    assert.equal(error.message, 'Internal error')
  }
  // Without its channel the same call panics on the runtime.
  const request = JSON.stringify({ v: 1, id: 9, kind: 'invoke', channel: 'probe:panic', payload: {} })
  const reply = JSON.parse(await router.dispatch(request, { connectionId: 96, role: 'main', origin: ORIGIN }))
  assert.deepEqual(reply.error, { name: 'IPCHandlerError', code: 'INTERNAL_ERROR', message: 'Internal error', statusCode: 500 })
  assert.equal(await api.probe.echo({ text: 'still here' }), 'still here')
})

test('a thousand concurrent slow calls run together, waiting off the JavaScript thread', async () => {
  const api = rendererApi(bundle, attachedWindow('main'))
  const delay = monitorEventLoopDelay({ resolution: 5 })
  let ticks = 0
  const ticker = setInterval(() => {
    ticks += 1
  }, 10)
  delay.enable()
  const started = performance.now()
  // Each call sleeps 200 ms in its handler: one after the other they would
  // take 200 s; on the router's runtime they overlap. sleep is an inline
  // channel: each call starts on this thread and moves to the runtime at
  // its first await.
  const replies = await Promise.all(Array.from({ length: 1000 }, () => api.probe.sleep({ ms: 200 })))
  const elapsed = performance.now() - started
  delay.disable()
  clearInterval(ticker)
  assert.deepEqual(new Set(replies), new Set([null]))
  const p99 = delay.percentile(99) / 1e6
  const report = `${elapsed.toFixed(0)} ms, ${ticks} timer ticks, event-loop delay p99 ${p99.toFixed(1)} ms`
  assert.ok(elapsed < 20000, report)
  assert.ok(ticks >= 10, report)
  assert.ok(p99 < 200, report)
})

test('a window that goes away mid-call has its calls cancelled', async () => {
  const webContents = attachedWindow('main')
  const api = rendererApi(bundle, webContents)
  const { cancelledSleeps } = await api.probe.stats()
  const pending = api.probe.sleep({ ms: 30000 }).catch((error) => error)
  await settle()
  webContents.destroy()
  const error = await pending
  assert.equal(error.code, 'IPC_CANCELLED')
  const survivor = rendererApi(bundle, attachedWindow('main'))
  assert.equal((await survivor.probe.stats()).cancelledSleeps, cancelledSleeps + 1)
})

test('close() answers the calls in flight, then refuses new ones', async () => {
  const extra = bundle.addon.open({}, () => {})
  const caller = { connectionId: 99, role: 'main', origin: ORIGIN }
  const request = (id, channel, payload) => JSON.stringify({ v: 1, id, kind: 'invoke', channel, payload })
  const pending = extra.dispatch(request(1, 'probe:sleep', { ms: 30000 }), caller)
  await settle()
  const started = Date.now()
  await extra.close()
  assert.ok(Date.now() - started < 5000)
  assert.equal(JSON.parse(await pending).error.code, 'IPC_CANCELLED')
  await assert.rejects(extra.dispatch(request(2, 'probe:echo', { text: 'a' }), caller), /shut down/)
  // A glue over a closed router answers with IPC_CANCELLED, as data.
  electron.resetIpcMain()
  const closedIpc = bundle.glue.registerMainIpc({ router: extra, allowedOrigins: [ORIGIN] })
  const webContents = new electron.WebContents(ORIGIN)
  closedIpc.attach(webContents, { role: 'main' })
  const error = await rendererApi(bundle, webContents).probe.echo({ text: 'a' }).catch((failure) => failure)
  assert.equal(error.code, 'IPC_CANCELLED')
  closedIpc.dispose()
  electron.resetIpcMain()
  ipc = bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN] })
})
