// What the browser tests and the browser benchmark share: starting and
// stopping notes-app, launching Debian's Chromium through playwright-core,
// and reading the IPC frames a page receives.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The notes-app binary; `cargo build -p notes-app` writes it. */
export const notesApp = process.env.NOTES_APP ?? join(repo, 'target/debug/notes-app')

/** The built renderer (`node examples/notes/renderer/build.mjs`). */
export const rendererDir = process.env.NOTES_RENDERER ?? join(repo, 'examples/notes/renderer/dist')

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Longest wait for notes-app to print its address or to exit: a guard against hangs, not a measurement. */
const PROCESS_GUARD_MS = 30_000

/** Headless Chromium with a fresh, empty profile; `extraArgs` are added to the usual flags. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] })
}

/** A new empty directory under the system's temporary directory; removed by `removeDir`. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir) {
  // Chromium's helper processes can still be writing to a profile for a
  // moment after the browser process exits: retry instead of failing.
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
}

const running = new Set()

// Whatever happens to the test process, no notes-app outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Starts notes-app on a free loopback port and waits for the address it
 * prints. Resolves with the address, its parts and `stop()`.
 */
export async function startApp({ dataDir, renderer = rendererDir, port = 0, binary = notesApp }) {
  const child = spawn(binary, ['--data-dir', dataDir, '--renderer', renderer, '--port', String(port)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text) => {
    stderr += text
  })
  const exited = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => {
      running.delete(child)
      resolveExit({ code, signal })
    })
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // notes-app shuts down cleanly on SIGINT, as on Ctrl-C.
      child.kill('SIGINT')
      const guard = setTimeout(() => child.kill('SIGKILL'), PROCESS_GUARD_MS)
      const result = await exited
      clearTimeout(guard)
      return result
    }
    return exited
  }
  try {
    const url = await new Promise((resolveUrl, reject) => {
      let stdout = ''
      const guard = setTimeout(() => reject(new Error(`notes-app printed no address; stderr:\n${stderr}`)), PROCESS_GUARD_MS)
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (text) => {
        stdout += text
        const match = /^notes: open (http:\/\/\S+)$/m.exec(stdout)
        if (match !== null) {
          clearTimeout(guard)
          resolveUrl(match[1])
        }
      })
      child.on('error', (error) => {
        clearTimeout(guard)
        reject(error)
      })
      child.on('exit', (code) => {
        clearTimeout(guard)
        reject(new Error(`notes-app exited with ${code} before printing its address; stderr:\n${stderr}`))
      })
    })
    const address = new URL(url)
    const secret = new URLSearchParams(address.hash.slice(1)).get('ipc-secret')
    if (secret === null) throw new Error(`notes-app printed an address without a secret: ${url}`)
    return {
      url,
      secret,
      origin: address.origin,
      port: Number(address.port),
      wsUrl: `ws://${address.host}/ipc`,
      /** The page's address without the secret. */
      base: `${address.origin}/`,
      child,
      stop,
      get stderr() {
        return stderr
      },
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * Records the parsed text frames a page sends and receives on its IPC
 * WebSockets. Call before the page navigates.
 */
export function recordIpcFrames(page) {
  const frames = { sent: [], received: [] }
  const parse = (payload) => {
    try {
      return JSON.parse(payload)
    } catch {
      return { unparsable: payload }
    }
  }
  page.on('websocket', (socket) => {
    if (!socket.url().endsWith('/ipc')) return
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') frames.sent.push(parse(payload))
    })
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') frames.received.push(parse(payload))
    })
  })
  return frames
}

/**
 * A minimal WebSocket client over a raw TCP connection, for what a browser
 * cannot do (cut a frame in half) and for measuring the main side without a
 * browser. Resolves once the handshake is answered: `status` is the HTTP
 * status line; on 101, `sendText` sends masked text frames and `onText`
 * receives the server's text frames.
 */
export async function connectRaw(app, { origin = app.origin, protocols = ['ipc-contracts.v1', `ipc-secret.${app.secret}`] } = {}) {
  const socket = connect(app.port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise((resolveConnect, reject) => {
    socket.once('connect', resolveConnect)
    socket.once('error', reject)
  })
  socket.write(
    [
      'GET /ipc HTTP/1.1',
      `Host: 127.0.0.1:${app.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      `Origin: ${origin}`,
      `Sec-WebSocket-Protocol: ${protocols.join(', ')}`,
      '',
      '',
    ].join('\r\n'),
  )
  let buffered = Buffer.alloc(0)
  let listener = () => undefined
  const status = await new Promise((resolveHead, reject) => {
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      const end = buffered.indexOf('\r\n\r\n')
      if (end === -1) return
      socket.off('data', onData)
      const head = buffered.subarray(0, end).toString('latin1')
      buffered = buffered.subarray(end + 4)
      resolveHead(head.split('\r\n')[0])
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.once('close', () => reject(new Error('the connection closed during the handshake')))
  })
  const readFrames = () => {
    for (;;) {
      if (buffered.length < 2) return
      let length = buffered[1] & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffered.length < 4) return
        length = buffered.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffered.length < 10) return
        length = Number(buffered.readBigUInt64BE(2))
        offset = 10
      }
      if (buffered.length < offset + length) return
      const opcode = buffered[0] & 0x0f
      const payload = buffered.subarray(offset, offset + length)
      buffered = buffered.subarray(offset + length)
      if (opcode === 1) listener(payload.toString('utf8'))
    }
  }
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    readFrames()
  })
  const frame = (payload, announced = payload.length) => {
    const mask = randomBytes(4)
    const header =
      announced < 126
        ? Buffer.from([0x81, 0x80 | announced])
        : announced < 65536
          ? Buffer.from([0x81, 0x80 | 126, announced >> 8, announced & 0xff])
          : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(announced)])
    const masked = Buffer.alloc(payload.length)
    for (let i = 0; i < payload.length; i += 1) masked[i] = payload[i] ^ mask[i % 4]
    return Buffer.concat([header, mask, masked])
  }
  return {
    status,
    socket,
    sendText(text) {
      socket.write(frame(Buffer.from(text, 'utf8')))
    },
    /** Writes the start of a text frame that announces `announced` bytes but carries only `text`. */
    sendPartialFrame(text, announced) {
      return new Promise((resolveWrite) => socket.write(frame(Buffer.from(text, 'utf8'), announced), resolveWrite))
    },
    onText(callback) {
      listener = callback
      readFrames()
    },
    destroy() {
      socket.destroy()
    },
  }
}

function bigEndian64(value) {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(value))
  return bytes
}
