import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * SQL lives only in repository files (`*repo.ts`), the numbered migrations and the vault module's own low level
 * (src/main/services/vault/vault.ts: keying, the wrong-key check `SELECT count(*) FROM sqlite_master`, `VACUUM INTO`
 * for backups), so a second storage engine touches nothing else (docs/architecture.md). One more: the audit chain's
 * verification worker (audit/chain-worker-source.ts) is a source text run in a worker thread on its own read-only
 * connection; it can import nothing, so it prepares the SQL texts chain-repo.ts exports.
 */
const ROOT = join(__dirname, '..', '..');
const STATEMENT = /\b(?:db|Db)\s*\.\s*(?:prepare|exec|pragma)\s*\(/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e) ? [p] : [];
  });
}

function allowed(rel: string): boolean {
  const posix = rel.split(sep).join('/');
  return /repo\.ts$/.test(posix) || posix.includes('/vault/migrations') || posix.endsWith('/vault/migrations.ts') || posix.endsWith('/vault/vault.ts') || posix.endsWith('/audit/chain-worker-source.ts');
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

  it('the check sees statements split across lines and on a Vault’s db', () => {
    const sample = 'const r = v.db\n    .prepare(`SELECT 1`)\n    .get();\nthis.db.exec("VACUUM");\ndb.pragma("secure_delete = ON");';
    expect(sample.match(STATEMENT)).toHaveLength(3);
    expect('await this.prepare(releaseId, m);').not.toMatch(STATEMENT);
  });
});
