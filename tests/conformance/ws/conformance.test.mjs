// The conformance suite (tests/conformance/suite.ts) against the loopback
// WebSocket shell: `conformance-ws` serves the suite's router and the page
// built by ws/build.mjs, and the page runs every case in real Chromium.
// Each case is reported as its own subtest.
//
// Run with `npm run test:conformance`, which builds both first.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { launchChromium, repo } from '../../browser/harness.mjs'

const binary = process.env.CONFORMANCE_WS ?? join(repo, 'target/debug/conformance-ws')
const pageDir = process.env.CONFORMANCE_PAGE ?? join(repo, 'target/conformance-ws')

/** Guards against a hung browser or server; no test measures time. */
const GUARD_MS = 120_000

/** Starts conformance-ws and resolves with the address it prints and `stop()`. */
async function startServer() {
  const child = spawn(binary, ['--page', pageDir], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text) => {
    stderr += text
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  process.on('exit', () => child.kill('SIGKILL'))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS)
    const result = await exited
    clearTimeout(guard)
    return result
  }
  const url = await new Promise((resolve, reject) => {
    let stdout = ''
    const guard = setTimeout(() => reject(new Error(`conformance-ws printed no address; stderr:\n${stderr}`)), GUARD_MS)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text) => {
      stdout += text
      const match = /^conformance: open (http:\/\/\S+)$/m.exec(stdout)
      if (match !== null) {
        clearTimeout(guard)
        resolve(match[1])
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`conformance-ws exited with ${code}; stderr:\n${stderr}`)))
  })
  return { url, stop, stderr: () => stderr }
}

test('conformance: loopback WebSocket in Chromium', { timeout: GUARD_MS }, async (t) => {
  assert.ok(existsSync(binary), `${binary} is missing: cargo build -p conformance --features ws --bin conformance-ws`)
  assert.ok(existsSync(join(pageDir, 'page.js')), `${pageDir} holds no page: node tests/conformance/ws/build.mjs`)
  const server = await startServer()
  const browser = await launchChromium()
  const problems = []
  let results
  try {
    const page = await browser.newPage()
    page.on('pageerror', (error) => problems.push(`uncaught in page: ${error.stack ?? error}`))
    await page.goto(server.url)
    await page.waitForFunction(() => window.conformanceRun !== undefined)
    results = await page.evaluate(() => window.conformanceRun)
  } finally {
    await browser.close()
    const { code, signal } = await server.stop()
    assert.equal(signal, null, `conformance-ws ended by ${signal}; stderr:\n${server.stderr()}`)
    assert.equal(code, 0, `conformance-ws exited with ${code}; stderr:\n${server.stderr()}`)
  }
  assert.deepEqual(problems, [])
  assert.ok(Array.isArray(results) && results.length > 0, 'the page reported no results')
  for (const result of results) {
    await t.test(result.id, (sub) => {
      if (result.status === 'skipped') return sub.skip(result.message)
      assert.equal(result.status, 'passed', `${result.title}: ${result.message}`)
    })
  }
})
