// The notes Tauri app on WebKitGTK under Xvfb, driven through WebDriver
// (tauri-driver in front of WebKitWebDriver): the same renderer and
// handlers as the browser version, over Tauri's IPC and the ipc plugin.
//
// Two windows: `main` (capability `ipc:default`) and `viewer` (only
// `ipc:allow-notes-list`, `ipc:allow-notes-get`, `ipc:allow-subscribe`).

import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { removeDir, repo, startApp, startDriver, startXvfb, tempDir } from './webdriver.mjs'

const screenshots = join(repo, 'target/tauri-screenshots')
const TEST_GUARD = { timeout: 120_000 }

let xvfb
let driver

before(async () => {
  xvfb = await startXvfb()
  driver = await startDriver(xvfb.display)
})

after(async () => {
  await driver?.stop()
  await xvfb?.stop()
})

const sessions = new Set()

/** Starts the app on `dataDir` and returns the session with the window handles by label. */
async function launch(dataDir) {
  const session = await startApp(driver, ['--data-dir', dataDir])
  sessions.add(session)
  const windows = await waitForWindows(session)
  return { session, windows }
}

/** Quits the app; WebKitWebDriver runs one session at a time. */
async function quit(app) {
  sessions.delete(app.session)
  await app.session.quit()
}

/** Quits whatever a failed test left running. */
async function quitAll() {
  for (const session of sessions) await session.quit().catch(() => undefined)
  sessions.clear()
}

/** Both windows, by label (the page's own `__TAURI_INTERNALS__` metadata says which is which). */
async function waitForWindows(session) {
  const deadline = Date.now() + 20_000
  for (;;) {
    const handles = await session.windowHandles()
    const byLabel = {}
    for (const handle of handles) {
      await session.switchTo(handle)
      const label = await session.execute('return window.__TAURI_INTERNALS__?.metadata?.currentWindow?.label ?? null')
      if (label !== null) byLabel[label] = handle
    }
    if (byLabel.main !== undefined && byLabel.viewer !== undefined) return byLabel
    if (Date.now() > deadline) throw new Error(`the app's windows did not appear: ${JSON.stringify(byLabel)}`)
    await new Promise((done) => setTimeout(done, 200))
  }
}

async function loaded(session) {
  await session.waitFor(
    `return document.querySelector('[data-testid="note-list"]')?.dataset.loaded === 'true'`,
    'the note list to load',
  )
}

function titles(session) {
  return session.execute(
    `return [...document.querySelectorAll('[data-testid="note-item"] [data-testid="note-title"]')].map((t) => t.textContent)`,
  )
}

async function waitForTitles(session, expected) {
  await session.waitFor(
    `return JSON.stringify([...document.querySelectorAll('[data-testid="note-item"] [data-testid="note-title"]')].map((t) => t.textContent)) === arguments[0]`,
    `the titles ${JSON.stringify(expected)}`,
    JSON.stringify(expected),
  )
}

async function createNote(session, { title, body = '', tags = '' }) {
  await session.click('[data-testid="new-note"]')
  await session.fill('[data-testid="title-input"]', title)
  await session.fill('[data-testid="body-input"]', body)
  await session.fill('[data-testid="tags-input"]', tags)
  await session.click('[data-testid="save-note"]')
  const id = await session.waitFor(
    `return document.querySelector('[data-testid="editor"]')?.dataset.noteId || null`,
    'the note to be saved',
  )
  return Number(id)
}

/** One request of the wire protocol sent by this page through Tauri's IPC, and the reply envelope it got. */
function rawCall(session, channel, payload) {
  return session.executeAsync(
    `const [channel, payload, done] = arguments
     const body = new TextEncoder().encode(JSON.stringify({ v: 1, id: 7, kind: 'invoke', channel, payload }))
     window.__TAURI_INTERNALS__.invoke('plugin:ipc|dispatch', body).then(
       (reply) => done({ reply: JSON.parse(new TextDecoder().decode(reply)) }),
       (refusal) => done({ refusal: String(refusal) }),
     )`,
    channel,
    payload,
  )
}

describe('the notes Tauri app on WebKitGTK', () => {
  test('a saved note is listed, reaches the second window as an event, and is still there after a restart', TEST_GUARD, async () => {
    const dataDir = tempDir('notes-tauri-')
    try {
      let app = await launch(dataDir)
      await app.session.switchTo(app.windows.viewer)
      await loaded(app.session)
      assert.deepEqual(await titles(app.session), [])

      await app.session.switchTo(app.windows.main)
      await loaded(app.session)
      const id = await createNote(app.session, { title: 'Groceries', body: 'milk and eggs', tags: 'home, errands' })
      await waitForTitles(app.session, ['Groceries'])
      const stored = JSON.parse(readFileSync(join(dataDir, 'notes.json'), 'utf8'))
      assert.equal(stored.notes[id].title, 'Groceries')

      // The viewer listed nothing at its start: only the change event brings the note.
      await app.session.switchTo(app.windows.viewer)
      await waitForTitles(app.session, ['Groceries'])

      await app.session.switchTo(app.windows.main)
      mkdirSync(screenshots, { recursive: true })
      writeFileSync(join(screenshots, 'notes-tauri-main.png'), await app.session.screenshot())

      await quit(app)
      app = await launch(dataDir)
      await app.session.switchTo(app.windows.main)
      await loaded(app.session)
      assert.deepEqual(await titles(app.session), ['Groceries'])
      await app.session.click(`[data-testid="note-item"][data-note-id="${id}"] [data-testid="note-title"]`)
      await app.session.waitFor(
        `return document.querySelector('[data-testid="editor"]')?.dataset.noteId === arguments[0]`,
        'the note to open',
        String(id),
      )
      const fields = await app.session.execute(
        `return ['title', 'body', 'tags'].map((f) => document.querySelector('[data-testid="' + f + '-input"]').value)`,
      )
      assert.deepEqual(fields, ['Groceries', 'milk and eggs', 'home, errands'])
      await quit(app)
    } finally {
      await quitAll()
      removeDir(dataDir)
    }
  })

  test('an invalid save arrives as an IPCValidationError whose path puts the message next to the field', TEST_GUARD, async () => {
    const dataDir = tempDir('notes-tauri-')
    try {
      const app = await launch(dataDir)
      await app.session.switchTo(app.windows.main)
      await loaded(app.session)
      await app.session.click('[data-testid="new-note"]')
      await app.session.fill('[data-testid="title-input"]', 'x'.repeat(201))
      await app.session.fill('[data-testid="body-input"]', 'fine')
      await app.session.click('[data-testid="save-note"]')
      await app.session.waitFor(`return !document.querySelector('[data-testid="title-error"]').hidden`, 'the title error')
      const placement = await app.session.execute(`
        const title = document.querySelector('[data-testid="title-input"]')
        return {
          invalid: title.getAttribute('aria-invalid'),
          next: title.nextElementSibling?.dataset.testid,
          message: document.querySelector('[data-testid="title-error"]').textContent,
          bodyErrorHidden: document.querySelector('[data-testid="body-error"]').hidden,
          noteId: document.querySelector('[data-testid="editor"]').dataset.noteId,
        }`)
      assert.equal(placement.invalid, 'true')
      assert.equal(placement.next, 'title-error')
      assert.match(placement.message, /200/)
      assert.equal(placement.bodyErrorHidden, true)
      assert.equal(placement.noteId, '', 'nothing was saved')

      // The same request on the wire: the reply is the validation error with its path.
      const { reply } = await rawCall(app.session, 'notes:save', { title: 'x'.repeat(201), body: 'fine', tags: [] })
      assert.equal(reply.ok, false)
      assert.equal(reply.error.name, 'IPCValidationError')
      assert.equal(reply.error.field, 'request')
      assert.deepEqual(reply.error.issues.map((issue) => issue.path), [['title']])
      assert.equal(reply.error.issues[0].message, placement.message)
      await quit(app)
    } finally {
      await quitAll()
      removeDir(dataDir)
    }
  })

  test('a missing note arrives as the typed NOT_FOUND error', TEST_GUARD, async () => {
    const dataDir = tempDir('notes-tauri-')
    try {
      const app = await launch(dataDir)
      await app.session.switchTo(app.windows.main)
      await loaded(app.session)
      const id = await createNote(app.session, { title: 'Short-lived' })
      // Deleted behind the page's back (as another window would): the editor still shows it.
      const deleted = await rawCall(app.session, 'notes:delete', { id })
      assert.equal(deleted.reply.ok, true)
      await waitForTitles(app.session, [])
      await app.session.fill('[data-testid="body-input"]', 'one more line')
      await app.session.click('[data-testid="save-note"]')
      await app.session.waitFor(`return document.querySelector('[data-testid="notice"]')?.dataset.code === 'NOT_FOUND'`, 'the NOT_FOUND notice')
      const text = await app.session.execute(`return document.querySelector('[data-testid="notice-text"]').textContent`)
      assert.match(text, new RegExp(`note ${id} does not exist.*NOT_FOUND`))

      const { reply } = await rawCall(app.session, 'notes:get', { id })
      assert.deepEqual(
        { name: reply.error.name, code: reply.error.code, statusCode: reply.error.statusCode, details: reply.error.details },
        { name: 'IPCHandlerError', code: 'NOT_FOUND', statusCode: 404, details: { id } },
      )
      await quit(app)
    } finally {
      await quitAll()
      removeDir(dataDir)
    }
  })

  test('a window whose capabilities lack a contract gets IPC_FORBIDDEN before validation', TEST_GUARD, async () => {
    const dataDir = tempDir('notes-tauri-')
    try {
      const app = await launch(dataDir)
      await app.session.switchTo(app.windows.viewer)
      await loaded(app.session)
      await app.session.click('[data-testid="new-note"]')
      await app.session.fill('[data-testid="title-input"]', 'Not allowed here')
      await app.session.click('[data-testid="save-note"]')
      await app.session.waitFor(`return document.querySelector('[data-testid="notice"]')?.dataset.code === 'IPC_FORBIDDEN'`, 'the IPC_FORBIDDEN notice')
      await app.session.execute('window.scrollTo(0, 0)')
      mkdirSync(screenshots, { recursive: true })
      writeFileSync(join(screenshots, 'notes-tauri-viewer-forbidden.png'), await app.session.screenshot())

      // An invalid payload: refused for the channel, not validated.
      const { reply } = await rawCall(app.session, 'notes:save', { title: 5 })
      assert.deepEqual(
        { name: reply.error.name, code: reply.error.code, statusCode: reply.error.statusCode },
        { name: 'IPCHandlerError', code: 'IPC_FORBIDDEN', statusCode: 403 },
      )
      // What the capability grants still works.
      const listed = await rawCall(app.session, 'notes:list', {})
      assert.equal(listed.reply.ok, true)

      await app.session.switchTo(app.windows.main)
      assert.deepEqual(await titles(app.session), [], 'nothing was saved')
      await quit(app)
    } finally {
      await quitAll()
      removeDir(dataDir)
    }
  })
})
