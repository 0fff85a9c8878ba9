/**
 * The practice's S/MIME certificate: imported from a PKCS#12 file made by openssl 3 (PBES2/AES, the default) with its
 * password, refused with a wrong password or for a certificate that cannot sign; the self-made one warned as not
 * trusted by recipients' mail programs; expiry warned 30 days ahead.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSelfSignedPracticeCertificate, readPkcs12PracticeCertificate } from '../../../src/main/services/smime/practice-certificate';
import { practiceCertificateView, PRACTICE_CERT_WARN_DAYS } from '../../../src/main/services/smime/service';
import { requireTool } from '../../support/tools';
import { smimeCert, type SmimeCertKind } from '../../support/smime-certs';

const HAVE = requireTool('openssl');
const EMAIL = 'records@clinic.example.test';

/** A PKCS#12 as openssl 3 exports it by default (PBES2, PBKDF2, AES-256-CBC; MAC SHA-256). */
function modernP12(kind: SmimeCertKind, password: string): Buffer {
  const c = smimeCert(kind, EMAIL);
  const dir = mkdtempSync(join(tmpdir(), 'rd-p12-'));
  try {
    writeFileSync(join(dir, 'c.pem'), c.cert);
    writeFileSync(join(dir, 'k.pem'), c.key);
    execFileSync('openssl', ['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-out', 'c.p12', '-passout', `pass:${password}`], { cwd: dir, stdio: 'pipe' });
    return readFileSync(join(dir, 'c.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PKCS#12 with extra `openssl pkcs12 -export` options (the legacy encryption of older exports). */
function p12With(kind: SmimeCertKind, password: string, options: string[]): Buffer {
  const c = smimeCert(kind, EMAIL);
  const dir = mkdtempSync(join(tmpdir(), 'rd-p12-'));
  try {
    writeFileSync(join(dir, 'c.pem'), c.cert);
    writeFileSync(join(dir, 'k.pem'), c.key);
    execFileSync('openssl', ['pkcs12', '-export', ...options, '-in', 'c.pem', '-inkey', 'k.pem', '-out', 'c.p12', '-passout', `pass:${password}`], { cwd: dir, stdio: 'pipe' });
    return readFileSync(join(dir, 'c.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether this openssl can write RC2 (`-legacy` needs OpenSSL 3's legacy provider). */
function canWriteRc2(): boolean {
  try {
    p12With('rsa', 'x', ['-legacy']);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!HAVE)('the practice S/MIME certificate', () => {
  const now = () => new Date(Date.now() + 60_000);

  it('imports a certificate and key from PKCS#12 with its password; the key matches; not self-signed', async () => {
    const pc = await readPkcs12PracticeCertificate(modernP12('rsa', 'correct horse'), 'correct horse', now());
    expect(pc.fingerprint).toMatch(/^[0-9A-F]{64}$/);
    expect(pc.selfSigned).toBe(false);
    expect(pc.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pc.certPem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('imports a legacy 3DES PKCS#12 (PBE-SHA1-3DES, SHA-1 MAC, as older Windows and OpenSSL 1.x export) with the same key and fingerprint', async () => {
    const password = 'Tr0ub4dor & 3 ünïcode';
    const modern = await readPkcs12PracticeCertificate(modernP12('rsa', 'm'), 'm', now());
    const legacy = await readPkcs12PracticeCertificate(
      p12With('rsa', password, ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']),
      password,
      now(),
    );
    expect(legacy.fingerprint).toBe(modern.fingerprint);
    expect(legacy.keyPem).toBe(modern.keyPem);
    await expect(
      readPkcs12PracticeCertificate(p12With('rsa', password, ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), 'wrong', now()),
    ).rejects.toMatchObject({ code: 'PKCS12_INVALID' });
  });

  it.skipIf(!canWriteRc2())('refuses an RC2-40 PKCS#12 (openssl pkcs12 -export -legacy) with a message that says how to export it again', async () => {
    const e = await readPkcs12PracticeCertificate(p12With('rsa', 'pw', ['-legacy']), 'pw', now()).catch((x: { code: string; message: string }) => x);
    expect(e).toMatchObject({ code: 'PKCS12_LEGACY_RC2' });
    expect((e as { message: string }).message).toContain('openssl pkcs12 -legacy');
    expect((e as { message: string }).message).not.toContain('pw');
    // A wrong password is still a wrong password (the MAC is checked before any part is decrypted).
    await expect(readPkcs12PracticeCertificate(p12With('rsa', 'pw', ['-legacy']), 'nope', now())).rejects.toMatchObject({ code: 'PKCS12_INVALID' });
  });

  it('refuses a wrong password and a file that is not PKCS#12, without echoing either', async () => {
    await expect(readPkcs12PracticeCertificate(modernP12('rsa', 'correct horse'), 'wrong', now())).rejects.toMatchObject({ code: 'PKCS12_INVALID' });
    await expect(readPkcs12PracticeCertificate(new Uint8Array([1, 2, 3]), 'x', now())).rejects.toMatchObject({ code: 'PKCS12_INVALID' });
  });

  it('refuses a signing-only certificate (it must also be encrypted to) and an EC one (ReleaseDesk signs with RSA), naming the date', async () => {
    const so = await readPkcs12PracticeCertificate(modernP12('signing-only', 'p'), 'p', now()).catch((e: { code: string; message: string }) => e);
    expect(so).toMatchObject({ code: 'CERT_NO_ENCRYPTION_USAGE' });
    expect((so as { message: string }).message).toMatch(/\(checked \d{4}-\d{2}-\d{2}\)/);
    await expect(readPkcs12PracticeCertificate(modernP12('ec', 'p'), 'p', now())).rejects.toMatchObject({ code: 'CERT_KEY_UNSUPPORTED' });
  });

  it('a self-made certificate says recipients’ mail programs will not trust it; expiry is warned 30 days ahead, not before', async () => {
    const t0 = new Date('2026-03-01T12:00:00Z');
    const pc = await makeSelfSignedPracticeCertificate('Maplewood Family Practice', EMAIL, t0, 100);
    const fresh = practiceCertificateView(pc, t0);
    expect(fresh.selfSigned).toBe(true);
    expect(fresh.warnings).toHaveLength(1);
    expect(fresh.warnings[0]).toMatch(/mail programs will not trust it/);
    const day = 86_400_000;
    const before = practiceCertificateView(pc, new Date(t0.getTime() + (100 - PRACTICE_CERT_WARN_DAYS - 2) * day));
    expect(before.warnings.some((w) => /expires in/.test(w))).toBe(false);
    const within = practiceCertificateView(pc, new Date(t0.getTime() + (100 - PRACTICE_CERT_WARN_DAYS + 1) * day));
    expect(within.warnings.find((w) => /expires in/.test(w))).toMatch(/expires in 2\d day\(s\), on \d{4}-\d{2}-\d{2}/);
    const after = practiceCertificateView(pc, new Date(t0.getTime() + 101 * day));
    expect(after.daysLeft).toBeLessThan(0);
    expect(after.warnings.join(' ')).toMatch(/expired on/);
  });
});
