/**
 * The release wizard's state (what the store keeps), its initial value, and the rules derived from it: the step a
 * release opens at, whether it is ready, the method it is delivered with, and which delivery rungs are usable here.
 * Actions are in ./store.ts (opening and moving between steps) and ./actions-*.ts (records, recipient, delivery, and the
 * checks whose answers stay with their panel).
 */
import type { ErrorCode } from '../../../shared/errors';
import type { DocumentCategory } from '../../../shared/compliance';
import type { ChannelOutput, DeliveryMethodT, KeyInfoT, ReleaseDetailT, ReleaseEvaluationT, RequestDetailT } from '../../../shared/contract';
import { ApiError } from '../../lib/call';
import { canOpenPrintable } from '../../platform/printable';
import type { WizardCheckActions } from './actions-checks';

export const STEPS = ['patient', 'records', 'recipient', 'delivery', 'review', 'send'] as const;
/** Index of each wizard step (the Stepper's order). */
export const STEP = { patient: 0, records: 1, recipient: 2, delivery: 3, review: 4, send: 5 } as const;
export type Busy = 'load' | 'create' | 'pick' | 'remove' | 'classify' | 'override' | 'email' | 'key' | 'recipient' | 'certificate' | 'delivery' | 'send' | null;
/** How this workstation sends email: on its own, or joined to the practice server (online or offline right now). */
export type EmailRoute = 'local' | 'practice_online' | 'practice_offline';
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

export interface WizardState extends WizardCheckActions {
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
  /** How this workstation's email goes out (`practiceServer.status`'s link): alone, or through the practice's shared outbox. */
  emailRoute: EmailRoute;
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
  /** Reads the link to the practice server into `emailRoute` (`practiceServer.status`); unanswered, it stays `local`. */
  loadEmailRoute: () => Promise<void>;
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

/** Gate findings that staff resolve on the Records step: a file not filed yet, another patient's record, a file not yet compared with the patient. */
const RECORDS_FINDINGS: ReadonlySet<string> = new Set(['DOCUMENT_UNCLASSIFIED', 'PATIENT_MISMATCH', 'PATIENT_CHECK_PENDING']);

/**
 * Do the release's records still need staff's work: none yet, one without category or date of service, or — once the
 * gate answered — one flagged as another patient's, not yet compared with the patient, or outside the request's scope?
 */
export function recordsNeedWork(release: ReleaseDetailT, evaluation?: ReleaseEvaluationT | null): boolean {
  if (release.documents.length === 0 || release.documents.some((d) => !d.classified)) return true;
  if (!evaluation) return false;
  return evaluation.findings.some((f) => f.severity === 'block' && RECORDS_FINDINGS.has(f.code)) || evaluation.documents.some((d) => !d.selectable);
}

/**
 * The step an existing release opens at: a sent (or sending) release on Send; a draft on the first step with work
 * left — Records while a file is unfiled, flagged or out of scope (known from the gate's `evaluation` once it
 * answered), then Recipient, then Review.
 */
export function stepFor(release: ReleaseDetailT, evaluation?: ReleaseEvaluationT | null): number {
  if (release.status !== 'draft') return STEP.send;
  if (recordsNeedWork(release, evaluation)) return STEP.records;
  if (release.recipient) return STEP.review;
  return STEP.recipient;
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

export const initialWizardState = {
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
  emailRoute: 'local',
  method: null,
  oneTime: null,
  exported: null,
  exportFolder: null,
  printable: null,
  notice: null,
} satisfies Partial<WizardState>;

/**
 * What the action groups (./actions-*.ts) share: zustand's `set` and `get`, and the store's helpers. `reload` re-reads
 * the release and the gate; `loadGate` asks the gate (`releases.evaluate`) and fetches the request once; `attempt`
 * runs one action with `busy` set, turning a failure into `error` and returning `failed`.
 */
export interface WizardKit {
  set: (partial: Partial<WizardState>) => void;
  get: () => WizardState;
  reload: (id: string) => Promise<ReleaseDetailT>;
  loadGate: (release: ReleaseDetailT) => Promise<void>;
  attempt: <T>(busy: Exclude<Busy, null>, action: () => Promise<T>, failed: T) => Promise<T>;
}

/** The coded error of a release's last failure as main recorded it. */
export function toApiErrorFromLast(last: { code: string; message: string }): ApiError {
  return new ApiError(last.code as ErrorCode, last.message); // a release's lastError holds the code main answered
}
