import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, migrate } from '../../../src/main/services/vault/migrations';

/** The schema just before migration 8 with a draft release and one record file. */
function before8() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 7);
  db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_000001', 'R-2026-00001', 'draft', 't', 't', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1')",
  ).run();
  db.prepare(
    "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date) VALUES ('doc_000001', 'rel_000001', 'record', 1, 'record-1.pdf', 'a.pdf', 'application/pdf', 3, 1, 'abc', 't', 'other', '2026-01-02')",
  ).run();
  return db;
}

describe('migration 8 (patient checks per record file)', () => {
  it('adds an empty per-document check table that keeps rows and refuses unknown outcomes and orphan documents', () => {
    const db = before8();
    expect(migrate(db, 8)).toBe(8);
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(8);
    expect(db.prepare('SELECT count(*) AS n FROM document_patient_checks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 1 });
    const put = db.prepare(
      "INSERT INTO document_patient_checks (document_id, release_id, outcome, name_found, dob_found, mrn_found, other_mrns, conflict_pages, pages_checked, pages_without_text, checked_at) VALUES (?, 'rel_000001', ?, 1, 0, 0, 1, '[2]', 3, 0, 't')",
    );
    put.run('doc_000001', 'mismatch');
    expect(() => put.run('doc_000001', 'match')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => put.run('doc_999999', 'match')).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM document_patient_checks").run();
    expect(() => put.run('doc_000001', 'maybe')).toThrow(/CHECK/);
    db.prepare("UPDATE documents SET id = id WHERE id = 'doc_000001'").run();
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
  });
});
