import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import { generatePracticeKey, inspectRecipientKey } from '../../../src/main/services/openpgp/keys';
import { formatFingerprint, normalizeFingerprint } from '../../../src/shared/fingerprint';
import { KeyInfo } from '../../../src/shared/contract';
import { isAppError } from '../../../src/shared/errors';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';

const hasGpg = requireTool('gpg');
const NAME = 'Zyxwv Testpatient';
const EMAIL = 'zyxwv.testpatient@example.test';

/** Run `fn`, expect an AppError with `code`; return it. The message must never carry the key's user id. */
async function expectCode(fn: () => Promise<unknown>, code: string) {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(isAppError(caught), `expected AppError ${code}, got ${String(caught)}`).toBe(true);
  const err = caught as { code: string; message: string };
  expect(err.code).toBe(code);
  expect(err.message).not.toContain('Zyxwv');
  expect(err.message).not.toContain('example.test');
  expect(err.message.length).toBeGreaterThan(20);
  return err;
}

describe('formatFingerprint', () => {
  it('groups 40 hex digits in ten upper-case groups of four', () => {
    expect(formatFingerprint('e50eb3a3b67b607a997be6797aa877c81f9248b3')).toBe('E50E B3A3 B67B 607A 997B E679 7AA8 77C8 1F92 48B3');
  });
  it('accepts spaced or colon-separated input', () => {
    expect(formatFingerprint('E50E B3A3:B67B')).toBe('E50E B3A3 B67B');
  });
  it('normalizes only real fingerprints', () => {
    expect(normalizeFingerprint('e50e b3a3 b67b 607a 997b e679 7aa8 77c8 1f92 48b3')).toBe('E50EB3A3B67B607A997BE6797AA877C81F9248B3');
    expect(normalizeFingerprint('E50E')).toBeNull();
    expect(normalizeFingerprint('Z'.repeat(40))).toBeNull();
  });
});

describe('generatePracticeKey', () => {
  it('makes a v4 EdDSA primary with an ECDH Curve25519 subkey, unprotected, no expiry', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const k = await generatePracticeKey({ name: 'Qwerty Family Clinic', email: 'records@clinic.example.test' }, now);
    expect(KeyInfo.parse(k.info)).toEqual(k.info);
    expect(k.info.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(k.info.algorithm).toBe('EdDSA (Ed25519) / ECDH (Curve25519)');
    expect(k.info.createdAt).toBe('2026-03-01T12:00:00.000Z');
    expect(k.info.expiresAt).toBeNull();
    expect(k.armoredPublic).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const priv = await openpgp.readPrivateKey({ armoredKey: k.armoredPrivate });
    expect(priv.isDecrypted()).toBe(true);
    expect(priv.keyPacket.version).toBe(4);
    expect(priv.subkeys).toHaveLength(1);
    expect(priv.subkeys[0]!.getAlgorithmInfo()).toMatchObject({ algorithm: 'ecdh', curve: 'curve25519Legacy' });
  });

  it('refuses control characters in the user id', async () => {
    await expect(generatePracticeKey({ name: 'A\r\nB', email: 'a@b.test' })).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
  });

  it.skipIf(!hasGpg)('is readable by GnuPG 2.2, which can encrypt to it', async () => {
    const k = await generatePracticeKey({ name: 'Qwerty Family Clinic', email: 'records@clinic.example.test' });
    const g = createGpgHome();
    try {
      g.importKey(k.armoredPrivate);
      const colons = g.run(['--with-colons', '--list-secret-keys']).toString();
      expect(colons).toContain(`fpr:::::::::${k.info.fingerprint}:`);
      expect(colons).toMatch(/^sec:[^:]*:255:22:/m); // EdDSA
      expect(colons).toMatch(/^ssb:[^:]*:255:18:/m); // ECDH
      const ct = g.run(['--trust-model', 'always', '--armor', '--encrypt', '-r', k.info.fingerprint], 'hello');
      const msg = await openpgp.readMessage({ armoredMessage: ct.toString() });
      const { data } = await openpgp.decrypt({ message: msg, decryptionKeys: await openpgp.readPrivateKey({ armoredKey: k.armoredPrivate }) });
      expect(data).toBe('hello');
    } finally {
      g.cleanup();
    }
  });
});

describe.skipIf(!hasGpg)('inspectRecipientKey with keys made by GnuPG 2.2', () => {
  let g: GpgHome;
  // Evaluated per call: a key made by gpg a moment ago is "in the future" of an earlier instant.
  const now = () => new Date();
  let valid = '';
  let validFpr = '';
  beforeAll(() => {
    g = createGpgHome();
    validFpr = g.generateKey({ name: NAME, email: EMAIL });
    valid = g.exportPublic(validFpr);
  });
  afterAll(() => g?.cleanup());

  it('describes a valid ed25519/cv25519 key', async () => {
    const info = await inspectRecipientKey(valid, now());
    expect(KeyInfo.parse(info)).toEqual(info);
    expect(info.fingerprint).toBe(validFpr);
    expect(info.userIds).toEqual([`${NAME} <${EMAIL}>`]);
    expect(info.algorithm).toBe('EdDSA (Ed25519) / ECDH (Curve25519)');
    expect(info.expiresAt).toBeNull();
  });

  it('accepts an RSA encryption subkey and tolerates surrounding whitespace', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'rsa@example.test', encryption: 'rsa2048' });
    const info = await inspectRecipientKey(`\n\n  ${g.exportPublic(fpr)}  \n`, now());
    expect(info.algorithm).toBe('EdDSA (Ed25519) / RSA 2048');
  });

  it('reports the earliest expiry of primary and encryption subkey', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'exp@example.test', primaryExpire: '2y', subkeyExpire: '1y' });
    const info = await inspectRecipientKey(g.exportPublic(fpr), now());
    const days = (new Date(info.expiresAt!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(360);
    expect(days).toBeLessThan(370);
  });

  it('refuses a signing-only key', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'sign@example.test', encryption: null });
    const e = await expectCode(() => inspectRecipientKey(g.exportPublic(fpr), now()), 'KEY_NO_ENCRYPTION_SUBKEY');
    expect(e.message).toMatch(/only sign/);
  });

  it('refuses a key whose primary expired (created in 2020 with a 1-year expiry)', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'old@example.test', primaryExpire: '1y', subkeyExpire: '1y', fakedSystemTime: '20200101T000000' });
    const e = await expectCode(() => inspectRecipientKey(g.exportPublic(fpr), now()), 'KEY_EXPIRED');
    expect(e.message).toMatch(/expired/);
  });

  it('refuses a key whose encryption subkey expired while the primary is valid', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'subexp@example.test', subkeyExpire: '1d' });
    const armored = g.exportPublic(fpr);
    await expect(inspectRecipientKey(armored, now())).resolves.toMatchObject({ fingerprint: fpr });
    const e = await expectCode(() => inspectRecipientKey(armored, new Date(Date.now() + 3 * 86_400_000)), 'KEY_EXPIRED');
    expect(e.message).toMatch(/encryption part/);
  });

  it('refuses a revoked primary key', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'rev@example.test' });
    g.revokePrimary(fpr);
    const e = await expectCode(() => inspectRecipientKey(g.exportPublic(fpr), now()), 'KEY_REVOKED');
    expect(e.message).toMatch(/revoked/);
  });

  it('refuses a key whose only encryption subkey is revoked', async () => {
    const fpr = g.generateKey({ name: NAME, email: 'revsub@example.test' });
    g.revokeSubkey(fpr);
    const e = await expectCode(() => inspectRecipientKey(g.exportPublic(fpr), now()), 'KEY_REVOKED');
    expect(e.message).toMatch(/encryption part/);
  });

  it('refuses a pasted private key and says to paste the public key', async () => {
    const e = await expectCode(() => inspectRecipientKey(g.exportSecret(validFpr), now()), 'KEY_INVALID');
    expect(e.message).toMatch(/public key/i);
    expect(e.message).toMatch(/private/i);
  });

  it('refuses a key created in the future of `now` with a clock hint', async () => {
    const e = await expectCode(() => inspectRecipientKey(valid, new Date(Date.now() - 86_400_000)), 'KEY_INVALID');
    expect(e.message).toMatch(/clock/);
  });

  it('refuses two keys pasted together', async () => {
    const other = g.exportPublic(g.generateKey({ name: NAME, email: 'two@example.test' }));
    await expectCode(() => inspectRecipientKey(valid + '\n' + other, now()), 'KEY_INVALID');
    // one armor block holding two keys
    const both = g.run(['--armor', '--export', validFpr, 'two@example.test']).toString();
    await expectCode(() => inspectRecipientKey(both, now()), 'KEY_INVALID');
  });

  it('refuses garbage, a truncated key and a PGP message', async () => {
    await expectCode(() => inspectRecipientKey('hello, here is my key', now()), 'KEY_INVALID');
    await expectCode(() => inspectRecipientKey('', now()), 'KEY_INVALID');
    const lines = valid.trim().split('\n');
    const truncated = [...lines.slice(0, 4), ...lines.slice(-1)].join('\n');
    await expectCode(() => inspectRecipientKey(truncated, now()), 'KEY_INVALID');
    const msg = g.run(['--trust-model', 'always', '--armor', '--encrypt', '-r', validFpr], 'x').toString();
    await expectCode(() => inspectRecipientKey(msg, now()), 'KEY_INVALID');
  });
});
