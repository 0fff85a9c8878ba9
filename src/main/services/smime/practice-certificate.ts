/**
 * The practice's own S/MIME certificate: it signs every S/MIME release, and every release is also encrypted to it
 * so the practice can read what it sent. Either made here (self-signed: recipients' mail programs will not trust
 * it until they accept its fingerprint) or imported from a CA-issued one. The private key is kept only in the
 * encrypted vault (PKCS#8 PEM), never on disk in the clear.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';
import { AppError } from '../../../shared/errors';
import { withLegacyPbe } from './pkcs12-legacy';
import { certificateFingerprint, EKU_EMAIL_PROTECTION } from './x509';

/** The practice certificate as the vault keeps it. */
export interface PracticeCertificate {
  /** X.509 certificate (PEM). */
  certPem: string;
  /** Unencrypted PKCS#8 private key (PEM): stored only inside the encrypted vault. */
  keyPem: string;
  /** SHA-256 of the certificate, 64 upper-case hex digits. */
  fingerprint: string;
  /** ISO 8601. */
  notAfter: string;
  /** True for a certificate made by ReleaseDesk (no CA vouches for it). */
  selfSigned: boolean;
}

const RSA_SIGN: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 3072 };

/**
 * Make a self-signed S/MIME certificate for the practice: RSA-3072, SHA-256, keyUsage digitalSignature +
 * nonRepudiation + keyEncipherment, extendedKeyUsage emailProtection, the practice's sending address in the SAN.
 * @param validDays validity from `now` in days (default 730)
 * @throws AppError VALIDATION_FAILED when the name or address contains control characters
 * @source RFC 8550 §4.4 (certificate for S/MIME), RFC 5280 §4.2.1.3, §4.2.1.6, §4.2.1.12
 */
export async function makeSelfSignedPracticeCertificate(practiceName: string, senderEmail: string, now: Date, validDays = 730): Promise<PracticeCertificate> {
  if (/[\u0000-\u001f\u007f]/.test(practiceName + senderEmail)) throw new AppError('VALIDATION_FAILED', 'The practice name or address contains a control character.');
  const keys = (await webcrypto.subtle.generateKey(RSA_SIGN, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cn = practiceName.replace(/[,+="\\<>;#]/g, ' ').trim() || 'Practice';
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: [{ CN: [cn] }, { E: [senderEmail] }],
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + validDays * 86_400_000),
      signingAlgorithm: RSA_SIGN,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([EKU_EMAIL_PROTECTION]),
        new x509.SubjectAlternativeNameExtension([{ type: 'email', value: senderEmail }]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    },
    webcrypto as unknown as Crypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: cert.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    fingerprint: await certificateFingerprint(cert),
    notAfter: cert.notAfter.toISOString(),
    selfSigned: true,
  };
}

/**
 * Days until the practice certificate expires at `now` (negative once expired); the dashboard warns at ≤ 30.
 */
export function daysUntilExpiry(pc: Pick<PracticeCertificate, 'notAfter'>, now: Date): number {
  return Math.floor((new Date(pc.notAfter).getTime() - now.getTime()) / 86_400_000);
}

const OID_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const OID_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';

/**
 * Read a practice certificate and its private key from a PKCS#12 file with its password (RFC 7292; PBES2 with
 * PBKDF2 and AES, as OpenSSL 3 and current Windows/macOS export, or the legacy pbeWithSHAAnd3-KeyTripleDES-CBC of
 * older Windows and OpenSSL 1.x exports (pkcs12-legacy.ts); integrity checked by the file's MAC), then check
 * it can sign and be encrypted to: RSA ≥ 2048 bits, valid at `now`, keyUsage (when present) with digitalSignature
 * and keyEncipherment, extendedKeyUsage (when present) with emailProtection, the private key matching it.
 * The password is used once, never stored.
 * @returns the certificate as the vault keeps it (selfSigned false unless it is its own issuer)
 * @throws AppError PKCS12_INVALID (unreadable, wrong password, no key or certificate, key does not match) |
 *   PKCS12_LEGACY_RC2 (a part encrypted with RC2, e.g. `openssl pkcs12 -export -legacy`: the message says how to re-export) | CERT_EXPIRED | CERT_NOT_YET_VALID | CERT_KEY_UNSUPPORTED | CERT_NO_ENCRYPTION_USAGE | CERT_NO_EMAIL_PROTECTION
 * @source RFC 7292 §4, §5.1, Appendix B, C; RFC 8018 (PBES2); RFC 8550 §4.4; RFC 5280 §4.2.1.3, §4.2.1.12
 */
export async function readPkcs12PracticeCertificate(p12: Uint8Array, password: string, now: Date): Promise<PracticeCertificate> {
  const { PFX, AuthenticatedSafe, CryptoEngine, Certificate } = pkijs;
  const { engine: crypto } = withLegacyPbe(new CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }), password);
  const invalid = () =>
    new AppError('PKCS12_INVALID', 'This PKCS#12 file could not be opened: the password is wrong, or the file does not hold one certificate with its private key in a form ReleaseDesk reads (PBES2/AES, or 3DES).');
  let certDer: ArrayBuffer | null = null;
  let keyDer: ArrayBuffer | null = null;
  try {
    const buf = Uint8Array.from(p12).buffer;
    const pwd = new TextEncoder().encode(password).buffer as ArrayBuffer;
    const pfx = PFX.fromBER(buf);
    await pfx.parseInternalValues({ password: pwd, checkIntegrity: true }, crypto);
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!(safe instanceof AuthenticatedSafe)) throw invalid();
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pwd })) }, crypto);
    for (const sc of safe.parsedValue?.safeContents ?? []) {
      for (const bag of sc.value.safeBags) {
        if (bag.bagId === OID_SHROUDED_KEY_BAG) {
          const shrouded = bag.bagValue as unknown as { parseInternalValues(p: { password: ArrayBuffer }, c: unknown): Promise<void>; parsedValue?: pkijs.PrivateKeyInfo };
          await shrouded.parseInternalValues({ password: pwd }, crypto);
          if (shrouded.parsedValue) keyDer = shrouded.parsedValue.toSchema().toBER(false);
        } else if (bag.bagId === OID_KEY_BAG) {
          keyDer = (bag.bagValue as unknown as pkijs.PrivateKeyInfo).toSchema().toBER(false);
        } else if (bag.bagId === OID_CERT_BAG && !certDer) {
          const parsed = (bag.bagValue as unknown as { parsedValue?: unknown }).parsedValue;
          if (parsed instanceof Certificate && !(parsed.extensions ?? []).some((e) => e.extnID === '2.5.29.19' && (e.parsedValue as { cA?: boolean } | undefined)?.cA)) certDer = parsed.toSchema().toBER(false);
        }
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw invalid();
  }
  if (!certDer || !keyDer) throw invalid();
  const cert = new x509.X509Certificate(certDer);
  const fingerprint = await certificateFingerprint(cert);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const refuse = (code: 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID' | 'CERT_KEY_UNSUPPORTED' | 'CERT_NO_ENCRYPTION_USAGE' | 'CERT_NO_EMAIL_PROTECTION', why: string): never => {
    throw new AppError(code, `The practice certificate cannot be used: ${why} (checked ${day(now)}).`, { fingerprint, checkedOn: day(now) });
  };
  if (now > cert.notAfter) refuse('CERT_EXPIRED', `it expired on ${day(cert.notAfter)}`);
  if (now < cert.notBefore) refuse('CERT_NOT_YET_VALID', `it is valid only from ${cert.notBefore.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  const alg = cert.publicKey.algorithm as { name: string; modulusLength?: number };
  if (!/^RSA/.test(alg.name) || (alg.modulusLength ?? 0) < 2048) refuse('CERT_KEY_UNSUPPORTED', 'ReleaseDesk signs with RSA keys of at least 2048 bits');
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && ((ku.usages & x509.KeyUsageFlags.digitalSignature) === 0 || (ku.usages & x509.KeyUsageFlags.keyEncipherment) === 0))
    refuse('CERT_NO_ENCRYPTION_USAGE', 'its key usage does not allow both signing and key encipherment');
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.map(String).includes(EKU_EMAIL_PROTECTION)) refuse('CERT_NO_EMAIL_PROTECTION', 'it is not issued for email protection');
  // The key must belong to the certificate: sign and verify a probe.
  try {
    const key = await webcrypto.subtle.importKey('pkcs8', keyDer, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const pub = await cert.publicKey.export({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ['verify'], webcrypto as unknown as Crypto);
    const probe = new TextEncoder().encode('releasedesk-key-check');
    const sig = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key, probe);
    if (!(await webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', pub, sig, probe))) throw invalid();
  } catch {
    throw invalid();
  }
  return {
    certPem: cert.toString('pem'),
    keyPem: x509.PemConverter.encode(keyDer, 'PRIVATE KEY'),
    fingerprint,
    notAfter: cert.notAfter.toISOString(),
    selfSigned: await cert.isSelfSigned(),
  };
}
