import { AppError } from '../../../shared/errors';
import { ADVISORY_LOCKS, advisoryXactLock, type SqlEngine } from './engine';
import { PRACTICE_LATEST_VERSION, practiceMigrations } from './migrations';

export { PRACTICE_LATEST_VERSION, practiceMigrations } from './migrations';

/**
 * The practice store's schema version: the highest version recorded in `practice_schema_version` (one row per
 * applied migration: version, name, applied_at ISO 8601), or 0 for an empty database.
 * @throws AppError as engine.ts storeError
 */
export async function practiceSchemaVersion(engine: SqlEngine): Promise<number> {
  const exists = await schemaTableExists(engine);
  if (!exists) return 0;
  const row = await engine.one<{ v: number | null }>('SELECT max(version) AS v FROM practice_schema_version');
  return Number(row?.v ?? 0);
}

async function schemaTableExists(engine: SqlEngine): Promise<boolean> {
  const row =
    engine.dialect === 'postgres'
      ? await engine.one<{ n: number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'practice_schema_version'")
      : await engine.one<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'practice_schema_version'");
  return Number(row?.n ?? 0) > 0;
}

/**
 * Bring the practice store up to `upTo` (default: the latest this build knows). Each migration runs in its own
 * transaction together with its `practice_schema_version` row, so a crash leaves the schema at a whole version.
 * On PostgreSQL every step first takes `pg_advisory_xact_lock` (engine.ts ADVISORY_LOCKS.migrations) and then
 * re-reads the version, so several workstations starting at once apply each migration exactly once; on SQLite
 * `BEGIN IMMEDIATE` does the same. Running it again applies nothing (idempotent).
 * @returns the schema version afterwards
 * @throws AppError PRACTICE_SCHEMA_NEWER when the database was migrated by a newer build (downgrade is refused,
 *   nothing changed); store errors as engine.ts storeError
 */
export async function migratePractice(engine: SqlEngine, upTo: number = PRACTICE_LATEST_VERSION): Promise<number> {
  const ordered = [...practiceMigrations].sort((a, b) => a.version - b.version);
  for (;;) {
    const step = await engine.transaction(async (tx) => {
      await advisoryXactLock(tx, ADVISORY_LOCKS.migrations);
      await tx.run('CREATE TABLE IF NOT EXISTS practice_schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const row = await tx.one<{ v: number | null }>('SELECT max(version) AS v FROM practice_schema_version');
      const current = Number(row?.v ?? 0);
      if (current > PRACTICE_LATEST_VERSION) {
        throw new AppError('PRACTICE_SCHEMA_NEWER', `The practice database was set up by a newer version of ReleaseDesk (schema ${current}; this version knows ${PRACTICE_LATEST_VERSION}). Update ReleaseDesk on this workstation. Nothing was changed.`, { current, latest: PRACTICE_LATEST_VERSION });
      }
      const next = ordered.find((m) => m.version > current && m.version <= upTo);
      if (!next) return { done: true as const, version: current };
      for (const sql of next.up(tx.dialect)) await tx.run(sql);
      await tx.run('INSERT INTO practice_schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, new Date().toISOString()]);
      return { done: false as const, version: next.version };
    });
    if (step.done) return step.version;
  }
}
