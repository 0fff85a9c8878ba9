import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 11 (staff accounts, MFA, two-person approval, audit actor id)', () => {
  it('keeps releases and audit events, adds users with a role check and unique names, approvals that are kept, and actor ids', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 10)).toBe(10);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'draft', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare("INSERT INTO audit_events (at, actor, action, outcome, detail_json, prev_hash, hash) VALUES ('t', 'A', 'x', 'success', '{}', 'p', 'h')").run();
    expect(migrate(db, 11)).toBe(11);
    expect(db.prepare('SELECT id, prepared_by FROM releases').all()).toEqual([{ id: 'rel_1', prepared_by: null }]);
    expect(db.prepare('SELECT actor, actor_id FROM audit_events').all()).toEqual([{ actor: 'A', actor_id: null }]);

    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_000001', 'Dana Frontdesk', 'front_desk', 't')").run();
    expect(() => db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_000002', 'dana frontdesk', 'front_desk', 't')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_000003', 'Eve', 'superuser', 't')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("DELETE FROM users WHERE id = 'usr_000001'").run()).toThrow(/never deleted/);
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_000004', 'Pat Privacy', 'privacy_officer', 't')").run();
    db.prepare("INSERT INTO release_approvals (id, release_id, approved_by, approved_at, content_digest) VALUES ('apr_000001', 'rel_1', 'usr_000004', 't', 'd')").run();
    expect(() => db.prepare("DELETE FROM release_approvals").run()).toThrow(/kept/);
    expect(() => db.prepare("INSERT INTO release_approvals (id, release_id, approved_by, approved_at, content_digest) VALUES ('apr_2', 'rel_1', 'usr_nobody', 't', 'd')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES ('usr_000001', 'h', 't')").run();
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
