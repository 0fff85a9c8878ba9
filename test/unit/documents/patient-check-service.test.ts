/**
 * The patient check through the real dispatch on a real vault: documents.checkPatient stores a PHI-free result per
 * record file, another patient's file gives a blocking PATIENT_MISMATCH finding that only a reasoned, audited
 * confirmation clears, refusals are coded, and documents.previewPage renders bounded PNG pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { patientMatchFindings } from '../../../src/main/services/documents/patient-check';
import { file, intake, PATIENT, recordPdf, startBackend, type Backend } from '../../support/backend';
import { refusal } from '../../support/refusal';

/** A two-page record of ANOTHER patient (same surname, other MRN and DOB). */
async function otherPatientPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const line of ['Patient: Abcde Testpatient  DOB: 02/03/1990  MRN: MRN-11111-ZZ', 'Continued: Abcde Testpatient']) {
    doc.addPage([612, 792]).drawText(line, { x: 72, y: 700, size: 12, font });
  }
  return Buffer.from(await doc.save());
}

/** A page that is only drawn shapes: no text layer, like a scan. */
async function scanPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([612, 792]).drawRectangle({ x: 50, y: 50, width: 400, height: 600 });
  return Buffer.from(await doc.save());
}

describe('patient check and page preview channels', () => {
  let b: Backend;
  let releaseId: string;
  let ids: { mine: string; other: string; scan: string };

  beforeAll(async () => {
    b = await startBackend();
    const req = await b.call('requests.create', intake());
    const rel = await b.call('releases.create', { requestId: req.id });
    releaseId = rel.id;
    b.stage([file(`${PATIENT.name} visit.pdf`, await recordPdf('Visit')), file('other.pdf', await otherPatientPdf()), file('scan.pdf', await scanPdf())]);
    const picked = await b.call('documents.pick', { releaseId });
    ids = { mine: picked.imported[0]!.id, other: picked.imported[1]!.id, scan: picked.imported[2]!.id };
  }, 60_000);

  afterAll(async () => {
    await b?.close();
  });

  const lastEvent = async () => (await b.call('audit.events', { limit: 1 }))[0]!;
  const db = () => b.services.session.require().db;

  it('before the check every file is pending and the gate findings block', () => {
    expect(patientMatchFindings(db(), releaseId).map((f) => `${f.severity}:${f.code}`)).toEqual(['block:PATIENT_CHECK_PENDING', 'block:PATIENT_CHECK_PENDING', 'block:PATIENT_CHECK_PENDING']);
  });

  it('confirming before the check is refused with PATIENT_CHECK_PENDING and audited', async () => {
    const err = await refusal(b.call('documents.confirmPatient', { releaseId, documentId: ids.other, reason: 'Looked at it with the patient' }));
    expect(err.code).toBe('PATIENT_CHECK_PENDING');
    expect(await lastEvent()).toMatchObject({ action: 'document.patient_confirm', outcome: 'refused', detail: { code: 'PATIENT_CHECK_PENDING' } });
  });

  it('checks each file once: match, mismatch (pages named), could not be checked; audit has counts only', async () => {
    const { checks } = await b.call('documents.checkPatient', { releaseId });
    expect(checks.map((c) => [c.documentId, c.outcome])).toEqual([
      [ids.mine, 'match'],
      [ids.other, 'mismatch'],
      [ids.scan, 'no_text'],
    ]);
    expect(checks[1]).toMatchObject({ otherMrns: 1, otherDobs: 1, otherNames: 1, conflictPages: [1], nameFound: false, pagesChecked: 2, confirmed: null });
    const ev = await lastEvent();
    expect(ev).toMatchObject({ action: 'document.patient_check', outcome: 'success', detail: { documents: 3, match: 1, mismatch: 1, no_text: 1 } });
    // What the event says in words (not its hash, ids or time, which can spell a year by chance).
    expect(JSON.stringify({ actor: ev.actor, action: ev.action, subjectId: ev.subjectId, detail: ev.detail })).not.toMatch(/Testpatient|Abcde|MRN-|1990|1961/);
    const again = await b.call('documents.checkPatient', { releaseId });
    expect(again.checks.map((c) => c.checkedAt)).toEqual(checks.map((c) => c.checkedAt));
    expect((await lastEvent()).action).toBe('document.patient_check'); // no second event: nothing new to check
  });

  it("another patient's file blocks with a PHI-free explanation; the scan only warns", () => {
    const f = patientMatchFindings(db(), releaseId);
    expect(f.map((x) => `${x.severity}:${x.code}:${x.documentId}`)).toEqual([`block:PATIENT_MISMATCH:${ids.other}`, `warn:PATIENT_NOT_CHECKED:${ids.scan}`]);
    expect(f[0]!.message).toBe(
      "record-2 shows another medical record number and another date of birth (page 1): it may be another patient's record. Remove it, or look at it and confirm with a reason that it belongs in this release.",
    );
    expect(JSON.stringify(f)).not.toMatch(/Testpatient|Abcde|MRN-|other\.pdf/);
  });

  it('confirmation needs a reason of 10+ characters; a matching file needs none; unknown ids are NOT_FOUND', async () => {
    expect((await refusal(b.call('documents.confirmPatient', { releaseId, documentId: ids.other, reason: 'ok' }))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(b.call('documents.confirmPatient', { releaseId, documentId: ids.mine, reason: 'Looked at every page' }))).code).toBe('PATIENT_CHECK_NOT_NEEDED');
    expect((await refusal(b.call('documents.confirmPatient', { releaseId, documentId: 'doc_nothere', reason: 'Looked at every page' }))).code).toBe('NOT_FOUND');
  });

  it('a reasoned confirmation is stored with who/when, audited by id, and clears the block', async () => {
    const at = b.clock.now().toISOString();
    const reason = 'Scanned under the wrong name; page 1 verified with the patient by phone';
    const { checks } = await b.call('documents.confirmPatient', { releaseId, documentId: ids.other, reason });
    expect(checks.find((c) => c.documentId === ids.other)!.confirmed).toEqual({ by: 'Qwert Frontdesk', at, reason });
    const ev = await lastEvent();
    expect(ev).toMatchObject({ action: 'document.patient_confirm', outcome: 'success', detail: { documentId: ids.other, outcome: 'mismatch' } });
    expect(JSON.stringify(ev)).not.toContain('wrong name');
    expect(patientMatchFindings(db(), releaseId).map((x) => x.code)).toEqual(['PATIENT_NOT_CHECKED']);
  });

  it('a removed file drops out of the checks and findings', async () => {
    await b.call('documents.remove', { releaseId, documentId: ids.scan });
    expect((await b.call('documents.checkPatient', { releaseId })).checks.map((c) => c.documentId)).toEqual([ids.mine, ids.other]);
    expect(patientMatchFindings(db(), releaseId)).toEqual([]);
  });

  it('previews a page as a bounded PNG data URL, audited as a view; out-of-range pages and foreign ids are refused', async () => {
    const p = await b.call('documents.previewPage', { releaseId, documentId: ids.other, page: 2, width: 300 });
    expect(p).toMatchObject({ page: 2, pageCount: 2, width: 300, height: 389 });
    expect(p.dataUrl.startsWith('data:image/png;base64,iVBOR')).toBe(true);
    expect(await lastEvent()).toMatchObject({ action: 'document.preview', outcome: 'success', subjectId: ids.other, detail: { page: 2 } });
    expect((await refusal(b.call('documents.previewPage', { releaseId, documentId: ids.other, page: 3 }))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(b.call('documents.previewPage', { releaseId, documentId: ids.scan, page: 1 }))).code).toBe('NOT_FOUND');
    expect((await refusal(b.call('documents.previewPage', { releaseId, documentId: ids.mine, page: 1, width: 5000 }))).code).toBe('VALIDATION_FAILED');
    expect(b.logText()).not.toMatch(/Testpatient|Abcde/);
  });

  it('a locked vault refuses the channels', async () => {
    b.services.session.lock();
    expect((await refusal(b.call('documents.checkPatient', { releaseId }))).code).toBe('VAULT_LOCKED');
    expect((await refusal(b.call('documents.previewPage', { releaseId, documentId: ids.mine, page: 1 }))).code).toBe('VAULT_LOCKED');
    await b.services.vault.unlock('orbit lantern cactus velvet harbor 42');
  });
});
