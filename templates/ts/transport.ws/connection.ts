// --- The connection: one state machine -------------------------------------

/**
 * What moves a {@link Connection} from one state to another:
 * - `opened`: a socket opened and the main side selected `WS_PROTOCOL`;
 * - `lost`: the socket errored or closed, or could not be created;
 * - `retry`: the backoff delay before the next attempt elapsed;
 * - `fail`: the connection cannot be made (no URL, secret or WebSocket, a
 *   refused first connection, the wrong subprotocol);
 * - `close`: {@link WebSocketTransport.close}.
 */
type ConnectionEvent =
  | { readonly type: 'opened'; readonly socket: WebSocketLike }
  | { readonly type: 'lost' }
  | { readonly type: 'retry' }
  | { readonly type: 'fail'; readonly error: IPCTransportError; readonly callError: () => IPCTransportError }
  | { readonly type: 'close' }

/** A message made while `connecting`, sent once the socket opens. */
type QueuedMessage = { readonly kind: 'invoke'; readonly call: PendingCall } | { readonly kind: 'send'; readonly text: string }

/** What a {@link Connection} reports to the transport around it. */
interface ConnectionHooks {
  readonly stateChanged: (state: ConnectionState, previous: ConnectionState) => void
  readonly protocolError: (error: IPCTransportError) => void
  /** A text frame arrived while `open`. */
  readonly message: (data: unknown) => void
}

/**
 * The socket and its state. Every transition is made by {@link Connection.handle}:
 *
 * | state          | opened                 | lost                                        | retry         | fail, close |
 * | -------------- | ---------------------- | ------------------------------------------- | ------------- | ----------- |
 * | `connecting`   | `open`: queue sent     | `closed` (refused), or `reconnecting` once a socket opened | -  | `closed` |
 * | `open`         | -                      | `reconnecting`, calls rejected; `closed` when out of attempts | - | `closed` |
 * | `reconnecting` | `open`                 | `reconnecting` (next attempt), or `closed`  | opens a socket | `closed`   |
 * | `closed`       | -                      | -                                           | -             | -           |
 *
 * `closed` is final: the reconnect and stability timers are cancelled, the
 * socket is closed, the queue dropped, the pending calls rejected and
 * `ready` rejected if it had not settled.
 */
class Connection {
  state: ConnectionState = 'connecting'
  /** The current socket: the one events are taken from. */
  socket: WebSocketLike | undefined = undefined
  readonly ready: Promise<void>
  private readonly target: ConnectionTarget | string
  private readonly backoff: ReconnectSettings
  private readonly requests: RequestManager
  private readonly timers: TimerFunctions
  private readonly hooks: ConnectionHooks
  private readonly maxQueued: number
  private queue: QueuedMessage[] = []
  private everOpened = false
  private attempts = 0
  private reconnectTimer: unknown = undefined
  private stableTimer: unknown = undefined
  private settleReady: { resolve: () => void; reject: (error: IPCTransportError) => void } | undefined

  constructor(
    target: ConnectionTarget | string,
    backoff: ReconnectSettings,
    requests: RequestManager,
    timers: TimerFunctions,
    maxQueued: number,
    hooks: ConnectionHooks,
  ) {
    this.target = target
    this.backoff = backoff
    this.requests = requests
    this.timers = timers
    this.maxQueued = maxQueued
    this.hooks = hooks
    let settle: typeof this.settleReady
    this.ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject }
    })
    this.settleReady = settle
    // `ready` may be ignored: its rejection is also visible through the state.
    this.ready.catch(() => undefined)
  }

  /** Opens the first socket, or fails at once when there is nothing to connect to. */
  start(): void {
    if (typeof this.target === 'string') {
      const message = this.target
      this.handle({ type: 'fail', error: notConnectedWith(message), callError: () => notConnectedWith(message) })
    } else {
      this.openSocket(this.target)
    }
  }

  /** Whether messages may be sent or queued now. */
  get accepting(): boolean {
    return this.state === 'connecting' || (this.state === 'open' && this.socket !== undefined)
  }

  /** Sends `call` now, or once the first socket opens. */
  sendCall(call: PendingCall): void {
    if (this.state === 'open' && this.socket !== undefined) this.transmit(this.socket, call)
    else this.queue.push({ kind: 'invoke', call })
  }

  /** Sends a one-way message now, or once the first socket opens. */
  sendMessage(text: string): void {
    if (this.state === 'open' && this.socket !== undefined) {
      sendQuietly(this.socket, text)
      return
    }
    if (this.queue.length >= this.maxQueued) {
      throw new IPCTransportError(
        'IPC_NOT_CONNECTED',
        `Too many IPC messages are waiting for the connection (the limit is ${this.maxQueued})`,
      )
    }
    this.queue.push({ kind: 'send', text })
  }

  /** The one place the state changes. */
  handle(event: ConnectionEvent): void {
    if (this.state === 'closed') return
    switch (event.type) {
      case 'opened': {
        const ws = event.socket
        this.everOpened = true
        this.stableTimer = this.timers.setTimeout(() => {
          this.stableTimer = undefined
          this.attempts = 0
        }, this.backoff.stableAfterMs)
        this.flushQueue(ws)
        // Sending the queue may have lost the socket.
        if (this.socket !== ws) return
        this.settleReady?.resolve()
        this.settleReady = undefined
        this.enter('open')
        return
      }
      case 'lost': {
        this.cancelStable()
        if (!this.everOpened) {
          const refused = 'The main side refused the IPC connection'
          this.shutDown(notConnectedWith(refused), () => notConnectedWith(refused))
          return
        }
        if (this.state === 'open') this.requests.rejectAll(() => new IPCTransportError('IPC_DISCONNECTED'))
        this.scheduleReconnect()
        return
      }
      case 'retry':
        this.reconnectTimer = undefined
        if (this.state === 'reconnecting' && typeof this.target !== 'string') this.openSocket(this.target)
        return
      case 'fail':
        this.shutDown(event.error, event.callError)
        return
      case 'close':
        this.shutDown(
          new IPCTransportError('IPC_NOT_CONNECTED', 'The IPC transport was closed before it connected'),
          () => new IPCTransportError('IPC_DISCONNECTED', 'The IPC transport was closed before a reply arrived'),
        )
        return
    }
  }

  private enter(next: ConnectionState): void {
    if (next === this.state) return
    const previous = this.state
    this.state = next
    this.hooks.stateChanged(next, previous)
  }

  /** Backs off before the next attempt, or gives up. */
  private scheduleReconnect(): void {
    const backoff = this.backoff
    if (!backoff.enabled || this.attempts >= backoff.maxAttempts) {
      const reason = backoff.enabled
        ? `The IPC connection was lost; gave up after ${this.attempts} reconnect attempts`
        : 'The IPC connection was lost'
      this.shutDown(notConnectedWith(reason), () => new IPCTransportError('IPC_DISCONNECTED'))
      return
    }
    const delay = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * backoff.factor ** this.attempts)
    this.attempts += 1
    this.reconnectTimer = this.timers.setTimeout(
      () => this.handle({ type: 'retry' }),
      Math.min(delay, MAX_TIMER_DELAY_MS),
    )
    this.enter('reconnecting')
  }

  /** Ends the connection for good. */
  private shutDown(readyError: IPCTransportError, callError: () => IPCTransportError): void {
    if (this.reconnectTimer !== undefined) this.timers.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.cancelStable()
    const current = this.socket
    this.socket = undefined
    if (current !== undefined) closeQuietly(current)
    this.queue = []
    this.requests.rejectAll(callError)
    this.settleReady?.reject(readyError)
    this.settleReady = undefined
    this.enter('closed')
  }

  private cancelStable(): void {
    if (this.stableTimer !== undefined) this.timers.clearTimeout(this.stableTimer)
    this.stableTimer = undefined
  }

  private openSocket(target: ConnectionTarget): void {
    let ws: WebSocketLike
    try {
      ws = new target.WebSocketImpl(target.url, [WS_PROTOCOL, WS_SECRET_PROTOCOL_PREFIX + target.secret])
    } catch (error) {
      if (this.everOpened) {
        this.handle({ type: 'lost' })
      } else {
        const message = 'The IPC WebSocket could not be created'
        this.handle({
          type: 'fail',
          error: new IPCTransportError('IPC_NOT_CONNECTED', message, { cause: error }),
          callError: () => new IPCTransportError('IPC_NOT_CONNECTED', message, { cause: error }),
        })
      }
      return
    }
    this.socket = ws
    try {
      ws.binaryType = 'arraybuffer'
    } catch {
      // Binary frames are only reported, whatever their type.
    }
    ws.addEventListener('open', () => {
      if (this.socket === ws) this.socketOpened(ws)
    })
    ws.addEventListener('message', (event) => {
      if (this.socket === ws && this.state === 'open') this.hooks.message(event.data)
    })
    const ended = (): void => {
      if (this.socket !== ws) return
      this.socket = undefined
      closeQuietly(ws)
      this.handle({ type: 'lost' })
    }
    ws.addEventListener('error', ended)
    ws.addEventListener('close', ended)
  }

  private socketOpened(ws: WebSocketLike): void {
    if (readProtocol(ws) === WS_PROTOCOL) {
      this.handle({ type: 'opened', socket: ws })
      return
    }
    // Never echo the selected protocol: it may be the secret.
    const error = protocolError(`The main side did not select the WebSocket subprotocol "${WS_PROTOCOL}"`)
    this.hooks.protocolError(error)
    this.handle({
      type: 'fail',
      error,
      callError: () => new IPCTransportError('IPC_NOT_CONNECTED', error.message, { cause: error }),
    })
  }

  private flushQueue(ws: WebSocketLike): void {
    const queued = this.queue
    this.queue = []
    for (const message of queued) {
      if (this.socket !== ws) break
      if (message.kind === 'send') {
        sendQuietly(ws, message.text)
      } else if (this.requests.isPending(message.call)) {
        this.transmit(ws, message.call)
      }
    }
  }

  private transmit(ws: WebSocketLike, call: PendingCall): void {
    const text = call.text
    call.text = ''
    try {
      ws.send(text)
    } catch (error) {
      if (this.requests.finish(call)) {
        call.reject(new IPCTransportError('IPC_NOT_CONNECTED', 'The IPC WebSocket did not accept the call', { cause: error }))
      }
    }
  }
}
