/**
 * Error types for typed IPC clients.
 *
 * This module has no runtime dependencies. Its validation error API (names,
 * constructor signatures, default codes and `toJSON` shapes) is compatible with
 * the `validation` entry point of `@number10/electron-ipc`, and adds
 * {@link IPCTransportError} and helpers for the main side's framework failures.
 *
 * Everything that turns wire data back into errors treats that data as hostile:
 * it reads only own data properties (never getters, never inherited values),
 * checks the type of every field, never assigns a wire object onto an error,
 * and caps the size of everything it copies (see {@link DESERIALIZATION_LIMITS}).
 *
 * It is one module of about 600 lines on purpose: it is the drop-in
 * counterpart of one entry point of that package, imported as one file, and
 * its error classes, guards and deserializers share the limits and checks
 * above; split, they would have to export those internals to each other.
 *
 * @module
 */

/** Caps applied when error data received over IPC is turned back into errors. */
export const DESERIALIZATION_LIMITS = Object.freeze({
  /** Longest kept `message` or `stack`, in UTF-16 code units. */
  maxMessageLength: 10_000,
  /** Longest accepted error `code`; longer codes are replaced by the default code. */
  maxCodeLength: 200,
  /** Number of validation issues kept; the rest are dropped. */
  maxIssues: 100,
  /** Number of path segments kept per validation issue. */
  maxPathSegments: 64,
  /** Longest kept path segment, in UTF-16 code units. */
  maxPathSegmentLength: 200,
  /** Longest kept issue `message`, `expected` or `received`, in UTF-16 code units. */
  maxIssueStringLength: 1_000,
  /** Deepest nesting of objects and arrays kept in `details`; deeper containers are dropped. */
  maxDetailsDepth: 32,
  /** Number of values (including containers) copied from `details`. */
  maxDetailsNodes: 10_000,
  /** Longest kept string in `details`, in UTF-16 code units. */
  maxDetailsStringLength: 10_000,
  /** Longest accepted object key in `details`; entries with longer keys are dropped. */
  maxDetailsKeyLength: 1_000,
  /** Total UTF-16 code units of all strings and keys copied from `details`. */
  maxDetailsTotalStringLength: 1_000_000,
} as const)

/** A single validation failure: where it happened and what was wrong. */
export interface ValidationIssue {
  /** JSON path to the offending value; empty for the root. */
  path: (string | number)[]
  /** Human-readable description of the failure. */
  message: string
  /** Expected type or constraint. */
  expected?: string
  /** Description of the value that was received (sanitized by the sender). */
  received?: string
}

/** Which side of a call failed validation. */
export type ValidationField = 'request' | 'response'

/** Serialized form of {@link IPCValidationError}, as produced by `toJSON` and sent over IPC. */
export interface SerializableValidationError {
  name: string
  message: string
  code: string
  field?: string
  issues: ValidationIssue[]
  stack?: string
}

/** Serialized form of {@link IPCHandlerError}, as produced by `toJSON` and sent over IPC. */
export interface SerializableHandlerError {
  name: string
  message: string
  code: string
  statusCode?: number
  details?: unknown
  stack?: string
}

/** Serialized form of {@link IPCTransportError}, as produced by `toJSON`. */
export interface SerializableTransportError {
  name: string
  message: string
  code: TransportErrorCode
  stack?: string
}

/** Options accepted by the {@link IPCHandlerError} constructor. */
export interface IPCHandlerErrorOptions {
  /** Machine-readable error code; defaults to `"IPC_HANDLER_ERROR"`. */
  code?: string | undefined
  /** HTTP-like status code. */
  statusCode?: number | undefined
  /** Structured, JSON-compatible data describing the failure. */
  details?: unknown
}

/** Codes of {@link IPCTransportError}: failures of the transport itself, not reported by the main side. */
export const TRANSPORT_ERROR_CODES = Object.freeze([
  'IPC_DISCONNECTED',
  'IPC_TIMEOUT',
  'IPC_NOT_CONNECTED',
  'IPC_PROTOCOL_ERROR',
  'IPC_ABORTED',
] as const)

/** A code of {@link IPCTransportError}. */
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number]

/**
 * Codes of the failures reported by the main side's IPC framework rather than by a
 * handler. They arrive as {@link IPCHandlerError} with the status codes listed in
 * {@link FRAMEWORK_ERROR_STATUS}.
 */
export const FRAMEWORK_ERROR_CODES = Object.freeze([
{% for code in framework_codes %}  {{ code.literal }},
{% endfor %}] as const)

/** A code of a framework failure reported by the main side. */
export type FrameworkErrorCode = (typeof FRAMEWORK_ERROR_CODES)[number]

/** The status code the main side sends with each framework failure. */
export const FRAMEWORK_ERROR_STATUS: Readonly<Record<FrameworkErrorCode, number>> = Object.freeze({
{% for code in framework_codes %}  {{ code.name }}: {{ code.status }},
{% endfor %}})

const DEFAULT_HANDLER_CODE = 'IPC_HANDLER_ERROR'
const DEFAULT_VALIDATION_MESSAGE = 'IPC validation failed'
const DEFAULT_HANDLER_MESSAGE = 'IPC handler failed'
const DEFAULT_ISSUE_MESSAGE = 'Invalid value'
const INVALID_PATH_SEGMENT = '?'

const TRANSPORT_MESSAGES: Readonly<Record<TransportErrorCode, string>> = Object.freeze({
  IPC_DISCONNECTED: 'The IPC connection closed before a reply arrived',
  IPC_TIMEOUT: 'The IPC call timed out',
  IPC_NOT_CONNECTED: 'The IPC transport is not connected',
  IPC_PROTOCOL_ERROR: 'Received a malformed IPC message',
  IPC_ABORTED: 'The IPC call was aborted',
})

/**
 * Validation failure of a request or response payload.
 *
 * @example
 * ```ts
 * new IPCValidationError('Invalid request', [{ path: ['title'], message: 'Too long' }], 'request')
 * ```
 */
export class IPCValidationError extends Error {
  /** Always `"{{ prose.validation_code }}"`. */
  readonly code = {{ validation_code }}
  /** The individual failures. */
  readonly issues: ValidationIssue[]
  /** Whether the request or the response failed validation. */
  readonly field: ValidationField

  /**
   * @param message - Summary of the failure.
   * @param issues - The individual failures.
   * @param field - Which payload failed; defaults to `"request"`.
   */
  constructor(message: string, issues: ValidationIssue[], field: ValidationField = 'request') {
    super(message)
    this.name = 'IPCValidationError'
    this.issues = issues
    this.field = field
  }

  /** Converts the error to its serializable form. */
  toJSON(): SerializableValidationError {
    const json: SerializableValidationError = {
      name: this.name,
      message: this.message,
      code: this.code,
      field: this.field,
      issues: this.issues.map(copyIssue),
    }
    if (typeof this.stack === 'string') json.stack = this.stack
    return json
  }

  /**
   * Rebuilds an error from its serialized form. Accepts any value: fields of the
   * wrong type are ignored and sizes are capped (see {@link DESERIALIZATION_LIMITS}).
   */
  static fromJSON(json: unknown): IPCValidationError {
    const source = asObject(json)
    const error = new IPCValidationError(
      readString(source, 'message', DESERIALIZATION_LIMITS.maxMessageLength) ?? DEFAULT_VALIDATION_MESSAGE,
      sanitizeIssues(ownValue(source, 'issues')),
      sanitizeField(ownValue(source, 'field')),
    )
    copyStack(source, error)
    return error
  }
}

/**
 * Failure reported by a handler on the main side, including typed contract errors
 * (with their variant's code and data in `details`) and framework failures
 * (see {@link isFrameworkError}).
 *
 * @example
 * ```ts
 * new IPCHandlerError('Resource not found', { code: 'NOT_FOUND', statusCode: 404 })
 * ```
 */
export class IPCHandlerError extends Error {
  /** Machine-readable error code; `"IPC_HANDLER_ERROR"` unless given. */
  readonly code: string
  /** HTTP-like status code, when known. */
  readonly statusCode?: number | undefined
  /** Structured data describing the failure. */
  readonly details?: unknown

  /**
   * @param message - Human-readable description.
   * @param options - Code, status code and details.
   */
  constructor(message: string, options?: IPCHandlerErrorOptions) {
    super(message)
    this.name = 'IPCHandlerError'
    this.code = options?.code ?? DEFAULT_HANDLER_CODE
    this.statusCode = options?.statusCode
    this.details = options?.details
  }

  /** Converts the error to its serializable form. */
  toJSON(): SerializableHandlerError {
    const json: SerializableHandlerError = { name: this.name, message: this.message, code: this.code }
    if (typeof this.statusCode === 'number') json.statusCode = this.statusCode
    if (this.details !== undefined) json.details = this.details
    if (typeof this.stack === 'string') json.stack = this.stack
    return json
  }

  /**
   * Rebuilds an error from its serialized form. Accepts any value: fields of the
   * wrong type are ignored, `details` is copied as a bounded JSON-like clone, and
   * sizes are capped (see {@link DESERIALIZATION_LIMITS}).
   */
  static fromJSON(json: unknown): IPCHandlerError {
    const source = asObject(json)
    const error = new IPCHandlerError(
      readString(source, 'message', DESERIALIZATION_LIMITS.maxMessageLength) ?? DEFAULT_HANDLER_MESSAGE,
      {
        code: readCode(source) ?? DEFAULT_HANDLER_CODE,
        statusCode: readStatusCode(source),
        details: cloneDetails(ownValue(source, 'details')),
      },
    )
    copyStack(source, error)
    return error
  }
}

/**
 * Failure of the transport itself (disconnection, timeout, abort, malformed
 * reply), as opposed to an error reported by the main side.
 */
export class IPCTransportError extends Error {
  /** What went wrong. */
  readonly code: TransportErrorCode

  /**
   * @param code - What went wrong.
   * @param message - Human-readable description; defaults to a description of `code`.
   * @param options - Standard error options, such as the underlying `cause`.
   */
  constructor(code: TransportErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? TRANSPORT_MESSAGES[code], options)
    this.name = 'IPCTransportError'
    this.code = code
  }

  /** Converts the error to its serializable form. */
  toJSON(): SerializableTransportError {
    const json: SerializableTransportError = { name: this.name, message: this.message, code: this.code }
    if (typeof this.stack === 'string') json.stack = this.stack
    return json
  }

  /**
   * Rebuilds an error from its serialized form. Unknown codes become
   * `"IPC_PROTOCOL_ERROR"`; sizes are capped (see {@link DESERIALIZATION_LIMITS}).
   */
  static fromJSON(json: unknown): IPCTransportError {
    const source = asObject(json)
    const rawCode = ownValue(source, 'code')
    const code = isTransportErrorCode(rawCode) ? rawCode : 'IPC_PROTOCOL_ERROR'
    const error = new IPCTransportError(
      code,
      readString(source, 'message', DESERIALIZATION_LIMITS.maxMessageLength) ?? TRANSPORT_MESSAGES[code],
    )
    copyStack(source, error)
    return error
  }
}

// The type guards accept instances of these classes and, for errors created by
// another copy of this module or in another realm, objects that are real errors
// (`[object Error]`) with the right `name`, a string `message` and `code`, and a
// `toJSON` method. Plain serialized objects are not errors: pass them through
// `deserializeError` first.

/** Whether `error` is an {@link IPCValidationError}. */
export function isIPCValidationError(error: unknown): error is IPCValidationError {
  if (error instanceof IPCValidationError) return true
  return (
    looksLikeError(error, 'IPCValidationError') &&
    readProperty(error, 'code') === {{ validation_code }} &&
    Array.isArray(readProperty(error, 'issues'))
  )
}

/** Whether `error` is an {@link IPCHandlerError}. */
export function isIPCHandlerError(error: unknown): error is IPCHandlerError {
  return error instanceof IPCHandlerError || looksLikeError(error, 'IPCHandlerError')
}

/** Whether `error` is an {@link IPCTransportError}. */
export function isIPCTransportError(error: unknown): error is IPCTransportError {
  if (error instanceof IPCTransportError) return true
  return looksLikeError(error, 'IPCTransportError') && isTransportErrorCode(readProperty(error, 'code'))
}

/** Whether `code` is one of {@link FRAMEWORK_ERROR_CODES}. */
export function isFrameworkErrorCode(code: unknown): code is FrameworkErrorCode {
  return typeof code === 'string' && (FRAMEWORK_ERROR_CODES as readonly string[]).includes(code)
}

/** Whether `code` is one of {@link TRANSPORT_ERROR_CODES}. */
export function isTransportErrorCode(code: unknown): code is TransportErrorCode {
  return typeof code === 'string' && (TRANSPORT_ERROR_CODES as readonly string[]).includes(code)
}

/**
 * Whether `error` is a failure of the main side's IPC framework (unknown channel,
 * malformed request, timeout, ...) rather than an error returned by a handler.
 */
export function isFrameworkError(
  error: unknown,
): error is IPCHandlerError & { readonly code: FrameworkErrorCode } {
  return isIPCHandlerError(error) && isFrameworkErrorCode(error.code)
}

/**
 * Rebuilds an error received over IPC.
 *
 * - Serialized {@link IPCValidationError}, {@link IPCHandlerError} and
 *   {@link IPCTransportError} objects (recognized by `name`; validation errors also
 *   by `code: "{{ prose.validation_code }}"` with an `issues` array) become instances,
 *   copied field by field with type checks and size caps.
 * - Other `Error` instances are returned unchanged.
 * - Anything else is wrapped in a plain `Error`, whose message is the value's
 *   string `message` if it has one, else a short description of the value.
 *
 * Never throws, never invokes getters and never changes any prototype.
 */
export function deserializeError(error: unknown): Error {
  try {
    if (
      error instanceof IPCValidationError ||
      error instanceof IPCHandlerError ||
      error instanceof IPCTransportError
    ) {
      return error
    }
    if (typeof error === 'object' && error !== null && !Array.isArray(error)) {
      const name = ownValue(error, 'name')
      if (name === 'IPCValidationError') return IPCValidationError.fromJSON(error)
      if (name === 'IPCHandlerError') return IPCHandlerError.fromJSON(error)
      if (name === 'IPCTransportError') return IPCTransportError.fromJSON(error)
      if (ownValue(error, 'code') === {{ validation_code }} && Array.isArray(ownValue(error, 'issues'))) {
        return IPCValidationError.fromJSON(error)
      }
    }
    if (error instanceof Error) return error
    return new Error(describeUnknown(error))
  } catch {
    return new Error('Unreadable error value')
  }
}

/**
 * Wraps an async function so that its rejections are passed through
 * {@link deserializeError}.
 */
export function withErrorDeserialization<TArgs extends unknown[], TResult>(
  fn: (...args: TArgs) => Promise<TResult>,
): (...args: TArgs) => Promise<TResult> {
  return async (...args: TArgs): Promise<TResult> => {
    try {
      return await fn(...args)
    } catch (error) {
      throw deserializeError(error)
    }
  }
}

/**
 * Formats validation issues for display, one per line:
 * `  - user.name: Required (expected: string) (received: undefined)`.
 * An empty path is shown as `root`.
 */
export function formatValidationIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'root'
      const expected = issue.expected ? ` (expected: ${issue.expected})` : ''
      const received = issue.received ? ` (received: ${issue.received})` : ''
      return `  - ${path}: ${issue.message}${expected}${received}`
    })
    .join('\n')
}

/** Reads an own data property, without invoking getters or consulting prototypes. */
function ownValue(source: object, key: PropertyKey): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(source, key)
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined
}

/** Reads a property of a local object, returning `undefined` if the read throws. */
function readProperty(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

function looksLikeError(value: unknown, name: string): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.prototype.toString.call(value) === '[object Error]' &&
    readProperty(value, 'name') === name &&
    typeof readProperty(value, 'message') === 'string' &&
    typeof readProperty(value, 'code') === 'string' &&
    typeof readProperty(value, 'toJSON') === 'function'
  )
}

function asObject(value: unknown): object {
  return typeof value === 'object' && value !== null ? value : {}
}

/** Truncates to at most `max` UTF-16 code units, marking the cut and never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= 0) return ''
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}\u2026`
}

function readString(source: object, key: string, max: number): string | undefined {
  const value = ownValue(source, key)
  return typeof value === 'string' ? truncate(value, max) : undefined
}

function readCode(source: object): string | undefined {
  const code = ownValue(source, 'code')
  return typeof code === 'string' && code.length > 0 && code.length <= DESERIALIZATION_LIMITS.maxCodeLength
    ? code
    : undefined
}

function readStatusCode(source: object): number | undefined {
  const status = ownValue(source, 'statusCode')
  return typeof status === 'number' && Number.isInteger(status) && status >= 0 && status <= 999
    ? status
    : undefined
}

function copyStack(source: object, target: Error): void {
  const stack = readString(source, 'stack', DESERIALIZATION_LIMITS.maxMessageLength)
  if (stack !== undefined) target.stack = stack
}

function sanitizeField(value: unknown): ValidationField {
  return value === 'response' ? 'response' : 'request'
}

function sanitizeIssues(value: unknown): ValidationIssue[] {
  if (!Array.isArray(value)) return []
  const issues: ValidationIssue[] = []
  const count = Math.min(value.length, DESERIALIZATION_LIMITS.maxIssues)
  for (let index = 0; index < count; index += 1) {
    const issue = sanitizeIssue(ownValue(value, index))
    if (issue !== undefined) issues.push(issue)
  }
  return issues
}

function sanitizeIssue(value: unknown): ValidationIssue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const limit = DESERIALIZATION_LIMITS.maxIssueStringLength
  const issue: ValidationIssue = {
    path: sanitizePath(ownValue(value, 'path')),
    message: readString(value, 'message', limit) ?? DEFAULT_ISSUE_MESSAGE,
  }
  const expected = readString(value, 'expected', limit)
  if (expected !== undefined) issue.expected = expected
  const received = readString(value, 'received', limit)
  if (received !== undefined) issue.received = received
  return issue
}

function sanitizePath(value: unknown): (string | number)[] {
  if (!Array.isArray(value)) return []
  const path: (string | number)[] = []
  const count = Math.min(value.length, DESERIALIZATION_LIMITS.maxPathSegments)
  for (let index = 0; index < count; index += 1) {
    const segment = ownValue(value, index)
    if (typeof segment === 'string') {
      path.push(truncate(segment, DESERIALIZATION_LIMITS.maxPathSegmentLength))
    } else if (typeof segment === 'number' && Number.isFinite(segment)) {
      path.push(segment)
    } else {
      path.push(INVALID_PATH_SEGMENT)
    }
  }
  return path
}

function copyIssue(issue: ValidationIssue): ValidationIssue {
  const copy: ValidationIssue = { path: [...issue.path], message: issue.message }
  if (issue.expected !== undefined) copy.expected = issue.expected
  if (issue.received !== undefined) copy.received = issue.received
  return copy
}

interface CloneBudget {
  nodes: number
  chars: number
}

/**
 * Copies `value` as JSON-like data (null, booleans, numbers, strings, arrays and
 * plain objects), within {@link DESERIALIZATION_LIMITS}. Objects are rebuilt as
 * plain objects through `Object.defineProperty`, so keys such as `constructor` and
 * `prototype` stay inert own data; `__proto__` keys are dropped, since consumers
 * that copy objects by assignment would turn them into prototype changes.
 * Values that JSON cannot hold, containers nested too deeply and entries past the
 * budget are left out (as `null` inside arrays, like `JSON.stringify`).
 */
function cloneDetails(value: unknown): unknown {
  const budget: CloneBudget = {
    nodes: DESERIALIZATION_LIMITS.maxDetailsNodes,
    chars: DESERIALIZATION_LIMITS.maxDetailsTotalStringLength,
  }
  return cloneValue(value, 0, budget)
}

function cloneValue(value: unknown, depth: number, budget: CloneBudget): unknown {
  if (budget.nodes <= 0) return undefined
  budget.nodes -= 1
  switch (typeof value) {
    case 'string': {
      const copy = truncate(value, Math.min(DESERIALIZATION_LIMITS.maxDetailsStringLength, budget.chars))
      budget.chars -= copy.length
      return copy
    }
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'boolean':
      return value
    case 'object':
      break
    default:
      return undefined
  }
  if (value === null) return null
  if (depth >= DESERIALIZATION_LIMITS.maxDetailsDepth) return undefined
  if (Array.isArray(value)) {
    const items: unknown[] = []
    for (let index = 0; index < value.length && budget.nodes > 0; index += 1) {
      const item = cloneValue(ownValue(value, index), depth + 1, budget)
      items.push(item === undefined ? null : item)
    }
    return items
  }
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (budget.nodes <= 0) break
    if (key === '__proto__' || key.length > DESERIALIZATION_LIMITS.maxDetailsKeyLength) continue
    if (key.length > budget.chars) break
    budget.chars -= key.length
    const item = cloneValue(ownValue(value, key), depth + 1, budget)
    if (item !== undefined) {
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true })
    }
  }
  return copy
}

function describeUnknown(value: unknown): string {
  const max = DESERIALIZATION_LIMITS.maxMessageLength
  if (typeof value === 'string') return truncate(value, max)
  if (typeof value === 'object' && value !== null) {
    const message = ownValue(value, 'message')
    if (typeof message === 'string') return truncate(message, max)
    return Object.prototype.toString.call(value)
  }
  if (typeof value === 'function') return Object.prototype.toString.call(value)
  return truncate(String(value), max)
}
