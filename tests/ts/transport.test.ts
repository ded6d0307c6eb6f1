import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import {
  IPCHandlerError,
  IPCTransportError,
  IPCValidationError,
  isFrameworkError,
} from '../../examples/notes/renderer/src/ipc/errors.js'
import {
  invokeAndUnwrap,
  isWireReply,
  unwrapReply,
  type CallOptions,
  type Transport,
  type WireReply,
} from '../../examples/notes/renderer/src/ipc/transport.js'

function assertProtocolError(reply: unknown): void {
  assert.throws(
    () => unwrapReply(reply),
    (error: unknown) => {
      assert.ok(error instanceof IPCTransportError, `expected IPCTransportError for a ${typeof reply}`)
      assert.equal(error.code, 'IPC_PROTOCOL_ERROR')
      assert.equal(error.message, 'Received a malformed IPC reply envelope')
      return true
    },
  )
  assert.equal(isWireReply(reply), false)
}

/** Transport that answers every invoke with a fixed reply and records the calls. */
class ScriptedTransport implements Transport {
  readonly calls: { channel: string; payload: unknown; options: CallOptions | undefined }[] = []
  readonly sent: { channel: string; payload: unknown }[] = []
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>()

  constructor(private readonly answer: () => Promise<WireReply>) {}

  invoke(channel: string, payload: unknown, options?: CallOptions): Promise<WireReply> {
    this.calls.push({ channel, payload, options })
    return this.answer()
  }

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload })
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set()
    set.add(listener)
    this.listeners.set(channel, set)
    return () => set.delete(listener)
  }

  emit(channel: string, payload: unknown): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload)
  }
}

describe('unwrapReply', () => {
  it('returns the data of a successful reply', () => {
    assert.deepEqual(unwrapReply({ id: 1, ok: true, data: { sum: 3 } }), { sum: 3 })
    assert.equal(unwrapReply({ id: 'req-7', ok: true, data: null }), null)
    assert.equal(unwrapReply({ ok: true, data: 0 }), 0)
    assert.equal(unwrapReply({ ok: true, data: undefined }), undefined)
    assert.deepEqual(unwrapReply(JSON.parse('{"id":2,"ok":true,"data":[1,"two"]}')), [1, 'two'])
  })

  it('throws a validation error rebuilt from the reply', () => {
    const reply = JSON.parse(
      JSON.stringify({
        id: 3,
        ok: false,
        error: {
          name: 'IPCValidationError',
          code: 'IPC_VALIDATION_ERROR',
          message: 'Invalid request',
          field: 'request',
          issues: [{ path: ['title'], message: 'String must contain at most 200 characters', expected: 'string' }],
        },
      }),
    ) as unknown
    assert.throws(
      () => unwrapReply(reply),
      (error: unknown) => {
        assert.ok(error instanceof IPCValidationError)
        assert.equal(error.field, 'request')
        assert.deepEqual(error.issues, [
          { path: ['title'], message: 'String must contain at most 200 characters', expected: 'string' },
        ])
        return true
      },
    )
  })

  it('throws a typed contract error with its details', () => {
    const reply = { id: 4, ok: false, error: { name: 'IPCHandlerError', code: 'NOT_FOUND', message: 'No such note', statusCode: 404, details: { id: 'n1' } } }
    assert.throws(
      () => unwrapReply(reply),
      (error: unknown) => {
        assert.ok(error instanceof IPCHandlerError)
        assert.equal(error.code, 'NOT_FOUND')
        assert.equal(error.statusCode, 404)
        assert.deepEqual(error.details, { id: 'n1' })
        assert.equal(isFrameworkError(error), false)
        return true
      },
    )
  })

  it('throws framework failures recognizable by isFrameworkError', () => {
    const reply = { id: 5, ok: false, error: { name: 'IPCHandlerError', code: 'IPC_UNKNOWN_CHANNEL', message: 'Unknown channel', statusCode: 404 } }
    assert.throws(
      () => unwrapReply(reply),
      (error: unknown) => {
        assert.ok(isFrameworkError(error))
        assert.equal(error.code, 'IPC_UNKNOWN_CHANNEL')
        return true
      },
    )
  })

  it('wraps an unrecognized error value in a plain Error', () => {
    assert.throws(
      () => unwrapReply({ id: 6, ok: false, error: 'kaput' }),
      (error: unknown) => {
        assert.equal(Object.getPrototypeOf(error), Error.prototype)
        assert.equal((error as Error).message, 'kaput')
        return true
      },
    )
    assert.throws(
      () => unwrapReply({ ok: false, error: null }),
      (error: unknown) => error instanceof Error && error.message === 'null',
    )
  })

  it('rejects malformed envelopes with IPC_PROTOCOL_ERROR', () => {
    const malformed: unknown[] = [
      null,
      undefined,
      'ok',
      42,
      true,
      [],
      [{ ok: true, data: 1 }],
      {},
      { ok: 'true', data: 1 },
      { ok: 1, data: 1 },
      { ok: 'false', error: 1 },
      { ok: null, error: 1 },
      { ok: true },
      { ok: false },
      { ok: false, data: 1 },
      { ok: true, error: 1 },
      { id: {}, ok: true, data: 1 },
      { id: null, ok: true, data: 1 },
      { id: Number.NaN, ok: true, data: 1 },
      { id: true, ok: true, data: 1 },
      Object.create({ ok: true, data: 1 }),
      JSON.parse('{"__proto__":{"ok":true,"data":1}}'),
      Object.assign(Object.create(null) as object, { ok: true }),
    ]
    for (const reply of malformed) assertProtocolError(reply)
  })

  it('never invokes getters on the envelope', () => {
    let called = 0
    const reply = { id: 1 }
    Object.defineProperty(reply, 'ok', { enumerable: true, get: () => (called += 1, true) })
    Object.defineProperty(reply, 'data', { enumerable: true, get: () => (called += 1, 1) })
    assertProtocolError(reply)
    const withDataGetter = { ok: true }
    Object.defineProperty(withDataGetter, 'data', { enumerable: true, get: () => (called += 1, 1) })
    assertProtocolError(withDataGetter)
    assert.equal(called, 0)
  })

  it('treats envelopes whose inspection throws as malformed', () => {
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error('trap')
        },
      },
    )
    assertProtocolError(hostile)
  })

  it('accepts null-prototype envelopes', () => {
    const reply = Object.assign(Object.create(null) as object, { id: 9, ok: true, data: 'x' })
    assert.equal(isWireReply(reply), true)
    assert.equal(unwrapReply(reply), 'x')
  })
})

describe('invokeAndUnwrap', () => {
  it('invokes the channel with the payload and options and returns the data', async () => {
    const transport = new ScriptedTransport(async () => ({ id: 1, ok: true, data: 5 }))
    const controller = new AbortController()
    const options: CallOptions = { timeoutMs: 250, signal: controller.signal }
    assert.equal(await invokeAndUnwrap(transport, 'math.add', { a: 2, b: 3 }, options), 5)
    assert.deepEqual(transport.calls, [{ channel: 'math.add', payload: { a: 2, b: 3 }, options }])
  })

  it('rejects with the deserialized error of an error reply', async () => {
    const transport = new ScriptedTransport(async () => ({
      id: 2,
      ok: false,
      error: { name: 'IPCHandlerError', code: 'IPC_PAYLOAD_TOO_LARGE', message: 'Too large', statusCode: 413 },
    }))
    await assert.rejects(invokeAndUnwrap(transport, 'files.upload', {}), (error: unknown) => {
      assert.ok(error instanceof IPCHandlerError)
      assert.equal(error.code, 'IPC_PAYLOAD_TOO_LARGE')
      assert.equal(isFrameworkError(error), true)
      return true
    })
  })

  it('passes transport errors through unchanged', async () => {
    const failure = new IPCTransportError('IPC_DISCONNECTED')
    const transport = new ScriptedTransport(() => Promise.reject(failure))
    await assert.rejects(invokeAndUnwrap(transport, 'x', null), (error: unknown) => error === failure)
  })

  it('turns non-Error rejections into errors', async () => {
    const transport = new ScriptedTransport(() => Promise.reject({ name: 'IPCTransportError', code: 'IPC_TIMEOUT', message: 'late' }))
    await assert.rejects(invokeAndUnwrap(transport, 'x', null), (error: unknown) => {
      assert.ok(error instanceof IPCTransportError)
      assert.equal(error.code, 'IPC_TIMEOUT')
      assert.equal(error.message, 'late')
      return true
    })
  })

  it('rejects malformed replies with IPC_PROTOCOL_ERROR', async () => {
    const transport = new ScriptedTransport(async () => ({ ok: 'yes' }) as unknown as WireReply)
    await assert.rejects(invokeAndUnwrap(transport, 'x', null), (error: unknown) => {
      assert.ok(error instanceof IPCTransportError)
      assert.equal(error.code, 'IPC_PROTOCOL_ERROR')
      return true
    })
  })
})

describe('Transport', () => {
  it('delivers events to subscribers until they unsubscribe', () => {
    const transport = new ScriptedTransport(async () => ({ ok: true, data: null }))
    const received: unknown[] = []
    const unsubscribe = transport.subscribe('notes.changed', (payload) => received.push(payload))
    transport.emit('notes.changed', { id: 1 })
    unsubscribe()
    transport.emit('notes.changed', { id: 2 })
    transport.send('log.write', 'hello')
    assert.deepEqual(received, [{ id: 1 }])
    assert.deepEqual(transport.sent, [{ channel: 'log.write', payload: 'hello' }])
  })
})
