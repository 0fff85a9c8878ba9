/**
 * The audit log as people read it and the records the privacy officer keeps by hand: one page of the log
 * with plain-language filters, the full verification against checkpoints and receipts, the accounting of
 * disclosures on screen (45 CFR 164.528), the access report on screen (164.312(b)), and disclosures and
 * suspensions recorded outside ReleaseDesk. The signed PDF/CSV exports build on this in audit-service.ts.
 */
import type {
  AuditEventT, TransmissionT, AccessReportInputT, AccessReportViewT, AccountingViewT, AuditEventViewT, AuditFilterInputT, AuditPageT, AuditQueryT, ManualDisclosureInputT,
  PatientListingT, SuspensionInputT, SuspensionViewT,
} from '../../../shared/contract';
import { AUDIT_ACTIONS, actionKind, describeAuditEvent } from '../../../shared/audit-labels';
import { AppError } from '../../../shared/errors';
import { addDays, daysBetween, endOfLocalDay, localDate } from '../compliance/dates';
import type { FolderPicker } from '../documents/folder-picker';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { listTransmissions } from '../releases/repo';
import { listAudit } from './audit';
import { accountingOf, disclosureEntries, ORAL_SUSPENSION_MAX_DAYS, type DisclosureEntry } from './accounting';
import { verifyChainParallel, type ChainVerification } from './chain';
import { CHECKPOINT_KEY_PURPOSE, parseReceipt, writeCheckpoint } from './checkpoints';
import { insertManualDisclosure, insertSuspension, knownPatients, manualDisclosures, MANUAL_DISCLOSURE_CATEGORIES, suspensionsOf, transmissionDisclosures } from './disclosures-repo';
import { auditActors, queryAuditEvents, iterateAuditEvents, type AuditEventRow, type AuditFilter } from './events-repo';

export type Filter = AuditFilterInputT;
export type EventView = AuditEventViewT;

export interface AuditServiceDeps {
  session: Session;
  /** Where exports go (Electron: folder dialog; preview: the export folder). Without it, exports answer EXPORT_UNAVAILABLE. */
  folderPicker?: FolderPicker;
  assetsRoot?: string;
  /** Report layout progress (which report, rows done, total), e.g. to the EventBus 'reportProgress'. */
  onProgress?: (report: 'audit' | 'accounting' | 'access', done: number, total: number) => void;
}

/** Reading, verifying and hand-kept records of the audit log (the exports are in {@link AuditService}). */
export class AuditReview {
  constructor(protected readonly d: AuditServiceDeps) {}

  protected get s(): Session {
    return this.d.session;
  }

  protected tz(): string {
    return requireSetting(this.s.require().db, 'practice').timeZone;
  }

  /** Calendar-date filter → instants in the practice's time zone (`to` inclusive → exclusive end). */
  protected toRepoFilter(f: Filter): AuditFilter {
    const tz = this.tz();
    return {
      ...(f.from ? { from: endOfLocalDay(addDays(f.from, -1), tz).toISOString() } : {}),
      ...(f.to ? { to: endOfLocalDay(f.to, tz).toISOString() } : {}),
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.outcome ? { outcome: f.outcome } : {}),
      ...(f.patient ? { patient: f.patient } : {}),
      ...(f.reference ? { reference: f.reference } : {}),
      ...(f.search ? { search: f.search } : {}),
    };
  }

  /** An event as the Audit screen and the reports show it: the row without the MRN and recipient, described in plain words. */
  protected view(r: AuditEventRow): EventView {
    const { patientMrn: _mrn, recipientName, ...shown } = r;
    return {
      ...shown,
      description: describeAuditEvent(r, { releaseReference: r.releaseReference, requestReference: r.requestReference, recipientName, patientName: r.patientName }),
      kind: actionKind(r.action),
    };
  }

  /** One page of the log for the Audit screen (not audited: reading the log is routine for the privacy officer). */
  query(input: AuditQueryT): AuditPageT {
    const db = this.s.require().db;
    const r = queryAuditEvents(db, this.toRepoFilter(input.filter), { offset: input.offset, limit: input.limit });
    return { events: r.events.map((e) => this.view(e)), total: r.total, actors: auditActors(db) };
  }

  /** The chain against every checkpoint (and `receipts`), verified in worker threads (chain.ts verifyChainParallel). */
  protected verifyNow(receipts: Array<{ seq: number; hash: string }> = []): Promise<ChainVerification> {
    const v = this.s.require();
    return verifyChainParallel(v.db, v.fileAccess(), this.s.auditKey(), v.subkey(CHECKPOINT_KEY_PURPOSE), this.s.dataDir, receipts, {
      onFallback: (code) => this.s.logger.warn('audit.verify_workers_unavailable', { code }),
    });
  }

  private auditVerification(action: string, r: ChainVerification): void {
    const v = this.s.require();
    v.tx(() =>
      this.s.audit({
        action,
        outcome: r.intact ? 'success' : 'failure',
        subjectType: 'audit',
        subjectId: null,
        detail: { checked: r.checked, lastSeq: r.lastSeq, checkpoints: r.checkpointsChecked, problems: r.problems.map((p) => p.code).join(',') || 'none', firstBrokenSeq: r.firstBrokenSeq ?? 0 },
      }),
    );
  }

  /** Verify the chain against every checkpoint; audited as `audit.verify`. */
  async verify(): Promise<ChainVerification> {
    const r = await this.verifyNow();
    this.auditVerification('audit.verify', r);
    return r;
  }

  /** The same verification as {@link verify}, for the Audit screen's full view (checkpoints and problems); audited as `audit.verify`. */
  verifyChain(): Promise<ChainVerification> {
    return this.verify();
  }

  /** The newest `limit` audit events, newest first (audit.ts listAudit). @throws AppError VAULT_LOCKED */
  events(limit: number): AuditEventT[] {
    return listAudit(this.s.require().db, limit);
  }

  /** Every transmission (the disclosures as recorded; releases/repo.ts). @throws AppError VAULT_LOCKED */
  transmissions(): TransmissionT[] {
    return listTransmissions(this.s.require().db);
  }

  /**
   * Verify against a receipt printed on an earlier report. Audited as `audit.receipt_check`.
   * @throws AppError VALIDATION_FAILED when the text holds no "event N, hash H"
   */
  async checkReceipt(text: string): Promise<ChainVerification> {
    const receipt = parseReceipt(text);
    if (!receipt) throw new AppError('VALIDATION_FAILED', 'That text does not contain a checkpoint (“event N, hash …”). Copy the whole checkpoint line from the report.');
    const r = await this.verifyNow([receipt]);
    this.auditVerification('audit.receipt_check', r);
    return r;
  }

  /**
   * After each unlock: verify the log against its checkpoints. Intact → a new checkpoint ('unlock');
   * not intact → an `audit.verify` failure event naming the problems (the Audit screen shows them).
   */
  async afterUnlock(): Promise<ChainVerification> {
    const r = await this.verifyNow();
    const v = this.s.require();
    if (r.intact) v.tx(() => writeCheckpoint(v.db, this.s.dataDir, v.subkey(CHECKPOINT_KEY_PURPOSE), this.s.clock.now(), 'unlock'));
    else {
      this.auditVerification('audit.verify', r);
      this.s.logger.warn('audit.chain_problem', { problems: r.problems.map((p) => p.code).join(',') });
    }
    return r;
  }

  patients(query: string): PatientListingT[] {
    return knownPatients(this.s.require().db, query);
  }

  /** Accounting review for the screen. @throws AppError NOT_FOUND when the vault knows no such patient */
  accounting(mrn: string, asOf: string): AccountingViewT {
    const db = this.s.require().db;
    const tz = this.tz();
    const patient = knownPatients(db, mrn, 50).find((p) => p.mrn === mrn);
    if (!patient) throw new AppError('NOT_FOUND', 'No patient with that record number is known to ReleaseDesk.');
    const entries = disclosureEntries(transmissionDisclosures(db, mrn), manualDisclosures(db, mrn), (iso) => localDate(iso, tz));
    const suspensions = suspensionsOf(db, mrn);
    const acc = accountingOf(entries, suspensions, asOf);
    const view = (e: DisclosureEntry) => ({
      date: e.date,
      recipientName: e.recipientName,
      recipientAddress: e.recipientAddress,
      description: e.description,
      purpose: e.purpose,
      source: e.source,
      reference: e.reference,
      method: e.method,
      reportable: e.rule.reportable,
      citation: e.rule.citation,
      reason: e.rule.reason,
      unconfirmed: e.unconfirmed,
      bounced: e.bounced,
    });
    return {
      patient,
      asOf: acc.asOf,
      from: acc.from,
      entries: acc.entries.map(view),
      excluded: acc.excluded.map(view),
      withheld: acc.withheld.map((w) => ({ ...view(w.entry), suspendedUntil: w.suspension.endsOn, agency: w.suspension.agency })),
      suspensions: suspensions.map((s) => ({ id: s.id, agency: s.agency, agencyKind: s.agencyKind, statement: s.statement, startsOn: s.startsOn, endsOn: s.endsOn })),
    };
  }

  private accessFilter(input: AccessReportInputT): AuditFilter {
    return this.toRepoFilter({ ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}), ...(input.actor ? { actor: input.actor } : {}), ...(input.patient ? { patient: input.patient } : {}) });
  }

  protected accessEvents(input: AccessReportInputT): EventView[] {
    const db = this.s.require().db;
    const out: EventView[] = [];
    for (const e of iterateAuditEvents(db, this.accessFilter(input))) {
      if (AUDIT_ACTIONS[e.action]?.access && e.patientName) out.push(this.view(e));
    }
    return out;
  }

  /** Access report on screen (newest first, at most 500 rows shown; the export has all). */
  accessReport(input: AccessReportInputT): AccessReportViewT {
    const all = this.accessEvents(input).reverse();
    return { events: all.slice(0, 500), total: all.length };
  }

  /**
   * Record a disclosure made outside ReleaseDesk (164.528: reportable disclosures must be accountable however
   * they were made). Audited as `audit.disclosure_record` on subject ('patient', MRN) with the category.
   * @throws AppError VALIDATION_FAILED when the date is in the future
   */
  recordDisclosure(input: ManualDisclosureInputT): { id: string } {
    const subject = { type: 'patient', id: input.patient.mrn };
    const today = localDate(this.s.clock.now(), this.tz());
    if (input.disclosedOn > today) {
      const e = new AppError('VALIDATION_FAILED', 'The date of the disclosure cannot be in the future.');
      this.s.recordFailure('audit.disclosure_record', subject, e);
      throw e;
    }
    const id = this.s.audited(
      'audit.disclosure_record',
      subject,
      (v) =>
        insertManualDisclosure(v.db, {
          patientName: input.patient.name,
          patientDob: input.patient.dateOfBirth,
          patientMrn: input.patient.mrn,
          disclosedOn: input.disclosedOn,
          recipientName: input.recipientName,
          recipientAddress: input.recipientAddress ?? null,
          description: input.description,
          purpose: input.purpose,
          category: input.category,
          enteredBy: this.s.actor(),
          enteredAt: this.s.clock.now().toISOString(),
        }),
      (x) => ({ disclosureId: x, category: input.category, cite: MANUAL_DISCLOSURE_CATEGORIES[input.category].cite }),
    );
    return { id };
  }

  /**
   * Record a temporary suspension of the individual's right to an accounting at the request of a health
   * oversight agency or law enforcement official (164.528(a)(2)). An oral statement suspends for at most
   * 30 days from the statement ((a)(2)(ii)). Audited as `audit.suspension_record`.
   * @throws AppError VALIDATION_FAILED when the end precedes the start, or an oral statement exceeds 30 days
   */
  recordSuspension(input: SuspensionInputT): SuspensionViewT {
    const subject = { type: 'patient', id: input.mrn };
    let problem: string | null = null;
    if (input.endsOn < input.startsOn) problem = 'The suspension must end on or after the day it starts.';
    else if (input.statement === 'oral' && daysBetween(input.startsOn, input.endsOn) > ORAL_SUSPENSION_MAX_DAYS)
      problem = `An oral statement suspends the accounting for at most ${ORAL_SUSPENSION_MAX_DAYS} days (45 CFR 164.528(a)(2)(ii)); ask the agency for a written statement to suspend it longer.`;
    if (problem) {
      const e = new AppError('VALIDATION_FAILED', problem);
      this.s.recordFailure('audit.suspension_record', subject, e);
      throw e;
    }
    const id = this.s.audited(
      'audit.suspension_record',
      subject,
      (v) => insertSuspension(v.db, { patientMrn: input.mrn, agency: input.agency, agencyKind: input.agencyKind, statement: input.statement, startsOn: input.startsOn, endsOn: input.endsOn, enteredBy: this.s.actor(), enteredAt: this.s.clock.now().toISOString() }),
      (x) => ({ suspensionId: x, agencyKind: input.agencyKind, statement: input.statement, endsOn: input.endsOn }),
    );
    return { id, agency: input.agency, agencyKind: input.agencyKind, statement: input.statement, startsOn: input.startsOn, endsOn: input.endsOn };
  }
}
