// Renderer code using the notes bindings: must type-check.
import { createApi, type Api } from './ipc/api.js'
import {
  IPCTransportError,
  IPC_NOTE_ERROR_CODES,
  NOTES_GET_ERROR_CODES,
  NOTES_SAVE_ERROR_CODES,
  isFrameworkError,
  isIPCNoteError,
  isIPCValidationError,
  isNotesDeleteError,
  isNotesSaveError,
  type IPCNoteError,
  type NotesGetError,
  type NotesSaveError,
} from './ipc/errors.js'
import { api as electronApi, electronTransport } from './ipc/renderer.electron.js'
import type { Transport, WireReply } from './ipc/transport.js'
import type { ChangeKind, Note, NoteChanged, NoteSummary, SaveNote, TelemetryEvent } from './ipc/types.js'
import type { IpcBridge } from './ipc/window.js'

const seen: unknown[] = []

const transport: Transport = {
  invoke: async (channel: string, payload: unknown): Promise<WireReply> => {
    seen.push(channel, payload)
    return { id: 1, ok: true, data: null }
  },
  send: (channel: string, payload: unknown): void => {
    seen.push(channel, payload)
  },
  subscribe: (channel: string, listener: (payload: unknown) => void): (() => void) => {
    seen.push(channel, listener)
    return () => {}
  },
}

const api: Api = createApi(transport)

export async function useTheApi(): Promise<void> {
  // Empty requests can be left out.
  const list: NoteSummary[] = await api.notes.list()
  await api.notes.list({}, { timeoutMs: 100 })
  const firstId: number | undefined = list[0]?.id

  const request: SaveNote = { title: 'Title', body: 'Body' }
  const created: Note = await api.notes.save(request)
  const tags: string[] | undefined = created.tags
  await api.notes.save({ id: created.id, title: 'T', body: 'B', tags: ['a'] }, { signal: new AbortController().signal })
  await api.notes.save({ id: null, title: 'T', body: 'B' })
  const deleted: null = await api.notes.delete({ id: 1 })

  const event: TelemetryEvent = { type: 'buttonPressed', button: 'save' }
  api.telemetry.track(event)
  api.telemetry.track({ type: 'pageViewed', page: 'home' })

  const off: () => void = api.notes.onChanged((change: NoteChanged) => {
    const kind: ChangeKind = change.kind
    const title: string | undefined = change.note?.title
    seen.push(kind, title)
  })
  off()
  seen.push(firstId, tags, deleted)

  const bridge: IpcBridge | undefined = window.api
  seen.push(bridge, electronTransport(() => bridge), await electronApi.notes.get({ id: 1 }))
}

export async function handleErrors(): Promise<string> {
  try {
    await api.notes.save({ title: 'T', body: 'B' })
    return 'saved'
  } catch (error) {
    if (isNotesSaveError(error)) {
      const typed: NotesSaveError = error
      switch (typed.code) {
        case 'NOT_FOUND':
          return `missing ${typed.details.id}`
        case 'CONFLICT':
          return `conflict at ${typed.details.current_updated_at_ms} (status ${typed.statusCode ?? 409})`
        case 'STORAGE_FAILED': {
          const none: undefined = typed.details
          return `storage ${String(none)}: ${typed.message}`
        }
        default: {
          const unreachable: never = typed
          return unreachable
        }
      }
    }
    if (isNotesDeleteError(error) && error.code === 'CONFLICT') return String(error.details.id)
    // Contracts that share a Rust error type share its union and guard.
    if (isIPCNoteError(error)) {
      const shared: IPCNoteError = error
      const asGet: NotesGetError = shared
      const asSave: NotesSaveError = asGet
      const codes: readonly ('NOT_FOUND' | 'CONFLICT' | 'STORAGE_FAILED')[] = IPC_NOTE_ERROR_CODES
      return `${asSave.code} in ${codes.join()} = ${NOTES_GET_ERROR_CODES.join()}`
    }
    if (isIPCValidationError(error)) return error.issues.map((issue) => issue.message).join()
    if (isFrameworkError(error)) return error.code
    if (error instanceof IPCTransportError) return error.code
    return NOTES_SAVE_ERROR_CODES.join()
  }
}
