/**
 * App-level state: what `app.info` says (mode, vault state, practice, signed-in staff member) and which
 * screen is shown. Screens are few, so navigation is a tagged union, not a router. After unlock (and after a lock)
 * the home screen is the compliance dashboard ("Today").
 *
 * It lives in lib/ (not app/) so that features read it without importing upward: features and components import
 * lib/ and components/, app/ imports features, never the reverse.
 */
import type { ChannelOutput } from '../../shared/contract';
import { call, toApiError, type ApiError } from './call';
import { rememberUser } from './last-user';
import { defineStore, resetAllStores } from './stores';

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

/** Why the screen locked, shown on the unlock screen; null after a manual Lock or once unlocked. */
export type LockNotice = { reason: 'idle'; idleMinutes: number };

interface AppState {
  info: AppInfo | null;
  error: ApiError | null;
  screen: Screen;
  lockNotice: LockNotice | null;
  /** Re-reads `app.info` (after setup, unlock, lock). Clears the lock notice once the vault is unlocked. */
  refresh: () => Promise<void>;
  navigate: (screen: Screen) => void;
  /**
   * Locks: first every store is emptied ({@link resetAllStores}: no PHI left in renderer memory, the unlock screen
   * shown at once), then main closes the vault (`vault.lock`) and `app.info` is re-read. `notice` (idle lock) is
   * kept for the unlock screen. Never throws: if `vault.lock` fails the screen still stays locked until
   * `app.info` says otherwise.
   */
  lock: (notice?: LockNotice) => Promise<void>;
}

export const useAppStore = defineStore<AppState>('app', (set, get) => ({
  info: null,
  error: null,
  screen: { name: 'dashboard' },
  lockNotice: null,
  async refresh() {
    try {
      const info = await call('app.info', {});
      if (info.user) rememberUser(info.user.name); // prefilled on the unlock screen after Lock or the idle lock
      set(info.vault === 'unlocked' ? { info, error: null, lockNotice: null } : { info, error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
  navigate(screen) {
    set({ screen });
  },
  async lock(notice) {
    const before = get().info;
    resetAllStores();
    // The unlock screen at once (practice name only); app.info below confirms what main says.
    set({ info: before ? { ...before, vault: 'locked', staffName: null } : null, lockNotice: notice ?? null });
    try {
      await call('vault.lock', {});
    } catch {
      // Shown as locked regardless; refresh() tells the truth.
    } finally {
      await get().refresh();
    }
  },
}));
