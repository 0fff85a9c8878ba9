/**
 * Release wizard actions — the Delivery and Send steps: the delivery ladder, sending (email, export, print-ready packet) with progress, the
 * one-time passphrase, unconfirmed deliveries, the failure notice and withdrawing from the outbox.
 */
import { call, toApiError } from '../../lib/call';
import { listenUntilLock } from '../../lib/stores';
import { useOutboxStore } from '../outbox/store';
import { STEP, stepFor, usableRungs, effectiveMethod, toApiErrorFromLast, type WizardKit, type WizardState } from './wizard-state';

/** The delivery actions of the wizard store (see ./store.ts), given the shared helpers. */
export function deliveryActions({ set, get, reload, loadGate }: WizardKit): Pick<WizardState, 'loadDelivery' | 'loadEmailRoute' | 'chooseMethod' | 'send' | 'showPassphrase' | 'resolveUnconfirmed' | 'failureNotice' | 'withdraw' | 'dismissOneTime'> {
  return {
    async loadDelivery() {
      const release = get().release;
      if (!release?.recipient) return;
      try {
        const delivery = await call('releases.deliveryOptions', { releaseId: release.id });
        if (get().release?.id !== release.id) return;
        const current = get().method;
        const rungs = usableRungs(delivery);
        const stillOk = current !== null && rungs.some((r) => r.method === current && r.available);
        set({ delivery, deliveryError: null, method: stillOk ? current : (release.deliveryMethod ?? delivery.defaultMethod ?? rungs.find((r) => r.available)?.method ?? null) });
      } catch (e) {
        set({ deliveryError: toApiError(e) });
      }
    },

    async loadEmailRoute() {
      try {
        const { link } = await call('practiceServer.status', {});
        set({ emailRoute: link.state === 'online' ? 'practice_online' : link.state === 'offline' ? 'practice_offline' : 'local' });
      } catch {
        // Unanswered: the sentence for a workstation on its own stays; nothing else depends on it.
      }
    },

    chooseMethod(method) {
      set({ method });
    },

    async send() {
      const release = get().release;
      if (!release || get().busy === 'send') return;
      const method = effectiveMethod(get());
      set({ busy: 'send', sendError: null, progress: null, step: STEP.send, oneTime: null, exported: null, exportFolder: null, printable: null });
      const off = listenUntilLock('progress', (p) => {
        if (p.releaseId === release.id) set({ progress: { done: p.done, total: p.total, operation: p.operation } });
      });
      try {
        if (method === 'export') {
          const out = await call('releases.export', { releaseId: release.id });
          set({
            release: out.release,
            exported: out.saved ? out.files : null,
            exportFolder: out.saved ? (out.folder ?? null) : null,
            oneTime: out.passphrase ? { passphrase: out.passphrase, staffInstructions: out.staffInstructions ?? '', via: 'export' } : null,
            step: out.saved ? STEP.send : STEP.review,
          });
          await loadGate(out.release);
        } else if (method === 'print') {
          const out = await call('releases.printable', { releaseId: release.id });
          set({ release: out.release, printable: { printableId: out.printableId, pageCount: out.pageCount } });
          await loadGate(out.release);
        } else {
          // A queued, partly sent or bounced release keeps its method: "Try now" sends the stored messages. A failed one
          // may switch method (then main prepares it again; same method and content: the stored messages).
          // A bounced one is delivered again as a new transmission, with the method chosen now.
          const prepared = release.status !== 'draft' && release.status !== 'failed' && release.status !== 'bounced';
          const out = await call('releases.send', method && !prepared ? { releaseId: release.id, method } : { releaseId: release.id });
          set({
            release: out.release,
            oneTime: out.passphrase ? { passphrase: out.passphrase, staffInstructions: out.staffInstructions ?? '', via: 'send' } : null,
            // The mail server's answer is in the release: a permanent failure shows as the send error.
            sendError: out.release.status === 'failed' && out.release.lastError ? toApiErrorFromLast(out.release.lastError) : null,
          });
          await loadGate(out.release);
        }
      } catch (e) {
        set({ sendError: toApiError(e) });
        try {
          await reload(release.id);
        } catch {
          /* keep the release we have */
        }
      } finally {
        off();
        set({ busy: null, progress: null });
        // The navigation's outbox count follows at once (it also refreshes by itself).
        void useOutboxStore.getState().load();
      }
    },

    async showPassphrase() {
      const release = get().release;
      if (!release) return;
      try {
        const out = await call('releases.revealPassphrase', { releaseId: release.id });
        set({ oneTime: { passphrase: out.passphrase, staffInstructions: out.staffInstructions, via: 'send' }, error: null });
      } catch (e) {
        set({ error: toApiError(e) });
      }
    },

    async resolveUnconfirmed(choice) {
      const release = get().release;
      if (!release || get().busy) return;
      set({ busy: 'send', sendError: null, error: null });
      try {
        const r = await call('releases.resolveUnconfirmed', { releaseId: release.id, choice });
        set({ release: r, sendError: r.status === 'failed' && r.lastError ? toApiErrorFromLast(r.lastError) : null });
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    async failureNotice() {
      const release = get().release;
      if (!release || get().busy) return;
      set({ busy: 'send', error: null });
      try {
        const n = await call('releases.failureNotice', { releaseId: release.id });
        set({ notice: { language: n.language, saved: n.saved } });
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    async withdraw(how) {
      const release = get().release;
      if (!release || get().busy) return;
      set({ busy: 'send', error: null });
      try {
        const r = await call('releases.withdraw', { releaseId: release.id, how });
        set({ release: r, sendError: null, step: stepFor(r) });
        await loadGate(r);
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    dismissOneTime() {
      const { oneTime, release } = get();
      set({ oneTime: null });
      // A sent password PDF's passphrase is kept in the vault until staff gave it to the recipient: erase it now.
      if (oneTime?.via === 'send' && release) void call('releases.passphraseGiven', { releaseId: release.id }).catch(() => undefined);
    },
  };
}
