import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync, mkdirSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { writeJsonAtomic } from './atomic-file';
import { deriveMasterKey, KdfParams, keyCheckMatches, keyCheckValue, newKdfParams } from './kdf';
import { readKeyFile, sameName, unwrapVaultKey } from './keyring';
import { migrate } from './migrations';

export const VAULT_FILE = 'vault.db';
export const KDF_FILE = 'vault.kdf.json';

/** SQLCipher 4 page size (bytes): an intact vault file is a whole number of these pages. */
const VAULT_PAGE_SIZE = 4096;

/**
 * Where the vault lives and whether it exists: 'uninitialized' only when neither the vault file nor its key
 * settings file is there. If either one is present the vault counts as existing ('locked'), so setup never
 * initialises over a vault whose other half is missing or damaged; unlocking then says what is wrong.
 */
export function vaultFileState(dataDir: string): 'uninitialized' | 'locked' {
  return existsSync(join(dataDir, VAULT_FILE)) || existsSync(join(dataDir, KDF_FILE)) ? 'locked' : 'uninitialized';
}

const RESTORE = 'ReleaseDesk has not changed it. Restore vault.db and vault.kdf.json together from your backup.';

function damaged(what: string): AppError {
  return new AppError('VAULT_DAMAGED', `The vault is damaged: ${what}. ${RESTORE}`);
}

/** Recognisable file types that are certainly not an encrypted vault (first bytes), named for the message. */
const FOREIGN_SIGNATURES: { bytes: Buffer; what: string }[] = [
  { bytes: Buffer.from('SQLite format 3\0', 'latin1'), what: 'an unencrypted SQLite database' },
  { bytes: Buffer.from('%PDF-', 'latin1'), what: 'a PDF document' },
  { bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04]), what: 'a ZIP archive' },
  { bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]), what: 'a PNG image' },
  { bytes: Buffer.from([0xff, 0xd8, 0xff]), what: 'a JPEG image' },
  { bytes: Buffer.from('II*\0', 'latin1'), what: 'a TIFF image' },
  { bytes: Buffer.from('MM\0*', 'latin1'), what: 'a TIFF image' },
  { bytes: Buffer.from([0x1f, 0x8b]), what: 'a gzip archive' },
];

/**
 * Judge the file in the vault's place from its size and first page, without any key: a missing or empty file,
 * or one that is not a whole number of pages, is a damaged vault; a file whose first bytes name another format
 * (plain SQLite, PDF, ZIP, images, text) is not a vault. An encrypted vault looks like random bytes, so random
 * bytes pass here and are told apart later by the key check.
 * @throws AppError VAULT_DAMAGED | VAULT_NOT_A_VAULT
 */
export function inspectVaultFile(path: string): void {
  if (!existsSync(path)) throw damaged('the vault file (vault.db) is missing');
  const size = statSync(path).size;
  if (size === 0) throw damaged('the vault file is empty (0 bytes)');
  const head = Buffer.alloc(Math.min(size, VAULT_PAGE_SIZE));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const foreign = FOREIGN_SIGNATURES.find((f) => head.subarray(0, f.bytes.length).equals(f.bytes));
  const text = !foreign && isText(head) ? 'a text file' : undefined;
  const what = foreign?.what ?? text;
  if (what) {
    throw new AppError('VAULT_NOT_A_VAULT', `The file in the vault's place (vault.db) is not a ReleaseDesk vault: it is ${what}. ReleaseDesk has not changed it. Move it away and put the vault back from your backup.`);
  }
  if (size % VAULT_PAGE_SIZE !== 0) throw damaged('the vault file is cut short (its size is not a whole number of pages)');
}

/** True when the bytes are printable text (ASCII or UTF-8 with tabs and line breaks): never an encrypted page. */
function isText(b: Buffer): boolean {
  if (b.length < 16) return false;
  for (const c of b) if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) return false;
  return new TextDecoder('utf-8', { fatal: false }).decode(b).indexOf('\ufffd') === -1;
}

function readKdfParams(dataDir: string): KdfParams {
  const p = join(dataDir, KDF_FILE);
  if (!existsSync(p)) throw damaged('its key settings file (vault.kdf.json) is missing');
  try {
    return KdfParams.parse(JSON.parse(readFileSync(p, 'utf8')));
  } catch {
    throw damaged('its key settings file (vault.kdf.json) cannot be read');
  }
}

function writeKdfParams(dataDir: string, params: KdfParams): void {
  writeJsonAtomic(dataDir, KDF_FILE, params);
}

/** Make the data folder (owner only) and refuse one that already holds a vault. @throws AppError VAULT_ALREADY_INITIALIZED */
function requireEmptyDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (vaultFileState(dataDir) !== 'uninitialized') {
    throw new AppError('VAULT_ALREADY_INITIALIZED', 'A vault already exists in this data folder.');
  }
}

/** A new vault file keyed with the 32-byte `key` (SQLCipher 4), in WAL mode with foreign keys, migrated to the latest schema. */
function newKeyedDatabase(dataDir: string, key: Buffer): Db {
  const db = new Database(join(dataDir, VAULT_FILE));
  restrictToOwner(dataDir);
  keyDatabase(db, key);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
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
    requireEmptyDataDir(dataDir);
    const fresh = newKdfParams();
    const key = await deriveMasterKey(passphrase, fresh);
    const params: KdfParams = { ...fresh, keyCheck: keyCheckValue(key) };
    const db = newKeyedDatabase(dataDir, key);
    // The KDF file is written last, atomically. A crash before it leaves a vault file without key settings,
    // which unlock reports as damaged and setup never overwrites.
    writeKdfParams(dataDir, params);
    return new Vault(db, key);
  }

  /**
   * Open the existing vault. Nothing is written before the key has been checked and the schema read, so a
   * refused unlock leaves the vault file byte-identical, and an empty, truncated or foreign file is never
   * initialised. Order: the file's size and first bytes (no key needed), the key settings file, the key check
   * value (wrong passphrase), then the database itself (damaged).
   * @throws AppError VAULT_NOT_INITIALIZED | WRONG_PASSPHRASE (the only one a guess can cause) |
   *   VAULT_DAMAGED (restore from backup) | VAULT_NOT_A_VAULT
   */
  static async open(dataDir: string, passphrase: string): Promise<Vault> {
    if (vaultFileState(dataDir) === 'uninitialized') {
      throw new AppError('VAULT_NOT_INITIALIZED', 'ReleaseDesk has not been set up on this computer yet.');
    }
    const path = join(dataDir, VAULT_FILE);
    inspectVaultFile(path);
    const params = readKdfParams(dataDir);
    const key = await deriveMasterKey(passphrase, params);
    if (params.keyCheck && !keyCheckMatches(key, params.keyCheck)) {
      key.fill(0);
      throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not unlock this vault.');
    }
    const v = Vault.openKeyed(dataDir, key, Boolean(params.keyCheck));
    if (!params.keyCheck) writeKdfParams(dataDir, { ...params, keyCheck: keyCheckValue(key) });
    return v;
  }

  /**
   * Create a new vault keyed by a random 32-byte vault key (staff accounts, vault/keyring.ts), migrated to the latest
   * schema. The caller writes the keyring (vault.kdf.json) after storing the first account.
   * @throws AppError VAULT_ALREADY_INITIALIZED
   */
  static createWithKey(dataDir: string, vaultKey: Buffer): Vault {
    requireEmptyDataDir(dataDir);
    const key = Buffer.from(vaultKey);
    return new Vault(newKeyedDatabase(dataDir, key), key);
  }

  /**
   * Open the vault file with a vault key already checked against the key check value (keyring unlock, or
   * {@link open}). Reads the schema before writing anything, then migrates.
   * @param checked whether the key was checked (a SQLITE_NOTADB then means damage, not a wrong key)
   * @throws AppError VAULT_DAMAGED | WRONG_PASSPHRASE (unchecked key only)
   */
  static openKeyed(dataDir: string, vaultKey: Buffer, checked = true): Vault {
    const path = join(dataDir, VAULT_FILE);
    const key = Buffer.from(vaultKey);
    const db = new Database(path, { fileMustExist: true });
    let version: number;
    try {
      keyDatabase(db, key);
      // PRAGMA key always answers ok; only the first read tells a wrong key (SQLITE_NOTADB) or a cut file (SQLITE_CORRUPT).
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (e) {
      db.close();
      key.fill(0);
      const code = (e as { code?: string }).code ?? '';
      if (code === 'SQLITE_NOTADB' && !checked) {
        // A vault made before key check values: a wrong key and a damaged first page cannot be told apart.
        throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not unlock this vault.');
      }
      if (code.startsWith('SQLITE_')) throw damaged('the vault file cannot be read with the right passphrase');
      throw e;
    }
    if (version === 0) {
      db.close();
      key.fill(0);
      throw damaged('the vault file holds no ReleaseDesk data');
    }
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    restrictToOwner(dataDir);
    return new Vault(db, key);
  }

  /**
   * A copy of the vault key, for wrapping it under a staff member's passphrase (vault/keyring.ts). The caller wipes
   * it (fill(0)) when done; it never leaves the main process.
   */
  vaultKey(): Buffer {
    return Buffer.from(this.masterKey);
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
   * How another thread opens its own read-only connection to this vault file (the audit chain's verification
   * workers, audit/chain.ts verifyChainParallel): the file's path and the keying pragmas, which hold the vault
   * key. Stays inside this process; never log it.
   */
  fileAccess(): VaultFileAccess {
    return { file: this.db.name, keyPragmas: cipherPragmas(this.masterKey) };
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
   * Open a vault folder (a backup) read-only with `passphrase` (a staff member's, tried against each account's
   * wrapped key, or only `username`'s; or the single practice passphrase of an older vault), without migrating or
   * writing anything.
   * @throws AppError BACKUP_NOT_FOUND (no vault and key file there) | WRONG_PASSPHRASE
   */
  static async openReadOnly(dir: string, passphrase: string, username?: string): Promise<VaultCopy> {
    if (vaultFileState(dir) === 'uninitialized') throw new AppError('BACKUP_NOT_FOUND', 'That folder does not hold a ReleaseDesk backup.');
    const file = readKeyFile(dir);
    let key: Buffer | null = null;
    if (file.kind === 'legacy') key = await deriveMasterKey(passphrase, file.params);
    else {
      // A backup of a vault with staff accounts: any active account's passphrase opens it.
      const named = file.keyring.users.filter((u) => !username || sameName(u.name, username));
      for (const entry of named) {
        key = await unwrapVaultKey(entry, passphrase);
        if (key) break;
      }
      if (!key) throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not open this backup.');
    }
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
  /** Same as {@link Vault.fileAccess}. */
  fileAccess(): VaultFileAccess;
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
    fileAccess: () => ({ file: db.name, keyPragmas: cipherPragmas(key) }),
    close: () => {
      db.close();
      key.fill(0);
    },
  };
}

/** How a connection in another thread opens a vault file: its path and the pragmas that key it (cipherPragmas). */
export interface VaultFileAccess {
  /** Path of the vault file (vault.db, or a backup's copy). */
  file: string;
  /** The keying pragmas: they hold the vault key; never log them. */
  keyPragmas: string[];
}

/**
 * The pragmas that key a connection to a vault file: SQLCipher 4 format and the raw 32-byte key (which skips
 * the library's own KDF: we derived it with argon2id). Shared with the audit chain's worker threads
 * (audit/chain.ts), which open their own read-only connections. The text holds the key: never log it.
 */
export function cipherPragmas(key: Buffer): string[] {
  return [`cipher='sqlcipher'`, 'legacy=4', `key="x'${key.toString('hex')}'"`];
}

function keyDatabase(db: Db, key: Buffer): void {
  for (const p of cipherPragmas(key)) db.pragma(p);
}
