/**
 * The page `tests/tauri/bench.mjs` drives in bench-tauri's window: the
 * generated API over the generated Tauri transport, as the notes page uses
 * them, against a bare Tauri command (`bare`) that receives a request of
 * the same size as a raw body and answers with the same reply bytes. Both
 * run in this one webview, interleaved, so that the machine's noise falls
 * on both alike.
 *
 * Each typed call is `api.notes.get({ id })` (request encoded, sent raw,
 * reply parsed, checked and unwrapped; on the main side the ACL scope
 * check, validation, the handler and the reply). Each bare call encodes the
 * same request envelope, sends it to `bare`, and decodes and parses the
 * reply: what any use of the data needs.
 */

import { createApi } from '../../../examples/notes/renderer/src/ipc/api.js'
import { connectTauri } from '../../../examples/notes/renderer/src/ipc/transport.tauri.js'

export interface BenchOptions {
  /** Bodies of the notes read, in bytes. */
  readonly sizes: readonly number[]
  readonly warmup: number
  /** Sequential calls of each kind per size (the kinds take turns by batch). */
  readonly sequential: number
  /**
   * Calls per timed batch: WebKitGTK's `performance.now()` steps by 1 ms, so
   * one call cannot be timed; each sample is a batch's time per call.
   */
  readonly batch: number
  /** Calls of each pipelined run, and how many are in flight. */
  readonly pipelined: number
  readonly inFlight: number
  /** Pipelined runs of each kind per size (the kinds take turns). */
  readonly runs: number
}

/** Over the batches' time per call, in microseconds. */
export interface Latency {
  readonly samples: number
  readonly p50: number
  readonly p99: number
  readonly mean: number
}

export interface SizeReport {
  readonly bodyBytes: number
  readonly replyBytes: number
  /** Microseconds. */
  readonly typed: Latency
  readonly bare: Latency
  /** Calls per second of each pipelined run. */
  readonly typedPipelined: number[]
  readonly barePipelined: number[]
}

export interface BenchReport {
  /** The smallest step of `performance.now()` seen, in microseconds. */
  readonly timerResolutionUs: number
  readonly sizes: SizeReport[]
}

declare global {
  interface Window {
    tauriBench?: { run(options: BenchOptions): Promise<BenchReport> }
  }
}

interface TauriInternals {
  invoke(command: string, args: Uint8Array): Promise<unknown>
}

const internals = (window as unknown as { __TAURI_INTERNALS__: TauriInternals }).__TAURI_INTERNALS__
const api = createApi(connectTauri({ events: 'lazy' }))
const encoder = new TextEncoder()
const decoder = new TextDecoder()

function summary(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length
  return { samples: sorted.length, p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), mean: Math.round(mean) }
}

function timerResolution(): number {
  let smallest = Infinity
  for (let i = 0; i < 1000; i++) {
    const start = performance.now()
    let next = performance.now()
    while (next === start) next = performance.now()
    smallest = Math.min(smallest, next - start)
  }
  return Math.round(smallest * 1000)
}

let nextId = 1
function request(id: number): Uint8Array {
  return encoder.encode(JSON.stringify({ v: 1, id: nextId++, kind: 'invoke', channel: 'notes:get', payload: { id } }))
}

async function bare(id: number): Promise<unknown> {
  const reply = await internals.invoke('bare', request(id))
  return JSON.parse(decoder.decode(reply as ArrayBuffer))
}

async function pipelined(call: () => Promise<unknown>, calls: number, inFlight: number): Promise<number> {
  let started = 0
  const start = performance.now()
  const worker = async (): Promise<void> => {
    while (started < calls) {
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return Math.round(calls / ((performance.now() - start) / 1000))
}

async function measure(bodyBytes: number, options: BenchOptions): Promise<SizeReport> {
  const note = await api.notes.save({ title: `${bodyBytes} bytes`, body: 'x'.repeat(bodyBytes) })
  // The reply the plugin gives, stored as what `bare` answers.
  const reply = await internals.invoke('plugin:ipc|dispatch', request(note.id))
  const replyBytes = new Uint8Array(reply as ArrayBuffer)
  await internals.invoke('bare_reply', replyBytes)
  const typedCall = () => api.notes.get({ id: note.id })
  const bareCall = () => bare(note.id)
  const checked = (await bareCall()) as { ok: boolean; data: { body: string } }
  if (!checked.ok || checked.data.body.length !== bodyBytes) throw new Error('bare returned another reply')
  for (let i = 0; i < options.warmup; i++) {
    await typedCall()
    await bareCall()
  }
  const typed: number[] = []
  const bareSamples: number[] = []
  const batches = Math.max(1, Math.round(options.sequential / options.batch))
  for (let i = 0; i < batches; i++) {
    // The kinds take turns, and which goes first alternates.
    const order = i % 2 === 0 ? [typedCall, bareCall] : [bareCall, typedCall]
    for (const call of order) {
      const start = performance.now()
      for (let n = 0; n < options.batch; n++) await call()
      const micros = ((performance.now() - start) * 1000) / options.batch
      ;(call === typedCall ? typed : bareSamples).push(micros)
    }
  }
  const typedPipelined: number[] = []
  const barePipelined: number[] = []
  for (let run = 0; run < options.runs; run++) {
    const order = run % 2 === 0 ? ['typed', 'bare'] : ['bare', 'typed']
    for (const kind of order) {
      if (kind === 'typed') typedPipelined.push(await pipelined(typedCall, options.pipelined, options.inFlight))
      else barePipelined.push(await pipelined(bareCall, options.pipelined, options.inFlight))
    }
  }
  return {
    bodyBytes,
    replyBytes: replyBytes.byteLength,
    typed: summary(typed),
    bare: summary(bareSamples),
    typedPipelined,
    barePipelined,
  }
}

window.tauriBench = {
  async run(options) {
    const sizes: SizeReport[] = []
    for (const size of options.sizes) sizes.push(await measure(size, options))
    return { timerResolutionUs: timerResolution(), sizes }
  },
}
