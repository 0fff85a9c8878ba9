import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { deriveMasterKey, KdfParams, newKdfParams } from './kdf';
import { migrate } from './migrations';

export const VAULT_FILE = 'vault.db';
export const KDF_FILE = 'vault.kdf.json';

/** Where the vault lives and whether it exists: 'uninitialized' (no vault yet) or 'locked'. */
export function vaultFileState(dataDir: string): 'uninitialized' | 'locked' {
  return existsSync(join(dataDir, VAULT_FILE)) && existsSync(join(dataDir, KDF_FILE)) ? 'locked' : 'uninitialized';
}

/**
 * The encrypted vault: one SQLCipher-format SQLite database (AES-256, per
 * NIST SP 800-111 encryption at rest; 45 CFR 164.312(a)(2)(iv)) holding every
 * durable fact, record files included (as chunk rows), plus its WAL, which is
 * encrypted too. The 32-byte key is derived from the passphrase with argon2id
 * and never leaves the main process.
 */
export class Vault {
  private constructor(
    readonly db: Db,
    private readonly masterKey: Buffer,
  ) {}

  /**
   * Create a new vault in `dataDir` keyed by `passphrase`, migrated to the latest schema.
   * @throws AppError VAULT_ALREADY_INITIALIZED when a vault already exists there.
   */
  static async create(dataDir: string, passphrase: string): Promise<Vault> {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (existsSync(join(dataDir, VAULT_FILE))) {
      throw new AppError('VAULT_ALREADY_INITIALIZED', 'A vault already exists in this data folder.');
    }
    const params = newKdfParams();
    const key = await deriveMasterKey(passphrase, params);
    const db = new Database(join(dataDir, VAULT_FILE));
    restrictToOwner(dataDir);
    keyDatabase(db, key);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    // The KDF file is written last: a vault without it counts as not set up, so a crash here is retried cleanly.
    const tmp = join(dataDir, KDF_FILE + '.tmp');
    writeFileSync(tmp, JSON.stringify(params, null, 2), { mode: 0o600 });
    renameSync(tmp, join(dataDir, KDF_FILE));
    return new Vault(db, key);
  }

  /**
   * Open the existing vault. The key is checked with a read before anything
   * writes, so a wrong passphrase leaves the file byte-identical.
   * @throws AppError VAULT_NOT_INITIALIZED | WRONG_PASSPHRASE
   */
  static async open(dataDir: string, passphrase: string): Promise<Vault> {
    if (vaultFileState(dataDir) === 'uninitialized') {
      throw new AppError('VAULT_NOT_INITIALIZED', 'ReleaseDesk has not been set up on this computer yet.');
    }
    const params = KdfParams.parse(JSON.parse(readFileSync(join(dataDir, KDF_FILE), 'utf8')));
    const key = await deriveMasterKey(passphrase, params);
    const db = new Database(join(dataDir, VAULT_FILE), { fileMustExist: true });
    try {
      keyDatabase(db, key);
      // PRAGMA key always answers ok; only the first read tells a wrong key (SQLITE_NOTADB).
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not unlock this vault.');
      }
      throw e;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    restrictToOwner(dataDir);
    return new Vault(db, key);
  }

  /**
   * A subkey for one purpose, derived from the master key (HKDF-SHA256, RFC 5869).
   * @param purpose a fixed label, e.g. "audit-chain-v1"
   * @returns 32 bytes
   */
  subkey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `releasedesk:${purpose}`, 32));
  }

  /**
   * Write a consistent, encrypted copy of the open vault to `file` (which must not exist): `VACUUM INTO` on this
   * connection, so the copy is encrypted with the same key and cipher, holds every committed change (WAL included)
   * and no free pages. Runs while the vault stays open; other writes wait for it (one connection).
   */
  copyTo(file: string): void {
    this.db.prepare('VACUUM INTO ?').run(file);
  }

  /**
   * Open a copy of this vault (a backup just written) read-only with this vault's key, to verify it.
   * @param dir the folder holding the copy's `vault.db`
   */
  openCopy(dir: string): VaultCopy {
    return openReadOnly(dir, this.masterKey);
  }

  /**
   * Open a vault folder (a backup) read-only with `passphrase`, without migrating or writing anything.
   * @throws AppError BACKUP_NOT_FOUND (no vault and key file there) | WRONG_PASSPHRASE
   */
  static async openReadOnly(dir: string, passphrase: string): Promise<VaultCopy> {
    if (vaultFileState(dir) === 'uninitialized') throw new AppError('BACKUP_NOT_FOUND', 'That folder does not hold a ReleaseDesk backup.');
    const params = KdfParams.parse(JSON.parse(readFileSync(join(dir, KDF_FILE), 'utf8')));
    const key = await deriveMasterKey(passphrase, params);
    try {
      return openReadOnly(dir, key);
    } finally {
      key.fill(0);
    }
  }

  /** Run `fn` in one transaction (all or nothing). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Checkpoint the WAL, close the database and wipe the key from memory. */
  close(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      this.masterKey.fill(0);
    }
  }
}

/**
 * Owner-only permissions (0600) on the vault file and its WAL/shared-memory files: they are encrypted, but
 * other local accounts have no business reading them (defence in depth, 164.312(a)(1)). SQLite gives the
 * WAL and -shm files the database file's mode, so fixing the database file first is enough for new ones.
 */
function restrictToOwner(dataDir: string): void {
  for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`]) {
    const p = join(dataDir, f);
    if (existsSync(p)) chmodSync(p, 0o600);
  }
}

/** A vault file opened read-only for verification (a backup). Close it when done. */
export interface VaultCopy {
  db: Db;
  /** Same derivation as {@link Vault.subkey}. */
  subkey(purpose: string): Buffer;
  close(): void;
}

function openReadOnly(dir: string, masterKey: Buffer): VaultCopy {
  const key = Buffer.from(masterKey);
  const db = new Database(join(dir, VAULT_FILE), { readonly: true, fileMustExist: true });
  try {
    keyDatabase(db, key);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    db.close();
    key.fill(0);
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not open this backup.');
    throw e;
  }
  return {
    db,
    subkey: (purpose) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `releasedesk:${purpose}`, 32)),
    close: () => {
      db.close();
      key.fill(0);
    },
  };
}

function keyDatabase(db: Db, key: Buffer): void {
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  // A raw 32-byte key skips the library's own KDF (we derived it with argon2id).
  db.pragma(`key="x'${key.toString('hex')}'"`);
}
