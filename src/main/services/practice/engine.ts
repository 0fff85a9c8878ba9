import { AppError } from '../../../shared/errors';

/**
 * One repository interface, two engines (issue #17): the practice's shared store runs either on the embedded
 * SQLCipher file (sqlite-engine.ts, the default for one workstation) or on the practice's PostgreSQL server
 * (pg-engine.ts). Repositories (`*-repo.ts`) and migrations are written once against {@link SqlEngine}; the few
 * dialect differences are stated here, in one place.
 *
 * Conventions both engines keep:
 * - placeholders are `$1..$n` in both dialects (the SQLite engine translates them);
 * - bytes are `Buffer` (BLOB / BYTEA); integers come back as JS numbers (PostgreSQL int8 is parsed as a number);
 * - dates and timestamps are TEXT (ISO 8601, `YYYY-MM-DD` for calendar dates), identifiers compared byte-wise
 *   (`COLLATE "C"` on PostgreSQL), so ordering is the same on both engines;
 * - no booleans in the schema (INTEGER 0/1); the SQLite engine binds `true`/`false` as 1/0;
 * - every failure is an {@link AppError} with a PHI-free message (a driver's message can echo values): see
 *   {@link storeError}.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) (encryption: PHI is sealed in the workstation before it reaches either engine,
 * see sealing.ts), 164.312(b) (audit controls: audit-repo.ts), 164.312(e)(1) (transmission security: the PostgreSQL
 * connection is TLS-verified, see connection.ts).
 */
export interface SqlEngine {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of one statement. Placeholders are $1..$n in BOTH dialects (the SQLite engine translates). */
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** fn runs in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The two dialects. */
export type Dialect = SqlEngine['dialect'];

/**
 * Column types that differ between the dialects, for migrations (`(dialect) => string[]`).
 * - `bytes`: BLOB / BYTEA (read back as Buffer in both)
 * - `bigint`: INTEGER / BIGINT (64-bit; read back as number)
 * - `key`: TEXT / TEXT COLLATE "C" (identifiers and sortable ISO dates compare byte-wise on both engines)
 * - `serialPk`: a 64-bit auto-numbered primary key (INTEGER PRIMARY KEY / BIGSERIAL PRIMARY KEY)
 */
export function sqlTypes(dialect: Dialect): { bytes: string; bigint: string; key: string; serialPk: string } {
  return dialect === 'postgres'
    ? { bytes: 'BYTEA', bigint: 'BIGINT', key: 'TEXT COLLATE "C"', serialPk: 'BIGSERIAL PRIMARY KEY' }
    : { bytes: 'BLOB', bigint: 'INTEGER', key: 'TEXT', serialPk: 'INTEGER PRIMARY KEY' };
}

/**
 * Named advisory locks of the practice store (PostgreSQL `pg_advisory_xact_lock` keys, 64-bit signed). One place so
 * two features never pick the same number.
 */
export const ADVISORY_LOCKS = {
  /** Schema migrations (migrate.ts). */
  migrations: 1_700_017_001,
  /** The audit chain's tail (audit-repo.ts): appends are serialised so the chain stays linear. */
  auditChain: 1_700_017_002,
  /** Setting up the practice data key (keys-repo.ts): one practice, one key. */
  practiceKey: 1_700_017_003,
} as const;

/**
 * Take a transaction-scoped exclusive lock named by `key` (released at COMMIT/ROLLBACK). On PostgreSQL:
 * `pg_advisory_xact_lock($1)`, waiting for the holder. On SQLite a no-op: every write transaction already begins
 * with `BEGIN IMMEDIATE`, which holds the database's single write lock until it ends.
 * @param tx an engine handed to a {@link SqlEngine.transaction} callback (outside a transaction the PostgreSQL lock
 *   would be released at once)
 * @throws AppError as {@link storeError}
 */
export async function advisoryXactLock(tx: SqlEngine, key: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.one('SELECT pg_advisory_xact_lock($1::bigint) AS locked', [key]);
}

/**
 * Run `fn` in a savepoint of the open transaction, for both engines' nested {@link SqlEngine.transaction}:
 * `SAVEPOINT <name>`, then `RELEASE SAVEPOINT <name>` when fn resolves; when it throws, `ROLLBACK TO SAVEPOINT
 * <name>` and `RELEASE SAVEPOINT <name>` (only fn's writes are undone, the outer transaction goes on) and fn's error
 * is rethrown. The handle fn received is marked done afterwards, so a late call through it fails.
 * @param name the savepoint's name (unique within the transaction; an SQL identifier, never user input)
 * @param exec runs one statement on the transaction's connection (a store error is thrown as an AppError)
 * @param open makes the handle fn works through (after the savepoint exists)
 * @throws fn's error, or the AppError of a failed SAVEPOINT/RELEASE/ROLLBACK statement
 * Source: SQL:2016 part 2, 4.41.2 (savepoints); PostgreSQL SAVEPOINT, SQLite SAVEPOINT.
 */
export async function inSavepoint<T>(
  name: string,
  exec: (sql: string) => unknown,
  open: () => SqlEngine & { done: boolean },
  fn: (tx: SqlEngine) => Promise<T>,
): Promise<T> {
  await exec(`SAVEPOINT ${name}`);
  const inner = open();
  try {
    const v = await fn(inner);
    await exec(`RELEASE SAVEPOINT ${name}`);
    return v;
  } catch (e) {
    await exec(`ROLLBACK TO SAVEPOINT ${name}`);
    await exec(`RELEASE SAVEPOINT ${name}`);
    throw e;
  } finally {
    inner.done = true;
  }
}

/**
 * The SQLSTATE-like class of a store failure, kept in {@link AppError.detail} `sqlstate` by both engines, so a
 * repository can branch on it without reading a driver's message: `23505` unique violation, `23503` foreign key,
 * `23502` not null, `23514` check, `40001` serialization failure, `40P01` deadlock, else the driver's code.
 */
export function sqlState(e: unknown): string | undefined {
  if (e instanceof AppError && e.detail && typeof e.detail.sqlstate === 'string') return e.detail.sqlstate;
  return undefined;
}

/** True when `e` is a store error for a unique (or primary key) violation, on either engine (SQLSTATE 23505). */
export function isUniqueViolation(e: unknown): boolean {
  return sqlState(e) === '23505';
}

/**
 * A PHI-free coded error for a failed statement. The driver's message is dropped (it can quote values, e.g. a
 * duplicate key's value or an input that did not parse); only the SQLSTATE (or SQLite's extended code) is kept.
 * @param code PRACTICE_DB_FAILED (a statement failed), PRACTICE_DB_CONFLICT (a constraint refused the write),
 *   PRACTICE_DB_UNAVAILABLE (the server or file cannot be reached), …
 */
export function storeError(code: 'PRACTICE_DB_FAILED' | 'PRACTICE_DB_CONFLICT' | 'PRACTICE_DB_UNAVAILABLE', sqlstate: string, dialect: Dialect): AppError {
  const where = dialect === 'postgres' ? 'The practice database server' : 'The practice database';
  const text: Record<typeof code, string> = {
    PRACTICE_DB_FAILED: `${where} could not carry out a step (code ${sqlstate}). Nothing was changed by that step; try again, and tell your IT provider if it keeps happening.`,
    PRACTICE_DB_CONFLICT: `${where} refused a change that conflicts with what is already stored (code ${sqlstate}). Nothing was changed; reload and try again.`,
    PRACTICE_DB_UNAVAILABLE: `${where} cannot be reached (code ${sqlstate}). Nothing was changed; check the network and the server, then try again.`,
  };
  return new AppError(code, text[code], { sqlstate, dialect });
}

/**
 * Run `fn` in a transaction and retry it (at most `attempts` times in all) when the engine reports a serialization
 * failure or deadlock (SQLSTATE 40001 / 40P01) — PostgreSQL's answer to some concurrent writes. SQLite never
 * reports these (its write transactions are serialised).
 * @throws the last error when every attempt failed, or any other error at once
 */
export async function withRetry<T>(engine: SqlEngine, fn: (tx: SqlEngine) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await engine.transaction(fn);
    } catch (e) {
      const s = sqlState(e);
      if (i >= attempts || (s !== '40001' && s !== '40P01')) throw e;
      await new Promise((r) => setTimeout(r, 5 * i + Math.floor(Math.random() * 10)));
    }
  }
}
