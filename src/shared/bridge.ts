/**
 * The typed bridge between the preload and the renderer.
 *
 * The preload (src/preload/preload.ts) exposes exactly this shape on `window`
 * through `contextBridge.exposeInMainWorld`: `window.rpc` (one function per contract
 * channel, answering the result envelope) and `window.apiEvents`. The renderer
 * calls `window.api`, which src/shared/api-client.ts builds over `window.rpc` in
 * the page's own world (values in, values out, a typed ApiError thrown). All are
 * derived from src/shared/contract.ts, so the bridge never needs a hand-written
 * list of channels.
 */
import type { ApiWire, EventName, EventPayload } from './contract';

/** Stops delivering an event to the listener it was returned for. Idempotent. */
export type Unsubscribe = () => void;

/**
 * Events main pushes to the renderer (see `events` in the contract).
 * `on(name, cb)` calls `cb(payload)` with the payload only: the Electron
 * IpcRendererEvent (which carries `sender`, i.e. ipcRenderer itself) is
 * stripped in the preload and never reaches the renderer.
 */
export interface ApiEvents {
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): Unsubscribe;
}

/** Everything the preload puts on `window`. */
export interface Bridge {
  rpc: ApiWire;
  apiEvents: ApiEvents;
}

/** The `window` keys the preload exposes, in the order it exposes them. */
export const BRIDGE_KEYS = ['rpc', 'apiEvents'] as const satisfies readonly (keyof Bridge)[];

/**
 * Electron IPC channel for a main -> renderer event: `rd-event:<name>`
 * (a separate namespace from the `rd:` request channels of `ipcChannel`).
 */
export const eventChannel = (name: EventName): `rd-event:${EventName}` => `rd-event:${name}`;
