/**
 * The notes page in a Tauri window: talks to the app's `ipc` plugin over
 * Tauri's IPC, then starts the page. What the window may do is what its
 * capabilities grant (examples/notes/tauri/capabilities/).
 */

import { createApi } from './ipc/api.js'
import { connectTauri } from './ipc/transport.tauri.js'
import { startNotes } from './notes.js'

const transport = connectTauri()
startNotes(createApi(transport), {
  state: 'open',
  ready: transport.ready,
  labels: { refused: 'Refused by the app: this window may not receive changes' },
})
