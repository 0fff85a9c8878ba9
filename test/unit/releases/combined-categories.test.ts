/**
 * A combined record file carries more than one category (issue #12): documents.classify stores the further categories,
 * the release shows them, and the gate checks every one — a further category the request does not ask for puts the
 * file out of scope; a further sensitive category (psychotherapy notes) blocks a right-of-access release like a file
 * of that category alone; a combined file whose categories are all requested goes through. Real dispatch and vault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { file, intake, PATIENT, recordPdf, startBackend, type Backend } from '../../support/backend';

describe('a record file of more than one category', () => {
  let b: Backend;
  let releaseId: string;
  let docId: string;

  beforeAll(async () => {
    b = await startBackend();
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    const req = await b.call(
      'requests.create',
      intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@example.test' }], receivedAt: b.clock.now().toISOString() }),
    );
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    releaseId = (await b.call('releases.create', { requestId: req.id })).id;
    b.stage([file('combined.pdf', await recordPdf('Visit and labs'))]);
    docId = (await b.call('documents.pick', { releaseId })).imported[0]!.id;
    await b.call('documents.checkPatient', { releaseId });
    await b.call('releases.setRecipient', { releaseId, name: PATIENT.name, email: 'zyxwv@example.test' });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  const blocks = async () => (await b.call('releases.evaluate', { releaseId })).findings.filter((f) => f.severity === 'block').map((f) => f.code);

  it('stores and shows the further categories (never repeating the filed one)', async () => {
    const d = await b.call('documents.classify', { releaseId, items: [{ documentId: docId, category: 'visit_notes', documentDate: '2025-06-01', alsoCategories: ['lab_results', 'visit_notes'] }] });
    expect(d.documents[0]).toMatchObject({ category: 'visit_notes', alsoCategories: ['lab_results'], classified: true });
    expect(await blocks()).toEqual([]);
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.documents[0]).toMatchObject({ inScope: true, sensitive: false });
  });

  it('a further category the request does not ask for puts the whole file out of scope', async () => {
    await b.call('documents.classify', { releaseId, items: [{ documentId: docId, category: 'visit_notes', documentDate: '2025-06-01', alsoCategories: ['imaging_reports'] }] });
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.documents[0]).toMatchObject({ inScope: false });
    expect(ev.allowed).toBe(false);
    expect(ev.findings.some((f) => f.severity === 'block' && f.documentId === docId && f.code.startsWith('SCOPE_'))).toBe(true);
  });

  it('a further sensitive category (psychotherapy notes) blocks a right-of-access release and marks the file sensitive', async () => {
    await b.call('documents.classify', { releaseId, items: [{ documentId: docId, category: 'visit_notes', documentDate: '2025-06-01', alsoCategories: ['psychotherapy_notes'] }] });
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.documents[0]).toMatchObject({ sensitive: true });
    expect(ev.allowed).toBe(false);
    expect(ev.findings.filter((f) => f.severity === 'block' && f.documentId === docId).map((f) => f.code).join(' ')).toMatch(/PSYCHOTHERAPY/);
    // Back to one category: nothing blocks.
    await b.call('documents.classify', { releaseId, items: [{ documentId: docId, category: 'visit_notes', documentDate: '2025-06-01' }] });
    expect((await b.call('releases.get', { id: releaseId })).documents[0]?.alsoCategories).toEqual([]);
    expect(await blocks()).toEqual([]);
  });
});
