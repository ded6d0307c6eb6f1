// --- Inbound messages: replies and events ----------------------------------

interface Subscription {
  readonly listener: (payload: unknown) => void
  active: boolean
}

/** What {@link Inbound} reports to the transport around it. */
interface InboundHooks {
  readonly protocolError: (error: IPCTransportError) => void
  readonly listenerError: (error: unknown, channel: string) => void
}

/**
 * Reads every text frame of an open socket: a reply goes to the request
 * manager, an event to its channel's listeners, anything else is reported.
 * Frames are parsed with `JSON.parse`, whose objects have own data
 * properties only, so fields are read after an `Object.hasOwn` check and
 * never from a prototype or a getter.
 */
class Inbound {
  private readonly listeners = new Map<string, Set<Subscription>>()
  private readonly requests: RequestManager
  private readonly maxTextLength: number
  private readonly hooks: InboundHooks

  constructor(requests: RequestManager, maxTextLength: number, hooks: InboundHooks) {
    this.requests = requests
    this.maxTextLength = maxTextLength
    this.hooks = hooks
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    if (typeof channel !== 'string') throw new TypeError('The channel of an IPC subscription must be a string')
    if (typeof listener !== 'function') throw new TypeError(`The listener of ${channel} must be a function`)
    const subscription: Subscription = { listener, active: true }
    let subscriptions = this.listeners.get(channel)
    if (subscriptions === undefined) {
      subscriptions = new Set()
      this.listeners.set(channel, subscriptions)
    }
    subscriptions.add(subscription)
    return () => {
      if (!subscription.active) return
      subscription.active = false
      const current = this.listeners.get(channel)
      if (current === undefined) return
      current.delete(subscription)
      if (current.size === 0) this.listeners.delete(channel)
    }
  }

  receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.reject('Received a binary frame; binary frames are reserved for streams and ignored')
      return
    }
    if (data.length > this.maxTextLength) {
      this.reject(`Received a text frame of ${data.length} characters; the limit is ${this.maxTextLength}`)
      return
    }
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      this.reject('Received a text frame that is not valid JSON')
      return
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.reject('Received a message that is not a JSON object')
      return
    }
    const fields = message as { readonly id?: unknown; readonly kind?: unknown }
    if (Object.hasOwn(fields, 'kind')) {
      if (fields.kind === 'event') this.event(message)
      else this.reject('Received a message of an unknown `kind`')
      return
    }
    if (!Object.hasOwn(fields, 'id')) {
      this.reject('Received a message that is neither a reply nor an event')
      return
    }
    const id = fields.id
    if (id === null) {
      this.uncorrelated(message)
      return
    }
    // Only numeric ids are ever sent: anything else, unknown ids and late
    // replies to calls that timed out or were aborted are ignored.
    if (typeof id === 'number') this.requests.settle(id, message)
  }

  private event(message: object): void {
    const fields = message as { readonly v?: unknown; readonly channel?: unknown; readonly payload?: unknown }
    if (!Object.hasOwn(fields, 'v') || fields.v !== PROTOCOL_VERSION) {
      this.reject('Received an event envelope with an unsupported `v`')
      return
    }
    const channel = Object.hasOwn(fields, 'channel') ? fields.channel : undefined
    if (typeof channel !== 'string') {
      this.reject('Received an event envelope without a string `channel`')
      return
    }
    if (!Object.hasOwn(fields, 'payload')) {
      this.reject('Received an event envelope without a `payload`')
      return
    }
    const payload = fields.payload
    const subscriptions = this.listeners.get(channel)
    if (subscriptions === undefined) return
    for (const subscription of [...subscriptions]) {
      if (!subscription.active) continue
      try {
        subscription.listener(payload)
      } catch (error) {
        this.hooks.listenerError(error, channel)
      }
    }
  }

  /** A reply with `"id": null`: a failure the main side could not match to a request. */
  private uncorrelated(message: object): void {
    const fields = message as { readonly ok?: unknown; readonly error?: unknown }
    if (!(Object.hasOwn(fields, 'ok') && fields.ok === false && Object.hasOwn(fields, 'error'))) {
      this.reject('Received a reply with a null `id` that is not a failure')
      return
    }
    const cause = deserializeError(fields.error)
    this.hooks.protocolError(
      new IPCTransportError(
        'IPC_PROTOCOL_ERROR',
        `The main side reported a failure it could not match to a request: ${cause.message}`,
        { cause },
      ),
    )
  }

  private reject(message: string): void {
    this.hooks.protocolError(protocolError(message))
  }
}
