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

/** A CA that revokes: two RSA recipient certificates (one revoked, keyCompromise) and its CRL (PEM and DER). */
export interface RevocationPki {
  caPem: string;
  good: SmimeTestCert;
  revoked: SmimeTestCert;
  /** Serial number of the revoked certificate, "1A:2B:…" as openssl prints it. */
  revokedSerial: string;
  crlPem: string;
  crlDer: Buffer;
  /** A CRL for the same issuer name signed by ANOTHER key (must not count). */
  forgedCrlPem: string;
}

let revocationCas = 0;

/**
 * A fresh `openssl ca` with an index (named "ReleaseDesk Test Revoking CA n", n counting up per process): issues two certificates for `email` whose CRL distribution point is `cdpUrl`
 * (none when null), revokes one (keyCompromise) and publishes a CRL valid for 7 days (`-gencrl -crldays 7`).
 */
export function revocationPki(cdpUrl: string | null, email = 'records@hospital.example'): RevocationPki {
  const dir = mkdtempSync(join(tmpdir(), 'rd-smime-crl-'));
  try {
    const o = (args: string[]) => ossl(dir, args);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '5A01\n');
    writeFileSync(join(dir, 'crlnumber'), '01\n');
    const leafExt = [
      `subjectAltName=email:${email}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=emailProtection',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      ...(cdpUrl ? [`crlDistributionPoints=URI:${cdpUrl}`] : []),
    ].join('\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      ['[ca]', 'default_ca=d', '[d]', 'dir=.', 'database=index.txt', 'new_certs_dir=.', 'serial=serial', 'crlnumber=crlnumber', 'default_md=sha256',
        'default_days=20', 'default_crl_days=7', 'policy=p', 'unique_subject=no', 'copy_extensions=none', '[p]', 'commonName=supplied', 'emailAddress=optional',
        '[ext]', leafExt, '[crlext]', 'authorityKeyIdentifier=keyid'].join('\n'),
    );
    const caName = `/CN=ReleaseDesk Test Revoking CA ${++revocationCas}`;
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', caName,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
    const issue = (name: string): SmimeTestCert => {
      o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=Records Office/emailAddress=${email}`]);
      o(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', 'ext', '-notext']);
      const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
      return { cert, key: readFileSync(join(dir, `${name}.key`), 'utf8'), p12: Buffer.alloc(0), chainPem: cert };
    };
    const good = issue('good');
    const revoked = issue('revoked');
    o(['ca', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-revoke', 'revoked.pem', '-crl_reason', 'keyCompromise']);
    o(['ca', '-gencrl', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-crlexts', 'crlext', '-out', 'crl.pem']);
    o(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
    // Same issuer name, another key: a forged CRL.
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca2.key', '-out', 'ca2.pem', '-days', '30', '-subj', caName]);
    writeFileSync(join(dir, 'index.txt'), '');
    o(['ca', '-gencrl', '-config', 'ca.cnf', '-cert', 'ca2.pem', '-keyfile', 'ca2.key', '-out', 'forged.pem']);
    const serialOut = execFileSync('openssl', ['x509', '-in', 'revoked.pem', '-noout', '-serial'], { cwd: dir }).toString('utf8');
    const hex = serialOut.trim().replace(/^serial=/, '');
    return {
      caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      good,
      revoked,
      revokedSerial: (hex.length % 2 ? '0' + hex : hex).match(/../g)!.join(':'),
      crlPem: readFileSync(join(dir, 'crl.pem'), 'utf8'),
      crlDer: readFileSync(join(dir, 'crl.der')),
      forgedCrlPem: readFileSync(join(dir, 'forged.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
