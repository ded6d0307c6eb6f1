/**
 * A caller window of the conformance app: makes the calls the suite's
 * window relays to it with its own Tauri transport, and relays back the
 * replies and the events it receives.
 */

import { emitTo, listen } from '@tauri-apps/api/event'
import { getCurrentWebviewWindow } from '@tauri-apps/api/webviewWindow'

import { isIPCTransportError } from '../ts/ipc/errors.js'
import { connectTauri } from '../ts/ipc/transport.tauri.js'
import { RELAY_EVENT, RELAY_READY, RELAY_REPLY, RELAY_REQUEST, type RelayReply, type RelayRequest } from './relay.js'

const label = getCurrentWebviewWindow().label
// Lazy: a refused window has no event grant, and must still make its calls.
const transport = connectTauri({ events: 'lazy', onProtocolError: () => undefined })
const subscribed = new Set<string>()

const reply = (message: RelayReply): void => {
  void emitTo('main', RELAY_REPLY, message)
}

await listen<RelayRequest>(
  RELAY_REQUEST,
  (event) => {
    const request = event.payload
    switch (request.op) {
      case 'invoke':
        transport.invoke(request.channel, request.payload).then(
          (envelope) => reply({ label, id: request.id, reply: envelope }),
          (error: unknown) =>
            reply({
              label,
              id: request.id,
              transportError: isIPCTransportError(error)
                ? { code: error.code, message: error.message }
                : { code: 'IPC_PROTOCOL_ERROR', message: String(error) },
            }),
        )
        return
      case 'send':
        transport.send(request.channel, request.payload)
        return
      case 'subscribe':
        if (subscribed.has(request.channel)) return
        subscribed.add(request.channel)
        transport.subscribe(request.channel, (payload) => {
          void emitTo('main', RELAY_EVENT, { label, channel: request.channel, payload })
        })
        return
    }
  },
  { target: { kind: 'WebviewWindow', label } },
)
await emitTo('main', RELAY_READY, { label })
