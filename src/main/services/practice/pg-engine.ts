import pg from 'pg';
import { AppError, isAppError } from '../../../shared/errors';
import { practiceServerError } from './connection';
import { inSavepoint, storeError, type SqlEngine } from './engine';

/**
 * The practice server engine: {@link SqlEngine} over a `pg.Pool` built from the `pg.PoolConfig` it is given
 * (practice/connection.ts builds it from the stored settings: TLS required and verified, 45 CFR 164.312(e)(1)).
 *
 * - `int8` (BIGINT, `count(*)`) is parsed as a JS number (a per-pool type parser: the driver's global parsers are
 *   left alone); BYTEA comes back as Buffer.
 * - {@link SqlEngine.transaction} checks one client out of the pool: BEGIN … COMMIT on that one connection
 *   (ROLLBACK when the callback throws; a connection whose ROLLBACK fails is destroyed, not reused); nested
 *   transactions are SAVEPOINTs.
 * - Failures are PHI-free {@link AppError}s: the server's message (which can quote a duplicate key's value or an
 *   input that did not parse) is dropped, the SQLSTATE kept in `detail.sqlstate` (engine.ts storeError).
 */
export interface PgEngineOptions {
  /**
   * Called with a coded, PHI-free error when an idle pooled connection fails (the server restarted, the network
   * dropped). Without a listener such an error would end the process. Default: ignored (the next query reconnects).
   */
  onIdleError?: (e: AppError) => void;
}

const INT8_OID = 20;

/** Node socket and TLS verification codes: the connection could not be made (mapped like the Settings test). */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
]);

/**
 * A PHI-free AppError for a `pg` failure (an AppError passes through unchanged).
 * - Failures to connect (sign-in refused: SQLSTATE class 28; an untrusted, expired or wrong-host certificate; no TLS;
 *   a refused or unreachable socket) get the SAME codes as the Settings screen's connection test
 *   (`PRACTICE_SERVER_*`, practice/connection.ts {@link practiceServerError}), so staff see one explanation.
 * - Statement failures: SQLSTATE 23 → PRACTICE_DB_CONFLICT; 08 / 57P01–57P03 and a connection lost mid-way →
 *   PRACTICE_DB_UNAVAILABLE; anything else → PRACTICE_DB_FAILED (SQLSTATE kept in `detail.sqlstate`).
 */
export function mapPgError(e: unknown): AppError {
  if (isAppError(e)) return e as AppError;
  const code = String((e as { code?: unknown }).code ?? '');
  const message = String((e as { message?: unknown }).message ?? '');
  if (/^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E')) {
    if (code.startsWith('23')) return storeError('PRACTICE_DB_CONFLICT', code, 'postgres');
    if (code.startsWith('28')) return practiceServerError(e);
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return storeError('PRACTICE_DB_UNAVAILABLE', code, 'postgres');
    return storeError('PRACTICE_DB_FAILED', code, 'postgres');
  }
  if (CONNECT_FAILURES.has(code) || /does not support SSL|error establishing an SSL connection/i.test(message)) return practiceServerError(e);
  if (/terminated|timeout|Connection ended|not queryable|Client was closed/i.test(message)) return storeError('PRACTICE_DB_UNAVAILABLE', 'CONNECTION_LOST', 'postgres');
  if (/pool after calling end/i.test(message)) return storeError('PRACTICE_DB_UNAVAILABLE', 'CLOSED', 'postgres');
  return storeError('PRACTICE_DB_FAILED', code || 'DRIVER', 'postgres');
}

type Queryable = { query: (text: string, values?: unknown[]) => Promise<pg.QueryResult> };

async function query(q: Queryable, sql: string, params?: readonly unknown[]): Promise<pg.QueryResult> {
  try {
    return await q.query(sql, params ? [...params] : undefined);
  } catch (e) {
    throw mapPgError(e);
  }
}

let savepoints = 0;

/** An engine over one checked-out client inside an open transaction (or savepoint). */
function clientHandle(client: pg.PoolClient): SqlEngine & { done: boolean } {
  const live = () => {
    if (h.done) throw new AppError('INTERNAL', 'A practice store transaction was used after it ended.');
  };
  const h = {
    dialect: 'postgres' as const,
    done: false,
    all: async <R>(sql: string, params?: readonly unknown[]) => {
      live();
      return (await query(client, sql, params)).rows as R[];
    },
    one: async <R>(sql: string, params?: readonly unknown[]) => {
      live();
      return (await query(client, sql, params)).rows[0] as R | undefined;
    },
    run: async (sql: string, params?: readonly unknown[]) => {
      live();
      return { changes: (await query(client, sql, params)).rowCount ?? 0 };
    },
    transaction: async <T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T> => {
      live();
      return inSavepoint(`sp_${++savepoints}`, (sql) => query(client, sql), () => clientHandle(client), fn);
    },
    close: async () => {
      throw new AppError('INTERNAL', 'A transaction handle cannot close the practice store.');
    },
  };
  return h;
}

class PgEngine implements SqlEngine {
  readonly dialect = 'postgres' as const;
  private ended = false;

  constructor(private readonly pool: pg.Pool) {}

  async all<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return (await query(this.pool, sql, params)).rows as R[];
  }

  async one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined> {
    return (await query(this.pool, sql, params)).rows[0] as R | undefined;
  }

  async run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return { changes: (await query(this.pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw mapPgError(e);
    }
    let broken = false;
    // A checked-out client has no error listener of the pool's: a connection that drops between statements (the
    // server restarted while the callback awaited something else) would otherwise end the process. The next
    // statement fails with a coded error; the client is destroyed on release.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    const tx = clientHandle(client);
    try {
      await query(client, 'BEGIN');
      const v = await fn(tx);
      await query(client, 'COMMIT');
      return v;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      // The callback's own errors pass through as thrown; the driver's are already coded.
      throw e;
    } finally {
      tx.done = true;
      client.removeListener('error', onError);
      client.release(broken ? true : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

/**
 * Open the practice store on a PostgreSQL server.
 * @param config the pool configuration (host, port, database, user, password, `ssl` with the practice's CA,
 *   `rejectUnauthorized: true`; built by connection.ts). Its `types` is replaced by a parser that reads int8 as a
 *   number (values above 2^53 would lose precision: the schema's 64-bit columns are sequence numbers and counts).
 * @returns a {@link SqlEngine} with dialect 'postgres'; connects lazily (the first statement opens a connection);
 *   not yet migrated (see migrate.ts)
 * @throws nothing itself; statements throw AppError PRACTICE_DB_UNAVAILABLE | PRACTICE_SERVER_* (connecting) |
 *   PRACTICE_DB_CONFLICT | PRACTICE_DB_FAILED (see {@link mapPgError})
 */
export function openPgEngine(config: pg.PoolConfig, opts: PgEngineOptions = {}): SqlEngine {
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
      return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
    }) as unknown as pg.CustomTypesConfig['getTypeParser'],
  };
  const pool = new pg.Pool({ ...config, types });
  pool.on('error', (e) => opts.onIdleError?.(mapPgError(e)));
  return new PgEngine(pool);
}
