// --- Support: errors, quiet socket calls, globals, reporting ---------------

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


/** An `IPC_NOT_CONNECTED` error with `message`. */
function notConnectedWith(message: string): IPCTransportError {
  return new IPCTransportError('IPC_NOT_CONNECTED', message)
}

/** Runs `action`, returning `undefined` if it throws. */
function attempt<T>(action: () => T): T | undefined {
  try {
    return action()
  } catch {
    return undefined
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
