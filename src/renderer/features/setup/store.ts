/**
 * First-run setup: passphrase strength (from main's zxcvbn, `setup.checkPassphrase`)
 * and the vault creation (`setup.createVault`), or restoring a backup instead (`backup.restore`). Form values live in
 * the form.
 */
import { defineStore } from '../../lib/stores';
import type { ChannelInput, ChannelOutput, KeyInfoT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

export type Strength = ChannelOutput<'setup.checkPassphrase'>;

interface SetupState {
  strength: Strength | null;
  /** The passphrase `strength` was computed for (so a stale answer is never shown for a newer value). */
  strengthFor: string;
  creating: boolean;
  practiceKey: KeyInfoT | null;
  error: ApiError | null;
  checkPassphrase: (passphrase: string, hints: string[]) => Promise<void>;
  createVault: (input: ChannelInput<'setup.createVault'>) => Promise<void>;
  /**
   * `recipients.checkEmail` for the sender address (typo suggestion like "gmial.com", look-alike warning). Advisory:
   * when main cannot answer, the address counts as valid with nothing to suggest. Never throws.
   */
  checkSender: (email: string) => Promise<EmailCheck>;
  /**
   * Restores an encrypted backup into the empty data folder (`backup.restore`; main opens the folder chooser, so call
   * it inside the click or submit). Resolves `{ restored: false }` when staff cancelled the chooser. @throws ApiError
   */
  restoreBackup: (passphrase: string) => Promise<ChannelOutput<'backup.restore'>>;
}

export type EmailCheck = ChannelOutput<'recipients.checkEmail'>;

export const useSetupStore = defineStore<SetupState>('setup', (set, get) => ({
  strength: null,
  strengthFor: '',
  creating: false,
  practiceKey: null,
  error: null,
  async checkPassphrase(passphrase, hints) {
    if (!passphrase) {
      set({ strength: null, strengthFor: '' });
      return;
    }
    try {
      const strength = await call('setup.checkPassphrase', { passphrase, hints: hints.filter(Boolean).slice(0, 10) });
      set({ strength, strengthFor: passphrase });
    } catch {
      // Strength is advisory here; createVault enforces it in main (WEAK_PASSPHRASE).
    }
  },
  async checkSender(email) {
    try {
      return await call('recipients.checkEmail', { email });
    } catch {
      return { valid: true, suggestion: null, problem: null, warning: null };
    }
  },
  restoreBackup: (passphrase) => call('backup.restore', { passphrase }),
  async createVault(input) {
    if (get().creating) return;
    set({ creating: true, error: null });
    try {
      const { practiceKey } = await call('setup.createVault', input);
      set({ practiceKey, creating: false });
    } catch (e) {
      set({ error: toApiError(e), creating: false });
    }
  },
}));
