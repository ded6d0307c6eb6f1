// --- Options: settings parsed once, and where to connect ------------------

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

