{{ header }}
/**
 * The global the Electron preload (`preload.electron.ts`) defines in the
 * renderer: `window.{{ api_name }}`, the bridge of per-channel functions.
 * Renderer code should use the typed `api` of `renderer.electron.ts`, which
 * is built over it.
 *
 * @module
 */

/**
 * What the preload exposes: one function per contract channel, nothing else
 * (never `ipcRenderer` or a generic send or invoke). Invoke functions
 * resolve with the main side's reply envelope; errors travel as data
 * because Electron drops the properties of errors it passes between
 * worlds.
 */
export interface IpcBridge {
  /** Sends an invoke request; resolves with the reply envelope. */
  readonly invoke: Readonly<Record<string, (payload: unknown) => Promise<unknown>>>
  /** Sends a one-way message. */
  readonly send: Readonly<Record<string, (payload: unknown) => void>>
  /** Listens to an event; returns a function that removes the listener. */
  readonly subscribe: Readonly<Record<string, (listener: (payload: unknown) => void) => () => void>>
}

declare global {
  interface Window {
    /** The IPC bridge of the preload; absent when the preload did not run. */
    readonly {{ api_name }}?: IpcBridge
  }
}
