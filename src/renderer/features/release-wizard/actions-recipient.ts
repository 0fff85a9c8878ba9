/**
 * Release wizard actions — the Recipient step: the address check, the recipient's OpenPGP key or S/MIME certificate (inspected, imported,
 * fingerprint confirmed) and saving the recipient.
 */
import type { ReleaseDetailT } from '../../../shared/contract';
import { call, toApiError } from '../../lib/call';
import { STEP, type WizardKit, type WizardState } from './wizard-state';

/** The recipient actions of the wizard store (see ./store.ts), given the shared helpers. */
export function recipientActions({ set, get, loadGate, attempt }: WizardKit): Pick<WizardState, 'checkEmail' | 'inspectKey' | 'clearKey' | 'setRecipient' | 'importCertificate' | 'confirmCertificate'> {
  /**
   * A step of the recipient's S/MIME certificate (import, fingerprint confirmed): the release comes back with the
   * certificate's facts and the delivery ladder is asked again; a refusal becomes `certificateError`. Resolves true on success.
   */
  const certificateAction = async (run: (releaseId: string) => Promise<ReleaseDetailT>): Promise<boolean> => {
    const release = get().release;
    if (!release) return false;
    set({ busy: 'certificate', certificateError: null });
    try {
      set({ release: await run(release.id), delivery: null, method: null });
      return true;
    } catch (e) {
      set({ certificateError: toApiError(e) });
      return false;
    } finally {
      set({ busy: null });
    }
  };
  return {
    async checkEmail(email) {
      const trimmed = email.trim();
      if (!trimmed) {
        set({ emailCheck: null });
        return;
      }
      try {
        const check = await call('recipients.checkEmail', { email: trimmed });
        set({ emailCheck: { ...check, email: trimmed } });
      } catch (e) {
        set({ error: toApiError(e) });
      }
    },

    async inspectKey(armoredKey) {
      if (!armoredKey.trim()) {
        set({ key: null, keyError: null });
        return;
      }
      set({ busy: 'key', key: null, keyError: null });
      try {
        set({ key: await call('recipients.inspectKey', { armoredKey }) });
      } catch (e) {
        set({ keyError: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    clearKey() {
      set({ key: null, keyError: null });
    },

    async setRecipient(r) {
      const release = get().release;
      if (!release) return false;
      return attempt(
        'recipient',
        async () => {
          const updated = await call('releases.setRecipient', { releaseId: release.id, ...r });
          set({ release: updated, step: STEP.delivery, delivery: null, method: null });
          await loadGate(updated);
          return true;
        },
        false,
      );
    },

    importCertificate: (certificate) =>
      certificateAction((releaseId) => call('releases.importRecipientCertificate', { releaseId, certificate })),

    confirmCertificate: (fingerprint, acceptUntrusted, options = {}) =>
      certificateAction((releaseId) =>
        call('releases.confirmRecipientCertificate', {
          releaseId,
          fingerprint,
          acceptUntrusted,
          acceptRevocationUnknown: options.acceptRevocationUnknown ?? false,
          modernAlgorithms: options.modernAlgorithms ?? false,
        }),
      ),
  };
}
