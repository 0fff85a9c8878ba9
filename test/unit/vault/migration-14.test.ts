import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';

const FPR = 'A'.repeat(64);

describe('migration 14 (S/MIME CRLs, revocation status, per-certificate algorithms)', () => {
  it('keeps existing recipient certificates (not checked, default algorithms) and admits only known revocation states', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 13)).toBe(13);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'draft', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare(
      "INSERT INTO recipient_certificates (release_id, email, cert_pem, chain_json, fingerprint, chain_trusted, imported_by, imported_at, confirmed_by, confirmed_at, untrusted_accepted) VALUES ('rel_1', 'r@h.example', 'PEM', '[]', ?, 1, 'A', 't', 'A', 't', 0)",
    ).run(FPR);
    expect(migrate(db)).toBeGreaterThanOrEqual(14);
    expect(db.prepare('SELECT fingerprint, confirmed_by, revocation_status, revocation_unknown_accepted, modern_algorithms FROM recipient_certificates').get()).toEqual({
      fingerprint: FPR,
      confirmed_by: 'A',
      revocation_status: 'not_checked',
      revocation_unknown_accepted: 0,
      modern_algorithms: 0,
    });
    expect(() => db.prepare("UPDATE recipient_certificates SET revocation_status = 'revoked'").run()).toThrow(/CHECK/);
    // A confirmed certificate whose revocation status is unknown must carry staff's acceptance.
    expect(() => db.prepare("UPDATE recipient_certificates SET revocation_status = 'unknown'").run()).toThrow(/not accepted/);
    db.prepare("UPDATE recipient_certificates SET revocation_status = 'unknown', revocation_unknown_accepted = 1").run();
    db.prepare("UPDATE recipient_certificates SET confirmed_by = NULL, confirmed_at = NULL, revocation_unknown_accepted = 0").run();
  });

  it('keeps one row per distinct CRL; a fetched CRL names its URL, an imported one none', () => {
    const db = new Database(':memory:');
    migrate(db);
    const ins = db.prepare('INSERT INTO smime_crls (sha256, issuer, der, this_update, next_update, source, url, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    ins.run(FPR, 'CN=CA', Buffer.from([0x30]), '2026-01-01', '2026-02-01', 'import', null, 'A', 't');
    expect(() => ins.run(FPR, 'CN=CA', Buffer.from([0x30]), '2026-01-01', null, 'import', null, 'A', 't')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => ins.run('B'.repeat(64), 'CN=CA', Buffer.from([0x30]), '2026-01-01', null, 'fetch', null, 'A', 't')).toThrow(/CHECK/);
    expect(() => ins.run('B'.repeat(64), 'CN=CA', Buffer.from([0x30]), '2026-01-01', null, 'import', 'http://x', 'A', 't')).toThrow(/CHECK/);
    ins.run('B'.repeat(64), 'CN=CA', Buffer.from([0x30]), '2026-01-02', null, 'fetch', 'http://crl.example/ca.crl', 'system', 't');
    expect(db.prepare('SELECT count(*) AS n FROM smime_crls').get()).toEqual({ n: 2 });
  });
});
