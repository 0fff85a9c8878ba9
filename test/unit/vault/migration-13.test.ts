import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

describe('migration 13 (address confirmations; how a release recipient address was confirmed; categories of combined files)', () => {
  it('keeps releases and their read-back confirmations, adds the method column and a confirmations table whose rows are kept', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 10)).toBe(10);
    db.prepare(
      "INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email, recipient_address_confirmed_by, recipient_address_confirmed_at) VALUES ('rel_1', 'R-1', 'draft', 't', 't', 'Zyxwv', '1980-01-01', 'M', 'A', 'a@b.example.test', 'Staff', '2026-01-01T00:00:00.000Z')",
    ).run();
    expect(migrate(db)).toBeGreaterThanOrEqual(13);
    expect(db.prepare('SELECT recipient_address_confirmed_by AS by, recipient_address_confirmed_method AS method FROM releases').get()).toEqual({ by: 'Staff', method: null });
    expect(() => db.prepare("UPDATE releases SET recipient_address_confirmed_method = 'guess'").run()).toThrow(/CHECK/);
    const insert = db.prepare(
      'INSERT INTO address_confirmations (id, address, patient_mrn, release_id, code_salt, code_hmac, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('c1', 'a@b.example.test', 'M', 'rel_1', 's', 'h', 't0', 't1');
    // Addresses are stored trimmed and lower-case; a row names a release that exists.
    expect(() => insert.run('c2', 'A@B.example.test', 'M', 'rel_1', 's', 'h', 't0', 't1')).toThrow(/CHECK/);
    expect(() => insert.run('c3', 'a@b.example.test', 'M', 'rel_missing', 's', 'h', 't0', 't1')).toThrow(/FOREIGN KEY/);
    // Confirmed means who, when and how — all three or none.
    expect(() => db.prepare("UPDATE address_confirmations SET confirmed_at = 't2' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE address_confirmations SET confirmed_at = 't2', confirmed_by = 'Staff', method = 'code' WHERE id = 'c1'").run();
    expect(() => db.prepare("UPDATE address_confirmations SET attempts = -1 WHERE id = 'c1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("DELETE FROM address_confirmations WHERE id = 'c1'").run()).toThrow(/address confirmations are kept/);
    // A combined record file carries further categories: every existing file starts with none; only a JSON array fits.
    db.prepare(
      "INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date) VALUES ('d1', 'rel_1', 'record', 1, 'record-1.pdf', 'a.pdf', 'application/pdf', 1, 1, 'x', 't', 'visit_notes', '2025-01-01')",
    ).run();
    expect(db.prepare('SELECT also_categories FROM documents').get()).toEqual({ also_categories: '[]' });
    db.prepare(`UPDATE documents SET also_categories = '["lab_results"]'`).run();
    expect(() => db.prepare(`UPDATE documents SET also_categories = 'lab_results'`).run()).toThrow(/CHECK|JSON/i);
    expect(() => db.prepare(`UPDATE documents SET also_categories = '{"a":1}'`).run()).toThrow(/CHECK/);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
