/**
 * The transport conformance suite: the behaviours every shell (the loopback
 * WebSocket, Tauri, Electron) must share, written once against the generated
 * {@link Api} of the conformance contracts (`tests/conformance/src/`) and run
 * by each shell's runner with {@link runConformance}. See
 * `docs/conformance.md`.
 *
 * Pure TypeScript, no dependencies and no Node APIs: it runs in a browser, a
 * webview and Node alike. Every case checks the exact error class, code,
 * status code, path and details, never only that a call threw.
 *
 * @module
 */

import type { Api } from './ts/ipc/api.js'
import {
  IPCHandlerError,
  IPCTransportError,
  IPCValidationError,
  isConformanceFailError,
  isFrameworkError,
  isIPCHandlerError,
  isIPCTransportError,
  isIPCValidationError,
  type TransportErrorCode,
} from './ts/ipc/errors.js'
import type { Limits, Pinged } from './ts/ipc/types.js'

/** A second caller of the same main side: another window, another connection. */
export interface ExtraCaller {
  /** The generated API over this caller's own transport. */
  readonly api: Api
  /** Makes the caller go away (closes its window or connection); idempotent. */
  close(): Promise<void>
}

/**
 * How a shell refuses a caller it must not serve:
 * - `forbidden`: main answers its calls with an `IPCHandlerError`
 *   `IPC_FORBIDDEN` (403);
 * - `transport`: the shell refuses it before main sees a call, and its calls
 *   reject with an `IPCTransportError` of `code` (on the loopback WebSocket
 *   the handshake is refused: `IPC_NOT_CONNECTED`).
 */
export type Refusal =
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'transport'; readonly code: TransportErrorCode }

/** A caller the shell must refuse, and how it refuses it. */
export interface RefusedCaller extends ExtraCaller {
  readonly refusal: Refusal
}

/**
 * What a shell gives the suite. Only `name` and `api` are required; each case
 * that needs a missing hook is reported `skipped`, with the hook it needs.
 */
export interface ConformanceTarget {
  /** The shell's name, for reports. */
  readonly name: string
  /** The generated API over the shell's transport. */
  readonly api: Api
  /**
   * Sends `request` as one raw request message, exactly as given (no
   * envelope is added), and resolves with the reply envelope main sends for
   * it, parsed with `JSON.parse` but otherwise unchecked. Only called with
   * requests that get a reply. Used for what the typed API never sends:
   * malformed, oversized, wrong-version, unknown-channel, too-deep requests.
   */
  readonly sendRaw?: (request: string) => Promise<unknown>
  /** As {@link sendRaw}, for a request that is not text (invalid UTF-8). */
  readonly sendRawBytes?: (request: Uint8Array) => Promise<unknown>
  /** Opens a second caller, for event targeting. */
  readonly otherCaller?: () => Promise<ExtraCaller>
  /** Opens a caller the shell must refuse. */
  readonly refusedCaller?: () => Promise<RefusedCaller>
  /**
   * Makes a caller other than `api` call `conformance.hang({ ticket })`,
   * waits until main runs it (`conformance.waitTicket({ ticket, until:
   * 'started' })` answers), then makes that caller go away while the call is
   * in flight; resolves once it is gone. {@link dropMidCallWith} builds it
   * from a function that opens callers.
   */
  readonly dropMidCall?: (ticket: string) => Promise<void>
}

/** A hook of {@link ConformanceTarget} a case may need. */
export type Hook = 'sendRaw' | 'sendRawBytes' | 'otherCaller' | 'refusedCaller' | 'dropMidCall'

/** What one case found. */
export interface CaseResult {
  readonly id: string
  readonly title: string
  readonly status: 'passed' | 'failed' | 'skipped'
  /** Why it failed or was skipped. */
  readonly message?: string
}

/** What a case runs with. */
export interface CaseContext {
  readonly target: ConformanceTarget
  readonly api: Api
  /** The limits of the router under test, as it reports them. */
  readonly limits: Limits
  /** A ticket no other case (and no other run) uses. */
  ticket(label: string): string
}

/** One behaviour every shell must share. */
export interface ConformanceCase {
  /** Stable, kebab-case: runners name their subtests with it. */
  readonly id: string
  /** What it proves. */
  readonly title: string
  /** The hooks it needs; without one of them it is skipped. */
  readonly needs: readonly Hook[]
  run(context: CaseContext): Promise<void>
}

export interface RunOptions {
  /** Runs only these case ids. */
  readonly only?: readonly string[]
  /** Called after each case, in order. */
  readonly onResult?: (result: CaseResult) => void
}

/** How long the suite waits for an event before it fails the case: a guard against hangs, not a measurement. */
export const EVENT_GUARD_MS = 5_000

/** A failed expectation. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConformanceFailure'
  }
}

// --- assertions -------------------------------------------------------------

function fail(message: string): never {
  throw new ConformanceFailure(message)
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) fail(message)
}

/** JSON-like text of `value` with sorted keys, for messages and comparisons. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value)
  if (Array.isArray(value)) return `[${value.map(show).join(',')}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${show((value as Record<string, unknown>)[key])}`).join(',')}}`
}

function equal(actual: unknown, expected: unknown, what: string): void {
  const a = show(actual)
  const e = show(expected)
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`)
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`
  }
  return show(error)
}

/** The error `promise` rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  let value: unknown
  try {
    value = await promise
  } catch (error) {
    return error
  }
  return fail(`${what}: expected a rejection, got a result: ${show(value)}`)
}

interface ExpectedIssue {
  readonly path: readonly (string | number)[]
  readonly message?: string
}

/** `error` is an `IPCValidationError` of `field` with exactly these issue paths (in any order). */
function expectValidation(
  error: unknown,
  field: 'request' | 'response',
  issues: readonly ExpectedIssue[],
): IPCValidationError {
  // Asked before the narrowing: structurally, an IPCValidationError is an IPCHandlerError.
  const guards = [isIPCValidationError(error), isIPCHandlerError(error), isIPCTransportError(error)]
  check(error instanceof IPCValidationError, `expected an IPCValidationError instance, got ${describe(error)}`)
  equal(guards, [true, false, false], 'isIPCValidationError, isIPCHandlerError, isIPCTransportError')
  equal(error.name, 'IPCValidationError', 'name')
  equal(error.code, 'IPC_VALIDATION_ERROR', 'code')
  equal(error.field, field, 'field')
  check(typeof error.message === 'string' && error.message.length > 0, 'the validation error has no message')
  const paths = (list: readonly { path: readonly (string | number)[] }[]) => list.map((issue) => show(issue.path)).sort()
  equal(paths(error.issues), paths(issues), 'issue paths')
  for (const expected of issues) {
    const issue = error.issues.find((candidate) => show(candidate.path) === show(expected.path))
    check(issue !== undefined, `no issue at ${show(expected.path)}`)
    check(typeof issue.message === 'string' && issue.message.length > 0, `the issue at ${show(issue.path)} has no message`)
    if (expected.message !== undefined) equal(issue.message, expected.message, `message of the issue at ${show(issue.path)}`)
  }
  return error
}

interface ExpectedHandlerError {
  readonly code: string
  readonly statusCode: number | undefined
  readonly details?: unknown
  /** The exact message, or a part it must contain. */
  readonly message?: string | { readonly includes: string }
}

function checkMessage(actual: string, expected: ExpectedHandlerError['message']): void {
  if (expected === undefined) return
  if (typeof expected === 'string') equal(actual, expected, 'message')
  else check(actual.includes(expected.includes), `message ${show(actual)} does not include ${show(expected.includes)}`)
}

/** `error` is an `IPCHandlerError` with exactly this code, status code and details. */
function expectHandler(error: unknown, expected: ExpectedHandlerError): IPCHandlerError {
  const guards = [isIPCValidationError(error), isIPCHandlerError(error), isIPCTransportError(error)]
  check(error instanceof IPCHandlerError, `expected an IPCHandlerError instance, got ${describe(error)}`)
  equal(guards, [false, true, false], 'isIPCValidationError, isIPCHandlerError, isIPCTransportError')
  equal(error.name, 'IPCHandlerError', 'name')
  equal(error.code, expected.code, 'code')
  equal(error.statusCode, expected.statusCode, 'statusCode')
  equal(error.details, expected.details, 'details')
  checkMessage(error.message, expected.message)
  return error
}

/** `error` is the framework failure `code`, with its fixed status code and no details. */
function expectFramework(error: unknown, code: string, statusCode: number, message?: ExpectedHandlerError['message']): void {
  const handler = expectHandler(error, message === undefined ? { code, statusCode, details: undefined } : { code, statusCode, details: undefined, message })
  check(isFrameworkError(handler), `isFrameworkError is false for ${code}`)
  check(!isConformanceFailError(handler), `the typed-error guard accepts the framework error ${code}`)
}

function expectTransport(error: unknown, code: TransportErrorCode): void {
  check(error instanceof IPCTransportError, `expected an IPCTransportError instance, got ${describe(error)}`)
  check(isIPCTransportError(error), 'isIPCTransportError is false for an IPCTransportError')
  equal(error.code, code, 'code')
}

/** A raw reply envelope: `ok: false`, this `id`, and an `IPCHandlerError` with `code` and `statusCode`. */
function expectRawFailure(reply: unknown, id: string | number | null, code: string, statusCode: number): void {
  check(typeof reply === 'object' && reply !== null && !Array.isArray(reply), `the reply is not an object: ${show(reply)}`)
  const envelope = reply as Record<string, unknown>
  equal(Object.keys(envelope).sort(), ['error', 'id', 'ok'], 'reply fields')
  equal(envelope.id, id, 'reply id')
  equal(envelope.ok, false, 'reply ok')
  const error = envelope.error as Record<string, unknown>
  check(typeof error === 'object' && error !== null, `the reply's error is not an object: ${show(envelope.error)}`)
  equal(error.name, 'IPCHandlerError', 'error name')
  equal(error.code, code, 'error code')
  equal(error.statusCode, statusCode, 'error statusCode')
  check(typeof error.message === 'string' && error.message.length > 0, 'the error has no message')
  equal(error.details, undefined, 'error details')
}

/** Resolves with the first value `predicate` accepts, or fails after the guard. */
function nextEvent<T>(subscribe: (listener: (value: T) => void) => () => void, predicate: (value: T) => boolean, what: string): {
  readonly received: Promise<T>
  readonly seen: T[]
  stop(): void
} {
  const seen: T[] = []
  let unsubscribe = () => undefined as void
  let timer: ReturnType<typeof setTimeout> | undefined
  const received = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`${what}: no event within ${EVENT_GUARD_MS} ms; seen ${show(seen)}`)), EVENT_GUARD_MS)
    unsubscribe = subscribe((value) => {
      seen.push(value)
      if (predicate(value)) resolve(value)
    })
  })
  const stop = () => {
    clearTimeout(timer)
    unsubscribe()
  }
  received.then(stop, stop)
  return { received, seen, stop }
}

// --- cases ------------------------------------------------------------------

const SAFE = Number.MAX_SAFE_INTEGER

/** A request envelope as text, exactly as the clients write it. */
function envelope(id: string | number, channel: string, payload: unknown, kind = 'invoke'): string {
  return JSON.stringify({ v: 1, id, kind, channel, payload })
}

/** `depth` levels of nested arrays around `0`, as JSON text: depth 1 is `[0]`. */
function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}0${']'.repeat(depth)}`
}

async function raw(context: CaseContext, request: string): Promise<unknown> {
  const send = context.target.sendRaw
  check(send !== undefined, 'sendRaw is missing')
  return send(request)
}

/** Every case, in the order they run. */
export const CASES: readonly ConformanceCase[] = [
  {
    id: 'typed-call',
    title: 'a typed call returns the nested response exactly, with an absent optional field left out',
    needs: [],
    async run({ api }) {
      const items = [
        { name: 'apple', quantity: 3 },
        { name: 'pear', quantity: 0 },
      ]
      const reply = await api.conformance.echo({ label: 'basket', items })
      equal(reply, { label: 'basket', items, itemCount: 2 }, 'echo reply')
      check(!Object.hasOwn(reply, 'note'), 'an absent note came back as a property')
      const noted = await api.conformance.echo({ label: 'n', items: [], note: 'ünïcødé ✓ \u{1F600}' })
      equal(noted, { label: 'n', items: [], note: 'ünïcødé ✓ \u{1F600}', itemCount: 0 }, 'echo reply with a note')
    },
  },
  {
    id: 'validation-nested-path',
    title: 'an invalid nested field is an IPCValidationError with its path from the payload root',
    needs: [],
    async run({ api }) {
      const error = await rejection(
        api.conformance.echo({ label: 'ok', items: [{ name: 'fine', quantity: 1 }, { name: '', quantity: 1 }] }),
        'echo with an empty item name',
      )
      expectValidation(error, 'request', [{ path: ['items', 1, 'name'] }])
    },
  },
  {
    id: 'validation-every-issue',
    title: 'every invalid field is reported, and a missing one at its own path with "Required"',
    needs: [],
    async run({ api }) {
      const error = await rejection(
        api.conformance.echo({ label: 'x'.repeat(33), items: [{ name: 'a', quantity: 1001 }] }),
        'echo with two invalid fields',
      )
      expectValidation(error, 'request', [{ path: ['label'] }, { path: ['items', 0, 'quantity'] }])
      const missing = await rejection(
        api.conformance.echo({ label: 'a', items: [{ quantity: 1 }] } as never),
        'echo with a missing item name',
      )
      expectValidation(missing, 'request', [{ path: ['items', 0, 'name'], message: 'Required' }])
    },
  },
  {
    id: 'typed-error',
    title: 'a typed contract error arrives as an IPCHandlerError with its code, statusCode, message and details',
    needs: [],
    async run({ api }) {
      const notFound = await rejection(api.conformance.fail({ case: 'notFound', id: 42 }), 'fail notFound')
      expectHandler(notFound, { code: 'NOT_FOUND', statusCode: 404, details: { id: 42 }, message: 'Item 42 does not exist' })
      check(isConformanceFailError(notFound), 'isConformanceFailError is false for NOT_FOUND')
      check(!isFrameworkError(notFound), 'a typed error passes isFrameworkError')
      // The guard narrows `details` by `code`.
      if (isConformanceFailError(notFound) && notFound.code === 'NOT_FOUND') equal(notFound.details.id, 42, 'narrowed details.id')
      const quota = await rejection(api.conformance.fail({ case: 'quota', id: 0 }), 'fail quota')
      expectHandler(quota, { code: 'QUOTA_EXCEEDED', statusCode: 429, details: { limit: 3, used: 4 }, message: 'Quota of 3 exceeded' })
      check(isConformanceFailError(quota), 'isConformanceFailError is false for QUOTA_EXCEEDED')
    },
  },
  {
    id: 'typed-error-unit',
    title: 'a typed error without data or status has neither statusCode nor details',
    needs: [],
    async run({ api }) {
      const locked = await rejection(api.conformance.fail({ case: 'locked', id: 0 }), 'fail locked')
      const error = expectHandler(locked, { code: 'LOCKED', statusCode: undefined, details: undefined, message: 'The resource is locked.' })
      check(!('statusCode' in error && error.statusCode !== undefined), 'statusCode is set')
      check(isConformanceFailError(error), 'isConformanceFailError is false for LOCKED')
    },
  },
  {
    id: 'safe-integers',
    title: '64-bit fields carry every safe integer exactly, and Option is absent or null as its serde attributes say',
    needs: [],
    async run({ api }) {
      const extremes = await api.conformance.numbers({ unsigned: SAFE, signed: -SAFE })
      equal(extremes, { unsigned: SAFE, signed: -SAFE, nullable: null }, 'numbers at the safe extremes')
      check(!Object.hasOwn(extremes, 'optional'), 'an absent optional came back as a property')
      const present = await api.conformance.numbers({ unsigned: 0, signed: SAFE, optional: SAFE })
      equal(present, { unsigned: 0, signed: SAFE, optional: SAFE, nullable: SAFE }, 'numbers with the optional set')
      const nulled = await api.conformance.numbers({ unsigned: 1, signed: -1, optional: null })
      equal(nulled, { unsigned: 1, signed: -1, nullable: null }, 'numbers with the optional null')
    },
  },
  {
    id: 'unsafe-integer-request',
    title: 'an integer past 2^53 - 1 or out of its type is an IPCValidationError at its field',
    needs: [],
    async run({ api }) {
      expectValidation(
        await rejection(api.conformance.numbers({ unsigned: SAFE + 1, signed: 0 }), 'numbers with unsigned 2^53'),
        'request',
        [{ path: ['unsigned'] }],
      )
      expectValidation(
        await rejection(api.conformance.numbers({ unsigned: 0, signed: -(SAFE + 1) }), 'numbers with signed -2^53'),
        'request',
        [{ path: ['signed'] }],
      )
      expectValidation(
        await rejection(api.conformance.numbers({ unsigned: -1, signed: 0, optional: 1.5 }), 'numbers with -1 and 1.5'),
        'request',
        [{ path: ['unsigned'] }, { path: ['optional'] }],
      )
    },
  },
  {
    id: 'unsafe-integer-response',
    title: 'main refuses to send an integer JavaScript cannot hold: an IPCValidationError of the response',
    needs: [],
    async run({ api }) {
      const error = await rejection(api.conformance.numbers({ unsigned: 1, signed: 1, unsafeReply: true }), 'numbers with an unsafe reply')
      expectValidation(error, 'response', [{ path: ['unsigned'] }])
    },
  },
  {
    id: 'send',
    title: 'a send reaches its handler once, and gets no reply',
    needs: [],
    async run({ api, ticket }) {
      const tag = ticket('send')
      const result: unknown = api.conformance.record({ tag })
      equal(result, undefined, 'what send returns')
      const report = await api.conformance.waitTicket({ ticket: tag, until: 'started' })
      equal(report, { ticket: tag, started: true, cancelled: false }, 'the send handler ran')
      const recorded = await api.conformance.recorded()
      equal(recorded.filter((candidate) => candidate === tag).length, 1, 'times the tag was recorded')
    },
  },
  {
    id: 'event-all',
    title: 'an event main emits to every window reaches the caller, with its payload',
    needs: [],
    async run({ api }) {
      const seq = 1
      const waiting = nextEvent<Pinged>((listener) => api.conformance.onPinged(listener), (event) => event.seq === seq, 'pinged to all')
      try {
        equal(await api.conformance.emitPing({ seq, audience: 'all' }), null, 'emitPing reply')
        equal(await waiting.received, { seq, audience: 'all' }, 'the event')
      } finally {
        waiting.stop()
      }
    },
  },
  {
    id: 'event-caller',
    title: 'an event main emits to the caller only reaches the caller',
    needs: [],
    async run({ api }) {
      const seq = 2
      const waiting = nextEvent<Pinged>((listener) => api.conformance.onPinged(listener), (event) => event.seq === seq, 'pinged to the caller')
      try {
        equal(await api.conformance.emitPing({ seq, audience: 'caller' }), null, 'emitPing reply')
        equal(await waiting.received, { seq, audience: 'caller' }, 'the event')
      } finally {
        waiting.stop()
      }
    },
  },
  {
    id: 'event-unsubscribe',
    title: 'a removed listener gets no more events while the others still do',
    needs: [],
    async run({ api }) {
      const seq = 3
      const removed: Pinged[] = []
      const unsubscribe = api.conformance.onPinged((event) => removed.push(event))
      const waiting = nextEvent<Pinged>((listener) => api.conformance.onPinged(listener), (event) => event.seq === seq, 'pinged after an unsubscribe')
      try {
        unsubscribe()
        await api.conformance.emitPing({ seq, audience: 'caller' })
        await waiting.received
        // Listeners of one event run together: had it stayed, it would have run by now.
        equal(removed, [], 'events the removed listener got')
      } finally {
        waiting.stop()
      }
    },
  },
  {
    id: 'event-targeting',
    title: 'an event to the caller only does not reach another window; one to all does',
    needs: ['otherCaller'],
    async run({ api, target }) {
      const other = await (target.otherCaller as () => Promise<ExtraCaller>)()
      const mine = nextEvent<Pinged>((listener) => api.conformance.onPinged(listener), (event) => event.seq === 11, 'pinged, by the caller')
      const theirs = nextEvent<Pinged>((listener) => other.api.conformance.onPinged(listener), (event) => event.seq === 11, 'pinged, by the other window')
      try {
        // The other window is connected once it has been answered.
        await other.api.conformance.getLimits()
        await api.conformance.emitPing({ seq: 10, audience: 'caller' })
        await api.conformance.emitPing({ seq: 11, audience: 'all' })
        await mine.received
        await theirs.received
        // Events to one window keep their order: had the first reached the other window, it would be seen first.
        equal(mine.seen, [{ seq: 10, audience: 'caller' }, { seq: 11, audience: 'all' }], 'events the caller got')
        equal(theirs.seen, [{ seq: 11, audience: 'all' }], 'events the other window got')
      } finally {
        mine.stop()
        theirs.stop()
        await other.close()
      }
    },
  },
  {
    id: 'handler-panic',
    title: 'a handler that panics is INTERNAL_ERROR with nothing leaked, and main keeps serving',
    needs: [],
    async run({ api }) {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        expectFramework(await rejection(api.conformance.explode(), 'explode'), 'INTERNAL_ERROR', 500, 'Internal error')
      }
      equal(await api.conformance.echo({ label: 'after', items: [] }), { label: 'after', items: [], itemCount: 0 }, 'a call after the panics')
    },
  },
  {
    id: 'handler-timeout',
    title: "a handler past its contract's timeout is IPC_TIMEOUT, and its cancellation token fires",
    needs: [],
    async run({ api, limits, ticket }) {
      const stalled = ticket('stall')
      const error = await rejection(api.conformance.stall({ ticket: stalled }), 'stall')
      expectFramework(error, 'IPC_TIMEOUT', 504, { includes: `${limits.stallTimeoutMs} ms` })
      const report = await api.conformance.waitTicket({ ticket: stalled, until: 'cancelled' })
      equal(report, { ticket: stalled, started: true, cancelled: true }, 'the stalled handler')
    },
  },
  {
    id: 'concurrent-calls',
    title: "one caller's calls run concurrently: a call that waits does not hold up the next",
    needs: [],
    async run({ api, ticket }) {
      const marked = ticket('concurrent')
      const waiting = api.conformance.waitTicket({ ticket: marked, until: 'started' })
      equal(await api.conformance.mark({ ticket: marked }), null, 'mark reply')
      equal(await waiting, { ticket: marked, started: true, cancelled: false }, 'the waiting call')
    },
  },
  {
    id: 'handler-forbidden',
    title: 'a handler that refuses its caller itself is IPC_FORBIDDEN with its message',
    needs: [],
    async run({ api }) {
      expectFramework(await rejection(api.conformance.guarded(), 'guarded'), 'IPC_FORBIDDEN', 403, 'This caller may not use the guarded contract')
    },
  },
  {
    id: 'authorizer-forbidden',
    title: "a channel the router's authorizer refuses is IPC_FORBIDDEN, and its handler never runs",
    needs: [],
    async run({ api, limits, ticket }) {
      const refused = ticket('restricted')
      const error = await rejection(api.conformance.restricted({ ticket: refused }), 'restricted')
      expectFramework(error, 'IPC_FORBIDDEN', 403, `This caller may not use channel "${limits.restrictedChannel}"`)
      equal(await api.conformance.ticket({ ticket: refused }), { ticket: refused, started: false, cancelled: false }, 'the restricted handler')
    },
  },
  {
    id: 'payload-too-deep',
    title: 'a payload nested past the limit is IPC_PAYLOAD_TOO_DEEP, one at the limit is validated',
    needs: [],
    async run({ api, limits }) {
      // The payload object is one level, so `label` may hold maxDepth - 1.
      const nested = (depth: number): unknown => JSON.parse(nestedArrays(depth))
      const tooDeep = await rejection(api.conformance.echo({ label: nested(limits.maxDepth) as never, items: [] }), 'echo too deep')
      expectFramework(tooDeep, 'IPC_PAYLOAD_TOO_DEEP', 400, { includes: String(limits.maxDepth) })
      const atLimit = await rejection(api.conformance.echo({ label: nested(limits.maxDepth - 1) as never, items: [] }), 'echo at the depth limit')
      expectValidation(atLimit, 'request', [{ path: ['label'] }])
    },
  },
  {
    id: 'payload-too-large',
    title: 'a request over the size limit is IPC_PAYLOAD_TOO_LARGE for its caller; one at the limit is served',
    needs: [],
    async run({ api, limits }) {
      const overhead = envelope(1, 'conformance:echo', { label: 'big', items: [], note: '' }).length
      const note = 'x'.repeat(limits.maxRequestBytes - overhead + 1)
      const error = await rejection(api.conformance.echo({ label: 'big', items: [], note }), 'echo over the size limit')
      expectFramework(error, 'IPC_PAYLOAD_TOO_LARGE', 413, { includes: String(limits.maxRequestBytes) })
      // Ids grow with each call; 100 bytes of margin keep this one under the limit.
      const fits = 'x'.repeat(limits.maxRequestBytes - overhead - 100)
      const reply = await api.conformance.echo({ label: 'big', items: [], note: fits })
      equal(reply.note?.length, fits.length, 'length of the note served at the limit')
    },
  },
  {
    id: 'caller-gone',
    title: 'a caller that goes away mid-call cancels its handler, and main keeps serving the others',
    needs: ['dropMidCall'],
    async run({ api, target, ticket }) {
      const dropped = ticket('hang')
      await (target.dropMidCall as (ticket: string) => Promise<void>)(dropped)
      const report = await api.conformance.waitTicket({ ticket: dropped, until: 'cancelled' })
      equal(report, { ticket: dropped, started: true, cancelled: true }, 'the abandoned handler')
      equal(await api.conformance.echo({ label: 'still', items: [] }), { label: 'still', items: [], itemCount: 0 }, 'a call after the caller left')
    },
  },
  {
    id: 'refused-caller',
    title: "a caller the shell must refuse gets the shell's refusal, and no handler runs for it",
    needs: ['refusedCaller'],
    async run({ api, target, ticket }) {
      const refused = await (target.refusedCaller as () => Promise<RefusedCaller>)()
      const marked = ticket('refused')
      try {
        const error = await rejection(refused.api.conformance.mark({ ticket: marked }), 'mark by a refused caller')
        if (refused.refusal.kind === 'forbidden') expectFramework(error, 'IPC_FORBIDDEN', 403)
        else expectTransport(error, refused.refusal.code)
      } finally {
        await refused.close()
      }
      equal(await api.conformance.ticket({ ticket: marked }), { ticket: marked, started: false, cancelled: false }, 'the refused call')
    },
  },
  {
    id: 'raw-well-formed',
    title: 'a raw request is answered with its own id (string ids too), in the reply envelope',
    needs: ['sendRaw'],
    async run(context) {
      const reply = await raw(context, envelope('raw-1', 'conformance:echo', { label: 'raw', items: [] }))
      equal(reply, { id: 'raw-1', ok: true, data: { label: 'raw', items: [], itemCount: 0 } }, 'reply')
      const numbered = await raw(context, envelope(SAFE, 'conformance:getLimits', {}))
      equal((numbered as { id?: unknown }).id, SAFE, 'reply id')
    },
  },
  {
    id: 'raw-malformed',
    title: 'text that is not a request object is IPC_MALFORMED_REQUEST, with id null',
    needs: ['sendRaw'],
    async run(context) {
      for (const request of ['{"v":1,"id":', '[1,2]', '"text"', 'null', '']) {
        expectRawFailure(await raw(context, request), null, 'IPC_MALFORMED_REQUEST', 400)
      }
    },
  },
  {
    id: 'raw-bad-envelope',
    title: 'an unknown, repeated or missing field, a bad kind or a bad id is IPC_MALFORMED_REQUEST',
    needs: ['sendRaw'],
    async run(context) {
      const payload = '{"label":"a","items":[]}'
      const cases: [string, string | number | null][] = [
        [`{"v":1,"id":21,"kind":"invoke","channel":"conformance:echo","payload":${payload},"extra":true}`, 21],
        [`{"v":1,"id":22,"kind":"invoke","kind":"invoke","channel":"conformance:echo","payload":${payload}}`, 22],
        [`{"v":1,"id":23,"kind":"invoke","payload":${payload}}`, 23],
        [`{"v":1,"id":24,"kind":"call","channel":"conformance:echo","payload":${payload}}`, 24],
        // The contract's kind is invoke.
        [`{"v":1,"id":25,"kind":"send","channel":"conformance:echo","payload":${payload}}`, 25],
        [`{"v":1,"id":{},"kind":"invoke","channel":"conformance:echo","payload":${payload}}`, null],
        [`{"v":1,"id":${SAFE + 1},"kind":"invoke","channel":"conformance:echo","payload":${payload}}`, null],
        [`{"v":1,"id":"${'i'.repeat(129)}","kind":"invoke","channel":"conformance:echo","payload":${payload}}`, null],
        [`{"v":1,"kind":"invoke","channel":"conformance:echo","payload":${payload}}`, null],
      ]
      for (const [request, id] of cases) {
        try {
          expectRawFailure(await raw(context, request), id, 'IPC_MALFORMED_REQUEST', 400)
        } catch (error) {
          fail(`${request.slice(0, 80)}: ${describe(error)}`)
        }
      }
    },
  },
  {
    id: 'raw-unsupported-version',
    title: 'a request of another protocol version is IPC_UNSUPPORTED_VERSION, with its id',
    needs: ['sendRaw'],
    async run(context) {
      const request = '{"v":2,"id":31,"kind":"invoke","channel":"conformance:echo","payload":{"label":"a","items":[]}}'
      expectRawFailure(await raw(context, request), 31, 'IPC_UNSUPPORTED_VERSION', 400)
    },
  },
  {
    id: 'raw-unknown-channel',
    title: 'a channel without a handler, an event channel included, is IPC_UNKNOWN_CHANNEL, with its id',
    needs: ['sendRaw'],
    async run(context) {
      expectRawFailure(await raw(context, envelope(41, 'conformance:nothingHere', {})), 41, 'IPC_UNKNOWN_CHANNEL', 404)
      expectRawFailure(await raw(context, envelope(42, 'conformance:pinged', { seq: 1, audience: 'all' })), 42, 'IPC_UNKNOWN_CHANNEL', 404)
    },
  },
  {
    id: 'raw-too-deep',
    title: 'a raw payload nested past the limit is IPC_PAYLOAD_TOO_DEEP, with its id',
    needs: ['sendRaw'],
    async run(context) {
      const request = `{"v":1,"id":51,"kind":"invoke","channel":"conformance:echo","payload":{"label":${nestedArrays(context.limits.maxDepth)},"items":[]}}`
      expectRawFailure(await raw(context, request), 51, 'IPC_PAYLOAD_TOO_DEEP', 400)
    },
  },
  {
    id: 'raw-too-large',
    title: 'a raw request over the size limit is IPC_PAYLOAD_TOO_LARGE; one of exactly the limit is served',
    needs: ['sendRaw'],
    async run(context) {
      const limit = context.limits.maxRequestBytes
      const head = '{"v":1,"id":61,"kind":"invoke","channel":"conformance:echo","payload":{"label":"a","items":[],"note":"'
      const tail = '"}}'
      const sized = (bytes: number) => `${head}${'x'.repeat(bytes - head.length - tail.length)}${tail}`
      // Refused before it is parsed, yet answered with the id it starts with.
      expectRawFailure(await raw(context, sized(limit + 1)), 61, 'IPC_PAYLOAD_TOO_LARGE', 413)
      const exact = (await raw(context, sized(limit))) as { id?: unknown; ok?: unknown }
      equal([exact.id, exact.ok], [61, true], 'id and ok of the reply to a request of exactly the limit')
    },
  },
  {
    id: 'raw-send-failure',
    title: 'a failed send is answered, with its id when it has one',
    needs: ['sendRaw'],
    async run(context) {
      const reply = (await raw(context, envelope('send-1', 'conformance:record', { tag: '' }, 'send'))) as Record<string, unknown>
      equal([reply.id, reply.ok], ['send-1', false], 'id and ok')
      const error = reply.error as Record<string, unknown>
      equal([error.name, error.code, error.field], ['IPCValidationError', 'IPC_VALIDATION_ERROR', 'request'], 'error name, code, field')
      equal((error.issues as { path: unknown }[]).map((issue) => issue.path), [['tag']], 'issue paths')
    },
  },
  {
    id: 'raw-not-utf8',
    title: 'a request that is not UTF-8 text is IPC_MALFORMED_REQUEST, with id null',
    needs: ['sendRawBytes'],
    async run({ target }) {
      const send = target.sendRawBytes as (request: Uint8Array) => Promise<unknown>
      const bytes = new Uint8Array([0x7b, 0x22, 0x76, 0x22, 0x3a, 0xff, 0xfe, 0x7d])
      expectRawFailure(await send(bytes), null, 'IPC_MALFORMED_REQUEST', 400)
    },
  },
]

/**
 * Builds {@link ConformanceTarget.dropMidCall} from a function that opens
 * callers: opens one, starts `conformance.hang` on it, waits until main runs
 * the call (asking through `api`), then closes the caller.
 */
export function dropMidCallWith(api: Api, open: () => Promise<ExtraCaller>): (ticket: string) => Promise<void> {
  return async (ticket) => {
    const caller = await open()
    try {
      // It rejects when the caller goes away; the case checks main's side.
      caller.api.conformance.hang({ ticket }).catch(() => undefined)
      await api.conformance.waitTicket({ ticket, until: 'started' })
    } finally {
      await caller.close()
    }
  }
}

/** Runs the cases against `target`, one after the other; never throws. */
export async function runConformance(target: ConformanceTarget, options: RunOptions = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = []
  const report = (result: CaseResult) => {
    results.push(result)
    options.onResult?.(result)
  }
  const selected = CASES.filter((entry) => options.only === undefined || options.only.includes(entry.id))
  let limits: Limits | undefined
  let setup: string | undefined
  try {
    limits = await target.api.conformance.getLimits()
  } catch (error) {
    setup = `conformance.getLimits failed, so no case could run: ${describe(error)}`
  }
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  let tickets = 0
  for (const entry of selected) {
    const base = { id: entry.id, title: entry.title }
    const missing = entry.needs.filter((hook) => target[hook] === undefined)
    if (missing.length > 0) {
      report({ ...base, status: 'skipped', message: `${target.name} provides no ${missing.join(', ')}` })
      continue
    }
    if (limits === undefined) {
      report({ ...base, status: 'failed', message: setup ?? 'no limits' })
      continue
    }
    const context: CaseContext = {
      target,
      api: target.api,
      limits,
      ticket: (label) => {
        tickets += 1
        return `${label}-${run}-${tickets}`
      },
    }
    try {
      await entry.run(context)
      report({ ...base, status: 'passed' })
    } catch (error) {
      report({ ...base, status: 'failed', message: error instanceof ConformanceFailure ? error.message : `unexpected ${describe(error)}` })
    }
  }
  return results
}
