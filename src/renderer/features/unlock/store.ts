/** Unlocking the vault (`vault.unlock`) as one staff account. */
import { defineStore } from '../../lib/stores';
import { call, toApiError, type ApiError } from '../../lib/call';

/** localStorage key of the last sign-in name (a staff name, never PHI), to prefill the unlock screen. */
export const LAST_USER_KEY = 'releasedesk.lastUser';

/** The last name that signed in on this computer, or ''. */
export function lastUser(): string {
  try {
    return window.localStorage.getItem(LAST_USER_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Remember the signed-in staff member's name for the next unlock (after Lock or the idle lock). */
export function rememberUser(name: string): void {
  try {
    window.localStorage.setItem(LAST_USER_KEY, name);
  } catch {
    // storage unavailable: nothing to prefill next time
  }
}

interface UnlockState {
  busy: boolean;
  error: ApiError | null;
  /**
   * Resolves true when the vault opened. Wrong name or passphrase → error.code WRONG_PASSPHRASE; an account with
   * two-step sign-in without `code` → MFA_REQUIRED; a wrong code → MFA_INVALID.
   */
  unlock: (username: string, passphrase: string, code?: string) => Promise<boolean>;
  clearError: () => void;
}

export const useUnlockStore = defineStore<UnlockState>('unlock', (set) => ({
  busy: false,
  error: null,
  async unlock(username, passphrase, code) {
    set({ busy: true, error: null });
    try {
      const name = username.trim();
      await call('vault.unlock', { passphrase, ...(name ? { username: name } : {}), ...(code ? { code: code.trim() } : {}) });
      if (name) rememberUser(name);
      set({ busy: false });
      return true;
    } catch (e) {
      set({ busy: false, error: toApiError(e) });
      return false;
    }
  },
  clearError: () => set({ error: null }),
}));
