/**
 * The notes page in the Electron shell: the preload (preload.electron.ts)
 * has exposed the bridge as `window.api` before the page runs, so there is
 * no connection to wait for; without it (the preload did not run) the page
 * says so.
 */

import { api } from './ipc/renderer.electron.js'
import { startNotes } from './notes.js'

const labels = {
  open: 'Connected',
  closed: 'No IPC bridge: the preload did not run',
} as const

if (window.api === undefined) {
  startNotes(undefined, { state: 'closed', ready: Promise.resolve(), labels })
} else {
  startNotes(api, { state: 'open', ready: Promise.resolve(), labels })
}
