/**
 * Compliance domain schemas shared by main and renderer (pure TypeScript + zod).
 *
 * Requests for records by legal basis (45 CFR 164.524 right of access, 164.508
 * authorization, 164.506 treatment/payment/operations), authorizations,
 * 42 CFR Part 2 consents, document categories, sensitive-category rule packs
 * and the patient's acknowledgment of unencrypted email.
 *
 * JSON-safe throughout: calendar dates are `YYYY-MM-DD` strings interpreted in
 * the practice's IANA time zone; instants are ISO-8601 date-times with offset.
 * The rules that interpret these shapes live in src/main/services/compliance/.
 */
import { z } from 'zod';
import { NoticeLanguageSchema } from './languages';
import { line, paragraph } from './text-rules';

/** True when `YYYY-MM-DD` names a day that exists in the proleptic Gregorian calendar (ISO 8601). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** A calendar date `YYYY-MM-DD` (in the practice's time zone) that exists: 2026-02-31 is refused. */
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isCalendarDate, { message: 'not a real calendar date' });
/** An instant, ISO-8601 with offset, e.g. `2026-03-08T09:15:00-05:00`. */
export const Instant = z.string().datetime({ offset: true });

/** Free text in compliance records: the shared rule of src/shared/text-rules.ts (bounded; no control, bidi or broken characters). */
const text = (max = 2000) => paragraph(max);

// ------------------------------------------------------------------ categories

/** Document categories a covered entity files records under. */
export const DOCUMENT_CATEGORIES = [
  'visit_notes',
  'lab_results',
  'imaging_reports',
  'medication_list',
  'immunizations',
  'billing',
  'correspondence',
  'psychotherapy_notes',
  'substance_use_disorder',
  'hiv_sti_results',
  'genetic_testing',
  'other',
] as const;
export const DocumentCategory = z.enum(DOCUMENT_CATEGORIES);
export type DocumentCategory = z.infer<typeof DocumentCategory>;

/** Staff-facing labels (PHI-free). */
export const CATEGORY_LABELS: Record<DocumentCategory, string> = {
  visit_notes: 'Visit notes',
  lab_results: 'Lab results',
  imaging_reports: 'Imaging reports',
  medication_list: 'Medication list',
  immunizations: 'Immunizations',
  billing: 'Billing records',
  correspondence: 'Correspondence',
  psychotherapy_notes: 'Psychotherapy notes',
  substance_use_disorder: 'Substance use disorder records (42 CFR Part 2)',
  hiv_sti_results: 'HIV/STI test results',
  genetic_testing: 'Genetic testing',
  other: 'Other',
};

/** A document as the rules see it: id, category and the date of service (no content, no name). */
export const ComplianceDocument = z.object({
  id: z.string().min(1).max(64),
  category: DocumentCategory,
  /** Date of service / date of the record, practice time zone. */
  date: CalendarDate,
});
export type ComplianceDocument = z.infer<typeof ComplianceDocument>;

// ------------------------------------------------------------------ requests

/**
 * Legal basis of a request.
 * - right_of_access: the individual or personal representative (164.524)
 * - patient_directed: copy to a third party at the individual's direction (164.524(c)(3)(ii))
 * - authorization: third-party disclosure under an authorization (164.508)
 * - tpo: treatment, payment or health care operations (164.506)
 * - required_by_law: 164.512(a); hhs: to the Secretary (164.502(a)(2)(ii))
 */
export const LegalBasis = z.enum(['right_of_access', 'patient_directed', 'authorization', 'tpo', 'required_by_law', 'hhs']);
export type LegalBasis = z.infer<typeof LegalBasis>;

/** Status flow: received → verifying → ready → sent | partly_sent | failed; denied / withdrawn close it. */
export const RequestStatus = z.enum(['received', 'verifying', 'ready', 'sent', 'partly_sent', 'failed', 'denied', 'withdrawn']);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const RequesterRole = z.enum(['patient', 'personal_representative', 'third_party', 'covered_entity', 'government']);

/**
 * What establishes a personal representative's authority (45 CFR 164.502(g)(2)-(4)):
 * - parent_of_minor: parent or guardian of an unemancipated minor ((g)(3))
 * - guardianship_order: a court order appointing a guardian or conservator of the person ((g)(2))
 * - health_care_power_of_attorney: a durable/health care power of attorney or advance directive naming the agent ((g)(2))
 * - executor_or_administrator: letters testamentary or of administration for a deceased individual ((g)(4))
 * - other_legal_authority: another court order or statute giving authority to act in health care matters
 */
export const REPRESENTATIVE_AUTHORITY_DOCUMENTS = ['parent_of_minor', 'guardianship_order', 'health_care_power_of_attorney', 'executor_or_administrator', 'other_legal_authority'] as const;
export const RepresentativeAuthorityDocument = z.enum(REPRESENTATIVE_AUTHORITY_DOCUMENTS);
export type RepresentativeAuthorityDocument = z.infer<typeof RepresentativeAuthorityDocument>;

/**
 * How staff verified the authority (45 CFR 164.514(h)(1), (h)(2)(i)):
 * - copy_attached: a copy of the document is stored with the request (documentId)
 * - original_inspected: staff saw the original document (in person or a certified copy) and recorded it
 * - practice_records: the practice's own registration records already name this person as the minor's
 *   parent or guardian (acceptable only for 'parent_of_minor')
 */
export const AuthorityVerificationMethod = z.enum(['copy_attached', 'original_inspected', 'practice_records']);
export type AuthorityVerificationMethod = z.infer<typeof AuthorityVerificationMethod>;

/**
 * The recorded verification of a personal representative's authority (164.502(g), 164.514(h)).
 * Written only by the main process (who and when are the signed-in staff member and the app clock).
 */
export const RepresentativeAuthorityEvidence = z.object({
  document: RepresentativeAuthorityDocument,
  method: AuthorityVerificationMethod,
  /** The stored copy (request document of kind 'representative_authority'); required for 'copy_attached'. */
  documentId: line(64).optional(),
  verifiedBy: text(200),
  verifiedAt: Instant,
  /** Staff note (no ID numbers). */
  notes: text(500).default(''),
});
export type RepresentativeAuthorityEvidence = z.infer<typeof RepresentativeAuthorityEvidence>;

export const Requester = z.object({
  role: RequesterRole,
  name: line(200, 0),
  /** For a personal representative: the authority (e.g. "parent of minor", "health care power of attorney"), 164.502(g). */
  authority: text(500).optional(),
  /** The recorded verification of that authority (164.514(h)); a typed description alone is not enough. */
  authorityEvidence: RepresentativeAuthorityEvidence.optional(),
});

export const RequestRecipient = z.object({
  name: line(200, 0),
  /** Email address or postal address the copy goes to. */
  destination: text(500),
});

/** Requested scope: categories and an inclusive date range of service (either bound optional). */
export const RequestScope = z.object({
  categories: z.array(DocumentCategory).min(1).max(DOCUMENT_CATEGORIES.length),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
});
export type RequestScope = z.infer<typeof RequestScope>;

export const RequestedForm = z.object({
  /** e.g. 'pdf', 'paper', 'ccda': the form and format requested (164.524(c)(2)). */
  format: text(50),
  electronic: z.boolean(),
});

/** The written direction of a patient-directed copy, 164.524(c)(3)(ii). */
export const PatientDirective = z.object({
  inWriting: z.boolean(),
  signed: z.boolean(),
  signedDate: CalendarDate.optional(),
  recipientNamed: z.boolean(),
  destinationNamed: z.boolean(),
  /** Categories the signed direction names explicitly (state packs may require a named sensitive category). */
  namedCategories: z.array(DocumentCategory).max(DOCUMENT_CATEGORIES.length).default([]),
});

export const TpoPurpose = z.object({
  purpose: z.enum(['treatment', 'payment', 'operations']),
  /** The recorded reason for the disclosure (PHI-free staff text). */
  reason: text(1000),
});

export const Extension = z.object({
  /** Day the written notice was given (practice time zone). */
  noticeDate: CalendarDate,
  reason: text(1000),
  /** New due date, at most day 60 (164.524(b)(2)(ii)). */
  newDueDate: CalendarDate,
});
export type Extension = z.infer<typeof Extension>;

/**
 * One amendment of a request (scope, recipients, the patient's direction), kept forever with the request
 * (164.530(j)): who, when, why, which fields changed and their values before the change.
 */
export const RequestAmendment = z.object({
  amendedAt: Instant,
  amendedBy: text(200),
  reason: text(1000),
  /** Names of the fields that changed: 'scope', 'recipients', 'patientDirective'. */
  changed: z.array(z.enum(['scope', 'recipients', 'patientDirective'])).min(1),
  /** The values of the changed fields before the amendment. */
  before: z.object({
    scope: RequestScope.optional(),
    recipients: z.array(RequestRecipient).min(1).max(20).optional(),
    patientDirective: PatientDirective.optional(),
  }),
});
export type RequestAmendment = z.infer<typeof RequestAmendment>;

export const ReleaseRequest = z.object({
  id: z.string().min(1).max(64),
  basis: LegalBasis,
  /** When the request was received; its calendar date in the practice's time zone is day 0. */
  receivedAt: Instant,
  requester: Requester,
  recipients: z.array(RequestRecipient).min(1).max(20),
  scope: RequestScope,
  form: RequestedForm,
  status: RequestStatus,
  extensions: z.array(Extension).default([]),
  patientDirective: PatientDirective.optional(),
  tpo: TpoPurpose.optional(),
  /** Identifier of the authorization the request relies on, if any. */
  authorizationId: z.string().optional(),
  /** Amendments, oldest first (the current values are the fields above). */
  amendments: z.array(RequestAmendment).optional(),
  /** The language patient-facing notices are written in (recorded at intake; English when not recorded). */
  preferredLanguage: NoticeLanguageSchema.optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

// ------------------------------------------------------------------ authorization (164.508)

export const Signature = z.object({
  signed: z.boolean(),
  date: CalendarDate.optional(),
  signerRole: z.enum(['patient', 'personal_representative']),
  /** Required when a personal representative signs: description of authority, 164.508(c)(1)(vi). */
  representativeAuthority: text(500).optional(),
  /** The recorded verification of the representative's authority (164.502(g), 164.514(h)). */
  authorityEvidence: RepresentativeAuthorityEvidence.optional(),
});

export const Revocation = z.object({
  /** Date the covered entity received the revocation; effective that day. */
  receivedDate: CalendarDate,
  method: z.enum(['written', 'electronic', 'other']),
});

/** What an authorization document was combined with (compound authorizations, 164.508(b)(3)). */
export const CombinedWith = z.enum([
  'other_authorization',
  'psychotherapy_notes_authorization',
  'research_consent',
  'consent_to_treatment',
  'notice_of_privacy_practices',
  'other_document',
]);

export const Authorization = z.object({
  id: z.string().min(1).max(64),
  /** (c)(1)(i): specific and meaningful description of the information. */
  informationDescription: text(2000),
  /**
   * Categories the description covers; rule packs check a sensitive category is named here.
   * An authorization whose only category is 'psychotherapy_notes' is a psychotherapy-notes authorization (164.508(a)(2)).
   */
  categories: z.array(DocumentCategory).max(DOCUMENT_CATEGORIES.length).default([]),
  /** Optional date range of the information covered. */
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  /** (c)(1)(ii): persons authorized to make the disclosure. */
  disclosers: z.array(text(300)).max(20).default([]),
  /** (c)(1)(iii): persons to whom the disclosure may be made. */
  recipients: z.array(text(300)).max(20).default([]),
  /** (c)(1)(iv): each purpose ("at the request of the individual" suffices only when the individual initiated it). */
  purposes: z.array(text(500)).max(20).default([]),
  /**
   * Who initiated (drafted and asked for) the authorization, (c)(1)(iv): the individual, the covered entity,
   * or a third party such as an insurer, employer or lawyer. Unrecorded on authorizations saved before it existed.
   */
  initiatedBy: z.enum(['individual', 'covered_entity', 'third_party']).optional(),
  /** The authorization is for research, including a research database or repository ((c)(1)(v)). */
  research: z.boolean().optional(),
  /** (c)(1)(v): expiration date (inclusive) or event; `none` ("none" or similar) is valid only for research. */
  expiration: z
    .object({
      /** The form says "none" (or similar) instead of a date or event. */
      none: z.boolean().optional(),
      date: CalendarDate.optional(),
      event: text(500).optional(),
      /** Date the expiration event occurred, once known. */
      eventOccurredOn: CalendarDate.optional(),
    })
    .default({}),
  /** (c)(1)(vi). */
  signature: Signature,
  /** (c)(2) required statements present in the document. */
  statements: z.object({
    /** (c)(2)(i): right to revoke in writing, with the exceptions and how to revoke. */
    rightToRevoke: z.boolean(),
    /** (c)(2)(ii): ability or inability to condition treatment, payment, enrollment or eligibility. */
    conditioning: z.boolean(),
    /** (c)(2)(iii): potential for redisclosure and loss of protection. */
    redisclosure: z.boolean(),
  }),
  combinedWith: z.array(CombinedWith).max(10).default([]),
  /** True when treatment, payment, enrollment or eligibility is conditioned on signing (relevant to compound authorizations). */
  conditionsTreatment: z.boolean().default(false),
  revocation: Revocation.optional(),
  /** Staff know material information in it to be false (164.508(b)(2)(v)). */
  knownFalse: z.boolean().default(false),
  /** (c)(4): a copy of the signed authorization was given to the individual. */
  copyGivenToIndividual: z.boolean().default(false),
});
export type Authorization = z.infer<typeof Authorization>;

// ------------------------------------------------------------------ Part 2 consent (42 CFR 2.31)

export const Part2Consent = z.object({
  id: z.string().min(1).max(64),
  /** §2.31(a)(1): the patient's name. */
  patientNamed: z.boolean(),
  /** §2.31(a)(2): specific name or general designation of the part 2 program or person permitted to disclose. */
  discloser: text(300),
  /** §2.31(a)(3): how much and what kind of information, including an explicit description of the SUD information. */
  informationDescription: text(2000),
  /** Categories the consent covers. */
  categories: z.array(DocumentCategory).max(DOCUMENT_CATEGORIES.length).default([]),
  /** §2.31(a)(4): the recipient(s). */
  recipients: z.array(text(300)).max(20).default([]),
  /** §2.31(a)(5): the purpose of the disclosure. */
  purpose: text(500),
  /** §2.31(a)(6): statement of the right to revoke and how. */
  revocationStatement: z.boolean(),
  /** §2.31(a)(7): expiration date or event. */
  expiration: z.object({ date: CalendarDate.optional(), event: text(500).optional(), eventOccurredOn: CalendarDate.optional() }).default({}),
  /** §2.31(a)(8): signature of the patient (or authorized person) and date. */
  signature: z.object({ signed: z.boolean(), date: CalendarDate.optional() }),
  revocation: Revocation.optional(),
});
export type Part2Consent = z.infer<typeof Part2Consent>;

// ------------------------------------------------------------------ rule packs

/**
 * A requirement a sensitive category imposes; interpreted by the engine.
 * - excluded_for_bases: the category never leaves under these bases
 * - dedicated_authorization: only under an authorization for this category alone (164.508(a)(2))
 * - part2_consent: only with a valid 42 CFR 2.31 consent covering the category
 * - named_in_authorization: only with an authorization (or signed patient direction) naming the category
 * - attach_notice: the release carries this notice text (e.g. 42 CFR 2.32)
 */
export const Requirement = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('excluded_for_bases'), bases: z.array(LegalBasis).min(1), citation: text(200), code: z.string().regex(/^[A-Z0-9_]+$/), message: text(500) }),
  z.object({ kind: z.literal('dedicated_authorization'), bases: z.array(LegalBasis).min(1), citation: text(200), code: z.string().regex(/^[A-Z0-9_]+$/), message: text(500) }),
  z.object({ kind: z.literal('part2_consent'), bases: z.array(LegalBasis).min(1), citation: text(200), code: z.string().regex(/^[A-Z0-9_]+$/), message: text(500) }),
  z.object({ kind: z.literal('named_in_authorization'), bases: z.array(LegalBasis).min(1), citation: text(200), code: z.string().regex(/^[A-Z0-9_]+$/), message: text(500) }),
  z.object({ kind: z.literal('attach_notice'), bases: z.array(LegalBasis).min(1), citation: text(200), title: text(200), text: text(5000) }),
]);
export type Requirement = z.infer<typeof Requirement>;

export const CategoryRule = z.object({
  category: DocumentCategory,
  /** Sensitive categories never go beyond the request's scope, even with a reason. */
  sensitive: z.boolean(),
  requirements: z.array(Requirement),
});

export const RulePack = z.object({
  id: z.string().regex(/^[a-z0-9.-]+$/),
  name: line(200, 0),
  version: z.string().min(1).max(40),
  /** Jurisdiction, e.g. 'US-federal', 'US-CA'. */
  jurisdiction: text(40),
  rules: z.array(CategoryRule),
});
export type RulePack = z.infer<typeof RulePack>;

// ------------------------------------------------------------------ overrides and unencrypted email

/** A recorded reason to release a document outside the request's scope (minimum necessary, 164.514(d)). */
export const ScopeOverride = z.object({
  documentId: z.string().min(1).max(64),
  reason: text(1000),
  recordedBy: text(200),
  recordedAt: Instant,
});
export type ScopeOverride = z.infer<typeof ScopeOverride>;

/** The individual's informed choice of unencrypted email (164.524(c)(2), HHS right-of-access guidance). */
export const UnencryptedEmailAcknowledgment = z.object({
  id: z.string().min(1).max(64),
  /** The text of the risk warning shown (or its version id). */
  warningShown: text(5000),
  /** After the warning, the individual still prefers unencrypted email. */
  prefersUnencrypted: z.boolean(),
  /** Who chose: the individual or the personal representative. */
  chosenBy: z.enum(['patient', 'personal_representative']),
  /** Staff member who recorded the choice. */
  recordedBy: text(200),
  recordedAt: Instant,
  scope: z.enum(['this_release', 'standing']),
  /** For scope 'this_release': the request it applies to. */
  requestId: z.string().optional(),
  /** When the individual withdrew the choice. */
  withdrawnAt: Instant.optional(),
});
export type UnencryptedEmailAcknowledgment = z.infer<typeof UnencryptedEmailAcknowledgment>;

// ------------------------------------------------------------------ findings

export const Finding = z.object({
  /** Stable machine code, e.g. 'AUTH_EXPIRED'. */
  code: z.string(),
  severity: z.enum(['block', 'warn']),
  /** e.g. '45 CFR 164.508(b)(2)(i)'. */
  citation: z.string(),
  /** Plain language, PHI-free. */
  message: z.string(),
  /** The document concerned, by id (never its name). */
  documentId: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const ReleaseNotice = z.object({
  category: DocumentCategory,
  citation: z.string(),
  title: z.string(),
  text: z.string(),
  /** For the 42 CFR 2.32(b) scope explanation: the Part 2 consent it explains (render it with renderPart2ConsentScope). */
  consentId: z.string().optional(),
});
export type ReleaseNotice = z.infer<typeof ReleaseNotice>;
