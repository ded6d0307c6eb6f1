{{ header }}
/**
 * Electron preload: exposes the contracts to the renderer as
 * `window.{{ api_name }}` through `contextBridge`, with least privilege. Only one
 * function per contract channel is exposed (see `IpcBridge` in `window.d.ts`),
 * never `ipcRenderer` itself or a generic send or invoke; every listener
 * added with `ipcRenderer.on` is removed again on unsubscribe.
 *
 * Wire format (protocol version {{ protocol_version }}): every message is the envelope's JSON
 * text, so the main process hands it to the router as it came, without
 * walking a structured clone. From {{ bytes_from }} UTF-16 units on, the text travels as
 * its UTF-8 bytes in a `Uint8Array`, which Electron's main process keeps
 * outside its JavaScript heap; replies and events come as either form. An invoke sends
 * `{ v: {{ protocol_version }}, id, kind: 'invoke', channel, payload }` with `ipcRenderer.invoke`
 * and the main side resolves with the reply envelope `{ id, ok, data | error }`;
 * a send is `{ v: {{ protocol_version }}, kind: 'send', channel, payload }`; events arrive as
 * `{ v: {{ protocol_version }}, kind: 'event', channel, payload }` on their channel.
 * A payload JSON cannot carry (a BigInt, a cycle) fails here, before
 * anything is sent.
 *
 * This file imports nothing but `electron`, so it can be bundled into a
 * single CommonJS preload for sandboxed renderers.
 *
 * @module
 */

{{ electron_import }}
import type { IpcBridge } from './window.js'

const PROTOCOL_VERSION = {{ protocol_version }}
{%- if has_invoke || has_event %}

/** Reads the UTF-8 of large replies and events. */
const utf8Decoder = new TextDecoder()

/** The JSON text of a reply or event: a string, or its UTF-8 bytes. */
function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message
  return message instanceof Uint8Array ? utf8Decoder.decode(message) : undefined
}
{%- endif %}
{%- if has_invoke %}

let lastRequestId = 0

async function invoke(channel: string, payload: unknown): Promise<unknown> {
  lastRequestId += 1
  const request = envelopeMessage(channel, { v: PROTOCOL_VERSION, id: lastRequestId, kind: 'invoke', channel, payload })
  const reply = messageText(await ipcRenderer.invoke(channel, request))
  if (reply === undefined) throw new Error(`The reply of ${channel} is not JSON text`)
  return JSON.parse(reply) as unknown
}
{%- endif %}
{%- if has_send %}

function send(channel: string, payload: unknown): void {
  ipcRenderer.send(channel, envelopeMessage(channel, { v: PROTOCOL_VERSION, kind: 'send', channel, payload }))
}
{%- endif %}
{%- if has_invoke || has_send %}

/** From this many UTF-16 units on, a message is sent as UTF-8 bytes. */
const BYTES_FROM = {{ bytes_from }}

const utf8Encoder = new TextEncoder()

/** The envelope as JSON text, large ones as UTF-8; throws when its payload cannot be JSON. */
function envelopeMessage(channel: string, envelope: object): string | Uint8Array {
  let text: string | undefined
  try {
    text = JSON.stringify(envelope)
  } catch {
    text = undefined
  }
  if (typeof text !== 'string') throw new Error(`The payload for ${channel} cannot be serialized as JSON`)
  return text.length < BYTES_FROM ? text : utf8Encoder.encode(text)
}
{%- endif %}
{%- if has_event %}

function subscribe(channel: string, listener: (payload: unknown) => void): () => void {
  if (typeof listener !== 'function') {
    throw new TypeError(`The listener of ${channel} must be a function`)
  }
  const wrapper = (_event: IpcRendererEvent, text: unknown): void => {
    const payload = eventPayload(channel, parsed(text))
    if (payload === undefined) return
    try {
      listener(payload.value)
    } catch (error) {
      // Report without breaking the other listeners of the channel.
      queueMicrotask(() => {
        throw error
      })
    }
  }
  ipcRenderer.on(channel, wrapper)
  let subscribed = true
  return () => {
    if (!subscribed) return
    subscribed = false
    ipcRenderer.removeListener(channel, wrapper)
  }
}

/** The value of an event's JSON text, or `undefined` when it is not JSON text. */
function parsed(message: unknown): unknown {
  const text = messageText(message)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The payload of a well-formed event envelope of `channel`, read from own data properties only. */
function eventPayload(channel: string, message: unknown): { readonly value: unknown } | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined
  if (ownValue(message, 'v')?.value !== PROTOCOL_VERSION) return undefined
  if (ownValue(message, 'kind')?.value !== 'event') return undefined
  if (ownValue(message, 'channel')?.value !== channel) return undefined
  return ownValue(message, 'payload')
}

function ownValue(source: object, key: string): { readonly value: unknown } | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? { value: descriptor.value } : undefined
}
{%- endif %}

const bridge: IpcBridge = Object.freeze({
  invoke: Object.freeze({
{%- for entry in invoke %}
{{ entry.doc }}    {{ entry.key }}: (payload: unknown): Promise<unknown> => invoke({{ entry.key }}, payload),
{%- endfor %}
  }),
  send: Object.freeze({
{%- for entry in send %}
{{ entry.doc }}    {{ entry.key }}: (payload: unknown): void => send({{ entry.key }}, payload),
{%- endfor %}
  }),
  subscribe: Object.freeze({
{%- for entry in event %}
{{ entry.doc }}    {{ entry.key }}: (listener: (payload: unknown) => void): (() => void) => subscribe({{ entry.key }}, listener),
{%- endfor %}
  }),
})

contextBridge.exposeInMainWorld({{ api_name_literal }}, bridge)
