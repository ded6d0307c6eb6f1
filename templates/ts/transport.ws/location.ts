// --- The URL and the per-launch secret -------------------------------------

/** A secret is hex, 128 to 2048 bits. */
const SECRET_PATTERN = /^[0-9a-fA-F]{32,512}$/

/**
 * The default IPC WebSocket URL: the page's own host and port with path `{{ prose.path }}`,
 * `ws:` for `http:` pages and `wss:` for `https:` pages. `undefined` when there is
 * no page location or it is not http(s).
 */
export function defaultWebSocketUrl(
  location: Pick<LocationLike, 'protocol' | 'host'> | undefined = browserObject<LocationLike>('location'),
): string | undefined {
  if (location === undefined) return undefined
  const protocol = location.protocol === 'http:' ? 'ws:' : location.protocol === 'https:' ? 'wss:' : undefined
  if (protocol === undefined || typeof location.host !== 'string' || location.host === '') return undefined
  return `${protocol}//${location.host}${WS_PATH}`
}

/** The part of `Location` that {@link takeSecretFromLocation} uses. */
export interface LocationLike {
  readonly href: string
  readonly hash: string
  readonly protocol: string
  readonly host: string
}

/** The part of `History` that {@link takeSecretFromLocation} uses. */
export interface HistoryLike {
  readonly state: unknown
  replaceState(data: unknown, unused: string, url?: string | null): void
}

/** The part of `Storage` that {@link takeSecretFromLocation} uses. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Where {@link takeSecretFromLocation} looks; missing members are treated as unavailable. */
export interface SecretEnvironment {
  location?: LocationLike | undefined
  history?: HistoryLike | undefined
  sessionStorage?: StorageLike | undefined
}

/**
 * Takes the per-launch secret the main side put in the address fragment
 * (`#{{ prose.secret_fragment_key }}=<hex>`): removes every `{{ prose.secret_fragment_key }}` entry from the address bar
 * with `history.replaceState` (keeping the history state and the rest of the
 * fragment, whose `&`-separated parts are kept in order) and keeps the secret in
 * `sessionStorage` under {@link SECRET_STORAGE_KEY}, so that a reload of the same
 * tab still connects. Without a valid secret in the fragment, returns the stored
 * one. Returns `undefined` when neither holds a valid secret (hex, 32 to 512
 * digits). Never throws.
 *
 * @param environment - Where to look; default the page's `location`, `history`
 * and `sessionStorage`.
 */
export function takeSecretFromLocation(environment: SecretEnvironment = browserEnvironment()): string | undefined {
  const { location, history, sessionStorage: storage } = environment
  let secret: string | undefined
  const hash = location === undefined ? '' : attempt(() => location.hash) ?? ''
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash
  if (location !== undefined && fragment !== '') {
    const kept: string[] = []
    let found = false
    for (const part of fragment.split('&')) {
      const separator = part.indexOf('=')
      const key = separator === -1 ? part : part.slice(0, separator)
      if (key !== SECRET_FRAGMENT_KEY) {
        if (part !== '') kept.push(part)
        continue
      }
      found = true
      const value = separator === -1 ? '' : part.slice(separator + 1)
      if (secret === undefined && isValidSecret(value)) secret = value
    }
    if (found && history !== undefined) {
      attempt(() => {
        const href = location.href
        const cut = href.indexOf('#')
        const base = cut === -1 ? href : href.slice(0, cut)
        const rest = kept.join('&')
        history.replaceState(history.state, '', rest === '' ? base : `${base}#${rest}`)
      })
    }
  }
  if (secret !== undefined) {
    const taken = secret
    attempt(() => storage?.setItem(SECRET_STORAGE_KEY, taken))
    return taken
  }
  const stored = attempt(() => storage?.getItem(SECRET_STORAGE_KEY))
  return typeof stored === 'string' && isValidSecret(stored) ? stored : undefined
}

function isValidSecret(value: string): boolean {
  return SECRET_PATTERN.test(value)
}


function browserObject<T extends object>(name: string): T | undefined {
  const value = attempt(() => (globalThis as Record<string, unknown>)[name])
  return typeof value === 'object' && value !== null ? (value as T) : undefined
}

function browserEnvironment(): SecretEnvironment {
  return {
    location: browserObject<LocationLike>('location'),
    history: browserObject<HistoryLike>('history'),
    sessionStorage: browserObject<StorageLike>('sessionStorage'),
  }
}
