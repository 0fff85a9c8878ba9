/**
 * S/MIME certificates in the vault (migration 12): the recipient certificate of a release and the practice's own
 * certificate. SQL only here; every function takes the database first and runs inside the caller's transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PracticeCertificate } from './practice-certificate';

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
  };
}

/** Store (or replace) the recipient certificate of a release, unconfirmed. Call inside the audited transaction. */
export function putRecipientCertificate(
  db: Database,
  c: Pick<StoredRecipientCertificate, 'releaseId' | 'email' | 'certPem' | 'chainPem' | 'fingerprint' | 'chainTrusted' | 'importedBy' | 'importedAt'>,
): void {
  db.prepare(
    `INSERT INTO recipient_certificates (release_id, email, cert_pem, chain_json, fingerprint, chain_trusted, imported_by, imported_at, confirmed_by, confirmed_at, untrusted_accepted)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0)
     ON CONFLICT(release_id) DO UPDATE SET email = excluded.email, cert_pem = excluded.cert_pem, chain_json = excluded.chain_json,
       fingerprint = excluded.fingerprint, chain_trusted = excluded.chain_trusted, imported_by = excluded.imported_by,
       imported_at = excluded.imported_at, confirmed_by = NULL, confirmed_at = NULL, untrusted_accepted = 0`,
  ).run(c.releaseId, c.email, c.certPem, JSON.stringify(c.chainPem), c.fingerprint, c.chainTrusted ? 1 : 0, c.importedBy, c.importedAt);
}

/** Record staff's confirmation of the fingerprint (or withdraw it with `null`). Call inside the audited transaction. */
export function setRecipientCertificateConfirmation(db: Database, releaseId: string, confirmed: { by: string; at: string; untrustedAccepted: boolean } | null): void {
  db.prepare('UPDATE recipient_certificates SET confirmed_by = ?, confirmed_at = ?, untrusted_accepted = ? WHERE release_id = ?').run(
    confirmed?.by ?? null,
    confirmed?.at ?? null,
    confirmed?.untrustedAccepted ? 1 : 0,
    releaseId,
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
