/** The `audit.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { line } from '../text-rules';
import { IsoDate, Empty } from '../schemas/common';
import { Transmission } from '../schemas/releases';
import {
  AuditEvent, AuditFilterInput, AuditQuery, AuditPage, ChainVerificationView, ReportExport, PatientListing, SuspensionView, AccountingView,
  AccessReportInput, AccessReportView, ManualDisclosureInput, SuspensionInput,
} from '../schemas/audit';
import type { ChannelMap } from './spec';

export const auditChannels = {
  'audit.events': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.array(AuditEvent),
  },
  'audit.transmissions': { input: Empty, output: z.array(Transmission) },
  'audit.verify': {
    input: Empty,
    output: z.object({ intact: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable() }),
  },
  /** One page of the audit log, newest first, filtered; staff names for the filter. */
  'audit.query': {
    input: AuditQuery,
    output: AuditPage,
  },
  /** Verify the chain against every checkpoint (audited). */
  'audit.verifyChain': { input: Empty, output: ChainVerificationView },
  /** Verify against a receipt printed on an earlier report ("Checkpoint N: event S, hash H …"). Audited. */
  'audit.checkReceipt': { input: z.object({ receipt: line(400, 10) }).strict(), output: ChainVerificationView },
  /** Export the audit report (PDF, CSV, detached signatures by the practice key) into a folder staff choose. Audited. */
  'audit.exportReport': { input: z.object({ filter: AuditFilterInput }).strict(), output: ReportExport },
  /** Patients known to the vault, for pickers (name part or MRN). */
  'audit.patients': { input: z.object({ query: line(200, 0) }).strict(), output: z.array(PatientListing) },
  /** The accounting of disclosures for one patient, six years before `asOf` (164.528), for review. */
  'audit.accounting': { input: z.object({ mrn: line(64), asOf: IsoDate }).strict(), output: AccountingView },
  /**
   * Export the accounting (PDF, CSV, signatures) into a folder staff choose. Audited. `copy` 'patient' (164.528(c):
   * the accounting given to the individual) leaves out the officer-only integrity receipt: no audit-log check, no
   * checkpoint hashes, no "gpg --verify" text in the PDF; 'officer' (the default) keeps them.
   */
  'audit.exportAccounting': { input: z.object({ mrn: line(64), asOf: IsoDate, copy: z.enum(['officer', 'patient']).optional() }).strict(), output: ReportExport },
  /** Who viewed, imported, exported, printed or sent a patient's records (or what one staff member accessed). */
  'audit.accessReport': { input: AccessReportInput, output: AccessReportView },
  'audit.exportAccessReport': { input: AccessReportInput, output: ReportExport },
  /** Record a disclosure made outside ReleaseDesk (phone report to public health, subpoena answered on paper). Audited. */
  'audit.recordDisclosure': { input: ManualDisclosureInput, output: z.object({ id: z.string() }) },
  /** Record a temporary suspension of a patient's accounting (164.528(a)(2)); oral statements last at most 30 days. Audited. */
  'audit.recordSuspension': { input: SuspensionInput, output: SuspensionView },
} as const satisfies ChannelMap;
