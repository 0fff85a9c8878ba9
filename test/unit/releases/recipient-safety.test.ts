/**
 * Recipient-address safety and input hygiene through the real dispatch (real vault, GnuPG-made keys):
 * ADDRESS_NOT_CONFIRMED for typo/look-alike addresses, the stored and audited confirmation, the gate's
 * RECIPIENT_NOT_IN_REQUEST block and KEY_USER_ID_MISMATCH warning, unclassified documents blocked,
 * zod refusals (bidi/zero-width, impossible dates, CR/LF in intake fields), future dates refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/tools';
import { file, goodAuthorization, intake, PATIENT, prepareReadyRelease, recordPdf, type Backend } from '../../support/backend';
import { refusal } from '../../support/refusal';
import { useReleaseBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg');

describe.skipIf(!HAVE)('recipient safety and input hygiene', () => {
  let b: Backend;
  let goodKey: string;
  let otherUidKey: string;
  let releaseId: string;

  useReleaseBackend({}, (r) => {
    ({ b, recipientKey: goodKey } = r);
    otherUidKey = r.gpg.exportPublic(r.gpg.generateKey({ name: 'Someone Else', email: 'someone.else@elsewhere.example.test' }));
    b.clock.set(new Date(Date.now() + 2000).toISOString()); // past this key's creation too
  });
  beforeAll(async () => {
    const r = await prepareReadyRelease(b, goodKey);
    await b.call('authorizations.save', { requestId: r.req.id, authorization: goodAuthorization() });
    releaseId = r.rel.id;
  }, 120_000);

  const lastEvent = async () => (await b.call('audit.events', { limit: 1 }))[0]!;
  const codes = async () => (await b.call('releases.evaluate', { releaseId })).findings.map((f) => `${f.severity}:${f.code}`);

  it('the ready release passes the gate (recipient matches the request and its key)', async () => {
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.findings.filter((f) => f.severity === 'block')).toEqual([]);
    expect(ev.allowed).toBe(true);
  });

  it('a typo (gmial.com) is refused with ADDRESS_NOT_CONFIRMED and audited; the old recipient stays', async () => {
    const err = await refusal(b.call('releases.setRecipient', { releaseId, name: 'Zyxwv Testpatient', email: 'zyxwv.testpatient@gmial.com' }));
    expect(err.code).toBe('ADDRESS_NOT_CONFIRMED');
    expect(err.message).not.toContain('zyxwv');
    expect(await lastEvent()).toMatchObject({ action: 'release.set_recipient', outcome: 'refused', detail: { code: 'ADDRESS_NOT_CONFIRMED', prompt: 'suggestion' } });
    expect((await b.call('releases.get', { id: releaseId })).recipient?.email).toBe('intake@lawfirm.example.test');
  });

  it('a look-alike (gmai1.com) is refused unless confirmed; invisible characters are refused even when confirmed', async () => {
    expect((await refusal(b.call('releases.setRecipient', { releaseId, name: 'Abcde', email: 'intake@gmai1.com' }))).code).toBe('ADDRESS_NOT_CONFIRMED');
    const inv = await refusal(b.call('releases.setRecipient', { releaseId, name: 'Abcde', email: 'intake\u200B@lawfirm.example.test', addressConfirmed: true }));
    expect(inv.code).toBe('INVALID_EMAIL');
  });

  it('confirmed typo-looking address is saved with who/when, audited, and clears the request mismatch block', async () => {
    const at = b.clock.now().toISOString();
    const d = await b.call('releases.setRecipient', { releaseId, name: 'Zyxwv Testpatient', email: 'zyxwv.testpatient@gmial.com', addressConfirmed: true });
    expect(d.recipient).toMatchObject({ email: 'zyxwv.testpatient@gmial.com', key: null, addressConfirmed: { by: 'Qwert Frontdesk', at } });
    expect(await lastEvent()).toMatchObject({ action: 'release.set_recipient', outcome: 'success', detail: { addressConfirmed: true, addressPrompt: 'suggestion' } });
    expect(JSON.stringify(await lastEvent())).not.toContain('gmial');
    expect(await codes()).not.toContain('block:RECIPIENT_NOT_IN_REQUEST');
  });

  it('an address the request does not name blocks the gate (evaluate and send) until confirmed', async () => {
    await b.call('releases.setRecipient', { releaseId, name: 'Abcde Lawfirm Intake', email: 'other@lawfirm.example.test' });
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.allowed).toBe(false);
    const f = ev.findings.find((x) => x.code === 'RECIPIENT_NOT_IN_REQUEST')!;
    expect(f).toMatchObject({ severity: 'block', citation: expect.stringContaining('164.524(c)(3)(ii)') });
    expect(f.message).not.toContain('lawfirm');
    const sent = await refusal(b.call('releases.send', { releaseId, method: 'password-pdf' }));
    expect(sent.code).toBe('RELEASE_BLOCKED');
    expect((await b.call('releases.get', { id: releaseId })).recipient?.addressConfirmed).toBeNull();
    // Case differences are the same address (domains are case-insensitive).
    await b.call('releases.setRecipient', { releaseId, name: 'Abcde Lawfirm Intake', email: 'Intake@LawFirm.example.test' });
    expect(await codes()).not.toContain('block:RECIPIENT_NOT_IN_REQUEST');
  });

  it('a key whose user IDs do not name the address is a warning (not a block)', async () => {
    await b.call('releases.setRecipient', { releaseId, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test', armoredKey: otherUidKey, fingerprintConfirmed: true });
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.findings.find((f) => f.code === 'KEY_USER_ID_MISMATCH')).toMatchObject({ severity: 'warn' });
    expect(ev.allowed).toBe(true);
    const d = await b.call('releases.get', { id: releaseId });
    expect(d.recipient?.key?.userIds.join(' ')).toContain('someone.else@elsewhere.example.test');
    await b.call('releases.setRecipient', { releaseId, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test', armoredKey: goodKey, fingerprintConfirmed: true });
    expect(await codes()).not.toContain('warn:KEY_USER_ID_MISMATCH');
  });

  it('imported documents are unclassified and block the gate by label until documents.classify sets category and date', async () => {
    b.stage([file('Zyxwv Testpatient scan.pdf', await recordPdf('Scan'))]);
    const picked = await b.call('documents.pick', { releaseId });
    const doc = picked.imported[0]!;
    expect(doc.classified).toBe(false);
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.allowed).toBe(false);
    expect(ev.findings.find((f) => f.code === 'DOCUMENT_UNCLASSIFIED')).toMatchObject({ severity: 'block', documentId: doc.id, message: `Set the category and date of service of ${doc.label.replace('.pdf', '')}.` });
    const after = await b.call('documents.classify', { releaseId, items: [{ documentId: doc.id, category: 'lab_results', documentDate: '2025-03-04' }] });
    expect(after.documents.find((d) => d.id === doc.id)).toMatchObject({ classified: true, category: 'lab_results', documentDate: '2025-03-04' });
    expect(await codes()).not.toContain('block:DOCUMENT_UNCLASSIFIED');
    expect((await b.call('releases.evaluate', { releaseId })).allowed).toBe(true);
  });

  it('zod refuses bidi/zero-width characters in names and impossible calendar dates', async () => {
    for (const name of ['Zyxwv \u202ETestpatient', 'Zyxwv\u200BTestpatient', 'Zyxwv\u2066Testpatient']) {
      const err = await refusal(b.call('requests.create', intake({ receivedAt: b.clock.now().toISOString(), patient: { ...PATIENT, name } })));
      expect(err.code).toBe('VALIDATION_FAILED');
    }
    for (const dob of ['2026-02-31', '2025-02-29', '1999-13-01', '1999-04-31']) {
      const err = await refusal(b.call('requests.create', intake({ receivedAt: b.clock.now().toISOString(), patient: { ...PATIENT, dateOfBirth: dob } })));
      expect(err.code, dob).toBe('VALIDATION_FAILED');
    }
    const leap = await b.call('requests.create', intake({ receivedAt: b.clock.now().toISOString(), patient: { ...PATIENT, dateOfBirth: '2024-02-29' } }));
    expect(leap.patient.dateOfBirth).toBe('2024-02-29');
    const cls = await refusal(b.call('documents.classify', { releaseId, items: [{ documentId: (await b.call('releases.get', { id: releaseId })).documents[0]!.id, category: 'visit_notes', documentDate: '2025-02-30' }] }));
    expect(cls.code).toBe('VALIDATION_FAILED');
  });

  it('zod refuses CR/LF in the intake requester and recipients', async () => {
    const now = b.clock.now().toISOString();
    for (const over of [
      { requester: { role: 'third_party' as const, name: 'Qwerty\r\nInsurance' } },
      { requester: { role: 'personal_representative' as const, name: 'Qwerty', authority: 'parent\nof minor' } },
      { recipients: [{ name: 'Abcde\nLawfirm', destination: 'intake@lawfirm.example.test' }] },
      { recipients: [{ name: 'Abcde Lawfirm', destination: 'intake@lawfirm.example.test\r\nBcc: x@y.test' }] },
      { recipients: [{ name: 'Abcde Lawfirm', destination: 'intake@lawfirm.example.test\u202E' }] },
    ]) {
      const err = await refusal(b.call('requests.create', intake({ receivedAt: now, ...over })));
      expect(err.code, JSON.stringify(over)).toBe('VALIDATION_FAILED');
    }
  });

  it('a received date in the future (beyond 5 minutes) or a future date of birth is refused naming the field', async () => {
    const now = b.clock.now();
    const future = await refusal(b.call('requests.create', intake({ receivedAt: new Date(now.getTime() + 10 * 60_000).toISOString() })));
    expect(future).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('receivedAt') });
    expect(await lastEvent()).toMatchObject({ action: 'request.create', outcome: 'refused', detail: { code: 'VALIDATION_FAILED', field: 'receivedAt' } });
    // Within clock skew is fine.
    await b.call('requests.create', intake({ receivedAt: new Date(now.getTime() + 2 * 60_000).toISOString() }));
    const dob = await refusal(b.call('requests.create', intake({ receivedAt: now.toISOString(), patient: { ...PATIENT, dateOfBirth: '2099-01-01' } })));
    expect(dob).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('dateOfBirth') });
  });
});
