/** Unlocking the vault (`vault.unlock`). */
import { defineStore } from '../../lib/stores';
import { call, toApiError, type ApiError } from '../../lib/call';

interface UnlockState {
  busy: boolean;
  error: ApiError | null;
  /** Resolves true when the vault opened. Wrong passphrase → error.code WRONG_PASSPHRASE. */
  unlock: (passphrase: string) => Promise<boolean>;
  clearError: () => void;
}

export const useUnlockStore = defineStore<UnlockState>('unlock', (set) => ({
  busy: false,
  error: null,
  async unlock(passphrase) {
    set({ busy: true, error: null });
    try {
      await call('vault.unlock', { passphrase });
      set({ busy: false });
      return true;
    } catch (e) {
      set({ busy: false, error: toApiError(e) });
      return false;
    }
  },
  clearError: () => set({ error: null }),
}));
