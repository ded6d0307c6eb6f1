#!/usr/bin/env node
// Benchmarks the Tauri shell in one WebKitGTK webview: notes.get through
// the generated API, the Tauri transport and the ipc plugin, against the
// bare Tauri command `bare` answering with the same reply bytes
// (tests/tauri/bench/). Both kinds are interleaved in the same page; the
// ratios are typed over bare. See docs/performance.md.
//
//   npm run bench:tauri            # builds the page and bench-tauri (release), then runs
//   node tests/tauri/bench.mjs --sequential 4000 --batch 20 --pipelined 2000 --in-flight 32 --runs 5 --json
//   node tests/tauri/bench.mjs --inline      # notes.get as an inline channel (docs/adr/0033)
//
// BENCH_TAURI overrides the binary (default target/release/bench-tauri).

import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { removeDir, repo, startApp, startDriver, startXvfb, tempDir } from './webdriver.mjs'

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '4000' },
    batch: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '200' },
    pipelined: { type: 'string', default: '2000' },
    'in-flight': { type: 'string', default: '32' },
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    inline: { type: 'boolean', default: false },
  },
})
const options = {
  sizes: [1000, 64000],
  warmup: Number(values.warmup),
  sequential: Number(values.sequential),
  batch: Number(values.batch),
  pipelined: Number(values.pipelined),
  inFlight: Number(values['in-flight']),
  runs: Number(values.runs),
}
const binary = process.env.BENCH_TAURI ?? join(repo, 'target/release/bench-tauri')

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const dataDir = tempDir('bench-tauri-')
const xvfb = await startXvfb()
let driver
let session
let report
try {
  driver = await startDriver(xvfb.display)
  session = await startApp(driver, ['--data-dir', dataDir, ...(values.inline ? ['--inline'] : [])], binary)
  await session.waitFor('return window.tauriBench !== undefined', 'the bench page')
  await session.execute(
    `window.tauriBenchResult = undefined
     window.tauriBench.run(arguments[0]).then(
       (report) => { window.tauriBenchResult = { report } },
       (error) => { window.tauriBenchResult = { error: String(error) } },
     )`,
    options,
  )
  const result = await session.waitFor('return window.tauriBenchResult ?? null', 'the bench to finish', { timeoutMs: 1_800_000 })
  if (result.error !== undefined) throw new Error(`the bench failed in the page: ${result.error}`)
  report = result.report
} finally {
  await session?.quit().catch(() => undefined)
  await driver?.stop()
  await xvfb.stop()
  removeDir(dataDir)
}

if (values.json) {
  console.log(JSON.stringify({ options, inline: values.inline, report }, null, 2))
} else {
  console.log(`bench-tauri${values.inline ? ' (notes.get inline)' : ''}: ${options.sequential} sequential calls of each kind per size in batches of ${options.batch}, ${options.runs} pipelined runs of ${options.pipelined} calls with ${options.inFlight} in flight; timer step ${report.timerResolutionUs} µs`)
  for (const size of report.sizes) {
    const typedRate = median(size.typedPipelined)
    const bareRate = median(size.barePipelined)
    console.log(`\nnote body ${size.bodyBytes} B (reply ${size.replyBytes} B)`)
    console.log(`  sequential, per call over ${size.typed.samples} batches of each kind`)
    console.log(`  sequential p50: typed ${size.typed.p50} µs, bare ${size.bare.p50} µs, ratio ${(size.typed.p50 / size.bare.p50).toFixed(2)}`)
    console.log(`  sequential p99: typed ${size.typed.p99} µs, bare ${size.bare.p99} µs, ratio ${(size.typed.p99 / size.bare.p99).toFixed(2)}`)
    console.log(`  sequential mean: typed ${size.typed.mean} µs, bare ${size.bare.mean} µs`)
    console.log(`  pipelined (median of runs): typed ${typedRate} calls/s, bare ${bareRate} calls/s, ratio ${(bareRate / typedRate).toFixed(2)}`)
    console.log(`  runs: typed ${size.typedPipelined.join(', ')}; bare ${size.barePipelined.join(', ')}`)
  }
}
