// --- The request manager: ids, pending calls, deadlines, cancellation ------

/**
 * A call waiting for its reply. A class rather than a closure per call: the
 * request path allocates as little as a bare WebSocket client does.
 */
class PendingCall {
  readonly id: number
  readonly channel: string
  /** The request, until it is sent. */
  text: string
  readonly timeoutMs: number | undefined
  readonly signal: AbortSignal | undefined
  readonly resolve: (reply: WireReply) => void
  readonly reject: (error: IPCTransportError) => void
  /** When the call times out, on the clock of `timers.now`; `Infinity` for never. */
  deadline = Infinity
  /** The call's own timer, when the timers have no clock. */
  timer: unknown = undefined
  /** The abort listener on `signal`, when there is one. */
  onAbort: (() => void) | undefined = undefined

  constructor(
    id: number,
    channel: string,
    text: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    resolve: (reply: WireReply) => void,
    reject: (error: IPCTransportError) => void,
  ) {
    this.id = id
    this.channel = channel
    this.text = text
    this.timeoutMs = timeoutMs
    this.signal = signal
    this.resolve = resolve
    this.reject = reject
  }
}

/**
 * The calls waiting for a reply, by id. Each call settles exactly once:
 * {@link RequestManager.finish} is the only way out of the map, and only the
 * caller that gets `true` from it settles the call.
 *
 * Deadlines: with a clock (`timers.now`), one timer serves every pending
 * call, armed for the earliest deadline and re-armed when it fires. A call
 * that ends leaves the timer as it is, since the next call's deadline is
 * almost always later: sequential calls then start and clear no timer at
 * all, where a timer per call cost more in a browser than the rest of the
 * call's bookkeeping. Without a clock, each call has a timer of its own.
 */
class RequestManager {
  private readonly pending = new Map<number, PendingCall>()
  private lastId = 0
  /** The deadline the shared timer is armed for, if it is armed. */
  private armedFor: number | undefined = undefined
  private handle: unknown = undefined
  private readonly timers: TimerFunctions
  private readonly defaultTimeoutMs: number | undefined
  private readonly now: (() => number) | undefined
  private readonly fire = (): void => this.expireDue()

  constructor(timers: TimerFunctions, defaultTimeoutMs: number | undefined) {
    this.timers = timers
    this.defaultTimeoutMs = defaultTimeoutMs
    const now = timers.now
    this.now = typeof now === 'function' ? () => now.call(timers) : undefined
  }

  get size(): number {
    return this.pending.size
  }

  /**
   * Registers a call: its id, its deadline and its abort listener. The
   * caller has checked the state, the limit and the signal.
   */
  start(
    channel: string,
    payload: unknown,
    options: CallOptions | undefined,
    resolve: (reply: WireReply) => void,
    reject: (error: IPCTransportError) => void,
  ): PendingCall | undefined {
    this.lastId = this.lastId >= Number.MAX_SAFE_INTEGER ? 1 : this.lastId + 1
    const id = this.lastId
    let text: string
    try {
      text = encodeRequest('invoke', id, channel, payload)
    } catch (error) {
      reject(error as IPCTransportError)
      return undefined
    }
    const signal = options?.signal
    const timeoutMs = timeoutSetting(options?.timeoutMs, this.defaultTimeoutMs)
    const call = new PendingCall(id, channel, text, timeoutMs, signal, resolve, reject)
    this.pending.set(id, call)
    if (timeoutMs !== undefined) this.startDeadline(call, timeoutMs)
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (this.finish(call)) call.reject(new IPCTransportError('IPC_ABORTED'))
      }
      call.onAbort = onAbort
      signal.addEventListener('abort', onAbort, { once: true })
    }
    return call
  }

  /** Whether `call` is still waiting. */
  isPending(call: PendingCall): boolean {
    return this.pending.get(call.id) === call
  }

  /** Removes `call` from the pending calls; false when it was already settled. */
  finish(call: PendingCall): boolean {
    if (this.pending.get(call.id) !== call) return false
    this.pending.delete(call.id)
    if (call.timer !== undefined) this.timers.clearTimeout(call.timer)
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort)
    return true
  }

  /** Settles the call `id` with `reply`, a parsed reply; unknown and late ids are ignored. */
  settle(id: number, reply: object): void {
    const call = this.pending.get(id)
    if (call === undefined || !this.finish(call)) return
    if (isParsedWireReply(reply)) {
      call.resolve(reply)
    } else {
      call.reject(protocolError('Received a malformed IPC reply envelope'))
    }
  }

  /** Rejects every pending call. */
  rejectAll(makeError: () => IPCTransportError): void {
    for (const call of [...this.pending.values()]) {
      if (this.finish(call)) call.reject(makeError())
    }
  }

  private startDeadline(call: PendingCall, timeoutMs: number): void {
    if (this.now === undefined) {
      call.timer = this.timers.setTimeout(() => this.expire(call), timeoutMs)
      return
    }
    const time = this.now()
    call.deadline = time + timeoutMs
    if (this.armedFor === undefined || call.deadline < this.armedFor) this.arm(call.deadline, time)
  }

  private expire(call: PendingCall): void {
    if (this.finish(call)) {
      call.reject(new IPCTransportError('IPC_TIMEOUT', `The IPC call to ${call.channel} timed out after ${call.timeoutMs} ms`))
    }
  }

  private arm(at: number, time: number): void {
    if (this.armedFor !== undefined) this.timers.clearTimeout(this.handle)
    this.armedFor = at
    const handle = this.timers.setTimeout(this.fire, Math.max(0, at - time))
    this.handle = handle
    // A timer left armed after the last call must not keep Node running.
    const unref = attempt(() => (handle as { unref?: unknown } | null)?.unref)
    if (typeof unref === 'function') attempt(() => unref.call(handle))
  }

  /** The shared timer fired: expires the calls that are due, re-arms for the next. */
  private expireDue(): void {
    this.armedFor = undefined
    const time = (this.now as () => number)()
    let next: number | undefined
    for (const call of [...this.pending.values()]) {
      if (call.deadline <= time) {
        this.expire(call)
      } else if (call.deadline !== Infinity && (next === undefined || call.deadline < next)) {
        next = call.deadline
      }
    }
    // A deadline added by an expiry may have armed the timer already.
    if (next !== undefined && (this.armedFor === undefined || next < this.armedFor)) this.arm(next, time)
  }
}

/**
 * Whether a parsed reply (from `JSON.parse`, so every property is an own
 * data property: no getter can run) is a well-formed reply envelope, as
 * `isWireReply` decides for any value.
 */
function isParsedWireReply(reply: object): reply is WireReply {
  if (!Object.hasOwn(reply, 'ok')) return false
  const ok = (reply as { ok?: unknown }).ok
  return ok === true ? Object.hasOwn(reply, 'data') : ok === false && Object.hasOwn(reply, 'error')
}

/**
 * The text of a request envelope: `{"v":{{ protocol_version }},"id":..,"kind":..,"channel":..,"payload":..}`
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
