/**
 * Releases and their transmissions: status, outbox, the gate's evaluation.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { DocumentCategory, Finding, LegalBasis, ReleaseNotice } from '../compliance';
import { Id, IsoDate, IsoDateTime } from './common';
import { NoticeLanguageSchema } from '../languages';
import { DeliveryMethod, DeliveryRung, EmailDeliveryMethod } from './delivery';
import { RecipientCertificate, Recipient } from './recipients';
import { DocumentSummary } from './documents';

/**
 * A release's status (src/main/services/releases/state.ts has the transition table):
 * 'queued': prepared and stored in the outbox, waiting for the mail server; 'sending': being delivered now;
 * 'partly_sent': some parts of a split email release were accepted, the rest not (send the rest);
 * 'unconfirmed': a message was handed over but the server's answer never came — it may have been delivered;
 * 'bounced': a delivery status notification said a part was not delivered; 'cancelled': withdrawn for good;
 * 'waiting_for_server': prepared and stored in this workstation's vault, waiting for the practice server to be
 * reachable again; 'with_practice_server': handed to the practice's shared outbox, which any workstation sends from.
 */
export const ReleaseStatus = z.enum(['draft', 'queued', 'sending', 'sent', 'partly_sent', 'unconfirmed', 'failed', 'bounced', 'cancelled', 'waiting_for_server', 'with_practice_server']);

/** What happened to one message (part) of an email release. */
export const TransmissionPart = z.object({
  part: z.number().int().min(1),
  of: z.number().int().min(1),
  /**
   * 'pending': stored, not tried (or to be sent again); 'sending': an attempt is under way; 'sent': accepted by the
   * server; 'unconfirmed': handed over, no answer (may have been delivered); 'failed': not delivered in the last
   * attempt; 'bounced': a delivery status notification reported it undelivered.
   */
  status: z.enum(['pending', 'sending', 'sent', 'unconfirmed', 'failed', 'bounced']),
  messageId: z.string(),
  /** When the server accepted it (null unless sent). */
  at: IsoDateTime.nullable(),
  smtpResponse: z.string().nullable(),
  /** PHI-free error code of the last failure of this part. */
  errorCode: z.string().nullable(),
  /** How many times this part was tried. */
  attempts: z.number().int().min(0),
  /** Staff's decision on an unconfirmed part: the recipient confirmed receipt, or the same message was sent again. */
  resolution: z.enum(['recipient_confirmed', 'resend']).nullable(),
});

export const Transmission = z.object({
  id: Id,
  releaseId: Id,
  releaseReference: z.string(),
  at: IsoDateTime,
  sender: z.string(),
  recipientName: z.string(),
  recipientEmail: z.string(),
  method: DeliveryMethod,
  documents: z.array(z.object({ label: z.string(), sha256: z.string(), pageCount: z.number().int() })),
  messageId: z.string(),
  smtpResponse: z.string(),
  tlsProtocol: z.string(),
  tlsCipher: z.string(),
  /**
   * The recipient's OpenPGP key fingerprint (openpgp-pgp-mime, 40 hex) or S/MIME certificate SHA-256 fingerprint
   * (smime, 64 hex); empty for the other methods.
   */
  recipientKeyFingerprint: z.string(),
  /** Messages (email) or part files (export) of the release; 1 for print and unsplit sends. */
  partsTotal: z.number().int().min(0),
  /** Parts the server accepted so far (partsTotal when complete). */
  partsSent: z.number().int().min(0),
  /** SHA-256 (hex) of the assembled packet PDF (null for PGP/MIME, which sends the record files themselves). */
  packetSha256: z.string().nullable(),
  /** Per-part results (email methods); empty for export and print. */
  parts: z.array(TransmissionPart),
  /** The request the release was made for (null for releases made before requests existed). */
  requestId: Id.nullable(),
  /** Legal basis the disclosure relied on (accounting of disclosures, 164.528). */
  legalBasis: LegalBasis.nullable(),
  /** The authorization relied on (164.508), if any. */
  authorizationId: Id.nullable(),
  /** PHI-free reference of the request (e.g. "Q-2026-00001"), so screens name it instead of ids; absent from older producers. */
  requestReference: z.string().nullable().optional(),
  /** The individual's recorded choice of unencrypted email relied on, if any. */
  acknowledgmentId: Id.nullable(),
  /**
   * The practice workstation that delivered it through the practice server's shared outbox (its label and the start
   * of its id, never PHI); null or absent when it was sent from this workstation directly (issue #17).
   */
  sentByWorkstation: z.string().nullable().optional(),
  /** Set when staff withdrew, cancelled or replaced the transmission before any part left (then it is no disclosure). */
  closedReason: z.enum(['withdrawn', 'cancelled', 'superseded']).nullable(),
});

/** A release in the outbox: waiting, being sent, unconfirmed, failed, partly sent or bounced. */
export const OutboxEntry = z.object({
  releaseId: Id,
  reference: z.string(),
  /** …and, with a practice server (issue #17): 'waiting_for_server' (kept here until the server is back) or 'with_practice_server'. */
  status: z.enum(['queued', 'sending', 'unconfirmed', 'failed', 'partly_sent', 'bounced', 'waiting_for_server', 'with_practice_server']),
  method: DeliveryMethod.nullable(),
  patientName: z.string(),
  recipientName: z.string().nullable(),
  /** When ReleaseDesk tries by itself next (queued only; null: as soon as possible). */
  nextAttemptAt: IsoDateTime.nullable(),
  /** Automatic tries so far. */
  attempts: z.number().int().min(0),
  paused: z.boolean(),
  lastError: z.object({ code: z.string(), message: z.string(), at: IsoDateTime }).nullable(),
  partsTotal: z.number().int().min(0),
  partsSent: z.number().int().min(0),
  partsUnconfirmed: z.number().int().min(0),
  /** True while this workstation is delivering it. */
  sendingNow: z.boolean(),
});

export const ReleaseSummary = z.object({
  id: Id,
  reference: z.string(),
  status: ReleaseStatus,
  createdAt: IsoDateTime,
  patientName: z.string(),
  recipientName: z.string().nullable(),
  documentCount: z.number().int(),
  /** The request this release is made for; null only for releases made before requests existed. */
  requestId: Id.nullable(),
  /** PHI-free reference of that request, e.g. "Q-2026-00001". */
  requestReference: z.string().nullable(),
  /**
   * The practice workstation that sent it through the practice server's shared outbox (label and start of its id,
   * never PHI); null or absent when it was sent from this workstation directly or not yet sent (issue #17).
   */
  sentByWorkstation: z.string().nullable().optional(),
});

export const ReleaseDetail = ReleaseSummary.extend({
  patient: z.object({ name: z.string(), dateOfBirth: IsoDate, mrn: z.string() }),
  documents: z.array(DocumentSummary),
  recipient: Recipient.nullable(),
  transmissions: z.array(Transmission),
  /** The recipient's S/MIME certificate imported for this release (issue 18); null or absent when none. */
  recipientCertificate: RecipientCertificate.nullable().optional(),
  /** The delivery method chosen at the last send/export/print (null before the first). */
  deliveryMethod: DeliveryMethod.nullable(),
  /** Last failure of a send attempt (code and PHI-free message), cleared by a successful send. */
  lastError: z.object({ code: z.string(), message: z.string(), at: IsoDateTime }).nullable(),
  /** The outbox: next automatic try (queued), automatic tries so far, paused by staff. */
  queue: z.object({ nextAttemptAt: IsoDateTime.nullable(), attempts: z.number().int().min(0), paused: z.boolean() }),
});

/** What `releases.evaluate` answers: the gate's decision now, and which documents may be selected. */
export const ReleaseEvaluation = z.object({
  /** False when any finding blocks; `releases.send` refuses with RELEASE_BLOCKED then. */
  allowed: z.boolean(),
  findings: z.array(Finding),
  notices: z.array(ReleaseNotice),
  documents: z.array(
    z.object({
      documentId: Id,
      category: DocumentCategory,
      documentDate: IsoDate,
      /** Within the request's categories and dates (164.514(d)(3)). */
      inScope: z.boolean(),
      /** A sensitive category under the active rule packs (never widened beyond the request). */
      sensitive: z.boolean(),
      /** A reason to go beyond the scope is recorded for it. */
      overridden: z.boolean(),
      /** May stay in the release: in scope, or widened with a recorded reason. */
      selectable: z.boolean(),
    }),
  ),
});

/** The delivery ladder for a release now, strongest first, and the per-message size limit (releases.deliveryOptions). */
export const DeliveryOptions = z.object({
  rungs: z.array(DeliveryRung),
  /** The strongest available email method (null when none): what `releases.send` uses without `method`. */
  defaultMethod: EmailDeliveryMethod.nullable(),
  /** The recorded unencrypted-email choice that applies (null when none applies). */
  acknowledgmentId: Id.nullable(),
  messageLimitBytes: z.number().int(),
});

/** A release sent by email: the release now, its transmission, and for a fresh password-pdf send the passphrase. */
export const SendResult = z.object({
  release: ReleaseDetail,
  transmission: Transmission,
  /** Only in the response of a fresh password-pdf send: read it to the recipient by phone, SMS or in person. */
  passphrase: z.string().optional(),
  /** What staff do with the passphrase (present with `passphrase`). */
  staffInstructions: z.string().optional(),
});

/** The password-protected packet saved into a folder (`saved: false`: staff cancelled the folder choice, nothing recorded). */
export const ExportResult = z.object({
  saved: z.boolean(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
  passphrase: z.string().optional(),
  staffInstructions: z.string().optional(),
  transmission: Transmission.nullable(),
  release: ReleaseDetail,
  /** Absolute path of the folder the files were saved into (absent when not saved). */
  folder: z.string().optional(),
});

/** The print-ready packet (kept in the vault) and the print disclosure recorded for it. */
export const PrintableResult = z.object({ printableId: Id, pageCount: z.number().int(), jobTitle: z.string(), transmission: Transmission, release: ReleaseDetail });

/** The PHI-free delivery-failure notice made for a bounced or failed release, and whether staff saved it. */
export const FailureNotice = z.object({ noticeId: Id, language: NoticeLanguageSchema, pageCount: z.number().int().positive(), saved: z.boolean() });

export type ReleaseDetailT = z.output<typeof ReleaseDetail>;
export type ReleaseSummaryT = z.output<typeof ReleaseSummary>;
export type TransmissionT = z.output<typeof Transmission>;
export type TransmissionPartT = z.output<typeof TransmissionPart>;
export type OutboxEntryT = z.output<typeof OutboxEntry>;
export type ReleaseEvaluationT = z.output<typeof ReleaseEvaluation>;
export type DeliveryOptionsT = z.output<typeof DeliveryOptions>;
export type SendResultT = z.output<typeof SendResult>;
export type ExportResultT = z.output<typeof ExportResult>;
export type PrintableResultT = z.output<typeof PrintableResult>;
export type FailureNoticeT = z.output<typeof FailureNotice>;
