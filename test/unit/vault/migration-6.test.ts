import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 6 (audit checkpoints, disclosures entered by hand, accounting suspensions)', () => {
  it('keeps the audit log and adds append-only tables', () => {
    const db = new Database(':memory:');
    migrate(db, 4);
    db.prepare("INSERT INTO audit_events (at, actor, action, outcome, detail_json, prev_hash, hash) VALUES ('t', 'a', 'vault.unlock', 'success', '{}', 'p', 'h')").run();
    expect(migrate(db, 6)).toBe(6);
    expect(db.prepare('SELECT count(*) AS n FROM audit_events').get()).toEqual({ n: 1 });
    db.prepare("INSERT INTO audit_checkpoints VALUES (1, 1, 'h', 't', 'lock', 'm')").run();
    db.prepare(
      "INSERT INTO manual_disclosures VALUES ('md_000001', 'Zyxwv Testpatient', '1970-01-02', 'MRN-1', '2026-01-02', 'County Health Dept', NULL, 'Lab result', 'Public health report', 'public_health', 'Staff A', 't')",
    ).run();
    db.prepare("INSERT INTO accounting_suspensions VALUES ('sp_000001', 'MRN-1', 'State Medicaid Fraud Unit', 'health_oversight', 'written', '2026-01-01', '2026-06-30', 'Staff A', 't')").run();
    for (const t of ['audit_checkpoints', 'manual_disclosures', 'accounting_suspensions']) {
      expect(() => db.prepare(`DELETE FROM ${t}`).run()).toThrow(/append-only/);
      expect(() => db.prepare(`UPDATE ${t} SET entered_by = 'x'`.replace('entered_by', t === 'audit_checkpoints' ? 'reason' : 'entered_by')).run()).toThrow(/append-only/);
    }
    expect(() => db.prepare("INSERT INTO accounting_suspensions VALUES ('sp_000002', 'MRN-1', 'X', 'court', 'written', 'a', 'b', 'c', 'd')").run()).toThrow(/CHECK/);
  });
});
