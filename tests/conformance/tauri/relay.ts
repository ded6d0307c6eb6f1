/**
 * How the suite's window drives a caller window of the same app: requests
 * go to the caller as Tauri events, the caller makes the call with its own
 * transport (so main sees the caller's window, origin and grants) and sends
 * the outcome back. Only test traffic travels this way; the calls under test
 * are the caller's own IPC calls.
 */

/** Event the caller listens to (targeted at its window). */
export const RELAY_REQUEST = 'conformance-relay-request'
/** Events the main window listens to. */
export const RELAY_REPLY = 'conformance-relay-reply'
export const RELAY_EVENT = 'conformance-relay-event'
export const RELAY_READY = 'conformance-relay-ready'

export type RelayRequest =
  | { readonly op: 'invoke'; readonly id: number; readonly channel: string; readonly payload: unknown }
  | { readonly op: 'send'; readonly channel: string; readonly payload: unknown }
  | { readonly op: 'subscribe'; readonly channel: string }

/** The outcome of a relayed invoke: the reply envelope, or the transport error's code and message. */
export type RelayReply =
  | { readonly label: string; readonly id: number; readonly reply: unknown }
  | { readonly label: string; readonly id: number; readonly transportError: { readonly code: string; readonly message: string } }

export interface RelayEvent {
  readonly label: string
  readonly channel: string
  readonly payload: unknown
}
