import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

/** A version-3 database with a sent and a draft release, each with a record file. */
function v3WithData() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 3)).toBe(3);
  const rel = db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email) VALUES (?, ?, ?, 't', 't', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1', 'Abcde', 'a@b.example.test')",
  );
  rel.run('rel_000001', 'R-2026-00001', 'sent');
  rel.run('rel_000002', 'R-2026-00002', 'draft');
  const doc = db.prepare(
    "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date) VALUES (?, ?, 'record', 1, 'record-1.pdf', 'a.pdf', 'application/pdf', 3, 1, 'abc', 't', 'other', '2026-01-02')",
  );
  doc.run('doc_000001', 'rel_000001');
  doc.run('doc_000002', 'rel_000002');
  return db;
}

describe('migration 4 (classified documents, recipient address confirmation)', () => {
  it('keeps rows; documents of sendable drafts become unclassified, sent ones stay; new columns default empty', () => {
    const db = v3WithData();
    expect(migrate(db, 4)).toBe(4);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.prepare('SELECT id, classified, category FROM documents ORDER BY id').all()).toEqual([
      { id: 'doc_000001', classified: 1, category: 'other' },
      { id: 'doc_000002', classified: 0, category: 'other' },
    ]);
    expect(db.prepare("SELECT recipient_address_confirmed_by, recipient_address_confirmed_at, recipient_key_user_ids, recipient_email FROM releases WHERE id = 'rel_000002'").get()).toEqual({
      recipient_address_confirmed_by: null,
      recipient_address_confirmed_at: null,
      recipient_key_user_ids: null,
      recipient_email: 'a@b.example.test',
    });
    expect(() => db.prepare("UPDATE documents SET classified = 2 WHERE id = 'doc_000001'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE releases SET recipient_address_confirmed_by = 'Qwert', recipient_address_confirmed_at = '2026-01-01T00:00:00Z' WHERE id = 'rel_000002'").run();
    expect(db.pragma('user_version', { simple: true })).toBe(4);
  });
});
