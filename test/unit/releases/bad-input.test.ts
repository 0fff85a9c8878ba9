/**
 * Bad input on the release path (issue "A real release, end to end"): each
 * gets a clear, PHI-free error code and message, nothing is sent, nothing
 * already stored is lost, and the refusal is audited. Real vault, real
 * GnuPG-made keys, real SMTP server with STARTTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventT } from '../../../src/shared/contract';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { SMTP_PASSWORD } from '../../support/smtp';
import { freePort } from '../../support/ports';
import { requireTool } from '../../support/tools';
import { file, goodAuthorization, PATIENT, prepareReadyRelease, recordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = requireTool('gpg') && requireTool('openssl');

describe.skipIf(!HAVE)('bad input on the release path', () => {
  let b: Backend;
  let gpg: GpgHome;
  let goodKey: string;
  let rel: { id: string };
  const keys: Record<'signOnly' | 'expired' | 'revoked' | 'subkeyRevoked', string> = { signOnly: '', expired: '', revoked: '', subkeyRevoked: '' };

  beforeAll(async () => {
    b = await startBackend({ withSmtp: true });
    gpg = createGpgHome();
    goodKey = gpg.exportPublic(gpg.generateKey({ name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' }));
    keys.signOnly = gpg.exportPublic(gpg.generateKey({ name: 'Sign Only', email: 'signonly@example.test', encryption: null }));
    keys.expired = gpg.exportPublic(
      gpg.generateKey({ name: 'Expired Key', email: 'expired@example.test', primaryExpire: '1d', subkeyExpire: '1d', fakedSystemTime: '20200101T000000' }),
    );
    const revoked = gpg.generateKey({ name: 'Revoked Key', email: 'revoked@example.test' });
    gpg.revokePrimary(revoked);
    keys.revoked = gpg.exportPublic(revoked);
    const subRevoked = gpg.generateKey({ name: 'Subkey Revoked', email: 'subrevoked@example.test' });
    gpg.revokeSubkey(subRevoked);
    keys.subkeyRevoked = gpg.exportPublic(subRevoked);
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    const r = await prepareReadyRelease(b, goodKey);
    await b.call('authorizations.save', { requestId: r.req.id, authorization: goodAuthorization() });
    rel = r.rel;
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    gpg?.cleanup();
  });

  const lastEvent = async (): Promise<AuditEventT> => (await b.call('audit.events', { limit: 1 }))[0]!;
  const snapshot = async () => {
    const d = await b.call('releases.get', { id: rel.id });
    return { status: d.status, recipient: d.recipient, documents: d.documents.map((x) => x.sha256) };
  };

  /** Run `act`, expect the code, a PHI-free message, an audited refusal, nothing sent, nothing lost. */
  async function expectRefused(act: () => Promise<unknown>, code: string, auditedAs: string) {
    const before = await snapshot();
    const received = b.smtp!.received.length;
    const err = (await act().then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e,
    )) as { code: string; message: string };
    expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(10);
    for (const phi of [PATIENT.name, PATIENT.mrn, 'lawfirm', 'Zyxwv']) expect(err.message).not.toContain(phi);
    const ev = await lastEvent();
    expect(ev).toMatchObject({ action: auditedAs, outcome: 'refused' });
    expect(ev.detail.code).toBe(code);
    expect(JSON.stringify(ev)).not.toContain(PATIENT.name);
    expect(b.smtp!.received.length).toBe(received);
    const after = await snapshot();
    // A failed send may move draft -> failed; nothing stored is lost or changed otherwise.
    expect({ ...after, status: undefined }).toEqual({ ...before, status: undefined });
    expect(['draft', 'failed']).toContain(after.status);
  }

  const setRecipient = (over: Partial<{ name: string; email: string; armoredKey: string }>) =>
    b.call('releases.setRecipient', {
      releaseId: rel.id,
      name: 'Abcde Lawfirm Intake',
      email: 'intake@lawfirm.example.test',
      armoredKey: goodKey,
      fingerprintConfirmed: true,
      ...over,
    });

  it('malformed email address → INVALID_EMAIL', () => expectRefused(() => setRecipient({ email: 'intake@@lawfirm' }), 'INVALID_EMAIL', 'release.set_recipient'));

  it('CR/LF in the email field → HEADER_INJECTION', () =>
    expectRefused(() => setRecipient({ email: 'intake@lawfirm.example.test\r\nBcc: thief@example.test' }), 'HEADER_INJECTION', 'release.set_recipient'));

  it('CR/LF in the recipient name is refused at the IPC boundary (VALIDATION_FAILED), audited with the field path', () =>
    expectRefused(() => setRecipient({ name: 'Abcde\r\nBcc: thief@example.test' }), 'VALIDATION_FAILED', 'rpc.input_refused'));

  it('key without an encryption subkey → KEY_NO_ENCRYPTION_SUBKEY', () =>
    expectRefused(() => setRecipient({ armoredKey: keys.signOnly }), 'KEY_NO_ENCRYPTION_SUBKEY', 'release.set_recipient'));

  it('expired key → KEY_EXPIRED', () => expectRefused(() => setRecipient({ armoredKey: keys.expired }), 'KEY_EXPIRED', 'release.set_recipient'));

  it('revoked key → KEY_REVOKED', () => expectRefused(() => setRecipient({ armoredKey: keys.revoked }), 'KEY_REVOKED', 'release.set_recipient'));

  it('revoked encryption subkey → KEY_REVOKED', () => expectRefused(() => setRecipient({ armoredKey: keys.subkeyRevoked }), 'KEY_REVOKED', 'release.set_recipient'));

  it('a non-PDF and an empty file are rejected by name with their codes, audited, and the stored records stay', async () => {
    const before = await snapshot();
    b.stage([file('notes.txt', Buffer.from('just text, not a PDF')), file('empty.pdf', Buffer.alloc(0)), file('good.pdf', await recordPdf('Extra'))]);
    const r = await b.call('documents.pick', { releaseId: rel.id });
    expect(r.rejected).toEqual([
      { fileName: 'notes.txt', code: 'MEDIA_TYPE_UNSUPPORTED', message: expect.any(String) },
      { fileName: 'empty.pdf', code: 'FILE_EMPTY', message: expect.any(String) },
    ]);
    expect(r.imported).toHaveLength(1);
    const events = await b.call('audit.events', { limit: 3 });
    expect(events.map((e) => [e.action, e.outcome, e.detail.code ?? null])).toEqual([
      ['document.import', 'success', null],
      ['document.import', 'refused', 'FILE_EMPTY'],
      ['document.import', 'refused', 'MEDIA_TYPE_UNSUPPORTED'],
    ]);
    const after = await snapshot();
    expect(after.documents.slice(0, before.documents.length)).toEqual(before.documents);
    await b.call('documents.remove', { releaseId: rel.id, documentId: r.imported[0]!.id });
    expect((await snapshot()).documents).toEqual(before.documents);
  });

  /** A send the mail server did not take: nothing reached it, the release keeps everything, the reason is PHI-free and audited per part. */
  async function expectNotDelivered(status: 'queued' | 'failed', code: string, transient: boolean) {
    const received = b.smtp!.received.length;
    const out = await b.call('releases.send', { releaseId: rel.id, method: 'openpgp-pgp-mime' });
    expect(out.release.status).toBe(status);
    expect(out.release.lastError?.code).toBe(code);
    for (const phi of [PATIENT.name, PATIENT.mrn, 'lawfirm', 'Zyxwv']) expect(out.release.lastError!.message).not.toContain(phi);
    expect(out.release.documents).toHaveLength(1);
    expect(out.transmission.parts.map((p) => p.status)).toEqual(['failed']);
    expect(b.smtp!.received.length).toBe(received);
    const ev = (await b.call('audit.events', { limit: 10 })).find((e) => e.action === 'release.part_failed');
    expect(ev?.detail).toMatchObject({ code, transient });
    expect(JSON.stringify(ev)).not.toContain(PATIENT.name);
    return out;
  }

  it('SMTP unreachable → SMTP_UNREACHABLE: the release waits in the outbox with everything kept, to be tried again by itself', async () => {
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, port: await freePort() });
    const out = await expectNotDelivered('queued', 'SMTP_UNREACHABLE', true);
    expect(out.release.queue.nextAttemptAt).not.toBeNull();
    await b.call('settings.updateSmtp', settings.smtp);
  });

  it('wrong SMTP password → SMTP_AUTH_FAILED (not retried by itself); the password change is audited without its value', async () => {
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, password: 'not-the-password' });
    const change = await lastEvent();
    expect(change).toMatchObject({ action: 'settings.change', outcome: 'success', detail: { setting: 'smtp', changed: 'password' } });
    expect(JSON.stringify(await b.call('audit.events', { limit: 50 }))).not.toContain('not-the-password');
    await expectNotDelivered('failed', 'SMTP_AUTH_FAILED', false);
  });

  it('after all that, with the right settings, the same release sends once and completely', async () => {
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, password: SMTP_PASSWORD });
    const before = b.smtp!.received.length;
    const out = await b.call('releases.send', { releaseId: rel.id, method: 'openpgp-pgp-mime' });
    expect(out.release.status).toBe('sent');
    expect(b.smtp!.received.length).toBe(before + 1);
    // The same stored message and its one transmission record: three attempts, one delivery.
    expect(out.transmission.parts).toMatchObject([{ status: 'sent', attempts: 3 }]);
    expect(out.release.transmissions.filter((t) => t.method === 'openpgp-pgp-mime')).toHaveLength(1);
    expect(out.transmission.documents).toHaveLength(1);
    expect(out.release.recipient?.key?.fingerprint).toBeTruthy();
  });
});
