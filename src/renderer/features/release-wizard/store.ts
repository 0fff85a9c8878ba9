/**
 * The release wizard: patient → records → recipient → review → send.
 *
 * State kept: the release as main last returned it, the active step, what is in
 * flight, the last pick's rejections, the recipient checks, send progress and
 * the send failure. Everything else (counts, pages, readiness, the transmission
 * to show) is derived from the release.
 */
import { create } from 'zustand';
import type { DocumentCategory } from '../../../shared/compliance';
import type { ChannelOutput, KeyInfoT, ReleaseDetailT, ReleaseEvaluationT, RequestDetailT } from '../../../shared/contract';
import { ApiError, call, toApiError } from '../../lib/call';

export const STEPS = ['patient', 'records', 'recipient', 'review', 'send'] as const;
export type Busy = 'load' | 'create' | 'pick' | 'remove' | 'classify' | 'override' | 'email' | 'key' | 'recipient' | 'send' | null;
export type Rejected = ChannelOutput<'documents.pick'>['rejected'];
export type EmailCheck = ChannelOutput<'recipients.checkEmail'>;

interface WizardState {
  release: ReleaseDetailT | null;
  step: number;
  busy: Busy;
  /** Failure of the last action other than send (shown on the current step). */
  error: ApiError | null;
  rejected: Rejected;
  emailCheck: (EmailCheck & { email: string }) | null;
  key: KeyInfoT | null;
  keyError: ApiError | null;
  progress: { done: number; total: number; operation: string } | null;
  sendError: ApiError | null;
  /** The request the release is made for (its scope, basis, authorization). */
  request: RequestDetailT | null;
  /** The compliance gate's last answer (`releases.evaluate`). */
  evaluation: ReleaseEvaluationT | null;

  /** Starts a new release (null) or opens an existing one at the step its state calls for. */
  open: (releaseId: string | null) => Promise<void>;
  goTo: (step: number) => void;
  /** Creates the release for a recorded request (`releases.create`, contract: `{ requestId }`). */
  createRelease: (requestId: string) => Promise<void>;
  /**
   * Imports PDFs. Calls `documents.pick` synchronously, so call it directly in a
   * click handler (the preview's file chooser needs the user gesture).
   */
  pickDocuments: () => Promise<void>;
  removeDocument: (documentId: string) => Promise<void>;
  checkEmail: (email: string) => Promise<void>;
  inspectKey: (armoredKey: string) => Promise<void>;
  clearKey: () => void;
  setRecipient: (r: { name: string; email: string; armoredKey: string; fingerprintConfirmed: boolean }) => Promise<boolean>;
  send: () => Promise<void>;
  /** Asks the gate again (`releases.evaluate`); keeps the answer in `evaluation`. */
  evaluate: () => Promise<void>;
  /** Sets one document's category and date of service (`documents.classify`), then re-evaluates. */
  classify: (documentId: string, category: DocumentCategory, documentDate: string) => Promise<void>;
  /** Records why an out-of-scope document is needed (`releases.overrideScope`, minimum necessary). */
  overrideScope: (documentId: string, reason: string) => Promise<boolean>;
}

/** Does the minimum necessary standard apply (164.502(b)(2))? Mirrors the engine: payment and operations disclosures only. */
export function minimumNecessaryApplies(request: RequestDetailT['request'] | null | undefined): boolean {
  return request?.basis === 'tpo' && request.tpo?.purpose !== 'treatment';
}

/** The step an existing release opens at. */
export function stepFor(release: ReleaseDetailT): number {
  if (release.status === 'sent' || release.status === 'sending' || release.status === 'failed') return 4;
  if (release.recipient) return 3;
  if (release.documents.length > 0) return 2;
  return 1;
}

/** Why the release cannot be sent yet, or null when it is ready (mirrors RELEASE_NOT_READY in main). */
export function notReadyReason(release: ReleaseDetailT | null): string | null {
  if (!release) return 'Enter the patient first.';
  if (release.status === 'sent') return 'This release was already sent.';
  if (release.documents.length === 0) return 'Add at least one PDF document.';
  if (!release.recipient) return 'Choose the recipient and their public key.';
  if (!release.recipient.fingerprintConfirmed) return 'Confirm the recipient’s key fingerprint.';
  return null;
}

const initial = {
  release: null,
  step: 0,
  busy: null,
  error: null,
  rejected: [],
  emailCheck: null,
  key: null,
  keyError: null,
  progress: null,
  sendError: null,
  request: null,
  evaluation: null,
} satisfies Partial<WizardState>;

export const useWizardStore = create<WizardState>((set, get) => {
  const reload = async (id: string) => {
    const release = await call('releases.get', { id });
    set({ release });
    await loadGate(release);
    return release;
  };
  /** The gate's current answer and the release's request (fetched once); each failure leaves its previous value. */
  const loadGate = async (release: ReleaseDetailT) => {
    const needRequest = release.requestId !== null && get().request?.id !== release.requestId;
    await Promise.all([
      call('releases.evaluate', { releaseId: release.id }).then(
        (evaluation) => get().release?.id === release.id && set({ evaluation }),
        (e: unknown) => set({ error: toApiError(e) }),
      ),
      needRequest && release.requestId
        ? call('requests.get', { id: release.requestId }).then(
            (request) => get().release?.id === release.id && set({ request }),
            (e: unknown) => set({ error: toApiError(e) }),
          )
        : Promise.resolve(),
    ]);
  };

  return {
    ...initial,

    async open(releaseId) {
      set({ ...initial });
      if (!releaseId) return;
      set({ busy: 'load' });
      try {
        const release = await call('releases.get', { id: releaseId });
        set({ release, step: stepFor(release), busy: null, sendError: release.status === 'failed' && release.lastError ? toApiErrorFromLast(release.lastError) : null });
        await loadGate(release);
      } catch (e) {
        set({ busy: null, error: toApiError(e) });
      }
    },

    goTo(step) {
      set({ step: Math.max(0, Math.min(STEPS.length - 1, step)), error: null });
    },

    async createRelease(requestId) {
      const existing = get().release;
      if (existing) {
        set({ step: 1 });
        return;
      }
      set({ busy: 'create', error: null });
      try {
        const release = await call('releases.create', { requestId });
        set({ release, step: 1, busy: null });
        await loadGate(release);
      } catch (e) {
        set({ busy: null, error: toApiError(e) });
      }
    },

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

    async removeDocument(documentId) {
      const release = get().release;
      if (!release) return;
      set({ busy: 'remove', error: null });
      try {
        const updated = await call('documents.remove', { releaseId: release.id, documentId });
        set({ release: updated });
        await loadGate(updated);
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

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
      set({ busy: 'recipient', error: null });
      try {
        const updated = await call('releases.setRecipient', { releaseId: release.id, ...r });
        set({ release: updated, step: 3 });
        await loadGate(updated);
        return true;
      } catch (e) {
        set({ error: toApiError(e) });
        return false;
      } finally {
        set({ busy: null });
      }
    },

    async evaluate() {
      const release = get().release;
      if (release) await loadGate(release);
    },

    async classify(documentId, category, documentDate) {
      const release = get().release;
      if (!release) return;
      set({ busy: 'classify', error: null });
      try {
        const updated = await call('documents.classify', { releaseId: release.id, items: [{ documentId, category, documentDate }] });
        set({ release: updated });
        await loadGate(updated);
      } catch (e) {
        set({ error: toApiError(e) });
      } finally {
        set({ busy: null });
      }
    },

    async overrideScope(documentId, reason) {
      const release = get().release;
      if (!release) return false;
      set({ busy: 'override', error: null });
      try {
        set({ evaluation: await call('releases.overrideScope', { releaseId: release.id, documentId, reason }) });
        return true;
      } catch (e) {
        set({ error: toApiError(e) });
        return false;
      } finally {
        set({ busy: null });
      }
    },

    async send() {
      const release = get().release;
      if (!release || get().busy === 'send') return;
      set({ busy: 'send', sendError: null, progress: null, step: 4 });
      const off = window.apiEvents?.on('progress', (p) => {
        if (p.releaseId === release.id) set({ progress: { done: p.done, total: p.total, operation: p.operation } });
      });
      try {
        const { release: updated } = await call('releases.send', { releaseId: release.id });
        set({ release: updated });
        await loadGate(updated);
      } catch (e) {
        set({ sendError: toApiError(e) });
        try {
          await reload(release.id);
        } catch {
          /* keep the release we have */
        }
      } finally {
        off?.();
        set({ busy: null, progress: null });
      }
    },
  };
});

function toApiErrorFromLast(last: { code: string; message: string }): ApiError {
  return new ApiError(last.code, last.message);
}
