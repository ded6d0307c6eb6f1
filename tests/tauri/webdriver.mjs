// Drives the notes Tauri app on WebKitGTK: a virtual X display (Xvfb),
// tauri-driver in front of Debian's WebKitWebDriver, and a small W3C
// WebDriver client over fetch.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** `cargo build -p notes-tauri` writes it (after the renderer is built with --shell tauri). */
export const notesTauri = process.env.NOTES_TAURI ?? join(repo, 'target/debug/notes-tauri')

/** `cargo install tauri-driver --root target/tools` writes it (scripts/test.sh does). */
export const tauriDriver = process.env.TAURI_DRIVER ?? join(repo, 'target/tools/bin/tauri-driver')

export const nativeDriver = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver'

/** Longest wait for a process or a page state: a guard against hangs, not a measurement. */
export const GUARD_MS = 20_000

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'

const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

function track(child) {
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

/** Starts Xvfb on a free display (it picks one and writes it to fd 3). */
export async function startXvfb() {
  const child = track(spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  }))
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const display = await new Promise((resolveDisplay, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${stderr}`)), GUARD_MS)
    child.stdio[3].on('data', (chunk) => {
      text += chunk
      if (text.includes('\n')) {
        clearTimeout(timer)
        resolveDisplay(`:${text.trim()}`)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`Xvfb exited with ${code}: ${stderr}`))
    })
  })
  return {
    display,
    stop: () => stop(child),
  }
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    child.once('exit', () => done())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
  })
}

/** Starts tauri-driver (and through it WebKitWebDriver) on `display`; resolves once it accepts requests. */
export async function startDriver(display) {
  for (const [what, path] of [['tauri-driver', tauriDriver], ['WebKitWebDriver', nativeDriver]]) {
    if (!existsSync(path)) throw new Error(`${what} is missing at ${path} (scripts/test.sh builds and installs it)`)
  }
  const port = await freePort()
  const nativePort = await freePort()
  const child = track(spawn(tauriDriver, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver], {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'pipe', 'pipe'],
  }))
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + GUARD_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited: ${output}`)
    try {
      const response = await fetch(`${base}/status`)
      if (response.ok) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`tauri-driver did not start: ${output}`)
    await sleep(100)
  }
  return { base, output: () => output, stop: () => stop(child) }
}

async function request(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let parsed
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`WebDriver ${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`)
  }
  if (!response.ok) {
    throw new Error(`WebDriver ${method} ${path}: HTTP ${response.status}: ${JSON.stringify(parsed.value).slice(0, 1000)}`)
  }
  return parsed.value
}

/** A WebDriver session: the app (notes-tauri unless given), launched with `args`. */
export async function startApp(driver, args, application = notesTauri) {
  if (!existsSync(application)) throw new Error(`${application} is missing (scripts/test.sh builds it)`)
  const value = await request(driver.base, 'POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application, args } } },
  })
  return new Session(driver.base, value.sessionId)
}

export class Session {
  constructor(base, id) {
    this.base = base
    this.id = id
  }

  call(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body)
  }

  /** Ends the session: WebKitWebDriver closes the app. */
  async quit() {
    await this.call('DELETE', '')
  }

  windowHandles() {
    return this.call('GET', '/window/handles')
  }

  switchTo(handle) {
    return this.call('POST', '/window', { handle })
  }

  title() {
    return this.call('GET', '/title')
  }

  /** Runs `script` (a function body) in the page with `args`. */
  execute(script, ...args) {
    return this.call('POST', '/execute/sync', { script, args })
  }

  /** Runs `script`, whose last argument is the callback that ends it. */
  executeAsync(script, ...args) {
    return this.call('POST', '/execute/async', { script, args })
  }

  async find(selector) {
    const value = await this.call('POST', '/element', { using: 'css selector', value: selector })
    return value[ELEMENT]
  }

  async click(selector) {
    await this.call('POST', `/element/${await this.find(selector)}/click`, {})
  }

  /** Clears the field and types `text` into it. */
  async fill(selector, text) {
    const element = await this.find(selector)
    await this.call('POST', `/element/${element}/clear`, {})
    if (text !== '') await this.call('POST', `/element/${element}/value`, { text })
  }

  /**
   * Waits until `script` (a function body returning a value) returns something
   * truthy, and returns it; `args` go to the script, except a last
   * `{ timeoutMs }` that overrides the guard.
   */
  async waitFor(script, what, ...args) {
    const last = args.at(-1)
    const guard = typeof last === 'object' && last !== null && 'timeoutMs' in last ? (args.pop(), last.timeoutMs) : GUARD_MS
    const deadline = Date.now() + guard
    for (;;) {
      const value = await this.execute(script, ...args)
      if (value) return value
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(50)
    }
  }

  /** The screenshot of the current window, as PNG bytes. */
  async screenshot() {
    return Buffer.from(await this.call('GET', '/screenshot'), 'base64')
  }
}
