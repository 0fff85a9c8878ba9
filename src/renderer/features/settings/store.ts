/**
 * The Settings screen's data and calls (`settings.*`): the settings as `settings.get` returns them, and the saves of
 * the outgoing email server, the message size limit, the practice details and the practice key file, your own account
 * and the staff accounts. Sections keep
 * only what is being typed; every call to main goes through this store, which the lock empties (lib/stores.ts).
 */
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';
import { defineStore } from '../../lib/stores';

export type Settings = ChannelOutput<'settings.get'>;
export type Practice = Settings['practice'];

interface SettingsState {
  settings: Settings | null;
  loadError: ApiError | null;
  /** (Re)reads `settings.get`; `fresh` first forgets what was shown (the screen opens on "Loading settings…"). */
  load: (fresh?: boolean) => Promise<void>;
  /** `settings.updateSmtp`; resolves with the stored server (never the password). @throws ApiError */
  saveSmtp: (input: ChannelInput<'settings.updateSmtp'>) => Promise<ChannelOutput<'settings.updateSmtp'>>;
  /** `settings.setDelivery`; resolves with the stored limit in bytes. @throws ApiError */
  saveMessageLimit: (messageLimitBytes: number) => Promise<number>;
  /** `settings.updatePractice`; the saved practice replaces the shown one. @throws ApiError */
  savePractice: (input: ChannelInput<'settings.updatePractice'>) => Promise<Practice>;
  /** `settings.exportPracticeKey`: the public key file; false when staff cancelled the save dialog. @throws ApiError */
  exportPracticeKey: () => Promise<boolean>;
  /** Signs in to the SMTP server and out again, sending nothing (`settings.testSmtp`; also used by Setup). @throws ApiError */
  testSmtp: (input: ChannelInput<'settings.testSmtp'>) => Promise<ChannelOutput<'settings.testSmtp'>>;
  /** Replaces the practice OpenPGP key with one the practice already has (`settings.importPracticeKey`). @throws ApiError */
  importPracticeKey: (input: ChannelInput<'settings.importPracticeKey'>) => Promise<ChannelOutput<'settings.importPracticeKey'>>;
  /** The practice S/MIME certificate (`settings.smimeCertificate`; null when none yet), made here or imported. @throws ApiError */
  smimeCertificate: () => Promise<ChannelOutput<'settings.smimeCertificate'>>;
  createSmimeCertificate: (input: ChannelInput<'settings.createSmimeCertificate'>) => Promise<ChannelOutput<'settings.createSmimeCertificate'>>;
  importSmimeCertificate: (input: ChannelInput<'settings.importSmimeCertificate'>) => Promise<ChannelOutput<'settings.importSmimeCertificate'>>;
  /** The certificate revocation lists in the vault (`settings.smimeCrls`), and importing one (`settings.importSmimeCrl`). @throws ApiError */
  smimeCrls: () => Promise<ChannelOutput<'settings.smimeCrls'>>;
  importSmimeCrl: (input: ChannelInput<'settings.importSmimeCrl'>) => Promise<ChannelOutput<'settings.importSmimeCrl'>>;
  /** The bounce mailbox (IMAP over TLS; the password never comes back). @throws ApiError */
  getBounceMailbox: () => Promise<ChannelOutput<'settings.getBounceMailbox'>>;
  updateBounceMailbox: (input: ChannelInput<'settings.updateBounceMailbox'>) => Promise<ChannelOutput<'settings.updateBounceMailbox'>>;
  testBounceMailbox: (input: ChannelInput<'settings.testBounceMailbox'>) => Promise<ChannelOutput<'settings.testBounceMailbox'>>;
  /** Reads the bounce mailbox now (`bounces.checkNow`). @throws ApiError */
  checkBouncesNow: () => Promise<ChannelOutput<'bounces.checkNow'>>;
  /** The signed-in account (`accounts.me`) and changing its passphrase (`accounts.changePassphrase`, current one checked). @throws ApiError */
  me: () => Promise<ChannelOutput<'accounts.me'>>;
  changePassphrase: (input: ChannelInput<'accounts.changePassphrase'>) => Promise<ChannelOutput<'accounts.changePassphrase'>>;
  /**
   * Staff accounts (administrator only): the list, adding a person, changing a role, deactivating, resetting a
   * passphrase (`accounts.*`), and the practice's security settings (`settings.getSecurity`, `settings.setSecurity`:
   * require two-step sign-in, two-person rule). @throws ApiError
   */
  staff: () => Promise<ChannelOutput<'accounts.list'>>;
  /** Which accounts are practice-wide and where each signed in (`accounts.practiceStaff`). @throws ApiError */
  practiceStaff: () => Promise<ChannelOutput<'accounts.practiceStaff'>>;
  addStaff: (input: ChannelInput<'accounts.add'>) => Promise<ChannelOutput<'accounts.add'>>;
  setRole: (input: ChannelInput<'accounts.setRole'>) => Promise<ChannelOutput<'accounts.setRole'>>;
  deactivate: (input: ChannelInput<'accounts.deactivate'>) => Promise<ChannelOutput<'accounts.deactivate'>>;
  resetPassphrase: (input: ChannelInput<'accounts.resetPassphrase'>) => Promise<ChannelOutput<'accounts.resetPassphrase'>>;
  getSecurity: () => Promise<ChannelOutput<'settings.getSecurity'>>;
  setSecurity: (input: ChannelInput<'settings.setSecurity'>) => Promise<ChannelOutput<'settings.setSecurity'>>;
}

/** Runs a call, turning anything thrown into an ApiError (PHI-free, coded). */
async function coded<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toApiError(e);
  }
}

export const useSettingsStore = defineStore<SettingsState>('settings', (set, get) => ({
  settings: null,
  loadError: null,
  async load(fresh = false) {
    if (fresh) set({ settings: null, loadError: null });
    try {
      set({ settings: await call('settings.get', {}), loadError: null });
    } catch (e) {
      set({ loadError: toApiError(e) });
    }
  },
  async saveSmtp(input) {
    const shown = await coded(call('settings.updateSmtp', input));
    const s = get().settings;
    if (s) set({ settings: { ...s, smtp: shown } });
    return shown;
  },
  async saveMessageLimit(messageLimitBytes) {
    const d = await coded(call('settings.setDelivery', { messageLimitBytes }));
    const s = get().settings;
    if (s) set({ settings: { ...s, delivery: { ...s.delivery, messageLimitBytes: d.messageLimitBytes } } });
    return d.messageLimitBytes;
  },
  async savePractice(input) {
    const practice = await coded(call('settings.updatePractice', input));
    const s = get().settings;
    if (s) set({ settings: { ...s, practice } });
    return practice;
  },
  async exportPracticeKey() {
    return (await coded(call('settings.exportPracticeKey', {}))).saved;
  },
  testSmtp: (input) => coded(call('settings.testSmtp', input)),
  importPracticeKey: (input) => coded(call('settings.importPracticeKey', input)),
  smimeCertificate: () => coded(call('settings.smimeCertificate', {})),
  createSmimeCertificate: (input) => coded(call('settings.createSmimeCertificate', input)),
  importSmimeCertificate: (input) => coded(call('settings.importSmimeCertificate', input)),
  smimeCrls: () => coded(call('settings.smimeCrls', {})),
  importSmimeCrl: (input) => coded(call('settings.importSmimeCrl', input)),
  getBounceMailbox: () => coded(call('settings.getBounceMailbox', {})),
  updateBounceMailbox: (input) => coded(call('settings.updateBounceMailbox', input)),
  testBounceMailbox: (input) => coded(call('settings.testBounceMailbox', input)),
  checkBouncesNow: () => coded(call('bounces.checkNow', {})),
  me: () => coded(call('accounts.me', {})),
  changePassphrase: (input) => coded(call('accounts.changePassphrase', input)),
  staff: () => coded(call('accounts.list', {})),
  practiceStaff: () => coded(call('accounts.practiceStaff', {})),
  addStaff: (input) => coded(call('accounts.add', input)),
  setRole: (input) => coded(call('accounts.setRole', input)),
  deactivate: (input) => coded(call('accounts.deactivate', input)),
  resetPassphrase: (input) => coded(call('accounts.resetPassphrase', input)),
  getSecurity: () => coded(call('settings.getSecurity', {})),
  setSecurity: (input) => coded(call('settings.setSecurity', input)),
}));
