/**
 * The page `tests/browser/bench.mjs` drives: the same generated API and
 * WebSocket transport as the notes page, with a `notesBench` global that
 * times calls from inside the page. Built only by `build.mjs --bench`, never
 * into the app's own `dist/`.
 *
 * Besides the API, it times the same requests over a bare browser WebSocket
 * (no transport, no API, no error handling): the difference is what the
 * generated client costs per call.
 */

import { createApi } from './ipc/api.js'
import {
  WS_PROTOCOL,
  WS_SECRET_PROTOCOL_PREFIX,
  connectWebSocket,
  defaultWebSocketUrl,
  takeSecretFromLocation,
} from './ipc/transport.ws.js'

/** What to measure. */
export interface BenchOptions {
  /** The note `notes.get` reads. */
  readonly noteId: number
  /** Untimed calls before each measurement. */
  readonly warmup: number
  /** Sequential calls of each kind timed one by one (the kinds take turns). */
  readonly sequential: number
  /** Calls of each pipelined run. */
  readonly pipelined: number
  /** Calls in flight at once in the pipelined runs. */
  readonly inFlight: number
  /** Rounds of the pipelined runs: each round runs the API and the bare WebSocket once, in alternating order. */
  readonly rounds: number
}

/** Latencies of sequential calls, in microseconds. */
export interface LatencySummary {
  readonly calls: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

/** Pipelined calls through the API against the bare WebSocket, interleaved. */
export interface PipelinedComparison {
  readonly calls: number
  readonly inFlight: number
  readonly rounds: number
  /** Calls per second of each round, through the API. */
  readonly api: readonly number[]
  /** Calls per second of each round, over the bare WebSocket. */
  readonly bare: readonly number[]
  /** Per round, the API's calls per second over the bare WebSocket's. */
  readonly ratios: readonly number[]
  /** The median of {@link ratios}. */
  readonly medianRatio: number
  readonly medianApi: number
  readonly medianBare: number
}

export interface BenchReport {
  /** Whether the page is cross-origin isolated: `performance.now()` then steps by 5 µs, else by 100 µs. */
  readonly crossOriginIsolated: boolean
  readonly userAgent: string
  /** `notes.get` of one small note through the generated API. */
  readonly get: LatencySummary
  /** `notes.list` through the generated API. */
  readonly list: LatencySummary
  /** The same `notes.get` request over a bare WebSocket. */
  readonly rawGet: LatencySummary
  /** Pipelined `notes.get`, the API and the bare WebSocket taking turns. */
  readonly pipelined: PipelinedComparison
}

const secret = takeSecretFromLocation()
const state = document.querySelector('[data-testid="bench-state"]')
const transport = connectWebSocket({
  secret,
  onStateChange: (next) => {
    if (state !== null) state.textContent = next
  },
})
const api = createApi(transport)

/** A bare WebSocket client: requests are matched to replies by id, nothing is checked. */
async function openRawClient(): Promise<{ call: (channel: string, payload: unknown) => Promise<unknown>; close: () => void }> {
  const url = defaultWebSocketUrl()
  if (url === undefined || secret === undefined) throw new Error('The bench page needs its address and secret')
  const socket = new WebSocket(url, [WS_PROTOCOL, WS_SECRET_PROTOCOL_PREFIX + secret])
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onclose = () => reject(new Error('The bare WebSocket was refused'))
  })
  const waiting = new Map<number, (reply: unknown) => void>()
  let lastId = 0
  socket.onmessage = (event: MessageEvent<string>) => {
    const reply = JSON.parse(event.data) as { id: number }
    const resolve = waiting.get(reply.id)
    waiting.delete(reply.id)
    resolve?.(reply)
  }
  return {
    call: (channel, payload) =>
      new Promise((resolve) => {
        lastId += 1
        waiting.set(lastId, resolve)
        socket.send(JSON.stringify({ v: 1, id: lastId, kind: 'invoke', channel, payload }))
      }),
    close: () => socket.close(),
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return sorted[index] ?? Number.NaN
}

function summarize(samplesMs: number[]): LatencySummary {
  const sorted = samplesMs.map((ms) => ms * 1000).sort((a, b) => a - b)
  const total = sorted.reduce((sum, value) => sum + value, 0)
  return {
    calls: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    mean: total / sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  }
}

/**
 * Times `calls` rounds of sequential calls, one of each kind per round in
 * turn, so that drift over the run (caches, clock speed, other processes)
 * affects every kind alike.
 */
async function sequential<K extends string>(
  calls: number,
  warmup: number,
  kinds: Record<K, () => Promise<unknown>>,
): Promise<Record<K, LatencySummary>> {
  const entries = Object.entries(kinds) as [K, () => Promise<unknown>][]
  for (let i = 0; i < warmup; i += 1) {
    for (const [, call] of entries) await call()
  }
  const samples = new Map<K, number[]>(entries.map(([kind]) => [kind, []]))
  for (let i = 0; i < calls; i += 1) {
    for (const [kind, call] of entries) {
      const start = performance.now()
      await call()
      samples.get(kind)?.push(performance.now() - start)
    }
  }
  return Object.fromEntries(entries.map(([kind]) => [kind, summarize(samples.get(kind) ?? [])])) as Record<K, LatencySummary>
}

/** Calls per second of `calls` calls with `inFlight` of them in flight at once. */
async function throughput(calls: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < calls) {
      started += 1
      await call()
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, worker))
  return calls / ((performance.now() - start) / 1000)
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5)
}

/**
 * Pipelined runs of the API and of the bare WebSocket, interleaved: each
 * round runs both, the first going second in the next round, so that drift
 * over the run and which goes first affect both alike. The ratio is taken
 * per round, from runs made seconds apart.
 */
async function pipelined(
  options: BenchOptions,
  api: () => Promise<unknown>,
  bare: () => Promise<unknown>,
): Promise<PipelinedComparison> {
  const perRound = Math.max(1, Math.round(options.pipelined / options.rounds))
  await throughput(options.warmup, options.inFlight, bare)
  await throughput(options.warmup, options.inFlight, api)
  const apiRates: number[] = []
  const bareRates: number[] = []
  for (let round = 0; round < options.rounds; round += 1) {
    if (round % 2 === 0) {
      apiRates.push(await throughput(perRound, options.inFlight, api))
      bareRates.push(await throughput(perRound, options.inFlight, bare))
    } else {
      bareRates.push(await throughput(perRound, options.inFlight, bare))
      apiRates.push(await throughput(perRound, options.inFlight, api))
    }
  }
  const ratios = apiRates.map((rate, round) => rate / (bareRates[round] ?? Number.NaN))
  return {
    calls: perRound,
    inFlight: options.inFlight,
    rounds: options.rounds,
    api: apiRates,
    bare: bareRates,
    ratios,
    medianRatio: median(ratios),
    medianApi: median(apiRates),
    medianBare: median(bareRates),
  }
}

async function run(options: BenchOptions): Promise<BenchReport> {
  await transport.ready
  const raw = await openRawClient()
  try {
    const request = { id: options.noteId }
    const get = (): Promise<unknown> => api.notes.get(request)
    const list = (): Promise<unknown> => api.notes.list()
    const rawGet = (): Promise<unknown> => raw.call('notes:get', request)
    const latencies = await sequential(options.sequential, options.warmup, { get, list, rawGet })
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      userAgent: navigator.userAgent,
      ...latencies,
      pipelined: await pipelined(options, get, rawGet),
    }
  } finally {
    raw.close()
  }
}

/** Creates `count` small notes; resolves with their ids. */
async function seed(count: number): Promise<number[]> {
  await transport.ready
  const ids: number[] = []
  for (let i = 1; i <= count; i += 1) {
    const note = await api.notes.save({ title: `Note ${i}`, body: `The body of note ${i}.`, tags: ['bench'] })
    ids.push(note.id)
  }
  return ids
}

Object.defineProperty(globalThis, 'notesBench', { value: Object.freeze({ seed, run }), enumerable: false })
