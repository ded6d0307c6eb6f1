/**
 * Compile-time check, run by `npm run check:templates` against the DOM
 * library: the browser's own objects satisfy the interfaces that
 * `transport.ws.ts` declares instead of depending on the DOM types. It
 * checks the generated copy in the notes example, since the template's
 * constants are written by the code generator.
 */

import type {
  HistoryLike,
  LocationLike,
  SecretEnvironment,
  StorageLike,
  TimerFunctions,
  WebSocketConstructorLike,
  WebSocketLike,
  WebSocketTransportOptions,
} from '../../../examples/notes/renderer/src/ipc/transport.ws.js'

export const webSocketConstructor: WebSocketConstructorLike = WebSocket
export const webSocketInstance = (socket: WebSocket): WebSocketLike => socket
export const browserLocation: LocationLike = location
export const browserHistory: HistoryLike = history
export const browserStorage: StorageLike = sessionStorage
export const environment: SecretEnvironment = { location: window.location, history: window.history, sessionStorage }
export const timers: TimerFunctions = {
  setTimeout: (callback, delayMs) => window.setTimeout(callback, delayMs),
  clearTimeout: (handle) => window.clearTimeout(typeof handle === 'number' ? handle : undefined),
}
export const options: WebSocketTransportOptions = { WebSocketImpl: WebSocket, timers }
