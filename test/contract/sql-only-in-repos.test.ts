import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * SQL lives only in repository files (`*repo.ts`), the numbered migrations and the vault module's own low level
 * (src/main/services/vault/vault.ts: keying, the wrong-key check `SELECT count(*) FROM sqlite_master`, `VACUUM INTO`
 * for backups), so a second storage engine touches nothing else (docs/architecture.md). One more kind: worker sources
 * (`*-worker-source.ts`: the audit chain's verification worker, the outbox's WAL checkpoint worker) are source texts
 * run in a worker thread on their own connection; they can import nothing, so they prepare the SQL texts their
 * repositories export.
 *
 * The practice store (src/main/services/practice/, issue #17) runs SQL through a SqlEngine (`.all(` / `.one(` /
 * `.run(` with SQL text): allowed only in its `*-repo.ts` files, its migrations (`migrations/`, the runner
 * `migrate.ts`) and the engine files (`engine.ts`, `sqlite-engine.ts`, `pg-engine.ts`).
 */
const ROOT = join(__dirname, '..', '..');
const STATEMENT = /\b(?:db|Db)\s*\.\s*(?:prepare|exec|pragma)\s*\(/g;

/**
 * An engine call whose first argument is SQL text: a string or template literal that starts with a SQL keyword
 * (possibly after white space), or a name ending in SQL / Sql (a text built elsewhere).
 */
const ENGINE_SQL = /\.\s*(?:all|one|run)\s*(?:<[^>()]*>)?\s*\(\s*(?:[`'"]\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|VACUUM|LOCK|TRUNCATE|SET|ANALYZE|REINDEX)(?![\w-])|[A-Za-z_$][\w$]*(?:SQL|Sql)\b)/gi;

function practiceAllowed(rel: string): boolean {
  const posix = rel.split(sep).join('/');
  return /-repo\.ts$/.test(posix) || posix.includes('/practice/migrations/') || /\/practice\/(migrate|engine|sqlite-engine|pg-engine)\.ts$/.test(posix);
}

/** `file: count` for every file under practice/ outside its repositories, migrations and engine files that runs SQL text. */
function practiceOffenders(files: string[]): string[] {
  return files
    .map((f) => [relative(ROOT, f), (readFileSync(f, 'utf8').match(ENGINE_SQL) ?? []).length] as const)
    .filter(([rel, n]) => n > 0 && !practiceAllowed(rel))
    .map(([rel, n]) => `${rel}: ${n}`);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e) ? [p] : [];
  });
}

function allowed(rel: string): boolean {
  const posix = rel.split(sep).join('/');
  return /repo\.ts$/.test(posix) || posix.includes('/vault/migrations') || posix.endsWith('/vault/migrations.ts') || posix.endsWith('/vault/vault.ts') || /-worker-source\.ts$/.test(posix) || posix.endsWith('/practice/sqlite-engine.ts');
}

/** `file: count` for every file outside repositories, migrations and the vault module that runs SQL statements. */
function offenders(files: string[]): string[] {
  return files
    .map((f) => [relative(ROOT, f), (readFileSync(f, 'utf8').match(STATEMENT) ?? []).length] as const)
    .filter(([rel, n]) => n > 0 && !allowed(rel))
    .map(([rel, n]) => `${rel}: ${n}`);
}

describe('SQL only in repositories and migrations', () => {
  it('no file in src/ outside *repo.ts, vault/migrations and vault/vault.ts prepares, execs or pragmas', () => {
    expect(offenders(tsFiles(join(ROOT, 'src')))).toEqual([]);
  });

  it('no file under practice/ outside *-repo.ts, migrations and the engine files runs SQL text through a SqlEngine', () => {
    const dir = join(ROOT, 'src', 'main', 'services', 'practice');
    expect(tsFiles(dir).length).toBeGreaterThan(0);
    expect(practiceOffenders(tsFiles(dir))).toEqual([]);
  });

  it('the practice check sees engine calls with SQL text (typed, split across lines, template or a SQL constant) and not other calls', () => {
    const sample = [
      "await engine.one<{ n: number }>('SELECT count(*) AS n FROM practice_requests');",
      'await tx\n  .run(\n    `INSERT INTO practice_audit_events (seq) VALUES ($1)`, [1]);',
      "await db.all(\"  with x as (select 1) select * from x\");",
      'await tx.run(CLAIM_SQL, [id]);',
      "const ok = await this.run(releaseId, 'x');",
      "items.all((x) => x.ok);",
      "await worker.run('select-a-file');",
    ].join('\n');
    expect(sample.match(ENGINE_SQL)).toHaveLength(4);
    expect(practiceAllowed('src/main/services/practice/requests-repo.ts')).toBe(true);
    expect(practiceAllowed('src/main/services/practice/migrations/0001-practice-core.ts')).toBe(true);
    expect(practiceAllowed('src/main/services/practice/pg-engine.ts')).toBe(true);
    expect(practiceAllowed('src/main/services/practice/queue-worker.ts')).toBe(false);
    expect(practiceAllowed('src/main/services/practice/sealing.ts')).toBe(false);
  });

  it('the check sees statements split across lines and on a Vault’s db', () => {
    const sample = 'const r = v.db\n    .prepare(`SELECT 1`)\n    .get();\nthis.db.exec("VACUUM");\ndb.pragma("secure_delete = ON");';
    expect(sample.match(STATEMENT)).toHaveLength(3);
    expect('await this.prepare(releaseId, m);').not.toMatch(STATEMENT);
  });
});
