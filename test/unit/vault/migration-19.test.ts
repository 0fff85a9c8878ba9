import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

const REQUEST = (id: string, status = 'received') =>
  `INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at) VALUES ('${id}', 'Q-2026-${id}', 'Zyxwv Testpatient', '1961-07-14', 'MRN-58213-QX', 'right_of_access', 't', '${status}', '{}', 't', 't')
   ON CONFLICT (id) DO UPDATE SET status = excluded.status`;

/** A schema-17 vault with one request (synthetic). */
function v17(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 17)).toBe(17);
  db.prepare(REQUEST('req_1')).run();
  return db;
}

const changes = (db: Database.Database) => db.prepare('SELECT seq, kind, row_id AS id FROM practice_sync_changes ORDER BY seq').all();

describe('migration 19 (practice sync: change outbox, records and documents of a request, cursors, reference origin)', () => {
  it('enters existing rows once, and every insert or update (plain or upsert) moves the record to a new, higher seq', () => {
    const db = v17();
    expect(migrate(db)).toBeGreaterThanOrEqual(19);
    expect(changes(db)).toEqual([{ seq: 1, kind: 'request', id: 'req_1' }]);
    db.prepare(REQUEST('req_2')).run();
    db.prepare("UPDATE requests SET status = 'verifying' WHERE id = 'req_1'").run();
    db.prepare(REQUEST('req_2', 'ready')).run();
    expect(changes(db)).toEqual([
      { seq: 3, kind: 'request', id: 'req_1' },
      { seq: 4, kind: 'request', id: 'req_2' },
    ]);
    db.prepare("INSERT INTO identity_verifications (id, request_id, subject, method, checked_by, checked_at) VALUES ('iv_1', 'req_1', 'identity', 'photo_id_in_person', 'u', 't')").run();
    expect(changes(db).at(-1)).toEqual({ seq: 5, kind: 'verification', id: 'iv_1' });
  });

  it('keeps record conflicts (never deleted, one open per record, a decision needs who and when); a pulled file stays staged until adopted', () => {
    const db = v17();
    migrate(db);
    const ins = db.prepare("INSERT INTO practice_sync_record_conflicts (id, kind, row_id, detected_at, server_version, local_json, server_json) VALUES (?, 'authorization', 'a1', 't', 2, '{}', '{}')");
    ins.run('c1');
    expect(() => ins.run('c2')).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE practice_sync_record_conflicts SET resolution = 'server' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE practice_sync_record_conflicts SET resolution = 'server', resolved_at = 't', resolved_by = 'u' WHERE id = 'c1'").run();
    ins.run('c2');
    expect(() => db.prepare('DELETE FROM practice_sync_record_conflicts').run()).toThrow(/kept/);
    expect(() => db.prepare("INSERT INTO practice_sync_records (kind, row_id, server_version, base_hash, synced_at) VALUES ('release', 'r1', 0, ?, 't')").run('a'.repeat(64))).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO practice_sync_documents (document_id, direction, complete_at) VALUES ('doc_none', 'pulled', 't')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO practice_pulled_chunks (document_id, seq, data) VALUES ('doc_1', 0, x'00')").run();
    expect(() => db.prepare("UPDATE requests SET reference_issued_by = 'guess' WHERE id = 'req_1'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE requests SET reference_issued_by = 'server' WHERE id = 'req_1'").run();
    expect(db.prepare('SELECT last_pushed_change, last_pulled_change FROM practice_link').all()).toEqual([]);
  });
});
