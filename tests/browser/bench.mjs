// Renderer round trips in Chromium over the loopback WebSocket.
//
//   npm run bench:browser                      # builds notes-app --release, then runs this
//   node tests/browser/bench.mjs --calls 5000 --in-flight 32 --json
//
// Starts notes-app (release build) on a temporary data directory with a few
// small notes, opens the bench page (examples/notes/renderer/src/bench.ts:
// the generated API over the generated WebSocket transport) in headless
// Chromium and times, from inside the page:
//
// - sequential round trips, one call at a time: `notes.get` of one small
//   note and `notes.list` of the store through the generated API, and the
//   same `notes.get` request over a bare WebSocket (what the browser and the
//   main side cost without the generated client): p50, p90, p99, mean, min,
//   max;
// - pipelined `notes.get` with many calls in flight, through the API and
//   bare, interleaved: rounds of both in alternating order, calls per second
//   of each and the ratio per round (API over bare), with its median.
//
// It also times the same `notes.get` from a minimal Node WebSocket client,
// which shows what the main side and loopback cost without a browser.
//
// Chromium is driven over the DevTools protocol directly, through a pipe,
// with only the Page, Fetch (for the page load) and Runtime domains in use:
// a driver that follows network events (as Playwright always does) makes
// the browser report every WebSocket frame to it, which slows each call
// down several times. The page is served with COOP/COEP headers added at
// load, so that it is cross-origin isolated and performance.now() steps by
// 5 µs instead of 100 µs; the report says whether that applied.

import { spawn, spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { CHROMIUM_ARGS, chromiumPath, connectRaw, removeDir, repo, startApp, tempDir } from './harness.mjs'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
    pipelined: { type: 'string', default: '20000' },
    'in-flight': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '20' },
    notes: { type: 'string', default: '20' },
    app: { type: 'string', default: join(repo, 'target/release/notes-app') },
    json: { type: 'boolean', default: false },
  },
})

function count(name) {
  const value = Number(values[name])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
  return value
}

const options = {
  sequential: count('calls'),
  warmup: count('warmup'),
  pipelined: count('pipelined'),
  inFlight: count('in-flight'),
  rounds: count('rounds'),
}
const storeSize = count('notes')

/** Guard against a hung browser: no step of the bench takes near this long. */
const GUARD_MS = 300_000

/** A DevTools protocol client over Chromium's `--remote-debugging-pipe`. */
class DevTools {
  #nextId = 1
  #waiting = new Map()
  #listeners = new Set()
  #input
  #output

  constructor(child) {
    this.#output = child.stdio[3]
    this.#input = child.stdio[4]
    let buffered = ''
    this.#input.setEncoding('utf8')
    this.#input.on('data', (text) => {
      buffered += text
      for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
        const message = JSON.parse(buffered.slice(0, end))
        buffered = buffered.slice(end + 1)
        const waiter = message.id === undefined ? undefined : this.#waiting.get(message.id)
        if (waiter !== undefined) {
          this.#waiting.delete(message.id)
          if (message.error !== undefined) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`))
          else waiter.resolve(message.result)
        } else {
          for (const listener of this.#listeners) listener(message)
        }
      }
    })
    child.on('exit', () => {
      for (const waiter of this.#waiting.values()) waiter.reject(new Error('Chromium exited'))
      this.#waiting.clear()
    })
  }

  send(method, params = {}, sessionId = undefined) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++
      this.#waiting.set(id, { method, resolve, reject })
      this.#output.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`)
    })
  }

  on(listener) {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Resolves with the first event `method` of `sessionId`. */
  once(method, sessionId) {
    return new Promise((resolve) => {
      const off = this.on((message) => {
        if (message.method === method && message.sessionId === sessionId) {
          off()
          resolve(message.params)
        }
      })
    })
  }
}

async function withGuard(label, promise) {
  let timer
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not finish`)), GUARD_MS)
  })
  try {
    return await Promise.race([promise, guard])
  } finally {
    clearTimeout(timer)
  }
}

/** Opens `url` in a new page; the document gets COOP/COEP headers on its way in. */
async function openIsolatedPage(devtools, url) {
  const { targetId } = await devtools.send('Target.createTarget', { url: 'about:blank' })
  const { sessionId } = await devtools.send('Target.attachToTarget', { targetId, flatten: true })
  const path = new URL(url).pathname
  devtools.on(async (message) => {
    if (message.method !== 'Fetch.requestPaused' || message.sessionId !== sessionId) return
    const { requestId, responseStatusCode, responseHeaders } = message.params
    const body = await devtools.send('Fetch.getResponseBody', { requestId }, sessionId)
    await devtools.send(
      'Fetch.fulfillRequest',
      {
        requestId,
        responseCode: responseStatusCode,
        responseHeaders: [
          ...responseHeaders,
          { name: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { name: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
        body: body.base64Encoded ? body.body : Buffer.from(body.body, 'utf8').toString('base64'),
      },
      sessionId,
    )
  })
  await devtools.send('Fetch.enable', { patterns: [{ urlPattern: `*${path}`, requestStage: 'Response' }] }, sessionId)
  await devtools.send('Page.enable', {}, sessionId)
  const loaded = devtools.once('Page.loadEventFired', sessionId)
  await devtools.send('Page.navigate', { url }, sessionId)
  await loaded
  await devtools.send('Fetch.disable', {}, sessionId)
  await devtools.send('Page.disable', {}, sessionId)
  return async (expression) => {
    const result = await devtools.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId)
    if (result.exceptionDetails !== undefined) {
      throw new Error(`in the page: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`)
    }
    return result.result.value
  }
}

function summarize(samplesUs) {
  const sorted = [...samplesUs].sort((a, b) => a - b)
  const at = (fraction) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]
  return {
    calls: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
  }
}

/** The same `notes.get` from Node over a raw WebSocket: sequential latency and pipelined throughput. */
async function nodeFloor(app, noteId) {
  const raw = await connectRaw(app)
  if (!raw.status.includes(' 101 ')) throw new Error(`the Node client was refused: ${raw.status}`)
  const waiting = new Map()
  raw.onText((text) => {
    const reply = JSON.parse(text)
    waiting.get(reply.id)?.()
    waiting.delete(reply.id)
  })
  let lastId = 0
  const call = () =>
    new Promise((resolve) => {
      lastId += 1
      waiting.set(lastId, resolve)
      raw.sendText(JSON.stringify({ v: 1, id: lastId, kind: 'invoke', channel: 'notes:get', payload: { id: noteId } }))
    })
  for (let i = 0; i < options.warmup; i += 1) await call()
  const samples = []
  for (let i = 0; i < options.sequential; i += 1) {
    const start = process.hrtime.bigint()
    await call()
    samples.push(Number(process.hrtime.bigint() - start) / 1000)
  }
  let started = 0
  const begin = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: options.inFlight }, async () => {
      while (started < options.pipelined) {
        started += 1
        await call()
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9
  raw.destroy()
  return {
    get: summarize(samples),
    pipelinedGet: { calls: options.pipelined, inFlight: options.inFlight, seconds, callsPerSecond: options.pipelined / seconds },
  }
}

const renderer = join(repo, 'target/notes-bench-renderer')
const built = spawnSync(process.execPath, [join(repo, 'examples/notes/renderer/build.mjs'), '--bench', '--out', renderer], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (built.status !== 0) process.exit(1)

const dataDir = tempDir('notes-bench-')
const profile = tempDir('notes-bench-chromium-')
let app
let chromium
try {
  app = await startApp({ dataDir, renderer, binary: values.app })
  chromium = spawn(
    chromiumPath,
    [
      ...CHROMIUM_ARGS,
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      // A document whose response the driver fulfilled counts as coming from
      // an unknown address, and Local Network Access checks would then block
      // its socket to 127.0.0.1.
      '--disable-features=LocalNetworkAccessChecks',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  )
  const devtools = new DevTools(chromium)
  const { product } = await withGuard('starting Chromium', devtools.send('Browser.getVersion'))
  const evaluate = await withGuard('loading the bench page', openIsolatedPage(devtools, `${app.origin}/bench.html${new URL(app.url).hash}`))
  const ids = await withGuard('seeding the notes', evaluate(`notesBench.seed(${storeSize})`))
  const noteId = ids[Math.floor(ids.length / 2)]
  const report = await withGuard('the browser measurements', evaluate(`notesBench.run(${JSON.stringify({ ...options, noteId })})`))
  const node = await withGuard('the Node measurements', nodeFloor(app, noteId))
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    chromium: product,
    notesApp: values.app,
  }
  if (values.json) {
    console.log(JSON.stringify({ machine, options: { ...options, storeSize }, browser: report, node }, null, 2))
  } else {
    const us = (value) => `${value.toFixed(0)} µs`
    const latency = (summary) =>
      `p50 ${us(summary.p50)}, p90 ${us(summary.p90)}, p99 ${us(summary.p99)}, mean ${us(summary.mean)}, min ${us(summary.min)}, max ${us(summary.max)}`
    const throughput = (summary) => `${Math.round(summary.callsPerSecond)} calls/s (${summary.calls} calls in ${summary.seconds.toFixed(2)} s)`
    console.log(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.chromium} headless, node ${machine.node}`)
    console.log(`main side: ${machine.notesApp}, ${storeSize} notes`)
    console.log(
      `timer: performance.now() ${report.crossOriginIsolated ? 'cross-origin isolated (5 µs steps)' : 'NOT isolated (100 µs steps)'}`,
    )
    console.log(`sequential round trips from the page, ${options.sequential} calls each after ${options.warmup} warm-up calls:`)
    console.log(`  notes.get, generated API:  ${latency(report.get)}`)
    console.log(`  notes.list, generated API: ${latency(report.list)}`)
    console.log(`  notes.get, bare WebSocket: ${latency(report.rawGet)}`)
    const p = report.pipelined
    const ratio = (value) => value.toFixed(3)
    console.log(
      `pipelined notes.get from the page, ${p.inFlight} in flight, ${p.rounds} rounds of ${p.calls} calls each, the API and the bare WebSocket taking turns:`,
    )
    console.log(`  generated API:  median ${Math.round(p.medianApi)} calls/s`)
    console.log(`  bare WebSocket: median ${Math.round(p.medianBare)} calls/s`)
    const sortedRatios = [...p.ratios].sort((a, b) => a - b)
    const quartile = (q) => sortedRatios[Math.min(sortedRatios.length - 1, Math.floor(q * sortedRatios.length))]
    console.log(
      `  API / bare, per round: median ${ratio(p.medianRatio)}, quartiles ${ratio(quartile(0.25))} to ${ratio(quartile(0.75))} (min ${ratio(sortedRatios[0])}, max ${ratio(sortedRatios[sortedRatios.length - 1])})`,
    )
    const sequentialRatio = report.rawGet.p50 / report.get.p50
    console.log(`sequential notes.get, bare p50 / API p50: ${ratio(sequentialRatio)}`)
    console.log('the same notes.get from a minimal Node WebSocket client (no browser):')
    console.log(`  sequential: ${latency(node.get)}`)
    console.log(`  pipelined, ${options.inFlight} in flight: ${throughput(node.pipelinedGet)}`)
  }
} finally {
  if (chromium !== undefined && chromium.exitCode === null && chromium.signalCode === null) {
    const exited = new Promise((resolve) => chromium.once('exit', resolve))
    chromium.kill()
    await exited
  }
  await app?.stop()
  removeDir(dataDir)
  removeDir(profile)
}
