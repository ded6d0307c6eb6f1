/**
 * The loopback WebSocket shell's target for the conformance suite: the page
 * `conformance-ws` serves. It runs the suite once, shows the results and
 * keeps them in `window.conformanceRun` for the test that drives the page.
 */

import { createApi, type Api } from '../ts/ipc/api.js'
import { connectWebSocket, takeSecretFromLocation } from '../ts/ipc/transport.ws.js'
import { dropMidCallWith, runConformance, type CaseResult, type ConformanceTarget, type ExtraCaller } from '../suite.js'

declare global {
  interface Window {
    conformanceRun?: Promise<CaseResult[]>
  }
}

/** Longest wait for a raw reply: a guard against hangs, not a measurement. */
const RAW_GUARD_MS = 10_000

const secret = takeSecretFromLocation()
const ipcUrl = `ws://${location.host}/ipc`

function caller(callerSecret: string | undefined): ExtraCaller & { readonly ready: Promise<void> } {
  const transport = connectWebSocket({
    secret: callerSecret,
    reconnect: false,
    // Raw failures with `id: null` are expected here; the cases check them.
    onProtocolError: () => undefined,
  })
  return {
    api: createApi(transport),
    ready: transport.ready,
    close: async () => transport.close(),
  }
}

/** Sends one message on a connection of its own and resolves with the first reply. */
function sendRaw(message: string | Uint8Array<ArrayBuffer>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(ipcUrl, ['ipc-contracts.v1', `ipc-secret.${secret ?? ''}`])
    const guard = setTimeout(() => {
      socket.close()
      reject(new Error(`no reply within ${RAW_GUARD_MS} ms`))
    }, RAW_GUARD_MS)
    socket.onopen = () => socket.send(message)
    socket.onmessage = (event: MessageEvent) => {
      clearTimeout(guard)
      socket.close()
      try {
        resolve(JSON.parse(String(event.data)))
      } catch (error) {
        reject(error)
      }
    }
    socket.onclose = () => {
      clearTimeout(guard)
      reject(new Error('the connection closed without a reply'))
    }
  })
}

function wrongSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

async function openCaller(): Promise<ExtraCaller> {
  const opened = caller(secret)
  await opened.ready
  return opened
}

const main = caller(secret)
const api: Api = main.api

const target: ConformanceTarget = {
  name: 'loopback WebSocket',
  api,
  sendRaw,
  sendRawBytes: (bytes) => sendRaw(new Uint8Array(bytes)),
  otherCaller: openCaller,
  refusedCaller: async () => ({ ...caller(wrongSecret()), refusal: { kind: 'transport', code: 'IPC_NOT_CONNECTED' } }),
  dropMidCall: dropMidCallWith(api, openCaller),
}

const output = document.getElementById('results')
window.conformanceRun = runConformance(target, {
  onResult: (result) => {
    if (output !== null) output.textContent += `\n${result.status} ${result.id}${result.message === undefined ? '' : `: ${result.message}`}`
  },
})
