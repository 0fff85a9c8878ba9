/**
 * Global typing of what the preload exposes, for the renderer:
 * `window.api['releases.get']({ id })` and `window.apiEvents.on('progress', cb)`.
 * Included through tsconfig's `include: ["src", ...]`; no import needed.
 */
import type { Api } from './contract';
import type { ApiEvents } from './bridge';

declare global {
  interface Window {
    api: Api;
    apiEvents: ApiEvents;
  }
}

export {};
