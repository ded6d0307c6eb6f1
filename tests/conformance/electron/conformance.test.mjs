// The conformance suite (tests/conformance/suite.ts) against the Electron
// shell, in Node.js: the suite's router as a real addon
// (conformance-electron-addon), the generated main-side glue, preload and
// renderer bridge of tests/conformance/ts/ipc, over the stand-in `electron`
// of tests/electron (Electron's binary cannot be installed here). Each case
// is reported as its own subtest.
//
// Run with `npm run test:electron`, which builds everything first.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { electron, jsonText, load, rendererApi } from '../../electron/harness.mjs'

const ORIGIN = 'app://conformance'
/** Guards against a hang; no test measures time. */
const GUARD_MS = 120_000

test('conformance: Electron main side (addon + generated glue) in Node.js', { timeout: GUARD_MS }, async (t) => {
  const bundle = await load('conformance')
  const suite = bundle.renderer
  electron.resetIpcMain()
  let ipc
  const router = bundle.addon.open({}, (envelope, target) => ipc.emit(envelope, target))
  ipc = bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN] })

  const openWindow = (origin = ORIGIN) => {
    const webContents = new electron.WebContents(origin)
    ipc.attach(webContents, { role: 'conformance' })
    return {
      webContents,
      api: rendererApi(bundle, webContents),
      close: async () => webContents.destroy(),
    }
  }
  const main = openWindow()
  // Raw requests go through the glue as the main window's messages, on the
  // invoke channel their envelope names (any declared one when it names
  // none). Only an envelope naming a channel with no ipcMain handler (an
  // unknown or an event channel) cannot be sent through Electron's IPC: it
  // goes to the addon's dispatch as the glue would pass it.
  const invokeChannels = bundle.glue.INVOKE_CHANNELS
  const mainEvent = () => {
    const frame = main.webContents.mainFrame
    return { type: 'frame', sender: main.webContents, senderFrame: frame, processId: frame.processId, frameId: frame.routingId }
  }
  const mainCaller = { connectionId: main.webContents.id, role: 'conformance', origin: ORIGIN }
  const namedChannel = (request) => {
    try {
      const channel = JSON.parse(request)?.channel
      return typeof channel === 'string' ? channel : undefined
    } catch {
      return undefined
    }
  }
  const raw = async (request) => {
    const named = typeof request === 'string' ? namedChannel(request) : undefined
    const reply =
      named !== undefined && !invokeChannels.includes(named)
        ? await router.dispatch(request, mainCaller)
        : await electron.ipcMain.invokeFromRenderer(named ?? invokeChannels[0], mainEvent(), [request])
    // Large replies come as their UTF-8 bytes (ipc_meta::protocol::electron::BYTES_FROM).
    assert.ok(typeof reply === 'string' || reply instanceof Uint8Array, 'a raw request the suite sends always gets a reply as JSON text')
    return JSON.parse(jsonText(reply))
  }
  const openCaller = async () => {
    const window = openWindow()
    return { api: window.api, close: window.close }
  }
  const target = {
    name: 'Electron (ipc-node addon, generated glue, stand-in electron)',
    api: main.api,
    sendRaw: raw,
    sendRawBytes: raw,
    otherCaller: openCaller,
    refusedCaller: async () => {
      const foreign = openWindow('https://evil.example')
      return { api: foreign.api, close: foreign.close, refusal: { kind: 'forbidden' } }
    },
    dropMidCall: suite.dropMidCallWith(main.api, openCaller),
  }

  let results
  try {
    results = await suite.runConformance(target)
  } finally {
    ipc.dispose()
    await router.close()
  }
  assert.ok(Array.isArray(results) && results.length === suite.CASES.length, 'one result per case')
  for (const result of results) {
    await t.test(result.id, (sub) => {
      if (result.status === 'skipped') return sub.skip(result.message)
      assert.equal(result.status, 'passed', `${result.title}: ${result.message}`)
    })
  }
})
