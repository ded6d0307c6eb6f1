// The conformance suite (tests/conformance/suite.ts) against the Tauri
// shell: conformance-tauri serves the suite's router through the ipc plugin
// and embeds the pages built by tauri/build.mjs; the suite runs in its main
// window on WebKitGTK under Xvfb, driven through tauri-driver. Each case is
// reported as its own subtest.
//
// Run with `npm run test:conformance:tauri`, which builds both first.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'

import { repo, startApp, startDriver, startXvfb } from '../../tauri/webdriver.mjs'

const binary = process.env.CONFORMANCE_TAURI ?? join(repo, 'target/debug/conformance-tauri')

/** Guards against a hung app or driver; no test measures time. */
const GUARD_MS = 180_000

test('conformance: Tauri on WebKitGTK', { timeout: GUARD_MS }, async (t) => {
  const xvfb = await startXvfb()
  let driver
  let session
  let run
  try {
    driver = await startDriver(xvfb.display)
    session = await startApp(driver, [], binary)
    run = await session.waitFor(
      `return window.conformanceResults !== undefined || window.conformanceError !== undefined
        ? { results: window.conformanceResults ?? null, error: window.conformanceError ?? null }
        : null`,
      'the suite to finish',
      { timeoutMs: GUARD_MS - 20_000 },
    )
  } finally {
    await session?.quit().catch(() => undefined)
    await driver?.stop()
    await xvfb.stop()
  }
  assert.equal(run.error, null, `the page failed: ${run.error}`)
  assert.ok(Array.isArray(run.results) && run.results.length > 0, 'the page reported no results')
  for (const result of run.results) {
    await t.test(result.id, (sub) => {
      if (result.status === 'skipped') return sub.skip(result.message)
      assert.equal(result.status, 'passed', `${result.title}: ${result.message}`)
    })
  }
})
