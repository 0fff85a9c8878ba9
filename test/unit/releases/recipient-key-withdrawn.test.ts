/**
 * A recipient key that turns out revoked or expired — pasted as a revocation certificate, as a revoked copy, or
 * found expired at send — replaces nothing, withdraws the fingerprint confirmation and blocks sending to that
 * key until a valid key is confirmed. Real vault and dispatch, real smtp-server, keys made by GnuPG.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storedRecipient } from '../../../src/main/services/releases/repo';
import type { GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';
import { goodAuthorization, prepareReadyRelease, type Backend } from '../../support/backend';
import { refusal } from '../../support/refusal';
import { useReleaseBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg') && requireTool('openssl');

describe.skipIf(!HAVE)('a revoked or expired recipient key blocks sending to it', () => {
  let b: Backend;
  let gpg: GpgHome;
  useReleaseBackend({ withSmtp: true }, (r) => ({ b, gpg } = r));

  const RECIPIENT = { name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' };
  const revCert = (fpr: string) => readFileSync(join(gpg.home, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
  /** The recipient as stored in the vault (the release detail shows a recipient whose key is unusable as none: staff set it again). */
  const stored = (releaseId: string) => storedRecipient(b.services.session.require().db, releaseId);
  const lastEvent = async () => (await b.call('audit.events', { limit: 1 }))[0]!;

  async function readyRelease(keyFpr: string) {
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    const r = await prepareReadyRelease(b, gpg.exportPublic(keyFpr));
    await b.call('authorizations.save', { requestId: r.req.id, authorization: goodAuthorization() });
    const rel = await b.call('releases.get', { id: r.rel.id });
    expect(rel.recipient).toMatchObject({ fingerprintConfirmed: true, key: { fingerprint: keyFpr } });
    return r.rel.id;
  }

  it('a pasted revocation certificate revokes the stored key: confirmation withdrawn, audited, sending refused, nothing reaches the server', async () => {
    const fpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.email });
    const releaseId = await readyRelease(fpr);
    const err = await refusal(b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: revCert(fpr), fingerprintConfirmed: true }));
    expect(err.code).toBe('KEY_REVOKED');
    expect(err.message).toMatch(new RegExp(fpr.slice(0, 4)));
    expect(stored(releaseId)).toMatchObject({ fingerprintConfirmed: false, keyFingerprint: fpr });
    expect(await lastEvent()).toMatchObject({ action: 'release.recipient_key_withdrawn', outcome: 'success', detail: { code: 'KEY_REVOKED', wasConfirmed: true } });
    expect((await b.call('releases.get', { id: releaseId })).recipient).toBeNull();

    const sent = await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }));
    expect(sent.code).toBe('KEY_NOT_CONFIRMED');
    // The old, unrevoked copy pasted again does not make the key usable: the stored revocation stays in force.
    const again = await refusal(b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: gpg.exportPublic(fpr), fingerprintConfirmed: true }));
    expect(again.code).toBe('KEY_REVOKED');
    expect(stored(releaseId)?.fingerprintConfirmed).toBe(false);
    expect(b.smtp!.received).toHaveLength(0);

    // A valid new key, confirmed, is accepted and the release goes out; gpg decrypts it.
    const fresh = gpg.generateKey({ name: RECIPIENT.name, email: `new.${RECIPIENT.email}` });
    b.clock.set(new Date(Date.now() + 2000).toISOString()); // gpg made this key after the clock was last set
    await b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: gpg.exportPublic(fresh), fingerprintConfirmed: true });
    await b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' });
    expect(b.smtp!.received).toHaveLength(1);
    const dec = gpg.decrypt(b.smtp!.received[0]!.raw);
    expect(dec.status.some((l) => l.startsWith('DECRYPTION_OKAY'))).toBe(true);
  }, 120_000);

  it('a revoked copy of the stored key pasted is refused, replaces nothing new, and withdraws the confirmation', async () => {
    const fpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.email });
    const releaseId = await readyRelease(fpr);
    gpg.revokePrimary(fpr);
    const err = await refusal(b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: gpg.exportPublic(fpr), fingerprintConfirmed: true }));
    expect(err.code).toBe('KEY_REVOKED');
    expect(stored(releaseId)).toMatchObject({ fingerprintConfirmed: false, keyFingerprint: fpr });
    expect((await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }))).code).toBe('KEY_NOT_CONFIRMED');
  }, 120_000);

  it('a revoked key of someone else, or a revocation certificate for another key, changes nothing', async () => {
    const fpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.email });
    const releaseId = await readyRelease(fpr);
    const other = gpg.generateKey({ name: 'Someone Else', email: 'someone@elsewhere.example.test' });
    const cert = revCert(other);
    expect((await refusal(b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: cert, fingerprintConfirmed: true }))).code).toBe('KEY_REVOCATION_UNMATCHED');
    gpg.revokePrimary(other);
    expect((await refusal(b.call('releases.setRecipient', { releaseId, ...RECIPIENT, armoredKey: gpg.exportPublic(other), fingerprintConfirmed: true }))).code).toBe('KEY_REVOKED');
    expect((await b.call('releases.get', { id: releaseId })).recipient).toMatchObject({ fingerprintConfirmed: true, key: { fingerprint: fpr } });
  }, 120_000);

  it('a confirmed key that has expired by the time of sending blocks the send, names the date, and withdraws the confirmation', async () => {
    const fpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.email, primaryExpire: '2d' });
    const releaseId = await readyRelease(fpr);
    b.clock.set(new Date(Date.now() + 5 * 86_400_000).toISOString());
    const err = await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }));
    expect(err.code).toBe('KEY_EXPIRED');
    expect(err.message).toMatch(/expired on \w+ \d+, \d{4}/);
    expect(stored(releaseId)?.fingerprintConfirmed).toBe(false);
    expect(await lastEvent()).toMatchObject({ action: 'release.recipient_key_withdrawn', detail: { code: 'KEY_EXPIRED' } });
    expect((await refusal(b.call('releases.send', { releaseId, method: 'openpgp-pgp-mime' }))).code).toBe('KEY_NOT_CONFIRMED');
    expect(b.smtp!.received.filter((m) => m.rcptTo.includes(RECIPIENT.email)).length).toBeLessThanOrEqual(1);
  }, 120_000);
});
