import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/shared/errors';
import { inspectRecipientCertificate, readCertificates } from '../../../src/main/services/smime/x509';
import { requireTool } from '../../support/tools';
import { smimeCert, smimePki, type SmimeCertKind } from '../../support/smime-certs';

const has = requireTool('openssl');
const EMAIL = 'records@hospital.example';
// An hour ahead: the certificates are made during the tests, valid from the second they are made.
const NOW = new Date(Date.now() + 3_600_000);
const DAY = NOW.toISOString().slice(0, 10);

async function refusal(kind: SmimeCertKind): Promise<{ code: string; message: string }> {
  try {
    await inspectRecipientCertificate(smimeCert(kind, EMAIL).cert, EMAIL, NOW, [smimePki().caPem]);
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('accepted');
}

describe.skipIf(!has)('recipient S/MIME certificate checks (certificates made by openssl)', () => {
  it('accepts an RSA-2048 emailProtection certificate for the address, trusted chain, SHA-256 fingerprint', async () => {
    const f = await inspectRecipientCertificate(smimeCert('rsa', EMAIL).cert, EMAIL, NOW, [smimePki().caPem]);
    expect(f.fingerprint).toMatch(/^[0-9A-F]{64}$/);
    expect(f.keyType).toBe('RSA');
    expect(f.keyDescription).toBe('RSA 2048 bits');
    expect(f.emails).toContain(EMAIL);
    expect(f.chainTrusted).toBe(true);
    expect(f.warnings).toEqual([]);
  });

  it('accepts an EC P-256 key-agreement certificate', async () => {
    const f = await inspectRecipientCertificate(smimeCert('ec', EMAIL).cert, EMAIL, NOW, [smimePki().caPem]);
    expect(f.keyType).toBe('EC');
    expect(f.keyDescription).toBe('EC P-256');
  });

  it('matches the address case-insensitively', async () => {
    await expect(inspectRecipientCertificate(smimeCert('rsa', EMAIL).cert, 'Records@Hospital.Example', NOW, [smimePki().caPem])).resolves.toBeTruthy();
  });

  it.each([
    ['expired', 'CERT_EXPIRED', /expired on 2020-02-01/],
    ['not-yet-valid', 'CERT_NOT_YET_VALID', /valid only from 2099-01-01/],
    ['no-email-protection', 'CERT_NO_EMAIL_PROTECTION', /not issued for email protection/],
    ['wrong-address', 'CERT_ADDRESS_MISMATCH', /does not name the recipient's email address/],
    ['rsa-1024', 'CERT_KEY_UNSUPPORTED', /1024 bits; at least 2048/],
    ['signing-only', 'CERT_NO_ENCRYPTION_USAGE', /signing only/],
  ] as const)('refuses a %s certificate, naming the fingerprint and the date checked', async (kind, code, why) => {
    const r = await refusal(kind);
    expect(r.code).toBe(code);
    expect(r.message).toMatch(why);
    expect(r.message).toMatch(/The certificate ([0-9A-F]{4} ){15}[0-9A-F]{4} cannot be used/);
    expect(r.message).toContain(`(checked ${DAY})`);
    expect(r.message).not.toContain(EMAIL);
  });

  it('warns (does not silently accept) a chain that ends in a root the practice does not trust', async () => {
    const c = smimeCert('untrusted-root', EMAIL);
    const f = await inspectRecipientCertificate(c.chainPem, EMAIL, NOW, [smimePki().caPem]);
    expect(f.chainTrusted).toBe(false);
    expect(f.warnings.map((w) => w.code)).toEqual(['CERT_CHAIN_UNTRUSTED']);
    expect(f.chainPem).toHaveLength(2);
    // the same certificate under the default anchors (Node's root store) is not trusted either
    const g = await inspectRecipientCertificate(smimeCert('rsa', EMAIL).cert, EMAIL, NOW);
    expect(g.chainTrusted).toBe(false);
  });

  it('reads DER and PKCS#7 (.p7b) bundles as well as PEM', async () => {
    const c = smimeCert('untrusted-root', EMAIL);
    const der = readCertificates(c.cert)[0]!.rawData;
    const fromDer = await inspectRecipientCertificate(new Uint8Array(der), EMAIL, NOW, [smimePki().caPem]);
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rd-p7b-'));
    writeFileSync(join(dir, 'chain.pem'), c.chainPem);
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', 'chain.pem', '-outform', 'DER', '-out', 'chain.p7b'], { cwd: dir });
    const fromP7b = await inspectRecipientCertificate(new Uint8Array(readFileSync(join(dir, 'chain.p7b'))), EMAIL, NOW, [smimePki().caPem]);
    expect(fromP7b.fingerprint).toBe(fromDer.fingerprint);
    expect(fromP7b.chainPem).toHaveLength(2);
  });

  it('refuses what is not a certificate with a clear, content-free message', async () => {
    await expect(inspectRecipientCertificate('hello', EMAIL, NOW)).rejects.toMatchObject({ code: 'CERT_INVALID' });
    await expect(inspectRecipientCertificate(new Uint8Array([1, 2, 3]), EMAIL, NOW)).rejects.toMatchObject({ code: 'CERT_INVALID' });
  });
});
