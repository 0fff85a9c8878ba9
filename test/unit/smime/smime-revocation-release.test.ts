/**
 * Revocation, the practice certificate's expiry and per-certificate algorithms in the release workflow, through the
 * real vault, dispatch and smtp-server: an `openssl ca` that revokes one of two certificates; its CRL imported in
 * Settings or served by a local HTTP server at the certificates' distribution point; a distribution point nobody
 * answers at. Checked at import and again at send; every refusal names the serial and nothing leaves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activePracticeCertificate, insertPracticeCertificate, recipientCertificate } from '../../../src/main/services/smime/repo';
import { makeSelfSignedPracticeCertificate } from '../../../src/main/services/smime/practice-certificate';
import { httpCrlFetch } from '../../../src/main/services/smime/revocation';
import { requireTool } from '../../support/tools';
import { revocationPki, smimePki, type RevocationPki } from '../../support/smime-certs';
import { opensslOpen } from '../../support/smime-read';
import type { Backend } from '../../support/backend';
import { refusal } from '../../support/refusal';
import { keylessRelease as readyKeylessRelease, useBackend } from '../../support/release-suite';

const HAVE = requireTool('openssl');
const RECIPIENT = { name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' };
const DAY = 86_400_000;

describe.skipIf(!HAVE)('S/MIME revocation, practice certificate renewal and algorithms in releases', () => {
  let b: Backend;
  let server: Server;
  let online: RevocationPki;
  let unreachable: RevocationPki;
  let unreachableB: RevocationPki; // never gets a CRL in the vault
  let unreachableC: RevocationPki; // its CRL is imported between import and confirmation
  let plain: RevocationPki;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ca.crl') {
        res.writeHead(200);
        res.end(online.crlDer);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    online = revocationPki(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl`, RECIPIENT.email);
    unreachable = revocationPki('http://127.0.0.1:9/ca.crl', RECIPIENT.email);
    unreachableB = revocationPki('http://127.0.0.1:9/b.crl', RECIPIENT.email);
    unreachableC = revocationPki('http://127.0.0.1:9/c.crl', RECIPIENT.email);
    plain = revocationPki(null, RECIPIENT.email);
  }, 180_000);
  afterAll(() => {
    server?.closeAllConnections();
    server?.close();
  });
  useBackend(
    () => ({
      withSmtp: true,
      smimeTrustAnchors: [smimePki().caPem, online.caPem, unreachable.caPem, unreachableB.caPem, unreachableC.caPem, plain.caPem],
      smimeCrlFetch: httpCrlFetch(1500),
    }),
    (x) => (b = x),
    180_000,
  );

  /** A ready release to a recipient without an OpenPGP key (test/support/release-suite.ts). */
  async function keylessRelease(): Promise<string> {
    return (await readyKeylessRelease(b)).releaseId;
  }

  it('a CRL imported in Settings refuses the revoked certificate at import (serial named, audited); the other is imported as checked "good"', async () => {
    const listed = await b.call('settings.importSmimeCrl', { crl: plain.crlDer.toString('base64') });
    expect(listed[0]).toMatchObject({ source: 'import', url: null, stale: false, issuer: expect.stringMatching(/^CN=ReleaseDesk Test Revoking CA \d+$/) });
    expect((await refusal(b.call('settings.importSmimeCrl', { crl: 'not a crl' }))).code).toBe('CRL_INVALID');
    const releaseId = await keylessRelease();
    const err = await refusal(b.call('releases.importRecipientCertificate', { releaseId, certificate: plain.revoked.cert }));
    expect(err.code).toBe('CERT_REVOKED');
    expect(err.message).toContain(`serial number ${plain.revokedSerial}`);
    expect(err.message).not.toMatch(/Records Office|Zyxwv/);
    const events = await b.call('audit.events', { limit: 5 });
    expect(events.find((e) => e.action === 'release.recipient_certificate_import')).toMatchObject({ outcome: 'refused', detail: expect.objectContaining({ code: 'CERT_REVOKED' }) });
    const ok = await b.call('releases.importRecipientCertificate', { releaseId, certificate: plain.good.cert });
    expect(ok.recipientCertificate).toMatchObject({ revocation: { status: 'good', unknownAccepted: false }, warnings: [] });
  }, 120_000);

  it('revoked after it was confirmed: the send checks again, refuses with the serial, withdraws the confirmation; nothing leaves', async () => {
    // The online CA's certificate is confirmed before its CRL is known (the server answers 404 for another path).
    const releaseId = await keylessRelease();
    const db = b.services.session.require().db;
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: online.revoked.cert }).catch((e: { code: string }) => e);
    // The distribution point answers: the revocation is found at import already.
    expect(imported).toMatchObject({ code: 'CERT_REVOKED' });
    const crls = await b.call('settings.smimeCrls', {});
    expect(crls.find((c) => c.source === 'fetch')).toMatchObject({ url: expect.stringMatching(/\/ca\.crl$/), stale: false });
    // Confirm a good one, then make the vault believe it was revoked since: import the unreachable CA's CRL
    // for a certificate of that CA after confirming it with the risk accepted.
    const good = await b.call('releases.importRecipientCertificate', { releaseId, certificate: unreachable.revoked.cert });
    expect(good.recipientCertificate?.revocation.status).toBe('unknown');
    await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: good.recipientCertificate!.fingerprint, acceptRevocationUnknown: true });
    await b.call('settings.importSmimeCrl', { crl: unreachable.crlPem });
    const before = b.smtp!.received.length;
    const err = await refusal(b.call('releases.send', { releaseId, method: 'smime' }));
    expect(err.code).toBe('CERT_REVOKED');
    expect(err.message).toContain(unreachable.revokedSerial);
    expect(recipientCertificate(db, releaseId)?.confirmed).toBeNull();
    expect(b.smtp!.received.length).toBe(before);
    const events = await b.call('audit.events', { limit: 5 });
    expect(events.some((e) => e.action === 'release.recipient_certificate_withdrawn' && e.detail.code === 'CERT_REVOKED')).toBe(true);
  }, 120_000);

  it('an unreachable distribution point is a warning staff must accept explicitly; the acceptance and the check at send are audited; the release goes out', async () => {
    const releaseId = await keylessRelease();
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: unreachableB.good.cert });
    const cert = imported.recipientCertificate!;
    expect(cert.revocation).toMatchObject({ status: 'unknown', reason: expect.any(String) });
    expect(cert.warnings.map((w) => w.code)).toEqual(['CERT_REVOCATION_UNKNOWN']);
    expect((await refusal(b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: cert.fingerprint }))).code).toBe('CERT_REVOCATION_UNKNOWN');
    const confirmed = await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: cert.fingerprint, acceptRevocationUnknown: true });
    expect(confirmed.recipientCertificate?.revocation.unknownAccepted).toBe(true);
    const sent = await b.call('releases.send', { releaseId, method: 'smime' });
    expect(sent.release.status).toBe('sent');
    const events = await b.call('audit.events', { limit: 30 });
    expect(events.find((e) => e.action === 'release.recipient_certificate_confirm' && e.outcome === 'success')?.detail).toMatchObject({
      certificateFingerprint: cert.fingerprint,
      revocationStatus: 'unknown',
      revocationUnknownAccepted: true,
    });
    expect(events.find((e) => e.action === 'release.recipient_certificate_check')?.detail).toMatchObject({ revocationStatus: 'unknown', revocationUnknownAccepted: true, encryption: 'cbc' });
  }, 120_000);

  it('unknown at import, the issuer’s CRL imported before confirming: confirmed as "good" without any acceptance; good at send too', async () => {
    const releaseId = await keylessRelease();
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: unreachableC.good.cert });
    expect(imported.recipientCertificate?.revocation.status).toBe('unknown');
    await b.call('settings.importSmimeCrl', { crl: unreachableC.crlPem });
    const confirmed = await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: imported.recipientCertificate!.fingerprint });
    expect(confirmed.recipientCertificate).toMatchObject({ revocation: { status: 'good', unknownAccepted: false }, confirmed: expect.any(Object), warnings: [] });
    await b.call('releases.send', { releaseId, method: 'smime' });
    const events = await b.call('audit.events', { limit: 30 });
    expect(events.find((e) => e.action === 'release.recipient_certificate_check')?.detail).toMatchObject({ revocationStatus: 'good', crlSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  }, 120_000);

  it('"recipient supports RSA-OAEP / AES-GCM": the release is AuthEnvelopedData that openssl cms decrypts; the audit names the encryption', async () => {
    const releaseId = await keylessRelease();
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: plain.good.cert });
    await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: imported.recipientCertificate!.fingerprint, modernAlgorithms: true });
    await b.call('releases.send', { releaseId, method: 'smime' });
    const raw = b.smtp!.received.at(-1)!.raw;
    expect(raw.toString('latin1')).toMatch(/smime-type=authEnveloped-data/);
    const practice = activePracticeCertificate(b.services.session.require().db)!;
    expect(opensslOpen(raw, plain.good, practice.certPem).inner.toString('latin1')).toMatch(/record-1\.pdf/);
    const events = await b.call('audit.events', { limit: 30 });
    expect(events.find((e) => e.action === 'release.recipient_certificate_check')?.detail).toMatchObject({ encryption: 'gcm-oaep' });
  }, 120_000);

  it('the practice certificate is never replaced silently: warned 30 days ahead, an expired one refuses the send, renewal names the old one and is audited with both fingerprints', async () => {
    const db = b.services.session.require().db;
    const now = new Date(Date.now() + 60_000);
    // A self-made practice certificate with 20 days left: dashboard and Settings warn.
    const soon = await makeSelfSignedPracticeCertificate('Qwerty Family Clinic', 'records@clinic.example.test', new Date(now.getTime() - 710 * DAY));
    db.transaction(() => insertPracticeCertificate(db, soon, now.toISOString()))();
    b.clock.set(now.toISOString());
    const dash = await b.call('dashboard.get', {});
    expect(dash.items.find((i) => i.title.startsWith('The practice S/MIME certificate expires on'))).toMatchObject({
      severity: 'warning',
      detail: expect.stringMatching(/does not replace it by itself/),
    });
    expect((await b.call('settings.smimeCertificate', {}))!.warnings.join(' ')).toMatch(/expires in 19 day\(s\).*does not replace it by itself/);

    // Expired: the send is refused with a code, and the certificate is still the same one.
    const expired = await makeSelfSignedPracticeCertificate('Qwerty Family Clinic', 'records@clinic.example.test', new Date(now.getTime() - 731 * DAY));
    db.transaction(() => insertPracticeCertificate(db, expired, now.toISOString()))();
    const releaseId = await keylessRelease();
    const imported = await b.call('releases.importRecipientCertificate', { releaseId, certificate: plain.good.cert });
    await b.call('releases.confirmRecipientCertificate', { releaseId, fingerprint: imported.recipientCertificate!.fingerprint });
    const before = b.smtp!.received.length;
    const err = await refusal(b.call('releases.send', { releaseId, method: 'smime' }));
    expect(err.code).toBe('PRACTICE_CERT_EXPIRED');
    expect(b.smtp!.received.length).toBe(before);
    expect(activePracticeCertificate(db)!.fingerprint).toBe(expired.fingerprint);
    expect((await b.call('dashboard.get', {})).items.find((i) => i.title === 'The practice S/MIME certificate has expired')).toMatchObject({ severity: 'critical' });

    // Renewal must name the certificate it replaces.
    expect((await refusal(b.call('settings.createSmimeCertificate', {}))).code).toBe('PRACTICE_CERT_RENEWAL_UNCONFIRMED');
    const renewed = await b.call('settings.createSmimeCertificate', { replaceFingerprint: expired.fingerprint });
    expect(renewed.fingerprint).not.toBe(expired.fingerprint);
    const events = await b.call('audit.events', { limit: 10 });
    expect(events.find((e) => e.action === 'practice_smime.renew' && e.outcome === 'success')?.detail).toMatchObject({
      previousFingerprint: expired.fingerprint,
      certificateFingerprint: renewed.fingerprint,
    });
    const sent = await b.call('releases.send', { releaseId, method: 'smime' });
    expect(sent.release.status).toBe('sent');
  }, 120_000);
});
