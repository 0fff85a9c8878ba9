import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * One numbered schema migration. Version N's `up` turns schema N-1 into N; the vault records the
 * applied version in `PRAGMA user_version`. Never edit a shipped migration: add the next file
 * (`NNN-name.ts`, listed in `../migrations.ts`) with its own test (`test/unit/vault/migration-N.test.ts`).
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
