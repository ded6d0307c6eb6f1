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
 * @module
 */

import { IPCTransportError, deserializeError } from './errors.js'
import { isWireReply, type CallOptions, type Transport, type WireReply } from './transport.js'

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

/** A secret is hex, 128 to 2048 bits. */
const SECRET_PATTERN = /^[0-9a-fA-F]{32,512}$/

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
  const defaultTimeoutMs = timeoutSetting(options.defaultTimeoutMs, WEBSOCKET_DEFAULTS.defaultTimeoutMs)
  const maxPendingCalls = countSetting(options.maxPendingCalls, WEBSOCKET_DEFAULTS.maxPendingCalls)
  const maxInboundTextLength = countSetting(options.maxInboundTextLength, WEBSOCKET_DEFAULTS.maxInboundTextLength)
  const backoff = reconnectSettings(options.reconnect)
  const onProtocolError = options.onProtocolError
  const onListenerError = options.onListenerError
  const onStateChange = options.onStateChange
  const target = connectionTarget(options)

  let state: ConnectionState = 'connecting'
  let socket: WebSocketLike | undefined
  let everOpened = false
  let attempts = 0
  let cancelReconnect: (() => void) | undefined
  let cancelStable: (() => void) | undefined
  let lastId = 0
  const pending = new Map<number, PendingCall>()
  let queue: QueuedMessage[] = []
  const listeners = new Map<string, Set<Subscription>>()

  let readySettlers: { resolve: () => void; reject: (error: IPCTransportError) => void } | undefined
  const ready = new Promise<void>((resolve, reject) => {
    readySettlers = { resolve, reject }
  })
  // `ready` may be ignored: its rejection is also visible through the state.
  ready.catch(() => undefined)

  const startTimer = (delayMs: number, callback: () => void): (() => void) => {
    const handle = timers.setTimeout(callback, delayMs)
    return () => timers.clearTimeout(handle)
  }
  const startDeadline = deadlineTimer(timers, startTimer)

  const setState = (next: ConnectionState): void => {
    if (next === state) return
    const previous = state
    state = next
    if (onStateChange === undefined) return
    try {
      onStateChange(next, previous)
    } catch (error) {
      reportUncaught(error)
    }
  }

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

  /** Removes `call` from the pending calls; false when it was already settled. */
  const finish = (call: PendingCall): boolean => {
    if (pending.get(call.id) !== call) return false
    pending.delete(call.id)
    call.cleanup()
    return true
  }

  const rejectPending = (makeError: () => IPCTransportError): void => {
    for (const call of [...pending.values()]) {
      if (finish(call)) call.reject(makeError())
    }
  }

  const transmit = (ws: WebSocketLike, call: PendingCall): void => {
    const text = call.text
    call.text = ''
    try {
      ws.send(text)
    } catch (error) {
      if (finish(call)) {
        call.reject(new IPCTransportError('IPC_NOT_CONNECTED', 'The IPC WebSocket did not accept the call', { cause: error }))
      }
    }
  }

  /** Ends the transport for good. */
  const shutDown = (readyError: IPCTransportError, callError: () => IPCTransportError): void => {
    cancelReconnect?.()
    cancelReconnect = undefined
    cancelStable?.()
    cancelStable = undefined
    const current = socket
    socket = undefined
    if (current !== undefined) closeQuietly(current)
    queue = []
    rejectPending(callError)
    if (readySettlers !== undefined) {
      readySettlers.reject(readyError)
      readySettlers = undefined
    }
    setState('closed')
  }

  const scheduleReconnect = (): void => {
    if (!backoff.enabled || attempts >= backoff.maxAttempts) {
      const reason = backoff.enabled
        ? `The IPC connection was lost; gave up after ${attempts} reconnect attempts`
        : 'The IPC connection was lost'
      shutDown(new IPCTransportError('IPC_NOT_CONNECTED', reason), () => new IPCTransportError('IPC_DISCONNECTED'))
      return
    }
    const delay = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * backoff.factor ** attempts)
    attempts += 1
    cancelReconnect = startTimer(Math.min(delay, MAX_TIMER_DELAY_MS), () => {
      cancelReconnect = undefined
      if (state === 'reconnecting') openSocket()
    })
    setState('reconnecting')
  }

  const handleOpen = (ws: WebSocketLike): void => {
    if (readProtocol(ws) !== WS_PROTOCOL) {
      // Never echo the selected protocol: it may be the secret.
      const error = new IPCTransportError(
        'IPC_PROTOCOL_ERROR',
        `The main side did not select the WebSocket subprotocol "${WS_PROTOCOL}"`,
      )
      reportProtocolError(error)
      shutDown(error, () => new IPCTransportError('IPC_NOT_CONNECTED', error.message, { cause: error }))
      return
    }
    everOpened = true
    cancelStable = startTimer(backoff.stableAfterMs, () => {
      cancelStable = undefined
      attempts = 0
    })
    const queued = queue
    queue = []
    for (const message of queued) {
      if (socket !== ws) break
      if (message.kind === 'send') {
        sendQuietly(ws, message.text)
      } else if (pending.get(message.call.id) === message.call) {
        transmit(ws, message.call)
      }
    }
    if (socket !== ws) return
    if (readySettlers !== undefined) {
      readySettlers.resolve()
      readySettlers = undefined
    }
    setState('open')
  }

  const handleEnd = (ws: WebSocketLike): void => {
    socket = undefined
    closeQuietly(ws)
    cancelStable?.()
    cancelStable = undefined
    if (state === 'closed') return
    if (!everOpened) {
      shutDown(
        new IPCTransportError('IPC_NOT_CONNECTED', 'The main side refused the IPC connection'),
        () => new IPCTransportError('IPC_NOT_CONNECTED', 'The main side refused the IPC connection'),
      )
      return
    }
    if (state === 'open') {
      rejectPending(() => new IPCTransportError('IPC_DISCONNECTED'))
    }
    scheduleReconnect()
  }

  const handleEvent = (message: object): void => {
    if (ownValue(message, 'v')?.value !== PROTOCOL_VERSION) {
      reportProtocolError(protocolError('Received an event envelope with an unsupported `v`'))
      return
    }
    const channel = ownValue(message, 'channel')?.value
    if (typeof channel !== 'string') {
      reportProtocolError(protocolError('Received an event envelope without a string `channel`'))
      return
    }
    const payload = ownValue(message, 'payload')
    if (payload === undefined) {
      reportProtocolError(protocolError('Received an event envelope without a `payload`'))
      return
    }
    const subscriptions = listeners.get(channel)
    if (subscriptions === undefined) return
    for (const subscription of [...subscriptions]) {
      if (!subscription.active) continue
      try {
        subscription.listener(payload.value)
      } catch (error) {
        reportListenerError(error, channel)
      }
    }
  }

  const handleUncorrelated = (message: object): void => {
    const failure = ownValue(message, 'ok')?.value === false ? ownValue(message, 'error') : undefined
    if (failure === undefined) {
      reportProtocolError(protocolError('Received a reply with a null `id` that is not a failure'))
      return
    }
    const cause = deserializeError(failure.value)
    reportProtocolError(
      new IPCTransportError(
        'IPC_PROTOCOL_ERROR',
        `The main side reported a failure it could not match to a request: ${cause.message}`,
        { cause },
      ),
    )
  }

  const handleMessage = (event: WebSocketEventLike): void => {
    const data = event.data
    if (typeof data !== 'string') {
      reportProtocolError(protocolError('Received a binary frame; binary frames are reserved for streams and ignored'))
      return
    }
    if (data.length > maxInboundTextLength) {
      reportProtocolError(
        protocolError(`Received a text frame of ${data.length} characters; the limit is ${maxInboundTextLength}`),
      )
      return
    }
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      reportProtocolError(protocolError('Received a text frame that is not valid JSON'))
      return
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      reportProtocolError(protocolError('Received a message that is not a JSON object'))
      return
    }
    const kind = ownValue(message, 'kind')
    if (kind !== undefined) {
      if (kind.value === 'event') {
        handleEvent(message)
      } else {
        reportProtocolError(protocolError('Received a message of an unknown `kind`'))
      }
      return
    }
    const id = ownValue(message, 'id')
    if (id === undefined) {
      reportProtocolError(protocolError('Received a message that is neither a reply nor an event'))
      return
    }
    if (id.value === null) {
      handleUncorrelated(message)
      return
    }
    // Only numeric ids are ever sent: anything else, unknown ids and late
    // replies to calls that timed out or were aborted are ignored.
    if (typeof id.value !== 'number') return
    const call = pending.get(id.value)
    if (call === undefined || !finish(call)) return
    if (isWireReply(message)) {
      call.resolve(message)
    } else {
      call.reject(protocolError('Received a malformed IPC reply envelope'))
    }
  }

  const openSocket = (): void => {
    if (typeof target === 'string') return
    let ws: WebSocketLike
    try {
      ws = new target.WebSocketImpl(target.url, [WS_PROTOCOL, WS_SECRET_PROTOCOL_PREFIX + target.secret])
    } catch (error) {
      if (!everOpened) {
        const failure = new IPCTransportError('IPC_NOT_CONNECTED', 'The IPC WebSocket could not be created', {
          cause: error,
        })
        shutDown(failure, () => new IPCTransportError('IPC_NOT_CONNECTED', failure.message, { cause: error }))
      } else {
        scheduleReconnect()
      }
      return
    }
    socket = ws
    try {
      ws.binaryType = 'arraybuffer'
    } catch {
      // Binary frames are only reported, whatever their type.
    }
    ws.addEventListener('open', () => {
      if (socket === ws) handleOpen(ws)
    })
    ws.addEventListener('message', (event) => {
      if (socket === ws && state === 'open') handleMessage(event)
    })
    ws.addEventListener('error', () => {
      if (socket === ws) handleEnd(ws)
    })
    ws.addEventListener('close', () => {
      if (socket === ws) handleEnd(ws)
    })
  }

  const nextId = (): number => {
    lastId = lastId >= Number.MAX_SAFE_INTEGER ? 1 : lastId + 1
    return lastId
  }

  const invoke = (channel: string, payload: unknown, callOptions?: CallOptions): Promise<WireReply> => {
    return new Promise<WireReply>((resolve, reject) => {
      const signal = callOptions?.signal
      if (signal?.aborted === true) {
        reject(new IPCTransportError('IPC_ABORTED'))
        return
      }
      if (typeof channel !== 'string') {
        reject(protocolError('The channel of an IPC call must be a string'))
        return
      }
      if (state !== 'connecting' && (state !== 'open' || socket === undefined)) {
        reject(notConnected(state))
        return
      }
      if (pending.size >= maxPendingCalls) {
        reject(
          new IPCTransportError(
            'IPC_NOT_CONNECTED',
            `Too many IPC calls are waiting for a reply (the limit is ${maxPendingCalls})`,
          ),
        )
        return
      }
      const id = nextId()
      let text: string
      try {
        text = encodeRequest('invoke', id, channel, payload)
      } catch (error) {
        reject(error)
        return
      }
      let cancelTimeout: (() => void) | undefined
      const onAbort = (): void => {
        if (finish(call)) call.reject(new IPCTransportError('IPC_ABORTED'))
      }
      const call: PendingCall = {
        id,
        text,
        resolve,
        reject,
        cleanup: () => {
          cancelTimeout?.()
          signal?.removeEventListener('abort', onAbort)
        },
      }
      pending.set(id, call)
      const timeoutMs = timeoutSetting(callOptions?.timeoutMs, defaultTimeoutMs)
      if (timeoutMs !== undefined) {
        cancelTimeout = startDeadline(timeoutMs, () => {
          if (finish(call)) {
            call.reject(new IPCTransportError('IPC_TIMEOUT', `The IPC call to ${channel} timed out after ${timeoutMs} ms`))
          }
        })
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      if (state === 'open' && socket !== undefined) {
        transmit(socket, call)
      } else {
        queue.push({ kind: 'invoke', call })
      }
    })
  }

  const send = (channel: string, payload: unknown): void => {
    if (typeof channel !== 'string') throw protocolError('The channel of an IPC send must be a string')
    if (state !== 'connecting' && (state !== 'open' || socket === undefined)) throw notConnected(state)
    const text = encodeRequest('send', undefined, channel, payload)
    if (state === 'open' && socket !== undefined) {
      sendQuietly(socket, text)
      return
    }
    if (queue.length >= maxPendingCalls) {
      throw new IPCTransportError(
        'IPC_NOT_CONNECTED',
        `Too many IPC messages are waiting for the connection (the limit is ${maxPendingCalls})`,
      )
    }
    queue.push({ kind: 'send', text })
  }

  const subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
    if (typeof channel !== 'string') throw new TypeError('The channel of an IPC subscription must be a string')
    if (typeof listener !== 'function') throw new TypeError(`The listener of ${channel} must be a function`)
    const subscription: Subscription = { listener, active: true }
    let subscriptions = listeners.get(channel)
    if (subscriptions === undefined) {
      subscriptions = new Set()
      listeners.set(channel, subscriptions)
    }
    subscriptions.add(subscription)
    return () => {
      if (!subscription.active) return
      subscription.active = false
      const current = listeners.get(channel)
      if (current === undefined) return
      current.delete(subscription)
      if (current.size === 0) listeners.delete(channel)
    }
  }

  const close = (): void => {
    if (state === 'closed') return
    shutDown(
      new IPCTransportError('IPC_NOT_CONNECTED', 'The IPC transport was closed before it connected'),
      () => new IPCTransportError('IPC_DISCONNECTED', 'The IPC transport was closed before a reply arrived'),
    )
  }

  const transport: WebSocketTransport = Object.freeze({
    ready,
    get state(): ConnectionState {
      return state
    },
    invoke,
    send,
    subscribe,
    close,
  })

  if (typeof target === 'string') {
    shutDown(new IPCTransportError('IPC_NOT_CONNECTED', target), () => new IPCTransportError('IPC_NOT_CONNECTED', target))
  } else {
    openSocket()
  }
  return transport
}

/**
 * The default IPC WebSocket URL: the page's own host and port with path `{{ prose.path }}`,
 * `ws:` for `http:` pages and `wss:` for `https:` pages. `undefined` when there is
 * no page location or it is not http(s).
 */
export function defaultWebSocketUrl(
  location: Pick<LocationLike, 'protocol' | 'host'> | undefined = browserObject<LocationLike>('location'),
): string | undefined {
  if (location === undefined) return undefined
  const protocol = location.protocol === 'http:' ? 'ws:' : location.protocol === 'https:' ? 'wss:' : undefined
  if (protocol === undefined || typeof location.host !== 'string' || location.host === '') return undefined
  return `${protocol}//${location.host}${WS_PATH}`
}

/** The part of `Location` that {@link takeSecretFromLocation} uses. */
export interface LocationLike {
  readonly href: string
  readonly hash: string
  readonly protocol: string
  readonly host: string
}

/** The part of `History` that {@link takeSecretFromLocation} uses. */
export interface HistoryLike {
  readonly state: unknown
  replaceState(data: unknown, unused: string, url?: string | null): void
}

/** The part of `Storage` that {@link takeSecretFromLocation} uses. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Where {@link takeSecretFromLocation} looks; missing members are treated as unavailable. */
export interface SecretEnvironment {
  location?: LocationLike | undefined
  history?: HistoryLike | undefined
  sessionStorage?: StorageLike | undefined
}

/**
 * Takes the per-launch secret the main side put in the address fragment
 * (`#{{ prose.secret_fragment_key }}=<hex>`): removes every `{{ prose.secret_fragment_key }}` entry from the address bar
 * with `history.replaceState` (keeping the history state and the rest of the
 * fragment, whose `&`-separated parts are kept in order) and keeps the secret in
 * `sessionStorage` under {@link SECRET_STORAGE_KEY}, so that a reload of the same
 * tab still connects. Without a valid secret in the fragment, returns the stored
 * one. Returns `undefined` when neither holds a valid secret (hex, 32 to 512
 * digits). Never throws.
 *
 * @param environment - Where to look; default the page's `location`, `history`
 * and `sessionStorage`.
 */
export function takeSecretFromLocation(environment: SecretEnvironment = browserEnvironment()): string | undefined {
  const { location, history, sessionStorage: storage } = environment
  let secret: string | undefined
  const hash = location === undefined ? '' : attempt(() => location.hash) ?? ''
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash
  if (location !== undefined && fragment !== '') {
    const kept: string[] = []
    let found = false
    for (const part of fragment.split('&')) {
      const separator = part.indexOf('=')
      const key = separator === -1 ? part : part.slice(0, separator)
      if (key !== SECRET_FRAGMENT_KEY) {
        if (part !== '') kept.push(part)
        continue
      }
      found = true
      const value = separator === -1 ? '' : part.slice(separator + 1)
      if (secret === undefined && isValidSecret(value)) secret = value
    }
    if (found && history !== undefined) {
      attempt(() => {
        const href = location.href
        const cut = href.indexOf('#')
        const base = cut === -1 ? href : href.slice(0, cut)
        const rest = kept.join('&')
        history.replaceState(history.state, '', rest === '' ? base : `${base}#${rest}`)
      })
    }
  }
  if (secret !== undefined) {
    const taken = secret
    attempt(() => storage?.setItem(SECRET_STORAGE_KEY, taken))
    return taken
  }
  const stored = attempt(() => storage?.getItem(SECRET_STORAGE_KEY))
  return typeof stored === 'string' && isValidSecret(stored) ? stored : undefined
}

/*
 * Binary frames (reserved for streams), shared with the main side:
 *
 *   offset 0      4 bytes   N, the header length in bytes: u32, big-endian,
 *                           1 <= N <= 65 536 (BINARY_FRAME_LIMITS.maxHeaderLength)
 *   offset 4      N bytes   the header: a JSON object, UTF-8, no byte order mark
 *   offset 4 + N  the rest  the body: raw bytes, possibly none
 *
 * A frame shorter than 4 bytes, with N = 0, N above the limit or N past the end
 * of the frame, or whose header is not valid UTF-8 or not a JSON object, is
 * malformed.
 */

let utf8Decoder: InstanceType<typeof TextDecoder> | undefined

/**
 * Encodes a binary frame: `[u32 big-endian header length][UTF-8 JSON header][body]`.
 *
 * @throws {@link IPCTransportError} `IPC_PROTOCOL_ERROR` when `header` does not
 * serialize to a JSON object or its encoding is longer than
 * {@link BINARY_FRAME_LIMITS}`.maxHeaderLength` bytes.
 */
export function encodeBinaryFrame(header: object, body: Uint8Array): Uint8Array {
  let json: unknown
  try {
    json = JSON.stringify(header)
  } catch (error) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The binary frame header cannot be serialized as JSON', {
      cause: error,
    })
  }
  if (typeof json !== 'string' || !json.startsWith('{')) {
    throw protocolError('The binary frame header must serialize to a JSON object')
  }
  const headerBytes = new TextEncoder().encode(json)
  if (headerBytes.length > BINARY_FRAME_LIMITS.maxHeaderLength) {
    throw protocolError(
      `The binary frame header is ${headerBytes.length} bytes; the limit is ${BINARY_FRAME_LIMITS.maxHeaderLength}`,
    )
  }
  const frame = new Uint8Array(4 + headerBytes.length + body.length)
  new DataView(frame.buffer).setUint32(0, headerBytes.length, false)
  frame.set(headerBytes, 4)
  frame.set(body, 4 + headerBytes.length)
  return frame
}

/**
 * Decodes a binary frame (see {@link encodeBinaryFrame}). The body is a view
 * into `frame`, not a copy.
 *
 * @throws {@link IPCTransportError} `IPC_PROTOCOL_ERROR` when the frame is malformed.
 */
export function decodeBinaryFrame(frame: Uint8Array): { header: unknown; body: Uint8Array } {
  if (!(frame instanceof Uint8Array)) throw protocolError('A binary frame must be a Uint8Array')
  if (frame.length < 4) throw protocolError('The binary frame is shorter than its header length')
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false)
  if (length === 0) throw protocolError('The binary frame has an empty header')
  if (length > BINARY_FRAME_LIMITS.maxHeaderLength) {
    throw protocolError(`The binary frame header is ${length} bytes; the limit is ${BINARY_FRAME_LIMITS.maxHeaderLength}`)
  }
  if (length > frame.length - 4) throw protocolError('The binary frame header runs past the end of the frame')
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let header: unknown
  try {
    header = JSON.parse(utf8Decoder.decode(frame.subarray(4, 4 + length)))
  } catch (error) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The binary frame header is not UTF-8 JSON', { cause: error })
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw protocolError('The binary frame header is not a JSON object')
  }
  return { header, body: frame.subarray(4 + length) }
}

interface PendingCall {
  readonly id: number
  /** The request, until it is sent. */
  text: string
  readonly resolve: (reply: WireReply) => void
  readonly reject: (error: IPCTransportError) => void
  readonly cleanup: () => void
}

type QueuedMessage = { readonly kind: 'invoke'; readonly call: PendingCall } | { readonly kind: 'send'; readonly text: string }

interface Subscription {
  readonly listener: (payload: unknown) => void
  active: boolean
}

interface ReconnectSettings {
  readonly enabled: boolean
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly factor: number
  readonly maxAttempts: number
  readonly stableAfterMs: number
}

interface ConnectionTarget {
  readonly WebSocketImpl: WebSocketConstructorLike
  readonly url: string
  readonly secret: string
}

/** Where and how to connect, or why that is unknown. */
function connectionTarget(options: WebSocketTransportOptions): ConnectionTarget | string {
  const WebSocketImpl = options.WebSocketImpl ?? globalWebSocket()
  if (WebSocketImpl === undefined) return 'No WebSocket implementation is available'
  const url = options.url ?? defaultWebSocketUrl()
  if (url === undefined) return 'No IPC WebSocket URL: pass `url`, or load the page over http(s)'
  const secret = options.secret ?? takeSecretFromLocation()
  if (secret === undefined || !isValidSecret(secret)) {
    return 'No valid IPC secret: pass `secret`, or open the page at the address the main side navigated to'
  }
  return { WebSocketImpl, url, secret }
}

function reconnectSettings(option: boolean | ReconnectOptions | undefined): ReconnectSettings {
  const defaults = WEBSOCKET_DEFAULTS.reconnect
  const custom = typeof option === 'object' && option !== null ? option : {}
  const factor = custom.factor
  const maxAttempts = custom.maxAttempts
  return {
    enabled: option !== false,
    initialDelayMs: delaySetting(custom.initialDelayMs, defaults.initialDelayMs),
    maxDelayMs: delaySetting(custom.maxDelayMs, defaults.maxDelayMs),
    factor: typeof factor === 'number' && Number.isFinite(factor) && factor >= 1 ? factor : defaults.factor,
    maxAttempts:
      typeof maxAttempts === 'number' && maxAttempts >= 0 && (Number.isInteger(maxAttempts) || maxAttempts === Infinity)
        ? maxAttempts
        : defaults.maxAttempts,
    stableAfterMs: delaySetting(custom.stableAfterMs, defaults.stableAfterMs),
  }
}

/** A finite, non-negative delay, capped to what timers honour. */
function delaySetting(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(value, MAX_TIMER_DELAY_MS) : fallback
}

/** A timeout in milliseconds; `undefined` (no timeout) for `Infinity`, `fallback` when not a non-negative number. */
function timeoutSetting(value: number | undefined, fallback: number | undefined): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) return fallback
  return value === Infinity ? undefined : Math.min(value, MAX_TIMER_DELAY_MS)
}

/** A positive integer count. */
function countSetting(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback
}

function isValidSecret(value: string): boolean {
  return SECRET_PATTERN.test(value)
}

/**
 * The text of a request envelope: `{"v":1,"id":..,"kind":..,"channel":..,"payload":..}`
 * (no `id` for a send). JSON has no `undefined`: a missing payload is sent as null.
 */
function encodeRequest(kind: 'invoke' | 'send', id: number | undefined, channel: string, payload: unknown): string {
  let payloadText: unknown
  try {
    payloadText = payload === undefined ? 'null' : JSON.stringify(payload)
  } catch (error) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', `The payload for ${channel} cannot be serialized as JSON`, {
      cause: error,
    })
  }
  // Functions and symbols serialize to nothing.
  if (typeof payloadText !== 'string') {
    throw protocolError(`The payload for ${channel} cannot be serialized as JSON`)
  }
  const idText = id === undefined ? '' : `"id":${id},`
  return `{"v":${PROTOCOL_VERSION},${idText}"kind":"${kind}","channel":${JSON.stringify(channel)},"payload":${payloadText}}`
}

function notConnected(state: ConnectionState): IPCTransportError {
  return new IPCTransportError(
    'IPC_NOT_CONNECTED',
    state === 'closed' ? 'The IPC transport is closed' : 'The IPC transport is reconnecting',
  )
}

function protocolError(message: string): IPCTransportError {
  return new IPCTransportError('IPC_PROTOCOL_ERROR', message)
}

function readProtocol(ws: WebSocketLike): unknown {
  try {
    return ws.protocol
  } catch {
    return undefined
  }
}

function sendQuietly(ws: WebSocketLike, text: string): void {
  try {
    ws.send(text)
  } catch {
    // A send has no reply to fail; the socket's close event follows.
  }
}

function closeQuietly(ws: WebSocketLike): void {
  try {
    ws.close()
  } catch {
    // Already closed.
  }
}

/** Looks up an own data property, without invoking getters or consulting prototypes. */
function ownValue(source: object, key: string): { readonly value: unknown } | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? { value: descriptor.value } : undefined
}

/** Runs `action`, returning `undefined` if it throws. */
function attempt<T>(action: () => T): T | undefined {
  try {
    return action()
  } catch {
    return undefined
  }
}

/** A global object of the page, or `undefined` (also when reading it throws, as `sessionStorage` may). */
function browserObject<T extends object>(name: string): T | undefined {
  const value = attempt(() => (globalThis as Record<string, unknown>)[name])
  return typeof value === 'object' && value !== null ? (value as T) : undefined
}

function browserEnvironment(): SecretEnvironment {
  return {
    location: browserObject<LocationLike>('location'),
    history: browserObject<HistoryLike>('history'),
    sessionStorage: browserObject<StorageLike>('sessionStorage'),
  }
}

function globalWebSocket(): WebSocketConstructorLike | undefined {
  const value = attempt(() => (globalThis as Record<string, unknown>)['WebSocket'])
  return typeof value === 'function' ? (value as WebSocketConstructorLike) : undefined
}

function defaultTimers(): TimerFunctions {
  const clock = attempt(() => globalThis.performance)
  return {
    setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
    now: typeof clock?.now === 'function' ? () => clock.now() : () => Date.now(),
  }
}

/** A pending call's deadline. */
interface Deadline {
  readonly at: number
  readonly expire: () => void
}

/**
 * Runs each callback after its delay unless cancelled first, with one timer
 * for all of them when `timers` has a clock: the timer is armed for the
 * earliest deadline and re-armed when it fires. A call that ends leaves the
 * timer as it is, since the next call's deadline is almost always later:
 * sequential calls then start and clear no timer at all, where a timer per
 * call cost more in a browser than the rest of the call's bookkeeping.
 */
function deadlineTimer(
  timers: TimerFunctions,
  startTimer: (delayMs: number, callback: () => void) => () => void,
): (delayMs: number, expire: () => void) => () => void {
  if (typeof timers.now !== 'function') return startTimer
  const now = (): number => (timers.now as () => number).call(timers)
  const active = new Set<Deadline>()
  let armedFor: number | undefined
  let handle: unknown
  const arm = (at: number, time: number): void => {
    if (armedFor !== undefined) timers.clearTimeout(handle)
    armedFor = at
    handle = timers.setTimeout(fire, Math.max(0, at - time))
    // A timer left armed after the last call must not keep Node running.
    const unref = attempt(() => (handle as { unref?: unknown } | null)?.unref)
    if (typeof unref === 'function') attempt(() => unref.call(handle))
  }
  const fire = (): void => {
    armedFor = undefined
    const time = now()
    let next: number | undefined
    for (const deadline of active) {
      if (deadline.at <= time) {
        active.delete(deadline)
        deadline.expire()
      } else if (next === undefined || deadline.at < next) {
        next = deadline.at
      }
    }
    // A deadline added by an expiry may have armed the timer already.
    if (next !== undefined && (armedFor === undefined || next < armedFor)) arm(next, time)
  }
  return (delayMs, expire) => {
    const time = now()
    const deadline: Deadline = { at: time + delayMs, expire }
    active.add(deadline)
    if (armedFor === undefined || deadline.at < armedFor) arm(deadline.at, time)
    return () => {
      active.delete(deadline)
    }
  }
}

function reportUncaught(error: unknown): void {
  const report = attempt(() => (globalThis as Record<string, unknown>)['reportError'])
  if (typeof report === 'function') {
    try {
      report.call(globalThis, error)
      return
    } catch {
      // Fall back to the console.
    }
  }
  attempt(() => console.error(error))
}

function warn(error: IPCTransportError): void {
  attempt(() => console.warn(error))
}
