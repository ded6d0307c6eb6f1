// Misuses of the notes bindings: each line below must be a type error
// (an unused `@ts-expect-error` fails the check).
import { createApi } from './ipc/api.js'
import { IPC_NOTE_ERROR_CODES, isIPCNoteError, isNotesSaveError } from './ipc/errors.js'
import type { Transport } from './ipc/transport.js'
import type { Note, NoteChanged, SaveNote } from './ipc/types.js'

declare const transport: Transport
const api = createApi(transport)

export async function misuse(error: unknown): Promise<unknown[]> {
  const out: unknown[] = []
  // @ts-expect-error: the title is a string
  out.push(await api.notes.save({ title: 1, body: 'B' }))
  // @ts-expect-error: the body is required
  out.push(await api.notes.save({ title: 'T' }))
  // @ts-expect-error: `get` needs a request
  out.push(await api.notes.get())
  // @ts-expect-error: with exactOptionalPropertyTypes, absent is not `undefined`
  const explicit: SaveNote = { title: 'T', body: 'B', tags: undefined }
  out.push(explicit)
  // @ts-expect-error: an unknown telemetry event
  api.telemetry.track({ type: 'scrolled', page: 'home' })
  // @ts-expect-error: the response is a Note, not a string
  const wrong: string = await api.notes.get({ id: 1 })
  out.push(wrong)
  // @ts-expect-error: no such method
  out.push(api.notes.remove)
  // @ts-expect-error: the API is read-only
  api.notes = api.notes
  // @ts-expect-error: the event payload is a NoteChanged
  api.notes.onChanged((change: Note) => out.push(change))
  api.notes.onChanged((change: NoteChanged) => {
    // @ts-expect-error: `note` may be absent or null
    out.push(change.note.title)
  })
  if (isNotesSaveError(error)) {
    // @ts-expect-error: not a code of notes.save
    if (error.code === 'NOPE') out.push(error)
    if (error.code === 'NOT_FOUND') {
      // @ts-expect-error: NOT_FOUND has no `current_updated_at_ms`
      out.push(error.details.current_updated_at_ms)
    }
    // @ts-expect-error: details depend on the code
    out.push(error.details.id)
  }
  if (isIPCNoteError(error)) {
    // @ts-expect-error: not a code of NoteError
    if (error.code === 'NOPE') out.push(error)
  }
  // @ts-expect-error: the shared codes are frozen
  IPC_NOTE_ERROR_CODES.push('NOPE')
  return out
}
