/**
 * The transport interface every generated IPC client is built on, and the
 * handling of the reply envelopes the main side sends back.
 *
 * The main side answers every invoke with an envelope, `{ id, ok: true, data }`
 * or `{ id, ok: false, error }`: errors are data, never exceptions.
 *
 * @module
 */

import { IPCTransportError, deserializeError } from './errors.js'

/** Reply envelope for an invoke, as sent by the main side. */
export type WireReply =
  | { id?: string | number; ok: true; data: unknown }
  | { id?: string | number; ok: false; error: unknown }

/** Per-call options. */
export interface CallOptions {
  /** Rejects with an `IPC_TIMEOUT` {@link IPCTransportError} when no reply arrives in time. */
  timeoutMs?: number | undefined
  /** Rejects with an `IPC_ABORTED` {@link IPCTransportError} when aborted. */
  signal?: AbortSignal | undefined
}

/** Moves messages between the renderer and the main side. */
export interface Transport {
  /** Sends a request for `channel` and resolves with the reply envelope; rejects only with IPCTransportError. */
  invoke(channel: string, payload: unknown, options?: CallOptions): Promise<WireReply>
  /** Sends a one-way message for `channel`; no reply is expected. */
  send(channel: string, payload: unknown): void
  /** Listens to events the main side emits on `channel`. Returns an unsubscribe function. */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void
}

/**
 * Whether `value` is a well-formed reply envelope: an object whose own data
 * properties hold a boolean `ok`, `data` (when `ok` is true) or `error` (when
 * `ok` is false), and optionally a string or finite number `id`. Inherited
 * properties and getters are never consulted.
 */
export function isWireReply(value: unknown): value is WireReply {
  return readReply(value) !== undefined
}

/**
 * Returns the `data` of a successful reply, or throws the reply's error rebuilt by
 * `deserializeError` (an `IPCValidationError`, `IPCHandlerError`, ... instance).
 *
 * @throws {@link IPCTransportError} with code `IPC_PROTOCOL_ERROR` when `reply` is
 * not a well-formed envelope (see {@link isWireReply}).
 */
export function unwrapReply(reply: unknown): unknown {
  const envelope = readReply(reply)
  if (envelope === undefined) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'Received a malformed IPC reply envelope')
  }
  if (envelope.ok) return envelope.data
  throw deserializeError(envelope.error)
}

/**
 * Invokes `channel` over `transport` and unwraps the reply with {@link unwrapReply}.
 * Rejections are always `Error` instances.
 */
export function invokeAndUnwrap(
  transport: Transport,
  channel: string,
  payload: unknown,
  options?: CallOptions,
): Promise<unknown> {
  let reply: Promise<WireReply>
  try {
    reply = transport.invoke(channel, payload, options)
  } catch (error) {
    return Promise.reject(deserializeError(error))
  }
  // One `then`, not an async function: each call is one promise fewer.
  return Promise.resolve(reply).then(unwrapReply, rejectAsError)
}

function rejectAsError(error: unknown): never {
  throw deserializeError(error)
}

type ReadReply = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly error: unknown }

/** Reads a reply envelope from its own data properties; `undefined` when malformed. */
function readReply(value: unknown): ReadReply | undefined {
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const id = Object.getOwnPropertyDescriptor(value, 'id')
    if (id !== undefined && !('value' in id && isReplyId(id.value))) return undefined
    const ok = ownValue(value, 'ok')
    if (ok === true) {
      const data = Object.getOwnPropertyDescriptor(value, 'data')
      return data !== undefined && 'value' in data ? { ok: true, data: data.value } : undefined
    }
    if (ok === false) {
      const error = Object.getOwnPropertyDescriptor(value, 'error')
      return error !== undefined && 'value' in error ? { ok: false, error: error.value } : undefined
    }
    return undefined
  } catch {
    return undefined
  }
}

function isReplyId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/** An own data property's value, without invoking getters or consulting prototypes. */
function ownValue(source: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined
}
