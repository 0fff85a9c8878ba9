/**
 * Recipient S/MIME certificates: read what a recipient sent (PEM, DER, or a PKCS#7 `.p7b`/`.p7c` bundle) and decide
 * whether ReleaseDesk may encrypt to it now. Every refusal names the certificate's SHA-256 fingerprint and the date
 * it was checked, so staff can tell the recipient exactly what is wrong.
 *
 * Uses @peculiar/x509 (certificate parsing, extensions, chain building); no ASN.1 of our own.
 */
import 'reflect-metadata';
import { rootCertificates } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { AppError, type ErrorCode } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { checkRevocation, findIssuer, type CrlFetch, type RevocationResult, type StoredCrl } from './revocation';

/** id-kp-emailProtection (RFC 5280 §4.2.1.12). */
export const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
/** anyExtendedKeyUsage (RFC 5280 §4.2.1.12). */
const EKU_ANY = '2.5.29.37.0';
/** pkcs-9 emailAddress attribute in a subject name (RFC 5280 §4.1.2.6, legacy). */
const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** A warning that does not refuse the certificate but must be shown and accepted by staff. */
export interface CertificateWarning {
  code: 'CERT_CHAIN_UNTRUSTED' | 'CERT_REVOCATION_UNKNOWN';
  message: string;
}

/** What staff see about a recipient certificate and what the workflow needs to encrypt to it. */
export interface CertificateFacts {
  /** SHA-256 over the DER certificate: 64 upper-case hex digits (compare it grouped, by phone). */
  fingerprint: string;
  subject: string;
  issuer: string;
  /** Mailboxes named by the certificate (SAN rfc822Name, then subject emailAddress), lower case. */
  emails: string[];
  /** ISO 8601 instants. */
  notBefore: string;
  notAfter: string;
  /** 'RSA' (key transport) or 'EC' (key agreement, ECDH). */
  keyType: 'RSA' | 'EC';
  /** e.g. "RSA 2048 bits", "EC P-256". */
  keyDescription: string;
  /** The recipient's certificate (PEM), then the issuers that came with it (PEM). */
  certPem: string;
  chainPem: string[];
  /** True when the chain ends in a root the practice trusts and every signature in it verifies. */
  chainTrusted: boolean;
  /** The revocation check (revocation.ts): 'good', 'unknown' (warned) or 'not_checked'; CRLs fetched to cache. */
  revocation: RevocationResult;
  warnings: CertificateWarning[];
}

/** CRLs known to the vault and, when online, how to fetch one (null: offline). */
export interface RevocationSources {
  crls: readonly StoredCrl[];
  fetch: CrlFetch | null;
  /** Called with each CRL fetched and verified, before any refusal (so a CRL that revokes is still cached). */
  onFetched?: (crl: StoredCrl) => void;
}

/**
 * Read one or more certificates: PEM (one or several blocks), DER, or a PKCS#7 bundle (DER or PEM "PKCS7").
 * @throws AppError CERT_INVALID — nothing readable as an X.509 certificate (the library's text is not echoed)
 */
export function readCertificates(input: string | Uint8Array): x509.X509Certificate[] {
  try {
    const certs = new x509.X509Certificates();
    if (typeof input === 'string') {
      const blocks = input.match(/-----BEGIN (?:CERTIFICATE|PKCS7)-----[\s\S]+?-----END (?:CERTIFICATE|PKCS7)-----/g);
      if (!blocks) throw new Error('no PEM');
      for (const b of blocks) {
        if (b.includes('PKCS7')) certs.import(b);
        else certs.push(new x509.X509Certificate(b));
      }
    } else {
      try {
        certs.push(new x509.X509Certificate(Uint8Array.from(input)));
      } catch {
        certs.import(Uint8Array.from(input));
      }
    }
    if (certs.length === 0) throw new Error('empty');
    return [...certs];
  } catch {
    throw new AppError('CERT_INVALID', 'This file is not a certificate ReleaseDesk can read. Ask the recipient for their S/MIME certificate as a .pem, .cer, .crt or .p7b file.');
  }
}

/** SHA-256 fingerprint of a certificate: 64 upper-case hex digits. */
export async function certificateFingerprint(cert: x509.X509Certificate): Promise<string> {
  return Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex').toUpperCase();
}

/** Whether a certificate is a CA certificate (basicConstraints cA). */
function isCa(c: x509.X509Certificate): boolean {
  return c.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

/** The end-entity certificate of a bundle: the first that is not a CA, else the first. */
function leafOf(certs: x509.X509Certificate[]): x509.X509Certificate {
  return certs.find((c) => !isCa(c)) ?? certs[0]!;
}

/** Mailboxes the certificate names, lower case: SAN rfc822Name first, then the subject's emailAddress. */
export function certificateEmails(c: x509.X509Certificate): string[] {
  const out: string[] = [];
  const san = c.getExtension(x509.SubjectAlternativeNameExtension);
  for (const n of san?.names.items ?? []) if (n.type === 'email') out.push(n.value.toLowerCase());
  for (const v of c.subjectName.getField(OID_EMAIL_ADDRESS)) out.push(v.toLowerCase());
  return [...new Set(out)];
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** "2026-12-06 18:40 UTC": for a start date that may be today. */
function minute(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Check a recipient's certificate for encrypting email to `email` at `now` (RFC 8550 §4.4, RFC 8551 §2.3):
 * - valid now (notBefore ≤ now ≤ notAfter);
 * - keyUsage, when present, allows keyEncipherment (RSA) or keyAgreement (EC) — a signing-only certificate is refused;
 * - extendedKeyUsage, when present, includes emailProtection (or anyExtendedKeyUsage);
 * - `email` is named in the subject alternative name (or, without SAN mailboxes, the subject's emailAddress);
 * - key: RSA with at least 2048 bits, or EC on P-256 / P-384;
 * - chain: built from the certificates supplied plus `trustAnchorsPem` (default: the root certificates Node
 *   trusts); a chain that does not end in a trusted root, or whose signatures do not verify, is NOT refused but
 *   returned with a CERT_CHAIN_UNTRUSTED warning: staff must confirm the fingerprint with the recipient;
 * - revocation (with `revocation`): a verified CRL listing it refuses it (CERT_REVOKED, naming the serial); a CRL
 *   that should exist but cannot be had current (unreachable, stale) adds a CERT_REVOCATION_UNKNOWN warning.
 *
 * @param input PEM / DER / PKCS#7 bytes as the recipient sent them
 * @returns the facts (fingerprint, mailboxes, dates, key) and warnings
 * @throws AppError CERT_INVALID | CERT_EXPIRED | CERT_NOT_YET_VALID | CERT_NO_ENCRYPTION_USAGE | CERT_NO_EMAIL_PROTECTION |
 *   CERT_ADDRESS_MISMATCH | CERT_KEY_UNSUPPORTED | CERT_REVOKED — each message names the fingerprint (grouped) and the date checked
 * @source RFC 5280 §4.1.2.5, §4.2.1.3, §4.2.1.6, §4.2.1.12, §4.2.1.13, §6 (§6.3 CRLs); RFC 8550 §3, §4.4; RFC 8551 §2.3; NIST SP 800-57 Pt 1 (RSA ≥ 2048)
 */
export async function inspectRecipientCertificate(
  input: string | Uint8Array,
  email: string,
  now: Date,
  trustAnchorsPem: readonly string[] = rootCertificates,
  revocation: RevocationSources | null = null,
): Promise<CertificateFacts> {
  const certs = readCertificates(input);
  const leaf = leafOf(certs);
  const fingerprint = await certificateFingerprint(leaf);
  const refuse = (code: ErrorCode, why: string): never => {
    throw new AppError(code, `The certificate ${formatFingerprint(fingerprint)} cannot be used: ${why} (checked ${day(now)}).`, { fingerprint, checkedOn: day(now) });
  };

  if (now.getTime() > leaf.notAfter.getTime()) refuse('CERT_EXPIRED', `it expired on ${day(leaf.notAfter)}`);
  if (now.getTime() < leaf.notBefore.getTime()) refuse('CERT_NOT_YET_VALID', `it is valid only from ${minute(leaf.notBefore)}`);

  const alg = leaf.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  let keyType: 'RSA' | 'EC';
  let keyDescription: string;
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS' || alg.name === 'RSA-OAEP') {
    keyType = 'RSA';
    const bits = alg.modulusLength ?? 0;
    keyDescription = `RSA ${bits} bits`;
    if (bits < 2048) refuse('CERT_KEY_UNSUPPORTED', `its RSA key has ${bits} bits; at least 2048 are required`);
  } else if (alg.name === 'ECDSA' || alg.name === 'ECDH') {
    keyType = 'EC';
    keyDescription = `EC ${alg.namedCurve ?? 'unknown curve'}`;
    if (alg.namedCurve !== 'P-256' && alg.namedCurve !== 'P-384') refuse('CERT_KEY_UNSUPPORTED', 'its key is on an elliptic curve ReleaseDesk does not support (P-256 and P-384 are)');
  } else {
    return refuse('CERT_KEY_UNSUPPORTED', 'its key type is not RSA or elliptic-curve P-256/P-384');
  }

  const ku = leaf.getExtension(x509.KeyUsagesExtension);
  if (ku) {
    const needed = keyType === 'RSA' ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement;
    if ((ku.usages & needed) === 0)
      refuse('CERT_NO_ENCRYPTION_USAGE', `it is for signing only (its key usage does not allow ${keyType === 'RSA' ? 'key encipherment' : 'key agreement'})`);
  }
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku) {
    const usages = eku.usages.map(String);
    if (!usages.includes(EKU_EMAIL_PROTECTION) && !usages.includes(EKU_ANY)) refuse('CERT_NO_EMAIL_PROTECTION', 'it is not issued for email protection');
  }

  const emails = certificateEmails(leaf);
  const wanted = email.trim().toLowerCase();
  if (!emails.includes(wanted)) refuse('CERT_ADDRESS_MISMATCH', "it does not name the recipient's email address");

  const chain = await buildChain(leaf, certs, trustAnchorsPem);
  let rev: RevocationResult = { status: 'not_checked', reason: null, crlSha256: null, nextUpdate: null, fetched: [] };
  if (revocation) {
    const issuer = await findIssuer(leaf, [...certs.filter((c) => c !== leaf), ...(await parsedAnchors(trustAnchorsPem)).map((a) => a.cert)]);
    rev = await checkRevocation(leaf, fingerprint, issuer, revocation.crls, now, revocation.fetch, revocation.onFetched);
  }
  const warnings: CertificateWarning[] = chain.trusted
    ? []
    : [
        {
          code: 'CERT_CHAIN_UNTRUSTED',
          message:
            'This certificate was not issued by a certificate authority ReleaseDesk trusts (or its chain could not be checked). ' +
            'Encrypt to it only after the recipient confirms its fingerprint by phone or in person.',
        },
      ];
  if (rev.status === 'unknown')
    warnings.push({
      code: 'CERT_REVOCATION_UNKNOWN',
      message: `ReleaseDesk could not check whether this certificate was revoked: ${rev.reason ?? 'no current revocation list'}. Encrypt to it only if you accept that risk (import the issuer’s current CRL in Settings to check it).`,
    });
  return {
    fingerprint,
    subject: leaf.subject,
    issuer: leaf.issuer,
    emails,
    notBefore: leaf.notBefore.toISOString(),
    notAfter: leaf.notAfter.toISOString(),
    keyType,
    keyDescription,
    certPem: leaf.toString('pem'),
    chainPem: certs.filter((c) => c !== leaf).map((c) => c.toString('pem')),
    chainTrusted: chain.trusted,
    revocation: rev,
    warnings,
  };
}

/** Parsed trust anchors per anchor list (Node's root store is parsed once per process, not at every check). */
const anchorCache = new WeakMap<readonly string[], Promise<Array<{ cert: x509.X509Certificate; fingerprint: string }>>>();

function parsedAnchors(anchorsPem: readonly string[]): Promise<Array<{ cert: x509.X509Certificate; fingerprint: string }>> {
  let p = anchorCache.get(anchorsPem);
  if (!p) {
    p = (async () => {
      const out: Array<{ cert: x509.X509Certificate; fingerprint: string }> = [];
      for (const pem of anchorsPem) {
        try {
          const cert = new x509.X509Certificate(pem);
          out.push({ cert, fingerprint: await certificateFingerprint(cert) });
        } catch {
          // A root the platform ships that the library cannot read: not ours to judge, skip it.
        }
      }
      return out;
    })();
    anchorCache.set(anchorsPem, p);
  }
  return p;
}

/**
 * Build the chain from `leaf` over the supplied and anchor certificates; trusted when it ends in an anchor and each
 * certificate's signature verifies with its issuer's key (RFC 5280 §6, signatures and names only: no CRL/OCSP).
 */
async function buildChain(leaf: x509.X509Certificate, supplied: x509.X509Certificate[], anchorsPem: readonly string[]): Promise<{ trusted: boolean }> {
  const parsed = await parsedAnchors(anchorsPem);
  const anchors = parsed.map((a) => a.cert);
  const anchorFprs = new Set(parsed.map((a) => a.fingerprint));
  try {
    const builder = new x509.X509ChainBuilder({ certificates: [...supplied.filter((c) => c !== leaf), ...anchors] });
    const chain = await builder.build(leaf);
    const top = chain[chain.length - 1]!;
    if (!(await top.isSelfSigned())) return { trusted: false };
    if (!anchorFprs.has(await certificateFingerprint(top))) return { trusted: false };
    for (let i = 0; i < chain.length; i++) {
      const issuer = chain[i + 1] ?? chain[i]!;
      if (!(await chain[i]!.verify({ publicKey: issuer.publicKey, signatureOnly: true }))) return { trusted: false };
    }
    return { trusted: true };
  } catch {
    return { trusted: false };
  }
}
