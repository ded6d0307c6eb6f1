// Where an Electron main-side call spends its time, piece by piece: each
// piece is a loop of calls timed on its own, interleaved with the others
// (every piece once per round, in a rotating order), medians over rounds.
//
//   node tests/electron/build.mjs --release && node tests/electron/bench-pieces.mjs
//
// The probe's `echo` is an inline channel (ADR 0013): dispatched with its
// channel it starts on the JavaScript thread; without one (or from a build
// without inline channels) it goes to the addon's runtime and back.
import { electron, load } from './harness.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
const CALLS = 500
const ORIGIN = 'app://bench'

const bundle = await load('probe')
const router = bundle.addon.open({}, () => {})
const caller = { connectionId: 1, role: 'bench', origin: ORIGIN, frame: { processId: 4, routingId: 1, mainFrame: true } }
const message = { v: 1, id: 1, kind: 'invoke', channel: 'probe:echo', payload: { text: 'hello' } }
const text = JSON.stringify(message)
// The caller converted once, as the glue keeps it per sending frame.
const callerHandle = router.caller(caller)
const reply = await router.dispatch(text, caller, 'probe:echo')
if (JSON.parse(reply).data !== 'hello') throw new Error(`unexpected reply ${reply}`)

// A bare ipcMain handler over the stand-in: its structured clones and
// promise chain, the same for every variant of bench.mjs.
electron.ipcMain.handle('bench:bare', () => 1)
const webContents = new electron.WebContents(ORIGIN)
const event = { type: 'frame', sender: webContents, senderFrame: webContents.mainFrame, processId: 4, frameId: 1 }

const pieces = {
  'napi call (disconnect)': () => {
    for (let i = 0; i < CALLS; i += 1) router.disconnect(1_000_000)
  },
  'JSON.stringify request': () => {
    for (let i = 0; i < CALLS; i += 1) JSON.stringify(message)
  },
  'JSON.parse reply': () => {
    for (let i = 0; i < CALLS; i += 1) JSON.parse(reply)
  },
  'await a resolved promise': async () => {
    for (let i = 0; i < CALLS; i += 1) await Promise.resolve(i)
  },
  'ipcMain.handle, bare': async () => {
    for (let i = 0; i < CALLS; i += 1) await electron.ipcMain.invokeFromRenderer('bench:bare', event, [message])
  },
  'dispatch, to the runtime': async () => {
    for (let i = 0; i < CALLS; i += 1) await router.dispatch(text, caller)
  },
  'dispatch, inline': async () => {
    for (let i = 0; i < CALLS; i += 1) await router.dispatch(text, caller, 'probe:echo')
  },
  'dispatch, inline, caller handle': async () => {
    for (let i = 0; i < CALLS; i += 1) await router.dispatch(text, callerHandle, 'probe:echo')
  },
  'dispatch, to the runtime, 64 in flight': async () => {
    for (let i = 0; i < CALLS; i += 64) await Promise.all(Array.from({ length: 64 }, () => router.dispatch(text, caller)))
  },
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const names = Object.keys(pieces)
const times = Object.fromEntries(names.map((name) => [name, []]))
const cpu = Object.fromEntries(names.map((name) => [name, []]))
for (let round = 0; round < ROUNDS + 2; round += 1) {
  for (let i = 0; i < names.length; i += 1) {
    const name = names[(i + round) % names.length]
    const used = process.cpuUsage()
    const started = process.hrtime.bigint()
    await pieces[name]()
    const perCall = Number(process.hrtime.bigint() - started) / 1e3 / CALLS
    const spent = process.cpuUsage(used)
    // The first two rounds warm up the JIT and the runtime.
    if (round >= 2) {
      times[name].push(perCall)
      cpu[name].push((spent.user + spent.system) / CALLS)
    }
  }
}

const quartiles = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q) => sorted[Math.floor((sorted.length - 1) * q)].toFixed(2)
  return `${median(sorted).toFixed(2).padStart(7)} (${at(0.25)} to ${at(0.75)})`
}
console.log(`Pieces of an Electron main-side call, ${ROUNDS} interleaved rounds of ${CALLS} (node ${process.version}); µs per call, median (quartiles); cpu: CPU time of all threads`)
console.log(`${'piece'.padEnd(40)} ${'wall µs'.padEnd(24)} cpu µs`)
for (const name of names) console.log(`${name.padEnd(40)} ${quartiles(times[name]).padEnd(24)} ${quartiles(cpu[name])}`)
await router.close()
