/**
 * The notes page in a browser or plain webview: connects the loopback
 * WebSocket with the per-launch secret of the address notes-app printed,
 * then starts the page.
 */

import { createApi } from './ipc/api.js'
import { connectWebSocket, takeSecretFromLocation } from './ipc/transport.ws.js'
import { startNotes, type NotesPage } from './notes.js'

const labels = {
  closed: 'Disconnected: reload, or open the address notes-app printed',
  refused: 'Refused by the main side: open the address notes-app printed',
  'missing-secret': 'No IPC secret: open the address notes-app printed',
} as const

// Takes the secret out of the address bar before anything reads the fragment.
const secret = takeSecretFromLocation()
if (secret === undefined) {
  startNotes(undefined, { state: 'missing-secret', ready: Promise.resolve(), labels })
} else {
  // State changes before the page has started are shown by its first state.
  let page: NotesPage | undefined
  const transport = connectWebSocket({
    secret,
    onStateChange: (state, previous) => page?.connectionChanged(state, previous),
  })
  page = startNotes(createApi(transport), { state: transport.state, ready: transport.ready, labels })
}
