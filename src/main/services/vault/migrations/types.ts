import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * One numbered schema migration. Version N's `up` turns schema N-1 into N; the vault records the
 * applied version in `PRAGMA user_version`. Never change what a shipped migration runs: add the next file
 * (`NNN-name.ts`, listed in `../migrations.ts`) with its own test (`test/unit/vault/migration-N.test.ts`) and its
 * fingerprint row in `test/unit/vault/migrations-statements-unchanged.test.ts`. Repeated SQL text (column runs,
 * the keep-the-rows trigger) comes from `schema-parts.ts`; the fingerprint test proves a refactor ran the same
 * statements byte for byte.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
