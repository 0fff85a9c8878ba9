/**
 * The practice's existing OpenPGP key, made by GnuPG, imported instead of the generated one: the passphrase is used
 * once and never stored, releases are then signed with it (gpg --verify), and every key ReleaseDesk cannot use is
 * refused by name with nothing changed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPracticeKey } from '../../../src/main/services/openpgp/keys';
import { signDetached } from '../../../src/main/services/packaging/sign';
import { formatFingerprint } from '../../../src/shared/fingerprint';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { refusal } from '../../support/refusal';
import { requireTool } from '../../support/tools';
import { startBackend, type Backend } from '../../support/backend';

const HAVE = requireTool('gpg');
const KEY_PASSPHRASE = 'Lantern-Orchard-Quarry-71';

/** A practice key as an office makes it with gpg: protected by a passphrase, optionally without hash preferences. */
function makeProtectedKey(g: GpgHome, o: { email: string; noHashPreferences?: boolean }): { fpr: string; armoredSecret: string } {
  const pw = ['--passphrase', KEY_PASSPHRASE];
  const before = new Set(fingerprints(g));
  g.run([...pw, '--quick-gen-key', `Zyxwv Family Clinic <${o.email}>`, 'ed25519', 'sign', 'never']);
  const fpr = fingerprints(g).find((f) => !before.has(f))!;
  g.run([...pw, '--quick-add-key', fpr, 'cv25519', 'encr', 'never']);
  // "setpref" with ciphers and compression only: the self-signature then carries no preferred-hash subpacket (RFC 4880 §5.2.3.8).
  if (o.noHashPreferences) g.run([...pw, '--command-fd', '0', '--edit-key', fpr, 'setpref AES256 ZLIB', 'save'], 'y\n');
  return { fpr, armoredSecret: g.run([...pw, '--armor', '--export-secret-keys', fpr]).toString('utf8') };
}

function fingerprints(g: GpgHome): string[] {
  return g
    .run(['--with-colons', '--list-keys'])
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('fpr:'))
    .map((l) => l.split(':')[9] ?? '');
}

/** `gpg --verify sig data` in a fresh home holding only `publicArmored`: the GOODSIG/VALIDSIG status lines. */
function gpgVerify(publicArmored: string, data: Uint8Array, sig: Uint8Array): { exitCode: number; status: string } {
  const v = createGpgHome();
  try {
    v.importKey(publicArmored);
    const dir = mkdtempSync(join(tmpdir(), 'rd-verify-'));
    writeFileSync(join(dir, 'packet.pdf'), data);
    writeFileSync(join(dir, 'packet.pdf.sig'), sig);
    const r = spawnSync('gpg', ['--homedir', v.home, '--batch', '--status-fd', '1', '--verify', join(dir, 'packet.pdf.sig'), join(dir, 'packet.pdf')]);
    rmSync(dir, { recursive: true, force: true });
    return { exitCode: r.status ?? -1, status: r.stdout.toString('utf8') };
  } finally {
    v.cleanup();
  }
}

describe.skipIf(!HAVE)('the practice’s own OpenPGP key, made with gpg', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = createGpgHome();
  });
  afterAll(() => gpg?.cleanup());

  it('a passphrase-protected key is opened once and signs packets that gpg verifies', async () => {
    const { fpr, armoredSecret } = makeProtectedKey(gpg, { email: 'records@zyxwv-clinic.example.test' });
    const pair = await importPracticeKey(armoredSecret, KEY_PASSPHRASE, new Date());
    expect(pair.info.fingerprint).toBe(fpr);
    expect(pair.info.algorithm).toMatch(/25519/i);
    // Stored without its passphrase (only inside the encrypted vault): signing needs no passphrase afterwards.
    const packet = Buffer.from('%PDF-1.7 synthetic packet for signature\n');
    const sig = await signDetached(packet, pair.armoredPrivate);
    const v = gpgVerify(pair.armoredPublic, packet, sig);
    expect(v.exitCode).toBe(0);
    expect(v.status).toContain(`VALIDSIG ${fpr}`);
  });

  it('a key without hash preferences is accepted and its signatures verify (SHA-256)', async () => {
    const { fpr, armoredSecret } = makeProtectedKey(gpg, { email: 'nohash@zyxwv-clinic.example.test', noHashPreferences: true });
    const pair = await importPracticeKey(armoredSecret, KEY_PASSPHRASE, new Date());
    const packet = Buffer.alloc(70_000, 7);
    const v = gpgVerify(pair.armoredPublic, packet, await signDetached(packet, pair.armoredPrivate));
    expect(v.exitCode).toBe(0);
    expect(v.status).toMatch(new RegExp(`VALIDSIG ${fpr} \\S+ \\d+ \\d+ \\d+ \\d+ \\d+ 8 `)); // hash algorithm 8 = SHA-256
  });

  it('a wrong or missing passphrase is refused, naming the key, never echoing the passphrase', async () => {
    const { fpr, armoredSecret } = makeProtectedKey(gpg, { email: 'pw@zyxwv-clinic.example.test' });
    const wrong = await refusal(importPracticeKey(armoredSecret, 'not-the-passphrase', new Date()));
    expect(wrong.code).toBe('KEY_INVALID');
    expect(wrong.message).toContain(formatFingerprint(fpr));
    expect(wrong.message).not.toContain('not-the-passphrase');
    expect(wrong.detail).toEqual({ passphraseRequired: true });
    const missing = await refusal(importPracticeKey(armoredSecret, undefined, new Date()));
    expect(missing.code).toBe('KEY_INVALID');
    expect(missing.message).toMatch(/passphrase/);
  });

  it('a public key, an expired key and a signing-only key are refused with their reason', async () => {
    const fprPub = gpg.generateKey({ name: 'Public Only', email: 'pub@zyxwv-clinic.example.test' });
    expect((await refusal(importPracticeKey(gpg.exportPublic(fprPub), undefined, new Date()))).code).toBe('KEY_INVALID');

    const fprOld = gpg.generateKey({ name: 'Old Clinic', email: 'old@zyxwv-clinic.example.test', primaryExpire: '1y', fakedSystemTime: '20200101T000000' });
    const expired = await refusal(importPracticeKey(gpg.exportSecret(fprOld), undefined, new Date()));
    expect(expired.code).toBe('KEY_EXPIRED');
    expect(expired.message).toContain(formatFingerprint(fprOld));
    expect(expired.message).toMatch(/2020|2021/);

    const fprSign = gpg.generateKey({ name: 'Sign Only', email: 'sign@zyxwv-clinic.example.test', encryption: null });
    expect((await refusal(importPracticeKey(gpg.exportSecret(fprSign), undefined, new Date()))).code).toBe('KEY_NO_ENCRYPTION_SUBKEY');

    const two = gpg.exportSecret(fprPub) + '\n' + gpg.exportSecret(fprSign);
    expect((await refusal(importPracticeKey(two, undefined, new Date()))).message).toMatch(/more than one key/i);
  });
});

describe.skipIf(!HAVE)('settings.importPracticeKey through the dispatcher', () => {
  let b: Backend;
  let gpg: GpgHome;
  beforeAll(async () => {
    b = await startBackend();
    gpg = createGpgHome();
  });
  afterAll(async () => {
    gpg?.cleanup();
    await b?.close();
  });

  it('makes the imported key the practice key, audited by fingerprint; the passphrase is stored and logged nowhere', async () => {
    const before = await b.call('settings.get', {});
    const { fpr, armoredSecret } = makeProtectedKey(gpg, { email: 'desk@zyxwv-clinic.example.test' });
    b.clock.set(new Date(Date.now() + 60_000).toISOString()); // the back end's fixed clock started before gpg made the key
    const r = await b.call('settings.importPracticeKey', { armoredPrivateKey: armoredSecret, passphrase: KEY_PASSPHRASE });
    expect(r.practiceKey.fingerprint).toBe(fpr);
    const after = await b.call('settings.get', {});
    expect(after.practiceKey.fingerprint).toBe(fpr);
    expect(after.practicePublicKeyArmored).toMatch(/BEGIN PGP PUBLIC KEY BLOCK/);
    expect(before.practiceKey.fingerprint).not.toBe(fpr);
    const ev = b.services.audit.events(50).find((e) => e.action === 'practice_key.import');
    expect(ev?.outcome).toBe('success');
    expect(ev?.subjectId).toBe(fpr);
    expect(JSON.stringify(b.services.audit.events(200))).not.toContain(KEY_PASSPHRASE);
    expect(b.logText()).not.toContain(KEY_PASSPHRASE);

    // The same key again, or the previous practice key, is refused; the practice key is unchanged.
    const again = await refusal(b.call('settings.importPracticeKey', { armoredPrivateKey: armoredSecret, passphrase: KEY_PASSPHRASE }));
    expect(again.code).toBe('KEY_INVALID');
    expect((await b.call('settings.get', {})).practiceKey.fingerprint).toBe(fpr);
  });

  it('a refused key changes nothing and the refusal is audited by code only', async () => {
    const current = (await b.call('settings.get', {})).practiceKey.fingerprint;
    const { armoredSecret } = makeProtectedKey(gpg, { email: 'wrong@zyxwv-clinic.example.test' });
    b.clock.set(new Date(Date.now() + 60_000).toISOString());
    const e = await refusal(b.call('settings.importPracticeKey', { armoredPrivateKey: armoredSecret, passphrase: 'Wrong-Passphrase-0' }));
    expect(e.code).toBe('KEY_INVALID');
    expect((await b.call('settings.get', {})).practiceKey.fingerprint).toBe(current);
    const failed = b.services.audit.events(50).filter((x) => x.action === 'practice_key.import' && x.outcome !== 'success');
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed)).not.toContain('Wrong-Passphrase-0');
  });
});

