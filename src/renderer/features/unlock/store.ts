/** Unlocking the vault (`vault.unlock`) as one staff account, and enrolling in two-step sign-in (`accounts.startMfa`, `accounts.confirmMfa`). */
import { defineStore } from '../../lib/stores';
import type { ChannelOutput } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

import { rememberUser } from '../../lib/last-user';

export { LAST_USER_KEY, lastUser } from '../../lib/last-user';

interface UnlockState {
  busy: boolean;
  error: ApiError | null;
  /**
   * Resolves true when the vault opened. Wrong name or passphrase → error.code WRONG_PASSPHRASE; an account with
   * two-step sign-in without `code` → MFA_REQUIRED; a wrong code → MFA_INVALID.
   */
  unlock: (username: string, passphrase: string, code?: string) => Promise<boolean>;
  clearError: () => void;
  /** Starts TOTP enrollment (RFC 6238) for the signed-in account: the secret and its otpauth:// URI. @throws ApiError */
  startMfa: () => Promise<ChannelOutput<'accounts.startMfa'>>;
  /** Confirms enrollment with the 6-digit code the app shows; resolves with the ten one-time recovery codes. @throws ApiError */
  confirmMfa: (code: string) => Promise<ChannelOutput<'accounts.confirmMfa'>>;
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
  startMfa: () => call('accounts.startMfa', {}),
  confirmMfa: (code) => call('accounts.confirmMfa', { code: code.trim() }),
}));
