{{ header }}
/**
 * The typed API for renderer code of an Electron app, over the bridge that
 * `preload.electron.ts` exposes as `window.{{ api_name }}`:
 *
 * ```ts
 * import { api } from './ipc/renderer.electron.js'
 * const notes = await api.notes.list()
 * ```
 *
 * Replies are unwrapped and errors rebuilt here, in the renderer's own
 * world: an error created in the preload would lose its `code` and
 * `details` on its way through `contextBridge`. Timeouts and abort signals
 * (`CallOptions`) are handled here too, since they cannot cross the bridge.
 *
 * @module
 */

import { createApi, type Api } from './api.js'
import { IPCTransportError } from './errors.js'
import type { CallOptions, Transport, WireReply } from './transport.js'
import type { IpcBridge } from './window.js'

/**
 * The typed API over `window.{{ api_name }}`. Calls fail with an
 * `IPC_NOT_CONNECTED` {@link IPCTransportError} while the bridge is missing.
 */
export const api: Api = createApi(electronTransport())

/**
 * A {@link Transport} over an {@link IpcBridge}, looked up on every call
 * (by default `window.{{ api_name }}`).
 */
export function electronTransport(bridge: () => IpcBridge | undefined = windowBridge): Transport {
  return {
    invoke(channel: string, payload: unknown, options?: CallOptions): Promise<WireReply> {
      const call = lookup(bridge()?.invoke, channel)
      if (call === undefined) return Promise.reject(notConnected(channel))
      return callWithOptions(() => call(payload), options)
    },
    send(channel: string, payload: unknown): void {
      const call = lookup(bridge()?.send, channel)
      if (call === undefined) throw notConnected(channel)
      try {
        call(payload)
      } catch (error) {
        throw callFailed(error)
      }
    },
    subscribe(channel: string, listener: (payload: unknown) => void): () => void {
      const call = lookup(bridge()?.subscribe, channel)
      if (call === undefined) throw notConnected(channel)
      return call(listener)
    },
  }
}

function windowBridge(): IpcBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.{{ api_name }}
}

function lookup<T>(table: Readonly<Record<string, T>> | undefined, channel: string): T | undefined {
  if (table === undefined || !Object.prototype.hasOwnProperty.call(table, channel)) return undefined
  return table[channel]
}

function notConnected(channel: string): IPCTransportError {
  return new IPCTransportError('IPC_NOT_CONNECTED', `No IPC bridge for ${channel}: is the preload loaded?`)
}

/** Runs `call`, settling early on timeout or abort; rejects only with IPCTransportError. */
function callWithOptions(call: () => Promise<unknown>, options: CallOptions | undefined): Promise<WireReply> {
  const signal = options?.signal
  if (signal?.aborted === true) return Promise.reject(new IPCTransportError('IPC_ABORTED'))
  return new Promise<WireReply>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => {
      finish()
      reject(new IPCTransportError('IPC_ABORTED'))
    }
    const timeoutMs = options?.timeoutMs
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs >= 0) {
      timer = setTimeout(() => {
        finish()
        reject(new IPCTransportError('IPC_TIMEOUT'))
      }, timeoutMs)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    let pending: Promise<unknown>
    try {
      pending = call()
    } catch (error) {
      finish()
      reject(callFailed(error))
      return
    }
    pending.then(
      (reply) => {
        finish()
        // `unwrapReply` checks the envelope's shape.
        resolve(reply as WireReply)
      },
      (error: unknown) => {
        finish()
        reject(callFailed(error))
      },
    )
  })
}

function callFailed(error: unknown): IPCTransportError {
  const reason = error instanceof Error ? error.message : 'unknown failure'
  return new IPCTransportError('IPC_PROTOCOL_ERROR', `The IPC call failed: ${reason}`, { cause: error })
}
