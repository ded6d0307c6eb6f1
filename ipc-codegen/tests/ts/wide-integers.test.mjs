// The generated API converts `bigint`s to canonical decimal strings in
// requests and back in responses, typed errors and events. `replies.json`
// holds what the Rust side serialized; `request.json` receives what the
// API sent, for the Rust side to decode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { createApi, IPCHandlerError } from './cases.mjs'

const replies = JSON.parse(readFileSync('replies.json', 'utf8'))

function fakeTransport(reply) {
  const sent = []
  const listeners = new Map()
  return {
    sent,
    emit(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(JSON.parse(JSON.stringify(payload)))
    },
    invoke(channel, payload) {
      // What a transport does: the payload becomes JSON text.
      sent.push({ channel, json: JSON.stringify(payload) })
      return Promise.resolve(JSON.parse(JSON.stringify({ id: 1, ...reply })))
    },
    send(channel, payload) {
      sent.push({ channel, json: JSON.stringify(payload) })
    },
    subscribe(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener])
      return () => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener))
    },
  }
}

const U64_MAX = 18446744073709551615n
const U128_MAX = 340282366920938463463374607431768211455n
const I128_MIN = -170141183460469231731687303715884105728n
const I64_MIN = -9223372036854775808n
const I64_MAX = 9223372036854775807n

function account() {
  return {
    id: U64_MAX,
    balance: I128_MIN,
    previous: 9007199254740993n,
    history: [I64_MIN, 0n, I64_MAX],
    byName: { savings: U128_MAX },
    pair: [1n << 60n, 'x'],
    version: 7,
    kind: { type: 'joint', owners: [U64_MAX - 1n] },
    parent: {
      id: 2n,
      balance: -1n,
      previous: null,
      history: [],
      byName: {},
      pair: [0n, ''],
      version: 1,
      kind: { type: 'personal' },
      parent: null,
    },
  }
}

test('requests carry bigints as canonical decimal strings', async () => {
  const transport = fakeTransport({ ok: true, data: replies.response })
  const api = createApi(transport)
  const request = { from: account(), amount: U128_MAX }
  await api.cases.transfer(request)
  assert.equal(transport.sent.length, 1)
  const { json } = transport.sent[0]
  assert.match(json, /"id":"18446744073709551615"/)
  assert.match(json, /"amount":"340282366920938463463374607431768211455"/)
  assert.match(json, /"version":7/)
  // The caller's object is left as it was.
  assert.equal(request.from.id, U64_MAX)
  writeFileSync('request.json', json)
})

test('responses are decoded to bigints, plain integers stay numbers', async () => {
  const api = createApi(fakeTransport({ ok: true, data: replies.response }))
  const decoded = await api.cases.transfer({ from: account(), amount: 1n })
  assert.deepEqual(decoded, account())
  assert.equal(typeof decoded.version, 'number')
  assert.equal(typeof decoded.parent.previous, 'object')
})

test('typed errors carry bigints in their details', async () => {
  const api = createApi(fakeTransport({ ok: false, error: replies.error }))
  await assert.rejects(api.cases.transfer({ from: account(), amount: 1n }), (error) => {
    assert.ok(error instanceof IPCHandlerError)
    assert.equal(error.code, 'INSUFFICIENT')
    assert.deepEqual(error.details, { missing: U128_MAX - 5n })
    return true
  })
})

test('events are decoded to bigints', () => {
  const transport = fakeTransport({ ok: true, data: null })
  const api = createApi(transport)
  const seen = []
  api.cases.onBalanceChanged((payload) => seen.push(payload))
  transport.emit('cases:balanceChanged', replies.event)
  assert.deepEqual(seen, [{ account: U64_MAX, balance: 170141183460469231731687303715884105727n }])
})

test('a __proto__ key in a request stays an ordinary key', async () => {
  const transport = fakeTransport({ ok: true, data: replies.response })
  const api = createApi(transport)
  const from = account()
  Object.defineProperty(from.byName, '__proto__', { value: 5n, enumerable: true })
  await api.cases.transfer({ from, amount: 1n })
  assert.match(transport.sent[0].json, /"__proto__":"5"/)
})
