{{ header }}
/**
 * Electron main-process glue: serves the contracts' IPC channels from the
 * router addon (an `ipc-node` addon built from your handlers), after
 * checking every sender as Electron's security checklist asks (#17).
 *
 * ```ts
 * const ipc = registerMainIpc({ router, allowedOrigins: ['app://notes'] })
 * ipc.attach(window.webContents, { role: 'notes', windowId: window.id })
 * ```
 *
 * It registers exactly one `ipcMain.handle` per invoke channel and one
 * `ipcMain.on` per send channel, nothing else. A message is dispatched only
 * when its sender passes every check: the sending frame still exists
 * (`senderFrame` is null once it navigated or was destroyed), its
 * `webContents` was attached with a role, it is a main frame (unless
 * `allowSubframes`), and its origin, parsed, equals one of
 * `allowedOrigins` exactly. A refused invoke is answered with an
 * `IPC_FORBIDDEN` reply envelope, like every other error; a refused send
 * is dropped (sends have no reply) and reported to `onRefused`.
 *
 * Messages travel as the envelope's JSON text (the generated preload sends
 * it so), a string or, from {{ bytes_from }} units on, its UTF-8 bytes in a
 * `Uint8Array`: a request goes to the addon as it came and its reply comes
 * back as the addon wrote it, so the main thread neither stringifies nor
 * parses a payload. Any other message is `IPC_MALFORMED_REQUEST`.
 *
 * @module
 */

{{ electron_import }}

const PROTOCOL_VERSION = {{ protocol_version }}

/** The invoke channels, each served by one `ipcMain.handle`. */
export const INVOKE_CHANNELS: readonly string[] = Object.freeze([
{%- for channel in invoke %}
  {{ channel }},
{%- endfor %}
])

/** The send channels, each served by one `ipcMain.on`. */
export const SEND_CHANNELS: readonly string[] = Object.freeze([
{%- for channel in send %}
  {{ channel }},
{%- endfor %}
])

/** The event channels `emit` forwards to windows. */
export const EVENT_CHANNELS: readonly string[] = Object.freeze([
{%- for channel in event %}
  {{ channel }},
{%- endfor %}
])

/** Who sent a request, as the router's handlers see it (`CallerIdentity`). */
export interface IpcCaller {
  /** `webContents.id` of the sender. */
  readonly connectionId: number
  /** The window the sender belongs to, when attached with one. */
  readonly windowId?: number
  /** The role the sender's window was attached with. */
  readonly role: string
  /** The sending frame's origin, canonical (`scheme://host[:port]`). */
  readonly origin: string
  /** The sending frame (`event.senderFrame`). */
  readonly frame: IpcCallerFrame
}

/** The frame a request came from: Electron's `WebFrameMain` identifiers (`WebFrameMain.fromId(processId, routingId)`). */
export interface IpcCallerFrame {
  readonly processId: number
  readonly routingId: number
  /** False for a subframe (an `<iframe>`), served only with `allowSubframes`. */
  readonly mainFrame: boolean
}

declare const callerHandleBrand: unique symbol

/** A caller the addon converted once (`IpcRouterAddon.caller`); opaque. */
export interface IpcCallerHandle {
  readonly [callerHandleBrand]: true
}

declare const channelIdBrand: unique symbol

/** A channel's id in the addon (`IpcRouterAddon.channelId`); opaque. */
export type IpcChannelId = number & { readonly [channelIdBrand]: true }

/** The router addon: what an `ipc-node` addon's `open()` returns. */
export interface IpcRouterAddon {
  /**
   * The reply envelope's JSON text (a string, or its UTF-8 bytes when
   * large), or `null` after a send succeeded: at once when the call
   * completed on this thread, otherwise a promise of it. `channel` is the
   * channel the request came on (its envelope names it), by name or by its
   * id from `channelId`; the addon refuses a request of another channel.
   */
  dispatch(request: JsonMessage, caller: IpcCaller | IpcCallerHandle, channel: string | IpcChannelId): JsonMessage | null | Promise<JsonMessage | null>
  /**
   * Converts a caller once, for the calls of one sending frame: the glue
   * keeps the handle, so that no call converts the caller object again.
   */
  caller?(caller: IpcCaller): IpcCallerHandle
  /**
   * The id of a channel the router serves, which `dispatch` takes in place
   * of its name: the glue asks once per channel it registers.
   */
  channelId?(channel: string): IpcChannelId
  /** The channels the router serves. */
  channels?(): string[]
  /** Cancels the calls in flight of a `webContents` that is gone. */
  disconnect?(connectionId: number): void
}

/**
 * An envelope's JSON text as it crosses Electron's IPC: a string, or its
 * UTF-8 bytes (large messages, which then stay off the JavaScript heap).
 */
export type JsonMessage = string | Uint8Array

/** Why a sender was refused. */
export interface IpcRefusal {
  readonly channel: string
  readonly kind: 'invoke' | 'send'
  /** `webContents.id` of the sender. */
  readonly webContentsId: number
  readonly reason: string
}

export interface MainIpcOptions {
  readonly router: IpcRouterAddon
  /** The origins allowed to call, e.g. `app://notes`; compared exactly after parsing. */
  readonly allowedOrigins: readonly string[]
  /** Accept calls from subframes too. Default false: main frames only. */
  readonly allowSubframes?: boolean
  /** Told about every refused sender (for logging). */
  readonly onRefused?: (refusal: IpcRefusal) => void
  /** Told about a send the router answered with an error (sends have no reply). */
  readonly onSendFailed?: (channel: string, reply: unknown) => void
}

export interface WindowOptions {
  /** What the app made this window for; handlers see it as the caller's role. */
  readonly role: string
  /** The `BrowserWindow` id, given to handlers as the caller's window. */
  readonly windowId?: number
}

/** Where an event goes: every window (`null`/absent), the windows of a role, or one `webContents.id`. */
export type IpcEventTarget = string | number | null | undefined

export interface MainIpc {
  /** Allows `webContents` to call, with a role; returns a function that detaches it again. */
  attach(webContents: WebContents, options: WindowOptions): () => void
  /** Sends an event envelope (from the addon's `onEvent`) to its windows; returns how many got it. */
  emit(envelope: JsonMessage, target?: IpcEventTarget): number
  /** Removes every handler and listener this glue registered. */
  dispose(): void
}

interface Attached {
  readonly webContents: WebContents
  readonly role: string
  readonly windowId: number | undefined
  readonly onDestroyed: () => void
  /** The caller of each sending frame that passed the checks, as last seen. */
  readonly callers: WeakMap<object, KnownCaller>
}

/** A frame's caller, valid while the frame keeps this origin and these ids. */
interface KnownCaller {
  readonly origin: string
  readonly processId: number
  readonly routingId: number
  readonly caller: IpcCaller | IpcCallerHandle
}

type IpcSenderEvent = IpcMainEvent | IpcMainInvokeEvent

/** Registers the channels on `ipcMain` and returns the glue's controls. */
export function registerMainIpc(options: MainIpcOptions): MainIpc {
  const router = options.router
  const allowSubframes = options.allowSubframes === true
  const allowed = new Set<string>()
  for (const origin of options.allowedOrigins) {
    const canonical = canonicalOrigin(origin)
    if (canonical === undefined) throw new TypeError(`Not an origin (scheme://host[:port]): ${JSON.stringify(origin)}`)
    allowed.add(canonical)
  }
  const windows = new Map<number, Attached>()
  // Parsing an origin with `URL` is the costliest step of a check; a window
  // sends from a handful of origins, so each is parsed once.
  const parsedOrigins = new Map<string, string | undefined>()
  function canonicalOf(origin: string): string | undefined {
    if (parsedOrigins.has(origin)) return parsedOrigins.get(origin)
    const parsed = canonicalOrigin(origin)
    // Bounded: frames navigated through many origins only cost re-parsing.
    if (parsedOrigins.size >= 64) parsedOrigins.clear()
    parsedOrigins.set(origin, parsed)
    return parsed
  }

  /** The caller of `event`, or why it is refused. */
  function callerOf(event: IpcSenderEvent): IpcCaller | IpcCallerHandle | string {
    const frame = event.senderFrame
    if (frame === null) return 'the sending frame is gone (it navigated or was destroyed)'
    const window = windows.get(event.sender.id)
    if (window === undefined) return 'the sender is not an attached window'
    const mainFrame = frame.parent === null
    if (!mainFrame && !allowSubframes) return 'the sender is a subframe'
    const frameOrigin = frame.origin
    const processId = frame.processId
    const routingId = frame.routingId
    // The checks above run on every message. A frame with the origin and
    // ids it had when its origin was allowed (the allowed origins never
    // change) reuses the caller built then.
    const known = window.callers.get(frame)
    if (known !== undefined && known.origin === frameOrigin && known.processId === processId && known.routingId === routingId) return known.caller
    const origin = canonicalOf(frameOrigin)
    if (origin === undefined || !allowed.has(origin)) return `the origin ${JSON.stringify(frameOrigin)} is not allowed`
    const sender: IpcCallerFrame = { processId, routingId, mainFrame }
    const identity: IpcCaller =
      window.windowId === undefined
        ? { connectionId: event.sender.id, role: window.role, origin, frame: sender }
        : { connectionId: event.sender.id, windowId: window.windowId, role: window.role, origin, frame: sender }
    const caller = router.caller === undefined ? identity : router.caller(identity)
    window.callers.set(frame, { origin: frameOrigin, processId, routingId, caller })
    return caller
  }

  function refuse(channel: string, kind: 'invoke' | 'send', event: IpcSenderEvent, reason: string): void {
    options.onRefused?.({ channel, kind, webContentsId: event.sender.id, reason })
  }

  function handleInvoke(channel: string, received: string | IpcChannelId, event: IpcMainInvokeEvent, message: unknown): Promise<JsonMessage> | JsonMessage {
    const caller = callerOf(event)
    if (typeof caller === 'string') {
      refuse(channel, 'invoke', event, caller)
      return failure(requestId(message), {{ forbidden_code }}, {{ forbidden_status }}, 'The sender may not call this channel')
    }
    if (!isJsonMessage(message)) return failure(null, 'IPC_MALFORMED_REQUEST', 400, `The request is not the JSON text of an envelope of ${channel}`)
    const closed = (): string => failure(requestId(message), 'IPC_CANCELLED', 499, 'The IPC router is closed')
    let answer: JsonMessage | null | Promise<JsonMessage | null>
    try {
      // The addon reads the envelope itself and refuses one of another channel.
      answer = router.dispatch(message, caller, received)
    } catch {
      return closed()
    }
    const replyOf = (reply: JsonMessage | null): JsonMessage => reply ?? failure(requestId(message), 'INTERNAL_ERROR', 500, 'Internal error')
    // A call that completed on this thread answered at once: Electron
    // awaits what the handler returns, so no promise is made for it.
    return answer instanceof Promise ? answer.then(replyOf, closed) : replyOf(answer)
  }

  async function handleSend(channel: string, received: string | IpcChannelId, event: IpcMainEvent, message: unknown): Promise<void> {
    const caller = callerOf(event)
    if (typeof caller === 'string') {
      refuse(channel, 'send', event, caller)
      return
    }
    if (!isJsonMessage(message)) {
      options.onSendFailed?.(channel, failureReply(null, 'IPC_MALFORMED_REQUEST', 400, `The request is not the JSON text of an envelope of ${channel}`))
      return
    }
    let reply: JsonMessage | null
    try {
      reply = await router.dispatch(message, caller, received)
    } catch {
      options.onSendFailed?.(channel, failureReply(requestId(message), 'IPC_CANCELLED', 499, 'The IPC router is closed'))
      return
    }
    if (reply !== null) options.onSendFailed?.(channel, JSON.parse(textOf(reply)) as unknown)
  }

  // A channel the router serves is dispatched by its id, which crosses
  // N-API without a copy; any other by its name, and the router answers
  // its calls as it answers a channel it does not serve.
  const served = new Set(router.channels?.() ?? [])
  const receivedOn = (channel: string): string | IpcChannelId => (router.channelId !== undefined && served.has(channel) ? router.channelId(channel) : channel)
  const invokeChannels = INVOKE_CHANNELS.slice()
  const sendListeners = new Map<string, (event: IpcMainEvent, message: unknown) => void>()
  for (const channel of invokeChannels) {
    const received = receivedOn(channel)
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, message: unknown) => handleInvoke(channel, received, event, message))
  }
  for (const channel of SEND_CHANNELS) {
    const received = receivedOn(channel)
    const listener = (event: IpcMainEvent, message: unknown): void => {
      void handleSend(channel, received, event, message)
    }
    sendListeners.set(channel, listener)
    ipcMain.on(channel, listener)
  }

  return {
    attach(webContents: WebContents, windowOptions: WindowOptions): () => void {
      if (typeof windowOptions.role !== 'string' || windowOptions.role === '') throw new TypeError('A window needs a role')
      // Checked here, where the app's mistake is: the addon could not read it at the window's first call.
      const windowId: unknown = windowOptions.windowId
      if (windowId !== undefined && !(Number.isInteger(windowId) && (windowId as number) >= 0 && (windowId as number) <= MAX_WINDOW_ID)) {
        throw new TypeError(`A window id must be an integer from 0 to ${MAX_WINDOW_ID}, as BrowserWindow.id is`)
      }
      const id = webContents.id
      // Attached again (a new role): replaced, its calls in flight kept.
      const previous = windows.get(id)
      if (previous !== undefined) previous.webContents.removeListener('destroyed', previous.onDestroyed)
      // Detaches this attachment only, not one that replaced it.
      const onDestroyed = (): void => {
        if (windows.get(id) !== attachment) return
        windows.delete(id)
        webContents.removeListener('destroyed', onDestroyed)
        router.disconnect?.(id)
      }
      const attachment: Attached = { webContents, role: windowOptions.role, windowId: windowOptions.windowId, onDestroyed, callers: new WeakMap() }
      windows.set(id, attachment)
      webContents.once('destroyed', onDestroyed)
      return onDestroyed
    },
    emit(envelope: JsonMessage, target?: IpcEventTarget): number {
      const channel = envelopeEventChannel(envelope)
      if (channel === undefined) throw new TypeError('Not an event envelope of a declared event channel')
      let delivered = 0
      for (const window of windows.values()) {
        if (typeof target === 'string' && window.role !== target) continue
        if (typeof target === 'number' && window.webContents.id !== target) continue
        if (window.webContents.isDestroyed()) continue
        // The message as the addon wrote it: one copy per window.
        window.webContents.send(channel, envelope)
        delivered += 1
      }
      return delivered
    },
    dispose(): void {
      for (const channel of invokeChannels) ipcMain.removeHandler(channel)
      for (const [channel, listener] of sendListeners) ipcMain.removeListener(channel, listener)
      sendListeners.clear()
      for (const window of [...windows.values()]) window.onDestroyed()
    },
  }
}

/**
 * `scheme://host[:port]` of an origin or URL without path, query,
 * fragment or credentials; `undefined` for anything else (including the
 * opaque origin `"null"`). Parsed with `URL`, never compared by prefix.
 */
function canonicalOrigin(origin: string): string | undefined {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return undefined
  }
  if (url.host === '' || url.username !== '' || url.password !== '') return undefined
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') return undefined
  return `${url.protocol}//${url.host}`
}

/** Requests longer than this are not parsed for their id by the glue's own replies. */
const MAX_ID_SCAN_LENGTH = 65_536

/** The largest window id the addon reads (a 32-bit unsigned integer). */
const MAX_WINDOW_ID = 4_294_967_295

/** Whether a message is JSON text as the preload sends it: a string or its UTF-8 bytes. */
function isJsonMessage(message: unknown): message is JsonMessage {
  return typeof message === 'string' || message instanceof Uint8Array
}

/** Throws on bytes that are not UTF-8, and keeps a byte order mark, which JSON does not allow: the router refuses both. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const utf8Encoder = new TextEncoder()

/** The text of a message; throws when its bytes are not UTF-8. */
function textOf(message: JsonMessage): string {
  return typeof message === 'string' ? message : utf8Decoder.decode(message)
}

/**
 * The request's id when it is a valid one, else `null` (as the router
 * does), for the replies the glue writes itself; only those parse the text.
 */
function requestId(message: unknown): string | number | null {
  if (!isJsonMessage(message) || message.length > MAX_ID_SCAN_LENGTH) return null
  let envelope: unknown
  try {
    envelope = JSON.parse(textOf(message)) as unknown
  } catch {
    return null
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return null
  const id = ownValue(envelope, 'id')?.value
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id
  if (typeof id === 'string' && utf8Encoder.encode(id).length <= 128) return id
  return null
}

/**
 * How the router begins the event envelope of each event channel. An
 * envelope the addon wrote is known by its start, so the main thread does
 * not parse every event's payload; any other text is parsed and checked.
 */
const EVENT_ENVELOPE_STARTS: readonly (readonly [string, string])[] = EVENT_CHANNELS.map(
  (channel) => [`{"v":${PROTOCOL_VERSION},"kind":"event","channel":${JSON.stringify(channel)},"payload":`, channel] as const,
)

/** {@link EVENT_ENVELOPE_STARTS} as UTF-8, for envelopes the addon hands over as bytes. */
const EVENT_ENVELOPE_BYTE_STARTS: readonly (readonly [Uint8Array, string])[] = EVENT_ENVELOPE_STARTS.map(
  ([start, channel]) => [utf8Encoder.encode(start), channel] as const,
)

/** Whether `bytes` begins with `start`. */
function startsWithBytes(bytes: Uint8Array, start: Uint8Array): boolean {
  if (bytes.length < start.length) return false
  for (let i = 0; i < start.length; i += 1) {
    if (bytes[i] !== start[i]) return false
  }
  return true
}

/** The declared event channel `envelope` is an event of, if it is one. */
function envelopeEventChannel(envelope: unknown): string | undefined {
  if (typeof envelope === 'string') {
    for (const [start, channel] of EVENT_ENVELOPE_STARTS) {
      if (envelope.startsWith(start)) return channel
    }
  } else if (envelope instanceof Uint8Array) {
    for (const [start, channel] of EVENT_ENVELOPE_BYTE_STARTS) {
      if (startsWithBytes(envelope, start)) return channel
    }
  } else {
    return undefined
  }
  let message: unknown
  try {
    message = JSON.parse(textOf(envelope))
  } catch {
    return undefined
  }
  return eventChannel(message)
}

function eventChannel(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined
  if (ownValue(message, 'v')?.value !== PROTOCOL_VERSION || ownValue(message, 'kind')?.value !== 'event') return undefined
  const channel = ownValue(message, 'channel')?.value
  return typeof channel === 'string' && EVENT_CHANNELS.includes(channel) ? channel : undefined
}

function ownValue(source: object, key: string): { readonly value: unknown } | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? { value: descriptor.value } : undefined
}

/** A failure reply envelope with a framework error, as the router writes them. */
function failureReply(id: string | number | null, code: string, statusCode: number, message: string): object {
  return { id, ok: false, error: { name: 'IPCHandlerError', code, message, statusCode } }
}

/** The JSON text of {@link failureReply}, as an invoke is answered. */
function failure(id: string | number | null, code: string, statusCode: number, message: string): string {
  return JSON.stringify(failureReply(id, code, statusCode, message))
}
