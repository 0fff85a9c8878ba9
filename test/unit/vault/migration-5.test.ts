import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

/**
 * A version-4 vault as issue #4 left it: a partly sent password-PDF release with its outbox, a sent PGP/MIME release
 * whose transmission has no part rows, and a draft.
 */
function v4WithData() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 4)).toBe(4);
  const rel = db.prepare(
    "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email, delivery_method) VALUES (?, ?, ?, 't', 't', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1', 'Abcde', 'a@b.example.test', ?)",
  );
  rel.run('rel_partly', 'R-2026-00001', 'partly_sent', 'password-pdf');
  rel.run('rel_sentpgp', 'R-2026-00002', 'sent', 'openpgp-pgp-mime');
  rel.run('rel_draft01', 'R-2026-00003', 'draft', null);
  const t = db.prepare(
    "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, recipient_key_fpr, parts_total, parts_sent) VALUES (?, ?, '2026-01-01T00:00:00.000Z', 'r@c.example.test', 'Abcde', 'a@b.example.test', ?, '[]', ?, '250 OK', 'TLSv1.3', 'X', '', ?, ?)",
  );
  t.run('trn_partly', 'rel_partly', 'password-pdf', '<p1@c>', 2, 1);
  t.run('trn_sentpgp', 'rel_sentpgp', 'openpgp-pgp-mime', '<g1@c>', 1, 1);
  const p = db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id) VALUES ('trn_partly', ?, 2, ?, ?)");
  p.run(1, 'sent', '<p1@c>');
  p.run(2, 'failed', '<p2@c>');
  db.prepare("INSERT INTO outbox_messages (release_id, part, part_of, message_id, raw) VALUES ('rel_partly', 2, 2, '<p2@c>', x'0102')").run();
  return db;
}

describe('migration 5 (release states, outbox per transmission, part states, attempts)', () => {
  it('keeps every row, gives old PGP/MIME sends their part, moves the outbox to its transmission with the envelope', () => {
    const db = v4WithData();
    expect(migrate(db, 5)).toBe(5);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.prepare('SELECT id, status, send_attempts, queue_paused, next_attempt_at FROM releases ORDER BY id').all()).toEqual([
      { id: 'rel_draft01', status: 'draft', send_attempts: 0, queue_paused: 0, next_attempt_at: null },
      { id: 'rel_partly', status: 'partly_sent', send_attempts: 0, queue_paused: 0, next_attempt_at: null },
      { id: 'rel_sentpgp', status: 'sent', send_attempts: 0, queue_paused: 0, next_attempt_at: null },
    ]);
    expect(db.prepare('SELECT transmission_id, part, status, attempts FROM transmission_parts ORDER BY transmission_id, part').all()).toEqual([
      { transmission_id: 'trn_partly', part: 1, status: 'sent', attempts: 1 },
      { transmission_id: 'trn_partly', part: 2, status: 'failed', attempts: 1 },
      { transmission_id: 'trn_sentpgp', part: 1, status: 'sent', attempts: 1 },
    ]);
    expect(db.prepare('SELECT transmission_id, part, envelope_from, envelope_to FROM outbox_messages').all()).toEqual([
      { transmission_id: 'trn_partly', part: 2, envelope_from: 'r@c.example.test', envelope_to: '["a@b.example.test"]' },
    ]);
  });

  it('allows the new states, refuses unknown ones, and never deletes a transmission, a part or an attempt', () => {
    const db = v4WithData();
    migrate(db, 5);
    for (const s of ['queued', 'unconfirmed', 'bounced', 'cancelled']) db.prepare('UPDATE releases SET status = ? WHERE id = ?').run(s, 'rel_draft01');
    expect(() => db.prepare("UPDATE releases SET status = 'lost' WHERE id = 'rel_draft01'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE transmission_parts SET status = 'unconfirmed' WHERE transmission_id = 'trn_partly' AND part = 2").run();
    expect(() => db.prepare("UPDATE transmission_parts SET status = 'gone' WHERE part = 2").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO transmission_attempts (transmission_id, part, started_at) VALUES ('trn_partly', 2, 't')").run();
    expect(() => db.prepare('DELETE FROM transmissions').run()).toThrow(/kept/);
    expect(() => db.prepare('DELETE FROM transmission_parts').run()).toThrow(/kept/);
    expect(() => db.prepare('DELETE FROM transmission_attempts').run()).toThrow(/kept/);
  });
});
