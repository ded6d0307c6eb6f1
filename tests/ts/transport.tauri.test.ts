import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { IPCHandlerError, IPCTransportError, IPCValidationError } from '../../examples/notes/renderer/src/ipc/errors.js'
import { invokeAndUnwrap } from '../../examples/notes/renderer/src/ipc/transport.js'
import {
  TAURI_DISPATCH_COMMAND,
  TAURI_SUBSCRIBE_COMMAND,
  connectTauri,
  type TauriCore,
  type TauriTransportOptions,
} from '../../examples/notes/renderer/src/ipc/transport.tauri.js'

type Invoked = { command: string; args: Uint8Array | Record<string, unknown> | undefined }

/** A stand-in for `@tauri-apps/api/core`: `answer` decides what each invoke resolves or rejects with. */
function fakeTauri(answer: (invoked: Invoked, request: Record<string, unknown> | undefined) => Promise<unknown>) {
  const invoked: Invoked[] = []
  const channels: Array<(message: unknown) => void> = []
  class FakeChannel {
    constructor(onmessage: (message: unknown) => void) {
      channels.push(onmessage)
    }
  }
  const core: TauriCore = {
    invoke(command, args) {
      const call = { command, args }
      invoked.push(call)
      const request = args instanceof Uint8Array ? (JSON.parse(new TextDecoder().decode(args)) as Record<string, unknown>) : undefined
      return answer(call, request)
    },
    Channel: FakeChannel,
  }
  return { core, invoked, channels }
}

const bytes = (value: unknown): ArrayBuffer => {
  const encoded = new TextEncoder().encode(JSON.stringify(value))
  return encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength) as ArrayBuffer
}

function connect(core: TauriCore, options: TauriTransportOptions = {}) {
  return connectTauri({ events: 'lazy', tauri: core, ...options })
}

describe('connectTauri', () => {
  it('sends each call as a raw UTF-8 envelope to the dispatch command and unwraps the reply bytes', async () => {
    const tauri = fakeTauri(async (_call, request) => bytes({ id: request?.['id'], ok: true, data: { echoed: request?.['payload'] } }))
    const transport = connect(tauri.core)
    assert.deepEqual(await invokeAndUnwrap(transport, 'notes:get', { id: 3 }), { echoed: { id: 3 } })
    assert.deepEqual(await invokeAndUnwrap(transport, 'notes:list', {}), { echoed: {} })
    assert.equal(tauri.invoked[0]?.command, TAURI_DISPATCH_COMMAND)
    assert.ok(tauri.invoked[0]?.args instanceof Uint8Array, 'the body is raw bytes, not JSON arguments')
    const first = JSON.parse(new TextDecoder().decode(tauri.invoked[0]?.args as Uint8Array)) as unknown
    assert.deepEqual(first, { v: 1, id: 1, kind: 'invoke', channel: 'notes:get', payload: { id: 3 } })
    const second = JSON.parse(new TextDecoder().decode(tauri.invoked[1]?.args as Uint8Array)) as { id: number }
    assert.equal(second.id, 2)
  })

  it('rebuilds failures, including those main could not match to an id', async () => {
    const tauri = fakeTauri(async (_call, request) =>
      request?.['channel'] === 'bad'
        ? bytes({ id: null, ok: false, error: { name: 'IPCHandlerError', code: 'IPC_MALFORMED_REQUEST', message: 'no', statusCode: 400 } })
        : bytes({
            id: request?.['id'],
            ok: false,
            error: { name: 'IPCValidationError', code: 'IPC_VALIDATION_ERROR', message: 'x', field: 'request', issues: [{ path: ['title'], message: 'Required' }] },
          }),
    )
    const transport = connect(tauri.core)
    const malformed = await invokeAndUnwrap(transport, 'bad', {}).catch((error: unknown) => error)
    assert.ok(malformed instanceof IPCHandlerError)
    assert.equal(malformed.code, 'IPC_MALFORMED_REQUEST')
    const invalid = await invokeAndUnwrap(transport, 'notes:save', {}).catch((error: unknown) => error)
    assert.ok(invalid instanceof IPCValidationError)
    assert.deepEqual(invalid.issues[0]?.path, ['title'])
  })

  it("turns Tauri's ACL refusal into IPC_FORBIDDEN and a missing IPC into IPC_NOT_CONNECTED", async () => {
    const refusals = [
      `${TAURI_DISPATCH_COMMAND} not allowed. Permissions associated with this command: ipc:allow-notes`,
      'plugin ipc not found',
    ]
    const tauri = fakeTauri(async () => {
      throw refusals.shift()
    })
    const transport = connect(tauri.core)
    const forbidden = await invokeAndUnwrap(transport, 'notes:save', {}).catch((error: unknown) => error)
    assert.ok(forbidden instanceof IPCHandlerError)
    assert.equal(forbidden.code, 'IPC_FORBIDDEN')
    assert.equal(forbidden.statusCode, 403)
    const missing = await invokeAndUnwrap(transport, 'notes:save', {}).catch((error: unknown) => error)
    assert.ok(missing instanceof IPCTransportError)
    assert.equal(missing.code, 'IPC_NOT_CONNECTED')
  })

  it('rejects malformed replies, replies to another request, and unserializable payloads as protocol errors', async () => {
    const answers: unknown[] = [bytes({ nope: true }), new TextEncoder().encode('{not json').buffer, bytes({ id: 999, ok: true, data: 1 }), 'text']
    const tauri = fakeTauri(async () => answers.shift())
    const transport = connect(tauri.core)
    for (let i = 0; i < 4; i++) {
      await assert.rejects(transport.invoke('notes:list', {}), (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_PROTOCOL_ERROR')
    }
    await assert.rejects(transport.invoke('notes:list', { n: 1n }), (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_PROTOCOL_ERROR')
  })

  it('times out, aborts, and refuses calls after close', async () => {
    const tauri = fakeTauri(() => new Promise(() => undefined))
    const transport = connect(tauri.core)
    await assert.rejects(transport.invoke('notes:list', {}, { timeoutMs: 5 }), (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_TIMEOUT')
    const controller = new AbortController()
    const call = transport.invoke('notes:list', {}, { signal: controller.signal, timeoutMs: Infinity })
    controller.abort()
    await assert.rejects(call, (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_ABORTED')
    transport.close()
    await assert.rejects(transport.invoke('notes:list', {}), (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_NOT_CONNECTED')
  })

  it('opens one event channel and hands well-formed events to their listeners only', async () => {
    const tauri = fakeTauri(async () => null)
    const problems: IPCTransportError[] = []
    const thrown: string[] = []
    const transport = connectTauri({
      tauri: tauri.core,
      onProtocolError: (error) => problems.push(error),
      onListenerError: (_error, channel) => thrown.push(channel),
    })
    await transport.ready
    assert.deepEqual(
      tauri.invoked.map((call) => call.command),
      [TAURI_SUBSCRIBE_COMMAND],
    )
    assert.equal(tauri.channels.length, 1)
    const received: unknown[] = []
    const unsubscribe = transport.subscribe('notes:changed', (payload) => received.push(payload))
    transport.subscribe('notes:changed', () => {
      throw new Error('listener bug')
    })
    transport.subscribe('other:event', () => received.push('wrong channel'))
    const deliver = tauri.channels[0]
    assert.ok(deliver)
    deliver({ v: 1, kind: 'event', channel: 'notes:changed', payload: { id: 3, kind: 'deleted' } })
    deliver({ v: 2, kind: 'event', channel: 'notes:changed', payload: {} })
    deliver('not an envelope')
    unsubscribe()
    deliver({ v: 1, kind: 'event', channel: 'notes:changed', payload: { id: 4, kind: 'deleted' } })
    assert.deepEqual(received, [{ id: 3, kind: 'deleted' }])
    assert.equal(problems.length, 2)
    assert.deepEqual(thrown, ['notes:changed', 'notes:changed'])
    assert.equal(tauri.channels.length, 1, 'one channel for every subscription')
  })

  it('rejects ready when the event channel is refused, and reports a refused send', async () => {
    const tauri = fakeTauri(async (call, request) => {
      if (call.command === TAURI_SUBSCRIBE_COMMAND) throw `${TAURI_SUBSCRIBE_COMMAND} not allowed`
      return bytes({ id: request?.['id'], ok: false, error: { name: 'IPCHandlerError', code: 'IPC_FORBIDDEN', message: 'no', statusCode: 403 } })
    })
    const refusedSends: string[] = []
    const transport = connectTauri({ tauri: tauri.core, onSendError: (error, channel) => refusedSends.push(`${channel}:${(error as IPCHandlerError).code}`) })
    await assert.rejects(transport.ready, (error: unknown) => error instanceof IPCTransportError && error.code === 'IPC_NOT_CONNECTED')
    transport.send('telemetry:track', { type: 'x' })
    for (let i = 0; i < 10 && refusedSends.length === 0; i++) await new Promise((done) => setTimeout(done, 1))
    assert.deepEqual(refusedSends, ['telemetry:track:IPC_FORBIDDEN'])
  })
})
