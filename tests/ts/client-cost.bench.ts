/**
 * The CPU time per call of the generated WebSocket client against a bare
 * client (a `Map` of ids and `JSON.parse`), both over the same in-process
 * stand-in socket that answers every request with a small note on the next
 * turn, as a server would. Without a browser or a network in the way, the
 * difference is what the client itself costs per call.
 *
 *   npm run build:ts-test && node target/ts-test/tests/ts/client-cost.bench.js [rounds]
 *
 * Each round runs 20,000 pipelined calls (64 in flight) and 5,000
 * sequential calls of each client, taking turns; the times are
 * `process.cpuUsage()` (user + system) per call, which other processes on
 * the machine disturb less than wall-clock time. Prints the medians and the
 * ratio of calls per CPU second (client over bare).
 */

import { invokeAndUnwrap } from '../../examples/notes/renderer/src/ipc/transport.js'
import {
  WS_PROTOCOL,
  connectWebSocket,
  type WebSocketEventLike,
  type WebSocketLike,
} from '../../examples/notes/renderer/src/ipc/transport.ws.js'

const NOTE = '{"id":11,"title":"Note 11","body":"The body of note 11.","tags":["bench"],"createdAtMs":1764590000000,"updatedAtMs":1764590000000}'

/** Answers each request with the note, all of a turn's replies on the next turn. */
class AnsweringSocket implements WebSocketLike {
  readonly protocol = WS_PROTOCOL
  binaryType = 'blob'
  private readonly listeners = new Map<string, ((event: WebSocketEventLike) => void)[]>()
  private queue: string[] = []

  constructor() {
    setImmediate(() => this.emit('open', {}))
  }

  addEventListener(type: string, listener: (event: WebSocketEventLike) => void): void {
    const list = this.listeners.get(type) ?? []
    list.push(listener)
    this.listeners.set(type, list)
  }

  send(text: string): void {
    const { id } = JSON.parse(text) as { id: number }
    if (this.queue.length === 0) setImmediate(() => this.flush())
    this.queue.push(`{"id":${id},"ok":true,"data":${NOTE}}`)
  }

  close(): void {}

  private flush(): void {
    const replies = this.queue
    this.queue = []
    for (const data of replies) this.emit('message', { data })
  }

  private emit(type: string, event: WebSocketEventLike): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}

async function bareClient(): Promise<(channel: string, payload: unknown) => Promise<unknown>> {
  const socket = new AnsweringSocket()
  await new Promise((resolve) => socket.addEventListener('open', resolve))
  const waiting = new Map<number, (reply: unknown) => void>()
  let lastId = 0
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(event.data as string) as { id: number; data: unknown }
    const resolve = waiting.get(reply.id)
    waiting.delete(reply.id)
    resolve?.(reply.data)
  })
  return (channel, payload) =>
    new Promise((resolve) => {
      lastId += 1
      waiting.set(lastId, resolve)
      socket.send(JSON.stringify({ v: 1, id: lastId, kind: 'invoke', channel, payload }))
    })
}

/** CPU microseconds per call. */
async function pipelined(calls: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < calls) {
      started += 1
      await call()
    }
  }
  const start = process.cpuUsage()
  await Promise.all(Array.from({ length: inFlight }, worker))
  const used = process.cpuUsage(start)
  return (used.user + used.system) / calls
}

async function sequential(calls: number, call: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < calls; i += 1) await call()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / calls
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const rounds = Number(process.argv[2] ?? 20)
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('rounds must be a positive integer')

const transport = connectWebSocket({
  url: 'ws://127.0.0.1/ipc',
  secret: '0123456789abcdef0123456789abcdef',
  WebSocketImpl: AnsweringSocket,
})
await transport.ready
const bare = await bareClient()
const request = { id: 11 }
const client = (): Promise<unknown> => invokeAndUnwrap(transport, 'notes:get', request)
const plain = (): Promise<unknown> => bare('notes:get', request)

for (let i = 0; i < 3; i += 1) {
  await pipelined(20_000, 64, client)
  await pipelined(20_000, 64, plain)
}
const results = { pipelinedClient: [] as number[], pipelinedBare: [] as number[], sequentialClient: [] as number[], sequentialBare: [] as number[] }
for (let round = 0; round < rounds; round += 1) {
  results.pipelinedClient.push(await pipelined(20_000, 64, client))
  results.pipelinedBare.push(await pipelined(20_000, 64, plain))
  results.sequentialClient.push(await sequential(5_000, client))
  results.sequentialBare.push(await sequential(5_000, plain))
}
transport.close()

const line = (label: string, client: number[], bare: number[]): string =>
  `${label}: generated client ${median(client).toFixed(2)} µs, bare ${median(bare).toFixed(2)} µs of CPU per call; ` +
  `calls per CPU second, client / bare: ${(median(bare) / median(client)).toFixed(3)}`
console.log(`${rounds} rounds, medians:`)
console.log(line('pipelined, 64 in flight', results.pipelinedClient, results.pipelinedBare))
console.log(line('sequential', results.sequentialClient, results.sequentialBare))
