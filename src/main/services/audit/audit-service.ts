/**
 * The privacy officer's audit workflows: the log read by people (filters, plain language), the full
 * verification against checkpoints and receipts, the audit report, the accounting of disclosures
 * (45 CFR 164.528) and the access report (164.312(b)) — each exported as a PDF and a CSV with detached
 * OpenPGP signatures by the practice key, into a folder staff choose, and each export audited.
 */
import { DateTime } from 'luxon';
import type { AccessReportInputT, ReportExportT } from '../../../shared/contract';
import { AUDIT_ACTIONS, OUTCOME_LABEL, ACTION_KIND_LABEL } from '../../../shared/audit-labels';
import { AppError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { signDetached } from '../packaging/sign';
import { renderReportPdf, type Column, type ReportSpec } from '../reports/report-pdf';
import { toCsv } from '../reports/csv';
import { writeReportFiles } from '../reports/files';
import { activePracticeKey, requireSetting } from '../settings/settings';
import type { FolderPurpose } from '../documents/folder-picker';
import { AuditReview, type Filter } from './audit-review';
import type { ChainVerification } from './chain';
import { CHECKPOINT_KEY_PURPOSE, receiptText, writeCheckpoint, type Checkpoint } from './checkpoints';
import { iterateAuditEvents } from './events-repo';

export type { AuditServiceDeps } from './audit-review';

/**
 * The audit report's table (PDF): event number, local time, staff member, the event as a sentence, the patient
 * concerned and the outcome; widths are fractions of the page's text width (sum 1). Source: 45 CFR 164.312(b).
 */
export const AUDIT_REPORT_COLUMNS: readonly Column[] = [
  { header: '#', width: 0.06 },
  { header: 'When', width: 0.13 },
  { header: 'Staff member', width: 0.13 },
  { header: 'What happened', width: 0.46 },
  { header: 'Patient', width: 0.14 },
  { header: 'Outcome', width: 0.08 },
];

/** The audit workflows: everything of {@link AuditReview} plus the signed PDF/CSV exports. */
export class AuditService extends AuditReview {
  // ------------------------------------------------------------------ exports

  /** The folder staff choose for a report (`purpose` names it in the dialog); EXPORT_UNAVAILABLE, audited, without a picker. */
  private async chooseFolder(action: string, subject: { type: string; id: string | null }, purpose: FolderPurpose): Promise<string | null> {
    if (!this.d.folderPicker) {
      const e = new AppError('EXPORT_UNAVAILABLE', 'Saving reports is not available here.');
      this.s.recordFailure(action, subject, e);
      throw e;
    }
    return this.d.folderPicker.chooseFolder(purpose);
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
    const dir = await this.chooseFolder(action, subject, 'audit-report');
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
          columns: AUDIT_REPORT_COLUMNS,
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

  /**
   * The accounting of disclosures for one individual as a PDF and CSV (164.528(b)): only reportable
   * disclosures from the six years before `asOf`, each with date, recipient and address if known, a brief
   * description and purpose. Audited as `audit.accounting_export` on subject ('patient', MRN) (detail: counts,
   * digests and which copy). `copy` 'patient' is the copy for the individual (164.528(c)): the officer-only integrity
   * receipt (audit-log check, checkpoint hashes, the "gpg --verify" note) is left out of the PDF and no checkpoint is
   * written; the files are still signed. 'officer' (default) carries the receipt.
   * @throws AppError EXPORT_UNAVAILABLE | EXPORT_FAILED | FONT_MISSING | SIGNING_FAILED
   */
  async exportAccounting(mrn: string, asOf: string, copy: 'officer' | 'patient' = 'officer'): Promise<ReportExportT> {
    const action = 'audit.accounting_export';
    const subject = { type: 'patient', id: mrn };
    const acc = this.accounting(mrn, asOf);
    const dir = await this.chooseFolder(action, subject, 'accounting');
    if (!dir) return this.cancelled();
    try {
      const db = this.s.require().db;
      const st = this.stamp(this.s.clock.now());
      const practice = requireSetting(db, 'practice');
      const forPatient = copy === 'patient';
      const { facts, checkpoint } = forPatient ? { facts: [], checkpoint: null } : await this.integrityFacts();
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
            ...(forPatient ? [] : [this.signatureNote()]),
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
      return await this.finishExport(action, subject, dir, `accounting-of-disclosures-${forPatient ? 'patient-copy-' : ''}${st.fileStamp}`, pdf, pages, csv, rows.length, checkpoint, {
        copy,
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

  /**
   * The access report (164.312(b) audit controls; the access report HHS proposed under HITECH §13405(c)):
   * who viewed, imported, exported, printed or sent which patient's records, and when. Audited as
   * `audit.access_report_export`.
   */
  async exportAccessReport(input: AccessReportInputT): Promise<ReportExportT> {
    const action = 'audit.access_report_export';
    const subject = { type: 'audit', id: null };
    const dir = await this.chooseFolder(action, subject, 'access-report');
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

}
