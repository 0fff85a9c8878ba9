/**
 * Both practice-store engines for repository tests (issue #17): `describe.each(engines())('$name', (h) => …)`.
 *
 * - sqlite: a fresh `:memory:` database per {@link EngineHarness.fresh} call;
 * - postgres: ONE throwaway cluster per test file (test/support/postgres.ts, started in `start`, stopped in `stop`),
 *   the practice database dropped and re-created by every `fresh` (so tests in a file do not see each other's rows),
 *   connected over TLS verified against the test CA, as a workstation would be (45 CFR 164.312(e)(1)).
 *
 * PostgreSQL missing: under CI the first call throws (a missing tool never turns a test green); elsewhere the
 * postgres harness is left out with a warning.
 *
 * Usage:
 *   describe.each(engines())('$name engine', (h) => {
 *     beforeAll(() => h.start());
 *     afterAll(() => h.stop());
 *     let db: SqlEngine;
 *     beforeEach(async () => { db = await h.fresh(); });   // migrated to the latest schema unless { migrate: false }
 *     afterEach(() => db.close());
 *   });
 */
import type pg from 'pg';
import type { SqlEngine } from '../../src/main/services/practice/engine';
import { migratePractice } from '../../src/main/services/practice/migrate';
import { openPgEngine } from '../../src/main/services/practice/pg-engine';
import { openSqliteEngine } from '../../src/main/services/practice/sqlite-engine';
import { requirePostgres, startPostgres, type RunningPostgres } from './postgres';

export interface EngineHarness {
  name: 'sqlite' | 'postgres';
  /** Start what the engine needs (the PostgreSQL cluster); call in beforeAll. */
  start(): Promise<void>;
  /**
   * A new engine on an empty database, migrated to the latest schema (or not, with `{ migrate: false }`). The
   * caller closes it. On PostgreSQL the database is reset first: close every earlier engine before calling.
   */
  fresh(opts?: { migrate?: boolean; poolSize?: number }): Promise<SqlEngine>;
  /** Another engine on the SAME database as the last `fresh` (a second workstation); PostgreSQL only. */
  another?(opts?: { poolSize?: number }): SqlEngine;
  /** The running cluster (postgres only; after start). */
  server?: RunningPostgres;
  /** Stop the cluster; call in afterAll. */
  stop(): Promise<void>;
}

/** The pool configuration a workstation would build for the test cluster: TLS required and verified. */
export function pgConfig(server: RunningPostgres, poolSize = 4): pg.PoolConfig {
  return {
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    password: server.password,
    ssl: { ca: server.caPem, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    max: poolSize,
  };
}

function sqliteHarness(): EngineHarness {
  return {
    name: 'sqlite',
    start: async () => undefined,
    fresh: async (opts = {}) => {
      const e = openSqliteEngine({ file: ':memory:' });
      if (opts.migrate !== false) await migratePractice(e);
      return e;
    },
    stop: async () => undefined,
  };
}

function postgresHarness(): EngineHarness {
  const h: EngineHarness = {
    name: 'postgres',
    start: async () => {
      h.server = await startPostgres();
    },
    fresh: async (opts = {}) => {
      if (!h.server) throw new Error('postgres harness not started (call h.start() in beforeAll)');
      h.server.reset();
      const e = openPgEngine(pgConfig(h.server, opts.poolSize));
      if (opts.migrate !== false) await migratePractice(e);
      return e;
    },
    another: (opts = {}) => {
      if (!h.server) throw new Error('postgres harness not started');
      return openPgEngine(pgConfig(h.server, opts.poolSize));
    },
    stop: async () => {
      await h.server?.stop();
      h.server = undefined;
    },
  };
  return h;
}

/** The engines to run a repository test on: sqlite always, postgres when installed (see the module comment). */
export function engines(): EngineHarness[] {
  return requirePostgres() ? [sqliteHarness(), postgresHarness()] : [sqliteHarness()];
}
