/**
 * A confirmed record file that shows another patient on every identifier (another MRN and date of birth; none of
 * this patient's name, date of birth or MRN) needs a privacy officer, through the real dispatch, vault, gpg and SMTP
 * test server: front desk's reasoned confirmation is only a request (the send is refused with
 * PATIENT_OFFICER_APPROVAL_REQUIRED, nothing reaches the server), Today shows it with a button for officers, a
 * decline keeps it blocked, an approval lets it go, an officer's own confirmation approves it at once, and a partial
 * mismatch (the patient's name found) keeps the one-person confirmation. Every step is audited by id, no PHI.
 * Source: 45 CFR 164.502(a), 164.530(c).
 */
import { describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { requireTool } from '../../support/tools';
import { file, goodAuthorization, PATIENT, prepareReadyRelease, type Backend } from '../../support/backend';
import { useReleaseBackend } from '../../support/release-suite';
import { refusal } from '../../support/refusal';
import type { DocumentPatientCheckT } from '../../../src/shared/contract';

const HAVE = requireTool('gpg') && requireTool('openssl');
const PAT = { name: 'Pat Privacyofficer', pass: 'walnut prism tundra falcon ember' };
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };

/** A one-page record whose text is `line` (synthetic). */
async function pdfWith(line: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText(line, { x: 72, y: 700, size: 12, font });
  return Buffer.from(await doc.save());
}
const OTHER_PATIENT = 'Patient: Abcde Otherperson  DOB: 02/03/1990  MRN: MRN-11111-ZZ';
/** This patient's name, but another MRN: a partial mismatch. */
const PARTIAL = `Patient: ${PATIENT.name}  MRN: MRN-99999-AA`;

describe.skipIf(!HAVE)('a file that shows another patient needs a privacy officer', () => {
  let b: Backend;
  let recipientKey: string;
  useReleaseBackend({ withSmtp: true }, (r) => ({ b, recipientKey } = r));

  const signIn = async (u: { name: string; pass: string }) => {
    b.services.session.lock();
    await b.call('vault.unlock', { username: u.name, passphrase: u.pass });
  };
  const blocks = async (releaseId: string) => (await b.call('releases.evaluate', { releaseId })).findings.filter((f) => f.severity === 'block').map((f) => f.code);

  /** A ready release (as the signed-in account) plus one more record file with `line`, checked; returns its ids. */
  async function releaseWithExtra(line: string) {
    const { req, rel } = await prepareReadyRelease(b, recipientKey);
    await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    b.stage([file('extra.pdf', await pdfWith(line))]);
    const picked = await b.call('documents.pick', { releaseId: rel.id });
    const documentId = picked.imported[0]!.id;
    await b.call('documents.classify', { releaseId: rel.id, items: [{ documentId, category: 'visit_notes', documentDate: '2025-06-02' }] });
    await b.call('documents.checkPatient', { releaseId: rel.id });
    return { releaseId: rel.id, documentId };
  }
  const checkOf = (checks: DocumentPatientCheckT[], id: string) => checks.find((c) => c.documentId === id)!;

  let ids: { pat: string; dana: string };

  it('front desk alone cannot send it: coded refusal in plain words, nothing sent, audited without PHI', async () => {
    const pat = await b.call('accounts.add', { name: PAT.name, role: 'privacy_officer', passphrase: PAT.pass });
    const dana = await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    ids = { pat: pat.id, dana: dana.id };
    await b.call('settings.setSecurity', { requireMfa: false, twoPersonRule: false });

    await signIn(DANA);
    const { releaseId, documentId } = await releaseWithExtra(OTHER_PATIENT);
    expect(await blocks(releaseId)).toEqual(['PATIENT_MISMATCH']);
    const reason = 'Checked with chart, scanned under the wrong name';
    const { checks } = await b.call('documents.confirmPatient', { releaseId, documentId, reason });
    expect(checkOf(checks, documentId)).toMatchObject({ outcome: 'mismatch', officerApproval: 'waiting' });
    expect(await blocks(releaseId)).toEqual(['PATIENT_OFFICER_APPROVAL_REQUIRED']);

    const err = await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }));
    expect(err.code).toBe('PATIENT_OFFICER_APPROVAL_REQUIRED');
    expect(err.message).toContain('A privacy officer must approve a file that shows another patient');
    expect(err.message).not.toMatch(/Otherperson|Abcde|MRN-|1990|Testpatient|extra\.pdf/);
    expect(b.smtp!.received).toHaveLength(0);
    // Front desk may not decide it themselves.
    expect((await refusal(b.call('documents.decidePatientConfirm', { releaseId, documentId, decision: 'approve' }))).code).toBe('ROLE_NOT_PERMITTED');

    // Today: the item is there for front desk too (they are told whom to ask), PHI-free.
    const today = await b.call('dashboard.get', {});
    const item = today.items.find((i) => i.kind === 'patient_confirm_waiting')!;
    expect(item).toMatchObject({ severity: 'critical', target: { screen: 'wizard', id: releaseId, needs: 'documents.decidePatientConfirm' } });
    expect(item.detail).toContain('A privacy officer must approve it');
    expect(JSON.stringify(item)).not.toMatch(/Otherperson|Abcde|MRN-|1990|Testpatient/);

    const events = b.services.audit.events(200);
    const confirm = events.find((e) => e.action === 'document.patient_confirm' && e.outcome === 'success')!;
    expect(confirm).toMatchObject({ actorId: dana.id, detail: { documentId, outcome: 'mismatch', officerApproval: 'waiting' } });
    expect(JSON.stringify(confirm.detail)).not.toContain('wrong name');
    expect(events.some((e) => e.action === 'release.send' && e.outcome === 'refused' && e.detail.code === 'PATIENT_OFFICER_APPROVAL_REQUIRED')).toBe(true);
  }, 120_000);

  it('a privacy officer declines (stays blocked), then approves (it goes); each decision audited by id', async () => {
    const releaseId = (await b.call('releases.list', {})).find((r) => r.status === 'draft')!.id;
    const documentId = (await b.call('documents.checkPatient', { releaseId })).checks.find((c) => c.officerApproval === 'waiting')!.documentId;

    await signIn(PAT);
    const today = await b.call('dashboard.get', {});
    expect(today.items.filter((i) => i.kind === 'patient_confirm_waiting').map((i) => i.target.id)).toEqual([releaseId]);
    const declined = await b.call('documents.decidePatientConfirm', { releaseId, documentId, decision: 'decline' });
    expect(checkOf(declined.checks, documentId).officerApproval).toBe('declined');
    expect(await blocks(releaseId)).toEqual(['PATIENT_CONFIRM_DECLINED']);
    expect((await b.call('dashboard.get', {})).items.some((i) => i.kind === 'patient_confirm_waiting')).toBe(false);

    await signIn(DANA);
    expect((await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }))).code).toBe('RELEASE_BLOCKED');
    expect(b.smtp!.received).toHaveLength(0);

    await signIn(PAT);
    const approved = await b.call('documents.decidePatientConfirm', { releaseId, documentId, decision: 'approve' });
    expect(checkOf(approved.checks, documentId).officerApproval).toBe('approved');
    expect(await blocks(releaseId)).toEqual([]);

    await signIn(DANA);
    const sent = await b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' });
    expect(sent.release.status).toBe('sent');
    expect(b.smtp!.received).toHaveLength(1);

    await signIn(PAT);
    const events = b.services.audit.events(300);
    const of = (action: string) => events.find((e) => e.action === action && e.outcome === 'success' && e.subjectId === releaseId)!;
    expect(of('document.patient_confirm_decline')).toMatchObject({ actorId: ids.pat, detail: { documentId } });
    expect(of('document.patient_confirm_approve')).toMatchObject({ actorId: ids.pat, detail: { documentId } });
    expect(JSON.stringify([of('document.patient_confirm_decline').detail, of('document.patient_confirm_approve').detail])).not.toMatch(/Otherperson|MRN-|1990|wrong name/);
  }, 120_000);

  it("a privacy officer's own confirmation is the approval; deciding a file that does not wait is refused", async () => {
    await signIn(PAT);
    const { releaseId, documentId } = await releaseWithExtra(OTHER_PATIENT);
    expect((await refusal(b.call('documents.decidePatientConfirm', { releaseId, documentId, decision: 'approve' }))).code).toBe('PATIENT_CONFIRM_NOT_WAITING');
    const { checks } = await b.call('documents.confirmPatient', { releaseId, documentId, reason: 'Looked at every page with the chart' });
    expect(checkOf(checks, documentId).officerApproval).toBe('approved');
    expect(await blocks(releaseId)).toEqual([]);
    const events = b.services.audit.events(50);
    expect(events.some((e) => e.action === 'document.patient_confirm_approve' && e.outcome === 'refused' && e.detail.code === 'PATIENT_CONFIRM_NOT_WAITING')).toBe(true);
    expect(events.find((e) => e.action === 'document.patient_confirm' && e.outcome === 'success')).toMatchObject({ actorId: ids.pat, detail: { officerApproval: 'approved' } });
  }, 120_000);

  it("a partial mismatch (this patient's name found, another MRN) keeps front desk's one-person confirmation", async () => {
    await signIn(DANA);
    const { releaseId, documentId } = await releaseWithExtra(PARTIAL);
    expect(await blocks(releaseId)).toEqual(['PATIENT_MISMATCH']);
    const { checks } = await b.call('documents.confirmPatient', { releaseId, documentId, reason: 'Old MRN from the merged chart' });
    expect(checkOf(checks, documentId)).toMatchObject({ outcome: 'mismatch', officerApproval: 'not_needed' });
    expect(await blocks(releaseId)).toEqual([]);
    expect((await b.call('dashboard.get', {})).items.filter((i) => i.kind === 'patient_confirm_waiting' && i.target.id === releaseId)).toEqual([]);
  }, 120_000);
});
