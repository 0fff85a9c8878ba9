/**
 * The privacy officer's audit workflows: the log read by people (filters, plain language), the full
 * verification against checkpoints and receipts, the audit report, the accounting of disclosures
 * (45 CFR 164.528) and the access report (164.312(b)) — each exported as a PDF and a CSV with detached
 * OpenPGP signatures by the practice key, into a folder staff choose, and each export audited.
 */
import { DateTime } from 'luxon';
import type { ChannelOutput, ParsedInput } from '../../../shared/contract';
import { AUDIT_ACTIONS, actionKind, describeAuditEvent, OUTCOME_LABEL, ACTION_KIND_LABEL } from '../../../shared/audit-labels';
import { AppError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { addDays, daysBetween, endOfLocalDay, localDate } from '../compliance/dates';
import type { FolderPicker } from '../documents/folder-picker';
import { signDetached } from '../packaging/sign';
import { renderReportPdf, type Column, type ReportSpec } from '../reports/report-pdf';
import { toCsv } from '../reports/csv';
import { writeReportFiles } from '../reports/files';
import type { Session } from '../session';
import { activePracticeKey, requireSetting } from '../settings/settings';
import { accountingOf, disclosureEntries, ORAL_SUSPENSION_MAX_DAYS, type DisclosureEntry } from './accounting';
import { verifyChainParallel, type ChainVerification } from './chain';
import { CHECKPOINT_KEY_PURPOSE, parseReceipt, receiptText, writeCheckpoint, type Checkpoint } from './checkpoints';
import { insertManualDisclosure, insertSuspension, knownPatients, manualDisclosures, MANUAL_DISCLOSURE_CATEGORIES, suspensionsOf, transmissionDisclosures } from './disclosures-repo';
import { auditActors, iterateAuditEvents, queryAuditEvents, type AuditEventRow, type AuditFilter } from './events-repo';

type Filter = ParsedInput<'audit.query'>['filter'];
type EventView = ChannelOutput<'audit.query'>['events'][number];
type ReportExportT = ChannelOutput<'audit.exportReport'>;

export interface AuditServiceDeps {
  session: Session;
  /** Where exports go (Electron: folder dialog; preview: the export folder). Without it, exports answer EXPORT_UNAVAILABLE. */
  folderPicker?: FolderPicker;
  assetsRoot?: string;
  /** Report layout progress (which report, rows done, total), e.g. to the EventBus 'reportProgress'. */
  onProgress?: (report: 'audit' | 'accounting' | 'access', done: number, total: number) => void;
}

export class AuditService {
  constructor(private readonly d: AuditServiceDeps) {}

  private get s(): Session {
    return this.d.session;
  }

  private tz(): string {
    return requireSetting(this.s.require().db, 'practice').timeZone;
  }

  /** Calendar-date filter → instants in the practice's time zone (`to` inclusive → exclusive end). */
  private toRepoFilter(f: Filter): AuditFilter {
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

  private view(r: AuditEventRow): EventView {
    return {
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      outcome: r.outcome,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      detail: r.detail,
      hash: r.hash,
      description: describeAuditEvent(r, { releaseReference: r.releaseReference, requestReference: r.requestReference, recipientName: r.recipientName, patientName: r.patientName }),
      kind: actionKind(r.action),
      patientName: r.patientName,
      releaseId: r.releaseId,
      releaseReference: r.releaseReference,
      requestId: r.requestId,
      requestReference: r.requestReference,
    };
  }

  /** One page of the log for the Audit screen (not audited: reading the log is routine for the privacy officer). */
  query(input: ParsedInput<'audit.query'>): ChannelOutput<'audit.query'> {
    const db = this.s.require().db;
    const r = queryAuditEvents(db, this.toRepoFilter(input.filter), { offset: input.offset, limit: input.limit });
    return { events: r.events.map((e) => this.view(e)), total: r.total, actors: auditActors(db) };
  }

  /** The chain against every checkpoint (and `receipts`), verified in worker threads (chain.ts verifyChainParallel). */
  private verifyNow(receipts: Array<{ seq: number; hash: string }> = []): Promise<ChainVerification> {
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

  patients(query: string): ChannelOutput<'audit.patients'> {
    return knownPatients(this.s.require().db, query);
  }

  // ------------------------------------------------------------------ exports

  private async chooseFolder(action: string, subject: { type: string; id: string | null }): Promise<string | null> {
    if (!this.d.folderPicker) {
      const e = new AppError('EXPORT_UNAVAILABLE', 'Saving reports is not available here.');
      this.s.recordFailure(action, subject, e);
      throw e;
    }
    return this.d.folderPicker.chooseFolder();
  }

  private stamp(at: Date): { date: string; display: string; fileStamp: string } {
    const dt = DateTime.fromJSDate(at).setZone(this.tz());
    return { date: dt.toISODate()!, display: dt.toFormat("yyyy-LL-dd HH:mm ZZZZ"), fileStamp: dt.toFormat('yyyy-LL-dd-HHmmss') };
  }

  /** Verify, take a 'report' checkpoint, and describe both for the report's header. */
  private async integrityFacts(): Promise<{ r: ChainVerification; checkpoint: Checkpoint | null; facts: ReportSpec['facts'] }> {
    const r = await this.verifyNow();
    const v = this.s.require();
    const checkpoint = r.intact ? v.tx(() => writeCheckpoint(v.db, this.s.dataDir, v.subkey(CHECKPOINT_KEY_PURPOSE), this.s.clock.now(), 'report')) : null;
    const facts: ReportSpec['facts'] = [
      r.intact
        ? { label: 'Audit log check', value: `Intact: all ${r.checked} events verified against the hash chain and ${r.checkpointsChecked} checkpoint(s).` }
        : { label: 'Audit log check', value: `NOT INTACT — ${r.problems.map((p) => p.message).join(' ')}`, alert: true },
    ];
    if (checkpoint) facts.push({ label: 'Checkpoint (keep as receipt)', value: receiptText(checkpoint) });
    return { r, checkpoint, facts };
  }

  private async finishExport(
    action: string,
    subject: { type: string; id: string | null },
    dir: string,
    base: string,
    pdf: Uint8Array,
    pages: number,
    csv: Buffer,
    rows: number,
    checkpoint: Checkpoint | null,
    extra: Record<string, string | number | boolean>,
  ): Promise<ReportExportT> {
    const key = activePracticeKey(this.s.require().db);
    const [pdfSig, csvSig] = [await signDetached(pdf, key.armoredPrivate), await signDetached(csv, key.armoredPrivate)];
    const files = await writeReportFiles(dir, [
      { name: `${base}.pdf`, bytes: pdf },
      { name: `${base}.pdf.sig`, bytes: pdfSig },
      { name: `${base}.csv`, bytes: csv },
      { name: `${base}.csv.sig`, bytes: csvSig },
    ]);
    const pdfSha256 = files[0]!.sha256;
    this.s.audited(action, subject, () => undefined, () => ({
      files: files.length,
      pages,
      rows,
      pdfSha256,
      csvSha256: files[2]!.sha256,
      checkpoint: checkpoint?.counter ?? 0,
      signer: key.fingerprint,
      ...extra,
    }));
    return { saved: true, files, pages, rows, pdfSha256, receipt: checkpoint ? receiptText(checkpoint) : null, folder: dir };
  }

  private signatureNote(): string {
    const key = activePracticeKey(this.s.require().db);
    return `This report is signed with the practice’s OpenPGP key ${formatFingerprint(key.fingerprint)}: check it with “gpg --verify <report>.pdf.sig <report>.pdf”. The same rows are in the CSV file beside it (also signed). The SHA-256 of this PDF is recorded in the audit log when it is exported.`;
  }

  private cancelled(): ReportExportT {
    return { saved: false, files: [], pages: 0, rows: 0, pdfSha256: null, receipt: null };
  }

  private periodText(from?: string, to?: string): string {
    return from || to ? `${from ?? 'the beginning'} to ${to ?? 'today'}` : 'the whole log';
  }

  /**
   * The audit report: every event matching the filter, oldest first, as plain sentences with the patient
   * concerned. Audited as `audit.report_export` (detail: counts, digests, which filters were used — never their values).
   * @throws AppError EXPORT_UNAVAILABLE | EXPORT_FAILED | FONT_MISSING | SIGNING_FAILED
   */
  async exportReport(filter: Filter): Promise<ReportExportT> {
    const action = 'audit.report_export';
    const subject = { type: 'audit', id: null };
    const dir = await this.chooseFolder(action, subject);
    if (!dir) return this.cancelled();
    try {
      const db = this.s.require().db;
      const now = this.s.clock.now();
      const st = this.stamp(now);
      const practice = requireSetting(db, 'practice');
      const { facts, checkpoint } = await this.integrityFacts();
      const tz = this.tz();
      const events = [...iterateAuditEvents(db, this.toRepoFilter(filter))].map((e) => this.view(e));
      const when = (iso: string) => DateTime.fromISO(iso).setZone(tz).toFormat('yyyy-LL-dd HH:mm:ss');
      const columns: Column[] = [
        { header: '#', width: 0.06 },
        { header: 'When', width: 0.13 },
        { header: 'Staff member', width: 0.13 },
        { header: 'What happened', width: 0.46 },
        { header: 'Patient', width: 0.14 },
        { header: 'Outcome', width: 0.08 },
      ];
      const rows = events.map((e) => [String(e.seq), when(e.at), e.actor, e.description, e.patientName ?? '', OUTCOME_LABEL[e.outcome]]);
      const filterText = [
        filter.actor ? `staff member ${filter.actor}` : null,
        filter.kind ? `kind “${ACTION_KIND_LABEL[filter.kind]}”` : null,
        filter.outcome ? `outcome ${OUTCOME_LABEL[filter.outcome]}` : null,
        filter.patient ? `patient ${filter.patient}` : null,
        filter.reference ? `reference ${filter.reference}` : null,
        filter.search ? `text “${filter.search}”` : null,
      ].filter(Boolean);
      const { pdf, pages } = await renderReportPdf(
        {
          practiceName: practice.name,
          title: 'Audit report',
          period: this.periodText(filter.from, filter.to),
          generatedAt: st.display,
          generatedBy: this.s.actor(),
          facts: [
            { label: 'Practice', value: practice.name },
            { label: 'Period', value: this.periodText(filter.from, filter.to) },
            { label: 'Filters', value: filterText.length ? filterText.join('; ') : 'none (every event)' },
            { label: 'Generated', value: `${st.display} by ${this.s.actor()}` },
            ...facts,
            { label: 'Events in this report', value: String(rows.length) },
          ],
          notes: [this.signatureNote()],
          columns,
          rows,
          emptyText: 'No event matches these filters.',
          onProgress: (done, total) => this.d.onProgress?.('audit', done, total),
        },
        this.d.assetsRoot,
      );
      const csv = toCsv(
        ['event', 'time_utc', 'staff_member', 'description', 'event_code', 'outcome', 'patient', 'release', 'request', 'hash'],
        events.map((e) => [e.seq, e.at, e.actor, e.description, e.action, e.outcome, e.patientName, e.releaseReference, e.requestReference, e.hash]),
      );
      return await this.finishExport(action, subject, dir, `audit-report-${st.fileStamp}`, pdf, pages, csv, rows.length, checkpoint, {
        filters: Object.keys(filter).sort().join(',') || 'none',
      });
    } catch (e) {
      this.s.recordFailure(action, subject, e);
      throw e;
    }
  }

  /** Accounting review for the screen. @throws AppError NOT_FOUND when the vault knows no such patient */
  accounting(mrn: string, asOf: string): ChannelOutput<'audit.accounting'> {
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

  /**
   * The accounting of disclosures for one individual as a PDF and CSV (164.528(b)): only reportable
   * disclosures from the six years before `asOf`, each with date, recipient and address if known, a brief
   * description and purpose. Audited as `audit.accounting_export` on subject ('patient', MRN).
   */
  async exportAccounting(mrn: string, asOf: string): Promise<ReportExportT> {
    const action = 'audit.accounting_export';
    const subject = { type: 'patient', id: mrn };
    const acc = this.accounting(mrn, asOf);
    const dir = await this.chooseFolder(action, subject);
    if (!dir) return this.cancelled();
    try {
      const db = this.s.require().db;
      const st = this.stamp(this.s.clock.now());
      const practice = requireSetting(db, 'practice');
      const { facts, checkpoint } = await this.integrityFacts();
      const rows = acc.entries.map((e) => [
        e.date,
        [e.recipientName, e.recipientAddress].filter(Boolean).join('\n'),
        e.description + (e.unconfirmed ? '\n(delivery not confirmed: may have been received)' : '') + (e.bounced ? '\n(returned undelivered)' : ''),
        e.purpose,
      ]);
      const { pdf, pages } = await renderReportPdf(
        {
          practiceName: practice.name,
          title: 'Accounting of disclosures',
          period: `${acc.from} to ${acc.asOf}`,
          generatedAt: st.display,
          generatedBy: this.s.actor(),
          facts: [
            { label: 'Individual', value: `${acc.patient.name}, born ${acc.patient.dateOfBirth}` },
            { label: 'Covered entity', value: practice.name },
            { label: 'Period covered', value: `${acc.from} to ${acc.asOf} (six years before the date of the request)` },
            { label: 'Prepared', value: `${st.display} by ${this.s.actor()}` },
            { label: 'Disclosures listed', value: String(rows.length) },
            ...facts,
          ],
          notes: [
            'This accounting lists the disclosures of your health information that federal law requires us to account for (45 CFR 164.528). It does not list disclosures for your treatment, for payment or for our health care operations; disclosures to you or to a person you directed us to send your records to; disclosures you authorized in writing; or the other disclosures the rule excludes (164.528(a)(1)).',
            this.signatureNote(),
          ],
          columns: [
            { header: 'Date', width: 0.1 },
            { header: 'Recipient and address', width: 0.24 },
            { header: 'Information disclosed', width: 0.3 },
            { header: 'Purpose', width: 0.36 },
          ],
          rows,
          emptyText: 'We made no disclosures of your health information in this period that this accounting must list.',
          onProgress: (done, total) => this.d.onProgress?.('accounting', done, total),
        },
        this.d.assetsRoot,
      );
      const csv = toCsv(
        ['date', 'recipient', 'recipient_address', 'information_disclosed', 'purpose', 'delivery_unconfirmed', 'source', 'reference'],
        acc.entries.map((e) => [e.date, e.recipientName, e.recipientAddress, e.description, e.purpose, e.unconfirmed, e.source, e.reference]),
      );
      return await this.finishExport(action, subject, dir, `accounting-of-disclosures-${st.fileStamp}`, pdf, pages, csv, rows.length, checkpoint, {
        asOf,
        listed: acc.entries.length,
        excluded: acc.excluded.length,
        withheld: acc.withheld.length,
      });
    } catch (e) {
      this.s.recordFailure(action, subject, e);
      throw e;
    }
  }

  private accessFilter(input: ParsedInput<'audit.accessReport'>): AuditFilter {
    return this.toRepoFilter({ ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}), ...(input.actor ? { actor: input.actor } : {}), ...(input.patient ? { patient: input.patient } : {}) });
  }

  private accessEvents(input: ParsedInput<'audit.accessReport'>): EventView[] {
    const db = this.s.require().db;
    const out: EventView[] = [];
    for (const e of iterateAuditEvents(db, this.accessFilter(input))) {
      if (AUDIT_ACTIONS[e.action]?.access && e.patientName) out.push(this.view(e));
    }
    return out;
  }

  /** Access report on screen (newest first, at most 500 rows shown; the export has all). */
  accessReport(input: ParsedInput<'audit.accessReport'>): ChannelOutput<'audit.accessReport'> {
    const all = this.accessEvents(input).reverse();
    return { events: all.slice(0, 500), total: all.length };
  }

  /**
   * The access report (164.312(b) audit controls; the access report HHS proposed under HITECH §13405(c)):
   * who viewed, imported, exported, printed or sent which patient's records, and when. Audited as
   * `audit.access_report_export`.
   */
  async exportAccessReport(input: ParsedInput<'audit.accessReport'>): Promise<ReportExportT> {
    const action = 'audit.access_report_export';
    const subject = { type: 'audit', id: null };
    const dir = await this.chooseFolder(action, subject);
    if (!dir) return this.cancelled();
    try {
      const db = this.s.require().db;
      const st = this.stamp(this.s.clock.now());
      const tz = this.tz();
      const practice = requireSetting(db, 'practice');
      const { facts, checkpoint } = await this.integrityFacts();
      const events = this.accessEvents(input);
      const when = (iso: string) => DateTime.fromISO(iso).setZone(tz).toFormat('yyyy-LL-dd HH:mm:ss');
      const rows = events.map((e) => [when(e.at), e.actor, AUDIT_ACTIONS[e.action]!.access!, e.patientName ?? '', e.description, OUTCOME_LABEL[e.outcome]]);
      const { pdf, pages } = await renderReportPdf(
        {
          practiceName: practice.name,
          title: 'Access report',
          period: this.periodText(input.from, input.to),
          generatedAt: st.display,
          generatedBy: this.s.actor(),
          facts: [
            { label: input.patient ? 'Patient' : 'Staff member', value: input.patient ?? input.actor ?? '' },
            ...(input.patient && input.actor ? [{ label: 'Staff member', value: input.actor }] : []),
            { label: 'Period', value: this.periodText(input.from, input.to) },
            { label: 'Generated', value: `${st.display} by ${this.s.actor()}` },
            ...facts,
            { label: 'Accesses listed', value: String(rows.length) },
          ],
          notes: ['Who viewed, imported, changed, exported, printed or sent the records, and when, as recorded in ReleaseDesk’s audit log (45 CFR 164.312(b)).', this.signatureNote()],
          columns: [
            { header: 'When', width: 0.14 },
            { header: 'Staff member', width: 0.14 },
            { header: 'Access', width: 0.09 },
            { header: 'Patient', width: 0.14 },
            { header: 'What happened', width: 0.41 },
            { header: 'Outcome', width: 0.08 },
          ],
          rows,
          emptyText: 'No access to these records is recorded in this period.',
          onProgress: (done, total) => this.d.onProgress?.('access', done, total),
        },
        this.d.assetsRoot,
      );
      const csv = toCsv(
        ['time_utc', 'staff_member', 'access', 'patient', 'description', 'outcome', 'event'],
        events.map((e) => [e.at, e.actor, AUDIT_ACTIONS[e.action]!.access!, e.patientName, e.description, e.outcome, e.seq]),
      );
      return await this.finishExport(action, subject, dir, `access-report-${st.fileStamp}`, pdf, pages, csv, rows.length, checkpoint, {
        byPatient: Boolean(input.patient),
        byStaff: Boolean(input.actor),
      });
    } catch (e) {
      this.s.recordFailure(action, subject, e);
      throw e;
    }
  }

  /**
   * Record a disclosure made outside ReleaseDesk (164.528: reportable disclosures must be accountable however
   * they were made). Audited as `audit.disclosure_record` on subject ('patient', MRN) with the category.
   * @throws AppError VALIDATION_FAILED when the date is in the future
   */
  recordDisclosure(input: ParsedInput<'audit.recordDisclosure'>): { id: string } {
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
  recordSuspension(input: ParsedInput<'audit.recordSuspension'>): ChannelOutput<'audit.recordSuspension'> {
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
