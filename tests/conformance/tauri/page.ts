/**
 * The Tauri shell's target for the conformance suite, in the app's `main`
 * window. Other callers are real windows of the same app (`caller-N`,
 * granted every contract; `refused-N`, granted none), driven through
 * `relay.ts`. Results go to `window.conformanceResults` for the WebDriver
 * test.
 */

import { emitTo, listen } from '@tauri-apps/api/event'
import { WebviewWindow } from '@tauri-apps/api/webviewWindow'

import { createApi, type Api } from '../ts/ipc/api.js'
import { IPCTransportError, isTransportErrorCode } from '../ts/ipc/errors.js'
import type { CallOptions, Transport, WireReply } from '../ts/ipc/transport.js'
import { connectTauri } from '../ts/ipc/transport.tauri.js'
import { dropMidCallWith, runConformance, type CaseResult, type ConformanceTarget, type ExtraCaller } from '../suite.js'
import { RELAY_EVENT, RELAY_READY, RELAY_REPLY, RELAY_REQUEST, type RelayEvent, type RelayReply, type RelayRequest } from './relay.js'

declare global {
  interface Window {
    conformanceResults?: CaseResult[]
    conformanceError?: string
  }
}

/** Longest wait for a caller window or a relayed reply: a guard against hangs, not a measurement. */
const GUARD_MS = 15_000

interface TauriInternals {
  invoke(command: string, args: Uint8Array): Promise<unknown>
}

/** The raw IPC Tauri injects; the transport under test uses the same one through `@tauri-apps/api/core`. */
function internals(): TauriInternals {
  return (window as unknown as { __TAURI_INTERNALS__: TauriInternals }).__TAURI_INTERNALS__
}

/** One raw request on `plugin:ipc|dispatch`, and the reply main sent for it. */
async function sendRawBytes(bytes: Uint8Array): Promise<unknown> {
  const reply = await internals().invoke('plugin:ipc|dispatch', bytes)
  if (!(reply instanceof ArrayBuffer)) throw new Error('the reply is not raw bytes')
  return JSON.parse(new TextDecoder().decode(reply))
}

const replies = new Map<string, (message: RelayReply) => void>()
const eventListeners = new Map<string, (message: RelayEvent) => void>()
const ready = new Map<string, () => void>()
await listen<RelayReply>(RELAY_REPLY, (event) => replies.get(`${event.payload.label}#${event.payload.id}`)?.(event.payload))
await listen<RelayEvent>(RELAY_EVENT, (event) => eventListeners.get(event.payload.label)?.(event.payload))
await listen<{ label: string }>(RELAY_READY, (event) => ready.get(event.payload.label)?.())

let windows = 0

/** Opens a caller window and resolves with its `Api` (over the relay) once its page is up. */
async function openWindow(prefix: 'caller' | 'refused'): Promise<ExtraCaller> {
  const label = `${prefix}-${++windows}`
  const up = new Promise<void>((resolve, reject) => {
    ready.set(label, resolve)
    setTimeout(() => reject(new Error(`window ${label} did not start`)), GUARD_MS)
  })
  const created = new WebviewWindow(label, { url: 'caller.html', title: label, width: 400, height: 300 })
  await up
  ready.delete(label)
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  eventListeners.set(label, (message) => {
    for (const listener of [...(listeners.get(message.channel) ?? [])]) listener(message.payload)
  })
  const request = (message: RelayRequest): Promise<void> => emitTo({ kind: 'WebviewWindow', label }, RELAY_REQUEST, message)
  let nextId = 1
  const transport: Transport = {
    invoke(channel: string, payload: unknown, _options?: CallOptions): Promise<WireReply> {
      const id = nextId++
      return new Promise<WireReply>((resolve, reject) => {
        const guard = setTimeout(() => {
          replies.delete(`${label}#${id}`)
          reject(new IPCTransportError('IPC_TIMEOUT', `no relayed reply from ${label}`))
        }, GUARD_MS)
        replies.set(`${label}#${id}`, (message) => {
          clearTimeout(guard)
          replies.delete(`${label}#${id}`)
          if ('reply' in message) {
            resolve(message.reply as WireReply)
          } else {
            const code = message.transportError.code
            reject(new IPCTransportError(isTransportErrorCode(code) ? code : 'IPC_PROTOCOL_ERROR', message.transportError.message))
          }
        })
        request({ op: 'invoke', id, channel, payload }).catch((error: unknown) => reject(error))
      })
    },
    send(channel: string, payload: unknown): void {
      void request({ op: 'send', channel, payload })
    },
    subscribe(channel: string, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(channel)
      if (set === undefined) {
        set = new Set()
        listeners.set(channel, set)
        void request({ op: 'subscribe', channel })
      }
      const entry = (payload: unknown): void => listener(payload)
      set.add(entry)
      return () => {
        listeners.get(channel)?.delete(entry)
      }
    },
  }
  return {
    api: createApi(transport),
    close: async () => {
      eventListeners.delete(label)
      await created.destroy()
    },
  }
}

const transport = connectTauri({ onProtocolError: () => undefined })
const api: Api = createApi(transport)
const openCaller = (): Promise<ExtraCaller> => openWindow('caller')

const target: ConformanceTarget = {
  name: 'Tauri (WebKitGTK)',
  api,
  sendRaw: (text) => sendRawBytes(new TextEncoder().encode(text)),
  sendRawBytes,
  otherCaller: openCaller,
  refusedCaller: async () => ({ ...(await openWindow('refused')), refusal: { kind: 'forbidden' } }),
  dropMidCall: dropMidCallWith(api, openCaller),
}

const output = document.getElementById('results')
try {
  await transport.ready
  window.conformanceResults = await runConformance(target, {
    onResult: (result) => {
      if (output !== null) output.textContent += `\n${result.status} ${result.id}${result.message === undefined ? '' : `: ${result.message}`}`
    },
  })
} catch (error) {
  window.conformanceError = String(error)
}
