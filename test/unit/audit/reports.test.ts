/**
 * Report exports through the real back end (encrypted vault, dispatch, folder picker): the audit report,
 * the accounting of disclosures and the access report as PDF + CSV with detached signatures by the
 * practice key. Checked with pdftotext, pdftoppm and gpg. Synthetic data only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activePracticeKey } from '../../../src/main/services/settings/settings';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';
import { startBackend, type Backend } from '../../support/backend';
import { seedTransmission } from './fixtures';

const HAVE = requireTool('pdftotext') && requireTool('gpg') && requireTool('pdftoppm');
const VI = { name: 'Nguyễn Thị Hương', dob: '1984-05-06', mrn: 'MRN-VI-1' };
const RU = { name: 'Алексей Смирнов', dob: '1979-03-04', mrn: 'MRN-RU-1' };
const ZH = { name: '王小明', dob: '1990-09-09', mrn: 'MRN-ZH-1' };

let b: Backend;
let exportDir: string;
let gpg: GpgHome;
const text = (p: string) => execFileSync('pdftotext', ['-layout', p, '-']).toString('utf8');
const files = () => readdirSync(exportDir).sort();

beforeAll(async () => {
  exportDir = mkdtempSync(join(tmpdir(), 'rd-reports-'));
  mkdirSync(join(process.cwd(), 'test-results'), { recursive: true }); // pdftoppm writes the page to look at here
  b = await startBackend({ exportDir });
  const db = b.services.session.require().db;
  const year = new Date().getUTCFullYear();
  seedTransmission(db, { patient: VI, basis: 'required_by_law', at: `${year - 1}-04-02T15:00:00Z`, parts: ['sent'], recipientName: 'State Cancer Registry', recipientEmail: 'registry@state.example.test' });
  seedTransmission(db, { patient: VI, basis: 'authorization', at: `${year - 1}-05-02T15:00:00Z`, parts: ['sent'], recipientName: 'Acme Life' });
  seedTransmission(db, { patient: RU, basis: 'required_by_law', at: `${year - 1}-06-02T15:00:00Z`, parts: ['sent', 'failed'], recipientName: 'County Court' });
  seedTransmission(db, { patient: ZH, basis: 'hhs', at: `${year - 1}-07-02T15:00:00Z`, method: 'export', recipientName: 'HHS OCR' });
  // Staff view each patient's releases: access events that name the patient.
  for (const id of ['rel_000001', 'rel_000003', 'rel_000004']) b.services.session.require().tx(() => b.services.session.audit({ action: 'release.view', outcome: 'success', subjectType: 'release', subjectId: id }));
  gpg = createGpgHome();
  gpg.importKey(activePracticeKey(db).armoredPublic);
}, 60_000);

afterAll(async () => {
  await b?.close();
  gpg?.cleanup();
  rmSync(exportDir, { recursive: true, force: true });
});

describe.skipIf(!HAVE)('audit report exports', () => {
  it('the audit report carries the header facts, plain sentences, names in any script, page numbers and a good signature', async () => {
    const r = await b.call('audit.exportReport', { filter: {} });
    expect(r.saved).toBe(true);
    expect(r.files.map((f) => f.name.replace(/\d{4}-\d{2}-\d{2}-\d{6}/, 'STAMP'))).toEqual([
      'audit-report-STAMP.pdf', 'audit-report-STAMP.pdf.sig', 'audit-report-STAMP.csv', 'audit-report-STAMP.csv.sig',
    ]);
    const pdf = join(exportDir, r.files[0]!.name);
    const t = text(pdf);
    expect(t).toContain('Maplewood Family Practice');
    expect(t).toContain('Audit report');
    expect(t).toMatch(/Generated\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+ by Qwert Frontdesk/);
    expect(t).toMatch(/Audit log check\s+Intact: all \d+ events verified against the hash chain and \d+ checkpoint\(s\)\./);
    expect(t).toMatch(/Checkpoint \(keep as receipt\)\s+Checkpoint \d+: event \d+, hash [0-9a-f]{64}/);
    expect(t).toMatch(/Page 1 of \d+/);
    expect(t).toContain('Qwert Frontdesk opened release R-');
    expect(t).toContain('Nguyễn Thị Hương');
    expect(t).toContain('Алексей Смирнов');
    expect(t).toContain('王小明');
    expect(t).not.toMatch(/release\.view|vault\.unlock/); // never raw codes in the PDF
    expect(r.receipt).toMatch(/^Checkpoint \d+: event \d+, hash [0-9a-f]{64}/);
    const v = execFileSync('gpg', ['--homedir', gpg.home, '--batch', '--status-fd', '1', '--verify', `${pdf}.sig`, pdf]).toString('utf8');
    expect(v).toMatch(/GOODSIG/);
    const csv = readFileSync(join(exportDir, r.files[2]!.name), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.split('\r\n')[0]).toBe('\uFEFFevent,time_utc,staff_member,description,event_code,outcome,patient,release,request,hash');
    // the export itself is audited, with the PDF's digest
    const q = await b.call('audit.query', { filter: { kind: 'reports' } });
    expect(q.events[0]).toMatchObject({ action: 'audit.report_export', description: 'Qwert Frontdesk exported an audit report' });
    expect(q.events[0]!.detail.pdfSha256).toBe(r.pdfSha256);
    // a page to look at
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(process.cwd(), 'test-results', 'audit-report')]);
  }, 60_000);

  it('the accounting lists only reportable disclosures, with recipient, address, description and purpose', async () => {
    const asOf = new Date().toISOString().slice(0, 10);
    const view = await b.call('audit.accounting', { mrn: VI.mrn, asOf });
    expect(view.entries.map((e) => e.recipientName)).toEqual(['State Cancer Registry']);
    expect(view.excluded.map((e) => [e.recipientName, e.citation])).toEqual([['Acme Life', '45 CFR 164.528(a)(1)(iv)']]);
    const r = await b.call('audit.exportAccounting', { mrn: VI.mrn, asOf });
    expect(r.rows).toBe(1);
    expect(r.files[0]!.name).toMatch(/^accounting-of-disclosures-\d{4}-\d{2}-\d{2}-\d{6}\.pdf$/); // no PHI in file names
    const pdf = join(exportDir, r.files[0]!.name);
    const t = text(pdf);
    expect(t).toContain('Accounting of disclosures');
    expect(t).toContain('Nguyễn Thị Hương, born 1984-05-06');
    expect(t).toContain('State Cancer Registry');
    expect(t).toContain('registry@state.example.test');
    expect(t).toContain('Lab results');
    expect(t).toMatch(/Disclosure required by law \(45 CFR\s+164\.512\(a\)\)/);
    expect(t).not.toContain('Acme Life');
    expect(t).toMatch(/Page 1 of 1/);
    expect(execFileSync('gpg', ['--homedir', gpg.home, '--batch', '--status-fd', '1', '--verify', `${pdf}.sig`, pdf]).toString('utf8')).toMatch(/GOODSIG/);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(process.cwd(), 'test-results', 'accounting')]);
    const q = await b.call('audit.query', { filter: { patient: VI.mrn, kind: 'reports' } });
    expect(q.events[0]).toMatchObject({ action: 'audit.accounting_export', patientName: VI.name });
  }, 60_000);

  it('the patient copy of the accounting lists the same disclosures without the officer-only receipt (no hashes, no gpg text)', async () => {
    const asOf = new Date().toISOString().slice(0, 10);
    const officer = text(join(exportDir, (await b.call('audit.exportAccounting', { mrn: VI.mrn, asOf })).files[0]!.name));
    expect(officer).toMatch(/gpg --verify/);
    expect(officer).toMatch(/[0-9a-f]{16}/);
    const r = await b.call('audit.exportAccounting', { mrn: VI.mrn, asOf, copy: 'patient' });
    expect(r.rows).toBe(1);
    expect(r.receipt).toBeNull();
    expect(r.files[0]!.name).toMatch(/^accounting-of-disclosures-patient-copy-\d{4}-\d{2}-\d{2}-\d{6}\.pdf$/);
    const pdf = join(exportDir, r.files[0]!.name);
    const t = text(pdf);
    expect(t).toContain('Accounting of disclosures');
    expect(t).toContain('Nguyễn Thị Hương, born 1984-05-06');
    expect(t).toContain('State Cancer Registry');
    expect(t).toContain('registry@state.example.test');
    expect(t).toMatch(/Disclosure required by law \(45 CFR\s+164\.512\(a\)\)/);
    expect(t).not.toMatch(/gpg|--verify|\.sig\b|SHA-256|Checkpoint|Audit log check/i);
    expect(t).not.toMatch(/[0-9a-f]{16}/i); // no hash, fingerprint or checkpoint digest
    const q = await b.call('audit.query', { filter: { patient: VI.mrn, kind: 'reports' } });
    expect(q.events[0]).toMatchObject({ action: 'audit.accounting_export', detail: { copy: 'patient', listed: 1 } });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(process.cwd(), 'test-results', 'accounting-patient-copy')]);
  }, 60_000);

  it('a partly delivered release is listed; Chinese and Cyrillic names draw', async () => {
    const asOf = new Date().toISOString().slice(0, 10);
    const r = await b.call('audit.exportAccounting', { mrn: RU.mrn, asOf });
    const t = text(join(exportDir, r.files[0]!.name));
    expect(t).toContain('Алексей Смирнов');
    expect(t).toContain('County Court');
    const z = await b.call('audit.exportAccounting', { mrn: ZH.mrn, asOf });
    expect(text(join(exportDir, z.files[0]!.name))).toContain('王小明');
  }, 60_000);

  it('the access report names who opened a patient’s records', async () => {
    const r = await b.call('audit.exportAccessReport', { patient: 'Смирнов' });
    const t = text(join(exportDir, r.files[0]!.name));
    expect(r.rows).toBe(2); // the release opened, and the accounting exported in the test before
    expect(t).toContain('Access report');
    expect(t).toMatch(/Qwert Frontdesk\s+exported\s+Алексей Смирнов/);
    expect(t).toMatch(/Qwert Frontdesk\s+viewed\s+Алексей Смирнов/);
  }, 60_000);

  it('a cancelled folder choice writes and records nothing; a missing patient is a coded error', async () => {
    await expect(b.call('audit.accounting', { mrn: 'MRN-NOPE', asOf: '2026-01-01' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(b.call('audit.checkReceipt', { receipt: 'not a receipt at all' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      b.call('audit.recordSuspension', { mrn: VI.mrn, agency: 'State Police', agencyKind: 'law_enforcement', statement: 'oral', startsOn: '2026-01-01', endsOn: '2026-03-01' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/at most 30 days/) as unknown });
    const before = files().length;
    expect(before).toBeGreaterThan(0);
  });

  it('a receipt from a report verifies while the log is intact', async () => {
    const r = await b.call('audit.exportReport', { filter: { kind: 'access' } });
    const check = await b.call('audit.checkReceipt', { receipt: r.receipt! });
    expect(check).toMatchObject({ intact: true, problems: [] });
  }, 60_000);
});
