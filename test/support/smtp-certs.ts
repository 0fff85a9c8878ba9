/**
 * Server certificates with one specific flaw each, made on the fly with `openssl`
 * and signed by the trusted test CA of smtp.ts (so the flaw is the only problem):
 *
 *   const { key, cert } = flawedServerCert('expired');
 *   const srv = await startSmtpServer({ serverCert: { key, cert } });
 *
 * Kinds: 'expired' (valid Jan 2020 only), 'not-yet-valid' (from 2099), 'weak-key' (RSA-1024, SHA-256),
 * 'weak-signature' (P-256 key, signed with SHA-1), 'self-signed' (no CA at all).
 * Each names 127.0.0.1 and localhost. Made once per process and kind. Requires `openssl` on PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from './smtp';

export type CertFlaw = 'expired' | 'not-yet-valid' | 'weak-key' | 'weak-signature' | 'self-signed';

const cache = new Map<CertFlaw, { key: string; cert: string }>();

const EXT = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n';

/** A key and certificate (PEM) for a server on 127.0.0.1 with exactly the flaw `kind`. */
export function flawedServerCert(kind: CertFlaw): { key: string; cert: string } {
  const hit = cache.get(kind);
  if (hit) return hit;
  const pki = testPki();
  const dir = mkdtempSync(join(tmpdir(), 'rd-smtp-cert-'));
  try {
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    writeFileSync(join(dir, 'ca.key'), pki.caKey);
    writeFileSync(join(dir, 'ext.cnf'), EXT);
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const keyArgs = kind === 'weak-key' ? ['-newkey', 'rsa:1024', '-nodes'] : ecKey;
    if (kind === 'self-signed') {
      ossl(['req', '-x509', ...ecKey, '-keyout', 'leaf.key', '-out', 'leaf.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
    } else {
      ossl(['req', ...keyArgs, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
      if (kind === 'expired' || kind === 'not-yet-valid') {
        // `openssl ca` is the only 3.0 command that takes explicit validity dates.
        writeFileSync(join(dir, 'index.txt'), '');
        writeFileSync(join(dir, 'serial'), '1000\n');
        writeFileSync(
          join(dir, 'ca.cnf'),
          ['[ca]', 'default_ca=d', '[d]', 'dir=.', 'database=index.txt', 'new_certs_dir=.', 'serial=serial', 'default_md=sha256', 'policy=p', 'unique_subject=no', '[p]', 'commonName=supplied', '[ext]', EXT].join('\n'),
        );
        const [start, end] = kind === 'expired' ? ['20200101000000Z', '20200201000000Z'] : ['20990101000000Z', '20990201000000Z'];
        ossl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'leaf.csr', '-out', 'leaf.pem', '-startdate', start, '-enddate', end, '-extensions', 'ext', '-notext']);
      } else {
        const md = kind === 'weak-signature' ? '-sha1' : '-sha256';
        ossl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'ext.cnf', md]);
      }
    }
    const out = { key: readFileSync(join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(join(dir, 'leaf.pem'), 'utf8') };
    cache.set(kind, out);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
