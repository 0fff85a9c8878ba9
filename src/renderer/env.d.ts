/**
 * Globals the renderer sees.
 *
 * `window.api` / `window.apiEvents` are installed by the Electron preload
 * (contextBridge) or, in the browser preview only, by `platform/preview-bridge`.
 * `__PREVIEW__` is replaced at build time by vite.renderer.config.ts.
 */
import type { Api, EventName, EventPayload } from '../shared/contract';

declare global {
  /** True only in the `--mode preview` build served by the 127.0.0.1 test host. */
  const __PREVIEW__: boolean;

  /** Subscription to events main pushes (see `events` in src/shared/contract.ts). */
  interface RendererApiEvents {
    /** Subscribe to `name`; returns a function that unsubscribes. */
    on<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void;
  }

  interface Window {
    api: Api;
    apiEvents: RendererApiEvents;
  }
}

export {};
