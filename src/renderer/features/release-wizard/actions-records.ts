/**
 * Release wizard actions — the Records step: importing record files (picked, dropped, unlocked), removing them, classifying them and
 * recording why an out-of-scope document is needed (minimum necessary, 164.514(d)).
 */
import { call, toApiError } from '../../lib/call';
import { type WizardKit, type WizardState } from './wizard-state';

/** The records actions of the wizard store (see ./store.ts), given the shared helpers. */
export function recordsActions({ set, get, reload, loadGate, attempt }: WizardKit): Pick<WizardState, 'pickDocuments' | 'runImport' | 'removeDocument' | 'classify' | 'overrideScope'> {
  return {
    pickDocuments() {
      const release = get().release;
      if (!release) return Promise.resolve();
      set({ busy: 'pick', error: null, rejected: [] });
      const pending = call('documents.pick', { releaseId: release.id }); // synchronous invocation: keeps the gesture
      return (async () => {
        try {
          const { rejected } = await pending;
          set({ rejected });
          await reload(release.id);
        } catch (e) {
          set({ error: toApiError(e) });
        } finally {
          set({ busy: null });
        }
      })();
    },

    async runImport(action, settles) {
      const release = get().release;
      if (!release) return;
      set({ busy: 'pick', error: null, ...(settles ? {} : { rejected: [] }) });
      try {
        const { rejected } = await action();
        set({ rejected: settles ? [...get().rejected.filter((r) => r.passwordRequestId !== settles), ...rejected] : rejected });
        await reload(release.id);
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    async removeDocument(documentId) {
      const release = get().release;
      if (!release) return;
      await attempt(
        'remove',
        async () => {
          const updated = await call('documents.remove', { releaseId: release.id, documentId });
          set({ release: updated });
          await loadGate(updated);
        },
        undefined,
      );
    },

    async classify(documentId, category, documentDate, alsoCategories = []) {
      const release = get().release;
      if (!release) return;
      await attempt(
        'classify',
        async () => {
          const updated = await call('documents.classify', { releaseId: release.id, items: [{ documentId, category, documentDate, alsoCategories }] });
          set({ release: updated });
          await loadGate(updated);
        },
        undefined,
      );
    },

    async overrideScope(documentId, reason) {
      const release = get().release;
      if (!release) return false;
      return attempt(
        'override',
        async () => {
          set({ evaluation: await call('releases.overrideScope', { releaseId: release.id, documentId, reason }) });
          return true;
        },
        false,
      );
    },
  };
}
