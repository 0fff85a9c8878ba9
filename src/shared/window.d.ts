/**
 * Global typing of what the preload exposes, for the renderer:
 * `window.api['releases.get']({ id })` and `window.apiEvents.on('progress', cb)`;
 * `window.rpc` is the envelope transport the preload exposes (src/shared/bridge.ts).
 * Included through tsconfig's `include: ["src", ...]`; no import needed.
 */
import type { Api, ApiWire } from './contract';
import type { ApiEvents } from './bridge';

declare global {
  interface Window {
    /** Values in, values out; throws ApiError (src/shared/api-client.ts), installed by the renderer at start. */
    api: Api;
    /** The transport under `window.api` (the preload's IPC, or the preview's HTTP bridge); absent until installed. */
    rpc?: ApiWire;
    apiEvents: ApiEvents;
  }
}

export {};
