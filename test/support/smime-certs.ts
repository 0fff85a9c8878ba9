/**
 * S/MIME certificates made on the fly with `openssl` for tests: a test CA (the trust anchor tests pass in) and
 * recipient certificates with exactly one property each.
 *
 *   const pki = smimePki();
 *   const rec = smimeCert('rsa', 'records@hospital.example');
 *   // rec.cert (PEM), rec.key (PEM, PKCS#8), rec.p12 (PKCS#12 readable by gpgsm 2.2, password "test"), rec.chainPem
 *
 * Kinds: 'rsa' (RSA-2048, keyEncipherment, emailProtection), 'ec' (P-256, keyAgreement), 'ec384',
 * 'expired' (Jan 2020), 'not-yet-valid' (from 2099), 'no-email-protection' (clientAuth only),
 * 'wrong-address' (SAN names another mailbox), 'rsa-1024', 'signing-only' (digitalSignature only),
 * 'untrusted-root' (issued by an intermediate under a root that is not the test CA; chainPem holds leaf,
 * intermediate and root). Made once per process, kind and address. Requires `openssl` on PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SmimeCertKind =
  | 'rsa'
  | 'ec'
  | 'ec384'
  | 'expired'
  | 'not-yet-valid'
  | 'no-email-protection'
  | 'wrong-address'
  | 'rsa-1024'
  | 'signing-only'
  | 'untrusted-root';

export interface SmimeTestCert {
  cert: string;
  key: string;
  /** PKCS#12 (3DES/SHA-1, the only form gpgsm 2.2 imports), password "test". */
  p12: Buffer;
  /** Leaf first, then issuers (PEM). */
  chainPem: string;
}

let pki: { caPem: string; caKey: string; dir: string } | null = null;
const cache = new Map<string, SmimeTestCert>();

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The test S/MIME CA (PEM): pass it as the trust anchor of checks that should see a trusted chain. */
export function smimePki(): { caPem: string } {
  if (!pki) {
    const dir = mkdtempSync(join(tmpdir(), 'rd-smime-ca-'));
    ossl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=ReleaseDesk Test S-MIME CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    pki = { caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), caKey: readFileSync(join(dir, 'ca.key'), 'utf8'), dir };
    rmSync(dir, { recursive: true, force: true });
  }
  return { caPem: pki.caPem };
}

function ext(kind: SmimeCertKind, email: string): string {
  const san = `subjectAltName=email:${kind === 'wrong-address' ? 'someone-else@elsewhere.example' : email}`;
  const ku =
    kind === 'signing-only'
      ? 'keyUsage=critical,digitalSignature'
      : kind === 'ec' || kind === 'ec384'
        ? 'keyUsage=critical,digitalSignature,keyAgreement'
        : 'keyUsage=critical,digitalSignature,keyEncipherment';
  const eku = kind === 'no-email-protection' ? 'extendedKeyUsage=clientAuth' : 'extendedKeyUsage=emailProtection';
  return [san, 'basicConstraints=CA:FALSE', ku, eku, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'].join('\n') + '\n';
}

/** A recipient (or practice) certificate of `kind` for `email`, issued by the test CA (or, for 'untrusted-root', by another root). */
export function smimeCert(kind: SmimeCertKind, email = 'records@hospital.example'): SmimeTestCert {
  const id = `${kind}:${email}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const ca = smimePki();
  const dir = mkdtempSync(join(tmpdir(), 'rd-smime-cert-'));
  try {
    const o = (args: string[]) => ossl(dir, args);
    writeFileSync(join(dir, 'ca.pem'), ca.caPem);
    writeFileSync(join(dir, 'ca.key'), pki!.caKey);
    writeFileSync(join(dir, 'ext.cnf'), ext(kind, email));
    const keyArgs =
      kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : kind === 'ec384' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1'] : ['-newkey', kind === 'rsa-1024' ? 'rsa:1024' : 'rsa:2048'];
    o(['req', ...keyArgs, '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=Records Office/emailAddress=${kind === 'wrong-address' ? 'someone-else@elsewhere.example' : email}`]);
    let issuerPem = 'ca.pem';
    let issuerKey = 'ca.key';
    let chainExtra = '';
    if (kind === 'untrusted-root') {
      const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
      writeFileSync(join(dir, 'caext.cnf'), caExt);
      o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=Unknown Root CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Unknown Intermediate CA']);
      o(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '30', '-extfile', 'caext.cnf', '-sha256']);
      issuerPem = 'int.pem';
      issuerKey = 'int.key';
      chainExtra = readFileSync(join(dir, 'int.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8');
    }
    if (kind === 'expired' || kind === 'not-yet-valid') {
      // `openssl ca` is the only 3.0 command that takes explicit validity dates.
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(join(dir, 'serial'), '1000\n');
      writeFileSync(
        join(dir, 'ca.cnf'),
        ['[ca]', 'default_ca=d', '[d]', 'dir=.', 'database=index.txt', 'new_certs_dir=.', 'serial=serial', 'default_md=sha256', 'policy=p', 'unique_subject=no', 'copy_extensions=none', '[p]', 'commonName=supplied', 'emailAddress=optional', '[ext]', ext(kind, email)].join('\n'),
      );
      const [start, end] = kind === 'expired' ? ['20200101000000Z', '20200201000000Z'] : ['20990101000000Z', '20990201000000Z'];
      o(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'leaf.csr', '-out', 'leaf.pem', '-startdate', start, '-enddate', end, '-extensions', 'ext', '-notext']);
    } else {
      o(['x509', '-req', '-in', 'leaf.csr', '-CA', issuerPem, '-CAkey', issuerKey, '-CAcreateserial', '-out', 'leaf.pem', '-days', '20', '-extfile', 'ext.cnf', '-sha256']);
    }
    o(['pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-out', 'leaf.p12', '-passout', 'pass:test', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    const cert = readFileSync(join(dir, 'leaf.pem'), 'utf8');
    const out: SmimeTestCert = {
      cert,
      key: readFileSync(join(dir, 'leaf.key'), 'utf8'),
      p12: readFileSync(join(dir, 'leaf.p12')),
      chainPem: cert + chainExtra,
    };
    cache.set(id, out);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
