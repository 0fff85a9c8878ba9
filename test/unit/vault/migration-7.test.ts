import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe("migration 7 (request documents may hold a representative's authority)", () => {
  it('keeps every document row, its chunks and references, and allows the new kind only', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const before = migrate(db, 6);
    expect(before).toBe(6);
    db.prepare(
      "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_000001', 'R-2026-00001', 'draft', 't', 't', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1')",
    ).run();
    db.prepare(
      "INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at) VALUES ('req_000001', 'Q-2026-00001', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1', 'authorization', 't', 'received', '{}', 't', 't')",
    ).run();
    const doc = db.prepare(
      "INSERT INTO documents (id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date, classified) VALUES (?, ?, ?, ?, 1, 'x.pdf', 'a.pdf', 'application/pdf', 3, 1, 'abc', 't', 'visit_notes', '2026-01-02', ?)",
    );
    doc.run('doc_000001', 'rel_000001', null, 'record', 0);
    doc.run('doc_000002', null, 'req_000001', 'signed_authorization', 1);
    db.prepare("INSERT INTO document_chunks (document_id, seq, data) VALUES ('doc_000001', 0, x'00')").run();
    db.prepare("INSERT INTO authorizations (id, request_id, patient_mrn, authorization_json, signed_form_document_id, created_at, updated_at) VALUES ('auth_0001', 'req_000001', 'MRN-1', '{}', 'doc_000002', 't', 't')").run();
    expect(() => doc.run('doc_000003', null, 'req_000001', 'representative_authority', 1)).toThrow(/CHECK/);

    expect(migrate(db, 7)).toBe(7);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.prepare('SELECT id, kind, classified, category FROM documents ORDER BY id').all()).toEqual([
      { id: 'doc_000001', kind: 'record', classified: 0, category: 'visit_notes' },
      { id: 'doc_000002', kind: 'signed_authorization', classified: 1, category: 'visit_notes' },
    ]);
    doc.run('doc_000003', null, 'req_000001', 'representative_authority', 1);
    expect(() => doc.run('doc_000004', null, 'req_000001', 'something_else', 1)).toThrow(/CHECK/);
    expect(() => doc.run('doc_000005', null, 'req_000001', 'record', 1)).toThrow(/CHECK/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents' AND sql IS NOT NULL ORDER BY name").all()).toEqual([
      { name: 'documents_by_release' },
      { name: 'documents_by_request' },
    ]);
  });
});
