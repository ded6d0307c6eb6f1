/**
 * The notes page: lists, creates, edits and deletes notes through the typed
 * IPC API, shows the main side's validation errors next to the fields they
 * are about, its typed errors as notices, and keeps the list in step with
 * every other open page through the "note changed" event.
 *
 * It talks to the main side only through the generated bindings in `./ipc/`,
 * and knows nothing of the shell that carries them: each shell's entry
 * (`entry.ws.ts`, ...) connects its transport and calls {@link startNotes}.
 * Every value that reaches the page is shown with `textContent`, never parsed
 * as HTML.
 */

import type { Api } from './ipc/api.js'
import {
  isIPCHandlerError,
  isIPCNoteError,
  isIPCTransportError,
  isIPCValidationError,
  type ValidationIssue,
} from './ipc/errors.js'
import type { Note, NoteChanged, NoteSummary, SaveNote } from './ipc/types.js'

/** The states of a shell's connection to the main side. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** What the connection badge shows: the connection's state, or why there is none. */
export type ShownState = ConnectionState | 'refused' | 'missing-secret'

/** How a shell's entry hands its connection to the page. */
export interface NotesConnection {
  /** The state to show first. */
  readonly state: ShownState
  /** Settles once the main side answers (or refuses): the page loads the notes then. */
  readonly ready: Promise<void>
  /** The shell's own wording of some states (for example, where to find the app's address). */
  readonly labels?: Partial<Record<ShownState, string>>
}

/** What a shell's entry tells the page after the start. */
export interface NotesPage {
  /** Shows a new connection state; after a reconnection the page catches up on missed changes. */
  connectionChanged(state: ConnectionState, previous: ConnectionState): void
}

const DEFAULT_LABELS: Readonly<Record<ShownState, string>> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected: restart the app',
  refused: 'Refused by the main side',
  'missing-secret': 'No IPC secret',
}

/** The fields of the editor that validation issues can point at, by their name in `SaveNote`. */
const FIELDS = ['title', 'body', 'tags'] as const
type Field = (typeof FIELDS)[number]

/** The hash of a page that shows a note: `#note=<id>`. */
const NOTE_ROUTE = /^#?note=(\d{1,16})$/

function element<T extends HTMLElement>(testId: string, type: new () => T): T {
  const found = document.querySelector(`[data-testid="${testId}"]`)
  if (!(found instanceof type)) throw new Error(`The page has no ${type.name} [data-testid="${testId}"]`)
  return found
}

const view = {
  connection: element('connection-state', HTMLElement),
  notice: element('notice', HTMLElement),
  noticeText: element('notice-text', HTMLElement),
  noticeDismiss: element('notice-dismiss', HTMLButtonElement),
  newNote: element('new-note', HTMLButtonElement),
  emptyList: element('empty-list', HTMLElement),
  list: element('note-list', HTMLUListElement),
  placeholder: element('editor-placeholder', HTMLElement),
  editor: element('editor', HTMLFormElement),
  heading: element('editor-heading', HTMLElement),
  inputs: {
    title: element('title-input', HTMLInputElement),
    body: element('body-input', HTMLTextAreaElement),
    tags: element('tags-input', HTMLInputElement),
  } satisfies Record<Field, HTMLInputElement | HTMLTextAreaElement>,
  errors: {
    title: element('title-error', HTMLElement),
    body: element('body-error', HTMLElement),
    tags: element('tags-error', HTMLElement),
  } satisfies Record<Field, HTMLElement>,
  formError: element('form-error', HTMLElement),
  save: element('save-note', HTMLButtonElement),
  remove: element('delete-note', HTMLButtonElement),
  status: element('editor-status', HTMLElement),
}

/** The note in the editor: `id` is undefined for a note not saved yet. */
interface Editing {
  readonly id: number | undefined
  /** Whether the fields were changed since the note was loaded or saved. */
  dirty: boolean
  /** A save or delete of this note is waiting for its reply. */
  busy: boolean
}

const summaries = new Map<number, NoteSummary>()
let editing: Editing | undefined
let shownState: ShownState = 'connecting'
let labels: Readonly<Record<ShownState, string>> = DEFAULT_LABELS
let api: Api | undefined
/** While a list call is in flight, the events that arrive meanwhile, replayed on its result. */
let eventsDuringLoad: NoteChanged[] | undefined

// ---------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------

function showState(state: ShownState): void {
  shownState = state
  view.connection.dataset['state'] = state
  view.connection.textContent = labels[state]
  const usable = state === 'open' || state === 'connecting'
  view.newNote.disabled = !usable
  view.save.disabled = !usable || editing?.busy === true
  view.remove.disabled = !usable || editing?.busy === true || editing?.id === undefined
}

// ---------------------------------------------------------------------------
// Notices and field errors
// ---------------------------------------------------------------------------

/** Shows a notice; `code` is the error code it is about, kept in `data-code`. */
function showNotice(message: string, code: string): void {
  view.notice.dataset['code'] = code
  view.noticeText.textContent = message
  view.notice.hidden = false
}

function hideNotice(): void {
  view.notice.hidden = true
  view.noticeText.textContent = ''
  delete view.notice.dataset['code']
}

function clearFieldErrors(): void {
  for (const field of FIELDS) {
    view.errors[field].textContent = ''
    view.errors[field].hidden = true
    view.inputs[field].removeAttribute('aria-invalid')
  }
  view.formError.textContent = ''
  view.formError.hidden = true
}

function isField(segment: string | number | undefined): segment is Field {
  return typeof segment === 'string' && (FIELDS as readonly string[]).includes(segment)
}

function appendLine(target: HTMLElement, text: string): void {
  if (target.childNodes.length > 0) target.append(document.createElement('br'))
  target.append(text)
  target.hidden = false
}

/** Puts each validation issue next to the field its path starts with. */
function showIssues(issues: readonly ValidationIssue[]): void {
  let focused = false
  for (const issue of issues) {
    const field = issue.path[0]
    if (!isField(field)) {
      const where = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `
      appendLine(view.formError, `${where}${issue.message}`)
      continue
    }
    const index = issue.path[1]
    const prefix = field === 'tags' && typeof index === 'number' ? `Tag ${index + 1}: ` : ''
    appendLine(view.errors[field], `${prefix}${issue.message}`)
    view.inputs[field].setAttribute('aria-invalid', 'true')
    if (!focused) {
      view.inputs[field].focus()
      focused = true
    }
  }
  if (issues.length === 0) appendLine(view.formError, 'The main side refused the note.')
}

/** Shows any failure of a call: typed errors, framework failures and transport failures. */
function showFailure(action: string, error: unknown): void {
  if (isIPCValidationError(error)) {
    if (error.field === 'request') {
      showIssues(error.issues)
    } else {
      showNotice(`${action}: the main side sent an invalid response (${error.code})`, error.code)
    }
    return
  }
  // Every notes contract fails with the same Rust `NoteError`: one guard.
  if (isIPCNoteError(error)) {
    switch (error.code) {
      case 'NOT_FOUND':
        showNotice(`${action}: note ${error.details.id} does not exist; it may have been deleted in another window (NOT_FOUND)`, error.code)
        return
      case 'CONFLICT':
        showNotice(`${action}: note ${error.details.id} was changed in another window (CONFLICT)`, error.code)
        return
      case 'STORAGE_FAILED':
        showNotice(`${action}: the notes could not be written to disk (STORAGE_FAILED)`, error.code)
        return
    }
  }
  if (isIPCHandlerError(error) || isIPCTransportError(error)) {
    showNotice(`${action}: ${error.message} (${error.code})`, error.code)
    return
  }
  showNotice(`${action}: ${error instanceof Error ? error.message : String(error)}`, 'UNKNOWN')
}

// ---------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** Most recently updated first, as the main side lists them. */
function byRecency(a: NoteSummary, b: NoteSummary): number {
  return b.updatedAtMs - a.updatedAtMs || b.id - a.id
}

function renderList(): void {
  const items = [...summaries.values()].sort(byRecency).map((summary) => {
    const item = document.createElement('li')
    item.dataset['testid'] = 'note-item'
    item.dataset['noteId'] = String(summary.id)
    const link = document.createElement('a')
    link.href = `#note=${summary.id}`
    link.className = 'note-link'
    if (editing?.id === summary.id) link.setAttribute('aria-current', 'true')
    const title = document.createElement('span')
    title.className = 'note-title'
    title.dataset['testid'] = 'note-title'
    title.textContent = summary.title
    const time = document.createElement('time')
    time.className = 'note-time'
    time.dateTime = new Date(summary.updatedAtMs).toISOString()
    time.textContent = timeFormat.format(summary.updatedAtMs)
    link.append(title, time)
    item.append(link)
    return item
  })
  view.list.replaceChildren(...items)
  view.emptyList.hidden = summaries.size > 0
  view.list.dataset['count'] = String(summaries.size)
}

function upsertSummary(note: Pick<Note, 'id' | 'title' | 'updatedAtMs'>): void {
  const known = summaries.get(note.id)
  if (known !== undefined && known.updatedAtMs > note.updatedAtMs) return
  summaries.set(note.id, { id: note.id, title: note.title, updatedAtMs: note.updatedAtMs })
}

async function loadList(): Promise<void> {
  if (api === undefined) return
  eventsDuringLoad = []
  try {
    const listed = await api.notes.list()
    summaries.clear()
    for (const summary of listed) summaries.set(summary.id, summary)
    // A change made while the list was being read may not be in it.
    for (const event of eventsDuringLoad) applyChangeToList(event)
    renderList()
    view.list.dataset['loaded'] = 'true'
  } catch (error) {
    showFailure('Loading the notes failed', error)
  } finally {
    eventsDuringLoad = undefined
  }
}

function applyChangeToList(event: NoteChanged): void {
  if (event.kind === 'deleted') {
    summaries.delete(event.id)
  } else if (event.note !== undefined && event.note !== null) {
    upsertSummary(event.note)
  }
}

// ---------------------------------------------------------------------------
// The editor
// ---------------------------------------------------------------------------

function fillEditor(note: Note | undefined): void {
  view.inputs.title.value = note?.title ?? ''
  view.inputs.body.value = note?.body ?? ''
  view.inputs.tags.value = (note?.tags ?? []).join(', ')
}

function openEditor(note: Note | undefined): void {
  editing = { id: note?.id, dirty: false, busy: false }
  clearFieldErrors()
  fillEditor(note)
  view.status.textContent = ''
  view.heading.textContent = note === undefined ? 'New note' : `Note ${note.id}`
  view.editor.dataset['noteId'] = note === undefined ? '' : String(note.id)
  delete view.editor.dataset['deleted']
  view.placeholder.hidden = true
  view.editor.hidden = false
  showState(shownState)
  renderList()
  view.inputs.title.focus()
}

function closeEditor(): void {
  editing = undefined
  clearFieldErrors()
  fillEditor(undefined)
  view.status.textContent = ''
  view.editor.dataset['noteId'] = ''
  delete view.editor.dataset['deleted']
  view.editor.hidden = true
  view.placeholder.hidden = false
  renderList()
}

/** Keeps the address in step with the editor, without a `hashchange`. */
function setRoute(id: number | undefined): void {
  const base = location.href.split('#')[0] ?? ''
  history.replaceState(history.state, '', id === undefined ? base : `${base}#note=${id}`)
}

function routedNoteId(): number | undefined {
  const match = NOTE_ROUTE.exec(location.hash)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

async function openNote(id: number): Promise<void> {
  if (api === undefined) return
  hideNotice()
  try {
    const note = await api.notes.get({ id })
    openEditor(note)
  } catch (error) {
    if (editing?.id === id) closeEditor()
    setRoute(editing?.id)
    showFailure(`Opening note ${id} failed`, error)
  }
}

/** The tags typed as `a, b, c`; empty entries are dropped, everything else is the main side's to judge. */
function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
}

async function save(): Promise<void> {
  const current = editing
  if (api === undefined || current === undefined || current.busy) return
  const request: SaveNote = {
    title: view.inputs.title.value,
    body: view.inputs.body.value,
    tags: parseTags(view.inputs.tags.value),
  }
  if (current.id !== undefined) request.id = current.id
  clearFieldErrors()
  hideNotice()
  current.busy = true
  view.status.textContent = 'Saving…'
  showState(shownState)
  try {
    const note = await api.notes.save(request)
    upsertSummary(note)
    if (editing === current) {
      editing = { id: note.id, dirty: false, busy: false }
      view.heading.textContent = `Note ${note.id}`
      view.editor.dataset['noteId'] = String(note.id)
      view.status.textContent = `Saved at ${timeFormat.format(note.updatedAtMs)}`
      setRoute(note.id)
    }
    renderList()
  } catch (error) {
    if (editing === current) view.status.textContent = 'Not saved'
    showFailure('Saving failed', error)
  } finally {
    current.busy = false
    showState(shownState)
  }
}

async function remove(): Promise<void> {
  const current = editing
  if (api === undefined || current === undefined || current.id === undefined || current.busy) return
  const id = current.id
  hideNotice()
  current.busy = true
  view.status.textContent = 'Deleting…'
  showState(shownState)
  try {
    await api.notes.delete({ id })
    summaries.delete(id)
    if (editing === current) {
      closeEditor()
      setRoute(undefined)
    }
    renderList()
  } catch (error) {
    if (editing === current) view.status.textContent = 'Not deleted'
    showFailure(`Deleting note ${id} failed`, error)
  } finally {
    current.busy = false
    showState(shownState)
  }
}

// ---------------------------------------------------------------------------
// Live changes from other pages
// ---------------------------------------------------------------------------

function onNoteChanged(event: NoteChanged): void {
  eventsDuringLoad?.push(event)
  applyChangeToList(event)
  renderList()
  const current = editing
  // This page's own save or delete: its reply updates the editor.
  if (current === undefined || current.id !== event.id || current.busy) return
  if (event.kind === 'deleted') {
    view.status.textContent = 'This note was deleted in another window.'
    view.editor.dataset['deleted'] = 'true'
  } else if (event.note !== undefined && event.note !== null) {
    if (current.dirty) {
      view.status.textContent = 'This note was changed in another window; saving replaces that version.'
    } else {
      fillEditor(event.note)
      view.status.textContent = 'Updated from another window.'
    }
  }
}

async function resynchronize(): Promise<void> {
  await loadList()
  const current = editing
  if (current?.id !== undefined && !current.dirty && !current.busy) await openNote(current.id)
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

view.noticeDismiss.addEventListener('click', hideNotice)
view.newNote.addEventListener('click', () => {
  hideNotice()
  setRoute(undefined)
  openEditor(undefined)
  try {
    api?.telemetry.track({ type: 'buttonPressed', button: 'new-note' })
  } catch {
    // Telemetry is best effort.
  }
})
view.editor.addEventListener('submit', (event) => {
  event.preventDefault()
  void save()
})
view.editor.addEventListener('input', () => {
  if (editing !== undefined) editing.dirty = true
})
view.remove.addEventListener('click', () => void remove())
window.addEventListener('hashchange', () => {
  const id = routedNoteId()
  if (id !== undefined && id !== editing?.id) void openNote(id)
})

/**
 * Starts the page on `connection`; `notesApi` is undefined when the shell has
 * no way to reach the main side (the page then shows `connection.state`).
 */
export function startNotes(notesApi: Api | undefined, connection: NotesConnection): NotesPage {
  api = notesApi
  labels = { ...DEFAULT_LABELS, ...connection.labels }
  showState(connection.state)
  if (notesApi !== undefined) {
    notesApi.notes.onChanged(onNoteChanged)
    try {
      notesApi.telemetry.track({ type: 'pageViewed', page: 'notes' })
    } catch {
      // Telemetry is best effort.
    }
    connection.ready.then(
      async () => {
        await loadList()
        const id = routedNoteId()
        if (id !== undefined) await openNote(id)
      },
      () => showState('refused'),
    )
  }
  return {
    connectionChanged(state, previous) {
      if (state === 'closed' && previous === 'connecting') return // shown by `ready` as refused
      showState(state)
      // Events sent while the connection was down are lost: catch up.
      if (state === 'open' && previous === 'reconnecting') void resynchronize()
    },
  }
}
