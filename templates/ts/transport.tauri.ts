/**
 * The Tauri 2 transport: a {@link Transport} over Tauri's IPC, to the `{{ prose.plugin_name }}`
 * plugin of the `ipc-tauri` crate.
 *
 * ```ts
 * import { connectTauri } from './transport.tauri.js'
 * import { createApi } from './api.js'
 *
 * const transport = connectTauri()
 * export const api = createApi(transport)
 * ```
 *
 * `@tauri-apps/api` is a peer dependency: this module imports `invoke` and
 * `Channel` from `@tauri-apps/api/core` (or uses the ones passed in
 * {@link TauriTransportOptions.tauri}).
 *
 * **Calls.** Each request is one envelope of the wire protocol, sent to
 * `{{ prose.dispatch_command }}` as a raw body (UTF-8 JSON in a `Uint8Array`); the
 * reply comes back as raw bytes and is parsed here, once. Each call settles
 * exactly once, rejecting only with an {@link IPCTransportError}:
 * - `IPC_TIMEOUT` after `options.timeoutMs`, else `defaultTimeoutMs` (30 s);
 *   `Infinity` disables the timeout. A late reply is ignored.
 * - `IPC_ABORTED` when `options.signal` aborts (or was already aborted).
 * - `IPC_NOT_CONNECTED` when there is no Tauri IPC (the page is not in a Tauri
 *   webview, or the app has no `{{ prose.plugin_name }}` plugin) or after {@link TauriTransport.close}.
 * - `IPC_PROTOCOL_ERROR` when the payload cannot be serialized as JSON, or the
 *   reply is not a well-formed reply envelope.
 *
 * When Tauri's ACL refuses the command itself (no capability of this window
 * grants any `{{ prose.plugin_name }}:` permission, or the page's origin is not in one), the call
 * resolves with the same `{{ prose.forbidden_code }}` failure the plugin gives for a
 * contract the window's capabilities do not grant.
 *
 * **Events.** At once (or, with `events: 'lazy'`, on the first
 * {@link Transport.subscribe}) the transport opens one `Channel` with
 * `{{ prose.subscribe_command }}`, which needs the `{{ prose.plugin_name }}:allow-subscribe` permission;
 * the main side sends this webview's events over it, and only this webview's.
 * `ready` settles once that channel is open (at once with `events: 'lazy'`),
 * and rejects with `IPC_NOT_CONNECTED` when it is refused.
 *
 * **Hostile input.** Replies and events are treated as untrusted: fields are
 * read from own data properties only, and malformed events are reported to
 * `onProtocolError` and otherwise ignored. A listener that throws is reported
 * to `onListenerError` and does not affect the others.
 *
 * This module uses no Node APIs, no `eval` and no other runtime dependency; it
 * runs under a strict Content Security Policy.
 *
 * @module
 */

import { Channel, invoke } from '@tauri-apps/api/core'

import { IPCTransportError, deserializeError } from './errors.js'
import { isWireReply, type CallOptions, type Transport, type WireReply } from './transport.js'

/** The command that carries requests. */
export const TAURI_DISPATCH_COMMAND = {{ dispatch_command }}

/** The command that opens the webview's event channel. */
export const TAURI_SUBSCRIBE_COMMAND = {{ subscribe_command }}

/** The `v` of request and event envelopes. */
const PROTOCOL_VERSION = {{ protocol_version }}

/** Longest delay `setTimeout` honours; longer delays fire at once in browsers. */
const MAX_TIMER_DELAY_MS = 2_147_483_647

/** Defaults of {@link TauriTransportOptions}. */
export const TAURI_DEFAULTS = Object.freeze({
  /** Timeout of a call that sets no `timeoutMs`, in milliseconds. */
  defaultTimeoutMs: 30_000,
} as const)

/** The parts of `@tauri-apps/api/core` the transport uses (its `invoke` and `Channel` fit). */
export interface TauriCore {
  invoke(command: string, args?: Uint8Array | Record<string, unknown>): Promise<unknown>
  Channel: new (onmessage: (message: unknown) => void) => object
}

/** Options of {@link connectTauri}. */
export interface TauriTransportOptions {
  /** Timeout of a call that sets no `timeoutMs`; default 30 s, `Infinity` for none. */
  defaultTimeoutMs?: number | undefined
  /** Malformed events and failed sends; default: `console.warn`. */
  onProtocolError?: ((error: IPCTransportError) => void) | undefined
  /** A failure reply to a send (the main side refused its payload, for example). */
  onSendError?: ((error: Error, channel: string) => void) | undefined
  /** A listener threw; default: rethrown asynchronously. */
  onListenerError?: ((error: unknown, channel: string) => void) | undefined
  /** When to open the event channel: `'eager'` (default) or on the first subscribe. */
  events?: 'eager' | 'lazy' | undefined
  /** `invoke` and `Channel`; default: those of `@tauri-apps/api/core`. */
  tauri?: TauriCore | undefined
}

/** The transport {@link connectTauri} returns. */
export interface TauriTransport extends Transport {
  /** Settles once the event channel is open; rejects with an {@link IPCTransportError} when it is refused. */
  readonly ready: Promise<void>
  /** Rejects later calls with `IPC_NOT_CONNECTED` and stops delivering events. */
  close(): void
}

/** Connects to the `{{ prose.plugin_name }}` plugin of the Tauri app this page runs in. */
export function connectTauri(options: TauriTransportOptions = {}): TauriTransport {
  const core: TauriCore = options.tauri ?? { invoke, Channel }
  const defaultTimeoutMs = options.defaultTimeoutMs ?? TAURI_DEFAULTS.defaultTimeoutMs
  const encoder = new TextEncoder()
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1
  let closed = false
  let events: Promise<void> | undefined

  const reportProtocolError = (error: IPCTransportError): void => {
    if (options.onProtocolError === undefined) {
      console.warn(error)
      return
    }
    try {
      options.onProtocolError(error)
    } catch (callbackError) {
      reportUncaught(callbackError)
    }
  }

  const reportListenerError = (error: unknown, channel: string): void => {
    if (options.onListenerError === undefined) {
      reportUncaught(error)
      return
    }
    try {
      options.onListenerError(error, channel)
    } catch (callbackError) {
      reportUncaught(callbackError)
    }
  }

  /** Sends one envelope; resolves with the reply's bytes (empty for a send that succeeded). */
  const dispatch = async (envelope: Record<string, unknown>): Promise<WireReply | undefined> => {
    let body: Uint8Array
    try {
      body = encoder.encode(JSON.stringify(envelope))
    } catch (cause) {
      throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The payload cannot be serialized as JSON', { cause })
    }
    let raw: unknown
    try {
      raw = await core.invoke(TAURI_DISPATCH_COMMAND, body)
    } catch (refusal) {
      return refusedByTauri(refusal)
    }
    return readReply(raw, envelope['id'])
  }

  const readReply = (raw: unknown, id: unknown): WireReply | undefined => {
    const bytes = asBytes(raw)
    if (bytes === undefined) {
      throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The reply is not raw bytes')
    }
    if (bytes.byteLength === 0) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(decoder.decode(bytes))
    } catch (cause) {
      throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The reply is not UTF-8 JSON', { cause })
    }
    // Each invoke has its own reply, so a failure main could not match to
    // an id (`"id": null`) is still this call's.
    if (typeof parsed === 'object' && parsed !== null && ownValue(parsed, 'id') === null) {
      const { id: _unmatched, ...rest } = parsed as Record<string, unknown>
      parsed = rest
    }
    if (!isWireReply(parsed)) {
      throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'Received a malformed IPC reply envelope')
    }
    const replyId = ownValue(parsed, 'id')
    if (replyId !== undefined && replyId !== id) {
      throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The reply is for another request')
    }
    return parsed
  }

  const openEvents = (): Promise<void> => {
    if (events !== undefined) return events
    let channel: object
    try {
      channel = new core.Channel((message) => deliver(message))
    } catch (cause) {
      events = Promise.reject(new IPCTransportError('IPC_NOT_CONNECTED', 'This page has no Tauri IPC', { cause }))
      return events
    }
    events = core.invoke(TAURI_SUBSCRIBE_COMMAND, { onEvent: channel }).then(
      () => undefined,
      (cause: unknown) => {
        throw new IPCTransportError('IPC_NOT_CONNECTED', `The event channel was refused: ${describe(cause)}`, {
          cause,
        })
      },
    )
    return events
  }

  const deliver = (message: unknown): void => {
    if (closed) return
    if (
      typeof message !== 'object' ||
      message === null ||
      ownValue(message, 'v') !== PROTOCOL_VERSION ||
      ownValue(message, 'kind') !== 'event' ||
      typeof ownValue(message, 'channel') !== 'string' ||
      Object.getOwnPropertyDescriptor(message, 'payload') === undefined
    ) {
      reportProtocolError(new IPCTransportError('IPC_PROTOCOL_ERROR', 'Received a malformed event envelope'))
      return
    }
    const channel = ownValue(message, 'channel') as string
    const payload = ownValue(message, 'payload')
    for (const listener of [...(listeners.get(channel) ?? [])]) {
      try {
        listener(payload)
      } catch (error) {
        reportListenerError(error, channel)
      }
    }
  }

  const ready = options.events === 'lazy' ? Promise.resolve() : openEvents()
  // A refusal is reported through `ready` and to subscribers, never unhandled.
  ready.catch(() => undefined)

  return {
    ready,

    invoke(channel: string, payload: unknown, callOptions?: CallOptions): Promise<WireReply> {
      const signal = callOptions?.signal
      if (closed) return Promise.reject(new IPCTransportError('IPC_NOT_CONNECTED'))
      if (signal?.aborted === true) return Promise.reject(new IPCTransportError('IPC_ABORTED'))
      const id = nextId++
      const timeoutMs = callOptions?.timeoutMs ?? defaultTimeoutMs
      return new Promise<WireReply>((resolve, reject) => {
        let settled = false
        let timer: ReturnType<typeof setTimeout> | undefined
        const settle = (finish: () => void): void => {
          if (settled) return
          settled = true
          if (timer !== undefined) clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          finish()
        }
        const onAbort = (): void => settle(() => reject(new IPCTransportError('IPC_ABORTED')))
        signal?.addEventListener('abort', onAbort, { once: true })
        if (Number.isFinite(timeoutMs)) {
          timer = setTimeout(
            () => settle(() => reject(new IPCTransportError('IPC_TIMEOUT'))),
            Math.min(Math.max(0, timeoutMs), MAX_TIMER_DELAY_MS),
          )
        }
        dispatch({ v: PROTOCOL_VERSION, id, kind: 'invoke', channel, payload }).then(
          (reply) =>
            settle(() =>
              reply === undefined
                ? reject(new IPCTransportError('IPC_PROTOCOL_ERROR', 'An invoke got no reply'))
                : resolve(reply),
            ),
          (error: unknown) =>
            settle(() =>
              reject(error instanceof IPCTransportError ? error : new IPCTransportError('IPC_PROTOCOL_ERROR')),
            ),
        )
      })
    },

    send(channel: string, payload: unknown): void {
      if (closed) throw new IPCTransportError('IPC_NOT_CONNECTED')
      const id = nextId++
      dispatch({ v: PROTOCOL_VERSION, id, kind: 'send', channel, payload }).then(
        (reply) => {
          if (reply === undefined || reply.ok) return
          const error = deserializeError(reply.error)
          if (options.onSendError === undefined) {
            reportProtocolError(new IPCTransportError('IPC_PROTOCOL_ERROR', `A send was refused: ${error.message}`))
          } else {
            options.onSendError(error, channel)
          }
        },
        (error: unknown) =>
          reportProtocolError(error instanceof IPCTransportError ? error : new IPCTransportError('IPC_PROTOCOL_ERROR')),
      )
    },

    subscribe(channel: string, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(channel)
      if (set === undefined) {
        set = new Set()
        listeners.set(channel, set)
      }
      // One entry per subscription, even for the same function twice.
      const entry = (payload: unknown): void => listener(payload)
      set.add(entry)
      openEvents().catch((error: unknown) =>
        reportProtocolError(error instanceof IPCTransportError ? error : new IPCTransportError('IPC_NOT_CONNECTED')),
      )
      return () => {
        listeners.get(channel)?.delete(entry)
      }
    },

    close(): void {
      closed = true
      listeners.clear()
    },
  }
}

/**
 * What a call resolves with when Tauri refused the command before the plugin
 * saw it: its ACL's refusal is the `{{ prose.forbidden_code }}` failure; anything else
 * (no Tauri IPC, no `{{ prose.plugin_name }}` plugin) is `IPC_NOT_CONNECTED`.
 */
function refusedByTauri(refusal: unknown): WireReply {
  const message = describe(refusal)
  if (/not allowed|denied/i.test(message)) {
    return {
      ok: false,
      error: { name: 'IPCHandlerError', code: {{ forbidden_code }}, message, statusCode: {{ forbidden_status }} },
    }
  }
  throw new IPCTransportError('IPC_NOT_CONNECTED', `Tauri refused the call: ${message}`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 500)
  if (value instanceof Error) return value.message.slice(0, 500)
  return 'unknown error'
}

/** The bytes of a raw reply: Tauri hands them over as an `ArrayBuffer` (or, on some paths, a byte array). */
function asBytes(raw: unknown): Uint8Array | undefined {
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw)
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
  if (Array.isArray(raw) && raw.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 256)) {
    return Uint8Array.from(raw as number[])
  }
  return undefined
}

function ownValue(source: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined
}

function reportUncaught(error: unknown): void {
  setTimeout(() => {
    throw error
  }, 0)
}
