// A stand-in for the `electron` module, for Node.js tests of the main-side
// glue, the preload and the renderer bridge without Electron's binary. It
// follows Electron's documented API (docs/api/ipc-main.md,
// structures/ipc-main-event.md, ipc-main-invoke-event.md,
// web-contents.md, web-frame-main.md, context-bridge.md):
// - `ipcMain.handle` refuses a second handler for a channel; `invoke`
//   rejects when no handler is registered and wraps a handler's error as
//   "Error invoking remote method"; arguments and results cross as V8's
//   serializer writes them (`invoke`), or as structured clones.
// - Each message's event has `sender` (the WebContents), `senderFrame`
//   (null when read after the frame navigated or was destroyed),
//   `processId`, `frameId` and `type: 'frame'`.
// - A WebFrameMain has `origin`, `url`, `parent` (null for a main frame),
//   `top`, `processId` and `routingId`; a WebContents has a unique `id`,
//   `mainFrame`, `send`, `isDestroyed` and a 'destroyed' event.
// - `contextBridge.exposeInMainWorld` copies values between worlds; errors
//   keep only their message.
// - Required straight into Node.js (a preload bundle loaded without
//   `rendererOf`), it is the renderer of `page`, a WebContents of its own:
//   `ipcRenderer`, `contextBridge` and what was `exposed`.
// - For an app's main script: `app` (`whenReady`, `getPath`, `quit` with a
//   cancellable 'will-quit', `exit`), `protocol` (`registerSchemesAsPrivileged`,
//   `handle`), `session.defaultSession.setPermissionRequestHandler` and
//   `BrowserWindow` (its `webPreferences`, `loadURL`, `webContents` with
//   `setWindowOpenHandler`), recorded for the test to inspect.
'use strict'
const { EventEmitter } = require('node:events')
const v8 = require('node:v8')
const { receiveMessageOnPort } = require('node:worker_threads')

class IpcMain extends EventEmitter {
  #handlers = new Map()

  handle(channel, listener) {
    if (this.#handlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    }
    this.#handlers.set(channel, listener)
  }

  removeHandler(channel) {
    this.#handlers.delete(channel)
  }

  /** The channels with a handler (for assertions). */
  handledChannels() {
    return [...this.#handlers.keys()]
  }

  /**
   * An `invoke` as Electron's hop makes it: the renderer serializes the
   * arguments with V8's ValueSerializer (what Electron's IPC uses, in
   * shell/common/v8_value_serializer.cc), main deserializes them, and the
   * handler's result goes back the same way.
   */
  invokeFromRenderer(channel, event, args) {
    return this.invokeSerialized(channel, event, v8.serialize(args)).then((reply) => v8.deserialize(reply))
  }

  /**
   * Main's share of an invoke: arguments the renderer already serialized
   * are deserialized, handled, and the result serialized for the way back.
   */
  invokeSerialized(channel, event, serializedArgs) {
    return this.#invoke(channel, event, () => v8.deserialize(serializedArgs), (result) => v8.serialize(result))
  }

  /**
   * Main's share of an invoke whose arguments wait, serialized, on
   * `requests` (a MessagePort): read and deserialized, handled, and the
   * result posted on `replies`. A MessagePort's messages are written and
   * read by V8's serializer from C++, one serializer per message that
   * lives only as long as the call, as Electron's are
   * (shell/common/v8_value_serializer.cc). `node:v8`'s `serialize` and
   * `deserialize`, which `invokeSerialized` uses, wrap each message in
   * JavaScript objects of their own, and the deserializer keeps what it
   * read alive until the collection after the next one.
   */
  invokeFromPort(channel, event, requests, replies) {
    const receive = () => {
      const received = receiveMessageOnPort(requests)
      if (received === undefined) throw new Error(`no request is waiting for '${channel}'`)
      return received.message
    }
    return this.#invoke(channel, event, receive, (result) => replies.postMessage(result))
  }

  /** Runs `channel`'s handler on the arguments `readArgs` gives, and passes its result to `writeResult`, as Electron's invoke does. */
  #invoke(channel, event, readArgs, writeResult) {
    const handler = this.#handlers.get(channel)
    if (handler === undefined) {
      return Promise.reject(new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`))
    }
    return Promise.resolve()
      .then(() => handler(event, ...readArgs()))
      .then(writeResult, (error) => {
        throw new Error(`Error invoking remote method '${channel}': ${error}`)
      })
  }
}

const ipcMain = new IpcMain()
let lastWebContentsId = 0
let lastRoutingId = 0
const processId = 4

class WebFrameMain {
  constructor(webContents, origin, parent) {
    this.webContents = webContents
    this.origin = origin
    this.url = origin === 'null' ? 'about:blank' : `${origin}/index.html`
    this.parent = parent
    this.top = parent === null ? this : parent.top
    this.processId = processId
    lastRoutingId += 1
    this.routingId = lastRoutingId
    this.gone = false
  }
}

class WebContents extends EventEmitter {
  #destroyed = false

  constructor(origin) {
    super()
    lastWebContentsId += 1
    this.id = lastWebContentsId
    this.mainFrame = new WebFrameMain(this, origin, null)
    /** What the renderer's ipcRenderer listeners receive. */
    this.rendererEvents = new EventEmitter()
    this.received = []
  }

  send(channel, ...args) {
    if (this.#destroyed) throw new Error('Object has been destroyed')
    const cloned = structuredClone(args)
    this.received.push({ channel, args: cloned })
    setImmediate(() => this.rendererEvents.emit(channel, { sender: null }, ...cloned))
  }

  isDestroyed() {
    return this.#destroyed
  }

  /** Closes the page: later messages cannot be sent, 'destroyed' is emitted. */
  destroy() {
    if (this.#destroyed) return
    this.#destroyed = true
    this.mainFrame.gone = true
    this.emit('destroyed')
  }

  /** Navigates the main frame away: a message read afterwards has no senderFrame. */
  navigate(origin) {
    this.mainFrame.gone = true
    this.mainFrame = new WebFrameMain(this, origin, null)
  }

  /** A subframe of the main frame with `origin`. */
  subframe(origin) {
    return new WebFrameMain(this, origin, this.mainFrame)
  }
}

function senderEvent(webContents, frame, invoke) {
  const event = {
    type: 'frame',
    sender: webContents,
    processId: frame.processId,
    frameId: frame.routingId,
    get senderFrame() {
      return frame.gone ? null : frame
    },
  }
  if (!invoke) {
    event.returnValue = undefined
    event.ports = []
    event.reply = (channel, ...args) => webContents.send(channel, ...args)
  }
  return event
}

/** The renderer side of `frame` (by default the main frame): its `electron` module. */
function rendererOf(webContents, frame = webContents.mainFrame) {
  const ipcRenderer = {
    invoke(channel, ...args) {
      return ipcMain.invokeFromRenderer(channel, senderEvent(webContents, frame, true), args)
    },
    send(channel, ...args) {
      const cloned = structuredClone(args)
      setImmediate(() => ipcMain.emit(channel, senderEvent(webContents, frame, false), ...cloned))
    },
    on(channel, listener) {
      webContents.rendererEvents.on(channel, listener)
      return ipcRenderer
    },
    removeListener(channel, listener) {
      webContents.rendererEvents.removeListener(channel, listener)
      return ipcRenderer
    },
    listenerCount(channel) {
      return webContents.rendererEvents.listenerCount(channel)
    },
  }
  const exposed = new Map()
  const contextBridge = {
    exposeInMainWorld(key, api) {
      exposed.set(key, crossWorlds(api))
    },
  }
  return { ipcRenderer, contextBridge, exposed }
}

function crossWorlds(value) {
  if (typeof value === 'function') {
    return (...args) => {
      let result
      try {
        result = value(...args.map(crossWorlds))
      } catch (error) {
        throw new Error(error instanceof Error ? error.message : String(error))
      }
      if (result instanceof Promise) {
        return result.then(crossWorlds, (error) => {
          throw new Error(error instanceof Error ? error.message : String(error))
        })
      }
      return crossWorlds(result)
    }
  }
  if (Array.isArray(value)) return value.map(crossWorlds)
  if (typeof value === 'object' && value !== null) {
    const copy = {}
    for (const [key, item] of Object.entries(value)) copy[key] = crossWorlds(item)
    return Object.isFrozen(value) ? Object.freeze(copy) : copy
  }
  return value
}

/** The origin a page loaded from `url` has, as Chromium serializes it. */
function originOf(url) {
  const parsed = new URL(url)
  return parsed.host === '' ? 'null' : `${parsed.protocol}//${parsed.host}`
}

const app = new EventEmitter()
app.userData = undefined
app.exitCode = undefined
app.whenReady = () => Promise.resolve()
app.getPath = (name) => {
  if (name !== 'userData' || app.userData === undefined) throw new Error(`no path for ${name} in the stand-in`)
  return app.userData
}
app.quit = () => {
  let prevented = false
  app.emit('will-quit', { preventDefault: () => (prevented = true) })
  if (!prevented) app.emit('quit')
}
app.exit = (code = 0) => {
  app.exitCode = code
}

const protocol = {
  privileged: [],
  handlers: new Map(),
  registerSchemesAsPrivileged(schemes) {
    protocol.privileged.push(...schemes)
  },
  handle(scheme, handler) {
    if (protocol.handlers.has(scheme)) throw new Error(`The scheme ${scheme} is already handled`)
    protocol.handlers.set(scheme, handler)
  },
}

const session = {
  defaultSession: {
    permissionRequestHandler: undefined,
    setPermissionRequestHandler(handler) {
      session.defaultSession.permissionRequestHandler = handler
    },
  },
}

const windows = []
let lastWindowId = 0
class BrowserWindow extends EventEmitter {
  constructor(options = {}) {
    super()
    lastWindowId += 1
    this.id = lastWindowId
    this.options = options
    this.webContents = new WebContents('null')
    this.webContents.windowOpenHandler = undefined
    this.webContents.setWindowOpenHandler = (handler) => {
      this.webContents.windowOpenHandler = handler
    }
    this.loadedUrl = undefined
    windows.push(this)
  }

  loadURL(url) {
    this.loadedUrl = url
    this.webContents.navigate(originOf(url))
    return Promise.resolve()
  }

  static getAllWindows() {
    return windows.filter((window) => !window.webContents.isDestroyed())
  }
}

const page = new WebContents('null')

module.exports = {
  ...rendererOf(page),
  page,
  ipcMain,
  app,
  protocol,
  session,
  BrowserWindow,
  WebContents,
  rendererOf,
  /** A fresh ipcMain, for a test that registers the glue again. */
  resetIpcMain() {
    for (const channel of ipcMain.handledChannels()) ipcMain.removeHandler(channel)
    ipcMain.removeAllListeners()
  },
}
