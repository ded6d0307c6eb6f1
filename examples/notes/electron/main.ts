/**
 * The notes example's Electron main process: serves the renderer from the
 * `app://notes` scheme with a strict CSP, opens locked-down windows
 * (contextIsolation, sandbox, no nodeIntegration, no navigation, no new
 * windows, no permissions) and serves their IPC with the generated glue
 * over the notes addon (notes-core's handlers in Rust).
 *
 * Bundled by build.mjs into dist/main.cjs; `npx electron .` runs it.
 */

import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { extname, join, normalize, sep } from 'node:path'

import { app, BrowserWindow, protocol, session } from 'electron'

import { registerMainIpc, type IpcEventTarget, type IpcRouterAddon, type JsonMessage, type MainIpc } from '../renderer/src/ipc/main.electron.js'

/** What the notes addon (addon/, built as dist/notes.node) exports. */
interface NotesAddon {
  open(options: { readonly dataDir: string }, onEvent: (envelope: JsonMessage, target: IpcEventTarget) => void): NotesRouter
}

interface NotesRouter extends IpcRouterAddon {
  close(): Promise<void>
}

const ORIGIN = 'app://notes'
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

// dist/main.cjs sits next to notes.node, preload.cjs and renderer/.
const here = __dirname
const rendererDir = join(here, 'renderer')

// Before `ready`: `app:` is a standard, secure scheme, so its pages have a
// real origin (`app://notes`) that the glue can check.
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true } }])

/** Serves files of the built renderer only, each with the CSP. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.host !== 'notes') return new Response('Not found', { status: 404 })
  const path = normalize(join(rendererDir, decodeURIComponent(url.pathname)))
  if (!path.startsWith(rendererDir + sep)) return new Response('Not found', { status: 404 })
  const type = CONTENT_TYPES[extname(path)]
  if (type === undefined) return new Response('Not found', { status: 404 })
  try {
    const body = await readFile(path)
    return new Response(body, { headers: { 'content-type': type, 'content-security-policy': CSP } })
  } catch {
    return new Response('Not found', { status: 404 })
  }
}

function createWindow(ipc: MainIpc): void {
  const window = new BrowserWindow({
    width: 960,
    height: 680,
    title: 'Notes',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  ipc.attach(window.webContents, { role: 'notes', windowId: window.id })
  // Checklist #13 and #14: the page never navigates away or opens windows.
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  void window.loadURL(`${ORIGIN}/index.html`)
}

async function main(): Promise<void> {
  await app.whenReady()
  // Checklist #5: the notes page needs no permission.
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  protocol.handle('app', serveRenderer)

  // A `.node` file inside app.asar is loaded from app.asar.unpacked (see the README on asarUnpack).
  const addon = createRequire(__filename)(join(here, 'notes.node')) as NotesAddon
  let ipc: MainIpc | undefined
  const router = addon.open({ dataDir: join(app.getPath('userData'), 'notes') }, (envelope, target) => {
    // A throw here would be an uncaught exception of the main process.
    try {
      ipc?.emit(envelope, target)
    } catch (error) {
      console.error('notes: an event could not be forwarded', error)
    }
  })
  ipc = registerMainIpc({
    router,
    allowedOrigins: [ORIGIN],
    onRefused: (refusal) => console.warn(`notes: refused ${refusal.kind} on ${refusal.channel}: ${refusal.reason}`),
    onSendFailed: (channel, reply) => console.warn(`notes: send on ${channel} failed`, reply),
  })
  createWindow(ipc)

  app.on('activate', () => {
    if (ipc !== undefined && BrowserWindow.getAllWindows().length === 0) createWindow(ipc)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Answer or cancel the calls in flight before the process exits.
  let closed = false
  app.on('will-quit', (event) => {
    if (closed) return
    event.preventDefault()
    ipc?.dispose()
    void router.close().finally(() => {
      closed = true
      app.quit()
    })
  })
}

main().catch((error: unknown) => {
  console.error('notes: could not start', error)
  app.exit(1)
})
