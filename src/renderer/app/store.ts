/**
 * App-level state: what `app.info` says (mode, vault state, practice) and which
 * screen is shown. Screens are few, so navigation is a tagged union, not a router. After unlock (and after a lock)
 * the home screen is the compliance dashboard ("Today").
 */
import { create } from 'zustand';
import type { ChannelOutput } from '../../shared/contract';
import { call, toApiError, type ApiError } from '../lib/call';

export type AppInfo = ChannelOutput<'app.info'>;
export type Screen =
  | { name: 'dashboard' }
  | { name: 'requests' }
  | { name: 'intake' }
  | { name: 'request'; requestId: string }
  | { name: 'releases' }
  | { name: 'outbox' }
  | { name: 'wizard'; releaseId: string | null }
  | { name: 'audit' }
  | { name: 'settings' };

interface AppState {
  info: AppInfo | null;
  error: ApiError | null;
  screen: Screen;
  /** Re-reads `app.info` (after setup, unlock, lock). */
  refresh: () => Promise<void>;
  navigate: (screen: Screen) => void;
  /** Locks the vault (`vault.lock`) and returns to the unlock screen. */
  lock: () => Promise<void>;
}

export const useAppStore = create<AppState>((set, get) => ({
  info: null,
  error: null,
  screen: { name: 'dashboard' },
  async refresh() {
    try {
      set({ info: await call('app.info', {}), error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
  navigate(screen) {
    set({ screen });
  },
  async lock() {
    try {
      await call('vault.lock', {});
    } finally {
      set({ screen: { name: 'dashboard' } });
      await get().refresh();
    }
  },
}));
