/**
 * The one statement of the practice-server connection test (SQL lives only in `*-repo.ts` files): what the server
 * itself knows about the current session's encryption (`pg_stat_ssl`) and its version. Reads only; nothing is
 * written on the server.
 *
 * Source: 45 CFR 164.312(e)(1) transmission security; PostgreSQL 15 documentation, "The Cumulative Statistics
 * System" (`pg_stat_ssl`: one row per backend, `ssl` true when the connection uses TLS, `version`, `cipher`).
 */

/** Anything that runs one statement: a connected `pg.Client` or `pg.Pool`. */
export interface Queryable {
  query<R extends object>(sql: string): Promise<{ rows: R[] }>;
}

/** The current session as `pg_stat_ssl` reports it, and the server's `server_version`. */
export interface SessionTlsRow {
  ssl: boolean | null;
  /** "TLSv1.3" etc.; null without TLS. */
  version: string | null;
  cipher: string | null;
  server_version: string;
}

/** Read {@link SessionTlsRow} for the connection `q` runs on; undefined if the server has no row for it. */
export async function readSessionTls(q: Queryable): Promise<SessionTlsRow | undefined> {
  const r = await q.query<SessionTlsRow>(
    "SELECT s.ssl, s.version, s.cipher, current_setting('server_version') AS server_version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()",
  );
  return r.rows[0];
}
