/**
 * SQL of the address confirmation round trip (migration 13, table address_confirmations). Functions take the
 * database first; call the writers inside the audited transaction of the change they make.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** One code sent to an address for a patient (the code itself only as salt + HMAC). */
export interface ConfirmationRow {
  id: string;
  address: string;
  patientMrn: string;
  releaseId: string | null;
  codeSalt: string;
  codeHmac: string;
  sentAt: string;
  expiresAt: string;
  attempts: number;
  messageId: string | null;
  supersededAt: string | null;
  confirmedAt: string | null;
  confirmedBy: string | null;
  method: 'code' | null;
}

interface DbRow {
  id: string;
  address: string;
  patient_mrn: string;
  release_id: string | null;
  code_salt: string;
  code_hmac: string;
  sent_at: string;
  expires_at: string;
  attempts: number;
  message_id: string | null;
  superseded_at: string | null;
  confirmed_at: string | null;
  confirmed_by: string | null;
  method: 'code' | null;
}

const toRow = (r: DbRow): ConfirmationRow => ({
  id: r.id,
  address: r.address,
  patientMrn: r.patient_mrn,
  releaseId: r.release_id,
  codeSalt: r.code_salt,
  codeHmac: r.code_hmac,
  sentAt: r.sent_at,
  expiresAt: r.expires_at,
  attempts: r.attempts,
  messageId: r.message_id,
  supersededAt: r.superseded_at,
  confirmedAt: r.confirmed_at,
  confirmedBy: r.confirmed_by,
  method: r.method,
});

/** The address as the table keys it: trimmed, lower-case. */
export const addressKey = (address: string): string => address.trim().toLowerCase();

/** The earliest confirmation of `address` for this patient (the first one stands), or null. */
export function confirmedAddress(db: Database, address: string, patientMrn: string): ConfirmationRow | null {
  const r = db
    .prepare('SELECT * FROM address_confirmations WHERE address = ? AND patient_mrn = ? AND confirmed_at IS NOT NULL ORDER BY confirmed_at LIMIT 1')
    .get(addressKey(address), patientMrn) as DbRow | undefined;
  return r ? toRow(r) : null;
}

/** The newest code sent to `address` for this patient that is neither confirmed nor superseded, or null. */
export function pendingCode(db: Database, address: string, patientMrn: string): ConfirmationRow | null {
  const r = db
    .prepare(
      'SELECT * FROM address_confirmations WHERE address = ? AND patient_mrn = ? AND confirmed_at IS NULL AND superseded_at IS NULL ORDER BY sent_at DESC, rowid DESC LIMIT 1',
    )
    .get(addressKey(address), patientMrn) as DbRow | undefined;
  return r ? toRow(r) : null;
}

/** Store a sent code; every older pending code for the same address and patient is superseded at `sentAt`. */
export function insertCode(
  db: Database,
  c: { id: string; address: string; patientMrn: string; releaseId: string | null; codeSalt: string; codeHmac: string; sentAt: string; expiresAt: string; messageId: string | null },
): void {
  db.prepare(
    'UPDATE address_confirmations SET superseded_at = ? WHERE address = ? AND patient_mrn = ? AND confirmed_at IS NULL AND superseded_at IS NULL',
  ).run(c.sentAt, addressKey(c.address), c.patientMrn);
  db.prepare(
    `INSERT INTO address_confirmations (id, address, patient_mrn, release_id, code_salt, code_hmac, sent_at, expires_at, message_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(c.id, addressKey(c.address), c.patientMrn, c.releaseId, c.codeSalt, c.codeHmac, c.sentAt, c.expiresAt, c.messageId);
}

/** Count one wrong try of a pending code. @returns the attempts now recorded */
export function countAttempt(db: Database, id: string): number {
  db.prepare('UPDATE address_confirmations SET attempts = attempts + 1 WHERE id = ?').run(id);
  return (db.prepare('SELECT attempts FROM address_confirmations WHERE id = ?').get(id) as { attempts: number }).attempts;
}

/** Mark a code read back correctly: the address is confirmed for the patient (by, at, method 'code'). */
export function markConfirmed(db: Database, id: string, by: string, at: string): void {
  db.prepare("UPDATE address_confirmations SET confirmed_at = ?, confirmed_by = ?, method = 'code' WHERE id = ? AND confirmed_at IS NULL").run(at, by, id);
}
