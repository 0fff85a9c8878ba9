/**
 * The outbox (`releases.outbox`): releases waiting for the mail server, being sent, unconfirmed, failed or partly
 * sent, refreshed every few seconds while the app is unlocked, and what staff can do with each.
 */
import { defineStore } from '../../lib/stores';
import type { OutboxEntryT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

interface OutboxState {
  entries: OutboxEntryT[] | null;
  error: ApiError | null;
  /** The release an action is running for (its buttons show busy). */
  busyId: string | null;
  load: () => Promise<void>;
  /** Deliver now ("Try now"): the stored messages, with the release's own method. */
  tryNow: (releaseId: string) => Promise<void>;
  pause: (releaseId: string, paused: boolean) => Promise<void>;
  resolve: (releaseId: string, choice: 'recipient_confirmed' | 'resend') => Promise<void>;
  withdraw: (releaseId: string, how: 'withdraw' | 'cancel') => Promise<void>;
}

/** Entries that need a person (not just waiting): unconfirmed, failed, partly sent, bounced. */
export function needsAttention(e: OutboxEntryT): boolean {
  return e.status !== 'queued' && e.status !== 'sending';
}

export const useOutboxStore = defineStore<OutboxState>('outbox', (set, get) => {
  const act = async (releaseId: string, run: () => Promise<unknown>) => {
    if (get().busyId) return;
    set({ busyId: releaseId, error: null });
    try {
      await run();
    } catch (e) {
      set({ error: toApiError(e) });
    } finally {
      set({ busyId: null });
      await get().load();
    }
  };
  return {
    entries: null,
    error: null,
    busyId: null,
    async load() {
      try {
        set({ entries: await call('releases.outbox', {}) });
      } catch (e) {
        set({ error: toApiError(e) });
      }
    },
    tryNow: (releaseId) => act(releaseId, () => call('releases.send', { releaseId })),
    pause: (releaseId, paused) => act(releaseId, () => call('releases.pauseQueue', { releaseId, paused })),
    resolve: (releaseId, choice) => act(releaseId, () => call('releases.resolveUnconfirmed', { releaseId, choice })),
    withdraw: (releaseId, how) => act(releaseId, () => call('releases.withdraw', { releaseId, how })),
  };
});
