/**
 * Read an S/MIME message the way a recipient would, with real tools: `openssl cms` (decrypt, then verify the
 * signed entity inside) and GnuPG's `gpgsm` (decrypt, then verify). Each returns the verified inner MIME entity.
 * gpgsm 2.2 handles RSA only (no EC S/MIME); test EC with openssl.
 *
 *   const inner = opensslOpen(raw, recipient, practiceCertPem);   // throws when decryption or verification fails
 *   const { inner, status } = gpgsmOpen(raw, recipient, practiceCertPem);
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { SmimeTestCert } from './smime-certs';

/** The base64 body of a single-part MIME message or entity, decoded. */
export function mimeBodyBytes(raw: Buffer): Buffer {
  const s = raw.toString('latin1');
  const i = s.indexOf('\r\n\r\n');
  const j = i >= 0 ? i + 4 : s.indexOf('\n\n') + 2;
  return Buffer.from(s.slice(j).replace(/\s+/g, ''), 'base64');
}

/** Decrypt with `openssl cms -decrypt`, then `openssl cms -verify` the signed entity against the practice certificate. */
export function opensslOpen(raw: Buffer, rec: SmimeTestCert, practiceCertPem: string): { decrypted: Buffer; inner: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'rd-smime-ossl-'));
  try {
    writeFileSync(join(dir, 'msg.eml'), raw);
    writeFileSync(join(dir, 'rec.pem'), rec.cert);
    writeFileSync(join(dir, 'rec.key'), rec.key);
    writeFileSync(join(dir, 'practice.pem'), practiceCertPem);
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run(['cms', '-decrypt', '-in', 'msg.eml', '-recip', 'rec.pem', '-inkey', 'rec.key', '-out', 'signed.eml']);
    run(['cms', '-verify', '-in', 'signed.eml', '-CAfile', 'practice.pem', '-purpose', 'smimesign', '-out', 'inner.eml']);
    return { decrypted: readFileSync(join(dir, 'signed.eml')), inner: readFileSync(join(dir, 'inner.eml')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Decrypt with `gpgsm --decrypt` (the recipient's key imported from PKCS#12), then `gpgsm --verify` the opaque
 * signed entity with the practice certificate marked trusted in trustlist.txt. Returns the inner entity and the
 * --status-fd lines of the verification (GOODSIG, VALIDSIG, TRUST_*).
 */
export function gpgsmOpen(raw: Buffer, rec: SmimeTestCert, practiceCertPem: string): { inner: Buffer; status: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rd-gpgsm-'));
  const home = join(dir, 'home');
  execFileSync('mkdir', ['-m', '700', home]);
  const env = { ...process.env, GNUPGHOME: home };
  const run = (args: string[], input?: string) =>
    execFileSync('gpgsm', ['--batch', '--disable-crl-checks', '--disable-dirmngr', ...args], { cwd: dir, env, input, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    writeFileSync(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
    writeFileSync(join(dir, 'rec.p12'), rec.p12);
    writeFileSync(join(dir, 'practice.pem'), practiceCertPem);
    const sha1 = new X509Certificate(practiceCertPem).fingerprint; // "AB:CD:..."
    writeFileSync(join(home, 'trustlist.txt'), `${sha1} S relax\n`);
    run(['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--import', 'rec.p12'], 'test\n');
    run(['--import', 'practice.pem']);
    writeFileSync(join(dir, 'enc.der'), mimeBodyBytes(raw));
    run(['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--output', 'signed.eml', '--decrypt', 'enc.der'], 'test\n');
    writeFileSync(join(dir, 'signed.der'), mimeBodyBytes(readFileSync(join(dir, 'signed.eml'))));
    const status = run(['--status-fd', '1', '--output', 'inner.eml', '--verify', 'signed.der']).toString('utf8');
    return { inner: readFileSync(join(dir, 'inner.eml')), status };
  } finally {
    try {
      execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    } catch {
      // no agent was started
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
