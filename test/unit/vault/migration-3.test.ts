import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

/** A version-2 database with a request, a sent release with a document, a transmission and a scope override; foreign keys on. */
function v2WithData() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 2)).toBe(2);
  db.prepare(
    "INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at) VALUES ('req_000001','Q-2026-00001','Zyxwv Testpatient','1980-01-01','MRN-1','right_of_access','t','sent','{}','t','t')",
  ).run();
  db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email, recipient_key_armored, recipient_key_fpr, fingerprint_confirmed, request_id) VALUES ('rel_000001','R-2026-00001','sent','2026-01-02T10:00:00Z','2026-01-02T10:00:00Z','Zyxwv Testpatient','1980-01-01','MRN-1','Abcde Lawfirm','a@b.example','KEY','FPR',1,'req_000001')",
  ).run();
  db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_000002','R-2026-00002','draft','2026-01-03T10:00:00Z','2026-01-03T10:00:00Z','Zyxwv Testpatient','1980-01-01','MRN-1')",
  ).run();
  db.prepare(
    "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, document_date) VALUES ('doc_000001','rel_000001','record',1,'record-1.pdf','a.pdf','application/pdf',3,1,'abc','2026-01-02T10:00:00Z','2026-01-02')",
  ).run();
  db.prepare(
    "INSERT INTO scope_overrides (id, release_id, document_id, reason, recorded_by, recorded_at) VALUES ('ovr_000001','rel_000001','doc_000001','needed for the claim','Qwert','t')",
  ).run();
  db.prepare(
    "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, recipient_key_fpr, request_id) VALUES ('tx_0000001','rel_000001','t','s','n','e','openpgp-pgp-mime','[]','m','250','TLSv1.3','c','FPR','req_000001')",
  ).run();
  return db;
}

describe('migration 3 (delivery methods)', () => {
  it('rebuilds releases with partly_sent allowed, keeps rows and references, adds per-part results, outbox, artifacts and the delivery setting', () => {
    const db = v2WithData();
    expect(migrate(db, 3)).toBe(3);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);

    // Rows kept; a sent release gets the only method that existed before.
    const rels = db.prepare('SELECT id, status, recipient_key_fpr, fingerprint_confirmed, request_id, delivery_method FROM releases ORDER BY id').all();
    expect(rels).toEqual([
      { id: 'rel_000001', status: 'sent', recipient_key_fpr: 'FPR', fingerprint_confirmed: 1, request_id: 'req_000001', delivery_method: 'openpgp-pgp-mime' },
      { id: 'rel_000002', status: 'draft', recipient_key_fpr: null, fingerprint_confirmed: 0, request_id: null, delivery_method: null },
    ]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).not.toContain('releases_v2');
    expect(tables).toEqual(expect.arrayContaining(['transmission_parts', 'outbox_messages', 'release_artifacts']));

    // The new status is accepted, a made-up one still refused; the method CHECK holds.
    db.prepare("UPDATE releases SET status = 'partly_sent' WHERE id = 'rel_000002'").run();
    expect(() => db.prepare("UPDATE releases SET status = 'lost' WHERE id = 'rel_000002'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE releases SET delivery_method = 'password-pdf' WHERE id = 'rel_000002'").run();
    expect(() => db.prepare("UPDATE releases SET delivery_method = 'fax' WHERE id = 'rel_000002'").run()).toThrow(/CHECK/);

    // References to releases still enforced after the rebuild (documents, transmissions, new tables).
    expect(() =>
      db.prepare("INSERT INTO outbox_messages (release_id, part, part_of, message_id, raw) VALUES ('no_such_rel', 1, 1, 'm', x'00')").run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("UPDATE documents SET release_id = 'no_such_rel'").run()).toThrow(/FOREIGN KEY/);

    // Existing transmission: one part, sent; new columns present.
    expect(db.prepare('SELECT parts_total, parts_sent, packet_sha256, acknowledgment_id FROM transmissions').get()).toEqual({
      parts_total: 1,
      parts_sent: 1,
      packet_sha256: null,
      acknowledgment_id: null,
    });
    db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id) VALUES ('tx_0000001', 1, 2, 'sent', '<a@b>')").run();
    expect(() => db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id) VALUES ('tx_0000001', 2, 2, 'maybe', '<c@d>')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id) VALUES ('tx_0000001', 1, 2, 'sent', '<a@b>')").run()).toThrow(/UNIQUE|PRIMARY/);

    expect(JSON.parse((db.prepare("SELECT value FROM settings WHERE key = 'delivery'").get() as { value: string }).value)).toEqual({ messageLimitBytes: 18_000_000 });
    const idx = (db.prepare("SELECT name FROM sqlite_master WHERE type='index'").all() as { name: string }[]).map((r) => r.name);
    expect(idx).toEqual(expect.arrayContaining(['releases_by_request', 'transmissions_by_release', 'release_artifacts_by_release']));
  });
});
