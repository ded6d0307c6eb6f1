import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { performance } from 'node:perf_hooks'
import vm from 'node:vm'

import {
  DESERIALIZATION_LIMITS,
  FRAMEWORK_ERROR_CODES,
  FRAMEWORK_ERROR_STATUS,
  IPCHandlerError,
  IPCTransportError,
  IPCValidationError,
  TRANSPORT_ERROR_CODES,
  deserializeError,
  formatValidationIssues,
  isFrameworkError,
  isFrameworkErrorCode,
  isIPCHandlerError,
  isIPCTransportError,
  isIPCValidationError,
  withErrorDeserialization,
  type ValidationIssue,
} from '../../examples/notes/renderer/src/ipc/errors.js'

/** Serializes like the wire does and rebuilds the error. */
function roundTrip(error: { toJSON(): unknown }): Error {
  return deserializeError(JSON.parse(JSON.stringify(error)))
}

function assertNotPolluted(): void {
  const probe: Record<string, unknown> = {}
  assert.equal(probe['polluted'], undefined)
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false)
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'x'), false)
  assert.equal(Object.getPrototypeOf(probe), Object.prototype)
}

function depthOf(value: unknown): number {
  let depth = 0
  let current = value
  while (typeof current === 'object' && current !== null) {
    depth += 1
    current = (current as Record<string, unknown>)['a']
  }
  return depth
}

function countNodes(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1
  let count = 1
  for (const item of Object.values(value)) count += countNodes(item)
  return count
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

after(assertNotPolluted)

describe('IPCValidationError', () => {
  it('has the upstream name, code and constructor signature', () => {
    const issues: ValidationIssue[] = [{ path: ['title'], message: 'String must contain at most 200 characters' }]
    const error = new IPCValidationError('Invalid request', issues)
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'IPCValidationError')
    assert.equal(error.code, 'IPC_VALIDATION_ERROR')
    assert.equal(error.message, 'Invalid request')
    assert.equal(error.field, 'request')
    assert.equal(error.issues, issues)
    assert.equal(new IPCValidationError('m', [], 'response').field, 'response')
  })

  it('serializes to the wire shape', () => {
    const error = new IPCValidationError('Invalid response', [{ path: ['a', 0], message: 'Bad', expected: 'string' }], 'response')
    const { stack, ...json } = error.toJSON()
    assert.equal(typeof stack, 'string')
    assert.deepEqual(json, {
      name: 'IPCValidationError',
      message: 'Invalid response',
      code: 'IPC_VALIDATION_ERROR',
      field: 'response',
      issues: [{ path: ['a', 0], message: 'Bad', expected: 'string' }],
    })
  })

  it('round trips through JSON', () => {
    const original = new IPCValidationError(
      'Invalid request',
      [
        { path: ['user', 'name'], message: 'Required', expected: 'string', received: 'undefined' },
        { path: [], message: 'Root problem' },
      ],
      'response',
    )
    const restored = roundTrip(original)
    assert.ok(restored instanceof IPCValidationError)
    assert.equal(restored.message, 'Invalid request')
    assert.equal(restored.code, 'IPC_VALIDATION_ERROR')
    assert.equal(restored.field, 'response')
    assert.deepEqual(restored.issues, original.issues)
    assert.equal(restored.stack, original.stack)
  })
})

describe('IPCHandlerError', () => {
  it('has the upstream name, default code and options', () => {
    const error = new IPCHandlerError('Resource not found', { code: 'NOT_FOUND', statusCode: 404 })
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'IPCHandlerError')
    assert.equal(error.code, 'NOT_FOUND')
    assert.equal(error.statusCode, 404)
    assert.equal(error.details, undefined)
    const bare = new IPCHandlerError('Oops')
    assert.equal(bare.code, 'IPC_HANDLER_ERROR')
    assert.equal(bare.statusCode, undefined)
  })

  it('serializes to the wire shape', () => {
    const error = new IPCHandlerError('Quota exceeded', { code: 'QUOTA', statusCode: 429, details: { limit: 5 } })
    const { stack, ...json } = error.toJSON()
    assert.equal(typeof stack, 'string')
    assert.deepEqual(json, {
      name: 'IPCHandlerError',
      message: 'Quota exceeded',
      code: 'QUOTA',
      statusCode: 429,
      details: { limit: 5 },
    })
    const { stack: _ignored, ...minimal } = new IPCHandlerError('m').toJSON()
    assert.deepEqual(minimal, { name: 'IPCHandlerError', message: 'm', code: 'IPC_HANDLER_ERROR' })
  })

  it('round trips through JSON', () => {
    const details = { path: '/missing.txt', tries: [1, 2, 3], nested: { ok: false, note: null } }
    const original = new IPCHandlerError('Resource not found', { code: 'NOT_FOUND', statusCode: 404, details })
    const restored = roundTrip(original)
    assert.ok(restored instanceof IPCHandlerError)
    assert.equal(restored.message, 'Resource not found')
    assert.equal(restored.code, 'NOT_FOUND')
    assert.equal(restored.statusCode, 404)
    assert.deepEqual(restored.details, details)
    assert.equal(Object.getPrototypeOf(restored.details), Object.prototype)
  })
})

describe('IPCTransportError', () => {
  it('carries a transport code and a default message', () => {
    const error = new IPCTransportError('IPC_TIMEOUT')
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'IPCTransportError')
    assert.equal(error.code, 'IPC_TIMEOUT')
    assert.equal(error.message, 'The IPC call timed out')
    const cause = new Error('socket closed')
    const custom = new IPCTransportError('IPC_DISCONNECTED', 'Window closed', { cause })
    assert.equal(custom.message, 'Window closed')
    assert.equal(custom.cause, cause)
  })

  it('lists exactly the transport codes', () => {
    assert.deepEqual(
      [...TRANSPORT_ERROR_CODES],
      ['IPC_DISCONNECTED', 'IPC_TIMEOUT', 'IPC_NOT_CONNECTED', 'IPC_PROTOCOL_ERROR', 'IPC_ABORTED'],
    )
    assert.ok(Object.isFrozen(TRANSPORT_ERROR_CODES))
  })

  it('round trips through JSON for every code', () => {
    for (const code of TRANSPORT_ERROR_CODES) {
      const original = new IPCTransportError(code, `failed with ${code}`)
      const { stack: _stack, ...json } = original.toJSON()
      assert.deepEqual(json, { name: 'IPCTransportError', message: `failed with ${code}`, code })
      const restored = roundTrip(original)
      assert.ok(restored instanceof IPCTransportError)
      assert.equal(restored.code, code)
      assert.equal(restored.message, `failed with ${code}`)
    }
  })

  it('maps unknown codes to IPC_PROTOCOL_ERROR', () => {
    const restored = deserializeError({ name: 'IPCTransportError', code: 'SOMETHING_ELSE', message: 'm' })
    assert.ok(restored instanceof IPCTransportError)
    assert.equal(restored.code, 'IPC_PROTOCOL_ERROR')
    assert.equal(restored.message, 'm')
  })
})

describe('deserializeError', () => {
  it('rebuilds a wire validation error', () => {
    const error = deserializeError({
      name: 'IPCValidationError',
      code: 'IPC_VALIDATION_ERROR',
      message: 'Invalid request',
      field: 'request',
      issues: [{ path: ['title'], message: 'String must contain at most 200 characters' }],
    })
    assert.ok(error instanceof IPCValidationError)
    assert.equal(error.field, 'request')
    assert.deepEqual(error.issues, [{ path: ['title'], message: 'String must contain at most 200 characters' }])
  })

  it('recognizes validation errors by code and issues, like upstream', () => {
    const error = deserializeError({ code: 'IPC_VALIDATION_ERROR', message: 'Bad', issues: [{ path: ['x'], message: 'y' }] })
    assert.ok(error instanceof IPCValidationError)
    assert.deepEqual(error.issues, [{ path: ['x'], message: 'y' }])
  })

  it('rebuilds a handler error without a code with the default code', () => {
    const error = deserializeError({ name: 'IPCHandlerError', message: 'Boom' })
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.code, 'IPC_HANDLER_ERROR')
    assert.equal(error.message, 'Boom')
  })

  it('returns error instances unchanged', () => {
    const plain = new TypeError('plain')
    assert.equal(deserializeError(plain), plain)
    const handler = new IPCHandlerError('h')
    assert.equal(deserializeError(handler), handler)
  })

  it('wraps other values in a plain Error', () => {
    const fromString = deserializeError('string error')
    assert.equal(Object.getPrototypeOf(fromString), Error.prototype)
    assert.equal(fromString.message, 'string error')
    assert.equal(deserializeError({ foo: 'bar' }).message, '[object Object]')
    assert.equal(deserializeError({ message: 'has a message' }).message, 'has a message')
    assert.equal(deserializeError(undefined).message, 'undefined')
    assert.equal(deserializeError(null).message, 'null')
    assert.equal(deserializeError(42).message, '42')
    assert.equal(deserializeError(Symbol('s')).message, 'Symbol(s)')
    assert.equal(deserializeError([1, 2]).message, '[object Array]')
  })

  it('does not call toString or valueOf of wire objects', () => {
    const hostile = JSON.parse('{"toString":"x","valueOf":"y"}') as unknown
    assert.throws(() => String(hostile), TypeError)
    assert.equal(deserializeError(hostile).message, '[object Object]')
    const nullProto = Object.create(null) as object
    assert.equal(deserializeError(nullProto).message, '[object Object]')
  })

  it('rebuilds errors of another copy of this module into local instances', async () => {
    const other = (await import(
      new URL('../../examples/notes/renderer/src/ipc/errors.js?copy=other', import.meta.url).href
    )) as typeof import('../../examples/notes/renderer/src/ipc/errors.js')
    assert.notEqual(other.IPCHandlerError, IPCHandlerError)
    const foreign = new other.IPCHandlerError('Forbidden', { code: 'IPC_FORBIDDEN', statusCode: 403, details: { a: 1 } })
    assert.equal(foreign instanceof IPCHandlerError, false)
    const restored = deserializeError(foreign)
    assert.ok(restored instanceof IPCHandlerError)
    assert.equal(restored.code, 'IPC_FORBIDDEN')
    assert.equal(restored.statusCode, 403)
    assert.deepEqual(restored.details, { a: 1 })
  })

  it('keeps the message of errors from another realm', () => {
    const foreign = vm.runInNewContext('new RangeError("out of range")') as unknown
    assert.equal(foreign instanceof Error, false)
    const restored = deserializeError(foreign)
    assert.ok(restored instanceof Error)
    assert.equal(restored.message, 'out of range')
  })
})

describe('deserializeError with hostile input', () => {
  it('ignores a __proto__ key on the error object', () => {
    const wire = JSON.parse('{"name":"IPCHandlerError","__proto__":{"polluted":true},"code":"X","message":"m"}') as unknown
    const error = deserializeError(wire)
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(Object.getPrototypeOf(error), IPCHandlerError.prototype)
    assert.equal(error.code, 'X')
    assert.equal(error.message, 'm')
    assert.equal((error as unknown as Record<string, unknown>)['polluted'], undefined)
    assert.equal(Object.prototype.hasOwnProperty.call(error, '__proto__'), false)
    assertNotPolluted()
  })

  it('drops __proto__ keys in details and keeps constructor and prototype as inert data', () => {
    const wire = JSON.parse(
      '{"name":"IPCHandlerError","code":"X","message":"m","details":' +
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},' +
        '"prototype":{"polluted":true},"nested":[{"__proto__":{"x":1},"y":2}]}}',
    ) as unknown
    const error = deserializeError(wire)
    assert.ok(error instanceof IPCHandlerError)
    const details = error.details as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(details), Object.prototype)
    assert.deepEqual(Object.keys(details), ['constructor', 'prototype', 'nested'])
    assert.equal(details['polluted'], undefined)
    assert.deepEqual(details['constructor'], { prototype: { polluted: true } })
    assert.deepEqual(details['prototype'], { polluted: true })
    const nested = (details['nested'] as unknown[])[0] as Record<string, unknown>
    assert.deepEqual(Object.keys(nested), ['y'])
    assert.equal(Object.getPrototypeOf(nested), Object.prototype)
    assert.equal(nested['x'], undefined)

    const assigned = Object.assign({}, details) as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(assigned), Object.prototype)
    assertNotPolluted()
  })

  it('ignores __proto__ keys in issues', () => {
    const wire = JSON.parse(
      '{"name":"IPCValidationError","message":"m","issues":[{"__proto__":{"polluted":true},"path":["a"],"message":"b"}]}',
    ) as unknown
    const error = deserializeError(wire)
    assert.ok(error instanceof IPCValidationError)
    assert.deepEqual(error.issues, [{ path: ['a'], message: 'b' }])
    assert.equal(Object.getPrototypeOf(error.issues[0]), Object.prototype)
    assertNotPolluted()
  })

  it('ignores fields of the wrong type on handler errors', () => {
    const error = deserializeError({
      name: 'IPCHandlerError',
      message: 12,
      code: 404,
      statusCode: '404',
      stack: { at: 'nowhere' },
    })
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.message, 'IPC handler failed')
    assert.equal(error.code, 'IPC_HANDLER_ERROR')
    assert.equal(error.statusCode, undefined)
    assert.equal(typeof error.stack, 'string')
    for (const statusCode of [404.5, -1, 1e9, Number.NaN]) {
      const restored = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', statusCode })
      assert.ok(restored instanceof IPCHandlerError)
      assert.equal(restored.statusCode, undefined, `statusCode ${statusCode}`)
    }
    const emptyCode = deserializeError({ name: 'IPCHandlerError', code: '', message: 'm' })
    assert.ok(emptyCode instanceof IPCHandlerError)
    assert.equal(emptyCode.code, 'IPC_HANDLER_ERROR')
  })

  it('ignores fields of the wrong type on validation errors', () => {
    const notArray = deserializeError({ name: 'IPCValidationError', message: 'm', field: 'elsewhere', issues: 'nope' })
    assert.ok(notArray instanceof IPCValidationError)
    assert.deepEqual(notArray.issues, [])
    assert.equal(notArray.field, 'request')

    const error = deserializeError({
      name: 'IPCValidationError',
      message: ['not', 'a', 'string'],
      field: 'response',
      issues: [
        null,
        5,
        'text',
        [1, 2],
        { path: 'a.b', message: 7 },
        { path: [{}, 'a', 1, null, true, Number.NaN, ['x']], message: 'x', expected: 5, received: 'r' },
      ],
    })
    assert.ok(error instanceof IPCValidationError)
    assert.equal(error.message, 'IPC validation failed')
    assert.equal(error.field, 'response')
    assert.deepEqual(error.issues, [
      { path: [], message: 'Invalid value' },
      { path: ['?', 'a', 1, '?', '?', '?', '?'], message: 'x', received: 'r' },
    ])
  })

  it('caps a 100,000-issue array quickly', () => {
    const issues = Array.from({ length: 100_000 }, (_, index) => ({ path: ['items', index], message: `bad ${index}` }))
    const wire = JSON.parse(JSON.stringify({ name: 'IPCValidationError', message: 'm', issues })) as unknown
    const started = performance.now()
    const error = deserializeError(wire)
    const elapsed = performance.now() - started
    assert.ok(error instanceof IPCValidationError)
    assert.equal(error.issues.length, DESERIALIZATION_LIMITS.maxIssues)
    assert.equal(error.issues.length, 100)
    assert.deepEqual(error.issues[99], { path: ['items', 99], message: 'bad 99' })
    assert.ok(elapsed < 1000, `took ${elapsed} ms`)
  })

  it('caps long paths and long issue strings', () => {
    const longPath = Array.from({ length: 10_000 }, (_, index) => index)
    const long = 'z'.repeat(100_000)
    const error = deserializeError({
      name: 'IPCValidationError',
      message: 'm',
      issues: [{ path: [long, ...longPath], message: long, expected: long, received: long }],
    })
    assert.ok(error instanceof IPCValidationError)
    const issue = error.issues[0]
    assert.ok(issue !== undefined)
    assert.equal(issue.path.length, DESERIALIZATION_LIMITS.maxPathSegments)
    assert.equal((issue.path[0] as string).length, DESERIALIZATION_LIMITS.maxPathSegmentLength)
    assert.equal(issue.message.length, DESERIALIZATION_LIMITS.maxIssueStringLength)
    assert.equal(issue.expected?.length, DESERIALIZATION_LIMITS.maxIssueStringLength)
    assert.equal(issue.received?.length, DESERIALIZATION_LIMITS.maxIssueStringLength)
  })

  it('caps a 1 MB message and stack', () => {
    const big = 'a'.repeat(1024 * 1024)
    const error = deserializeError(JSON.parse(JSON.stringify({ name: 'IPCHandlerError', code: 'X', message: big, stack: big })))
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.message.length, DESERIALIZATION_LIMITS.maxMessageLength)
    assert.equal(error.message.length, 10_000)
    assert.ok(error.message.startsWith('aaaa'))
    assert.ok(error.message.endsWith('\u2026'))
    assert.equal(error.stack?.length, 10_000)
    assert.equal(deserializeError(big).message.length, 10_000)
    assert.equal(deserializeError({ message: big }).message.length, 10_000)
  })

  it('rejects over-long codes', () => {
    const error = deserializeError({ name: 'IPCHandlerError', code: 'C'.repeat(1_000_000), message: 'm' })
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.code, 'IPC_HANDLER_ERROR')
  })

  it('never splits a surrogate pair when truncating', () => {
    for (const prefix of ['', 'x']) {
      const error = deserializeError({ name: 'IPCHandlerError', code: 'X', message: prefix + '\u{1F600}'.repeat(20_000) })
      assert.ok(error.message.length <= DESERIALIZATION_LIMITS.maxMessageLength)
      assert.equal(LONE_SURROGATE.test(error.message), false)
    }
  })

  it('caps deeply nested details', () => {
    const levels = 100_000
    const wire = JSON.parse(
      '{"name":"IPCHandlerError","code":"X","message":"m","details":' + '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) + '}',
    ) as unknown
    const error = deserializeError(wire)
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(depthOf(error.details), DESERIALIZATION_LIMITS.maxDetailsDepth)

    const arrays = JSON.parse('[' + '['.repeat(levels) + ']'.repeat(levels) + ']') as unknown
    const fromArrays = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: arrays })
    assert.ok(fromArrays instanceof IPCHandlerError)
    let depth = 0
    let current: unknown = fromArrays.details
    while (Array.isArray(current)) {
      depth += 1
      current = current[0]
    }
    assert.equal(depth, DESERIALIZATION_LIMITS.maxDetailsDepth)
    assert.equal(current, null)
  })

  it('caps the size of details', () => {
    const wide = Array.from({ length: 1_000_000 }, (_, index) => index)
    const error = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: { wide } })
    assert.ok(error instanceof IPCHandlerError)
    assert.ok(countNodes(error.details) <= DESERIALIZATION_LIMITS.maxDetailsNodes)
    const copied = (error.details as { wide: number[] }).wide
    assert.equal(copied.length, DESERIALIZATION_LIMITS.maxDetailsNodes - 2)
    assert.equal(copied[1234], 1234)

    const strings = Array.from({ length: 1_000 }, () => 's'.repeat(50_000))
    const fromStrings = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: strings })
    assert.ok(fromStrings instanceof IPCHandlerError)
    const kept = fromStrings.details as string[]
    assert.equal(kept[0]?.length, DESERIALIZATION_LIMITS.maxDetailsStringLength)
    const total = kept.reduce((sum, item) => sum + item.length, 0)
    assert.ok(total <= DESERIALIZATION_LIMITS.maxDetailsTotalStringLength, `total ${total}`)

    const longKey = { ['k'.repeat(DESERIALIZATION_LIMITS.maxDetailsKeyLength + 1)]: 1, short: 2 }
    const fromKeys = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: longKey })
    assert.ok(fromKeys instanceof IPCHandlerError)
    assert.deepEqual(fromKeys.details, { short: 2 })
  })

  it('creates own properties in details even when Object.prototype has a setter for the key', () => {
    let setterCalls = 0
    Object.defineProperty(Object.prototype, 'trappedKey', {
      configurable: true,
      get: () => undefined,
      set: () => {
        setterCalls += 1
      },
    })
    try {
      const error = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: JSON.parse('{"trappedKey":1}') })
      assert.ok(error instanceof IPCHandlerError)
      const details = error.details as Record<string, unknown>
      assert.equal(Object.prototype.hasOwnProperty.call(details, 'trappedKey'), true)
      assert.equal(details['trappedKey'], 1)
      assert.equal(setterCalls, 0)
    } finally {
      delete (Object.prototype as Record<string, unknown>)['trappedKey']
    }
  })

  it('copies only JSON-like values into details', () => {
    const details = {
      date: new Date(0),
      fn: () => 1,
      sym: Symbol('s'),
      big: 10n,
      undef: undefined,
      inf: Number.POSITIVE_INFINITY,
      list: [undefined, () => 1, 'ok'],
    }
    const error = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details })
    assert.ok(error instanceof IPCHandlerError)
    assert.deepEqual(error.details, { date: {}, inf: null, list: [null, null, 'ok'] })
  })

  it('does not follow cycles forever', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    const error = deserializeError({ name: 'IPCHandlerError', code: 'X', message: 'm', details: cyclic })
    assert.ok(error instanceof IPCHandlerError)
    let depth = 0
    let current: unknown = error.details
    while (typeof current === 'object' && current !== null) {
      depth += 1
      current = (current as Record<string, unknown>)['self']
    }
    assert.equal(depth, DESERIALIZATION_LIMITS.maxDetailsDepth)
  })

  it('never invokes getters', () => {
    let called = 0
    const wire = { name: 'IPCHandlerError', code: 'X' }
    Object.defineProperty(wire, 'message', { enumerable: true, get: () => (called += 1, 'from getter') })
    Object.defineProperty(wire, 'details', { enumerable: true, get: () => (called += 1, { a: 1 }) })
    const error = deserializeError(wire)
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.message, 'IPC handler failed')
    assert.equal(error.details, undefined)
    const withGetterInDetails = { name: 'IPCHandlerError', code: 'X', message: 'm', details: {} }
    Object.defineProperty(withGetterInDetails.details, 'x', { enumerable: true, get: () => (called += 1, 1) })
    const second = deserializeError(withGetterInDetails)
    assert.ok(second instanceof IPCHandlerError)
    assert.deepEqual(second.details, {})
    assert.equal(called, 0)
  })

  it('does not read inherited fields', () => {
    const wire = Object.create({ name: 'IPCHandlerError', code: 'X', message: 'inherited' }) as object
    const error = deserializeError(wire)
    assert.equal(error instanceof IPCHandlerError, false)
    assert.equal(error.message, '[object Object]')
  })

  it('never throws, even for objects whose every operation throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get')
        },
        getOwnPropertyDescriptor() {
          throw new Error('getOwnPropertyDescriptor')
        },
        ownKeys() {
          throw new Error('ownKeys')
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf')
        },
      },
    )
    const error = deserializeError(hostile)
    assert.equal(Object.getPrototypeOf(error), Error.prototype)
    assert.equal(error.message, 'Unreadable error value')
    const revocable = Proxy.revocable({}, {})
    revocable.revoke()
    assert.equal(deserializeError(revocable.proxy).message, 'Unreadable error value')
  })
})

describe('type guards', () => {
  it('accept instances', () => {
    assert.equal(isIPCValidationError(new IPCValidationError('m', [])), true)
    assert.equal(isIPCHandlerError(new IPCHandlerError('m')), true)
    assert.equal(isIPCTransportError(new IPCTransportError('IPC_ABORTED')), true)
  })

  it('reject other errors and values', () => {
    for (const value of [new Error('x'), null, undefined, 'IPCHandlerError', 1, {}]) {
      assert.equal(isIPCValidationError(value), false)
      assert.equal(isIPCHandlerError(value), false)
      assert.equal(isIPCTransportError(value), false)
    }
    assert.equal(isIPCHandlerError(new IPCValidationError('m', [])), false)
    assert.equal(isIPCValidationError(new IPCHandlerError('m', { code: 'IPC_VALIDATION_ERROR' })), false)
    assert.equal(isIPCTransportError(new IPCHandlerError('m', { code: 'IPC_TIMEOUT' })), false)
  })

  it('reject plain serialized objects, which deserializeError turns into instances', () => {
    const wire = new IPCHandlerError('m', { code: 'X' }).toJSON()
    assert.equal(isIPCHandlerError(wire), false)
    assert.equal(isIPCValidationError({ name: 'IPCValidationError', code: 'IPC_VALIDATION_ERROR', message: 'm', issues: [] }), false)
    assert.equal(isIPCHandlerError(deserializeError(wire)), true)
  })

  it('accept errors from another copy of this module', async () => {
    const other = (await import(
      new URL('../../examples/notes/renderer/src/ipc/errors.js?copy=guards', import.meta.url).href
    )) as typeof import('../../examples/notes/renderer/src/ipc/errors.js')
    assert.equal(isIPCValidationError(new other.IPCValidationError('m', [])), true)
    assert.equal(isIPCHandlerError(new other.IPCHandlerError('m')), true)
    assert.equal(isIPCTransportError(new other.IPCTransportError('IPC_TIMEOUT')), true)
    assert.equal(isIPCHandlerError(new other.IPCTransportError('IPC_TIMEOUT')), false)
    assert.equal(isFrameworkError(new other.IPCHandlerError('m', { code: 'IPC_FORBIDDEN' })), true)
  })
})

describe('framework errors', () => {
  it('gives every framework code a status code', () => {
    // Both are written from the Rust table (ipc_meta::FrameworkCode); the
    // code generator's tests compare them with it.
    assert.deepEqual(Object.keys(FRAMEWORK_ERROR_STATUS), [...FRAMEWORK_ERROR_CODES])
    for (const code of FRAMEWORK_ERROR_CODES) {
      const status = FRAMEWORK_ERROR_STATUS[code]
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, code)
    }
    assert.ok(Object.isFrozen(FRAMEWORK_ERROR_CODES))
    assert.ok(Object.isFrozen(FRAMEWORK_ERROR_STATUS))
  })

  it('tells framework failures from handler errors', () => {
    for (const code of FRAMEWORK_ERROR_CODES) {
      const wire = { name: 'IPCHandlerError', code, message: 'failed', statusCode: FRAMEWORK_ERROR_STATUS[code] }
      const error = deserializeError(JSON.parse(JSON.stringify(wire)))
      assert.equal(isFrameworkError(error), true, code)
      assert.ok(isIPCHandlerError(error))
      assert.equal(error.statusCode, FRAMEWORK_ERROR_STATUS[code])
      assert.equal(isFrameworkErrorCode(code), true)
    }
    assert.equal(isFrameworkError(new IPCHandlerError('Resource not found', { code: 'NOT_FOUND', statusCode: 404 })), false)
    assert.equal(isFrameworkError(new IPCHandlerError('default code')), false)
    assert.equal(isFrameworkError(new IPCTransportError('IPC_TIMEOUT')), false)
    assert.equal(isFrameworkError(new IPCValidationError('m', [])), false)
    assert.equal(isFrameworkError({ name: 'IPCHandlerError', code: 'IPC_FORBIDDEN', message: 'm' }), false)
    assert.equal(isFrameworkErrorCode('ipc_forbidden'), false)
    assert.equal(isFrameworkErrorCode(403), false)
  })
})

describe('formatValidationIssues', () => {
  it('formats one issue per line like upstream', () => {
    const formatted = formatValidationIssues([
      { path: ['user', 'name'], message: 'Required' },
      { path: ['user', 'age'], message: 'Invalid', expected: 'number', received: 'string' },
      { path: ['items', 0, 'title'], message: 'String must contain at most 200 characters' },
      { path: [], message: 'Root error' },
    ])
    assert.equal(
      formatted,
      [
        '  - user.name: Required',
        '  - user.age: Invalid (expected: number) (received: string)',
        '  - items.0.title: String must contain at most 200 characters',
        '  - root: Root error',
      ].join('\n'),
    )
  })

  it('formats no issues as an empty string', () => {
    assert.equal(formatValidationIssues([]), '')
  })
})

describe('withErrorDeserialization', () => {
  it('deserializes rejections', async () => {
    const wrapped = withErrorDeserialization(async (): Promise<number> => {
      throw { name: 'IPCValidationError', code: 'IPC_VALIDATION_ERROR', message: 'Invalid', issues: [{ path: ['age'], message: 'Must be positive' }] }
    })
    await assert.rejects(wrapped(), (error: unknown) => {
      assert.ok(error instanceof IPCValidationError)
      assert.deepEqual(error.issues[0]?.path, ['age'])
      return true
    })
  })

  it('passes results and arguments through', async () => {
    const wrapped = withErrorDeserialization(async (a: number, b: string) => `${b}: ${a}`)
    assert.equal(await wrapped(42, 'Answer'), 'Answer: 42')
  })
})
