/**
 * Forward service events (progress of long work) to the main window:
 * `webContents.send('rd-event:<name>', payload)`, which the preload hands to
 * `window.apiEvents.on(name, cb)` listeners.
 */
import type { WebContents } from 'electron';
import { events, type EventName } from '../../shared/contract';
import { eventChannel } from '../../shared/bridge';
import type { Logger } from '../services/support/logger';

/** Anything with `on(listener) -> unsubscribe`, e.g. services.events (EventBus). */
export interface EventSource {
  on(listener: (name: EventName, payload: unknown) => void): () => unknown;
}

/**
 * Subscribe to `source` and send each event to `getWebContents()` if it exists
 * and is not destroyed. Names not in the contract's `events` and payloads that
 * fail its schema are dropped (and logged by name), so nothing unexpected —
 * PHI included — can ride along.
 * @returns unsubscribe
 */
export function forwardEvents(source: EventSource, getWebContents: () => WebContents | null, logger: Logger): () => void {
  const off = source.on((name, payload) => {
    const schema = (events as Record<string, (typeof events)[EventName] | undefined>)[name];
    const parsed = schema?.safeParse(payload);
    if (!parsed?.success) {
      logger.warn('events.dropped_invalid', { name: String(name) });
      return;
    }
    const wc = getWebContents();
    if (!wc || wc.isDestroyed()) return;
    wc.send(eventChannel(name), parsed.data);
  });
  return () => {
    off();
  };
}
