// The conformance suite's own checks, in Node: a case needing a hook the
// target lacks is skipped with the reason, a target that cannot even report
// its limits fails every case, and against a shell that answers every call
// with nothing, no case passes (none passes whatever the shell does).

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { CASES, runConformance, type ConformanceTarget } from '../conformance/suite.js'
import { createApi } from '../conformance/ts/ipc/api.js'
import { IPCHandlerError } from '../conformance/ts/ipc/errors.js'
import type { Transport, WireReply } from '../conformance/ts/ipc/transport.js'
import type { Limits } from '../conformance/ts/ipc/types.js'

const LIMITS: Limits = { maxRequestBytes: 65_536, maxDepth: 8, stallTimeoutMs: 250, restrictedChannel: 'conformance:restricted' }

/** A main side that answers `conformance:getLimits` and every other call with `null`, and emits nothing. */
function hollowTransport(limits: unknown = LIMITS): Transport {
  return {
    invoke: async (channel): Promise<WireReply> => ({ id: 1, ok: true, data: channel === 'conformance:getLimits' ? limits : null }),
    send: () => undefined,
    subscribe: () => () => undefined,
  }
}

const HOOKS = ['sendRaw', 'sendRawBytes', 'otherCaller', 'refusedCaller', 'dropMidCall'] as const

describe('conformance suite', () => {
  it('lists each case once, with the hooks it needs', () => {
    const ids = CASES.map((entry) => entry.id)
    assert.equal(new Set(ids).size, ids.length)
    for (const entry of CASES) {
      assert.match(entry.id, /^[a-z0-9]+(-[a-z0-9]+)*$/)
      for (const hook of entry.needs) assert.ok(HOOKS.includes(hook), `${entry.id} needs ${hook}`)
    }
  })

  it('skips a case whose hook is missing, with the reason', async () => {
    const target: ConformanceTarget = { name: 'bare', api: createApi(hollowTransport()) }
    const results = await runConformance(target, { eventGuardMs: 10 })
    assert.deepEqual(results.map((result) => result.id), CASES.map((entry) => entry.id))
    for (const [index, entry] of CASES.entries()) {
      const result = results[index]
      if (entry.needs.length > 0) {
        assert.deepEqual(result, { id: entry.id, title: entry.title, status: 'skipped', message: `bare provides no ${entry.needs.join(', ')}` })
      } else {
        assert.equal(result?.status, 'failed', `${entry.id} passed against a hollow shell`)
      }
    }
  })

  it('passes no case against a shell that answers everything with nothing', async () => {
    const api = createApi(hollowTransport())
    const hollowCaller = async () => ({ api, close: async () => undefined })
    const target: ConformanceTarget = {
      name: 'hollow',
      api,
      sendRaw: async () => ({}),
      sendRawBytes: async () => ({}),
      otherCaller: hollowCaller,
      refusedCaller: async () => ({ ...(await hollowCaller()), refusal: { kind: 'forbidden' } }),
      dropMidCall: async () => undefined,
    }
    const reported: string[] = []
    const results = await runConformance(target, { eventGuardMs: 10, onResult: (result) => reported.push(result.id) })
    assert.deepEqual(reported, CASES.map((entry) => entry.id))
    for (const result of results) {
      assert.equal(result.status, 'failed', `${result.id} passed against a hollow shell`)
      assert.ok(typeof result.message === 'string' && result.message.length > 0)
    }
  })

  it('fails every case when the limits cannot be read, and runs only the cases asked for', async () => {
    const failing: Transport = {
      ...hollowTransport(),
      invoke: async (): Promise<WireReply> => ({ id: 1, ok: false, error: new IPCHandlerError('Internal error', { code: 'INTERNAL_ERROR', statusCode: 500 }).toJSON() }),
    }
    const results = await runConformance({ name: 'down', api: createApi(failing) }, { only: ['typed-call', 'send'] })
    assert.deepEqual(
      results.map((result) => [result.id, result.status, result.message]),
      ['typed-call', 'send'].map((id) => [id, 'failed', 'conformance.getLimits failed, so no case could run: IPCHandlerError INTERNAL_ERROR: Internal error']),
    )
  })
})
