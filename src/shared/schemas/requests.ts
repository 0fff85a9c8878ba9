/**
 * Requests for records (45 CFR 164.524, 164.508): intake, identity checks, authorizations, the 30-day clock.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { Authorization, Finding, LegalBasis, Part2Consent, PatientDirective, ReleaseRequest, RequestedForm, Requester, RequestRecipient, RequestScope, RequestStatus, TpoPurpose, UnencryptedEmailAcknowledgment } from '../compliance';
import { NoticeLanguageSchema } from '../languages';
import { VERIFICATION_METHODS } from '../compliance-text';
import { line } from '../text-rules';
import { Count, Id, IsoDate, IsoDateTime } from './common';
import { ReleaseStatus } from './releases';

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
  sizeBytes: Count,
  pageCount: Count,
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
export const AuthorizationInput = Authorization.omit({ id: true });
export const Part2ConsentInput = Part2Consent.omit({ id: true });
export type RequestDetailT = z.output<typeof RequestDetail>;
export type RequestSummaryT = z.output<typeof RequestSummary>;
export type RequestDocumentT = z.output<typeof RequestDocument>;
export type AuthorizationRecordT = z.output<typeof AuthorizationRecord>;
export type Part2ConsentRecordT = z.output<typeof Part2ConsentRecord>;
export type IdentityVerificationT = z.output<typeof IdentityVerification>;
