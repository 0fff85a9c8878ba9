/**
 * Revocation of recipient S/MIME certificates by certificate revocation lists (RFC 5280 §5, §6.3): CRLs the practice
 * imported (PEM/DER) and, when ReleaseDesk may go online, the CRL at the certificate's CRL distribution point
 * (RFC 5280 §4.2.1.13), fetched over HTTP(S) with a short timeout and cached in the vault until its nextUpdate.
 *
 * Outcomes: a verified CRL lists the certificate → refused (CERT_REVOKED, naming the serial number, never the
 * holder); a current verified CRL does not list it → 'good'; a CRL is expected (one is known for the issuer, or the
 * certificate names a distribution point) but none current could be had (unreachable, past nextUpdate, signature
 * not verifiable) → 'unknown', a warning staff must accept explicitly (like an untrusted chain); neither → 'not_checked'
 * (the issuer publishes nothing ReleaseDesk knows of; nothing to warn about). OCSP is not used.
 *
 * CRLs are parsed and verified with @peculiar/x509.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AppError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';

/** A CRL as the vault keeps it (smime_crls). */
export interface StoredCrl {
  /** SHA-256 of the DER, 64 lower-case hex. */
  sha256: string;
  /** Issuer distinguished name as @peculiar/x509 prints it. */
  issuer: string;
  der: Buffer;
  /** ISO 8601. */
  thisUpdate: string;
  nextUpdate: string | null;
  source: 'import' | 'fetch';
  url: string | null;
}

/** Fetch the bytes at a CRL distribution point URL; throws on any failure (timeout, status ≠ 200, too large). */
export type CrlFetch = (url: string) => Promise<Uint8Array>;

/** What a revocation check found. */
export interface RevocationResult {
  status: 'good' | 'unknown' | 'not_checked';
  /** Plain-language reason for 'unknown' (no PHI: dates and URLs only); null otherwise. */
  reason: string | null;
  /** The CRL the answer rests on ('good'), for the audit. */
  crlSha256: string | null;
  nextUpdate: string | null;
  /** CRLs fetched during this check, to be cached in the vault. */
  fetched: StoredCrl[];
}

/** Largest CRL accepted (bytes): a big CA's CRL is a few MB. */
export const MAX_CRL_BYTES = 20 * 1024 * 1024;

/**
 * Read a CRL: PEM ("X509 CRL") or DER bytes.
 * @throws AppError CRL_INVALID — not a CRL (the library's text is not echoed)
 * @source RFC 5280 §5.1
 */
export function readCrl(input: string | Uint8Array, source: 'import' | 'fetch', url: string | null): StoredCrl {
  try {
    let der: Buffer;
    if (typeof input === 'string') {
      const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(input);
      if (!m) throw new Error('no PEM');
      der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
    } else {
      const text = Buffer.from(input).toString('latin1');
      der = text.includes('-----BEGIN X509 CRL-----') ? readCrl(text, source, url).der : Buffer.from(input);
    }
    const crl = new x509.X509Crl(Uint8Array.from(der));
    return {
      sha256: createHash('sha256').update(der).digest('hex'),
      issuer: crl.issuer,
      der,
      thisUpdate: crl.thisUpdate.toISOString(),
      nextUpdate: crl.nextUpdate?.toISOString() ?? null,
      source,
      url,
    };
  } catch {
    throw new AppError('CRL_INVALID', 'This file is not a certificate revocation list (CRL) ReleaseDesk can read. Ask the certificate authority for its CRL as a .crl or .pem file.');
  }
}

/** http(s) URLs of the certificate's CRL distribution points (RFC 5280 §4.2.1.13), in order. */
export function crlDistributionPoints(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(x509.CRLDistributionPointsExtension);
  const out: string[] = [];
  for (const dp of ext?.distributionPoints ?? []) {
    for (const n of dp.distributionPoint?.fullName ?? []) {
      const uri = n.uniformResourceIdentifier;
      if (uri && /^https?:\/\//i.test(uri)) out.push(uri);
    }
  }
  return out;
}

/**
 * The default CRL fetcher: HTTP(S) GET (redirects followed), answered within `timeoutMs`, status 200, at most
 * {@link MAX_CRL_BYTES}. TLS certificates are verified as usual (a CRL is signed anyway).
 * @param timeoutMs whole request, milliseconds (default 5000)
 */
export function httpCrlFetch(timeoutMs = 5000): CrlFetch {
  return async (url) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const len = Number(res.headers.get('content-length') ?? '0');
    if (len > MAX_CRL_BYTES) throw new Error('too large');
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length > MAX_CRL_BYTES) throw new Error('too large');
    return body;
  };
}

function normSerial(s: string): string {
  return s.toLowerCase().replace(/^0+/, '');
}

/** "1A:2B:…" for a hex serial number. */
export function formatSerial(hex: string): string {
  const h = normSerial(hex).toUpperCase() || '0';
  return (h.length % 2 ? '0' + h : h).match(/../g)!.join(':');
}

const REASONS: Record<number, string> = {
  1: 'key compromise',
  2: 'CA compromise',
  3: 'affiliation changed',
  4: 'superseded',
  5: 'cessation of operation',
  6: 'certificate hold',
  9: 'privilege withdrawn',
  10: 'attribute authority compromise',
};

async function verifiedBy(crl: StoredCrl, issuer: x509.X509Certificate | null): Promise<x509.X509Crl | null> {
  if (!issuer) return null;
  try {
    const parsed = new x509.X509Crl(Uint8Array.from(crl.der));
    if (parsed.issuer !== issuer.subject) return null;
    return (await parsed.verify({ publicKey: issuer })) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The issuer of `leaf` among `candidates`: subject equals the leaf's issuer and its key verifies the leaf's signature.
 */
export async function findIssuer(leaf: x509.X509Certificate, candidates: readonly x509.X509Certificate[]): Promise<x509.X509Certificate | null> {
  for (const c of candidates) {
    if (c.subject !== leaf.issuer) continue;
    try {
      if (await leaf.verify({ publicKey: c.publicKey, signatureOnly: true })) return c;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Check `leaf` against the CRLs known for its issuer, fetching the distribution point's CRL when no current one is
 * known and `fetchCrl` is given (online). A CRL counts only when its signature verifies with the issuer's key.
 * @param fingerprint the leaf's SHA-256 (for the refusal message)
 * @param issuer the issuer certificate (null when it is not known: no CRL can then be verified)
 * @param crls CRLs stored in the vault (any issuer; filtered here)
 * @param now the check's instant; a CRL is current when thisUpdate ≤ now ≤ nextUpdate
 * @param onFetched called with each fetched CRL whose signature verified (to cache it even when the check refuses)
 * @returns the status and the CRLs fetched (to cache)
 * @throws AppError CERT_REVOKED — a verified CRL lists the serial (not on hold); the message names the serial number,
 *   the fingerprint, the revocation date and reason and the date checked, never the subject
 * @source RFC 5280 §5.1.2.4–5 (thisUpdate, nextUpdate), §5.3.1 (reasonCode), §6.3 (CRL processing), §4.2.1.13
 */
export async function checkRevocation(
  leaf: x509.X509Certificate,
  fingerprint: string,
  issuer: x509.X509Certificate | null,
  crls: readonly StoredCrl[],
  now: Date,
  fetchCrl: CrlFetch | null,
  onFetched?: (crl: StoredCrl) => void,
): Promise<RevocationResult> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const serial = normSerial(leaf.serialNumber);
  const ofIssuer = crls.filter((c) => c.issuer === leaf.issuer);
  const urls = crlDistributionPoints(leaf);
  const fetched: StoredCrl[] = [];
  const failures: string[] = [];

  const verified: Array<{ stored: StoredCrl; crl: x509.X509Crl }> = [];
  for (const c of ofIssuer) {
    const crl = await verifiedBy(c, issuer);
    if (crl) verified.push({ stored: c, crl });
  }
  const current = (c: x509.X509Crl) => c.thisUpdate.getTime() <= now.getTime() + 300_000 && !!c.nextUpdate && c.nextUpdate.getTime() >= now.getTime();
  if (!verified.some((v) => current(v.crl)) && fetchCrl && issuer) {
    for (const url of urls) {
      try {
        const stored = readCrl(await fetchCrl(url), 'fetch', url);
        const crl = await verifiedBy(stored, issuer);
        if (!crl) {
          failures.push(`the CRL at ${url} is not signed by the certificate's issuer`);
          continue;
        }
        fetched.push(stored);
        onFetched?.(stored);
        verified.push({ stored, crl });
        if (current(crl)) break;
      } catch {
        failures.push(`the CRL at ${url} could not be fetched`);
      }
    }
  }

  // Any verified CRL that lists the serial (revocation is final; a hold only while a current CRL says so).
  verified.sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime());
  for (const { crl } of verified) {
    const entry = crl.entries.find((e) => normSerial(e.serialNumber) === serial);
    if (!entry || entry.reason === x509.X509CrlReason.removeFromCRL) continue;
    if (entry.reason === x509.X509CrlReason.certificateHold && !current(crl)) continue;
    const reason = entry.reason !== undefined && REASONS[entry.reason] ? `, reason: ${REASONS[entry.reason]}` : '';
    throw new AppError(
      'CERT_REVOKED',
      `The certificate with serial number ${formatSerial(leaf.serialNumber)} (${formatFingerprint(fingerprint)}) was revoked by its issuer on ${day(entry.revocationDate)}${reason} (checked ${day(now)}).`,
      { fingerprint, serialNumber: formatSerial(leaf.serialNumber), revokedOn: day(entry.revocationDate), checkedOn: day(now) },
    );
  }
  const newestCurrent = verified.find((v) => current(v.crl));
  if (newestCurrent)
    return { status: 'good', reason: null, crlSha256: newestCurrent.stored.sha256, nextUpdate: newestCurrent.stored.nextUpdate, fetched };
  if (ofIssuer.length === 0 && urls.length === 0) return { status: 'not_checked', reason: null, crlSha256: null, nextUpdate: null, fetched };

  let reason: string;
  if (!issuer) reason = "the issuer's certificate is not available, so its revocation list cannot be checked";
  else if (failures.length > 0) reason = failures.join('; ');
  else if (verified.length > 0) reason = `the newest revocation list ReleaseDesk has is out of date (its next update was due ${verified[0]!.stored.nextUpdate?.slice(0, 10) ?? 'with no date'})`;
  else if (ofIssuer.length > 0 && (fetchCrl || urls.length === 0)) reason = "the revocation list for its issuer is not signed by the issuer's key";
  else reason = 'ReleaseDesk is offline (or did not go online for this view) and has no current revocation list for its issuer';
  return { status: 'unknown', reason, crlSha256: null, nextUpdate: null, fetched };
}
