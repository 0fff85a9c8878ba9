/**
 * THE IPC contract: every channel between renderer and main, declared once.
 *
 * `channels[name] = { input, output }` (zod schemas). The main process's
 * handlers, the preload's `window.api`, the renderer's `Api` type and the
 * 127.0.0.1 test host are all derived from this object, so adding a channel is
 * one entry here and one handler in `src/main/rpc/handlers.ts`.
 *
 * Everything here is JSON-safe: dates are ISO-8601 strings, and bytes never
 * cross the bridge (files are referenced by id and read in main).
 */
import { z } from 'zod';
import { NoticeLanguageSchema } from './languages';
import {
  Authorization,
  CalendarDate,
  DocumentCategory,
  Finding,
  LegalBasis,
  Part2Consent,
  PatientDirective,
  ReleaseNotice,
  ReleaseRequest,
  RequestedForm,
  Requester,
  RequestRecipient,
  RequestScope,
  RequestStatus,
  Revocation,
  TpoPurpose,
  UnencryptedEmailAcknowledgment,
} from './compliance';
import { isCalendarDate } from './compliance';
import { AuthorityVerificationMethod, RepresentativeAuthorityDocument } from './compliance';
export { isCalendarDate };
import { UNENCRYPTED_EMAIL_WARNING_VERSION, VERIFICATION_METHODS } from './compliance-text';
import type { WireError } from './errors';
import { AUDIT_ACTION_KINDS } from './audit-labels';
import { armoredText, line, paragraph } from './text-rules';

// ---------------------------------------------------------------- primitives

// The one text rule (src/shared/text-rules.ts): single lines, paragraphs and ASCII armor, all bounded, refusing
// control, zero-width/bidi and broken characters. Re-exported here for existing importers.
export { INVISIBLE_OR_BIDI_CHARS, LONE_SURROGATE, line } from './text-rules';

export const Id = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
/** A calendar date `YYYY-MM-DD` that exists (2026-02-31 is refused). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isCalendarDate, { message: 'not a real calendar date' });
export const IsoDateTime = z.string().datetime({ offset: true });

export const VaultState = z.enum(['uninitialized', 'locked', 'unlocked']);
export const SmtpSecurity = z.enum(['starttls', 'tls']);
/**
 * A release's status (src/main/services/releases/state.ts has the transition table):
 * 'queued': prepared and stored in the outbox, waiting for the mail server; 'sending': being delivered now;
 * 'partly_sent': some parts of a split email release were accepted, the rest not (send the rest);
 * 'unconfirmed': a message was handed over but the server's answer never came — it may have been delivered;
 * 'bounced': a delivery status notification said a part was not delivered; 'cancelled': withdrawn for good.
 */
export const ReleaseStatus = z.enum(['draft', 'queued', 'sending', 'sent', 'partly_sent', 'unconfirmed', 'failed', 'bounced', 'cancelled']);
/**
 * How a release leaves the practice (issue #4), strongest first: OpenPGP PGP/MIME; password-protected PDF
 * (AES-256, passphrase by phone/SMS/in person); unencrypted email over TLS at the individual's recorded
 * request; export of the password-protected packet to a folder/drive; a print-ready packet.
 */
export const DeliveryMethod = z.enum(['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email', 'export', 'print']);
/** The methods `releases.send` takes (email); export and print have their own channels. */
export const EmailDeliveryMethod = z.enum(['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email']);

/** One rung of the delivery ladder (src/main/services/delivery/methods.ts deliveryLadder). */
export const DeliveryRung = z.object({
  method: DeliveryMethod,
  /** Short plain-language name for the screen. */
  label: z.string(),
  available: z.boolean(),
  /** 5 = strongest (PGP/MIME) … 1 = weakest (print). */
  strength: z.number().int().min(1).max(5),
  /** Why the method cannot be used now; null when available. */
  reason: z.string().nullable(),
});

/** Delivery settings (Settings screen). */
export const DeliverySettings = z.object({
  /** Raw attachment bytes per email message (parts are split under it); default 18,000,000. */
  messageLimitBytes: z.number().int().min(30_000).max(100_000_000),
});

/** Idle lock (automatic logoff, 45 CFR 164.312(a)(2)(iii)): bounds and default of the practice setting, in whole minutes. */
export const IDLE_LOCK_MIN_MINUTES = 1;
export const IDLE_LOCK_MAX_MINUTES = 60;
export const DEFAULT_IDLE_LOCK_MINUTES = 5;

/** The idle lock setting (Settings screen): minutes without keyboard, mouse, touch or wheel activity before the screen locks. */
export const IdleLockSettings = z.object({
  idleMinutes: z.number().int().min(IDLE_LOCK_MIN_MINUTES).max(IDLE_LOCK_MAX_MINUTES),
});

export const SmtpSettingsInput = z.object({
  host: line(253),
  port: z.number().int().min(1).max(65535),
  security: SmtpSecurity,
  username: line(320),
  password: z.string().min(1).max(1024),
});

/** The bounce mailbox: IMAP over implicit TLS (RFC 8314 §3.2, usually port 993); the password stays in the vault. */
export const BounceMailboxInput = z.object({
  host: line(253),
  port: z.number().int().min(1).max(65535),
  username: line(320),
  password: z.string().min(1).max(1024),
  folder: line(200).optional(),
});

export const PracticeInput = z.object({
  name: line(120),
  senderName: line(120),
  senderEmail: line(320),
  /** IANA time zone of the practice, e.g. "America/Chicago"; calendar-day rules use it. */
  timeZone: line(64),
  /** Postal address (one line, e.g. "12 Main St, Springfield, IL 62701"): printed where the law expects it (revocation in writing, 164.508(c)(2)(i)). */
  address: line(300).optional(),
  /** The practice's phone number as printed on notices. */
  phone: line(40).optional(),
  /** The privacy official (164.530(a)(1)) patients contact about privacy; named in notices. */
  privacyOfficer: z.object({ name: line(120), phone: line(40).optional(), email: line(320).optional() }).strict().optional(),
});

/** Practice details editable in Settings (the name and sender stay tied to the practice key; the time zone to the clock). */
export const PracticeDetailsInput = z
  .object({ address: line(300), phone: line(40), privacyOfficer: z.object({ name: line(120), phone: line(40).optional(), email: line(320).optional() }).strict() })
  .strict();

export const PassphraseStrength = z.object({
  /** zxcvbn score 0 (guessable) .. 4 (strong); setup requires at least {@link MIN_PASSPHRASE_SCORE}. */
  score: z.number().int().min(0).max(4),
  acceptable: z.boolean(),
  warning: z.string(),
  suggestions: z.array(z.string()),
});

export const MIN_PASSPHRASE_SCORE = 3;

export const KeyInfo = z.object({
  /** 40 hex chars, upper case, no spaces (v4 fingerprint). */
  fingerprint: z.string(),
  userIds: z.array(z.string()),
  algorithm: z.string(),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime.nullable(),
  /** Parts of the key that were ignored, in plain words (e.g. a subkey in an unsupported algorithm). (hardening, issue 14) */
  warnings: z.array(z.string().max(300)).max(10).optional(),
});

/**
 * A recipient's S/MIME certificate as staff see it (issue 18): what it says, the SHA-256 fingerprint to read aloud,
 * whether its chain ends in a trusted root, staff's confirmation, and — checked again at this moment against the
 * recipient's address — why it cannot be used now (reason and date), or null.
 */
export const RecipientCertificate = z.object({
  /** SHA-256 of the DER certificate: 64 upper-case hex digits (shown in groups of four). */
  fingerprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  emails: z.array(z.string()),
  notBefore: IsoDateTime,
  notAfter: IsoDateTime,
  /** e.g. "RSA 2048 bits", "EC P-256". */
  keyDescription: z.string(),
  chainTrusted: z.boolean(),
  /** Plain-language warnings (an untrusted chain; revocation not checkable) staff must accept when confirming. */
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  /**
   * Revocation by CRL: 'good' (a current CRL does not list it), 'unknown' (its CRL is unreachable or out of date:
   * staff must accept that when confirming), 'not_checked' (its issuer publishes no CRL ReleaseDesk knows of).
   * A revoked certificate is refused outright (CERT_REVOKED in `problem` or at import).
   */
  revocation: z.object({
    status: z.enum(['good', 'unknown', 'not_checked']),
    reason: z.string().nullable(),
    checkedAt: IsoDateTime.nullable(),
    unknownAccepted: z.boolean(),
  }),
  /** Staff recorded that the recipient's program reads RSA-OAEP and AES-GCM: messages use AuthEnvelopedData. */
  modernAlgorithms: z.boolean(),
  importedBy: z.string(),
  importedAt: IsoDateTime,
  /** Staff confirmed the fingerprint with the recipient by phone or in person: who, when. */
  confirmed: z.object({ by: z.string(), at: IsoDateTime }).nullable(),
  /** The certificate cannot be used now: coded reason naming the fingerprint and the date checked. */
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** The practice's own S/MIME certificate (signs S/MIME releases; each release is also encrypted to it). */
export const PracticeSmimeCertificate = z.object({
  fingerprint: z.string(),
  /** The certificate (PEM, public): what recipients add to their mail program to trust the signature. */
  certPem: z.string(),
  subject: z.string(),
  notAfter: IsoDateTime,
  /** Days until it expires (negative once expired); Settings and the dashboard warn at 30 or fewer. */
  daysLeft: z.number().int(),
  /** Made by ReleaseDesk: recipients' mail programs will not trust it until they accept its fingerprint. */
  selfSigned: z.boolean(),
  /** Plain-language warnings (self-made; expiring soon). */
  warnings: z.array(z.string()),
});

/** A certificate revocation list the vault holds (RFC 5280 §5). */
export const SmimeCrl = z.object({
  sha256: z.string(),
  /** The CA that issued it (distinguished name). */
  issuer: z.string(),
  thisUpdate: IsoDateTime,
  nextUpdate: IsoDateTime.nullable(),
  source: z.enum(['import', 'fetch']),
  /** The distribution point it was fetched from (source 'fetch'). */
  url: z.string().nullable(),
  addedBy: z.string(),
  addedAt: IsoDateTime,
  /** Past its nextUpdate: certificates of this issuer cannot be checked until a newer one is imported or fetched. */
  stale: z.boolean(),
});

export const DocumentSummary = z.object({
  id: Id,
  /** Neutral label used in the message ("record-1.pdf"): never the original file name. */
  label: z.string(),
  /** The original file name, shown to staff only; never used in mail or logs. */
  originalName: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  pageCount: z.number().int().nonnegative(),
  sha256: z.string(),
  importedAt: IsoDateTime,
  /** Category the document is filed under (a placeholder 'other' until classified; set with documents.classify). */
  category: DocumentCategory,
  /** Date of service / of the record, `YYYY-MM-DD` (a placeholder, the day of import, until classified). */
  documentDate: IsoDate,
  /** Staff set category and date of service (documents.classify); the gate blocks unclassified documents. */
  classified: z.boolean(),
  /**
   * Further categories a combined record file also contains (besides `category`); the gate checks every one
   * (scope, sensitive-category rules, authorization). Empty (or absent, from older producers) for a file of one category.
   */
  alsoCategories: z.array(DocumentCategory).max(12).optional(),
});

/**
 * Whether a record file names the release's patient (documents.checkPatient): PHI-free flags and counts, never the
 * identifiers found. 'pending' until the check has run for this file.
 */
export const DocumentPatientCheck = z.object({
  documentId: Id,
  outcome: z.enum(['pending', 'match', 'mismatch', 'name_differs', 'not_found', 'no_text', 'unreadable']),
  nameFound: z.boolean(),
  dobFound: z.boolean(),
  mrnFound: z.boolean(),
  /** Labelled MRNs / dates of birth / patient names in the text that are not this patient's (occurrences). */
  otherMrns: z.number().int().nonnegative(),
  otherDobs: z.number().int().nonnegative(),
  otherNames: z.number().int().nonnegative(),
  /** 1-based pages where another patient's identifier is labelled. */
  conflictPages: z.array(z.number().int().min(1)),
  pagesChecked: z.number().int().nonnegative(),
  pagesWithoutText: z.number().int().nonnegative(),
  checkedAt: IsoDateTime.nullable(),
  /** Staff looked and confirmed the file belongs in this release anyway: who, when, why. */
  confirmed: z.object({ by: z.string(), at: IsoDateTime, reason: z.string() }).nullable(),
});
export type DocumentPatientCheckT = z.infer<typeof DocumentPatientCheck>;

/**
 * Where an address stands for a release's patient in the confirmation round trip (recipients.addressStatus):
 * confirmed by code (who, when), or a code pending (sent, expires 24 h later, wrong tries left), or neither (both null).
 */
export const AddressStatus = z.object({
  confirmed: z.object({ by: z.string(), at: IsoDateTime, method: z.literal('code') }).nullable(),
  pending: z.object({ sentAt: IsoDateTime, expiresAt: IsoDateTime, expired: z.boolean(), attemptsLeft: z.number().int().min(0) }).nullable(),
});
export type AddressStatusT = z.infer<typeof AddressStatus>;

export const Recipient = z.object({
  name: z.string(),
  email: z.string(),
  /** The recipient's OpenPGP key; null when the recipient has none (then only non-OpenPGP methods apply). */
  key: KeyInfo.nullable(),
  /** Staff confirmed the key's fingerprint out of band; always false without a key. */
  fingerprintConfirmed: z.boolean(),
  /**
   * Staff confirmed this exact address with the recipient (after a typo suggestion, a look-alike warning or a
   * mismatch with the request's destination, or by the code round trip): who, when and how — 'read_back': staff read
   * the address back with the recipient; 'code': the recipient read back a code emailed to it
   * (recipients.confirmCode). Null when no confirmation was given.
   */
  addressConfirmed: z.object({ by: z.string(), at: IsoDateTime, method: z.enum(['read_back', 'code']) }).nullable(),
});

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
  /** The individual's recorded choice of unencrypted email relied on, if any. */
  acknowledgmentId: Id.nullable(),
  /** Set when staff withdrew, cancelled or replaced the transmission before any part left (then it is no disclosure). */
  closedReason: z.enum(['withdrawn', 'cancelled', 'superseded']).nullable(),
});

/** A release in the outbox: waiting, being sent, unconfirmed, failed, partly sent or bounced. */
export const OutboxEntry = z.object({
  releaseId: Id,
  reference: z.string(),
  status: z.enum(['queued', 'sending', 'unconfirmed', 'failed', 'partly_sent', 'bounced']),
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

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: IsoDateTime,
  actor: z.string(),
  /** The acting staff account's id (staff accounts, issue #11); null for system events and events before accounts. */
  actorId: z.string().nullable().optional(),
  action: z.string(),
  outcome: z.enum(['success', 'failure', 'refused']),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  /** PHI-free facts: codes, counts, ids. */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  hash: z.string(),
});

export const EmailCheck = z.object({
  valid: z.boolean(),
  /** A likely intended address when the domain looks like a typo of a common one. */
  suggestion: z.string().nullable(),
  /** Why the address is refused, when not valid. */
  problem: z.string().nullable(),
  /** A valid address that still deserves a second look (look-alike characters in the domain). */
  warning: z.string().nullable(),
  /** The bare address that will be used (display name removed, NFC), when valid. (hardening, issue 14) */
  address: z.string().max(400).nullable().optional(),
  /** The display name typed before the address ("Jane Roe <jane@example.org>"). (hardening, issue 14) */
  displayName: z.string().max(400).nullable().optional(),
});

// ------------------------------------------------------------------ requests (issue #3)

export const PatientInput = z.object({ name: line(200), dateOfBirth: IsoDate, mrn: line(64) }).strict();

/** Requester at intake: single-line name and authority (they reach letters and the audit trail). */
export const RequesterInput = Requester.extend({ name: line(200), authority: line(500).optional() }).omit({ authorityEvidence: true });
/** A recipient named in the request at intake: single-line name and destination (email or one-line postal address). */
export const RequestRecipientInput = RequestRecipient.extend({ name: line(200), destination: line(500) });

/** Intake of a request for records (legal basis, requester, recipients, scope, form). The status starts at 'received'. */
export const RequestIntake = z
  .object({
    patient: PatientInput,
    basis: LegalBasis,
    /** When the request reached the practice (day 0 is its calendar date in the practice's time zone). */
    receivedAt: IsoDateTime,
    requester: RequesterInput,
    recipients: z.array(RequestRecipientInput).min(1).max(20),
    scope: RequestScope,
    form: RequestedForm,
    patientDirective: PatientDirective.optional(),
    tpo: TpoPurpose.optional(),
    /** The language for patient-facing notices (failure, extension, status): English or Spanish. Optional (English). */
    preferredLanguage: NoticeLanguageSchema.optional(),
  })
  .strict();

export const VerificationMethod = z.enum(VERIFICATION_METHODS);

/** A recorded identity or authority check (45 CFR 164.514(h)). */
export const IdentityVerification = z.object({
  id: Id,
  requestId: Id,
  /** What was checked: the requester's identity, or their authority (e.g. a personal representative's). */
  subject: z.enum(['identity', 'authority']),
  method: VerificationMethod,
  checkedBy: z.string(),
  checkedAt: IsoDateTime,
  notes: z.string(),
});

/** A file the practice produced or received for a request (extension notice, authorization form, signed scan). */
export const RequestDocument = z.object({
  id: Id,
  kind: z.enum(['extension_notice', 'authorization_form', 'signed_authorization', 'representative_authority']),
  /** Neutral file label, e.g. "extension-notice-Q-2026-00001.pdf" (no PHI). */
  label: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  pageCount: z.number().int().nonnegative(),
  createdAt: IsoDateTime,
});

/** An authorization on file with the linter's live findings (45 CFR 164.508(b)(2), (c)). */
export const AuthorizationRecord = z.object({
  id: Id,
  requestId: Id.nullable(),
  authorization: Authorization,
  /** Every defect, each with code, citation and PHI-free message; 'block' findings stop a send. */
  findings: z.array(Finding),
  valid: z.boolean(),
  /** The scanned signed form stored in the vault, if attached. */
  signedFormDocumentId: Id.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});

export const Part2ConsentRecord = z.object({
  id: Id,
  requestId: Id.nullable(),
  consent: Part2Consent,
  findings: z.array(Finding),
  valid: z.boolean(),
  createdAt: IsoDateTime,
});

/** The 30-day clock of a right-of-access request (164.524(b)(2)); all fields null/false for other bases. */
export const RequestClock = z.object({
  /** Effective due date (the extension's new date if extended), `YYYY-MM-DD` in the practice's time zone; null when the basis has no clock. */
  dueDate: IsoDate.nullable(),
  /** Calendar days left until the due date (0 on it, negative when overdue); null when no clock. */
  daysLeft: z.number().int().nullable(),
  /** Open and due within the next 7 calendar days (0 ≤ daysLeft ≤ 6). */
  dueThisWeek: z.boolean(),
  /** Open and past its due date (a warning, never a block). */
  overdue: z.boolean(),
  extended: z.boolean(),
});

export const RequestSummary = RequestClock.extend({
  id: Id,
  /** PHI-free reference, e.g. "Q-2026-00001". */
  reference: z.string(),
  patientName: z.string(),
  basis: LegalBasis,
  status: RequestStatus,
  receivedAt: IsoDateTime,
  /**
   * The calendar day (`YYYY-MM-DD`, practice time zone) the request was closed — fulfilled (sent), denied or
   * withdrawn — shown instead of days left ("Fulfilled on …"); null while it is open. Absent from older producers.
   */
  closedOn: IsoDate.nullable().optional(),
});

export const RequestDetail = RequestSummary.extend({
  patient: z.object({ name: z.string(), dateOfBirth: IsoDate, mrn: z.string() }),
  /** The request as the compliance engine sees it. */
  request: ReleaseRequest,
  authorization: AuthorizationRecord.nullable(),
  part2Consents: z.array(Part2ConsentRecord),
  verifications: z.array(IdentityVerification),
  acknowledgments: z.array(UnencryptedEmailAcknowledgment),
  documents: z.array(RequestDocument),
  releases: z.array(z.object({ id: Id, reference: z.string(), status: ReleaseStatus })),
  /** Staff's reason for a denial (164.524(d)(2)) or note on a withdrawal. */
  closingReason: z.string().nullable(),
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

const Empty = z.object({}).strict();
const ByRelease = z.object({ releaseId: Id }).strict();
/** A record file that was not imported, with its own reason; `passwordRequestId` when it waits for its PDF password. */
const ImportRejection = z.object({ fileName: z.string(), code: z.string(), message: z.string(), passwordRequestId: Id.optional() });
const ImportOutcome = z.object({ imported: z.array(DocumentSummary), rejected: z.array(ImportRejection) });
const ByRequest = z.object({ requestId: Id }).strict();
const AuthorizationInput = Authorization.omit({ id: true });
const Part2ConsentInput = Part2Consent.omit({ id: true });

// ------------------------------------------------------------------ audit reports (issue #10)

/** Filters of the Audit screen and the audit report. Dates are calendar days in the practice's time zone, inclusive. */
export const AuditFilterInput = z
  .object({
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    actor: line(200).optional(),
    kind: z.enum(AUDIT_ACTION_KINDS).optional(),
    outcome: z.enum(['success', 'failure', 'refused']).optional(),
    /** Patient name (part) or exact MRN. */
    patient: line(200).optional(),
    /** Exact release or request reference, e.g. "R-2026-00004". */
    reference: line(40).optional(),
    search: line(200).optional(),
  })
  .strict();

/** An audit event for people: a sentence, the patient and references it concerns. */
export const AuditEventView = AuditEvent.extend({
  /** Plain-language sentence, e.g. "Dana Frontdesk sent release R-2026-00004 to Acme Life by password-protected PDF". */
  description: z.string(),
  kind: z.enum(AUDIT_ACTION_KINDS),
  patientName: z.string().nullable(),
  releaseId: z.string().nullable(),
  releaseReference: z.string().nullable(),
  requestId: z.string().nullable(),
  requestReference: z.string().nullable(),
});

export const ChainProblemView = z.object({ code: z.string(), seq: z.number().int().nullable(), counter: z.number().int().nullable(), message: z.string() });
export const CheckpointView = z.object({ counter: z.number().int(), seq: z.number().int(), hash: z.string(), at: IsoDateTime, reason: z.string() });
/** The audit log's verification: the chain, every checkpoint (vault, file beside it) and receipts given. */
export const ChainVerificationView = z.object({
  intact: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  lastSeq: z.number().int(),
  checkpointsChecked: z.number().int(),
  latestCheckpoint: CheckpointView.nullable(),
  problems: z.array(ChainProblemView),
});

export const ReportFile = z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() });
/** Result of a report export: `saved` false when staff cancelled the folder choice (nothing written, nothing recorded). */
export const ReportExport = z.object({
  saved: z.boolean(),
  files: z.array(ReportFile),
  pages: z.number().int(),
  rows: z.number().int(),
  /** SHA-256 of the PDF (hex). */
  pdfSha256: z.string().nullable(),
  /** The checkpoint printed on the report (a receipt to keep). */
  receipt: z.string().nullable(),
  folder: z.string().optional(),
});

export const ManualDisclosureCategory = z.enum([
  'public_health', 'abuse_neglect', 'health_oversight', 'legal_process', 'law_enforcement', 'decedents', 'organ_donation', 'research',
  'serious_threat', 'workers_compensation', 'required_by_law',
]);
export const PatientRef = z.object({ name: line(200), dateOfBirth: IsoDate, mrn: line(64) }).strict();
export const DisclosureEntryView = z.object({
  date: IsoDate,
  recipientName: z.string(),
  recipientAddress: z.string().nullable(),
  description: z.string(),
  purpose: z.string(),
  source: z.enum(['releasedesk', 'manual']),
  reference: z.string().nullable(),
  method: z.string().nullable(),
  reportable: z.boolean(),
  citation: z.string(),
  reason: z.string(),
  unconfirmed: z.boolean(),
  bounced: z.boolean(),
});
export const SuspensionView = z.object({
  id: z.string(),
  agency: z.string(),
  agencyKind: z.enum(['health_oversight', 'law_enforcement']),
  statement: z.enum(['written', 'oral']),
  startsOn: IsoDate,
  endsOn: IsoDate,
});
/** The accounting for one individual (164.528) as the privacy officer reviews it before exporting. */
export const AccountingView = z.object({
  patient: z.object({ name: z.string(), dateOfBirth: z.string(), mrn: z.string() }),
  asOf: IsoDate,
  from: IsoDate,
  entries: z.array(DisclosureEntryView),
  excluded: z.array(DisclosureEntryView),
  withheld: z.array(DisclosureEntryView.extend({ suspendedUntil: IsoDate, agency: z.string() })),
  suspensions: z.array(SuspensionView),
});
export const AccessReportInput = z
  .object({ patient: line(200).optional(), actor: line(200).optional(), from: IsoDate.optional(), to: IsoDate.optional() })
  .strict()
  .refine((x) => Boolean(x.patient || x.actor), { message: 'name a patient or a staff member' });

// --- retention, legal hold, backup and the compliance dashboard (issue #13) ---

/** The shortest documentation and audit-log retention allowed: six years (45 CFR 164.530(j)(2); 164.316(b)(2)(i)). */
export const RETENTION_MINIMUM_YEARS = 6;

/**
 * The practice's retention policy. Years/days are counted in calendar days in the practice's time zone.
 * `recordFileDays` null: record files are kept (nothing purged) until the practice chooses a period.
 */
export const RetentionPolicy = z
  .object({
    /** Documentation (authorizations, forms, notices, representative authority) kept this many years from creation or last effective date; at least 6. */
    documentationYears: z.number().int().min(1).max(100),
    /** Record files (and prepared packets) of a completed release kept this many days after completion; null: kept. */
    recordFileDays: z.number().int().min(1).max(36_500).nullable(),
    /** Audit log kept at least this many years (ReleaseDesk never deletes audit events); at least 6. */
    auditYears: z.number().int().min(1).max(100),
    /** Remind staff when the last backup is older than this many days. */
    backupReminderDays: z.number().int().min(1).max(365),
  })
  .strict();

export const LegalHoldView = z.object({
  id: Id,
  scope: z.enum(['patient', 'request']),
  patientMrn: z.string().nullable(),
  patientName: z.string().nullable(),
  requestId: Id.nullable(),
  requestReference: z.string().nullable(),
  reason: z.string(),
  placedBy: z.string(),
  placedAt: IsoDateTime,
});

/** What one purge removed: kinds and counts only (no PHI). */
export const PurgeResult = z.object({
  at: IsoDateTime,
  /** Record files of completed releases whose content was removed. */
  recordFiles: z.number().int().nonnegative(),
  /** Documentation files past their retention whose content was removed. */
  documentation: z.number().int().nonnegative(),
  /** Prepared packets (print-ready PDFs) removed. */
  packets: z.number().int().nonnegative(),
  /** Stored outgoing messages of completed releases removed. */
  outboxMessages: z.number().int().nonnegative(),
  /** Bytes of content removed. */
  bytes: z.number().int().nonnegative(),
  /** Expired items kept because a legal hold covers them. */
  heldBack: z.number().int().nonnegative(),
});

export const RetentionView = z.object({
  policy: RetentionPolicy,
  /** False until the practice saved a policy (defaults shown). */
  policySet: z.boolean(),
  /** Whether the person signed in may change retention and holds (the privacy officer). */
  canChange: z.boolean(),
  holds: z.array(LegalHoldView),
  lastPurge: PurgeResult.nullable(),
  lastBackupAt: IsoDateTime.nullable(),
  /** No backup yet, or the last one is older than `backupReminderDays`. */
  backupDue: z.boolean(),
});

export const PlaceHoldInput = z
  .object({
    scope: z.enum(['patient', 'request']),
    /** The patient's MRN (scope 'patient'). */
    mrn: line(64).optional(),
    /** The request's reference, e.g. "Q-2026-00001" (scope 'request'). */
    requestReference: line(40).optional(),
    /** Why (e.g. the matter); kept in the vault, never in the audit detail or logs. */
    reason: line(500),
  })
  .strict()
  .refine((x) => (x.scope === 'patient' ? Boolean(x.mrn) && !x.requestReference : Boolean(x.requestReference) && !x.mrn), {
    message: 'a patient hold names an MRN; a request hold names a request reference',
  });

export const BackupResult = z.object({
  /** False when staff cancelled the folder choice (nothing written). */
  saved: z.boolean(),
  /** The backup folder made inside the chosen folder. */
  folder: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  /** Audit events whose chain was verified in the copy. */
  eventsVerified: z.number().int().nonnegative(),
  at: IsoDateTime.nullable(),
});

export const RestoreResult = z.object({
  /** False when staff cancelled the folder choice (nothing changed). */
  restored: z.boolean(),
  requests: z.number().int().nonnegative(),
  releases: z.number().int().nonnegative(),
  eventsVerified: z.number().int().nonnegative(),
});

/** Where an item on the dashboard is fixed. */
export const DashboardTarget = z.object({ screen: z.enum(['request', 'wizard', 'outbox', 'settings', 'audit', 'requests']), id: Id.nullable() });

export const DashboardItem = z.object({
  kind: z.enum([
    'request_overdue',
    'request_due',
    'release_failed',
    'release_bounced',
    'release_unconfirmed',
    'release_queued',
    'authorization_expiring',
    'key_expiring',
    'backup_due',
    'chain_problem',
  ]),
  severity: z.enum(['critical', 'warning', 'info']),
  /** PHI-free: references, counts and dates only. */
  title: z.string(),
  detail: z.string(),
  /** The link's words, e.g. "Open request Q-2026-00001". */
  action: z.string(),
  target: DashboardTarget,
});

export const PostureItem = z.object({
  key: z.enum(['tls', 'vault_encrypted', 'auto_lock', 'retention', 'bounce_mailbox', 'backup', 'mfa']),
  ok: z.boolean(),
  label: z.string(),
  /** What to do when not ok. */
  fix: z.string().nullable(),
  target: DashboardTarget.nullable(),
});

/** The compliance dashboard ("Today"): what needs attention, the audit chain, the configuration posture. PHI-free. */
export const Dashboard = z.object({
  asOf: IsoDate,
  items: z.array(DashboardItem),
  chain: z.object({ intact: z.boolean(), lastSeq: z.number().int(), latestCheckpointAt: IsoDateTime.nullable() }),
  posture: z.array(PostureItem),
  lastBackupAt: IsoDateTime.nullable(),
});

const retentionChannels = {
  /** The retention policy, legal holds, last purge and last backup. */
  'retention.get': { input: Empty, output: RetentionView },
  /** Save the policy (privacy officer). Audited. @throws RETENTION_TOO_SHORT below six years. */
  'retention.setPolicy': { input: RetentionPolicy, output: RetentionView },
  /** Place a legal hold on a patient or a request (privacy officer). Audited (scope and id only). */
  'retention.placeHold': { input: PlaceHoldInput, output: RetentionView },
  /** Release a legal hold (privacy officer). Audited. */
  'retention.releaseHold': { input: z.object({ holdId: Id }).strict(), output: RetentionView },
  /** Purge expired content now (privacy officer). Audited with kinds and counts. */
  'retention.purge': { input: Empty, output: PurgeResult },
  /** Make an encrypted, verified backup into a folder staff choose. Audited. */
  'backup.create': { input: Empty, output: BackupResult },
  /** Restore a backup staff choose into this computer's empty data folder (only before setup). Audited in the restored vault. */
  'backup.restore': { input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(), output: RestoreResult },
  /** The compliance dashboard (home screen after unlock). */
  'dashboard.get': { input: Empty, output: Dashboard },
} as const;
// --- end retention, legal hold, backup and the compliance dashboard ---

// --- staff accounts, roles, MFA and two-person approval (issue #11) ---

/**
 * A staff member's role (164.308(a)(4) access authorization): administrator (settings, staff accounts, and everything
 * else except approving a release they prepared), privacy officer (approvals, audit reports, retention; may also work
 * requests and releases), front desk (requests and releases). See src/shared/roles.ts for the channel table.
 */
export const StaffRole = z.enum(['administrator', 'privacy_officer', 'front_desk']);
export type StaffRoleT = z.infer<typeof StaffRole>;

/** A staff account as shown (never a passphrase, wrapped key or MFA secret). */
export const StaffAccount = z.object({
  id: Id,
  name: z.string(),
  role: StaffRole,
  active: z.boolean(),
  mfaEnrolled: z.boolean(),
  createdAt: IsoDateTime,
  passphraseChangedAt: IsoDateTime.nullable(),
  deactivatedAt: IsoDateTime.nullable(),
});
export type StaffAccountT = z.infer<typeof StaffAccount>;

/** Practice security settings: MFA required for every account; the two-person rule for third-party releases. */
export const SecuritySettings = z.object({ requireMfa: z.boolean(), twoPersonRule: z.boolean() });
export type SecuritySettingsT = z.infer<typeof SecuritySettings>;

/** A sign-in name: one line, 1–120 characters (also the name the audit log shows). */
const StaffName = line(120);
/** A passphrase as typed (checked for strength in main). */
const Passphrase = z.string().min(1).max(1024);
/** A 6-digit TOTP code (RFC 6238) or a recovery code (xxxx-xxxx-xx). */
export const MfaCode = z.string().regex(/^[0-9A-Za-z-]{6,20}$/);

const accountChannels = {
  /** The signed-in account, its recovery codes left and whether the practice requires MFA. */
  'accounts.me': {
    input: Empty,
    output: z.object({ user: StaffAccount, recoveryCodesLeft: z.number().int(), requireMfa: z.boolean() }),
  },
  /** Every staff account (administrator). */
  'accounts.list': { input: Empty, output: z.array(StaffAccount) },
  /** Add a staff account with an initial passphrase (administrator). Audited `user.create`. @throws USER_EXISTS | WEAK_PASSPHRASE */
  'accounts.add': { input: z.object({ name: StaffName, role: StaffRole, passphrase: Passphrase }).strict(), output: StaffAccount },
  /** Deactivate an account: its wrapped key is removed, so it can no longer unlock (administrator). Audited. */
  'accounts.deactivate': { input: z.object({ userId: Id }).strict(), output: StaffAccount },
  /** Set a new passphrase for an account, and optionally turn its MFA off (administrator). Audited. */
  'accounts.resetPassphrase': { input: z.object({ userId: Id, passphrase: Passphrase, resetMfa: z.boolean().default(false) }).strict(), output: StaffAccount },
  /**
   * Change the role of another active account (administrator). Audited `user.role_change` (who: the actor; whose: the
   * subject; detail from → to). @throws ROLE_CHANGE_SELF | LAST_ADMINISTRATOR | ACCOUNT_INACTIVE | NOT_FOUND
   */
  'accounts.setRole': { input: z.object({ userId: Id, role: StaffRole }).strict(), output: StaffAccount },
  /** Change your own passphrase (the current one is checked). Audited. @throws WRONG_PASSPHRASE | WEAK_PASSPHRASE */
  'accounts.changePassphrase': {
    input: z.object({ current: z.object({ passphrase: Passphrase }).strict(), next: z.object({ passphrase: Passphrase }).strict() }).strict(),
    output: Empty,
  },
  /** Start MFA enrollment: a new TOTP secret and its otpauth:// URI (shown as a QR code). */
  'accounts.startMfa': { input: Empty, output: z.object({ secret: z.string(), otpauthUri: z.string() }) },
  /** Confirm enrollment with a code from the app; returns 10 one-time recovery codes, shown once. @throws MFA_INVALID */
  'accounts.confirmMfa': { input: z.object({ code: MfaCode }).strict(), output: z.object({ recoveryCodes: z.array(z.string()) }) },
  /** The practice's security settings. */
  'settings.getSecurity': { input: Empty, output: SecuritySettings },
  /** Change the security settings (administrator). Audited `settings.change`. */
  'settings.setSecurity': { input: SecuritySettings.strict(), output: SecuritySettings },
  /**
   * Approve a third-party release under an authorization (two-person rule): a privacy officer other than the person
   * who prepared it. Audited `release.approve`. @throws APPROVAL_NOT_PERMITTED | APPROVAL_NOT_NEEDED
   */
  'releases.approve': { input: ByRelease, output: ReleaseEvaluation },
} as const;
// --- end staff accounts ---

// ------------------------------------------------------------------ channels

export const channels = {
  ...retentionChannels,
  ...accountChannels,
  'app.info': {
    input: Empty,
    output: z.object({
      mode: z.enum(['electron', 'preview']),
      version: z.string(),
      vault: VaultState,
      practiceName: z.string().nullable(),
      staffName: z.string().nullable(),
      /** The signed-in account (issue #11); null while locked. */
      user: z.object({ id: Id, name: z.string(), role: StaffRole }).nullable().optional(),
      /**
       * The practice required MFA when this account unlocked and it has not enrolled yet: the app shows only the
       * enrollment screen, and main refuses every other channel with MFA_ENROLLMENT_REQUIRED until it confirms.
       */
      mfaEnrollmentDue: z.boolean().optional(),
    }),
  },
  'setup.checkPassphrase': {
    input: z.object({ passphrase: z.string().max(1024), hints: z.array(z.string().max(200)).max(10).default([]) }).strict(),
    output: PassphraseStrength,
  },
  'setup.createVault': {
    input: z
      .object({
        passphrase: z.string().min(1).max(1024),
        staffName: line(120),
        practice: PracticeInput,
        smtp: SmtpSettingsInput,
      })
      .strict(),
    output: z.object({ practiceKey: KeyInfo }),
  },
  /**
   * Unlock as one staff account: its passphrase unwraps the vault key; with MFA enrolled, `code` (TOTP or a recovery
   * code) is required. Without `username`, every account's entry is tried (single-account vaults, older callers).
   * @throws WRONG_PASSPHRASE | MFA_REQUIRED | MFA_INVALID | ACCOUNT_INACTIVE | UNLOCK_THROTTLED | VAULT_DAMAGED | VAULT_NOT_A_VAULT
   */
  'vault.unlock': {
    input: z.object({ passphrase: z.string().min(1).max(1024), username: line(120).optional(), code: MfaCode.optional() }).strict(),
    output: Empty,
  },
  'vault.lock': { input: Empty, output: Empty },
  'settings.get': {
    input: Empty,
    output: z.object({
      practice: PracticeInput,
      smtp: SmtpSettingsInput.omit({ password: true }),
      practiceKey: KeyInfo,
      practicePublicKeyArmored: z.string(),
      delivery: DeliverySettings,
    }),
  },
  'releases.list': { input: Empty, output: z.array(ReleaseSummary) },
  /** Start a draft release for a request; the patient comes from the request. */
  'releases.create': { input: ByRequest, output: ReleaseDetail },
  'releases.get': { input: z.object({ id: Id }).strict(), output: ReleaseDetail },
  /**
   * Import files the user picks. In Electron main opens the native file dialog;
   * in the preview the bridge uploads the chosen files to the host's in-memory
   * staging area first. Either way the bytes go straight into the vault.
   */
  'documents.pick': {
    input: ByRelease,
    output: z.object({
      imported: z.array(DocumentSummary),
      rejected: z.array(ImportRejection),
    }),
  },
  'documents.remove': { input: z.object({ releaseId: Id, documentId: Id }).strict(), output: ReleaseDetail },
  'recipients.checkEmail': { input: z.object({ email: z.string().max(400) }).strict(), output: EmailCheck },
  'recipients.inspectKey': { input: z.object({ armoredKey: armoredText() }).strict(), output: KeyInfo },
  /** The address confirmation round trip for this release's patient: where `email` stands (no change, not audited). */
  'recipients.addressStatus': { input: z.object({ releaseId: Id, email: z.string().max(400) }).strict(), output: AddressStatus },
  /**
   * Email a PHI-free confirmation code to `email` (TLS-only, the practice's server), superseding a pending one.
   * Audited address.code_sent. Refused ADDRESS_ALREADY_CONFIRMED when the address is confirmed for this patient.
   */
  'recipients.sendCode': { input: z.object({ releaseId: Id, email: z.string().max(400) }).strict(), output: AddressStatus },
  /**
   * The code the recipient read back (6 digits; spaces and hyphens ignored). Right: the address is confirmed for
   * the patient and, when it is the release's recipient, the release's recipient too. Refused ADDRESS_CODE_WRONG,
   * ADDRESS_CODE_EXPIRED (24 h), ADDRESS_CODE_LOCKED (5 wrong tries), ADDRESS_CODE_NOT_SENT. Audited address.confirm.
   */
  'recipients.confirmCode': {
    input: z.object({ releaseId: Id, email: z.string().max(400), code: z.string().regex(/^[0-9 -]{1,12}$/) }).strict(),
    output: AddressStatus,
  },
  'releases.setRecipient': {
    input: z
      .object({
        releaseId: Id,
        name: line(200),
        email: z.string().max(400),
        /** Optional: a recipient without an OpenPGP key gets password-PDF / TLS-only / export / print. */
        armoredKey: armoredText().optional(),
        /** Staff confirmed the fingerprint with the recipient by another channel (ignored without a key). */
        fingerprintConfirmed: z.boolean().default(false),
        /**
         * Staff confirmed this exact address with the recipient. Required (else ADDRESS_NOT_CONFIRMED) when
         * recipients.checkEmail answers a suggestion or a warning; also clears the gate's mismatch with the
         * request's destination (RECIPIENT_NOT_IN_REQUEST).
         */
        addressConfirmed: z.boolean().default(false),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /**
   * Import the recipient's S/MIME certificate for this release (issue 18): PEM text (one or more certificates, or a
   * PKCS#7 "PKCS7" block), or the base64 of a DER certificate or `.p7b`/`.p7c` file. Checked now for the recipient's
   * address (dates, key usage, emailProtection, address, RSA ≥ 2048 / EC P-256, P-384); a refusal names the reason
   * and the date (CERT_*), audited. Stored unconfirmed (replacing an earlier one); an untrusted chain is returned
   * with a warning, never silently accepted.
   */
  'releases.importRecipientCertificate': {
    input: z.object({ releaseId: Id, certificate: armoredText(400_000) }).strict(),
    output: ReleaseDetail,
  },
  /**
   * Staff confirmed the certificate's SHA-256 fingerprint with the recipient by phone or in person (audited with
   * the fingerprint). `fingerprint` must be the stored one (what staff saw); a certificate with an untrusted chain
   * is confirmed only with `acceptUntrusted` (else CERT_CHAIN_UNTRUSTED); one whose revocation cannot be checked
   * (CRL unreachable or out of date) only with `acceptRevocationUnknown` (else CERT_REVOCATION_UNKNOWN). Checked again
   * now (CERT_*, CERT_REVOKED). `modernAlgorithms`: the recipient's program reads RSA-OAEP and AES-GCM
   * (AuthEnvelopedData, RFC 5083/5084); otherwise AES-256-CBC with RSA PKCS#1 v1.5, which every program reads.
   */
  'releases.confirmRecipientCertificate': {
    input: z
      .object({
        releaseId: Id,
        fingerprint: z.string().regex(/^[0-9A-F]{64}$/),
        acceptUntrusted: z.boolean().default(false),
        acceptRevocationUnknown: z.boolean().default(false),
        modernAlgorithms: z.boolean().default(false),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /** The practice's S/MIME certificate, or null before the first S/MIME release (or before one is made). */
  'settings.smimeCertificate': { input: Empty, output: PracticeSmimeCertificate.nullable() },
  /** Certificate revocation lists in the vault (imported, or fetched from distribution points and cached), newest first. */
  'settings.smimeCrls': { input: Empty, output: z.array(SmimeCrl) },
  /**
   * Import a CRL from a certificate authority: PEM ("X509 CRL") or the base64 of a DER `.crl`. Kept in the vault
   * (the same CRL twice changes nothing) and used to check recipient certificates of its issuer at import and at
   * send. Audited. Errors: CRL_INVALID.
   */
  'settings.importSmimeCrl': { input: z.object({ crl: armoredText(28_000_000) }).strict(), output: z.array(SmimeCrl) },
  /**
   * Make a self-signed practice S/MIME certificate now. Replacing (renewing) the active one is explicit: pass its
   * fingerprint as `replaceFingerprint` (else PRACTICE_CERT_RENEWAL_UNCONFIRMED); audited with the old and new
   * fingerprints. ReleaseDesk never replaces an expired certificate by itself: S/MIME sends are refused
   * (PRACTICE_CERT_EXPIRED) until an administrator renews it here or imports a new one.
   */
  'settings.createSmimeCertificate': {
    input: z.object({ replaceFingerprint: z.string().regex(/^[0-9A-F]{64}$/).nullable().default(null) }).strict(),
    output: PracticeSmimeCertificate,
  },
  /**
   * Import a practice certificate and private key from a PKCS#12 file (base64) with its password (used once,
   * never stored). Checked: RSA ≥ 2048 with a signing usage, emailProtection, valid now, the key matches. Audited.
   */
  'settings.importSmimeCertificate': {
    input: z.object({ pkcs12: armoredText(400_000), password: z.string().max(1024) }).strict(),
    output: PracticeSmimeCertificate,
  },
  /** The delivery ladder for this release now, strongest first, and the per-message size limit. */
  'releases.deliveryOptions': {
    input: ByRelease,
    output: z.object({
      rungs: z.array(DeliveryRung),
      /** The strongest available email method (null when none): what `releases.send` uses without `method`. */
      defaultMethod: EmailDeliveryMethod.nullable(),
      /** The recorded unencrypted-email choice that applies (null when none applies). */
      acknowledgmentId: Id.nullable(),
      messageLimitBytes: z.number().int(),
    }),
  },
  /**
   * Send by email. `method` defaults to 'openpgp-pgp-mime' when the recipient has a key (backwards compatible).
   * 'password-pdf': the response carries the generated `passphrase` ONCE (never stored, logged or shown again)
   * with `staffInstructions`; a partly sent release (status 'partly_sent') is retried with the same method and
   * sends only the missing parts (no new passphrase). 'tls-only-email' is refused with
   * UNENCRYPTED_NOT_ACKNOWLEDGED unless the individual's recorded choice applies.
   */
  'releases.send': {
    input: z.object({ releaseId: Id, method: EmailDeliveryMethod.optional() }).strict(),
    output: z.object({
      release: ReleaseDetail,
      transmission: Transmission,
      /** Only in the response of a fresh password-pdf send: read it to the recipient by phone, SMS or in person. */
      passphrase: z.string().optional(),
      /** What staff do with the passphrase (present with `passphrase`). */
      staffInstructions: z.string().optional(),
    }),
  },
  /**
   * Save the password-protected packet into a folder staff choose (Electron: folder dialog; preview: the host's
   * export folder). A disclosure: gated, recorded as a transmission (method 'export'), audited. The passphrase is
   * returned once, as for password-pdf. `saved: false` when staff cancelled the folder choice (nothing recorded).
   */
  'releases.export': {
    input: ByRelease,
    output: z.object({
      saved: z.boolean(),
      files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
      passphrase: z.string().optional(),
      staffInstructions: z.string().optional(),
      transmission: Transmission.nullable(),
      release: ReleaseDetail,
      /** Absolute path of the folder the files were saved into (absent when not saved). */
      folder: z.string().optional(),
    }),
  },
  /**
   * Prepare the print-ready packet (kept in the vault, never in a plaintext file) and record the disclosure
   * (method 'print'). Electron prints it by id; the preview serves it at GET /printable/<printableId>?token=….
   */
  'releases.printable': {
    input: ByRelease,
    output: z.object({ printableId: Id, pageCount: z.number().int(), jobTitle: z.string(), transmission: Transmission, release: ReleaseDetail }),
  },
  /** The outbox: every release waiting, being sent, unconfirmed, failed, partly sent or bounced, most urgent first. */
  'releases.outbox': { input: Empty, output: z.array(OutboxEntry) },
  /**
   * Staff's decision on an unconfirmed release: 'recipient_confirmed' (they asked; it arrived) or 'resend' (send the
   * SAME stored message again, same Message-ID). Audited with who decided.
   */
  'releases.resolveUnconfirmed': {
    input: z.object({ releaseId: Id, choice: z.enum(['recipient_confirmed', 'resend']) }).strict(),
    output: ReleaseDetail,
  },
  /** Take a prepared release out of the outbox: back to draft to change it ('withdraw'), or cancel it ('cancel'). Audited. */
  'releases.withdraw': { input: z.object({ releaseId: Id, how: z.enum(['withdraw', 'cancel']) }).strict(), output: ReleaseDetail },
  /** A password PDF's passphrase again, kept in the vault until staff confirm they gave it to the recipient (audited). */
  'releases.revealPassphrase': { input: ByRelease, output: z.object({ passphrase: z.string(), staffInstructions: z.string() }) },
  /** Staff gave the passphrase to the recipient: it is erased from the vault (audited). */
  'releases.passphraseGiven': { input: ByRelease, output: Empty },
  /** Pause or resume automatic sending of a queued release (audited). */
  'releases.pauseQueue': { input: z.object({ releaseId: Id, paused: z.boolean() }).strict(), output: ReleaseDetail },
  /** Change delivery settings (audited as a setting change). */
  'settings.setDelivery': { input: DeliverySettings.strict(), output: DeliverySettings },
  /** The idle lock setting (default {@link DEFAULT_IDLE_LOCK_MINUTES} minutes when never changed). Vault unlocked. */
  'settings.getIdleLock': { input: Empty, output: IdleLockSettings },
  /** Change the idle lock time, 1..60 minutes (audited as a setting change with before and after). */
  'settings.setIdleLock': { input: IdleLockSettings.strict(), output: IdleLockSettings },
  /** Change the SMTP submission server (audited as a setting change). Omit the password to keep the stored one. */
  'settings.updateSmtp': {
    input: SmtpSettingsInput.extend({ password: z.string().min(1).max(1024).optional() }).strict(),
    output: SmtpSettingsInput.omit({ password: true }),
  },
  /**
   * Test SMTP submission settings without sending: connect with the same enforced, verified TLS (>= 1.2)
   * and AUTH as sending, then QUIT. Works before a vault exists (setup; not audited then). Omit the password
   * to test the stored one (vault unlocked). Errors: TLS_REQUIRED, TLS_CERT_UNTRUSTED, TLS_PROTOCOL_TOO_OLD,
   * SMTP_AUTH_FAILED, SMTP_UNREACHABLE, SMTP_FAILED.
   */
  'settings.testSmtp': {
    input: SmtpSettingsInput.extend({ password: z.string().min(1).max(1024).optional() }).strict(),
    output: z.object({ ok: z.literal(true), tlsProtocol: z.string(), tlsCipher: z.string() }),
  },
  /**
   * Save the practice's armored OpenPGP PUBLIC key (practice-key.asc) where staff choose (Electron: a save
   * dialog; preview: the export folder), to hand to recipients so they can check signatures. Audited.
   */
  /** The bounce mailbox without its password, or null when none is set. */
  'settings.getBounceMailbox': { input: Empty, output: BounceMailboxInput.omit({ password: true }).nullable() },
  /** Save the bounce mailbox; the stored password is kept when omitted. Audited (fields changed, never values). */
  'settings.updateBounceMailbox': {
    input: BounceMailboxInput.extend({ password: z.string().min(1).max(1024).optional() }).strict(),
    output: BounceMailboxInput.omit({ password: true }),
  },
  /** Sign in to the bounce mailbox over verified TLS and out. Errors: IMAP_UNREACHABLE, TLS_CERT_UNTRUSTED, TLS_REQUIRED, IMAP_AUTH_FAILED, IMAP_FAILED. */
  'settings.testBounceMailbox': {
    input: BounceMailboxInput.extend({ password: z.string().min(1).max(1024).optional() }).strict(),
    output: z.object({ ok: z.literal(true), tlsProtocol: z.string() }),
  },
  /**
   * Make the PHI-free delivery-failure notice of a bounced or failed release (a letter in the patient's language,
   * kept in the vault) and offer it to save or print. Errors: STATUS_TRANSITION_INVALID, EXPORT_UNAVAILABLE.
   */
  'releases.failureNotice': {
    input: z.object({ releaseId: Id }).strict(),
    output: z.object({ noticeId: Id, language: NoticeLanguageSchema, pageCount: z.number().int().positive(), saved: z.boolean() }),
  },
  /** Read the bounce mailbox now and apply every delivery status notification in it; counts per outcome. */
  'bounces.checkNow': {
    input: Empty,
    output: z.object({
      read: z.number().int().nonnegative(),
      bounced: z.number().int().nonnegative(),
      delayed: z.number().int().nonnegative(),
      ignored: z.number().int().nonnegative(),
      unmatched: z.number().int().nonnegative(),
      duplicate: z.number().int().nonnegative(),
    }),
  },
  /**
   * Use the practice's existing OpenPGP key (armored PRIVATE key block, e.g. from "gpg --export-secret-keys --armor";
   * its passphrase when it has one, used once and never stored) as the practice key from now on. Audited.
   * Errors: KEY_INVALID, KEY_UNSUPPORTED, KEY_EXPIRED, KEY_REVOKED, KEY_NO_ENCRYPTION_SUBKEY.
   */
  'settings.importPracticeKey': {
    input: z.object({ armoredPrivateKey: armoredText(200_000), passphrase: z.string().min(1).max(1024).optional() }).strict(),
    output: z.object({ practiceKey: KeyInfo }),
  },
  'settings.exportPracticeKey': { input: Empty, output: z.object({ saved: z.boolean(), fingerprint: z.string() }) },
  /** Change the practice's postal address, phone and privacy officer (audited: which fields changed, never values). */
  'settings.updatePractice': { input: PracticeDetailsInput, output: PracticeInput },
  /** Set each document's category and date of service (audited). */
  'documents.classify': {
    input: z
      .object({
        releaseId: Id,
        items: z
          .array(
            z
              .object({
                documentId: Id,
                category: DocumentCategory,
                documentDate: IsoDate,
                /** Further categories a combined file contains (default none). */
                alsoCategories: z.array(DocumentCategory).max(12).default([]),
              })
              .strict(),
          )
          .min(1)
          .max(500),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /** Save a vault document (extension notice, authorization form) where staff choose; in Electron a save dialog. */
  'documents.export': { input: z.object({ documentId: Id }).strict(), output: z.object({ saved: z.boolean() }) },
  /** The compliance gate's findings for the release as it stands now, and which documents are selectable. */
  'releases.evaluate': { input: ByRelease, output: ReleaseEvaluation },
  /**
   * Record why a document outside the request's scope is needed (minimum necessary, 164.514(d)(3)).
   * Refused with SCOPE_OVERRIDE_REFUSED for sensitive categories.
   */
  'releases.overrideScope': {
    input: z.object({ releaseId: Id, documentId: Id, reason: paragraph(1000, 10) }).strict(),
    output: ReleaseEvaluation,
  },

  /**
   * Compare each record file of the release with the release's patient (name, date of birth, MRN; text layer only,
   * no OCR). Files already checked are not read again. Audited (counts only).
   */
  'documents.checkPatient': { input: ByRelease, output: z.object({ checks: z.array(DocumentPatientCheck) }) },
  /**
   * Staff looked at a flagged file and confirm it belongs in this release, with a reason (audited; the reason stays
   * in the vault, the audit detail has ids only). Refused with PATIENT_CHECK_PENDING before the check has run.
   */
  'documents.confirmPatient': {
    input: z.object({ releaseId: Id, documentId: Id, reason: paragraph(1000, 10) }).strict(),
    output: z.object({ checks: z.array(DocumentPatientCheck) }),
  },
  /**
   * One page of a record file rendered in main as a small PNG (data: URL), for the Records step's preview. Bounded:
   * one page per call, width 80..1000 px. Never a file on disk. Audited as a view (ids and page number only).
   */
  'documents.previewPage': {
    input: z.object({ releaseId: Id, documentId: Id, page: z.number().int().min(1).max(100_000), width: z.number().int().min(80).max(1000).default(240) }).strict(),
    output: z.object({ page: z.number().int(), pageCount: z.number().int(), width: z.number().int(), height: z.number().int(), dataUrl: z.string().max(4_000_000) }),
  },

  'requests.create': { input: RequestIntake, output: RequestDetail },
  /** Open and closed requests, oldest due first; clock fields computed in the practice's time zone. */
  'requests.list': { input: Empty, output: z.array(RequestSummary) },
  'requests.get': { input: z.object({ id: Id }).strict(), output: RequestDetail },
  /** Move along the status flow by hand (received → verifying → ready; ready → verifying; failed → ready). */
  'requests.setStatus': { input: z.object({ requestId: Id, status: z.enum(['verifying', 'ready']) }).strict(), output: RequestDetail },
  /** Record what was checked to verify identity or authority, by the signed-in staff member, now (164.514(h)). */
  'requests.recordVerification': {
    input: z.object({ requestId: Id, subject: z.enum(['identity', 'authority']), method: VerificationMethod, notes: paragraph(1000).default('') }).strict(),
    output: RequestDetail,
  },
  /** The one extension (164.524(b)(2)(ii)); produces the written notice PDF, stored in the vault. */
  'requests.extend': {
    input: z.object({ requestId: Id, reason: paragraph(1000, 1), newDueDate: CalendarDate }).strict(),
    output: z.object({ request: RequestDetail, notice: RequestDocument }),
  },
  'requests.deny': { input: z.object({ requestId: Id, reason: paragraph(2000, 1) }).strict(), output: RequestDetail },
  /**
   * The written denial (164.524(d)(2)–(3)) of a denied right-of-access request, from the recorded reason, in the
   * language recorded at intake, offered to save or print. `reviewable`: the ground is reviewable (164.524(a)(3));
   * `elsewhere`: who keeps the records when the practice does not ((d)(3)). Audited request.denial_notice.
   */
  'requests.denialNotice': {
    input: z.object({ requestId: Id, reviewable: z.boolean(), elsewhere: line(300).optional() }).strict(),
    output: z.object({ saved: z.boolean(), pageCount: z.number().int().positive(), language: NoticeLanguageSchema }),
  },
  'requests.withdraw': { input: z.object({ requestId: Id, note: paragraph(1000).default('') }).strict(), output: RequestDetail },
  /**
   * Record the individual's choice of unencrypted email after the warning
   * (UNENCRYPTED_EMAIL_WARNING in src/shared/compliance-text.ts; the renderer echoes its version).
   */
  'requests.recordUnencryptedEmailChoice': {
    input: z
      .object({
        requestId: Id,
        warningVersion: z.literal(UNENCRYPTED_EMAIL_WARNING_VERSION),
        prefersUnencrypted: z.boolean(),
        chosenBy: z.enum(['patient', 'personal_representative']),
        scope: z.enum(['this_release', 'standing']),
      })
      .strict(),
    output: RequestDetail,
  },
  /** Save (or, with authorizationId, replace) the request's authorization; returns the linter's findings. */
  'authorizations.save': {
    input: z.object({ requestId: Id, authorizationId: Id.optional(), authorization: AuthorizationInput }).strict(),
    output: AuthorizationRecord,
  },
  /** Record a revocation (effective the day received, 164.508(b)(5)). */
  'authorizations.revoke': { input: z.object({ authorizationId: Id, revocation: Revocation }).strict(), output: AuthorizationRecord },
  /** Attach the scanned signed authorization (picked like documents.pick; PDF only). */
  'authorizations.attachSignedForm': { input: z.object({ authorizationId: Id }).strict(), output: AuthorizationRecord },
  /** A printable authorization form, blank or prefilled from the request (and its authorization); stored in the vault. */
  'authorizations.form': {
    input: z.object({ requestId: Id.optional(), prefill: z.boolean(), psychotherapyNotesOnly: z.boolean().default(false) }).strict(),
    output: RequestDocument,
  },
  /** Record a 42 CFR Part 2 consent (§2.31) on the request's patient; returns its findings. */
  'part2Consents.save': { input: z.object({ requestId: Id, consent: Part2ConsentInput }).strict(), output: Part2ConsentRecord },
  // ---- authorization and consent rules (issue #15)
  /** Record the revocation of a Part 2 consent (42 CFR 2.31(a)(6)); effective the day received. */
  'part2Consents.revoke': { input: z.object({ consentId: Id, revocation: Revocation }).strict(), output: Part2ConsentRecord },
  /**
   * Amend an open request (scope, recipients, the patient's signed direction incl. the categories it names);
   * the previous values, who, when and why are kept with the request and audited (request.amend).
   */
  'requests.amend': {
    input: z
      .object({
        requestId: Id,
        reason: paragraph(1000, 1),
        scope: RequestScope.optional(),
        recipients: z.array(RequestRecipientInput).min(1).max(20).optional(),
        patientDirective: PatientDirective.optional(),
      })
      .strict(),
    output: RequestDetail,
  },
  /** The individual withdrew their choice of unencrypted email (kept, marked withdrawn now). */
  'requests.withdrawUnencryptedEmailChoice': { input: z.object({ requestId: Id, acknowledgmentId: Id }).strict(), output: RequestDetail },
  /**
   * Record how a personal representative's authority was verified (164.502(g), 164.514(h)): for the requester
   * or for the signer of the request's authorization. 'copy_attached' picks the PDF copy (like documents.pick).
   */
  'requests.recordRepresentativeAuthority': {
    input: z
      .object({
        requestId: Id,
        target: z.enum(['requester', 'authorization_signer']),
        document: RepresentativeAuthorityDocument,
        method: AuthorityVerificationMethod,
        notes: paragraph(500).default(''),
      })
      .strict(),
    output: RequestDetail,
  },
  'audit.events': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.array(AuditEvent),
  },
  'audit.transmissions': { input: Empty, output: z.array(Transmission) },
  'audit.verify': {
    input: Empty,
    output: z.object({ intact: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable() }),
  },
  // ---- audit reports (issue #10)
  /** One page of the audit log, newest first, filtered; staff names for the filter. */
  'audit.query': {
    input: z.object({ filter: AuditFilterInput, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) }).strict(),
    output: z.object({ events: z.array(AuditEventView), total: z.number().int(), actors: z.array(z.string()) }),
  },
  /** Verify the chain against every checkpoint (audited). */
  'audit.verifyChain': { input: Empty, output: ChainVerificationView },
  /** Verify against a receipt printed on an earlier report ("Checkpoint N: event S, hash H …"). Audited. */
  'audit.checkReceipt': { input: z.object({ receipt: line(400, 10) }).strict(), output: ChainVerificationView },
  /** Export the audit report (PDF, CSV, detached signatures by the practice key) into a folder staff choose. Audited. */
  'audit.exportReport': { input: z.object({ filter: AuditFilterInput }).strict(), output: ReportExport },
  /** Patients known to the vault, for pickers (name part or MRN). */
  'audit.patients': { input: z.object({ query: line(200, 0) }).strict(), output: z.array(z.object({ name: z.string(), dateOfBirth: z.string(), mrn: z.string() })) },
  /** The accounting of disclosures for one patient, six years before `asOf` (164.528), for review. */
  'audit.accounting': { input: z.object({ mrn: line(64), asOf: IsoDate }).strict(), output: AccountingView },
  /** Export the accounting (PDF, CSV, signatures) into a folder staff choose. Audited. */
  'audit.exportAccounting': { input: z.object({ mrn: line(64), asOf: IsoDate }).strict(), output: ReportExport },
  /** Who viewed, imported, exported, printed or sent a patient's records (or what one staff member accessed). */
  'audit.accessReport': { input: AccessReportInput, output: z.object({ events: z.array(AuditEventView), total: z.number().int() }) },
  'audit.exportAccessReport': { input: AccessReportInput, output: ReportExport },
  /** Record a disclosure made outside ReleaseDesk (phone report to public health, subpoena answered on paper). Audited. */
  'audit.recordDisclosure': {
    input: z
      .object({
        patient: PatientRef,
        disclosedOn: IsoDate,
        recipientName: line(200),
        recipientAddress: line(500).optional(),
        description: paragraph(1000, 3),
        purpose: paragraph(1000, 3),
        category: ManualDisclosureCategory,
      })
      .strict(),
    output: z.object({ id: z.string() }),
  },
  /** Record a temporary suspension of a patient's accounting (164.528(a)(2)); oral statements last at most 30 days. Audited. */
  'audit.recordSuspension': {
    input: z
      .object({
        mrn: line(64),
        agency: line(200),
        agencyKind: z.enum(['health_oversight', 'law_enforcement']),
        statement: z.enum(['written', 'oral']),
        startsOn: IsoDate,
        endsOn: IsoDate,
      })
      .strict(),
    output: SuspensionView,
  },
  // ---- record file import (issue 14): drag and drop, protected PDFs
  /**
   * Import the files just dropped onto the Records step. The platform stages them first (Electron: the preload
   * passes each file's path from `webUtils.getPathForFile`, or its bytes when it has none; preview: `POST /upload`
   * with `X-Staging: drop`); this call takes what was staged. Same answer as documents.pick.
   */
  'documents.importDropped': { input: ByRelease, output: ImportOutcome },
  /**
   * Import a password-protected PDF held back by documents.pick/importDropped (its `passwordRequestId`), with the
   * password staff typed. The password is used once for that file; never stored, logged or audited.
   */
  'documents.unlockPdf': {
    input: z.object({ releaseId: Id, passwordRequestId: Id, password: z.string().min(1).max(1024) }).strict(),
    output: ImportOutcome,
  },
  /** Forget a protected PDF staff chose not to import (its bytes leave memory). */
  'documents.discardPending': { input: z.object({ passwordRequestId: Id }).strict(), output: z.object({}) },
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ParsedInput<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** The result envelope every transport returns: never throws across the bridge. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The renderer-facing API: `api['releases.get']({ id })` resolves to the output or rejects with a coded error. */
export type Api = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<RpcResult<ChannelOutput<C>>> };

/** Electron IPC channel name for a contract key (one namespace so the preload can whitelist by prefix). */
export const ipcChannel = (name: ChannelName) => `rd:${name}`;

/** Events main pushes to the renderer (progress of long work). */
export const events = {
  progress: z.object({
    operation: z.enum(['import', 'assemble', 'encrypt', 'send']),
    releaseId: Id,
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
  }),
  /** Rows of a report laid out so far (audit reports, issue #10). */
  reportProgress: z.object({ report: z.enum(['audit', 'accounting', 'access']), done: z.number().nonnegative(), total: z.number().nonnegative() }),
  /** A release was returned as undeliverable (a DSN): reference, status code and plain reason only (no PHI). */
  bounce: z.object({ releaseId: Id, reference: z.string(), status: z.string(), reason: z.string() }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type ReleaseDetailT = z.output<typeof ReleaseDetail>;
export type ReleaseSummaryT = z.output<typeof ReleaseSummary>;
export type TransmissionT = z.output<typeof Transmission>;
export type KeyInfoT = z.output<typeof KeyInfo>;
export type RecipientCertificateT = z.output<typeof RecipientCertificate>;
export type PracticeSmimeCertificateT = z.output<typeof PracticeSmimeCertificate>;
export type SmimeCrlT = z.output<typeof SmimeCrl>;
export type DeliveryMethodT = z.output<typeof DeliveryMethod>;
export type DeliveryRungT = z.output<typeof DeliveryRung>;
export type TransmissionPartT = z.output<typeof TransmissionPart>;
export type OutboxEntryT = z.output<typeof OutboxEntry>;
export type DocumentSummaryT = z.output<typeof DocumentSummary>;
export type AuditEventT = z.output<typeof AuditEvent>;
export type RequestDetailT = z.output<typeof RequestDetail>;
export type RequestSummaryT = z.output<typeof RequestSummary>;
export type RequestDocumentT = z.output<typeof RequestDocument>;
export type AuthorizationRecordT = z.output<typeof AuthorizationRecord>;
export type Part2ConsentRecordT = z.output<typeof Part2ConsentRecord>;
export type IdentityVerificationT = z.output<typeof IdentityVerification>;
export type ReleaseEvaluationT = z.output<typeof ReleaseEvaluation>;
