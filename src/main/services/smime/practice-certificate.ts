/**
 * The practice's own S/MIME certificate: it signs every S/MIME release, and every release is also encrypted to it
 * so the practice can read what it sent. Either made here (self-signed: recipients' mail programs will not trust
 * it until they accept its fingerprint) or imported from a CA-issued one. The private key is kept only in the
 * encrypted vault (PKCS#8 PEM), never on disk in the clear.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AppError } from '../../../shared/errors';
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
