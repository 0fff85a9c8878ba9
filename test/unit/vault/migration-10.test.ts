import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 10 (legal holds, purged content marked)', () => {
  it('keeps documents, adds purged_at, and legal holds that name a patient or a request and are never deleted', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 9)).toBe(9);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'sent', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare(
      "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, document_date) VALUES ('doc_1', 'rel_1', 'record', 1, 'record-1.pdf', 'x.pdf', 'application/pdf', 1, 1, 'h', 't', '2026-01-01')",
    ).run();
    expect(migrate(db)).toBeGreaterThanOrEqual(10);
    expect(db.prepare('SELECT id, purged_at FROM documents').all()).toEqual([{ id: 'doc_1', purged_at: null }]);
    db.prepare("INSERT INTO legal_holds (id, scope, patient_mrn, reason, placed_by, placed_at) VALUES ('h1', 'patient', 'M', 'litigation', 'A', 't')").run();
    expect(() => db.prepare("DELETE FROM legal_holds WHERE id = 'h1'").run()).toThrow(/legal holds are kept/);
    expect(() => db.prepare("INSERT INTO legal_holds (id, scope, reason, placed_by, placed_at) VALUES ('h2', 'request', 'x', 'A', 't')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO legal_holds (id, scope, patient_mrn, request_id, reason, placed_by, placed_at) VALUES ('h3', 'patient', 'M', 'req_x', 'x', 'A', 't')").run()).toThrow();
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
