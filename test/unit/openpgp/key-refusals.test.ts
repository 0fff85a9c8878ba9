/**
 * Recipient keys as they really arrive, made by GnuPG (with a faked system time for expired keys) or packet by
 * packet for algorithms GnuPG 2.2 cannot make (Ed448, X448): every refusal names the fingerprint and the date.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectRecipientKey } from '../../../src/main/services/openpgp/keys';
import { formatFingerprint } from '../../../src/shared/fingerprint';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { refusal } from '../../support/refusal';
import { requireTool } from '../../support/tools';

const HAVE = requireTool('gpg');
const NOW = new Date('2026-03-02T12:00:00Z');

/** A new-format OpenPGP packet (RFC 4880 §4.2.2): tag, one- or two-octet length, body. */
function packet(tag: number, body: Uint8Array): Buffer {
  const len = body.length;
  const head = len < 192 ? Buffer.from([0xc0 | tag, len]) : Buffer.from([0xc0 | tag, ((len - 192) >> 8) + 192, (len - 192) & 0xff]);
  return Buffer.concat([head, body]);
}
/** A v4 ECC key packet body with the given algorithm id and curve OID (a native point of `pointBytes` random bytes). */
function eccKeyBody(algorithm: number, oid: number[], pointBytes: number, kdf?: number[]): Buffer {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(Math.floor(new Date('2025-01-01T00:00:00Z').getTime() / 1000));
  const point = Buffer.concat([Buffer.from([0x40]), randomBytes(pointBytes)]);
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE(point.length * 8 - 1);
  return Buffer.concat([Buffer.from([4]), time, Buffer.from([algorithm, oid.length, ...oid]), bits, point, kdf ? Buffer.from([kdf.length, ...kdf]) : Buffer.alloc(0)]);
}
const ED448 = [0x2b, 0x65, 0x71];
const X448 = [0x2b, 0x65, 0x6f];

describe.skipIf(!HAVE)('recipient keys refused by name, fingerprint and date', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = createGpgHome();
  });
  afterAll(() => gpg?.cleanup());

  it('a key that expired (made by gpg with a faked 2020 clock, valid one year) names its fingerprint and expiry date', async () => {
    const fpr = gpg.generateKey({ name: 'Old Lawfirm', email: 'old@lawfirm.example.test', primaryExpire: '1y', fakedSystemTime: '20200101T000000' });
    const err = await refusal(inspectRecipientKey(gpg.exportPublic(fpr), NOW));
    expect(err.code).toBe('KEY_EXPIRED');
    expect(err.message).toContain(formatFingerprint(fpr));
    expect(err.message).toMatch(/December 3[01], 2020/);
  });

  it('an expired encryption subkey names the key and the date the subkey expired', async () => {
    const fpr = gpg.generateKey({ name: 'Sub Lawfirm', email: 'sub@lawfirm.example.test', subkeyExpire: '30d', fakedSystemTime: '20250101T000000' });
    const err = await refusal(inspectRecipientKey(gpg.exportPublic(fpr), NOW));
    expect(err.code).toBe('KEY_EXPIRED');
    expect(err.message).toContain(formatFingerprint(fpr));
    expect(err.message).toMatch(/encryption part .* expired on January 31, 2025/);
  });

  it('a revoked key names its fingerprint and the revocation date', async () => {
    const fpr = gpg.generateKey({ name: 'Gone Lawfirm', email: 'gone@lawfirm.example.test', fakedSystemTime: '20250601T000000' });
    gpg.run(['--faked-system-time', '20250715T120000!', '--import'], readFileSync(join(gpg.home, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN'));
    const err = await refusal(inspectRecipientKey(gpg.exportPublic(fpr), NOW));
    expect(err.code).toBe('KEY_REVOKED');
    expect(err.message).toContain(formatFingerprint(fpr));
    expect(err.message).toMatch(/revoked by its owner on June 1, 2025/);
  });

  it('a pasted revocation certificate is recognised as one (not "damaged"), naming the key it revokes and its date', async () => {
    const fpr = gpg.generateKey({ name: 'Cert Lawfirm', email: 'cert@lawfirm.example.test', fakedSystemTime: '20250601T000000' });
    const cert = readFileSync(join(gpg.home, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    const err = await refusal(inspectRecipientKey(cert, NOW));
    expect(err).toMatchObject({ code: 'KEY_REVOKED', detail: { revocationCertificate: true, fingerprint: fpr } });
    expect(err.message).toContain(formatFingerprint(fpr));
    expect(err.message).toMatch(/revocation certificate .*June 1, 2025/);
  });

  it('an Ed448 primary key is KEY_UNSUPPORTED naming Ed448 and its fingerprint, not "damaged"', async () => {
    const body = eccKeyBody(22, ED448, 57);
    const bytes = Buffer.concat([packet(6, body), packet(13, Buffer.from('Ed Four <ed448@lawfirm.example.test>'))]);
    const armored = openpgp.armor(openpgp.enums.armor.publicKey, bytes);
    const err = await refusal(inspectRecipientKey(armored, NOW));
    expect(err.code).toBe('KEY_UNSUPPORTED');
    expect(err.message).toMatch(/uses Ed448, which ReleaseDesk cannot use/);
    // The fingerprint gpg would show: SHA-1 over 0x99, length, body (RFC 4880 §12.2).
    const { createHash } = await import('node:crypto');
    const fpr = createHash('sha1').update(Buffer.from([0x99, body.length >> 8, body.length & 0xff])).update(body).digest('hex').toUpperCase();
    expect(err.message).toContain(formatFingerprint(fpr));
  });

  it('an X448 subkey beside a usable one is ignored with a warning in KeyInfo.warnings; the key stays usable', async () => {
    const fpr = gpg.generateKey({ name: 'Mixed Lawfirm', email: 'mixed@lawfirm.example.test' });
    const exported = gpg.run(['--export', fpr]);
    const x448 = packet(14, eccKeyBody(18, X448, 56, [1, 8, 9]));
    // A binding signature copied from the real subkey: the packet layout of a real key, bound to nothing valid.
    const sigs = (await openpgp.readKey({ binaryKey: exported })).subkeys[0]!.bindingSignatures[0]!.write();
    const mixed = openpgp.armor(openpgp.enums.armor.publicKey, Buffer.concat([exported, x448, packet(2, sigs)]));
    const info = await inspectRecipientKey(mixed, new Date(Date.now() + 1000));
    expect(info.fingerprint).toBe(fpr);
    expect(info.warnings).toEqual([expect.stringMatching(/subkey in X448, which ReleaseDesk cannot use; it is ignored/)]);
    // gpg itself (the recipient's software) sees the key's own encryption subkey.
    expect(gpg.run(['--with-colons', '--list-keys', fpr]).toString()).toMatch(/^sub:[^:]*:255:18:/m);
  });
});
