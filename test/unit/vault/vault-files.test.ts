import Database from 'better-sqlite3-multiple-ciphers';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../src/main/services/session';
import { fixedClock } from '../../../src/main/services/support/clock';
import { memoryLogger } from '../../../src/main/services/support/logger';
import { deriveMasterKey, KdfParams } from '../../../src/main/services/vault/kdf';
import { KDF_FILE, Vault, VAULT_FILE, vaultFileState } from '../../../src/main/services/vault/vault';

const PASS = 'correct horse battery staple orbit';
const WRONG = 'not the passphrase at all, truly';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'rd-vaultfiles-'));
  dirs.push(d);
  return d;
};
/** SHA-256 of every file in the folder, by name: the oracle for "nothing was changed". */
const snapshot = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]),
  );

/** A real vault with some pages of data, closed (WAL checkpointed into the file). */
async function realVault(rows = 40): Promise<string> {
  const dir = tmp();
  const v = await Vault.create(dir, PASS);
  const ins = v.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  for (let i = 0; i < rows; i++) ins.run(`filler-${i}`, JSON.stringify(randomBytes(6000).toString('hex')));
  v.close();
  return dir;
}

/** A folder whose vault.db is replaced by `bytes`, beside a real key settings file. */
async function vaultReplacedBy(bytes: Buffer): Promise<string> {
  const dir = await realVault(1);
  writeFileSync(join(dir, VAULT_FILE), bytes);
  return dir;
}

async function plainSqlite(): Promise<Buffer> {
  const d = tmp();
  const db = new Database(join(d, 'plain.db'));
  db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('hello')");
  db.close();
  return readFileSync(join(d, 'plain.db'));
}

async function pdfBytes(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([612, 792]).drawText('Synthetic page');
  return Buffer.from(await doc.save());
}

describe('vault files that are empty, cut short or foreign', () => {
  it('a zero-byte vault file is VAULT_DAMAGED with either passphrase, and is never turned into a new vault', async () => {
    const dir = await vaultReplacedBy(Buffer.alloc(0));
    const before = snapshot(dir);
    for (const p of [PASS, WRONG]) {
      const err = await Vault.open(dir, p).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'VAULT_DAMAGED' });
      expect((err as Error).message).toMatch(/restore .*from your backup/i);
    }
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(join(dir, VAULT_FILE)).length).toBe(0);
  });

  it('a vault cut to half its length (mid-page, or on a page boundary) is VAULT_DAMAGED, not INTERNAL, and stays byte-identical', async () => {
    for (const cut of ['mid-page', 'page boundary'] as const) {
      const dir = await realVault();
      const size = readFileSync(join(dir, VAULT_FILE)).length;
      expect(size).toBeGreaterThan(16 * 4096);
      const half = cut === 'mid-page' ? Math.floor(size / 2) + 100 : Math.floor(size / 2 / 4096) * 4096;
      truncateSync(join(dir, VAULT_FILE), half);
      const before = snapshot(dir);
      await expect(Vault.open(dir, PASS), cut).rejects.toMatchObject({ code: 'VAULT_DAMAGED' });
      expect(snapshot(dir), cut).toEqual(before);
    }
  });

  it('a plain SQLite database, a PDF and a text file in the vault’s place are VAULT_NOT_A_VAULT, named, and left untouched', async () => {
    const cases: [Buffer, RegExp][] = [
      [await plainSqlite(), /unencrypted SQLite database/],
      [await pdfBytes(), /PDF document/],
      [Buffer.from('name,dob\nJane Testpatient,1970-01-01\n'.repeat(200)), /text file/],
    ];
    for (const [bytes, named] of cases) {
      const dir = await vaultReplacedBy(bytes);
      const before = snapshot(dir);
      const err = await Vault.open(dir, PASS).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'VAULT_NOT_A_VAULT' });
      expect((err as Error).message).toMatch(named);
      expect((err as Error).message).not.toMatch(/Testpatient/);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it('random bytes in the vault’s place: the right passphrase says VAULT_DAMAGED (key check matched), a wrong one WRONG_PASSPHRASE', async () => {
    const dir = await vaultReplacedBy(randomBytes(8 * 4096));
    const before = snapshot(dir);
    await expect(Vault.open(dir, PASS)).rejects.toMatchObject({ code: 'VAULT_DAMAGED' });
    await expect(Vault.open(dir, WRONG)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('a wrong passphrase on an intact vault is told by the key check before the vault file is opened', async () => {
    const dir = await realVault(2);
    const kdf = JSON.parse(readFileSync(join(dir, KDF_FILE), 'utf8')) as { keyCheck?: string };
    expect(kdf.keyCheck).toMatch(/^[0-9a-f]{64}$/);
    const before = snapshot(dir);
    await expect(Vault.open(dir, WRONG)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(snapshot(dir)).toEqual(before);
    (await Vault.open(dir, PASS)).close();
  });

  it('a vault made before key check values still tells a wrong passphrase, and gains its key check at the next good unlock', async () => {
    const dir = await realVault(2);
    const kdfPath = join(dir, KDF_FILE);
    const { keyCheck, ...legacy } = JSON.parse(readFileSync(kdfPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(kdfPath, JSON.stringify(legacy, null, 2));
    await expect(Vault.open(dir, WRONG)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    (await Vault.open(dir, PASS)).close();
    expect((JSON.parse(readFileSync(kdfPath, 'utf8')) as { keyCheck?: string }).keyCheck).toBe(keyCheck);
  });

  it('a missing or unreadable key settings file is VAULT_DAMAGED; setup never initialises over either half of a vault', async () => {
    const noKdf = await realVault(1);
    rmSync(join(noKdf, KDF_FILE));
    expect(vaultFileState(noKdf)).toBe('locked');
    await expect(Vault.open(noKdf, PASS)).rejects.toMatchObject({ code: 'VAULT_DAMAGED', message: expect.stringMatching(/vault\.kdf\.json/) });
    await expect(Vault.create(noKdf, PASS)).rejects.toMatchObject({ code: 'VAULT_ALREADY_INITIALIZED' });

    const badKdf = await realVault(1);
    writeFileSync(join(badKdf, KDF_FILE), '{"version":1,"algo');
    await expect(Vault.open(badKdf, PASS)).rejects.toMatchObject({ code: 'VAULT_DAMAGED' });

    const noDb = await realVault(1);
    rmSync(join(noDb, VAULT_FILE));
    const kdfBefore = readFileSync(join(noDb, KDF_FILE));
    expect(vaultFileState(noDb)).toBe('locked');
    await expect(Vault.open(noDb, PASS)).rejects.toMatchObject({ code: 'VAULT_DAMAGED', message: expect.stringMatching(/missing/) });
    await expect(Vault.create(noDb, PASS)).rejects.toMatchObject({ code: 'VAULT_ALREADY_INITIALIZED' });
    expect(readFileSync(join(noDb, KDF_FILE)).equals(kdfBefore)).toBe(true);
    expect(existsSync(join(noDb, VAULT_FILE))).toBe(false);
  });

  it('an encrypted database with the right key but no ReleaseDesk schema is refused, never migrated into a vault', async () => {
    const dir = await realVault(1);
    const params = KdfParams.parse(JSON.parse(readFileSync(join(dir, KDF_FILE), 'utf8')));
    const key = await deriveMasterKey(PASS, params);
    rmSync(join(dir, VAULT_FILE));
    const db = new Database(join(dir, VAULT_FILE));
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${key.toString('hex')}'"`);
    db.exec('CREATE TABLE other (x TEXT)');
    db.close();
    const before = snapshot(dir);
    await expect(Vault.open(dir, PASS)).rejects.toMatchObject({ code: 'VAULT_DAMAGED', message: expect.stringMatching(/no ReleaseDesk data/) });
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('only wrong passphrases slow unlocking down', () => {
  it('ten unlocks of a damaged or foreign vault are each refused by name and never throttled or recorded as failed guesses', async () => {
    for (const bytes of [Buffer.alloc(0), await plainSqlite()]) {
      const dir = await vaultReplacedBy(bytes);
      const session = new Session(dir, fixedClock('2026-03-01T15:00:00Z'), memoryLogger());
      for (let i = 0; i < 10; i++) {
        const err = await session.unlock(i % 2 ? PASS : WRONG).catch((e: unknown) => e);
        expect((err as { code: string }).code).toMatch(/^VAULT_(DAMAGED|NOT_A_VAULT)$/);
      }
      expect(existsSync(join(dir, 'unlock-failures.jsonl'))).toBe(false);
    }
  });
});
