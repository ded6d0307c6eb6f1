// Two builds of the probe addon in one Node process: inline dispatches of
// the benchmark's notes through each, interleaved (the order alternates
// by round), medians of per-round ratios. For a change to the router or
// the addon, measured without the glue and the stand-in around it.
//
//   node tests/electron/build.mjs --release && cp -r target/electron-test /tmp/before
//   # ...the change...
//   node tests/electron/build.mjs --release
//   node tests/electron/bench-builds.mjs /tmp/before/probe.node target/electron-test/probe.node
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

import { benchNotes } from './bench-notes.mjs'
import { jsonText } from './harness.mjs'

const [before, after] = process.argv.slice(2)
if (!before || !after) {
  console.error('usage: node tests/electron/bench-builds.mjs <before/probe.node> <after/probe.node>')
  process.exit(2)
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40)
const CALLS = { small: 2000, medium: 1000, large: 200 }
const require = createRequire(import.meta.url)
const caller = { connectionId: 1, role: 'bench', origin: 'app://bench', frame: { processId: 4, routingId: 1, mainFrame: true } }
const builds = Object.fromEntries(
  Object.entries({ before, after }).map(([name, path]) => {
    const router = require(resolve(path)).open({}, () => {})
    // By its id where the build has them (as the glue dispatches), by name before.
    return [name, { router, caller: router.caller(caller), channel: router.channelId?.('probe:save') ?? 'probe:save' }]
  }),
)
const payloads = benchNotes
const requests = Object.fromEntries(
  Object.entries(payloads).map(([size, payload]) => [size, JSON.stringify({ v: 1, id: 1, kind: 'invoke', channel: 'probe:save', payload })]),
)
for (const [name, build] of Object.entries(builds)) {
  for (const [size, request] of Object.entries(requests)) {
    const reply = JSON.parse(jsonText(await build.router.dispatch(request, build.caller, build.channel)))
    if (reply.ok !== true || reply.data.body !== payloads[size].body) throw new Error(`${name} failed on ${size}: ${JSON.stringify(reply).slice(0, 200)}`)
  }
}

const perCall = {}
for (let round = 0; round < ROUNDS; round += 1) {
  for (const size of Object.keys(requests)) {
    const order = round % 2 ? ['before', 'after'] : ['after', 'before']
    const micros = {}
    for (const name of order) {
      const { router, caller, channel } = builds[name]
      const start = process.hrtime.bigint()
      for (let i = 0; i < CALLS[size]; i += 1) await router.dispatch(requests[size], caller, channel)
      micros[name] = Number(process.hrtime.bigint() - start) / CALLS[size] / 1000
    }
    ;(perCall[size] ??= []).push(micros)
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
console.log(`inline probe:save dispatches, ${ROUNDS} interleaved rounds; µs per call, medians`)
for (const [size, rounds] of Object.entries(perCall)) {
  const [b, a] = ['before', 'after'].map((name) => median(rounds.map((micros) => micros[name])))
  const ratio = median(rounds.map((micros) => micros.after / micros.before))
  console.log(`${size.padEnd(6)} before ${b.toFixed(2)}  after ${a.toFixed(2)}  after/before ${ratio.toFixed(3)}`)
}
process.exit(0)
