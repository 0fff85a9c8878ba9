/**
 * The `document_patient_checks` table and the release's patient identifiers (SQL only; the check itself is in
 * patient-check.ts). Functions of `(db, ...args)`; call inside the caller's transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { CheckRow } from './patient-check';

/** The patient a release is for, as copied from its request; undefined when the release does not exist. */
export function findReleasePatientRow(db: Database, releaseId: string): { patient_name: string; patient_dob: string; patient_mrn: string } | undefined {
  return db.prepare('SELECT patient_name, patient_dob, patient_mrn FROM releases WHERE id = ?').get(releaseId) as
    | { patient_name: string; patient_dob: string; patient_mrn: string }
    | undefined;
}

/** Every stored check of the release's files. */
export function listPatientCheckRows(db: Database, releaseId: string): CheckRow[] {
  return db.prepare('SELECT * FROM document_patient_checks WHERE release_id = ?').all(releaseId) as CheckRow[];
}

/**
 * Store one file's check unless one is stored already (a file's bytes never change). Values in column order:
 * document_id, release_id, outcome, name_found, dob_found, mrn_found, other_mrns, other_dobs, other_names,
 * conflict_pages (JSON), pages_checked, pages_without_text, checked_at.
 */
export function insertPatientCheckRowOnce(db: Database, values: Array<string | number>): void {
  db.prepare(
    `INSERT OR IGNORE INTO document_patient_checks (document_id, release_id, outcome, name_found, dob_found, mrn_found, other_mrns, other_dobs, other_names, conflict_pages, pages_checked, pages_without_text, checked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(...values);
}

/** Record staff's confirmation of a flagged file: who, when (ISO), why. */
export function setPatientCheckConfirmation(db: Database, documentId: string, by: string, at: string, reason: string): void {
  db.prepare('UPDATE document_patient_checks SET confirmed_by = ?, confirmed_at = ?, confirm_reason = ? WHERE document_id = ?').run(by, at, reason, documentId);
}
