import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 17 (releases routed through the practice server)', () => {
  it('keeps releases and transmissions, admits "waiting for the practice server" and "with the practice server", and records who sent a transmission', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 15)).toBe(15);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'queued', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare(
      "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, recipient_key_fpr, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, parts_total, parts_sent) VALUES ('tx_1', 'rel_1', 't', 'records@clinic.example.test', 'Zyxwv', 'z@p.example.test', '', 'password-pdf', '[]', '<m@c>', '', '', '', 1, 0)",
    ).run();
    const indexes = () => (db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'releases' AND type = 'index' AND sql IS NOT NULL ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    const before = indexes();
    expect(migrate(db)).toBeGreaterThanOrEqual(17);
    expect(indexes()).toEqual(before);
    expect(db.prepare('SELECT id, reference, status FROM releases').all()).toEqual([{ id: 'rel_1', reference: 'R-1', status: 'queued' }]);
    for (const s of ['waiting_for_server', 'with_practice_server']) db.prepare('UPDATE releases SET status = ? WHERE id = ?').run(s, 'rel_1');
    expect(() => db.prepare("UPDATE releases SET status = 'somewhere' WHERE id = 'rel_1'").run()).toThrow(/CHECK/);
    expect(db.prepare('SELECT practice_pushed_at, sent_by_workstation, outcome_pulled_at FROM transmissions').get()).toEqual({ practice_pushed_at: null, sent_by_workstation: null, outcome_pulled_at: null });
    // The transmission still belongs to its release (the foreign key survived the rebuild).
    expect(() => db.prepare("UPDATE transmissions SET release_id = 'rel_none'").run()).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});
