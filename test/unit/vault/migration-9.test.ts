import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 9 (bounce reports ledger, part bounced_at)', () => {
  it('keeps every part, adds bounced_at, and a bounce ledger whose rows can never be deleted', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 5)).toBe(5);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'sent', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare(
      "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, recipient_key_fpr, parts_total, parts_sent) VALUES ('trn_1', 'rel_1', 't', 's@c.example.test', 'A', 'a@b.example.test', 'password-pdf', '[]', '<m1@c>', '250', 'TLSv1.3', 'X', '', 1, 1)",
    ).run();
    db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id) VALUES ('trn_1', 1, 1, 'sent', '<m1@c>')").run();
    expect(migrate(db)).toBeGreaterThanOrEqual(9);
    expect(db.prepare('SELECT part, status, bounce_status, bounced_at FROM transmission_parts').all()).toEqual([{ part: 1, status: 'sent', bounce_status: null, bounced_at: null }]);
    db.prepare("INSERT INTO bounce_reports (digest, received_at, outcome, matched_by, transmission_id, part, action, status, source) VALUES ('d1', 't', 'bounced', 'envid', 'trn_1', 1, 'failed', '5.1.1', 'mailbox')").run();
    expect(() => db.prepare("DELETE FROM bounce_reports WHERE digest = 'd1'").run()).toThrow(/bounce reports are kept/);
    expect(() => db.prepare("INSERT INTO bounce_reports (digest, received_at, outcome, source) VALUES ('d2', 't', 'lost', 'mailbox')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO bounce_reports (digest, received_at, outcome, source) VALUES ('d1', 't', 'bounced', 'mailbox')").run()).toThrow(/UNIQUE|PRIMARY/);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
