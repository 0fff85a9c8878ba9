/**
 * The native OpenPGP writer against real oracles: what it writes, gpg 2.2 decrypts byte-identically
 * with a good signature and a good MDC, and openpgp.js decrypts and verifies too — for Ed25519 and
 * RSA signing keys, Curve25519 and RSA recipients, empty, 1-byte, partial-chunk-boundary and
 * multi-MiB inputs, binary and armored, in memory and streamed in odd-sized chunks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc24, createEncryptAndSignTransform, encryptAndSignBuffer, prepareEncryptAndSign, signDetachedNative } from '../../../src/main/services/openpgp/fast-encrypt';
import { GNUPG22_COMPATIBLE_CONFIG, type PracticeKeyPair, generatePracticeKey } from '../../../src/main/services/openpgp/keys';
import { type GpgHome, createGpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';

const hasGpg = requireTool('gpg');
const MiB = 2 ** 20;

let dir: string;
let practice: PracticeKeyPair;
let practiceKey: openpgp.PrivateKey;
let rsaPractice: openpgp.PrivateKey;
let gpg: GpgHome;
let cvRecipient: openpgp.Key;
let rsaRecipient: openpgp.Key;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rd-fast-pgp-'));
  practice = await generatePracticeKey({ name: 'Maple Street Family Medicine', email: 'records@maple.example.test' });
  practiceKey = await openpgp.readPrivateKey({ armoredKey: practice.armoredPrivate });
  const rsa = await openpgp.generateKey({ type: 'rsa', rsaBits: 2048, userIDs: [{ name: 'Birch Lane Clinic', email: 'records@birch.example.test' }], format: 'armored', config: GNUPG22_COMPATIBLE_CONFIG });
  rsaPractice = await openpgp.readPrivateKey({ armoredKey: rsa.privateKey });
  gpg = createGpgHome();
  const cvFpr = gpg.generateKey({ name: 'Zyxwv Testpatient', email: 'zyxwv.testpatient@example.test' });
  const rsaFpr = gpg.generateKey({ name: 'Qwerty Testpatient', email: 'qwerty.testpatient@example.test', encryption: 'rsa2048' });
  cvRecipient = await openpgp.readKey({ armoredKey: gpg.exportPublic(cvFpr) });
  rsaRecipient = await openpgp.readKey({ armoredKey: gpg.exportPublic(rsaFpr) });
  gpg.importKey(practice.armoredPublic);
  gpg.importKey(rsa.publicKey);
  // The practice can read its own copy: openpgp.js decrypts with the practice key below.
}, 120_000);
afterAll(() => {
  gpg?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function expectGpgReads(message: Buffer | string, plain: Buffer, signerFpr: string): void {
  const d = gpg.decrypt(message);
  expect(d.exitCode).toBe(0);
  expect(d.stdout.equals(plain)).toBe(true);
  expect(d.status).toContain('DECRYPTION_OKAY');
  expect(d.status).toContain('GOODMDC');
  expect(d.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
  expect(d.status.some((l) => l.startsWith(`VALIDSIG ${signerFpr.toUpperCase()} `))).toBe(true);
}

describe('native OpenPGP encrypt+sign', () => {
  const sizes = [0, 1, 511, 512, MiB - 30, MiB - 29, MiB, MiB + 1, 2 * MiB + 7];
  it.runIf(hasGpg)('writes binary messages gpg decrypts with a good signature and MDC, across partial-length boundaries (Ed25519 signer, Curve25519 recipient)', async () => {
    for (const size of sizes) {
      const plain = randomBytes(size);
      const msg = await encryptAndSignBuffer(plain, { encryptionKeys: [cvRecipient], signingKey: practiceKey, filename: 'RD-0042-packet.pdf' });
      expect(msg).not.toBeNull();
      expect(msg![0]! & 0x80).toBe(0x80);
      expectGpgReads(msg!, plain, practice.info.fingerprint);
    }
  }, 120_000);

  it.runIf(hasGpg)('writes armored messages with a correct CRC-24 that gpg and openpgp.js both read (RSA signer, RSA and Ed25519 practice recipients)', async () => {
    for (const size of [0, 1, 100_000, 3 * MiB + 5]) {
      const plain = randomBytes(size);
      const msg = await encryptAndSignBuffer(plain, { encryptionKeys: [rsaRecipient, practiceKey.toPublic()], signingKey: rsaPractice, filename: 'RD-7.pdf', armor: true });
      const text = msg!.toString('latin1');
      expect(text.startsWith('-----BEGIN PGP MESSAGE-----\n')).toBe(true);
      expect(text.split('\n').every((l) => l.length <= 64)).toBe(true);
      expectGpgReads(text, plain, rsaPractice.getFingerprint());
      const message = await openpgp.readMessage({ armoredMessage: text });
      const r = await openpgp.decrypt({ message, decryptionKeys: practiceKey, verificationKeys: rsaPractice.toPublic(), expectSigned: true, format: 'binary' });
      expect(Buffer.from(r.data as Uint8Array).equals(plain)).toBe(true);
      expect(r.filename).toBe('RD-7.pdf');
    }
  }, 120_000);

  it.runIf(hasGpg)('streams a 6 MiB input arriving in odd-sized chunks into a message gpg reads', async () => {
    const plain = randomBytes(6 * MiB + 3);
    const chunks: Buffer[] = [];
    for (let o = 0, k = 1; o < plain.length; k = (k * 7919) % 300_007) {
      chunks.push(plain.subarray(o, Math.min(plain.length, o + k + 1)));
      o += k + 1;
    }
    const t = await createEncryptAndSignTransform({ encryptionKeys: [cvRecipient], signingKey: practiceKey, filename: 'RD-9.pdf' });
    const outPath = join(dir, 'stream.pgp');
    const { createWriteStream } = await import('node:fs');
    await pipeline(Readable.from(chunks), t!, createWriteStream(outPath));
    expectGpgReads(readFileSync(outPath), plain, practice.info.fingerprint);
  }, 60_000);

  it('decrypts and verifies with openpgp.js when the practice is a recipient (Ed25519 signer)', async () => {
    const plain = randomBytes(MiB + 100);
    const msg = await encryptAndSignBuffer(plain, { encryptionKeys: [practiceKey.toPublic()], signingKey: practiceKey, filename: 'RD-1.pdf' });
    const r = await openpgp.decrypt({ message: await openpgp.readMessage({ binaryMessage: msg! }), decryptionKeys: practiceKey, verificationKeys: practiceKey.toPublic(), expectSigned: true, format: 'binary' });
    expect(Buffer.from(r.data as Uint8Array).equals(plain)).toBe(true);
  });

  it('returns null for a signing key it does not handle natively (ECDSA P-256), so the caller falls back to openpgp.js', async () => {
    const p256 = await openpgp.generateKey({ type: 'ecc', curve: 'nistP256', userIDs: [{ name: 'Cedar Clinic', email: 'r@cedar.example.test' }], format: 'object', config: GNUPG22_COMPATIBLE_CONFIG });
    expect(await encryptAndSignBuffer(Buffer.from('x'), { encryptionKeys: [practiceKey.toPublic()], signingKey: p256.privateKey, filename: 'a.pdf' })).toBeNull();
    expect(await signDetachedNative(Buffer.from('x'), p256.privateKey)).toBeNull();
  });

  it('refuses a recipient key that cannot encrypt (signing-only) with openpgp\'s error, before writing anything', async () => {
    const signOnly = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Elm Clinic', email: 'r@elm.example.test' }], subkeys: [], format: 'object', config: GNUPG22_COMPATIBLE_CONFIG });
    await expect(encryptAndSignBuffer(Buffer.from('x'), { encryptionKeys: [signOnly.publicKey], signingKey: practiceKey, filename: 'a.pdf' })).rejects.toThrow();
  });
});

describe('CRC-24 (slicing-by-8, word loads)', () => {
  /** The bit-by-bit definition of RFC 4880 §6.1. */
  const reference = (b: Uint8Array) => {
    let crc = 0xb704ce;
    for (const byte of b) {
      crc ^= byte << 16;
      for (let k = 0; k < 8; k++) {
        crc <<= 1;
        if (crc & 0x1000000) crc ^= 0x1864cfb;
      }
    }
    return crc & 0xffffff;
  };
  it('equals the bit-by-bit definition at every alignment and length around the 8-byte steps, and when continued across pieces', () => {
    const data = randomBytes(4099);
    for (const off of [0, 1, 2, 3, 4, 5, 7]) for (const len of [0, 1, 3, 7, 8, 9, 15, 16, 17, 64, 1000, 4000]) {
      const s = data.subarray(off, off + len);
      expect(crc24(0xb704ce, s)).toBe(reference(s));
    }
    expect(crc24(crc24(crc24(0xb704ce, data.subarray(0, 13)), data.subarray(13, 2001)), data.subarray(2001))).toBe(reference(data));
  });
});

describe('armored messages with CRLF line ends (the PGP/MIME part)', () => {
  it.runIf(hasGpg)('writes CRLF lines only, and gpg and openpgp.js read them', async () => {
    const plain = randomBytes(200_003);
    const make = await prepareEncryptAndSign({ encryptionKeys: [cvRecipient, practiceKey.toPublic()], signingKey: practiceKey, filename: '', armor: true }, { crlf: true });
    const out: Buffer[] = [];
    const w = make!((b) => out.push(b));
    w.update(plain);
    await w.end();
    const text = Buffer.concat(out).toString('latin1');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.endsWith('-----END PGP MESSAGE-----\r\n')).toBe(true);
    expectGpgReads(text, plain, practice.info.fingerprint);
    const m = await openpgp.readMessage({ armoredMessage: text });
    const d = await openpgp.decrypt({ message: m, decryptionKeys: practiceKey, verificationKeys: practiceKey.toPublic(), format: 'binary', expectSigned: true });
    expect(Buffer.from(d.data as Uint8Array).equals(plain)).toBe(true);
  }, 60_000);
});

describe('signDetachedNative', () => {
  it.runIf(hasGpg)('makes detached signatures gpg --verify accepts (Ed25519 and RSA), and rejects after one changed byte', async () => {
    for (const [key, fpr] of [[practiceKey, practice.info.fingerprint], [rsaPractice, rsaPractice.getFingerprint()]] as const) {
      const data = randomBytes(3 * MiB + 1);
      const sig = await signDetachedNative(data, key);
      const dataPath = join(dir, 'packet.pdf');
      const sigPath = join(dir, 'packet.pdf.sig');
      writeFileSync(dataPath, data);
      writeFileSync(sigPath, sig!);
      const out = gpg.run(['--status-fd', '1', '--verify', sigPath, dataPath]).toString('utf8');
      expect(out).toContain(`VALIDSIG ${fpr.toUpperCase()} `);
      data[12345] = data[12345]! ^ 1;
      writeFileSync(dataPath, data);
      expect(() => gpg.run(['--verify', sigPath, dataPath])).toThrow();
    }
  }, 60_000);
});

describe('armored output buffers', () => {
  for (const reuseOutput of [false, true]) {
    it(`${reuseOutput ? 'a reused lines buffer, copied by the caller as it arrives' : 'buffers kept as given'}, over several 768 KiB blocks, read back whole by openpgp.js`, async () => {
      const plain = randomBytes(3 * 786_432 + 17);
      const make = await prepareEncryptAndSign({ encryptionKeys: [cvRecipient, practiceKey.toPublic()], signingKey: practiceKey, filename: '', armor: true }, { crlf: true, reuseOutput });
      const out: Buffer[] = [];
      const w = make!((b) => out.push(reuseOutput ? Buffer.from(b) : b));
      w.update(plain);
      await w.end();
      const m = await openpgp.readMessage({ armoredMessage: Buffer.concat(out).toString('latin1') });
      const d = await openpgp.decrypt({ message: m, decryptionKeys: practiceKey, verificationKeys: practiceKey.toPublic(), format: 'binary', expectSigned: true });
      expect(Buffer.from(d.data as Uint8Array).equals(plain)).toBe(true);
    }, 60_000);
  }
});
