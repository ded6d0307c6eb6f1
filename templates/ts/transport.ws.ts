/**
 * The loopback WebSocket transport: a {@link Transport} for a renderer served
 * by the main side over HTTP on loopback, talking to it over one WebSocket.
 *
 * ```ts
 * import { connectWebSocket } from './transport.ws.js'
 * import { createApi } from './api.js'
 *
 * const transport = connectWebSocket({ onStateChange: (state) => showConnectionState(state) })
 * export const api = createApi(transport)
 * ```
 *
 * **Connecting.** The socket goes to `ws://<host>{{ prose.path }}` on the page's own host
 * and port (`wss:` for an `https:` page), or to `options.url`. The main side
 * hands the renderer a per-launch secret once, in the fragment of the address
 * it navigates to (`http://127.0.0.1:<port>/#{{ prose.secret_fragment_key }}=<hex>`);
 * {@link takeSecretFromLocation} (called by default) takes it out of the address
 * bar and keeps it in `sessionStorage`, so that reloading the tab still works.
 * The secret travels as a WebSocket subprotocol:
 * `new WebSocket(url, ["{{ prose.subprotocol }}", "{{ prose.secret_protocol_prefix }}<hex>"])`; the main side
 * must select `{{ prose.subprotocol }}`, anything else is a protocol error. A
 * connection that fails the main side's checks is refused during the handshake.
 *
 * **States.** `connecting` (the first connection), `open`, `reconnecting` (the
 * socket was lost: waiting for or attempting the next connection) and
 * `closed` (final). `ready` settles once, with the first connection.
 *
 * **Calls.** Invokes are pipelined over the one socket and matched to replies
 * by numeric id. Each call settles exactly once, rejecting only with an
 * {@link IPCTransportError}:
 * - `IPC_TIMEOUT` after `options.timeoutMs`, else `defaultTimeoutMs` (30 s);
 *   `Infinity` disables the timeout. The id is forgotten: a late reply is ignored.
 * - `IPC_ABORTED` when `options.signal` aborts (or was already aborted).
 * - `IPC_DISCONNECTED` when the socket drops or {@link WebSocketTransport.close}
 *   is called while the call waits for its reply.
 * - `IPC_NOT_CONNECTED` when the call is made while `reconnecting` or `closed`,
 *   when the first connection is refused before a queued call was sent, or when
 *   `maxPendingCalls` calls are already waiting.
 * - `IPC_PROTOCOL_ERROR` when the payload cannot be serialized as JSON, or the
 *   reply to the call is not a well-formed reply envelope.
 *
 * Calls and sends made while `connecting` are queued and sent, in order, once
 * the socket opens (calls still bounded by their timeout). Sends made while
 * `reconnecting` or `closed` throw an `IPC_NOT_CONNECTED` error. Timeouts and
 * aborts only stop waiting: the protocol has no cancel message, so the main
 * side still runs the call.
 *
 * **Reconnecting.** When an open socket drops, every waiting call is rejected
 * with `IPC_DISCONNECTED` and the transport reconnects with capped exponential
 * backoff (250 ms, 500 ms, 1 s, ... up to 10 s between attempts, at most 20
 * attempts; see {@link ReconnectOptions}). The attempt count is reset only once a
 * connection has stayed open for `stableAfterMs` (5 s), so a server that accepts
 * and drops connections cannot cause a tight reconnect loop. There is no
 * reconnect after {@link WebSocketTransport.close}, when the very first
 * connection is refused (a browser cannot tell a refused secret from any other
 * handshake failure, and the main side that served the page is known to be up,
 * so the refusal is taken as final), or when the main side selects the wrong
 * subprotocol; after the last attempt fails the transport is `closed`.
 * Subscriptions survive reconnects; events the main side emits while the socket
 * is down are lost. Calls are never retried, since they may not be idempotent.
 *
 * **Hostile input.** Everything received is treated as untrusted: text frames
 * longer than `maxInboundTextLength` are not parsed, replies to unknown ids
 * (including late replies) are ignored, fields are read from own data
 * properties only, and malformed messages, replies with `"id": null` (failures
 * the main side could not match to a request) and binary frames (reserved for
 * streams) are reported to `onProtocolError` and otherwise ignored. A listener
 * that throws is reported to `onListenerError` and does not affect the others.
 *
 * This module uses no Node APIs, no `eval` and no runtime dependencies; it runs
 * in browsers under a strict Content Security Policy.
 *
 * It is one module with several parts, in this order: the public types and
 * {@link connectWebSocket}, which wires the parts together; the request
 * manager (ids, pending calls, deadlines, cancellation); the connection's
 * state machine; inbound replies and events; the options; the URL and the
 * secret; binary frames; support functions. It is one file, so that a page
 * imports one module, and is longer than the other runtime files for that
 * reason; the template keeps each part in a file of its own
 * (`templates/ts/transport.ws/`).
 *
 * @module
 */

import { IPCTransportError, deserializeError } from './errors.js'
import type { CallOptions, Transport, WireReply } from './transport.js'

/** The subprotocol the main side must select. */
export const WS_PROTOCOL = {{ subprotocol }}

/** Prefix of the subprotocol that carries the per-launch secret: `{{ prose.secret_protocol_prefix }}<hex>`. */
export const WS_SECRET_PROTOCOL_PREFIX = {{ secret_protocol_prefix }}

/** Path of the IPC WebSocket on the main side's loopback server. */
export const WS_PATH = {{ path }}

/** Key of the secret in the address fragment: `#{{ prose.secret_fragment_key }}=<hex>`. */
export const SECRET_FRAGMENT_KEY = {{ secret_fragment_key }}

/** `sessionStorage` key under which {@link takeSecretFromLocation} keeps the secret. */
export const SECRET_STORAGE_KEY = 'ipc-contracts.secret'

/** The `v` of request and event envelopes. */
const PROTOCOL_VERSION = {{ protocol_version }}

/** Longest delay `setTimeout` honours; longer delays fire at once in browsers. */
const MAX_TIMER_DELAY_MS = 2_147_483_647

/** Defaults of {@link WebSocketTransportOptions}. */
export const WEBSOCKET_DEFAULTS = Object.freeze({
  /** Timeout of a call that sets no `timeoutMs`, in milliseconds. */
  defaultTimeoutMs: 30_000,
  /** Calls waiting for a reply (or for the first connection) at once. */
  maxPendingCalls: 10_000,
  /** Longest inbound text frame parsed, in UTF-16 code units (16 Mi). */
  maxInboundTextLength: 16 * 1024 * 1024,
  /** Reconnect backoff. */
  reconnect: Object.freeze({
    initialDelayMs: 250,
    maxDelayMs: 10_000,
    factor: 2,
    maxAttempts: 20,
    stableAfterMs: 5_000,
  }),
} as const)

/** Limits of the binary frame codec. */
export const BINARY_FRAME_LIMITS = Object.freeze({
  /** Longest header, in bytes of UTF-8 (64 KiB). */
  maxHeaderLength: 64 * 1024,
} as const)

/** The connection state of a {@link WebSocketTransport}. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** What the transport reads from the events of a {@link WebSocketLike}. */
export interface WebSocketEventLike {
  /** The frame of a `message` event: a string for text, an `ArrayBuffer` or `Blob` for binary. */
  readonly data?: unknown
}

/** The part of the browser `WebSocket` the transport uses. */
export interface WebSocketLike {
  /** The subprotocol the server selected; empty until open. */
  readonly protocol: string
  /** Set to `"arraybuffer"` by the transport. */
  binaryType: string
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'message' | 'error' | 'close',
    listener: (event: WebSocketEventLike) => void,
  ): void
}

/** A `WebSocket` constructor: the browser's, or another for tests. */
export type WebSocketConstructorLike = new (url: string, protocols: string[]) => WebSocketLike

/** Timer functions, replaceable for tests. */
export interface TimerFunctions {
  setTimeout(callback: () => void, delayMs: number): unknown
  clearTimeout(handle: unknown): void
  /**
   * The time in milliseconds since any fixed origin, on the clock `setTimeout`
   * counts on. With it, all pending calls share one timer for their deadlines;
   * without it, each call starts a timer of its own.
   */
  now?(): number
}

/** Reconnect backoff: the n-th attempt (from 0) waits `min(maxDelayMs, initialDelayMs * factor ** n)`. */
export interface ReconnectOptions {
  /** Delay before the first attempt, in milliseconds; default 250. */
  initialDelayMs?: number | undefined
  /** Longest delay between attempts, in milliseconds; default 10 000. */
  maxDelayMs?: number | undefined
  /** Growth of the delay per attempt, at least 1; default 2. */
  factor?: number | undefined
  /** Attempts before giving up (`Infinity` for no limit); default 20. */
  maxAttempts?: number | undefined
  /** How long a connection must stay open before the attempt count is reset, in milliseconds; default 5 000. */
  stableAfterMs?: number | undefined
}

/** Options of {@link connectWebSocket}. */
export interface WebSocketTransportOptions {
  /** The WebSocket URL; default `ws://<location.host>{{ prose.path }}` (see {@link defaultWebSocketUrl}). */
  url?: string | undefined
  /** The per-launch secret (hex, at least 128 bits); default {@link takeSecretFromLocation}`()`. */
  secret?: string | undefined
  /** The WebSocket constructor; default `globalThis.WebSocket`. */
  WebSocketImpl?: WebSocketConstructorLike | undefined
  /** Timeout of calls that set no `timeoutMs`, in milliseconds; `Infinity` for none; default 30 000. */
  defaultTimeoutMs?: number | undefined
  /** Reconnect backoff, or `false` to never reconnect; default {@link WEBSOCKET_DEFAULTS}`.reconnect`. */
  reconnect?: boolean | ReconnectOptions | undefined
  /** Most calls waiting at once; further calls reject with `IPC_NOT_CONNECTED`; default 10 000. */
  maxPendingCalls?: number | undefined
  /** Longest inbound text frame parsed, in UTF-16 code units; default 16 Mi. */
  maxInboundTextLength?: number | undefined
  /** Called after every state change. */
  onStateChange?: ((state: ConnectionState, previous: ConnectionState) => void) | undefined
  /**
   * Called with an `IPC_PROTOCOL_ERROR` {@link IPCTransportError} for every inbound
   * message that is dropped: malformed JSON or envelopes, oversized frames,
   * binary frames, and replies with `"id": null` (whose rebuilt error is the
   * `cause`). Default: `console.warn`.
   */
  onProtocolError?: ((error: IPCTransportError) => void) | undefined
  /** Called when an event listener throws. Default: `reportError`, else `console.error`. */
  onListenerError?: ((error: unknown, channel: string) => void) | undefined
  /** Timer functions; default the global `setTimeout` and `clearTimeout`. */
  timers?: TimerFunctions | undefined
}

/** A {@link Transport} over the loopback WebSocket. */
export interface WebSocketTransport extends Transport {
  /**
   * Resolves when the first connection opens. Rejects with an
   * {@link IPCTransportError} when it cannot be made: `IPC_NOT_CONNECTED` when it
   * is refused, no URL, secret or WebSocket is available, or `close()` is called
   * first; `IPC_PROTOCOL_ERROR` when the main side selects the wrong subprotocol.
   */
  readonly ready: Promise<void>
  /** The current connection state. */
  readonly state: ConnectionState
  /** Closes the socket for good: waiting calls reject with `IPC_DISCONNECTED`. Idempotent. */
  close(): void
}

/**
 * Opens the loopback WebSocket transport. Never throws: failures are reported
 * through {@link WebSocketTransport.ready} and the state.
 */
export function connectWebSocket(options: WebSocketTransportOptions = {}): WebSocketTransport {
  const timers = options.timers ?? defaultTimers()
  const maxPendingCalls = countSetting(options.maxPendingCalls, WEBSOCKET_DEFAULTS.maxPendingCalls)
  const { onProtocolError, onListenerError, onStateChange } = options

  const reportProtocolError = (error: IPCTransportError): void => {
    if (onProtocolError === undefined) {
      warn(error)
      return
    }
    try {
      onProtocolError(error)
    } catch (callbackError) {
      reportUncaught(callbackError)
    }
  }
  const reportListenerError = (error: unknown, channel: string): void => {
    if (onListenerError === undefined) {
      reportUncaught(error)
      return
    }
    try {
      onListenerError(error, channel)
    } catch (callbackError) {
      reportUncaught(callbackError)
    }
  }

  const requests = new RequestManager(
    timers,
    timeoutSetting(options.defaultTimeoutMs, WEBSOCKET_DEFAULTS.defaultTimeoutMs),
  )
  const inbound = new Inbound(
    requests,
    countSetting(options.maxInboundTextLength, WEBSOCKET_DEFAULTS.maxInboundTextLength),
    { protocolError: reportProtocolError, listenerError: reportListenerError },
  )
  const connection = new Connection(
    connectionTarget(options),
    reconnectSettings(options.reconnect),
    requests,
    timers,
    maxPendingCalls,
    {
      stateChanged: (state, previous) => {
        if (onStateChange === undefined) return
        try {
          onStateChange(state, previous)
        } catch (error) {
          reportUncaught(error)
        }
      },
      protocolError: reportProtocolError,
      message: (data) => inbound.receive(data),
    },
  )

  const invoke = (channel: string, payload: unknown, callOptions?: CallOptions): Promise<WireReply> =>
    new Promise<WireReply>((resolve, reject) => {
      if (callOptions?.signal?.aborted === true) {
        reject(new IPCTransportError('IPC_ABORTED'))
        return
      }
      if (typeof channel !== 'string') {
        reject(protocolError('The channel of an IPC call must be a string'))
        return
      }
      if (!connection.accepting) {
        reject(notConnected(connection.state))
        return
      }
      if (requests.size >= maxPendingCalls) {
        reject(
          new IPCTransportError(
            'IPC_NOT_CONNECTED',
            `Too many IPC calls are waiting for a reply (the limit is ${maxPendingCalls})`,
          ),
        )
        return
      }
      const call = requests.start(channel, payload, callOptions, resolve, reject)
      if (call !== undefined) connection.sendCall(call)
    })

  const send = (channel: string, payload: unknown): void => {
    if (typeof channel !== 'string') throw protocolError('The channel of an IPC send must be a string')
    if (!connection.accepting) throw notConnected(connection.state)
    connection.sendMessage(encodeRequest('send', undefined, channel, payload))
  }

  const transport: WebSocketTransport = Object.freeze({
    ready: connection.ready,
    get state(): ConnectionState {
      return connection.state
    },
    invoke,
    send,
    subscribe: (channel: string, listener: (payload: unknown) => void) => inbound.subscribe(channel, listener),
    close: () => connection.handle({ type: 'close' }),
  })
  connection.start()
  return transport
}

{% include "ts/transport.ws/requests.ts" %}

{% include "ts/transport.ws/connection.ts" %}

{% include "ts/transport.ws/inbound.ts" %}

{% include "ts/transport.ws/options.ts" %}

{% include "ts/transport.ws/location.ts" %}

{% include "ts/transport.ws/frames.ts" %}

{% include "ts/transport.ws/support.ts" %}
