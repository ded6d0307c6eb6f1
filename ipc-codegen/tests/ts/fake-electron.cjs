// A stand-in for the `electron` module in the preload test: an ipcRenderer
// backed by an EventEmitter, and a contextBridge that copies values the way
// Electron does between worlds (errors keep only their message).
'use strict'
const { EventEmitter } = require('node:events')

const exposed = new Map()
const handlers = new Map()
const calls = []
const emitter = new EventEmitter()

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

const ipcRenderer = {
  invoke(channel, envelope) {
    calls.push({ method: 'invoke', channel, envelope: structuredClone(envelope) })
    const handler = handlers.get(channel)
    if (handler === undefined) return Promise.reject(new Error(`No handler registered for '${channel}'`))
    try {
      return Promise.resolve(handler(structuredClone(envelope))).then((reply) => structuredClone(reply))
    } catch (error) {
      return Promise.reject(error)
    }
  },
  send(channel, envelope) {
    calls.push({ method: 'send', channel, envelope: structuredClone(envelope) })
  },
  on(channel, listener) {
    emitter.on(channel, listener)
    return ipcRenderer
  },
  removeListener(channel, listener) {
    emitter.removeListener(channel, listener)
    return ipcRenderer
  },
  listenerCount(channel) {
    return emitter.listenerCount(channel)
  },
}

const contextBridge = {
  exposeInMainWorld(key, api) {
    exposed.set(key, crossWorlds(api))
  },
}

module.exports = {
  ipcRenderer,
  contextBridge,
  exposed,
  calls,
  handle(channel, handler) {
    handlers.set(channel, handler)
  },
  emit(channel, message) {
    emitter.emit(channel, { sender: ipcRenderer }, structuredClone(message))
  },
  reset() {
    calls.length = 0
    handlers.clear()
  },
}
