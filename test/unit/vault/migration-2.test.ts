import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

/** A version-1 database with one release, one document and its chunk, foreign keys enforced (as the vault runs). */
function v1WithData() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 1)).toBe(1);
  db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_000001','R-2026-00001','sent','2026-01-02T10:00:00Z','2026-01-02T10:00:00Z','Zyxwv Testpatient','1980-01-01','MRN-1')",
  ).run();
  db.prepare(
    "INSERT INTO documents (id, release_id, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at) VALUES ('doc_000001','rel_000001',1,'record-1.pdf','a.pdf','application/pdf',3,1,'abc','2026-01-02T23:30:00Z')",
  ).run();
  db.prepare("INSERT INTO document_chunks (document_id, seq, data) VALUES ('doc_000001', 0, x'010203')").run();
  db.prepare(
    "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, recipient_key_fpr) VALUES ('tx_0000001','rel_000001','t','s','n','e','openpgp-pgp-mime','[]','m','250','TLSv1.3','c','F')",
  ).run();
  return db;
}

const cols = (db: Database.Database, t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; notnull: number }[]);

describe('migration 2 (compliance)', () => {
  it('keeps existing releases, documents, chunks and transmissions valid and adds the new columns', () => {
    const db = v1WithData();
    expect(migrate(db, 2)).toBe(2);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    const doc = db.prepare('SELECT * FROM documents').get() as Record<string, unknown>;
    expect(doc).toMatchObject({ id: 'doc_000001', release_id: 'rel_000001', request_id: null, kind: 'record', category: 'other', document_date: '2026-01-02' });
    expect(db.prepare('SELECT count(*) AS n FROM document_chunks').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT request_id FROM releases').get()).toEqual({ request_id: null });
    expect(db.prepare('SELECT request_id, legal_basis, authorization_id, acknowledgment_id FROM transmissions').get()).toEqual({
      request_id: null,
      legal_basis: null,
      authorization_id: null,
      acknowledgment_id: null,
    });
    // The chunk's foreign key still points at the rebuilt documents table.
    expect(() => db.prepare("INSERT INTO document_chunks (document_id, seq, data) VALUES ('no_such_doc', 0, x'00')").run()).toThrow(/FOREIGN KEY/);
    // Indexes were recreated.
    const idx = (db.prepare("SELECT name FROM sqlite_master WHERE type='index'").all() as { name: string }[]).map((r) => r.name);
    expect(idx).toEqual(expect.arrayContaining(['documents_by_release', 'documents_by_request', 'releases_by_request']));
  });

  it('creates the compliance tables with their constraints', () => {
    const db = v1WithData();
    migrate(db, 2);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['requests', 'authorizations', 'part2_consents', 'unencrypted_email_acknowledgments', 'identity_verifications', 'scope_overrides']),
    );
    expect(tables).not.toContain('documents_v1');
    expect(cols(db, 'identity_verifications').map((c) => c.name)).toEqual(['id', 'request_id', 'subject', 'method', 'checked_by', 'checked_at', 'notes']);
    expect(cols(db, 'documents').find((c) => c.name === 'release_id')?.notnull).toBe(0);

    const req = db.prepare(
      "INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at) VALUES (?, ?, 'n', 'd', 'm', ?, 't', ?, '{}', 't', 't')",
    );
    req.run('req_000001', 'Q-2026-00001', 'right_of_access', 'received');
    expect(() => req.run('req_000002', 'Q-2026-00002', 'gossip', 'received')).toThrow(/CHECK/);
    expect(() => req.run('req_000003', 'Q-2026-00003', 'tpo', 'lost')).toThrow(/CHECK/);
    expect(() => req.run('req_000004', 'Q-2026-00001', 'tpo', 'received')).toThrow(/UNIQUE/);
    // A record file must belong to a release; a request document need not.
    const doc = db.prepare(
      "INSERT INTO documents (id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, document_date) VALUES (?, ?, ?, ?, 1, 'l', 'o', 'application/pdf', 1, 1, 's', 't', '2026-01-01')",
    );
    expect(() => doc.run('doc_x', null, 'req_000001', 'record')).toThrow(/CHECK/);
    doc.run('doc_y', null, 'req_000001', 'extension_notice');
    expect(() => doc.run('doc_z', null, 'req_404', 'extension_notice')).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare("INSERT INTO identity_verifications (id, request_id, subject, method, checked_by, checked_at) VALUES ('iv1','req_000001','mood','other','a','t')").run(),
    ).toThrow(/CHECK/);
    db.prepare("UPDATE releases SET request_id = 'req_000001'").run();
    expect(() => db.prepare("UPDATE releases SET request_id = 'req_404'").run()).toThrow(/FOREIGN KEY/);
  });
});
