import type { Migration } from './types';

export const migration: Migration = {
  version: 8,
  name: 'patient checks: each record file compared with the release patient, and staff confirmations',
  up(db) {
    // One row per record file once its text has been compared with the release's patient (documents/patient-match.ts).
    // PHI-free by design: flags, counts and page numbers, never the identifiers found. A file's bytes never change,
    // so the row is written once; a staff confirmation (who, when, why) is added to it, never removed.
    db.exec(`
      CREATE TABLE document_patient_checks (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        release_id TEXT NOT NULL REFERENCES releases(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('match', 'mismatch', 'name_differs', 'not_found', 'no_text', 'unreadable')),
        name_found INTEGER NOT NULL CHECK (name_found IN (0, 1)),
        dob_found INTEGER NOT NULL CHECK (dob_found IN (0, 1)),
        mrn_found INTEGER NOT NULL CHECK (mrn_found IN (0, 1)),
        other_mrns INTEGER NOT NULL DEFAULT 0,
        other_dobs INTEGER NOT NULL DEFAULT 0,
        other_names INTEGER NOT NULL DEFAULT 0,
        conflict_pages TEXT NOT NULL DEFAULT '[]',
        pages_checked INTEGER NOT NULL,
        pages_without_text INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        confirmed_by TEXT,
        confirmed_at TEXT,
        confirm_reason TEXT
      );
      CREATE INDEX document_patient_checks_release ON document_patient_checks (release_id);
    `);
  },
};
