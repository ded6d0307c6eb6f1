// End-to-end tests of the notes example in Chromium: the renderer built from
// examples/notes/renderer, talking to a real notes-app over the loopback
// WebSocket. Each test starts its own notes-app on a temporary data
// directory and stops it at the end, whatever happens.
//
// Run with `npm run test:browser`, which builds notes-app and the renderer
// first.

import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { connectRaw, launchChromium, recordIpcFrames, removeDir, rendererDir, repo, startApp, tempDir } from './harness.mjs'

const screenshots = join(repo, 'target/screenshots')

/** Guard against a hung browser or app; no test measures time. */
const TEST_GUARD = { timeout: 120_000 }

let browser

before(async () => {
  assert.ok(existsSync(join(rendererDir, 'index.html')), `${rendererDir} holds no built renderer: run node examples/notes/renderer/build.mjs`)
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
})

/**
 * Per test: temporary data directory, started apps, browser contexts and the
 * problems the pages reported; all cleaned up by `finish()`.
 */
function fixture() {
  const dataDir = tempDir('notes-browser-test-')
  const apps = []
  const contexts = []
  const problems = []
  return {
    dataDir,
    problems,
    async app(options = {}) {
      const app = await startApp({ dataDir, ...options })
      apps.push(app)
      return app
    },
    /** A page in a new browser context (its own session storage), watched for errors. */
    async page() {
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      page.on('pageerror', (error) => problems.push(`uncaught in page: ${error.stack ?? error}`))
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
      })
      return page
    },
    async finish() {
      for (const context of contexts) await context.close().catch(() => undefined)
      for (const app of apps) await app.stop()
      removeDir(dataDir)
    },
  }
}

/** Runs `body` with a fixture, always cleaning up. */
async function withFixture(body) {
  const f = fixture()
  try {
    await body(f)
  } finally {
    await f.finish()
  }
}

async function openNotes(page, url) {
  await page.goto(url)
  await connected(page)
  await page.waitForSelector('[data-testid="note-list"][data-loaded="true"]', { state: 'attached' })
}

async function connected(page) {
  await page.waitForSelector('[data-testid="connection-state"][data-state="open"]')
}

async function connectionState(page) {
  return page.getAttribute('[data-testid="connection-state"]', 'data-state')
}

/** Creates a note through the editor; resolves with its id once saved. */
async function createNote(page, { title, body = '', tags = '' }) {
  await page.click('[data-testid="new-note"]')
  await page.fill('[data-testid="title-input"]', title)
  await page.fill('[data-testid="body-input"]', body)
  await page.fill('[data-testid="tags-input"]', tags)
  await page.click('[data-testid="save-note"]')
  await page.waitForFunction(() => document.querySelector('[data-testid="editor"]')?.dataset.noteId !== '')
  return Number(await page.getAttribute('[data-testid="editor"]', 'data-note-id'))
}

async function listedTitles(page) {
  return page.$$eval('[data-testid="note-item"] [data-testid="note-title"]', (titles) => titles.map((t) => t.textContent))
}

/** Waits until the list shows exactly `titles`, in order. */
async function waitForTitles(page, titles) {
  await page.waitForFunction(
    (expected) =>
      JSON.stringify([...document.querySelectorAll('[data-testid="note-item"] [data-testid="note-title"]')].map((t) => t.textContent)) ===
      JSON.stringify(expected),
    titles,
  )
}

function noteItem(id) {
  return `[data-testid="note-item"][data-note-id="${id}"]`
}

/** Opens a WebSocket from inside `page`; resolves with how it went. */
function tryWebSocket(page, url, protocols) {
  return page.evaluate(
    ([url, protocols]) =>
      new Promise((resolve) => {
        const socket = new WebSocket(url, protocols)
        socket.onopen = () => {
          resolve({ opened: true, protocol: socket.protocol })
          socket.close()
        }
        socket.onclose = (event) => resolve({ opened: false, code: event.code })
      }),
    [url, protocols],
  )
}

/** Invokes over a raw WebSocket from inside `page` and resolves with the parsed reply. */
function rawInvoke(page, url, secret, request) {
  return page.evaluate(
    ([url, secret, request]) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url, ['ipc-contracts.v1', `ipc-secret.${secret}`])
        socket.onopen = () => socket.send(request)
        socket.onmessage = (event) => {
          resolve(JSON.parse(event.data))
          socket.close()
        }
        socket.onclose = () => reject(new Error('the IPC socket closed without a reply'))
      }),
    [url, secret, request],
  )
}

/** Serves a tiny page on another loopback port: another origin than the app's. */
async function serveOtherOrigin() {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><title>another site</title><p>another site</p>')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) }
}

/**
 * Over a raw TCP connection: a valid WebSocket handshake, then the first
 * bytes of a frame that announces more, then the connection is destroyed.
 */
async function abandonMidFrame(app) {
  const raw = await connectRaw(app)
  assert.match(raw.status, /^HTTP\/1\.1 101 /, 'the raw handshake is accepted')
  await raw.sendPartialFrame('{"v":1,"id":1,"kind"', 1000)
  raw.destroy()
}

function assertAlive(app) {
  assert.equal(app.child.exitCode, null, `notes-app exited; stderr:\n${app.stderr}`)
  assert.equal(app.child.signalCode, null, `notes-app was killed; stderr:\n${app.stderr}`)
}

function replyTo(frames, predicate) {
  return frames.received.find((frame) => 'ok' in frame && frame.id !== null && predicate(frame))
}

/** What Chromium logs when the main side answers a WebSocket handshake with 403. */
const REFUSED_403 = /WebSocket connection to .* failed: Error during WebSocket handshake: Unexpected response code: 403/

describe('notes example in Chromium', () => {
  test('a saved note is listed, written to disk, and still there after main restarts', TEST_GUARD, () =>
    withFixture(async (f) => {
      const first = await f.app()
      const page = await f.page()
      await openNotes(page, first.url)
      assert.equal(new URL(page.url()).hash, '', 'the secret is taken out of the address bar')
      assert.equal(await page.isVisible('[data-testid="empty-list"]'), true)

      const id = await createNote(page, { title: 'Groceries', body: 'milk\neggs', tags: 'home, errands' })
      await waitForTitles(page, ['Groceries'])
      const stored = JSON.parse(readFileSync(join(f.dataDir, 'notes.json'), 'utf8'))
      assert.equal(stored.notes[id].title, 'Groceries')
      assert.deepEqual(stored.notes[id].tags, ['home', 'errands'])

      assert.deepEqual(await first.stop(), { code: 0, signal: null }, 'notes-app shuts down cleanly')
      await page.waitForSelector('[data-testid="connection-state"][data-state="reconnecting"]')

      const second = await f.app()
      assert.notEqual(second.secret, first.secret, 'every launch has its own secret')
      await openNotes(page, second.url)
      await waitForTitles(page, ['Groceries'])
      await page.click(`${noteItem(id)} a`)
      await page.waitForSelector(`[data-testid="editor"][data-note-id="${id}"]`)
      assert.equal(await page.inputValue('[data-testid="title-input"]'), 'Groceries')
      assert.equal(await page.inputValue('[data-testid="body-input"]'), 'milk\neggs')
      assert.equal(await page.inputValue('[data-testid="tags-input"]'), 'home, errands')
      assert.deepEqual(f.problems, [])
    }),
  )

  test('an invalid save arrives as an IPCValidationError whose path puts the message next to the field', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const page = await f.page()
      const frames = recordIpcFrames(page)
      await openNotes(page, app.url)

      await page.click('[data-testid="new-note"]')
      await page.fill('[data-testid="title-input"]', 'x'.repeat(201))
      await page.fill('[data-testid="body-input"]', 'fine')
      await page.fill('[data-testid="tags-input"]', `ok, ${'t'.repeat(33)}`)
      await page.click('[data-testid="save-note"]')
      await page.waitForSelector('[data-testid="title-error"]:not([hidden])')

      const reply = replyTo(frames, (frame) => frame.ok === false)
      assert.ok(reply, 'the save got a failure reply')
      assert.equal(reply.error.name, 'IPCValidationError')
      assert.equal(reply.error.code, 'IPC_VALIDATION_ERROR')
      assert.equal(reply.error.field, 'request')
      const paths = reply.error.issues.map((issue) => issue.path)
      assert.deepEqual(
        paths.sort((a, b) => String(a).localeCompare(String(b))),
        [['tags', 1], ['title']],
      )

      // The message sits next to the input it is about, and nowhere else.
      const placement = await page.evaluate(() => {
        const title = document.querySelector('[data-testid="title-input"]')
        const tags = document.querySelector('[data-testid="tags-input"]')
        return {
          afterTitle: title.nextElementSibling?.dataset.testid,
          titleInvalid: title.getAttribute('aria-invalid'),
          describedBy: title.getAttribute('aria-describedby'),
          tagsInvalid: tags.getAttribute('aria-invalid'),
          bodyInvalid: document.querySelector('[data-testid="body-input"]').getAttribute('aria-invalid'),
          bodyErrorHidden: document.querySelector('[data-testid="body-error"]').hidden,
          formErrorHidden: document.querySelector('[data-testid="form-error"]').hidden,
          noticeHidden: document.querySelector('[data-testid="notice"]').hidden,
        }
      })
      assert.deepEqual(placement, {
        afterTitle: 'title-error',
        titleInvalid: 'true',
        describedBy: 'title-error',
        tagsInvalid: 'true',
        bodyInvalid: null,
        bodyErrorHidden: true,
        formErrorHidden: true,
        noticeHidden: true,
      })
      const titleIssue = reply.error.issues.find((issue) => issue.path[0] === 'title')
      assert.equal(await page.textContent('[data-testid="title-error"]'), titleIssue.message)
      assert.match(await page.textContent('[data-testid="tags-error"]'), /^Tag 2: /)
      assert.match(titleIssue.message, /200/)
      assert.equal(await page.getAttribute('[data-testid="editor"]', 'data-note-id'), '', 'nothing was saved')
      mkdirSync(screenshots, { recursive: true })
      await page.screenshot({ path: join(screenshots, 'notes-validation.png') })

      // An empty title is refused too; fixing the fields clears the messages.
      await page.fill('[data-testid="title-input"]', '')
      await page.fill('[data-testid="tags-input"]', 'ok')
      await page.click('[data-testid="save-note"]')
      await page.waitForFunction(() => /at least 1/.test(document.querySelector('[data-testid="title-error"]').textContent))
      assert.equal(await page.isHidden('[data-testid="tags-error"]'), true)
      await page.fill('[data-testid="title-input"]', 'Valid now')
      await page.click('[data-testid="save-note"]')
      await waitForTitles(page, ['Valid now'])
      assert.equal(await page.isHidden('[data-testid="title-error"]'), true)
      assert.equal(await page.getAttribute('[data-testid="title-input"]', 'aria-invalid'), null)
      assert.deepEqual(f.problems, [])
    }),
  )

  test('a note deleted elsewhere, or that never existed, arrives as the typed NOT_FOUND error', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const pageA = await f.page()
      const pageB = await f.page()
      const framesB = recordIpcFrames(pageB)
      await openNotes(pageA, app.url)
      const id = await createNote(pageA, { title: 'Short-lived' })

      // Page B opens the note by address, as a bookmark would.
      await openNotes(pageB, `${app.url}&note=${id}`)
      await pageB.waitForSelector(`[data-testid="editor"][data-note-id="${id}"]`)
      assert.equal(new URL(pageB.url()).hash, `#note=${id}`)

      await pageA.click('[data-testid="delete-note"]')
      await waitForTitles(pageA, [])
      await waitForTitles(pageB, [])
      await pageB.waitForSelector('[data-testid="editor"][data-deleted="true"]')

      // B still has the note open and tries to save it.
      await pageB.fill('[data-testid="body-input"]', 'one more line')
      await pageB.click('[data-testid="save-note"]')
      await pageB.waitForSelector('[data-testid="notice"][data-code="NOT_FOUND"]')
      assert.match(await pageB.textContent('[data-testid="notice-text"]'), new RegExp(`note ${id} does not exist.*NOT_FOUND`))
      const saveReply = replyTo(framesB, (frame) => frame.ok === false)
      assert.deepEqual(
        { name: saveReply.error.name, code: saveReply.error.code, statusCode: saveReply.error.statusCode, details: saveReply.error.details },
        { name: 'IPCHandlerError', code: 'NOT_FOUND', statusCode: 404, details: { id } },
      )

      // ... and to delete it.
      await pageB.click('[data-testid="notice-dismiss"]')
      await pageB.click('[data-testid="delete-note"]')
      await pageB.waitForSelector('[data-testid="notice"][data-code="NOT_FOUND"]')
      assert.match(await pageB.textContent('[data-testid="notice-text"]'), /^Deleting note \d+ failed/)
      mkdirSync(screenshots, { recursive: true })
      await pageB.screenshot({ path: join(screenshots, 'notes-not-found.png') })

      // A note that never existed, by address.
      await pageA.evaluate(() => {
        location.hash = 'note=424242'
      })
      await pageA.waitForSelector('[data-testid="notice"][data-code="NOT_FOUND"]')
      assert.match(await pageA.textContent('[data-testid="notice-text"]'), /^Opening note 424242 failed: note 424242 does not exist/)
      assert.equal(await pageA.isHidden('[data-testid="editor"]'), true)
      assert.deepEqual(f.problems, [])
    }),
  )

  test('a wrong or missing secret is refused, with the state shown on the page', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const wrong = app.secret.replace(/^./, (digit) => (digit === '0' ? '1' : '0'))

      const refused = await f.page()
      await refused.goto(`${app.base}#ipc-secret=${wrong}`)
      await refused.waitForSelector('[data-testid="connection-state"][data-state="refused"]')
      assert.equal(await refused.isDisabled('[data-testid="new-note"]'), true)
      assert.equal(await refused.$$eval('[data-testid="note-item"]', (items) => items.length), 0)

      const missing = await f.page()
      await missing.goto(app.base)
      await missing.waitForSelector('[data-testid="connection-state"][data-state="missing-secret"]')

      // Raw sockets from the app's own origin: only the real secret opens one.
      const page = await f.page()
      await openNotes(page, app.url)
      assert.deepEqual(await tryWebSocket(page, app.wsUrl, ['ipc-contracts.v1', `ipc-secret.${app.secret}`]), {
        opened: true,
        protocol: 'ipc-contracts.v1',
      })
      assert.equal((await tryWebSocket(page, app.wsUrl, ['ipc-contracts.v1', `ipc-secret.${wrong}`])).opened, false)
      assert.equal((await tryWebSocket(page, app.wsUrl, ['ipc-contracts.v1'])).opened, false)
      assert.equal(
        (await tryWebSocket(page, app.wsUrl, ['ipc-contracts.v1', `ipc-secret.${wrong}`, `ipc-secret.${app.secret}`])).opened,
        false,
        'one secret per handshake',
      )
      // Refused handshakes do not disturb the page's own connection.
      assert.equal(await connectionState(page), 'open')
      // Chromium logs each refusal: the main side answered 403, nothing else went wrong.
      assert.equal(f.problems.filter((problem) => REFUSED_403.test(problem)).length, 4)
      assert.deepEqual(
        f.problems.filter((problem) => !REFUSED_403.test(problem)),
        [],
      )
    }),
  )

  test('a page of another origin cannot connect, even with the real secret', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const other = await serveOtherOrigin()
      try {
        const page = await f.page()
        await page.goto(other.url)
        const attempt = await tryWebSocket(page, app.wsUrl, ['ipc-contracts.v1', `ipc-secret.${app.secret}`])
        assert.equal(attempt.opened, false, 'the Origin check refuses it')
        const viaLocalhost = await tryWebSocket(page, `ws://localhost:${app.port}/ipc`, [
          'ipc-contracts.v1',
          `ipc-secret.${app.secret}`,
        ])
        assert.equal(viaLocalhost.opened, false)
        // Refused by the main side (403), not blocked by the browser.
        assert.deepEqual(
          f.problems.map((problem) => REFUSED_403.test(problem)),
          [true, true],
        )

        // The same handshake with the other page's Origin is refused, with the app's own accepted.
        const foreign = await connectRaw(app, { origin: new URL(other.url).origin })
        foreign.destroy()
        assert.match(foreign.status, /^HTTP\/1\.1 403 /)
        const own = await connectRaw(app)
        own.destroy()
        assert.match(own.status, /^HTTP\/1\.1 101 /)

        // And the same attempt from the app's own page succeeds.
        const ownPage = await f.page()
        await openNotes(ownPage, app.url)
        assert.equal((await tryWebSocket(ownPage, app.wsUrl, ['ipc-contracts.v1', `ipc-secret.${app.secret}`])).opened, true)
        assert.equal(f.problems.length, 2)
      } finally {
        await other.close()
      }
    }),
  )

  test('the page view is reported with telemetry.track and main accepts it', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const page = await f.page()
      const frames = recordIpcFrames(page)
      await openNotes(page, app.url)
      await createNote(page, { title: 'after the page view' })
      const tracked = frames.sent.filter((frame) => frame.channel === 'telemetry:track')
      assert.deepEqual(
        tracked.map((frame) => ({ v: frame.v, kind: frame.kind, payload: frame.payload })),
        [
          { v: 1, kind: 'send', payload: { type: 'pageViewed', page: 'notes' } },
          { v: 1, kind: 'send', payload: { type: 'buttonPressed', button: 'new-note' } },
        ],
      )
      // A send gets a reply only when main refuses it; the page's sends got none.
      const failures = frames.received.filter((frame) => frame.ok === false)
      assert.deepEqual(failures, [])
      assert.deepEqual(f.problems, [])
    }),
  )

  test('an unknown channel gets a structured IPC_UNKNOWN_CHANNEL error', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const page = await f.page()
      await openNotes(page, app.url)
      const unknown = await rawInvoke(
        page,
        app.wsUrl,
        app.secret,
        '{"v":1,"id":1,"kind":"invoke","channel":"nope:nope","payload":{}}',
      )
      assert.equal(unknown.id, 1)
      assert.equal(unknown.ok, false)
      assert.equal(unknown.error.name, 'IPCHandlerError')
      assert.equal(unknown.error.code, 'IPC_UNKNOWN_CHANNEL')
      assert.equal(unknown.error.statusCode, 404)
      assert.match(unknown.error.message, /nope:nope/)

      // A known channel on the same kind of raw socket works.
      const listed = await rawInvoke(page, app.wsUrl, app.secret, '{"v":1,"id":"x","kind":"invoke","channel":"notes:list","payload":{}}')
      assert.deepEqual(listed, { id: 'x', ok: true, data: [] })
      assert.equal(await connectionState(page), 'open')
      assert.deepEqual(f.problems, [])
    }),
  )

  test('main survives clients that vanish mid-call; other pages keep working and receiving events', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const watcher = await f.page()
      const worker = await f.page()
      await openNotes(watcher, app.url)
      await openNotes(worker, app.url)

      // A raw socket that pipelines saves and closes without reading a reply.
      const leaver = await f.page()
      await openNotes(leaver, app.url)
      await leaver.evaluate(
        ([url, secret]) =>
          new Promise((resolve) => {
            const socket = new WebSocket(url, ['ipc-contracts.v1', `ipc-secret.${secret}`])
            socket.onopen = () => {
              for (let id = 1; id <= 64; id += 1) {
                const payload = { title: `abandoned ${id}`, body: 'x'.repeat(2_000), tags: [] }
                socket.send(JSON.stringify({ v: 1, id, kind: 'invoke', channel: 'notes:save', payload }))
              }
              socket.close()
              resolve()
            }
          }),
        [app.wsUrl, app.secret],
      )
      // A connection cut in the middle of a frame.
      await abandonMidFrame(app)
      // A page closed while its save is in flight.
      await leaver.click('[data-testid="new-note"]')
      await leaver.fill('[data-testid="title-input"]', 'closed mid-save')
      await leaver.click('[data-testid="save-note"]', { noWaitAfter: true })
      await leaver.close()

      assertAlive(app)
      const id = await createNote(worker, { title: 'still working' })
      await watcher.waitForSelector(noteItem(id))
      assert.equal(await connectionState(watcher), 'open')
      assert.equal(await connectionState(worker), 'open')

      // Every note main stored reached the watcher as an event.
      const late = await f.page()
      await openNotes(late, app.url)
      const stored = await listedTitles(late)
      assert.ok(stored.includes('still working'))
      await waitForTitles(watcher, stored)
      await waitForTitles(worker, stored)
      assertAlive(app)
      assert.deepEqual(f.problems, [])
    }),
  )

  test('a note changed in one page is updated live in every other open page', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const editor = await f.page()
      const viewer = await f.page()
      const bystander = await f.page()
      await openNotes(editor, app.url)
      await openNotes(viewer, app.url)
      await openNotes(bystander, app.url)

      const id = await createNote(editor, { title: 'Shared', body: 'first version' })
      await waitForTitles(viewer, ['Shared'])
      await waitForTitles(bystander, ['Shared'])

      // The viewer opens it; an edit in the editor reaches the list and the open note.
      await viewer.click(`${noteItem(id)} a`)
      await viewer.waitForSelector(`[data-testid="editor"][data-note-id="${id}"]`)
      await editor.fill('[data-testid="title-input"]', 'Shared, edited')
      await editor.fill('[data-testid="body-input"]', 'second version')
      await editor.click('[data-testid="save-note"]')
      await waitForTitles(viewer, ['Shared, edited'])
      await waitForTitles(bystander, ['Shared, edited'])
      await viewer.waitForFunction(() => document.querySelector('[data-testid="body-input"]').value === 'second version')
      assert.equal(await viewer.inputValue('[data-testid="title-input"]'), 'Shared, edited')

      // A newer note goes to the top everywhere.
      await createNote(bystander, { title: 'Newer' })
      await waitForTitles(editor, ['Newer', 'Shared, edited'])
      await waitForTitles(viewer, ['Newer', 'Shared, edited'])

      await editor.click(`${noteItem(id)} a`)
      await editor.click('[data-testid="delete-note"]')
      await waitForTitles(viewer, ['Newer'])
      await waitForTitles(bystander, ['Newer'])
      await viewer.waitForSelector('[data-testid="editor"][data-deleted="true"]')
      assert.match(await viewer.textContent('[data-testid="editor-status"]'), /deleted in another window/)
      assert.deepEqual(f.problems, [])
    }),
  )

  test('screenshot of the notes page', TEST_GUARD, () =>
    withFixture(async (f) => {
      const app = await f.app()
      const page = await f.page()
      await page.setViewportSize({ width: 1100, height: 720 })
      await openNotes(page, app.url)
      await createNote(page, { title: 'Reading list', body: 'The Rust book\nDesigning Data-Intensive Applications', tags: 'books' })
      await createNote(page, { title: 'Trip to Lisbon', body: 'Flights on Friday, 9:40.\nBook the tram tour.', tags: 'travel, family' })
      const id = await createNote(page, {
        title: 'Groceries',
        body: 'milk\neggs\nbread\ncoffee beans',
        tags: 'home, errands',
      })
      await page.click(`${noteItem(id)} a`)
      await waitForTitles(page, ['Groceries', 'Trip to Lisbon', 'Reading list'])
      mkdirSync(screenshots, { recursive: true })
      const path = join(screenshots, 'notes.png')
      await page.screenshot({ path, fullPage: true })
      assert.ok(readFileSync(path).length > 1000)
      assert.deepEqual(f.problems, [])
    }),
  )
})
