import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { describe, it } from 'node:test'

import { IPCHandlerError, IPCTransportError, IPCValidationError, type TransportErrorCode } from '../../examples/notes/renderer/src/ipc/errors.js'
import { invokeAndUnwrap } from '../../examples/notes/renderer/src/ipc/transport.js'
import {
  BINARY_FRAME_LIMITS,
  SECRET_STORAGE_KEY,
  WS_PROTOCOL,
  connectWebSocket,
  decodeBinaryFrame,
  defaultWebSocketUrl,
  encodeBinaryFrame,
  takeSecretFromLocation,
  type ConnectionState,
  type HistoryLike,
  type LocationLike,
  type StorageLike,
  type TimerFunctions,
  type WebSocketEventLike,
  type WebSocketLike,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from '../../examples/notes/renderer/src/ipc/transport.ws.js'

const SECRET = '0123456789abcdef0123456789abcdef'
const OTHER_SECRET = 'fedcba9876543210fedcba9876543210fedcba98'
const URL = 'ws://127.0.0.1:4000/ipc'

/** Timers that run only when the test advances the clock. */
class FakeClock implements TimerFunctions {
  time = 0
  private lastHandle = 0
  private readonly tasks = new Map<number, { due: number; callback: () => void }>()

  setTimeout(callback: () => void, delayMs: number): unknown {
    this.lastHandle += 1
    this.tasks.set(this.lastHandle, { due: this.time + delayMs, callback })
    return this.lastHandle
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.tasks.delete(handle)
  }

  /** Number of timers not yet run or cleared. */
  get scheduled(): number {
    return this.tasks.size
  }

  /** Runs, in order, every timer due within `ms`. */
  advance(ms: number): void {
    const target = this.time + ms
    for (;;) {
      let next: [number, { due: number; callback: () => void }] | undefined
      for (const entry of this.tasks) {
        if (entry[1].due <= target && (next === undefined || entry[1].due < next[1].due)) next = entry
      }
      if (next === undefined) break
      this.tasks.delete(next[0])
      this.time = next[1].due
      next[1].callback()
    }
    this.time = target
  }

  now(): number {
    return this.time
  }
}

type Listener = (event: WebSocketEventLike) => void

/** A WebSocket driven by the test. */
class FakeWebSocket implements WebSocketLike {
  protocol = ''
  binaryType = 'blob'
  readonly sent: string[] = []
  closeCalls = 0
  private isOpen = false
  private readonly listeners = new Map<string, Listener[]>()

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  send(data: string): void {
    if (!this.isOpen) throw new Error('InvalidStateError: the socket is not open')
    this.sent.push(data)
  }

  close(): void {
    this.closeCalls += 1
  }

  /** The parsed frames sent so far. */
  get requests(): unknown[] {
    return this.sent.map((text) => JSON.parse(text) as unknown)
  }

  open(protocol: string = WS_PROTOCOL): void {
    this.protocol = protocol
    this.isOpen = true
    this.emit('open', {})
  }

  receive(data: unknown): void {
    this.emit('message', { data })
  }

  receiveJson(value: unknown): void {
    this.receive(JSON.stringify(value))
  }

  /** The handshake fails: the browser reports an error, then a close, before open. */
  refuse(): void {
    this.emit('error', {})
    this.emit('close', {})
  }

  /** The connection drops after open. */
  drop(): void {
    this.isOpen = false
    this.emit('close', {})
  }

  private emit(type: string, event: WebSocketEventLike): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}

interface Harness {
  transport: WebSocketTransport
  clock: FakeClock
  sockets: FakeWebSocket[]
  protocolErrors: IPCTransportError[]
  listenerErrors: { error: unknown; channel: string }[]
  states: string[]
  /** The most recent socket. */
  socket(): FakeWebSocket
}

function setup(overrides: WebSocketTransportOptions = {}): Harness {
  const clock = new FakeClock()
  const sockets: FakeWebSocket[] = []
  class Socket extends FakeWebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols)
      sockets.push(this)
    }
  }
  const protocolErrors: IPCTransportError[] = []
  const listenerErrors: { error: unknown; channel: string }[] = []
  const states: string[] = []
  const transport = connectWebSocket({
    url: URL,
    secret: SECRET,
    WebSocketImpl: Socket,
    timers: clock,
    onProtocolError: (error) => protocolErrors.push(error),
    onListenerError: (error, channel) => listenerErrors.push({ error, channel }),
    onStateChange: (state: ConnectionState, previous: ConnectionState) => states.push(`${previous}->${state}`),
    ...overrides,
  })
  return {
    transport,
    clock,
    sockets,
    protocolErrors,
    listenerErrors,
    states,
    socket(): FakeWebSocket {
      const socket = sockets.at(-1)
      assert.ok(socket !== undefined, 'no socket was created')
      return socket
    },
  }
}

/** A transport whose first socket is open. */
function openSetup(overrides: WebSocketTransportOptions = {}): Harness {
  const harness = setup(overrides)
  harness.socket().open()
  return harness
}

async function rejectsWith(promise: Promise<unknown>, code: TransportErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IPCTransportError, `expected an IPCTransportError, got ${String(error)}`)
    assert.equal(error.code, code)
    if (message !== undefined) assert.match(error.message, message)
    return true
  })
}

function throwsWith(action: () => unknown, code: TransportErrorCode, message?: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof IPCTransportError, `expected an IPCTransportError, got ${String(error)}`)
    assert.equal(error.code, code)
    if (message !== undefined) assert.match(error.message, message)
    return true
  })
}

/** Tracks whether a promise has settled. */
function track<T>(promise: Promise<T>): { settled: boolean } {
  const status = { settled: false }
  promise.then(
    () => {
      status.settled = true
    },
    () => {
      status.settled = true
    },
  )
  return status
}

/** Lets pending promise callbacks run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

describe('connectWebSocket: connecting', () => {
  it('opens one socket with the IPC subprotocol and the secret, and resolves ready on open', async () => {
    const { transport, sockets, socket, states } = setup()
    assert.equal(sockets.length, 1)
    assert.equal(socket().url, URL)
    assert.deepEqual(socket().protocols, ['ipc-contracts.v1', `ipc-secret.${SECRET}`])
    assert.equal(socket().binaryType, 'arraybuffer')
    assert.equal(transport.state, 'connecting')
    const ready = track(transport.ready)
    await flush()
    assert.equal(ready.settled, false)
    socket().open()
    await transport.ready
    assert.equal(transport.state, 'open')
    assert.deepEqual(states, ['connecting->open'])
  })

  it('derives the default URL from the page location', () => {
    assert.equal(defaultWebSocketUrl({ protocol: 'http:', host: '127.0.0.1:4000' }), 'ws://127.0.0.1:4000/ipc')
    assert.equal(defaultWebSocketUrl({ protocol: 'https:', host: 'localhost:8443' }), 'wss://localhost:8443/ipc')
    assert.equal(defaultWebSocketUrl({ protocol: 'file:', host: '' }), undefined)
    assert.equal(defaultWebSocketUrl({ protocol: 'http:', host: '' }), undefined)
    assert.equal(defaultWebSocketUrl(undefined), undefined)
  })

  it('takes the URL and the secret from the page by default', async () => {
    const page = fakePage(`http://127.0.0.1:5123/#ipc-secret=${SECRET}`)
    const globals = globalThis as Record<string, unknown>
    const saved = ['location', 'history', 'sessionStorage'].map((name) => Object.getOwnPropertyDescriptor(globals, name))
    globals['location'] = page.location
    globals['history'] = page.history
    globals['sessionStorage'] = page.sessionStorage
    try {
      const sockets: FakeWebSocket[] = []
      class Socket extends FakeWebSocket {
        constructor(url: string, protocols: string[]) {
          super(url, protocols)
          sockets.push(this)
        }
      }
      const transport = connectWebSocket({ WebSocketImpl: Socket, timers: new FakeClock() })
      assert.equal(sockets.length, 1)
      assert.equal(sockets[0]?.url, 'ws://127.0.0.1:5123/ipc')
      assert.deepEqual(sockets[0]?.protocols, [WS_PROTOCOL, `ipc-secret.${SECRET}`])
      assert.deepEqual(page.replaced, [{ data: page.history.state, url: 'http://127.0.0.1:5123/' }])
      assert.equal(page.items.get(SECRET_STORAGE_KEY), SECRET)
      transport.close()
    } finally {
      for (const [index, name] of ['location', 'history', 'sessionStorage'].entries()) {
        const descriptor = saved[index]
        if (descriptor === undefined) delete globals[name]
        else Object.defineProperty(globals, name, descriptor)
      }
    }
  })

  it('does not connect without a valid secret, URL or WebSocket', async () => {
    for (const [options, message] of [
      [{ secret: 'abc' }, /No valid IPC secret/],
      [{ secret: `${SECRET.slice(1)}g` }, /No valid IPC secret/],
      [{ secret: undefined }, /No valid IPC secret/],
      [{ url: undefined }, /No IPC WebSocket URL/],
    ] as const) {
      const { transport, sockets, states } = setup(options)
      assert.equal(sockets.length, 0)
      assert.equal(transport.state, 'closed')
      assert.deepEqual(states, ['connecting->closed'])
      await rejectsWith(transport.ready, 'IPC_NOT_CONNECTED', message)
      await rejectsWith(transport.invoke('notes.get', {}), 'IPC_NOT_CONNECTED')
      throwsWith(() => transport.send('log.write', {}), 'IPC_NOT_CONNECTED')
    }
    // Node 20 has no global WebSocket.
    const transport = connectWebSocket({ url: URL, secret: SECRET, timers: new FakeClock() })
    await rejectsWith(transport.ready, 'IPC_NOT_CONNECTED', /No WebSocket implementation/)
  })

  it('rejects ready when the handshake is refused, fails queued calls and does not reconnect', async () => {
    const { transport, clock, sockets, socket, states } = setup()
    const call = transport.invoke('notes.get', { id: 1 })
    transport.send('log.write', { line: 'queued' })
    socket().refuse()
    await rejectsWith(transport.ready, 'IPC_NOT_CONNECTED', /refused/)
    await rejectsWith(call, 'IPC_NOT_CONNECTED', /refused/)
    assert.equal(transport.state, 'closed')
    assert.deepEqual(states, ['connecting->closed'])
    assert.ok(socket().closeCalls >= 1)
    clock.advance(10 * 60_000)
    assert.equal(sockets.length, 1)
    assert.deepEqual(socket().sent, [])
  })

  it('treats a wrong subprotocol as a protocol error, without revealing the secret', async () => {
    for (const selected of ['', `ipc-secret.${SECRET}`, 'ipc-contracts.v2']) {
      const { transport, clock, sockets, socket, protocolErrors } = setup()
      const call = transport.invoke('notes.get', {})
      socket().open(selected)
      await rejectsWith(transport.ready, 'IPC_PROTOCOL_ERROR', /did not select the WebSocket subprotocol "ipc-contracts.v1"/)
      await rejectsWith(call, 'IPC_NOT_CONNECTED')
      assert.equal(transport.state, 'closed')
      assert.equal(protocolErrors.length, 1)
      assert.ok(!(protocolErrors[0]?.message ?? '').includes(SECRET))
      assert.deepEqual(socket().sent, [])
      assert.equal(socket().closeCalls, 1)
      clock.advance(10 * 60_000)
      assert.equal(sockets.length, 1)
    }
  })

  it('rejects ready when the WebSocket constructor throws', async () => {
    const failure = new SyntaxError('bad URL')
    class Throwing extends FakeWebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols)
        throw failure
      }
    }
    const { transport } = setup({ WebSocketImpl: Throwing })
    await assert.rejects(transport.ready, (error: unknown) => {
      assert.ok(error instanceof IPCTransportError)
      assert.equal(error.code, 'IPC_NOT_CONNECTED')
      assert.equal(error.cause, failure)
      return true
    })
    assert.equal(transport.state, 'closed')
  })
})

describe('connectWebSocket: invoke', () => {
  it('sends request envelopes with increasing numeric ids', () => {
    const { transport, socket } = openSetup()
    void transport.invoke('notes.get', { id: 7 })
    void transport.invoke('notes.list', undefined)
    assert.deepEqual(socket().sent, [
      '{"v":1,"id":1,"kind":"invoke","channel":"notes.get","payload":{"id":7}}',
      '{"v":1,"id":2,"kind":"invoke","channel":"notes.list","payload":null}',
    ])
  })

  it('pipelines concurrent calls and matches out-of-order replies by id', async () => {
    const { transport, socket, clock } = openSetup()
    const { invoke } = transport
    const calls = [invoke('math.add', { a: 1 }), invoke('math.add', { a: 2 }), invoke('math.add', { a: 3 })]
    assert.deepEqual(
      socket().requests.map((request) => (request as { id: unknown }).id),
      [1, 2, 3],
    )
    socket().receiveJson({ id: 3, ok: true, data: 'third' })
    socket().receiveJson({ id: 1, ok: true, data: 'first' })
    socket().receiveJson({ id: 2, ok: true, data: 'second' })
    assert.deepEqual(await Promise.all(calls), [
      { id: 1, ok: true, data: 'first' },
      { id: 2, ok: true, data: 'second' },
      { id: 3, ok: true, data: 'third' },
    ])
    // The calls shared one timer for their deadlines (besides the
    // connection's own); with no call pending, it lapses doing nothing.
    assert.equal(clock.scheduled, 2)
    clock.advance(30_000)
    assert.equal(clock.scheduled, 0)
  })

  it('passes error replies through unchanged for unwrapReply', async () => {
    const { transport, socket } = openSetup()
    const error = {
      name: 'IPCValidationError',
      message: 'Request validation failed: 1 issue',
      code: 'IPC_VALIDATION_ERROR',
      field: 'request',
      issues: [{ path: ['title'], message: 'Too long', expected: 'string' }],
    }
    const raw = transport.invoke('notes.create', { title: 'x' })
    socket().receiveJson({ id: 1, ok: false, error })
    assert.deepEqual(await raw, { id: 1, ok: false, error })

    const unwrapped = invokeAndUnwrap(transport, 'notes.create', { title: 'x' })
    socket().receiveJson({ id: 2, ok: false, error })
    await assert.rejects(unwrapped, (thrown: unknown) => {
      assert.ok(thrown instanceof IPCValidationError)
      assert.deepEqual(thrown.issues, error.issues)
      return true
    })
  })

  it('queues calls and sends made while connecting and sends them in order on open', async () => {
    const { transport, socket } = setup()
    const first = transport.invoke('a', 1)
    transport.send('b', 2)
    const third = transport.invoke('c', 3)
    assert.deepEqual(socket().sent, [])
    socket().open()
    assert.deepEqual(socket().sent, [
      '{"v":1,"id":1,"kind":"invoke","channel":"a","payload":1}',
      '{"v":1,"kind":"send","channel":"b","payload":2}',
      '{"v":1,"id":2,"kind":"invoke","channel":"c","payload":3}',
    ])
    socket().receiveJson({ id: 2, ok: true, data: 'c' })
    socket().receiveJson({ id: 1, ok: true, data: 'a' })
    assert.deepEqual(await Promise.all([first, third]), [
      { id: 1, ok: true, data: 'a' },
      { id: 2, ok: true, data: 'c' },
    ])
  })

  it('times out, forgets the id and ignores a late reply', async () => {
    const { transport, socket, clock, protocolErrors } = openSetup()
    const call = transport.invoke('slow', null, { timeoutMs: 100 })
    const status = track(call)
    clock.advance(99)
    await flush()
    assert.equal(status.settled, false)
    clock.advance(1)
    await rejectsWith(call, 'IPC_TIMEOUT', /slow timed out after 100 ms/)
    socket().receiveJson({ id: 1, ok: true, data: 'late' })
    assert.deepEqual(protocolErrors, [])
    const next = transport.invoke('fast', null)
    socket().receiveJson({ id: 2, ok: true, data: 'on time' })
    assert.deepEqual(await next, { id: 2, ok: true, data: 'on time' })
  })

  it('applies the default timeout, and none for Infinity', async () => {
    const { transport, socket, clock } = openSetup({ defaultTimeoutMs: 1_000 })
    const byDefault = transport.invoke('a', null)
    const unbounded = transport.invoke('b', null, { timeoutMs: Infinity })
    const status = track(unbounded)
    clock.advance(1_000)
    await rejectsWith(byDefault, 'IPC_TIMEOUT')
    clock.advance(30 * 24 * 3_600_000)
    await flush()
    assert.equal(status.settled, false)
    socket().receiveJson({ id: 2, ok: true, data: 'b' })
    assert.deepEqual(await unbounded, { id: 2, ok: true, data: 'b' })
  })

  it('times out a call queued before open without ever sending it', async () => {
    const { transport, socket, clock } = setup()
    const call = transport.invoke('a', null, { timeoutMs: 50 })
    clock.advance(50)
    await rejectsWith(call, 'IPC_TIMEOUT')
    socket().open()
    assert.deepEqual(socket().sent, [])
  })

  it('keeps one timer for the deadlines of all pending calls', async () => {
    const { transport, clock } = openSetup({ defaultTimeoutMs: 1_000 })
    const before = clock.scheduled
    const calls = Array.from({ length: 50 }, (_, i) => transport.invoke('a', i))
    const statuses = calls.map(track)
    assert.equal(clock.scheduled, before + 1)
    // An earlier deadline re-arms that one timer.
    const soon = transport.invoke('b', null, { timeoutMs: 10 })
    assert.equal(clock.scheduled, before + 1)
    clock.advance(10)
    await rejectsWith(soon, 'IPC_TIMEOUT', /b timed out after 10 ms/)
    clock.advance(989)
    await flush()
    assert.ok(statuses.every((status) => !status.settled))
    clock.advance(1)
    for (const call of calls) await rejectsWith(call, 'IPC_TIMEOUT', /a timed out after 1000 ms/)
    assert.equal(clock.scheduled, before)
  })

  it('starts no timer for sequential calls, and lets the last one lapse', async () => {
    const { transport, socket, clock } = openSetup({ defaultTimeoutMs: 1_000 })
    const before = clock.scheduled
    for (let id = 1; id <= 5; id += 1) {
      const call = transport.invoke('a', id)
      socket().receiveJson({ id, ok: true, data: id })
      assert.deepEqual(await call, { id, ok: true, data: id })
      clock.advance(100)
      // The timer armed for the first call's deadline serves them all.
      assert.equal(clock.scheduled, before + 1)
    }
    // It fires at that deadline, re-arms for the last pending call, if any,
    // and otherwise lapses.
    const last = transport.invoke('b', null)
    const status = track(last)
    clock.advance(500)
    await flush()
    assert.equal(status.settled, false)
    assert.equal(clock.scheduled, before + 1)
    socket().receiveJson({ id: 6, ok: true, data: 'b' })
    await last
    clock.advance(1_000)
    assert.equal(clock.scheduled, before)
  })

  it('gives each call a timer of its own when the timers have no clock', async () => {
    const clock = new FakeClock()
    const timers: TimerFunctions = {
      setTimeout: (callback, delayMs) => clock.setTimeout(callback, delayMs),
      clearTimeout: (handle) => clock.clearTimeout(handle),
    }
    const { transport } = openSetup({ timers })
    const before = clock.scheduled
    const later = transport.invoke('a', null, { timeoutMs: 100 })
    const status = track(later)
    const sooner = transport.invoke('b', null, { timeoutMs: 50 })
    assert.equal(clock.scheduled, before + 2)
    clock.advance(50)
    await rejectsWith(sooner, 'IPC_TIMEOUT')
    await flush()
    assert.equal(status.settled, false)
    clock.advance(50)
    await rejectsWith(later, 'IPC_TIMEOUT')
    assert.equal(clock.scheduled, before)
  })

  it('rejects with IPC_ABORTED when the signal aborts, and ignores the late reply', async () => {
    const { transport, socket, protocolErrors } = openSetup()
    const aborted = new AbortController()
    aborted.abort()
    await rejectsWith(transport.invoke('a', null, { signal: aborted.signal }), 'IPC_ABORTED')
    assert.deepEqual(socket().sent, [])

    const controller = new AbortController()
    const call = transport.invoke('b', null, { signal: controller.signal })
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    controller.abort()
    await rejectsWith(call, 'IPC_ABORTED')
    const [request] = socket().requests as { id: number }[]
    socket().receiveJson({ id: request?.id, ok: true, data: 'late' })
    assert.deepEqual(protocolErrors, [])

    const settled = new AbortController()
    const answered = transport.invoke('c', null, { signal: settled.signal })
    // The aborted-before-the-call attempt used no id.
    socket().receiveJson({ id: 2, ok: true, data: 'c' })
    await answered
    assert.equal(getEventListeners(settled.signal, 'abort').length, 0)
  })

  it('rejects every waiting call with IPC_DISCONNECTED when the socket drops', async () => {
    const { transport, socket, states } = openSetup()
    const calls = [transport.invoke('a', 1), transport.invoke('b', 2), transport.invoke('c', 3)]
    socket().drop()
    for (const call of calls) await rejectsWith(call, 'IPC_DISCONNECTED')
    assert.equal(transport.state, 'reconnecting')
    assert.deepEqual(states, ['connecting->open', 'open->reconnecting'])
    await rejectsWith(transport.invoke('d', 4), 'IPC_NOT_CONNECTED', /reconnecting/)
    throwsWith(() => transport.send('e', 5), 'IPC_NOT_CONNECTED', /reconnecting/)
  })

  it('caps the number of waiting calls', async () => {
    const { transport, socket } = openSetup({ maxPendingCalls: 2 })
    const first = transport.invoke('a', 1)
    void transport.invoke('b', 2)
    await rejectsWith(transport.invoke('c', 3), 'IPC_NOT_CONNECTED', /Too many IPC calls/)
    assert.equal(socket().sent.length, 2)
    socket().receiveJson({ id: 1, ok: true, data: null })
    await first
    void transport.invoke('d', 4)
    assert.equal(socket().sent.length, 3)
  })

  it('caps the messages queued while connecting', async () => {
    const { transport } = setup({ maxPendingCalls: 2 })
    transport.send('a', 1)
    transport.send('b', 2)
    throwsWith(() => transport.send('c', 3), 'IPC_NOT_CONNECTED', /Too many IPC messages/)
  })

  it('rejects payloads that cannot be serialized as JSON', async () => {
    const { transport, socket } = openSetup()
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    for (const payload of [10n, cyclic, () => 1, Symbol('s')]) {
      await rejectsWith(transport.invoke('a', payload), 'IPC_PROTOCOL_ERROR', /cannot be serialized/)
      throwsWith(() => transport.send('a', payload), 'IPC_PROTOCOL_ERROR', /cannot be serialized/)
    }
    assert.deepEqual(socket().sent, [])
  })

  it('rejects a malformed reply to a waiting call', async () => {
    const { transport, socket } = openSetup()
    const first = transport.invoke('a', null)
    const second = transport.invoke('b', null)
    const third = transport.invoke('c', null)
    socket().receiveJson({ id: 1, ok: 'yes', data: 1 })
    socket().receiveJson({ id: 2, ok: true })
    // `__proto__` in JSON is an own key, never the prototype.
    socket().receive('{"id":3,"__proto__":{"ok":true,"data":1}}')
    await rejectsWith(first, 'IPC_PROTOCOL_ERROR', /malformed IPC reply/)
    await rejectsWith(second, 'IPC_PROTOCOL_ERROR', /malformed IPC reply/)
    await rejectsWith(third, 'IPC_PROTOCOL_ERROR', /malformed IPC reply/)
  })

  it('ignores replies to unknown ids', async () => {
    const { transport, socket, protocolErrors } = openSetup()
    const call = transport.invoke('a', null)
    const status = track(call)
    socket().receiveJson({ id: 999, ok: true, data: 'stranger' })
    socket().receiveJson({ id: '1', ok: true, data: 'string id' })
    socket().receiveJson({ id: 1.5, ok: true, data: 'fraction' })
    await flush()
    assert.equal(status.settled, false)
    assert.deepEqual(protocolErrors, [])
    socket().receiveJson({ id: 1, ok: true, data: 'mine' })
    assert.deepEqual(await call, { id: 1, ok: true, data: 'mine' })
  })

  it('rejects a non-string channel', async () => {
    const { transport } = openSetup()
    await rejectsWith(transport.invoke(42 as unknown as string, null), 'IPC_PROTOCOL_ERROR')
    throwsWith(() => transport.send(42 as unknown as string, null), 'IPC_PROTOCOL_ERROR')
  })
})

describe('connectWebSocket: send', () => {
  it('sends envelopes without an id and expects no reply', () => {
    const { transport, socket, clock } = openSetup()
    const scheduled = clock.scheduled
    transport.send('log.write', { line: 'hello' })
    transport.send('log.flush', undefined)
    assert.deepEqual(socket().sent, [
      '{"v":1,"kind":"send","channel":"log.write","payload":{"line":"hello"}}',
      '{"v":1,"kind":"send","channel":"log.flush","payload":null}',
    ])
    assert.equal(clock.scheduled, scheduled)
  })
})

describe('connectWebSocket: events', () => {
  it('dispatches events to the subscribers of their channel until they unsubscribe', () => {
    const { transport, socket } = openSetup()
    const received: unknown[] = []
    const other: unknown[] = []
    const unsubscribe = transport.subscribe('notes.changed', (payload) => received.push(payload))
    transport.subscribe('notes.deleted', (payload) => other.push(payload))
    socket().receiveJson({ v: 1, kind: 'event', channel: 'notes.changed', payload: { id: 1 } })
    socket().receiveJson({ v: 1, kind: 'event', channel: 'unknown.channel', payload: 0 })
    assert.deepEqual(received, [{ id: 1 }])
    assert.deepEqual(other, [])
    unsubscribe()
    unsubscribe()
    socket().receiveJson({ v: 1, kind: 'event', channel: 'notes.changed', payload: { id: 2 } })
    assert.deepEqual(received, [{ id: 1 }])
  })

  it('delivers to a listener once per subscription', () => {
    const { transport, socket } = openSetup()
    const received: unknown[] = []
    const listener = (payload: unknown): void => {
      received.push(payload)
    }
    const first = transport.subscribe('tick', listener)
    transport.subscribe('tick', listener)
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 1 })
    first()
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 2 })
    assert.deepEqual(received, [1, 1, 2])
  })

  it('isolates a throwing listener', () => {
    const { transport, socket, listenerErrors } = openSetup()
    const failure = new Error('listener failed')
    const received: unknown[] = []
    transport.subscribe('tick', () => {
      throw failure
    })
    transport.subscribe('tick', (payload) => received.push(payload))
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 1 })
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 2 })
    assert.deepEqual(received, [1, 2])
    assert.deepEqual(listenerErrors, [
      { error: failure, channel: 'tick' },
      { error: failure, channel: 'tick' },
    ])
    assert.equal(transport.state, 'open')
  })

  it('reports listener errors with reportError by default', () => {
    const globals = globalThis as Record<string, unknown>
    const reported: unknown[] = []
    globals['reportError'] = (error: unknown) => reported.push(error)
    try {
      const { transport, socket } = openSetup({ onListenerError: undefined })
      const failure = new Error('listener failed')
      transport.subscribe('tick', () => {
        throw failure
      })
      socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 1 })
      assert.deepEqual(reported, [failure])
    } finally {
      delete globals['reportError']
    }
  })

  it('skips a listener unsubscribed by an earlier one in the same dispatch', () => {
    const { transport, socket } = openSetup()
    const calls: string[] = []
    let unsubscribeSecond = (): void => undefined
    transport.subscribe('tick', () => {
      calls.push('first')
      unsubscribeSecond()
    })
    unsubscribeSecond = transport.subscribe('tick', () => calls.push('second'))
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 1 })
    assert.deepEqual(calls, ['first'])
  })

  it('rejects a listener that is not a function', () => {
    const { transport } = openSetup()
    assert.throws(() => transport.subscribe('tick', 'nope' as unknown as () => void), TypeError)
  })
})

describe('connectWebSocket: hostile input', () => {
  it('reports replies with a null id, with the rebuilt error as the cause', async () => {
    const { transport, socket, protocolErrors } = openSetup()
    const call = transport.invoke('a', null)
    socket().receiveJson({
      id: null,
      ok: false,
      error: {
        name: 'IPCHandlerError',
        message: 'The request is not valid JSON',
        code: 'IPC_MALFORMED_REQUEST',
        statusCode: 400,
      },
    })
    assert.equal(protocolErrors.length, 1)
    const [reported] = protocolErrors
    assert.equal(reported?.code, 'IPC_PROTOCOL_ERROR')
    assert.match(reported?.message ?? '', /could not match to a request: The request is not valid JSON/)
    assert.ok(reported?.cause instanceof IPCHandlerError)
    assert.equal(reported.cause.code, 'IPC_MALFORMED_REQUEST')
    assert.equal(reported.cause.statusCode, 400)
    socket().receiveJson({ id: 1, ok: true, data: 'still fine' })
    assert.deepEqual(await call, { id: 1, ok: true, data: 'still fine' })
  })

  it('reports and drops malformed messages', () => {
    const { transport, socket, protocolErrors } = openSetup()
    const received: unknown[] = []
    transport.subscribe('a', (payload) => received.push(payload))
    const frames = [
      'not json',
      '[1]',
      '42',
      'null',
      '{"kind":"other","channel":"a","payload":1}',
      '{"v":2,"kind":"event","channel":"a","payload":1}',
      '{"kind":"event","channel":"a","payload":1}',
      '{"v":1,"kind":"event","channel":7,"payload":1}',
      '{"v":1,"kind":"event","payload":1}',
      '{"v":1,"kind":"event","channel":"a"}',
      '{"v":1,"channel":"a","payload":1}',
      '{"id":null,"ok":true,"data":1}',
    ]
    for (const frame of frames) socket().receive(frame)
    assert.equal(protocolErrors.length, frames.length)
    for (const error of protocolErrors) assert.equal(error.code, 'IPC_PROTOCOL_ERROR')
    assert.deepEqual(received, [])
    assert.equal(transport.state, 'open')
  })

  it('does not parse text frames over the size limit', () => {
    const { transport, socket, protocolErrors } = openSetup({ maxInboundTextLength: 100 })
    const received: unknown[] = []
    transport.subscribe('a', (payload) => received.push(payload))
    const frame = (length: number): string => {
      const prefix = '{"v":1,"kind":"event","channel":"a","payload":"'
      return `${prefix}${'x'.repeat(length - prefix.length - 2)}"}`
    }
    socket().receive(frame(100))
    socket().receive(frame(101))
    assert.equal(received.length, 1)
    assert.equal(protocolErrors.length, 1)
    assert.match(protocolErrors[0]?.message ?? '', /101 characters; the limit is 100/)
  })

  it('reports and ignores binary frames', () => {
    const { socket, protocolErrors } = openSetup()
    socket().receive(new ArrayBuffer(8))
    socket().receive(encodeBinaryFrame({ stream: 1 }, new Uint8Array([1])))
    assert.equal(protocolErrors.length, 2)
    assert.match(protocolErrors[0]?.message ?? '', /binary frame/)
  })

  it('warns on the console by default', () => {
    const original = console.warn
    const warned: unknown[] = []
    console.warn = (...args: unknown[]) => {
      warned.push(...args)
    }
    try {
      const { socket } = openSetup({ onProtocolError: undefined })
      socket().receive('not json')
    } finally {
      console.warn = original
    }
    assert.equal(warned.length, 1)
    assert.ok(warned[0] instanceof IPCTransportError)
  })
})

describe('connectWebSocket: reconnecting', () => {
  const backoff = { initialDelayMs: 100, maxDelayMs: 400, factor: 2, maxAttempts: 10, stableAfterMs: 1_000 }

  it('reconnects with capped exponential backoff', () => {
    const { transport, clock, sockets, socket } = openSetup({ reconnect: backoff })
    socket().drop()
    assert.equal(transport.state, 'reconnecting')
    for (const delay of [100, 200, 400, 400]) {
      const before = sockets.length
      clock.advance(delay - 1)
      assert.equal(sockets.length, before, `no attempt before ${delay} ms`)
      clock.advance(1)
      assert.equal(sockets.length, before + 1, `an attempt after ${delay} ms`)
      assert.deepEqual(socket().protocols, [WS_PROTOCOL, `ipc-secret.${SECRET}`])
      socket().refuse()
      assert.equal(transport.state, 'reconnecting')
    }
  })

  it('keeps subscriptions across a reconnect and never retries calls', async () => {
    const { transport, clock, sockets, socket, states } = openSetup({ reconnect: backoff })
    const received: unknown[] = []
    transport.subscribe('tick', (payload) => received.push(payload))
    const call = transport.invoke('a', null)
    socket().drop()
    await rejectsWith(call, 'IPC_DISCONNECTED')
    clock.advance(100)
    assert.equal(sockets.length, 2)
    socket().open()
    assert.equal(transport.state, 'open')
    assert.deepEqual(states, ['connecting->open', 'open->reconnecting', 'reconnecting->open'])
    assert.deepEqual(socket().sent, [])
    socket().receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 'after' })
    assert.deepEqual(received, ['after'])
    const next = transport.invoke('b', null)
    assert.deepEqual(socket().requests, [{ v: 1, id: 2, kind: 'invoke', channel: 'b', payload: null }])
    socket().receiveJson({ id: 2, ok: true, data: 'b' })
    assert.deepEqual(await next, { id: 2, ok: true, data: 'b' })
  })

  it('ignores messages from a socket it has left', () => {
    const { transport, clock, sockets, protocolErrors } = openSetup({ reconnect: backoff })
    const received: unknown[] = []
    transport.subscribe('tick', (payload) => received.push(payload))
    const old = sockets[0]
    assert.ok(old !== undefined)
    old.drop()
    clock.advance(100)
    sockets[1]?.open()
    old.receiveJson({ v: 1, kind: 'event', channel: 'tick', payload: 'stale' })
    old.receive('not json')
    old.drop()
    assert.deepEqual(received, [])
    assert.deepEqual(protocolErrors, [])
    assert.equal(transport.state, 'open')
  })

  it('resets the backoff only once a connection has stayed open', () => {
    const { clock, sockets, socket } = openSetup({ reconnect: backoff })
    const attemptAfter = (delay: number): void => {
      const before = sockets.length
      clock.advance(delay - 1)
      assert.equal(sockets.length, before, `no attempt before ${delay} ms`)
      clock.advance(1)
      assert.equal(sockets.length, before + 1, `an attempt after ${delay} ms`)
    }
    socket().drop()
    attemptAfter(100)
    socket().open()
    clock.advance(999)
    socket().drop()
    attemptAfter(200)
    socket().open()
    clock.advance(1_000)
    socket().drop()
    attemptAfter(100)
  })

  it('gives up after the last attempt', async () => {
    const { transport, clock, sockets, socket, states } = openSetup({ reconnect: { ...backoff, maxAttempts: 2 } })
    socket().drop()
    clock.advance(100)
    socket().refuse()
    clock.advance(200)
    socket().refuse()
    assert.equal(transport.state, 'closed')
    assert.deepEqual(states, ['connecting->open', 'open->reconnecting', 'reconnecting->closed'])
    clock.advance(10 * 60_000)
    assert.equal(sockets.length, 3)
    await rejectsWith(transport.invoke('a', null), 'IPC_NOT_CONNECTED', /closed/)
  })

  it('does not reconnect when reconnect is false', async () => {
    const { transport, clock, sockets, socket } = openSetup({ reconnect: false })
    const call = transport.invoke('a', null)
    socket().drop()
    await rejectsWith(call, 'IPC_DISCONNECTED')
    assert.equal(transport.state, 'closed')
    clock.advance(60_000)
    assert.equal(sockets.length, 1)
  })

  it('counts a WebSocket constructor that throws as a failed attempt', () => {
    const sockets: FakeWebSocket[] = []
    let failing = false
    class Flaky extends FakeWebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols)
        if (failing) throw new Error('out of sockets')
        sockets.push(this)
      }
    }
    const { transport, clock } = setup({ WebSocketImpl: Flaky, reconnect: backoff })
    sockets[0]?.open()
    failing = true
    sockets[0]?.drop()
    clock.advance(100)
    assert.equal(transport.state, 'reconnecting')
    failing = false
    clock.advance(199)
    assert.equal(sockets.length, 1)
    clock.advance(1)
    assert.equal(sockets.length, 2)
    sockets[1]?.open()
    assert.equal(transport.state, 'open')
  })

  it('uses the default backoff', () => {
    const { clock, sockets, socket } = openSetup()
    socket().drop()
    clock.advance(249)
    assert.equal(sockets.length, 1)
    clock.advance(1)
    assert.equal(sockets.length, 2)
  })
})

describe('connectWebSocket: close', () => {
  it('rejects waiting calls with IPC_DISCONNECTED, closes the socket and stays closed', async () => {
    const { transport, socket, clock, sockets, states, protocolErrors } = openSetup()
    const call = transport.invoke('a', null)
    transport.close()
    await rejectsWith(call, 'IPC_DISCONNECTED')
    assert.equal(transport.state, 'closed')
    assert.equal(socket().closeCalls, 1)
    transport.close()
    assert.equal(socket().closeCalls, 1)
    assert.deepEqual(states, ['connecting->open', 'open->closed'])
    socket().receiveJson({ id: 1, ok: true, data: 'late' })
    socket().drop()
    assert.deepEqual(protocolErrors, [])
    clock.advance(60_000)
    assert.equal(sockets.length, 1)
    assert.equal(clock.scheduled, 0)
    await rejectsWith(transport.invoke('b', null), 'IPC_NOT_CONNECTED', /closed/)
    throwsWith(() => transport.send('c', null), 'IPC_NOT_CONNECTED', /closed/)
  })

  it('rejects ready and queued calls when closed before open', async () => {
    const { transport, socket } = setup()
    const call = transport.invoke('a', null)
    transport.send('b', null)
    transport.close()
    await rejectsWith(transport.ready, 'IPC_NOT_CONNECTED', /closed before it connected/)
    await rejectsWith(call, 'IPC_DISCONNECTED')
    socket().open()
    assert.deepEqual(socket().sent, [])
    assert.equal(transport.state, 'closed')
  })

  it('stops a pending reconnect', () => {
    const { transport, clock, sockets, socket } = openSetup()
    socket().drop()
    transport.close()
    clock.advance(60_000)
    assert.equal(sockets.length, 1)
    assert.equal(transport.state, 'closed')
  })

  it('can be called from a state listener', () => {
    let transport: WebSocketTransport | undefined
    const harness = setup({
      onStateChange: (state) => {
        if (state === 'open') transport?.close()
      },
    })
    transport = harness.transport
    harness.socket().open()
    assert.equal(harness.transport.state, 'closed')
    assert.equal(harness.socket().closeCalls, 1)
  })
})

describe('binary frames', () => {
  const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)

  it('round-trips a header and a body', () => {
    const header = { stream: 7, seq: 2, name: 'caf\u00e9 \u2603' }
    const body = bytes(0, 1, 2, 254, 255)
    const frame = encodeBinaryFrame(header, body)
    const headerBytes = new TextEncoder().encode(JSON.stringify(header))
    assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 0, headerBytes.length])
    assert.deepEqual([...frame.subarray(4, 4 + headerBytes.length)], [...headerBytes])
    assert.deepEqual([...frame.subarray(4 + headerBytes.length)], [...body])
    const decoded = decodeBinaryFrame(frame)
    assert.deepEqual(decoded.header, header)
    assert.deepEqual([...decoded.body], [...body])
  })

  it('writes the header length big-endian', () => {
    const header = { data: 'x'.repeat(300) }
    const frame = encodeBinaryFrame(header, new Uint8Array(0))
    const length = JSON.stringify(header).length
    assert.deepEqual([...frame.subarray(0, 4)], [0, 0, length >> 8, length & 0xff])
    assert.equal(frame.length, 4 + length)
    assert.equal(decodeBinaryFrame(frame).body.length, 0)
  })

  it('decodes a frame inside a larger buffer, returning a view of the body', () => {
    const inner = encodeBinaryFrame({ a: 1 }, bytes(9, 8, 7))
    const outer = new Uint8Array(inner.length + 10)
    outer.set(inner, 5)
    const frame = outer.subarray(5, 5 + inner.length)
    const decoded = decodeBinaryFrame(frame)
    assert.deepEqual(decoded.header, { a: 1 })
    assert.deepEqual([...decoded.body], [9, 8, 7])
    assert.equal(decoded.body.buffer, outer.buffer)
  })

  it('accepts a header of exactly the maximum length', () => {
    const max = BINARY_FRAME_LIMITS.maxHeaderLength
    const filler = 'x'.repeat(max - '{"a":""}'.length)
    const frame = encodeBinaryFrame({ a: filler }, bytes(1))
    assert.deepEqual([...frame.subarray(0, 4)], [0, 1, 0, 0])
    assert.deepEqual(decodeBinaryFrame(frame).header, { a: filler })
    throwsWith(() => encodeBinaryFrame({ a: `${filler}x` }, bytes(1)), 'IPC_PROTOCOL_ERROR', /limit is 65536/)
  })

  it('rejects malformed frames', () => {
    const withLength = (length: number, rest: number[]): Uint8Array =>
      bytes(length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, ...rest)
    const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)]
    const cases: [Uint8Array, RegExp][] = [
      [bytes(), /shorter/],
      [bytes(0, 0, 2), /shorter/],
      [withLength(0, [1, 2]), /empty header/],
      [withLength(3, utf8('{}')), /past the end/],
      [withLength(0xffffffff, utf8('{}')), /limit/],
      [withLength(65_537, new Array<number>(65_537).fill(0x20)), /limit/],
      [withLength(3, [0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
      [withLength(2, utf8('{]')), /not UTF-8 JSON/],
      [withLength(5, [0xef, 0xbb, 0xbf, ...utf8('{}')]), /not UTF-8 JSON/],
      [withLength(2, utf8('[]')), /not a JSON object/],
      [withLength(1, utf8('7')), /not a JSON object/],
      [withLength(4, utf8('null')), /not a JSON object/],
    ]
    for (const [frame, message] of cases) {
      throwsWith(() => decodeBinaryFrame(frame), 'IPC_PROTOCOL_ERROR', message)
    }
    throwsWith(() => decodeBinaryFrame([0, 0, 0, 2] as unknown as Uint8Array), 'IPC_PROTOCOL_ERROR')
  })

  it('rejects headers that are not JSON objects', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    for (const header of [[1, 2], new Date(0), { n: 1n }, cyclic]) {
      throwsWith(() => encodeBinaryFrame(header, bytes()), 'IPC_PROTOCOL_ERROR')
    }
  })
})

interface FakePage {
  location: LocationLike
  history: HistoryLike
  sessionStorage: StorageLike
  replaced: { data: unknown; url: string | null | undefined }[]
  items: Map<string, string>
}

function fakePage(href: string, stored?: string): FakePage {
  const cut = href.indexOf('#')
  const replaced: FakePage['replaced'] = []
  const items = new Map<string, string>()
  if (stored !== undefined) items.set(SECRET_STORAGE_KEY, stored)
  return {
    location: { href, hash: cut === -1 ? '' : href.slice(cut), protocol: 'http:', host: '127.0.0.1:5123' },
    history: {
      state: { route: 'home' },
      replaceState(data: unknown, _unused: string, url?: string | null): void {
        replaced.push({ data, url })
      },
    },
    sessionStorage: {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => {
        items.set(key, value)
      },
    },
    replaced,
    items,
  }
}

describe('takeSecretFromLocation', () => {
  it('takes the secret from the fragment, removes it from the address bar and stores it', () => {
    const page = fakePage(`http://127.0.0.1:5123/#ipc-secret=${SECRET}`)
    assert.equal(takeSecretFromLocation(page), SECRET)
    assert.deepEqual(page.replaced, [{ data: page.history.state, url: 'http://127.0.0.1:5123/' }])
    assert.equal(page.items.get(SECRET_STORAGE_KEY), SECRET)
  })

  it('keeps the rest of the fragment', () => {
    const page = fakePage(`http://127.0.0.1:5123/app?x=1#/notes?id=3&ipc-secret=${SECRET}&tab=2`)
    assert.equal(takeSecretFromLocation(page), SECRET)
    assert.deepEqual(
      page.replaced.map((entry) => entry.url),
      ['http://127.0.0.1:5123/app?x=1#/notes?id=3&tab=2'],
    )
  })

  it('drops empty fragment parts left around the secret', () => {
    const page = fakePage(`http://127.0.0.1:5123/#&ipc-secret=${SECRET}&`)
    assert.equal(takeSecretFromLocation(page), SECRET)
    assert.deepEqual(
      page.replaced.map((entry) => entry.url),
      ['http://127.0.0.1:5123/'],
    )
  })

  it('prefers the fragment over the stored secret and replaces it', () => {
    const page = fakePage(`http://127.0.0.1:5123/#ipc-secret=${OTHER_SECRET}`, SECRET)
    assert.equal(takeSecretFromLocation(page), OTHER_SECRET)
    assert.equal(page.items.get(SECRET_STORAGE_KEY), OTHER_SECRET)
  })

  it('falls back to the stored secret after a reload', () => {
    const page = fakePage('http://127.0.0.1:5123/#/notes', SECRET)
    assert.equal(takeSecretFromLocation(page), SECRET)
    assert.deepEqual(page.replaced, [])
    const bare = fakePage('http://127.0.0.1:5123/', SECRET)
    assert.equal(takeSecretFromLocation(bare), SECRET)
  })

  it('removes but ignores invalid secrets in the fragment', () => {
    for (const value of ['abc', `${SECRET.slice(1)}z`, '', 'a'.repeat(513)]) {
      const page = fakePage(`http://127.0.0.1:5123/#ipc-secret=${value}&tab=2`, OTHER_SECRET)
      assert.equal(takeSecretFromLocation(page), OTHER_SECRET)
      assert.deepEqual(
        page.replaced.map((entry) => entry.url),
        ['http://127.0.0.1:5123/#tab=2'],
      )
    }
    const noValue = fakePage('http://127.0.0.1:5123/#ipc-secret')
    assert.equal(takeSecretFromLocation(noValue), undefined)
    assert.deepEqual(
      noValue.replaced.map((entry) => entry.url),
      ['http://127.0.0.1:5123/'],
    )
  })

  it('ignores an invalid stored secret', () => {
    assert.equal(takeSecretFromLocation(fakePage('http://127.0.0.1:5123/', 'not hex')), undefined)
    assert.equal(takeSecretFromLocation(fakePage('http://127.0.0.1:5123/', 'abcd')), undefined)
  })

  it('still returns the secret when storage and history throw', () => {
    const page = fakePage(`http://127.0.0.1:5123/#ipc-secret=${SECRET}`)
    const failing = (): never => {
      throw new Error('SecurityError')
    }
    const environment = {
      location: page.location,
      history: { state: null, replaceState: failing },
      sessionStorage: { getItem: failing, setItem: failing },
    }
    assert.equal(takeSecretFromLocation(environment), SECRET)
    assert.equal(
      takeSecretFromLocation({ location: fakePage('http://127.0.0.1:5123/').location, sessionStorage: environment.sessionStorage }),
      undefined,
    )
  })

  it('returns undefined without a page', () => {
    assert.equal(takeSecretFromLocation({}), undefined)
    // Node has no location, history or sessionStorage.
    assert.equal(takeSecretFromLocation(), undefined)
  })
})
