/**
 * Suite set-up for practice-store tests on both engines (vitest only: it registers hooks), with
 * ./practice-engines: `describe.each(engines())('… on $name', (h) => { const fresh = useEngineHarness(h); … })`.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SqlEngine } from '../../src/main/services/practice/engine';
import type { EngineHarness } from './practice-engines';

/**
 * Registers the suite's hooks around harness `h`: start before all tests, stop after all, and after each test close
 * the engine that test opened with the returned `fresh` (so a failing test leaves no connection open).
 * @returns `fresh`: as {@link EngineHarness.fresh} (migrated to the latest schema unless `{ migrate: false }`)
 */
export function useEngineHarness(h: EngineHarness): (opts?: Parameters<EngineHarness['fresh']>[0]) => Promise<SqlEngine> {
  let open: SqlEngine | undefined;
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });
  return async (opts) => (open = await h.fresh(opts));
}

/** The table names of the store's current schema, sorted (information_schema on PostgreSQL, sqlite_master on SQLite). */
export async function tableNames(db: SqlEngine): Promise<string[]> {
  const rows =
    db.dialect === 'postgres'
      ? await db.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")
      : await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1");
  return rows.map((r) => r.name).sort();
}
