import Database from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, migrate, migrations } from '../../../src/main/services/vault/migrations';
import { KDF_FILE, Vault, VAULT_FILE, vaultFileState } from '../../../src/main/services/vault/vault';

const PASS = 'correct horse battery staple orbit';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'rd-vault-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const sha = (p: string) => (existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'absent');

describe('vault', () => {
  it('is uninitialized until created, then locked after close, and opens with the passphrase', async () => {
    const dir = tmp();
    expect(vaultFileState(dir)).toBe('uninitialized');
    const v = await Vault.create(dir, PASS);
    v.db.prepare("INSERT INTO settings (key, value) VALUES ('probe', '\"x\"')").run();
    v.close();
    expect(vaultFileState(dir)).toBe('locked');
    const again = await Vault.open(dir, PASS);
    expect(again.db.prepare("SELECT value FROM settings WHERE key='probe'").get()).toEqual({ value: '"x"' });
    expect(again.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    again.close();
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE and leaves the vault files byte-identical', async () => {
    const dir = tmp();
    (await Vault.create(dir, PASS)).close();
    const before = [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KDF_FILE].map((f) => sha(join(dir, f)));
    await expect(Vault.open(dir, 'not the passphrase at all')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const after = [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KDF_FILE].map((f) => sha(join(dir, f)));
    expect(after).toEqual(before);
  });

  it('is encrypted at rest: a marker written to the vault appears in neither the file nor its WAL, and plain SQLite cannot read it', async () => {
    const dir = tmp();
    const v = await Vault.create(dir, PASS);
    const marker = 'Zyxwvmarker Testpatient';
    v.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('m', JSON.stringify(marker.repeat(50)));
    // Inspect while the WAL still holds the page, then after checkpoint.
    for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`]) {
      const p = join(dir, f);
      if (existsSync(p)) expect(readFileSync(p).includes(Buffer.from(marker))).toBe(false);
    }
    v.close();
    expect(readFileSync(join(dir, VAULT_FILE)).includes(Buffer.from(marker))).toBe(false);
    const plain = new Database(join(dir, VAULT_FILE));
    expect(() => plain.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow();
    plain.close();
  });

  it('keeps the vault, its WAL and shared memory owner-only (0600), also in a pre-existing folder', async () => {
    const dir = tmp(); // mkdtemp makes it 0700, but the files must not rely on that
    const v = await Vault.create(dir, PASS);
    v.db.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
    for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KDF_FILE]) {
      expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    }
    v.close();
    chmodSync(join(dir, VAULT_FILE), 0o644);
    (await Vault.open(dir, PASS)).close();
    expect(statSync(join(dir, VAULT_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses to create a second vault over an existing one', async () => {
    const dir = tmp();
    (await Vault.create(dir, PASS)).close();
    await expect(Vault.create(dir, PASS)).rejects.toMatchObject({ code: 'VAULT_ALREADY_INITIALIZED' });
  });

  it('derives distinct, stable subkeys per purpose', async () => {
    const dir = tmp();
    const v = await Vault.create(dir, PASS);
    const a = v.subkey('audit-chain-v1');
    expect(a).toHaveLength(32);
    expect(v.subkey('audit-chain-v1').equals(a)).toBe(true);
    expect(v.subkey('other').equals(a)).toBe(false);
    v.close();
  });
});

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('migration 1 creates the core tables and an append-only audit log', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 1)).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['settings', 'practice_keys', 'releases', 'documents', 'document_chunks', 'transmissions', 'audit_events']),
    );
    db.prepare(
      "INSERT INTO audit_events (at, actor, action, outcome, detail_json, prev_hash, hash) VALUES ('t','a','x','success','{}','0','h')",
    ).run();
    expect(() => db.prepare("UPDATE audit_events SET action='y'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('a','b','bogus','t','t','n','d','m')").run()).toThrow();
  });

  it('is idempotent and refuses a database newer than the build', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(migrate(db)).toBe(LATEST_VERSION);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
  });
});
