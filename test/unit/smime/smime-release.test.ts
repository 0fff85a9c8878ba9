/**
 * S/MIME as a rung of the delivery ladder, end to end through the real vault, dispatch and smtp-server (STARTTLS):
 * a recipient certificate made by openssl is imported, its SHA-256 fingerprint confirmed, and the release goes out
 * signed-then-encrypted; the message captured by the server is opened by `openssl cms -decrypt -verify` and by
 * `gpgsm` (RSA) or openssl (EC), the record files byte-identical. Certificates are checked at import and again at send.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { describeAuditEvent } from '../../../src/shared/audit-labels';
import { activePracticeCertificate, recipientCertificate } from '../../../src/main/services/smime/repo';
import { loadOutbox, openTransmission } from '../../../src/main/services/releases/delivery-repo';
import { requireTool } from '../../support/tools';
import { smimeCert, smimePki, type SmimeCertKind } from '../../support/smime-certs';
import { gpgsmOpen, opensslOpen } from '../../support/smime-read';
import type { Backend } from '../../support/backend';
import { keylessRelease as readyKeylessRelease, useBackend } from '../../support/release-suite';
import { refusal } from '../../support/refusal';

const HAVE = requireTool('openssl');
const HAVE_GPGSM = requireTool('gpgsm');
const RECIPIENT = { name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' };

describe.skipIf(!HAVE)('S/MIME releases through the real smtp-server', () => {
  let b: Backend;
  useBackend({ withSmtp: true, smimeTrustAnchors: [smimePki().caPem] }, (x) => (b = x));

  /** A ready release (verified request, authorization, two classified records) to a recipient WITHOUT an OpenPGP key. */
  function keylessRelease(): Promise<{ releaseId: string; files: Buffer[] }> {
    return readyKeylessRelease(b, [
      { title: 'Visit', category: 'visit_notes' },
      { title: 'Labs', category: 'lab_results' },
    ]);
  }

  async function importAndConfirm(releaseId: string, kind: SmimeCertKind) {
    const pem = kind === 'untrusted-root' ? smimeCert(kind, RECIPIENT.email).chainPem : smimeCert(kind, RECIPIENT.email).cert;
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: pem });
    const fpr = imported.recipientCertificate!.fingerprint;
    await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: fpr, acceptUntrusted: kind === 'untrusted-root' });
    return fpr;
  }

  async function expectRecords(inner: Buffer, files: Buffer[]) {
    const parsed = await simpleParser(inner);
    const pdfs = parsed.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(pdfs.map((a) => a.filename)).toEqual(['record-1.pdf', 'record-2.pdf']);
    pdfs.forEach((a, i) => expect(a.content.equals(files[i]!)).toBe(true));
    expect(parsed.text).toMatch(/encrypted to your S\/MIME certificate/);
  }

  it('RSA: import, confirm, send without choosing (S/MIME chosen by the ladder); openssl and gpgsm decrypt and verify; files byte-identical; transmission and audit name method and fingerprint', async () => {
    const { releaseId, files } = await keylessRelease();
    const rec = smimeCert('rsa', RECIPIENT.email);
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: rec.cert });
    const cert = imported.recipientCertificate!;
    expect(cert).toMatchObject({ keyDescription: 'RSA 2048 bits', chainTrusted: true, confirmed: null, problem: null, warnings: [] });
    expect(cert.fingerprint).toMatch(/^[0-9A-F]{64}$/);
    // Not confirmed yet: the S/MIME rung is closed and the default is the password PDF.
    let options = await b.call('releases.deliveryOptions', { releaseId });
    expect(options.rungs.find((r) => r.method === 'smime')).toMatchObject({ available: false });
    expect(options.defaultMethod).toBe('password-pdf');
    expect((await refusal(b.call('releases.send', { releaseId, method: 'smime' }))).code).toBe('CERT_NOT_CONFIRMED');
    expect((await refusal(b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: 'F'.repeat(64) }))).code).toBe('CERT_FINGERPRINT_CHANGED');

    const confirmed = await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: cert.fingerprint });
    expect(confirmed.recipientCertificate?.confirmed).toMatchObject({ by: 'Qwert Frontdesk' });
    options = await b.call('releases.deliveryOptions', { releaseId });
    expect(options.rungs.map((r) => r.method)).toEqual(['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email', 'export', 'print']);
    expect(options.defaultMethod).toBe('smime');

    const before = b.smtp!.received.length;
    const sent = await b.call('releases.send', { releaseId });
    expect(sent.release.status).toBe('sent');
    expect(sent.transmission).toMatchObject({ method: 'smime', recipientKeyFingerprint: cert.fingerprint, partsTotal: 1, partsSent: 1 });
    expect(sent.transmission.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(b.smtp!.received).toHaveLength(before + 1);
    const msg = b.smtp!.received.at(-1)!;
    expect(msg.rcptTo).toEqual([RECIPIENT.email]);
    expect(msg.raw.toString('latin1')).toContain(`Message-ID: ${sent.transmission.messageId}`);
    expect(msg.raw.toString('latin1')).not.toMatch(/Zyxwv|MRN-58213|record-1\.pdf/);

    // The practice certificate was made at first use, self-signed, and is in Settings with its warning.
    const practiceView = await b.call('settings.smimeCertificate', {});
    expect(practiceView).toMatchObject({ selfSigned: true });
    expect(practiceView!.warnings.join(' ')).toMatch(/mail programs will not trust it/);
    const practice = activePracticeCertificate(b.services.session.require().db)!;

    const ossl = opensslOpen(msg.raw, rec, practice.certPem);
    await expectRecords(ossl.inner, files);
    if (HAVE_GPGSM) {
      const g = gpgsmOpen(msg.raw, rec, practice.certPem);
      expect(g.status).toMatch(/\[GNUPG:\] GOODSIG /);
      expect(g.status).toMatch(/\[GNUPG:\] VALIDSIG /);
      await expectRecords(g.inner, files);
    }
    // Encrypted to the practice too: it can read what it sent.
    await expectRecords(opensslOpen(msg.raw, { cert: practice.certPem, key: practice.keyPem, p12: Buffer.alloc(0), chainPem: practice.certPem }, practice.certPem).inner, files);

    const events = await b.call('audit.events', { limit: 40 });
    const send = events.find((e) => e.action === 'release.send' && e.subjectId === releaseId && e.outcome === 'success')!;
    expect(send.detail).toMatchObject({ method: 'smime', certificateFingerprint: cert.fingerprint });
    expect(describeAuditEvent(send, { releaseReference: sent.release.reference, recipientName: RECIPIENT.name })).toContain(
      `by S/MIME encrypted email, certificate ${cert.fingerprint.match(/.{4}/g)!.join(' ')}`,
    );
    expect(events.some((e) => e.action === 'release.recipient_certificate_confirm' && e.detail.certificateFingerprint === cert.fingerprint)).toBe(true);
    expect(events.some((e) => e.action === 'practice_smime.create')).toBe(true);
  }, 180_000);

  it.each(['ec', 'ec384'] as const)('EC recipient (%s): openssl decrypts and verifies, files byte-identical', async (kind) => {
    const { releaseId, files } = await keylessRelease();
    const fpr = await importAndConfirm(releaseId, kind);
    const sent = await b.call('releases.send', { releaseId, method: 'smime' });
    expect(sent.transmission).toMatchObject({ method: 'smime', recipientKeyFingerprint: fpr });
    const practice = activePracticeCertificate(b.services.session.require().db)!;
    await expectRecords(opensslOpen(b.smtp!.received.at(-1)!.raw, smimeCert(kind, RECIPIENT.email), practice.certPem).inner, files);
  }, 120_000);

  it('an untrusted chain is warned and confirmed only when staff accept it', async () => {
    const { releaseId } = await keylessRelease();
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: smimeCert('untrusted-root', RECIPIENT.email).chainPem });
    const cert = imported.recipientCertificate!;
    expect(cert.chainTrusted).toBe(false);
    expect(cert.warnings.map((w) => w.code)).toEqual(['CERT_CHAIN_UNTRUSTED']);
    expect((await refusal(b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: cert.fingerprint }))).code).toBe('CERT_CHAIN_UNTRUSTED');
    expect((await b.call('releases.get', { id: releaseId })).recipientCertificate?.confirmed).toBeNull();
    await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: cert.fingerprint, acceptUntrusted: true });
    const events = await b.call('audit.events', { limit: 3 });
    expect(events.find((e) => e.action === 'release.recipient_certificate_confirm' && e.outcome === 'success')?.detail).toMatchObject({ untrustedAccepted: true, chainTrusted: false });
  }, 120_000);

  it.each([
    ['expired', 'CERT_EXPIRED', /expired on 2020-02-01/],
    ['wrong-address', 'CERT_ADDRESS_MISMATCH', /does not name the recipient's email address/],
    ['signing-only', 'CERT_NO_ENCRYPTION_USAGE', /signing only/],
  ] as const)('a %s certificate is refused at import, naming the reason and the date, audited, nothing stored', async (kind, code, why) => {
    const { releaseId } = await keylessRelease();
    const err = await refusal(b.call('releases.importRecipientCertificate', { releaseId, certificate: smimeCert(kind, RECIPIENT.email).cert }));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(why);
    expect(err.message).toMatch(/\(checked \d{4}-\d{2}-\d{2}\)/);
    expect(recipientCertificate(b.services.session.require().db, releaseId)).toBeNull();
    const last = (await b.call('audit.events', { limit: 1 }))[0]!;
    expect(last).toMatchObject({ action: 'release.recipient_certificate_import', outcome: 'refused', detail: { code } });
  }, 120_000);

  it('DER and .p7b imports arrive as base64 and give the same fingerprint', async () => {
    smimeCert('untrusted-root', RECIPIENT.email);
    const { releaseId } = await keylessRelease();
    const pem = smimeCert('rsa', RECIPIENT.email).cert;
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const fromDer = await b.call('releases.importRecipientCertificate', { releaseId, certificate: der.toString('base64') });
    const fromPem = await b.call('releases.importRecipientCertificate', { releaseId, certificate: pem });
    expect(fromDer.recipientCertificate!.fingerprint).toBe(fromPem.recipientCertificate!.fingerprint);
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rd-p7b-'));
    writeFileSync(join(dir, 'chain.pem'), smimeCert('untrusted-root', RECIPIENT.email).chainPem);
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', 'chain.pem', '-outform', 'DER', '-out', 'chain.p7b'], { cwd: dir });
    const p7b = readFileSync(join(dir, 'chain.p7b'));
    rmSync(dir, { recursive: true, force: true });
    const fromP7b = await b.call('releases.importRecipientCertificate', { releaseId, certificate: p7b.toString('base64') });
    expect(fromP7b.recipientCertificate).toMatchObject({ chainTrusted: false, fingerprint: expect.stringMatching(/^[0-9A-F]{64}$/) });
    expect(fromP7b.recipientCertificate!.warnings.map((w) => w.code)).toEqual(['CERT_CHAIN_UNTRUSTED']);
    expect((await refusal(b.call('releases.importRecipientCertificate', { releaseId, certificate: 'not a certificate!' }))).code).toBe('CERT_INVALID');
  }, 120_000);

  it('a confirmed certificate that has expired by the time of sending blocks the send, names the date, withdraws the confirmation; nothing leaves', async () => {
    const { releaseId } = await keylessRelease();
    await importAndConfirm(releaseId, 'rsa');
    b.clock.set(new Date(Date.now() + 40 * 86_400_000).toISOString());
    const before = b.smtp!.received.length;
    const err = await refusal(b.call('releases.send', { releaseId, method: 'smime' }));
    expect(err.code).toBe('CERT_EXPIRED');
    expect(err.message).toMatch(/expired on \d{4}-\d{2}-\d{2} \(checked \d{4}-\d{2}-\d{2}\)/);
    expect(recipientCertificate(b.services.session.require().db, releaseId)?.confirmed).toBeNull();
    const events = await b.call('audit.events', { limit: 3 });
    expect(events.some((e) => e.action === 'release.recipient_certificate_withdrawn' && e.detail.code === 'CERT_EXPIRED')).toBe(true);
    expect((await refusal(b.call('releases.send', { releaseId, method: 'smime' }))).code).toBe('CERT_NOT_CONFIRMED');
    expect(b.smtp!.received.length).toBe(before);
    const detail = await b.call('releases.get', { id: releaseId });
    expect(detail.recipientCertificate?.problem?.code).toBe('CERT_EXPIRED');
    b.clock.set(new Date().toISOString());
  }, 120_000);

  it('a practice certificate imported from PKCS#12 (issued by a CA) signs the release: openssl verifies the chain to that CA; the password is in no audit event', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join(tmpdir(), 'rd-p12-'));
    const practiceCert = smimeCert('rsa', 'records@clinic.example.test');
    writeFileSync(join(dir, 'c.pem'), practiceCert.cert);
    writeFileSync(join(dir, 'k.pem'), practiceCert.key);
    execFileSync('openssl', ['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-out', 'c.p12', '-passout', 'pass:p12-secret-words'], { cwd: dir, stdio: 'pipe' });
    const p12 = readFileSync(join(dir, 'c.p12')).toString('base64');
    rmSync(dir, { recursive: true, force: true });
    b.clock.set(new Date(Date.now() + 60_000).toISOString());
    expect((await refusal(b.call('settings.importSmimeCertificate', { pkcs12: p12, password: 'wrong' }))).code).toBe('PKCS12_INVALID');
    const view = await b.call('settings.importSmimeCertificate', { pkcs12: p12, password: 'p12-secret-words' });
    expect(view.selfSigned).toBe(false);
    // The test certificate is valid for 20 days: within the 30 days ahead, the expiry is warned; no self-made warning.
    expect(view.warnings).toEqual([expect.stringMatching(/expires in 1\d day\(s\), on \d{4}-\d{2}-\d{2}/)]);
    // The dashboard warns 30 days ahead (the test certificate is valid for 20 days).
    const dash = await b.call('dashboard.get', {});
    expect(dash.items.find((i) => i.title.startsWith('The practice S/MIME certificate expires on'))).toMatchObject({ severity: 'warning', target: { screen: 'settings' } });
    const { releaseId, files } = await keylessRelease();
    await importAndConfirm(releaseId, 'rsa');
    await b.call('releases.send', { releaseId, method: 'smime' });
    // Verified against the test CA only (not the practice certificate itself): the chain is the CA's.
    const { inner } = opensslOpen(b.smtp!.received.at(-1)!.raw, smimeCert('rsa', RECIPIENT.email), smimePki().caPem);
    await expectRecords(inner, files);
    const events = await b.call('audit.events', { limit: 200 });
    expect(events.find((e) => e.action === 'practice_smime.import' && e.outcome === 'success')?.detail).toMatchObject({ certificateFingerprint: view.fingerprint, selfSigned: false });
    expect(JSON.stringify(events)).not.toContain('p12-secret-words');
  }, 120_000);
});

describe.skipIf(!HAVE)('S/MIME and the stored outbox (exactly once)', () => {
  let b: Backend;
  // The server refuses the first DATA with 451: the release stays queued with its stored message.
  useBackend({ withSmtp: true, smtpOptions: { rejectDataAt: [0] }, smimeTrustAnchors: [smimePki().caPem] }, (x) => (b = x));

  it('the S/MIME message is stored before sending; a retry sends exactly the stored bytes with the same Message-ID, composing nothing anew', async () => {
    const { releaseId } = await readyKeylessRelease(b);
    const imported = await b.call('releases.importRecipientCertificate', { releaseId: releaseId, certificate: smimeCert('rsa', RECIPIENT.email).cert });
    await b.call('releases.confirmRecipientCertificate', { releaseId: releaseId, fingerprint: imported.recipientCertificate!.fingerprint });

    const first = await b.call('releases.send', { releaseId: releaseId });
    expect(first.release.status).toBe('queued');
    expect(first.transmission.method).toBe('smime');
    const db = b.services.session.require().db;
    const open = openTransmission(db, releaseId)!;
    const stored = loadOutbox(db, open.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.raw.toString('latin1')).toMatch(/smime-type=enveloped-data/);
    const storedRaw = Buffer.from(stored[0]!.raw);

    const again = await b.call('releases.send', { releaseId: releaseId });
    expect(again.release.status).toBe('sent');
    expect(again.transmission.id).toBe(first.transmission.id);
    const got = b.smtp!.received.at(-1)!;
    expect(got.raw.equals(storedRaw)).toBe(true);
    expect(got.raw.toString('latin1')).toContain(`Message-ID: ${first.transmission.messageId}`);
    expect(opensslOpen(got.raw, smimeCert('rsa', RECIPIENT.email), activePracticeCertificate(db)!.certPem).inner.length).toBeGreaterThan(0);
  }, 120_000);
});
