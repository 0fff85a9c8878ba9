import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

const FPR = 'A'.repeat(64);

describe('migration 12 (S/MIME certificates, smime delivery method)', () => {
  it('keeps releases with their columns and indexes, admits smime as a delivery method, and refuses other methods still', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 10)).toBe(10);
    db.prepare(
      "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email, delivery_method, send_attempts) VALUES ('rel_1', 'R-1', 'sent', 't', 't', 'Zyxwv', '1980-01-01', 'M', 'Records', 'r@h.example', 'password-pdf', 2)",
    ).run();
    db.prepare(
      "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, document_date) VALUES ('doc_1', 'rel_1', 'record', 1, 'record-1.pdf', 'x.pdf', 'application/pdf', 1, 1, 'h', 't', '2026-01-01')",
    ).run();
    const indexesBefore = db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'releases' AND type = 'index' AND sql IS NOT NULL ORDER BY name").all();
    expect(migrate(db)).toBeGreaterThanOrEqual(12);
    expect(db.prepare("SELECT id, delivery_method, send_attempts, recipient_email FROM releases").all()).toEqual([
      { id: 'rel_1', delivery_method: 'password-pdf', send_attempts: 2, recipient_email: 'r@h.example' },
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'releases' AND type = 'index' AND sql IS NOT NULL ORDER BY name").all()).toEqual(indexesBefore);
    db.prepare("UPDATE releases SET delivery_method = 'smime' WHERE id = 'rel_1'").run();
    expect(() => db.prepare("UPDATE releases SET delivery_method = 'carrier-pigeon' WHERE id = 'rel_1'").run()).toThrow(/CHECK/);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });

  it('stores one recipient certificate per release; an untrusted chain is confirmed only when staff accepted it', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'draft', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    const ins = db.prepare(
      'INSERT INTO recipient_certificates (release_id, email, cert_pem, chain_json, fingerprint, chain_trusted, imported_by, imported_at, confirmed_by, confirmed_at, untrusted_accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    expect(() => ins.run('rel_x', 'r@h.example', 'PEM', '[]', FPR, 1, 'A', 't', null, null, 0)).toThrow(/FOREIGN KEY/);
    expect(() => ins.run('rel_1', 'r@h.example', 'PEM', '[]', 'ABC', 1, 'A', 't', null, null, 0)).toThrow(/CHECK/);
    expect(() => ins.run('rel_1', 'r@h.example', 'PEM', '[]', FPR, 0, 'A', 't', 'A', 't', 0)).toThrow(/CHECK/);
    ins.run('rel_1', 'r@h.example', 'PEM', '[]', FPR, 0, 'A', 't', 'A', 't', 1);
    expect(() => ins.run('rel_1', 'r@h.example', 'PEM', '[]', FPR, 1, 'A', 't', null, null, 0)).toThrow(/UNIQUE|PRIMARY/);
  });

  it('keeps at most one active practice certificate', () => {
    const db = new Database(':memory:');
    migrate(db);
    const ins = db.prepare('INSERT INTO practice_smime_certificates (fingerprint, cert_pem, key_pem, self_signed, not_after, created_at, active) VALUES (?, ?, ?, 1, ?, ?, ?)');
    ins.run(FPR, 'C', 'K', '2028-01-01', 't', 1);
    expect(() => ins.run('B'.repeat(64), 'C', 'K', '2028-01-01', 't', 1)).toThrow(/UNIQUE/);
    ins.run('B'.repeat(64), 'C', 'K', '2028-01-01', 't', 0);
  });
});
