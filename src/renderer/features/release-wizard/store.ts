/**
 * The release wizard: patient → records → recipient → delivery → review → send.
 *
 * State kept: the release as main last returned it, the active step, what is in
 * flight, the last pick's rejections, the recipient checks, the delivery ladder
 * and the chosen method, send progress and the send failure. Everything else
 * (counts, pages, readiness, the transmission to show) is derived from the release.
 *
 * The one-time passphrase of a password-protected PDF (or export) lives in
 * `oneTime` only: memory, never persisted, never logged, never in the URL. It is
 * cleared by `dismissOneTime` (staff pressed Done), by `open` (another release)
 * and by `leave` (the wizard unmounts); a reload loses it with the rest of memory.
 */
import { defineStore, listenUntilLock } from '../../lib/stores';
import type { DocumentCategory } from '../../../shared/compliance';
import type { ChannelOutput, DeliveryMethodT, KeyInfoT, ReleaseDetailT, ReleaseEvaluationT, RequestDetailT } from '../../../shared/contract';
import { ApiError, call, toApiError } from '../../lib/call';
import { canOpenPrintable } from '../../platform/printable';
import { useOutboxStore } from '../outbox/store';

export const STEPS = ['patient', 'records', 'recipient', 'delivery', 'review', 'send'] as const;
/** Index of each wizard step (the Stepper's order). */
export const STEP = { patient: 0, records: 1, recipient: 2, delivery: 3, review: 4, send: 5 } as const;
export type Busy = 'load' | 'create' | 'pick' | 'remove' | 'classify' | 'override' | 'email' | 'key' | 'recipient' | 'certificate' | 'delivery' | 'send' | null;
/** The delivery ladder (`releases.deliveryOptions`). */
export type DeliveryOptions = ChannelOutput<'releases.deliveryOptions'>;
/** A passphrase main returned once (password-pdf send or export) and what staff do with it. Memory only. */
export interface OneTimePassphrase {
  passphrase: string;
  staffInstructions: string;
  /** Which action produced it. */
  via: 'send' | 'export';
}
export type ExportedFiles = ChannelOutput<'releases.export'>['files'];
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
  /** The last refusal of a certificate import or confirmation (shown in the S/MIME certificate panel). */
  certificateError: ApiError | null;
  progress: { done: number; total: number; operation: string } | null;
  sendError: ApiError | null;
  /** The ladder for this release (null until loaded). */
  delivery: DeliveryOptions | null;
  deliveryError: ApiError | null;
  /** The method staff chose on the Delivery step (null: not chosen yet). */
  method: DeliveryMethodT | null;
  /** The one-time passphrase panel's content (see the module comment). */
  oneTime: OneTimePassphrase | null;
  /** Files written by the last export (names, sizes, SHA-256). */
  exported: ExportedFiles | null;
  /** The folder the export was saved into (absolute path, from `releases.export`); null otherwise. */
  exportFolder: string | null;
  /** The print-ready packet prepared by the last `releases.printable`. */
  printable: { printableId: string; pageCount: number } | null;
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
  /**
   * Runs another import (`documents.importDropped`, `documents.unlockPdf`) like pickDocuments: busy, then its
   * refusals shown and the release reloaded. `settles` is the passwordRequestId this call answers: that entry
   * leaves the refusal list and the call's own refusals join it; without it the list is replaced.
   */
  runImport: (action: () => Promise<ChannelOutput<'documents.pick'>>, settles?: string) => Promise<void>;
  removeDocument: (documentId: string) => Promise<void>;
  checkEmail: (email: string) => Promise<void>;
  /** Reloads the release and the gate (after a change made outside the store, e.g. an address confirmed by code). */
  refresh: () => Promise<void>;
  inspectKey: (armoredKey: string) => Promise<void>;
  clearKey: () => void;
  /** Saves the recipient (`releases.setRecipient`; `armoredKey` omitted = no OpenPGP key) and moves to Delivery. */
  setRecipient: (r: { name: string; email: string; armoredKey?: string; fingerprintConfirmed: boolean; addressConfirmed?: boolean }) => Promise<boolean>;
  /**
   * Imports the recipient's S/MIME certificate (`releases.importRecipientCertificate`): PEM text, or the base64 of a
   * DER / .p7b file. The release comes back with the certificate's facts (unconfirmed) or `certificateError` is set.
   */
  importCertificate: (certificate: string) => Promise<boolean>;
  /** Records that staff confirmed the certificate's fingerprint with the recipient (`releases.confirmRecipientCertificate`). */
  confirmCertificate: (fingerprint: string, acceptUntrusted: boolean, options?: { acceptRevocationUnknown?: boolean; modernAlgorithms?: boolean }) => Promise<boolean>;
  /** Loads the delivery ladder (`releases.deliveryOptions`) and preselects a method when none is chosen. */
  loadDelivery: () => Promise<void>;
  chooseMethod: (method: DeliveryMethodT) => void;
  /**
   * Delivers with the chosen method: email methods through `releases.send` (a partly sent release is retried with
   * its own method), 'export' through `releases.export`, 'print' through `releases.printable`.
   */
  send: () => Promise<void>;
  /** Show a sent password PDF's passphrase again (kept in the vault until staff gave it; `releases.revealPassphrase`). */
  showPassphrase: () => Promise<void>;
  /** Staff's decision on an unconfirmed delivery (`releases.resolveUnconfirmed`). */
  resolveUnconfirmed: (choice: 'recipient_confirmed' | 'resend') => Promise<void>;
  /** Take the release out of the outbox: back to draft, or cancelled (`releases.withdraw`). */
  withdraw: (how: 'withdraw' | 'cancel') => Promise<void>;
  /** The PHI-free letter for the patient after a bounce or failure (`releases.failureNotice`), offered to save. */
  failureNotice: () => Promise<void>;
  /** The notice made on this screen: its language and whether it was saved. */
  notice: { language: 'en' | 'es'; saved: boolean } | null;
  /** Staff pressed Done on the one-time passphrase panel: the passphrase leaves memory for good. */
  dismissOneTime: () => void;
  /** The wizard is left: forget the one-time passphrase. */
  leave: () => void;
  /** Asks the gate again (`releases.evaluate`); keeps the answer in `evaluation`. */
  evaluate: () => Promise<void>;
  /**
   * Sets one document's category, date of service and the further categories a combined file contains
   * (`documents.classify`; omitted = none), then re-evaluates.
   */
  classify: (documentId: string, category: DocumentCategory, documentDate: string, alsoCategories?: DocumentCategory[]) => Promise<void>;
  /** Records why an out-of-scope document is needed (`releases.overrideScope`, minimum necessary). */
  overrideScope: (documentId: string, reason: string) => Promise<boolean>;
}

/** Does the minimum necessary standard apply (164.502(b)(2))? Mirrors the engine: payment and operations disclosures only. */
export function minimumNecessaryApplies(request: RequestDetailT['request'] | null | undefined): boolean {
  return request?.basis === 'tpo' && request.tpo?.purpose !== 'treatment';
}

/** The step an existing release opens at. */
export function stepFor(release: ReleaseDetailT): number {
  if (release.status !== 'draft') return STEP.send;
  if (release.recipient) return STEP.review;
  if (release.documents.length > 0) return STEP.recipient;
  return STEP.records;
}

/** Why the release cannot be sent yet, or null when it is ready (mirrors RELEASE_NOT_READY in main). */
export function notReadyReason(release: ReleaseDetailT | null): string | null {
  if (!release) return 'Enter the patient first.';
  if (release.status === 'sent') return 'This release was already sent.';
  if (release.documents.length === 0) return 'Add at least one PDF document.';
  if (!release.recipient) return 'Choose the recipient.';
  return null;
}

/** The method a release is delivered with: staff's choice, else the method of a partly sent release, else the ladder's default. */
export function effectiveMethod(s: { method: DeliveryMethodT | null; release: ReleaseDetailT | null; delivery: DeliveryOptions | null }): DeliveryMethodT | null {
  if (s.release?.status === 'partly_sent' && s.release.deliveryMethod) return s.release.deliveryMethod;
  if (s.method) return s.method;
  if (s.delivery) return s.delivery.defaultMethod;
  return s.release?.recipient?.key && s.release.recipient.fingerprintConfirmed ? 'openpgp-pgp-mime' : null;
}

/**
 * The ladder as staff may use it here: in the desktop app printing is not wired yet (no print channel), so the
 * print rung is shown unavailable instead of recording a disclosure nobody can print.
 */
export function usableRungs(delivery: DeliveryOptions | null): DeliveryOptions['rungs'] {
  return (delivery?.rungs ?? []).map((r) =>
    r.method === 'print' && r.available && !canOpenPrintable() ? { ...r, available: false, reason: 'Printing from the desktop app comes in a later version.' } : r,
  );
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
  certificateError: null,
  progress: null,
  sendError: null,
  request: null,
  evaluation: null,
  delivery: null,
  deliveryError: null,
  method: null,
  oneTime: null,
  exported: null,
  exportFolder: null,
  printable: null,
  notice: null,
} satisfies Partial<WizardState>;

export const useWizardStore = defineStore<WizardState>('release-wizard', (set, get) => {
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

  /**
   * Run one action against main: mark it busy and clear the last error; a failure becomes `error` (coded,
   * PHI-free) and the result is `failed`. Always leaves `busy` cleared.
   */
  const attempt = async <T,>(busy: Exclude<Busy, null>, action: () => Promise<T>, failed: T): Promise<T> => {
    set({ busy, error: null });
    try {
      return await action();
    } catch (e) {
      set({ error: toApiError(e) });
      return failed;
    } finally {
      set({ busy: null });
    }
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
        set({ step: STEP.records });
        return;
      }
      set({ busy: 'create', error: null });
      try {
        const release = await call('releases.create', { requestId });
        set({ release, step: STEP.records, busy: null });
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

    async refresh() {
      const release = get().release;
      if (!release) return;
      try {
        await reload(release.id);
      } catch (e) {
        set({ error: toApiError(e) });
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

    async importCertificate(certificate) {
      const release = get().release;
      if (!release) return false;
      set({ busy: 'certificate', certificateError: null });
      try {
        const updated = await call('releases.importRecipientCertificate', { releaseId: release.id, certificate });
        set({ release: updated, delivery: null, method: null });
        return true;
      } catch (e) {
        set({ certificateError: toApiError(e) });
        return false;
      } finally {
        set({ busy: null });
      }
    },

    async confirmCertificate(fingerprint, acceptUntrusted, options = {}) {
      const release = get().release;
      if (!release) return false;
      set({ busy: 'certificate', certificateError: null });
      try {
        const updated = await call('releases.confirmRecipientCertificate', {
          releaseId: release.id,
          fingerprint,
          acceptUntrusted,
          acceptRevocationUnknown: options.acceptRevocationUnknown ?? false,
          modernAlgorithms: options.modernAlgorithms ?? false,
        });
        set({ release: updated, delivery: null, method: null });
        return true;
      } catch (e) {
        set({ certificateError: toApiError(e) });
        return false;
      } finally {
        set({ busy: null });
      }
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

    async evaluate() {
      const release = get().release;
      if (release) await loadGate(release);
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

    dismissOneTime() {
      const { oneTime, release } = get();
      set({ oneTime: null });
      // A sent password PDF's passphrase is kept in the vault until staff gave it to the recipient: erase it now.
      if (oneTime?.via === 'send' && release) void call('releases.passphraseGiven', { releaseId: release.id }).catch(() => undefined);
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

    leave() {
      set({ oneTime: null });
    },
  };
});

function toApiErrorFromLast(last: { code: string; message: string }): ApiError {
  return new ApiError(last.code, last.message);
}
