import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db, Statement } from 'better-sqlite3-multiple-ciphers';
import { AppError, isAppError } from '../../../shared/errors';
import { cipherPragmas } from '../vault/vault';
import { inSavepoint, storeError, type SqlEngine } from './engine';

/**
 * The embedded engine of the practice store: {@link SqlEngine} over better-sqlite3-multiple-ciphers, on a
 * SQLCipher 4 file keyed like the vault (a raw 32-byte key, AES-256; NIST SP 800-111, 45 CFR 164.312(a)(2)(iv)) or,
 * in tests, `:memory:`.
 *
 * - `$1..$n` placeholders are translated to SQLite's positional `?` (a `$n` used twice binds its value twice);
 *   string literals, quoted identifiers and comments are left alone. Booleans bind as 1/0, `undefined` as NULL.
 * - One connection, so one mutex: every top-level call waits its turn, and {@link SqlEngine.transaction} holds the
 *   turn from `BEGIN IMMEDIATE` (the database's write lock, taken at once so two writers never deadlock on lock
 *   upgrade) to COMMIT/ROLLBACK. Calls made through the `tx` handle run inside; nested transactions are SAVEPOINTs.
 * - Failures are PHI-free {@link AppError}s (see engine.ts storeError); the SQLite constraint codes carry the same
 *   SQLSTATE as PostgreSQL's (`23505` unique, …) in `detail.sqlstate`.
 */
export interface SqliteEngineOptions {
  /** The database file, or ':memory:'. */
  file: string;
  /** 32-byte SQLCipher key (required for a file; omitted for ':memory:', which never touches the disk). */
  key?: Buffer;
  /** Milliseconds to wait for another process's write lock before failing (default 5,000). */
  busyTimeoutMs?: number;
}

const CONSTRAINT_STATES: Record<string, string> = {
  SQLITE_CONSTRAINT_UNIQUE: '23505',
  SQLITE_CONSTRAINT_PRIMARYKEY: '23505',
  SQLITE_CONSTRAINT_FOREIGNKEY: '23503',
  SQLITE_CONSTRAINT_NOTNULL: '23502',
  SQLITE_CONSTRAINT_CHECK: '23514',
};

/** A PHI-free AppError for a better-sqlite3 failure (an AppError passes through unchanged). */
function mapError(e: unknown): unknown {
  if (isAppError(e)) return e;
  const code = String((e as { code?: unknown }).code ?? 'SQLITE_ERROR');
  const state = CONSTRAINT_STATES[code];
  if (state) return storeError('PRACTICE_DB_CONFLICT', state, 'sqlite');
  if (code.startsWith('SQLITE_CONSTRAINT')) return storeError('PRACTICE_DB_CONFLICT', code, 'sqlite');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_CANTOPEN') return storeError('PRACTICE_DB_UNAVAILABLE', code, 'sqlite');
  return storeError('PRACTICE_DB_FAILED', code, 'sqlite');
}

/**
 * `$n` placeholders → positional `?`, with the order of the parameters to bind (0-based indexes into the caller's
 * params). Skips '…' literals, "…" identifiers, `--` and `/* *\/` comments.
 * @throws AppError PRACTICE_DB_FAILED (code PLACEHOLDER) for `$0`
 */
export function translatePlaceholders(sql: string): { text: string; order: number[] } {
  let out = '';
  const order: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j === -1 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j === -1 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      const n = Number(sql.slice(i + 1, j));
      if (n < 1) throw storeError('PRACTICE_DB_FAILED', 'PLACEHOLDER', 'sqlite');
      order.push(n - 1);
      out += '?';
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, order };
}

function bindValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v === true) return 1;
  if (v === false) return 0;
  return v;
}

const CACHE_SIZE = 256;

class SqliteEngine implements SqlEngine {
  readonly dialect = 'sqlite' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cache = new Map<string, { stmt: Statement; order: number[] }>();
  private closed = false;
  private savepoints = 0;

  constructor(private readonly db: Db) {}

  /** Run `f` when the connection is free (one caller at a time). */
  private turn<T>(f: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(() => f());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private statement(sql: string): { stmt: Statement; order: number[] } {
    if (this.closed) throw storeError('PRACTICE_DB_UNAVAILABLE', 'CLOSED', 'sqlite');
    let hit = this.cache.get(sql);
    if (hit) {
      this.cache.delete(sql);
      this.cache.set(sql, hit);
      return hit;
    }
    const { text, order } = translatePlaceholders(sql);
    try {
      hit = { stmt: this.db.prepare(text), order };
    } catch (e) {
      throw mapError(e);
    }
    this.cache.set(sql, hit);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return hit;
  }

  private args(order: number[], params: readonly unknown[] | undefined): unknown[] {
    return order.map((k) => {
      if (!params || k >= params.length) throw storeError('PRACTICE_DB_FAILED', 'PLACEHOLDER', 'sqlite');
      return bindValue(params[k]);
    });
  }

  /** The statement's rows, run now (the caller holds the turn). */
  allNow<R>(sql: string, params?: readonly unknown[]): R[] {
    const { stmt, order } = this.statement(sql);
    try {
      return stmt.reader ? (stmt.all(...this.args(order, params)) as R[]) : (stmt.run(...this.args(order, params)), []);
    } catch (e) {
      throw mapError(e);
    }
  }

  runNow(sql: string, params?: readonly unknown[]): { changes: number } {
    const { stmt, order } = this.statement(sql);
    try {
      if (stmt.reader) {
        stmt.all(...this.args(order, params));
        return { changes: 0 };
      }
      return { changes: stmt.run(...this.args(order, params)).changes };
    } catch (e) {
      throw mapError(e);
    }
  }

  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.turn(() => this.allNow<R>(sql, params));
  }

  one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined> {
    return this.turn(() => this.allNow<R>(sql, params)[0]);
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.turn(() => this.runNow(sql, params));
  }

  transaction<T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T> {
    return this.turn(() => this.inTransaction(fn));
  }

  /** BEGIN IMMEDIATE … COMMIT around fn (the caller holds the turn); nested calls through tx use SAVEPOINTs. */
  private async inTransaction<T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T> {
    this.execNow('BEGIN IMMEDIATE');
    const tx = this.handle(0);
    try {
      const v = await fn(tx);
      this.execNow('COMMIT');
      return v;
    } catch (e) {
      if (this.db.inTransaction) this.execNow('ROLLBACK');
      // The callback's own errors pass through as thrown; the engine's are already coded.
      throw e;
    } finally {
      tx.done = true;
    }
  }

  private execNow(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (e) {
      throw mapError(e);
    }
  }

  /** A handle whose calls run inside the open transaction (depth 0) or savepoint (depth > 0). */
  private handle(depth: number): SqlEngine & { done: boolean } {
    const live = () => {
      if (h.done) throw new AppError('INTERNAL', 'A practice store transaction was used after it ended.');
    };
    // better-sqlite3 is synchronous: each call runs whole, in the order the callback makes them.
    const seq = async <T>(f: () => T | Promise<T>): Promise<T> => {
      live();
      return f();
    };
    const h = {
      dialect: 'sqlite' as const,
      done: false,
      all: <R>(sql: string, params?: readonly unknown[]) => seq(() => this.allNow<R>(sql, params)),
      one: <R>(sql: string, params?: readonly unknown[]) => seq(() => this.allNow<R>(sql, params)[0]),
      run: (sql: string, params?: readonly unknown[]) => seq(() => this.runNow(sql, params)),
      transaction: <T>(fn: (tx: SqlEngine) => Promise<T>) =>
        seq(() => inSavepoint(`sp_${depth + 1}_${++this.savepoints}`, (sql) => this.execNow(sql), () => this.handle(depth + 1), fn)),
      close: async () => {
        throw new AppError('INTERNAL', 'A transaction handle cannot close the practice store.');
      },
    };
    return h;
  }

  close(): Promise<void> {
    return this.turn(() => {
      if (this.closed) return;
      this.closed = true;
      this.cache.clear();
      this.db.close();
    });
  }
}

/**
 * Open the embedded practice store.
 * @param opts `{ file: ':memory:' }` in tests; `{ file, key }` for a SQLCipher 4 file keyed with the 32-byte key
 *   (created when missing; WAL journal, foreign keys on, `secure_delete` on)
 * @returns a {@link SqlEngine} with dialect 'sqlite'; not yet migrated (see migrate.ts)
 * @throws AppError PRACTICE_KEY_WRONG when the file does not open with `key` (SQLCipher only tells at the first
 *   read: checked here before anything writes), PRACTICE_DB_UNAVAILABLE when it cannot be opened,
 *   VALIDATION_FAILED for a file without a 32-byte key
 */
export function openSqliteEngine(opts: SqliteEngineOptions): SqlEngine {
  const memory = opts.file === ':memory:';
  if (!memory && (!opts.key || opts.key.length !== 32)) {
    throw new AppError('VALIDATION_FAILED', 'The practice database file needs a 32-byte encryption key.');
  }
  let db: Db;
  try {
    db = new Database(opts.file);
  } catch (e) {
    throw mapError(e);
  }
  try {
    if (opts.key) for (const p of cipherPragmas(opts.key)) db.pragma(p);
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new AppError('PRACTICE_KEY_WRONG', 'The practice database file does not open with this key. Nothing was changed.');
    throw mapError(e);
  }
  try {
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
  } catch (e) {
    db.close();
    throw mapError(e);
  }
  return new SqliteEngine(db);
}
