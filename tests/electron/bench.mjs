// Benchmark of an Electron main-side call: the generated glue and the Rust
// addon (validation in Rust; probe:save is an inline contract, so its
// handler runs on the JavaScript thread when it completes at once) against the
// pure-TypeScript ipcMain handlers an Electron team writes today (the same
// payload validated with zod 4, or with ajv compiling the contract's own
// JSON Schema) and a bare handler that only round-trips the message through
// JSON. Every variant is an ipcMain.handle handler invoked through the
// stand-in's ipcMain, whose messages cross as Electron's do: written by
// V8's ValueSerializer on one side, read by its deserializer on the other.
// The rest of Electron's hop (the message between processes) is the same
// for all and is not in it.
//
// Each variant gets the message in the form its design sends: the
// TypeScript handlers the envelope object, the glue the envelope's JSON
// text as the generated preload sends it (a string, or its UTF-8 bytes when
// large, and the reply read in either form).
// - "trip: …" is the whole call: the renderer's share (JSON.stringify of
//   the request and JSON.parse of the reply where the design sends text,
//   with the UTF-8 encoding and decoding of large messages;
//   V8's serializer for the request, its deserializer for the reply) and
//   main's.
// - "main: …" is the main process's share alone, which is what the app's
//   main thread pays: deserialize the request, handle it, serialize the
//   reply. Its request is serialized once, before the rounds, with
//   `node:v8`, whose JavaScript wrappers add a cost of their own to every
//   message and keep what was read alive until a later collection.
// - "native: …" is main's share again, its messages written and read by
//   V8's serializer from C++, one per message, as Electron does: each
//   measurement's requests are posted on a MessagePort before it starts,
//   read with receiveMessageOnPort, and the replies posted on another.
// Each is compared with the echo and zod of the same share.
//
// Interleaved: each round runs every variant once, in a rotating order;
// figures are medians over rounds, and ratios are taken within a round.
//
//   npm run bench:electron      # builds the addons in release first, then runs
//                               # this and bench-pieces.mjs
import { z } from 'zod'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import v8 from 'node:v8'
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'

import { benchNotes } from './bench-notes.mjs'
import { electron, jsonText, load, out } from './harness.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
const SEQUENTIAL = 200
const CONCURRENT = 256
const ORIGIN = 'app://bench'

const bundle = await load('probe')
const router = bundle.addon.open({}, () => {})
const ipc = bundle.glue.registerMainIpc({ router, allowedOrigins: [ORIGIN] })
const webContents = new electron.WebContents(ORIGIN)
ipc.attach(webContents, { role: 'bench' })
const event = () => ({ type: 'frame', sender: webContents, senderFrame: webContents.mainFrame, processId: 4, frameId: webContents.mainFrame.routingId })

// zod 4: the same rules as the contract (lengths, counts, a safe integer id).
const Draft = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  title: z.string().min(1).max(200),
  body: z.string().max(100_000),
  tags: z.array(z.string().min(1).max(32)).max(20).default([]),
})
// ajv: the contract's payload schema as ipc-codegen wrote it.
const schemas = JSON.parse(readFileSync(join(out, 'probe/ipc/schemas.json'), 'utf8'))
// schemars marks 64-bit fields with `format: uint64`; their range is in
// minimum/maximum already.
const ajv = new Ajv2020({ allErrors: true }).addFormat('uint64', { type: 'number', validate: () => true })
const validateDraft = ajv.compile(schemas.contracts['probe:save'].payload)

const failure = (id, issues) => ({ id, ok: false, error: { name: 'IPCValidationError', code: 'IPC_VALIDATION_ERROR', message: 'Request validation failed', field: 'request', issues } })
electron.ipcMain.handle('bench:zod', (_event, message) => {
  const parsed = Draft.safeParse(message.payload)
  return parsed.success ? { id: message.id, ok: true, data: parsed.data } : failure(message.id, parsed.error.issues)
})
electron.ipcMain.handle('bench:ajv', (_event, message) =>
  validateDraft(message.payload) ? { id: message.id, ok: true, data: message.payload } : failure(message.id, validateDraft.errors),
)
electron.ipcMain.handle('bench:json', (_event, message) => ({ id: message.id, ok: true, data: JSON.parse(JSON.stringify(message)).payload }))
electron.ipcMain.handle('bench:json-text', (_event, text) => {
  const message = JSON.parse(text)
  return JSON.stringify({ id: message.id, ok: true, data: message.payload })
})

const payloads = benchNotes
let lastId = 0
const envelope = (payload) => {
  lastId += 1
  return { v: 1, id: lastId, kind: 'invoke', channel: 'probe:save', payload }
}
/** Each design's handler channel, whether its renderer side sends the envelope's JSON text, and whether as the generated preload does (large ones as bytes). */
const designs = {
  'glue + addon': { channel: 'probe:save', text: true, preload: true },
  'zod 4': { channel: 'bench:zod', text: false },
  ajv: { channel: 'bench:ajv', text: false },
  'JSON echo': { channel: 'bench:json', text: false },
  'JSON text echo': { channel: 'bench:json-text', text: true },
}
// As the generated preload sends JSON text: from bundle.bytesFrom UTF-16
// units on as UTF-8 bytes.
const utf8Encoder = new TextEncoder()
const asPreloadSends = (text) => (text.length < bundle.bytesFrom ? text : utf8Encoder.encode(text))
/** The request message of a design: the envelope, its JSON text, or that as the preload sends it. */
const message = ({ text, preload }, payload) => {
  if (!text) return envelope(payload)
  const json = JSON.stringify(envelope(payload))
  return preload ? asPreloadSends(json) : json
}
/** The whole trip: the renderer's share (JSON text, when its design sends text, and V8's serializer) and main's. */
const trip = (design) =>
  design.text
    ? async (payload) => JSON.parse(jsonText(await electron.ipcMain.invokeFromRenderer(design.channel, event(), [message(design, payload)])))
    : (payload) => electron.ipcMain.invokeFromRenderer(design.channel, event(), [message(design, payload)])
/** Main's share alone: the request as the renderer serialized it, made once per payload. */
const mainOnly = (design) => {
  const { channel } = design
  const requests = new Map(Object.values(payloads).map((payload) => [payload, v8.serialize([message(design, payload)])]))
  return {
    call: (payload) => electron.ipcMain.invokeSerialized(channel, event(), requests.get(payload)),
    reply: (answer) => v8.deserialize(answer),
  }
}
/**
 * Main's share with Electron's kind of serializer: `prepare` posts the
 * requests of a measurement (the renderer's share, not timed), each call
 * reads one, and `replies` takes (and deserializes) what main posted back.
 */
const mainNative = (design) => {
  const { channel } = design
  const toMain = new MessageChannel()
  const fromMain = new MessageChannel()
  return {
    prepare(payload, calls) {
      for (let i = 0; i < calls; i += 1) toMain.port1.postMessage([message(design, payload)])
    },
    call: () => electron.ipcMain.invokeFromPort(channel, event(), toMain.port2, fromMain.port1),
    replies() {
      const replies = []
      for (let reply = receiveMessageOnPort(fromMain.port2); reply !== undefined; reply = receiveMessageOnPort(fromMain.port2)) replies.push(reply.message)
      return replies
    },
    reply() {
      return this.replies()[0]
    },
    close() {
      for (const channel of [toMain, fromMain]) {
        channel.port1.close()
        channel.port2.close()
      }
    },
  }
}
const variants = Object.fromEntries(
  Object.entries(designs).flatMap(([name, design]) => [
    [`trip: ${name}`, { call: trip(design), reply: (answer) => answer }],
    [`main: ${name}`, mainOnly(design)],
    [`native: ${name}`, mainNative(design)],
  ]),
)
/** A reply as its renderer side reads it: JSON text parsed, other values as they are. */
const replyOf = (value) => (typeof value === 'string' || value instanceof Uint8Array ? JSON.parse(jsonText(value)) : value)
const call = (variant, payload) => variants[variant].call(payload)
/** Posts a measurement's requests, where the variant reads them from a port. */
const prepare = (variant, payload, calls) => variants[variant].prepare?.(payload, calls)
/** Takes the replies a measurement posted, and checks that every call got one. */
const collect = (variant, calls) => {
  const { replies } = variants[variant]
  if (replies === undefined) return
  const count = replies().length
  if (count !== calls) throw new Error(`${variant}: ${count} replies to ${calls} calls`)
}

// Every variant must accept the payload and echo it.
for (const [name, payload] of Object.entries(payloads)) {
  for (const variant of Object.keys(variants)) {
    prepare(variant, payload, 1)
    // A trip answers with the value, main's share with it serialized, and
    // the native share posts it.
    const reply = replyOf(variants[variant].reply(await call(variant, payload)))
    if (reply.ok !== true || reply.data.body !== payload.body) throw new Error(`${variant} failed on ${name}: ${JSON.stringify(reply).slice(0, 300)}`)
  }
}

// Wall-clock and CPU time (every thread of the process: the JavaScript
// thread and the addon's runtime) per call. On a machine shared with other
// work, waiting for a core inflates the wall-clock time of a call that
// crosses threads; its CPU time does not move with the load.
async function timed(variant, payload, calls, run) {
  prepare(variant, payload, calls)
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  await run()
  const wall = Number(process.hrtime.bigint() - started) / 1e3 / calls
  const used = process.cpuUsage(cpu)
  collect(variant, calls)
  return { wall, cpu: (used.user + used.system) / calls }
}

function sequential(variant, payload) {
  return timed(variant, payload, SEQUENTIAL, async () => {
    for (let i = 0; i < SEQUENTIAL; i += 1) await call(variant, payload)
  })
}

function concurrent(variant, payload) {
  return timed(variant, payload, CONCURRENT, () => Promise.all(Array.from({ length: CONCURRENT }, () => call(variant, payload))))
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const names = Object.keys(variants)
console.log(`Electron main-side call, ${ROUNDS} interleaved rounds (node ${process.version}); µs per call, median; ratios are medians of per-round ratios; cpu: CPU time of all threads`)
for (const [mode, measure] of [['sequential (one call at a time)', sequential], [`concurrent (${CONCURRENT} in flight)`, concurrent]]) {
  for (const [name, payload] of Object.entries(payloads)) {
    const times = Object.fromEntries(names.map((variant) => [variant, []]))
    const cpu = Object.fromEntries(names.map((variant) => [variant, []]))
    for (let round = 0; round < ROUNDS + 2; round += 1) {
      const order = names.map((_, i) => names[(i + round) % names.length])
      const row = {}
      for (const variant of order) row[variant] = await measure(variant, payload)
      // The first two rounds warm up the JIT and the runtime.
      if (round >= 2) {
        for (const variant of names) {
          times[variant].push(row[variant].wall)
          cpu[variant].push(row[variant].cpu)
        }
      }
    }
    const ratio = (of, a, b) => median(of[a].map((value, i) => value / of[b][i]))
    // Each variant against the baselines of its own share (trip, main or native).
    const baselines = ['JSON echo', 'JSON text echo', 'zod 4']
    const share = (variant) => variant.slice(0, variant.indexOf(' ') + 1)
    const columns = (of, variant) =>
      `${median(of[variant]).toFixed(1).padStart(7)}${baselines.map((baseline) => ratio(of, variant, share(variant) + baseline).toFixed(2).padStart(9)).join('')}`
    console.log(`\n${mode}, ${name} payload (${JSON.stringify(payload).length} bytes)`)
    console.log(`${'variant'.padEnd(24)}  µs/call  ×echo  ×text echo  ×zod 4 | cpu µs/call  ×echo  ×text echo  ×zod 4`)
    for (const variant of names) console.log(`${variant.padEnd(24)} ${columns(times, variant)} | ${columns(cpu, variant)}`)
  }
}

for (const { close } of Object.values(variants)) close?.()
ipc.dispose()
await router.close()
