/**
 * The native writer with smaller partial body lengths (WriterOptions.partLog2, RFC 4880 §4.2.2.4), as PGP/MIME
 * composition uses them (64 KiB, armored with CRLF): gpg 2.2 decrypts byte-identically with a good signature and MDC,
 * and openpgp.js reads it too — for empty and 1-byte inputs and at every boundary of a part (one under, exactly, one
 * over, several parts), with the plaintext fed in pieces that do not line up with the parts.
 */
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEncryptAndSign } from '../../../src/main/services/openpgp/fast-encrypt';
import { type PracticeKeyPair, generatePracticeKey } from '../../../src/main/services/openpgp/keys';
import { PacketFramer } from '../../../src/main/services/openpgp/packet-framing';
import { type GpgHome, createGpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';

const hasGpg = requireTool('gpg');

let practice: PracticeKeyPair;
let practiceKey: openpgp.PrivateKey;
let gpg: GpgHome;
let recipient: openpgp.Key;

beforeAll(async () => {
  practice = await generatePracticeKey({ name: 'Maple Street Family Medicine', email: 'records@maple.example.test' });
  practiceKey = await openpgp.readPrivateKey({ armoredKey: practice.armoredPrivate });
  if (!hasGpg) return;
  gpg = createGpgHome();
  recipient = await openpgp.readKey({ armoredKey: gpg.exportPublic(gpg.generateKey({ name: 'Zyxwv Testpatient', email: 'zyxwv.testpatient@example.test' })) });
  gpg.importKey(practice.armoredPublic);
}, 120_000);
afterAll(() => gpg?.cleanup());

/** Armored (CRLF) message of `plain` written with 2^partLog2-byte partial lengths, fed in pieces of `piece` bytes. */
async function write(plain: Buffer, partLog2: number, piece: number, keys: openpgp.Key[]): Promise<string> {
  const make = await prepareEncryptAndSign({ encryptionKeys: keys, signingKey: practiceKey, filename: '', date: new Date(), armor: true }, { crlf: true, partLog2 });
  const out: Buffer[] = [];
  const w = make!((b) => out.push(b));
  for (let o = 0; o < plain.length; o += piece) w.update(plain.subarray(o, Math.min(plain.length, o + piece)));
  await w.end();
  return Buffer.concat(out).toString('latin1');
}

describe('partial body lengths smaller than 1 MiB', () => {
  it.runIf(hasGpg)('64 KiB parts (as PGP/MIME writes them): gpg decrypts and verifies empty, 1-byte and boundary-sized inputs fed in uneven pieces', async () => {
    const P = 2 ** 16;
    for (const size of [0, 1, P - 30, P - 29, P, P + 1, 3 * P + 7]) {
      const plain = randomBytes(size);
      const text = await write(plain, 16, 77_000, [recipient]);
      expect(text.split('\r\n').every((l) => l.length <= 64)).toBe(true);
      const d = gpg.decrypt(text);
      expect(d.exitCode).toBe(0);
      expect(d.stdout.equals(plain)).toBe(true);
      expect(d.status).toContain('GOODMDC');
      expect(d.status.some((l) => l.startsWith(`VALIDSIG ${practice.info.fingerprint.toUpperCase()} `))).toBe(true);
    }
  }, 120_000);

  it.runIf(hasGpg)('the smallest parts RFC 4880 allows (512 bytes): gpg and openpgp.js both read the message', async () => {
    const plain = randomBytes(5 * 512 + 3);
    const text = await write(plain, 9, 700, [recipient, practiceKey.toPublic()]);
    const d = gpg.decrypt(text);
    expect(d.exitCode).toBe(0);
    expect(d.stdout.equals(plain)).toBe(true);
    const r = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: text }), decryptionKeys: practiceKey, verificationKeys: practiceKey.toPublic(), expectSigned: true, format: 'binary' });
    expect(Buffer.from(r.data as Uint8Array).equals(plain)).toBe(true);
  }, 60_000);

  it('refuses a partial length RFC 4880 does not allow as a first part (under 512 bytes) or above 2^30', () => {
    expect(() => new PacketFramer(11, () => undefined, 8)).toThrow(RangeError);
    expect(() => new PacketFramer(11, () => undefined, 31)).toThrow(RangeError);
  });
});
