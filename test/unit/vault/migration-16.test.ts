import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

/** A schema-15 vault with one request (synthetic). */
function v15(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 15)).toBe(15);
  db.prepare(
    "INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at) VALUES ('req_1', 'Q-2026-00001', 'Zyxwv Testpatient', '1961-07-14', 'MRN-58213-QX', 'right_of_access', 't', 'received', '{}', 't', 't')",
  ).run();
  return db;
}

describe('migration 16 (practice link: workstation, kept practice key, sync state, conflicts)', () => {
  it('keeps one link row with a 32-byte key (or none after a disconnect), the key id and the key together', () => {
    const db = v15();
    expect(migrate(db)).toBeGreaterThanOrEqual(16);
    const ins = db.prepare('INSERT INTO practice_link (id, workstation_id, workstation_label, key_id, data_key, joined_at, joined_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
    expect(() => ins.run(1, 'a'.repeat(32), 'Front desk 1', 'k', Buffer.alloc(31), 't', 'u')).toThrow(/CHECK/);
    expect(() => ins.run(1, 'a'.repeat(32), 'Front desk 1', null, Buffer.alloc(32), 't', 'u')).toThrow(/CHECK/);
    expect(() => ins.run(2, 'a'.repeat(32), 'Front desk 1', 'k', Buffer.alloc(32), 't', 'u')).toThrow(/CHECK/);
    expect(() => ins.run(1, 'short', 'Front desk 1', 'k', Buffer.alloc(32), 't', 'u')).toThrow(/CHECK/);
    ins.run(1, 'a'.repeat(32), 'Front desk 1', 'k', Buffer.alloc(32), 't', 'u');
    db.prepare('UPDATE practice_link SET key_id = NULL, data_key = NULL').run();
    expect(db.prepare('SELECT last_pushed_audit_seq AS s, data_key AS k FROM practice_link').get()).toEqual({ s: 0, k: null });
  });

  it('keeps conflicts: never deleted, one open per request, a decision needs who and when', () => {
    const db = v15();
    migrate(db);
    const ins = db.prepare("INSERT INTO practice_sync_conflicts (id, request_id, detected_at, server_version, local_json, server_json) VALUES (?, 'req_1', 't', 2, '{}', '{}')");
    ins.run('c1');
    expect(() => ins.run('c2')).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE practice_sync_conflicts SET resolution = 'server' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE practice_sync_conflicts SET resolution = 'merged', resolved_at = 't', resolved_by = 'u' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE practice_sync_conflicts SET resolution = 'workstation', resolved_at = 't', resolved_by = 'u' WHERE id = 'c1'").run();
    ins.run('c2');
    expect(() => db.prepare("DELETE FROM practice_sync_conflicts WHERE id = 'c1'").run()).toThrow(/kept/);
    expect(() => db.prepare("INSERT INTO practice_sync_conflicts (id, request_id, detected_at, server_version, local_json, server_json) VALUES ('c3', 'req_none', 't', 1, '{}', '{}')").run()).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT count(*) AS n FROM practice_sync_conflicts').get()).toEqual({ n: 2 });
  });

  it('records a request’s common version with a 64-hex content hash, for stored requests only', () => {
    const db = v15();
    migrate(db);
    const ins = db.prepare("INSERT INTO practice_sync_requests (request_id, server_version, server_reference, base_hash, synced_at) VALUES (?, ?, 'Q-2026-00001', ?, 't')");
    expect(() => ins.run('req_1', 0, 'a'.repeat(64))).toThrow(/CHECK/);
    expect(() => ins.run('req_1', 1, 'abc')).toThrow(/CHECK/);
    expect(() => ins.run('req_x', 1, 'a'.repeat(64))).toThrow(/FOREIGN KEY/);
    ins.run('req_1', 1, 'a'.repeat(64));
  });
});
