/**
 * The audit log and the reports built from it (events, chain verification, accounting of disclosures, access reports).
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { AUDIT_ACTION_KINDS } from '../audit-labels';
import { line, paragraph } from '../text-rules';
import { IsoDate, IsoDateTime } from './common';

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
/** One page of the audit log (audit.query): the filter, where the page starts and how long it is. */
export const AuditQuery = z
  .object({ filter: AuditFilterInput, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) })
  .strict();
/** One page of the audit log, newest first, with the total matching and the staff names for the filter. */
export const AuditPage = z.object({ events: z.array(AuditEventView), total: z.number().int(), actors: z.array(z.string()) });
/** A patient known to the vault, for pickers. */
export const PatientListing = z.object({ name: z.string(), dateOfBirth: z.string(), mrn: z.string() });
/** The access report's events (who viewed, imported, exported, printed or sent) and how many. */
export const AccessReportView = z.object({ events: z.array(AuditEventView), total: z.number().int() });
/** A disclosure made outside ReleaseDesk, recorded for the accounting (164.528). */
export const ManualDisclosureInput = z
  .object({
    patient: PatientRef,
    disclosedOn: IsoDate,
    recipientName: line(200),
    recipientAddress: line(500).optional(),
    description: paragraph(1000, 3),
    purpose: paragraph(1000, 3),
    category: ManualDisclosureCategory,
  })
  .strict();
/** A temporary suspension of an individual's accounting (164.528(a)(2)); oral statements last at most 30 days. */
export const SuspensionInput = z
  .object({
    mrn: line(64),
    agency: line(200),
    agencyKind: z.enum(['health_oversight', 'law_enforcement']),
    statement: z.enum(['written', 'oral']),
    startsOn: IsoDate,
    endsOn: IsoDate,
  })
  .strict();
export type AuditEventT = z.output<typeof AuditEvent>;
export type AuditQueryT = z.output<typeof AuditQuery>;
export type AuditPageT = z.output<typeof AuditPage>;
export type PatientListingT = z.output<typeof PatientListing>;
export type AccessReportInputT = z.output<typeof AccessReportInput>;
export type AccessReportViewT = z.output<typeof AccessReportView>;
export type ManualDisclosureInputT = z.output<typeof ManualDisclosureInput>;
export type SuspensionInputT = z.output<typeof SuspensionInput>;

export type AccountingViewT = z.output<typeof AccountingView>;
export type SuspensionViewT = z.output<typeof SuspensionView>;
export type ReportExportT = z.output<typeof ReportExport>;
export type AuditEventViewT = z.output<typeof AuditEventView>;
export type AuditFilterInputT = z.output<typeof AuditFilterInput>;
