/**
 * S/MIME certificates in the vault (migration 12): the recipient certificate of a release and the practice's own
 * certificate. SQL only here; every function takes the database first and runs inside the caller's transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PracticeCertificate } from './practice-certificate';
import type { StoredCrl } from './revocation';

/** A recipient certificate as stored for a release. */
export interface StoredRecipientCertificate {
  releaseId: string;
  /** The address it was checked for at import (lower case). */
  email: string;
  certPem: string;
  /** Issuers that came with it (PEM), as imported. */
  chainPem: string[];
  /** SHA-256 of the DER certificate, 64 upper-case hex digits. */
  fingerprint: string;
  chainTrusted: boolean;
  importedBy: string;
  importedAt: string;
  /** Staff confirmed the fingerprint with the recipient (who, when); null until then. */
  confirmed: { by: string; at: string } | null;
  /** Staff accepted a certificate whose chain does not end in a trusted root. */
  untrustedAccepted: boolean;
  /** What the last revocation check found (revocation.ts), and when (ISO; null before migration 14's first check). */
  revocationStatus: 'good' | 'unknown' | 'not_checked';
  revocationCheckedAt: string | null;
  /** Staff accepted, when confirming, that revocation could not be checked. */
  revocationUnknownAccepted: boolean;
  /** Staff recorded that the recipient's program reads RSA-OAEP and AES-GCM (AuthEnvelopedData). */
  modernAlgorithms: boolean;
}

interface Row {
  release_id: string;
  email: string;
  cert_pem: string;
  chain_json: string;
  fingerprint: string;
  chain_trusted: number;
  imported_by: string;
  imported_at: string;
  confirmed_by: string | null;
  confirmed_at: string | null;
  untrusted_accepted: number;
  revocation_status: 'good' | 'unknown' | 'not_checked';
  revocation_checked_at: string | null;
  revocation_unknown_accepted: number;
  modern_algorithms: number;
}

/** The recipient certificate of a release, or null. */
export function recipientCertificate(db: Database, releaseId: string): StoredRecipientCertificate | null {
  const r = db.prepare('SELECT * FROM recipient_certificates WHERE release_id = ?').get(releaseId) as Row | undefined;
  if (!r) return null;
  return {
    releaseId: r.release_id,
    email: r.email,
    certPem: r.cert_pem,
    chainPem: JSON.parse(r.chain_json) as string[],
    fingerprint: r.fingerprint,
    chainTrusted: r.chain_trusted === 1,
    importedBy: r.imported_by,
    importedAt: r.imported_at,
    confirmed: r.confirmed_by && r.confirmed_at ? { by: r.confirmed_by, at: r.confirmed_at } : null,
    untrustedAccepted: r.untrusted_accepted === 1,
    revocationStatus: r.revocation_status,
    revocationCheckedAt: r.revocation_checked_at,
    revocationUnknownAccepted: r.revocation_unknown_accepted === 1,
    modernAlgorithms: r.modern_algorithms === 1,
  };
}

/** Store (or replace) the recipient certificate of a release, unconfirmed. Call inside the audited transaction. */
export function putRecipientCertificate(
  db: Database,
  c: Pick<
    StoredRecipientCertificate,
    'releaseId' | 'email' | 'certPem' | 'chainPem' | 'fingerprint' | 'chainTrusted' | 'importedBy' | 'importedAt' | 'revocationStatus' | 'revocationCheckedAt'
  >,
): void {
  db.prepare(
    `INSERT INTO recipient_certificates (release_id, email, cert_pem, chain_json, fingerprint, chain_trusted, imported_by, imported_at, confirmed_by, confirmed_at, untrusted_accepted,
       revocation_status, revocation_checked_at, revocation_unknown_accepted, modern_algorithms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, ?, 0, 0)
     ON CONFLICT(release_id) DO UPDATE SET email = excluded.email, cert_pem = excluded.cert_pem, chain_json = excluded.chain_json,
       fingerprint = excluded.fingerprint, chain_trusted = excluded.chain_trusted, imported_by = excluded.imported_by,
       imported_at = excluded.imported_at, confirmed_by = NULL, confirmed_at = NULL, untrusted_accepted = 0,
       revocation_status = excluded.revocation_status, revocation_checked_at = excluded.revocation_checked_at,
       revocation_unknown_accepted = 0, modern_algorithms = 0`,
  ).run(c.releaseId, c.email, c.certPem, JSON.stringify(c.chainPem), c.fingerprint, c.chainTrusted ? 1 : 0, c.importedBy, c.importedAt, c.revocationStatus, c.revocationCheckedAt);
}

/**
 * Record staff's confirmation of the fingerprint (with what they accepted and the recipient's algorithms), or
 * withdraw it with `null` (acceptances cleared). Call inside the audited transaction.
 */
export function setRecipientCertificateConfirmation(
  db: Database,
  releaseId: string,
  confirmed: { by: string; at: string; untrustedAccepted: boolean; revocationUnknownAccepted?: boolean; modernAlgorithms?: boolean } | null,
): void {
  db.prepare(
    'UPDATE recipient_certificates SET confirmed_by = ?, confirmed_at = ?, untrusted_accepted = ?, revocation_unknown_accepted = ?, modern_algorithms = ? WHERE release_id = ?',
  ).run(
    confirmed?.by ?? null,
    confirmed?.at ?? null,
    confirmed?.untrustedAccepted ? 1 : 0,
    confirmed?.revocationUnknownAccepted ? 1 : 0,
    confirmed?.modernAlgorithms ? 1 : 0,
    releaseId,
  );
}

/** Record the result of a revocation check. Call inside the audited transaction (withdraw first when it turned unknown unaccepted). */
export function setRecipientRevocation(db: Database, releaseId: string, status: StoredRecipientCertificate['revocationStatus'], at: string): void {
  db.prepare('UPDATE recipient_certificates SET revocation_status = ?, revocation_checked_at = ? WHERE release_id = ?').run(status, at, releaseId);
}

/** Every CRL the vault holds (imported and fetched), newest first. */
export function storedCrls(db: Database): Array<StoredCrl & { addedBy: string; addedAt: string }> {
  const rows = db.prepare('SELECT * FROM smime_crls ORDER BY this_update DESC, added_at DESC').all() as Array<{
    sha256: string;
    issuer: string;
    der: Buffer;
    this_update: string;
    next_update: string | null;
    source: 'import' | 'fetch';
    url: string | null;
    added_by: string;
    added_at: string;
  }>;
  return rows.map((r) => ({
    sha256: r.sha256,
    issuer: r.issuer,
    der: r.der,
    thisUpdate: r.this_update,
    nextUpdate: r.next_update,
    source: r.source,
    url: r.url,
    addedBy: r.added_by,
    addedAt: r.added_at,
  }));
}

/** Keep a CRL (once per distinct CRL: the same bytes again change nothing). @returns whether it was new */
export function insertCrl(db: Database, c: StoredCrl, addedBy: string, addedAt: string): boolean {
  return (
    db
      .prepare(
        'INSERT INTO smime_crls (sha256, issuer, der, this_update, next_update, source, url, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING',
      )
      .run(c.sha256, c.issuer, c.der, c.thisUpdate, c.nextUpdate, c.source, c.url, addedBy, addedAt).changes === 1
  );
}

/** Remove the recipient certificate of a release (the recipient was changed). Call inside the audited transaction. */
export function deleteRecipientCertificate(db: Database, releaseId: string): number {
  return db.prepare('DELETE FROM recipient_certificates WHERE release_id = ?').run(releaseId).changes;
}

/** The active practice S/MIME certificate with its private key, or null when none was made or imported yet. */
export function activePracticeCertificate(db: Database): PracticeCertificate | null {
  const r = db.prepare('SELECT * FROM practice_smime_certificates WHERE active = 1').get() as
    | { fingerprint: string; cert_pem: string; key_pem: string; self_signed: number; not_after: string }
    | undefined;
  return r ? { fingerprint: r.fingerprint, certPem: r.cert_pem, keyPem: r.key_pem, selfSigned: r.self_signed === 1, notAfter: r.not_after } : null;
}

/** Make `c` the active practice certificate (the previous one stays, inactive). Call inside the audited transaction. */
export function insertPracticeCertificate(db: Database, c: PracticeCertificate, createdAt: string): void {
  db.prepare('UPDATE practice_smime_certificates SET active = 0 WHERE active = 1').run();
  db.prepare(
    `INSERT INTO practice_smime_certificates (fingerprint, cert_pem, key_pem, self_signed, not_after, created_at, active) VALUES (?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT(fingerprint) DO UPDATE SET active = 1, key_pem = excluded.key_pem`,
  ).run(c.fingerprint, c.certPem, c.keyPem, c.selfSigned ? 1 : 0, c.notAfter, createdAt);
}
