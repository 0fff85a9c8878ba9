/**
 * Statements several practice-store migrations share, written once. Each returns the exact text its migrations
 * shipped (test/unit/practice/migrations-statements-unchanged.test.ts pins every migration's statements by SHA-256):
 * a piece used by a shipped migration is never edited; a new shape gets a new piece.
 *
 * Rows of the practice store are the record of what happened and are never deleted (45 CFR 164.530(j), 164.312(b)).
 */
import type { Dialect } from '../engine';

/** The refusal raised when a row of the shared queue would be deleted (migrations 2, 4 and 7). */
export const QUEUE_NEVER_DELETED = 'records of the shared queue are never deleted';
/** The refusal raised when a synchronised record of the practice store would be deleted (migration 6). */
export const NEVER_DELETED = 'records of the practice store are never deleted';

/**
 * A trigger refusing `event` on every row of `table`: `<table>_no_<event>`, through the PostgreSQL trigger function
 * `pgFunction` (made by an earlier statement) or, in SQLite, raising `message`.
 * @param message PHI-free: names the rule, never a value
 */
export function refuseRowChange(dialect: Dialect, table: string, event: 'update' | 'delete', pgFunction: string, message: string): string {
  const head = `CREATE TRIGGER ${table}_no_${event} BEFORE ${event.toUpperCase()} ON ${table}`;
  return dialect === 'postgres' ? `${head} FOR EACH ROW EXECUTE FUNCTION ${pgFunction}()` : `${head} BEGIN SELECT RAISE(ABORT, '${message}'); END`;
}

/**
 * A PL/pgSQL trigger function `name()` that raises `message` with SQLSTATE 42501 (insufficient privilege), laid out as
 * migrations 1 and 6 shipped it.
 */
export function pgRefusalFunction(name: string, message: string): string {
  return `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '${message}' USING ERRCODE = '42501';
      END
      $$`;
}

/**
 * `CREATE TABLE name (` one column (or constraint) per line `)`, laid out as migrations 1, 3, 5 and 6 ship their tables
 * (columns at 6 spaces, the closing parenthesis at 4).
 */
export function createTable(name: string, columns: readonly string[]): string {
  return `CREATE TABLE ${name} (\n${columns.map((c) => `      ${c}`).join(',\n')}\n    )`;
}

/** `<name> <type> NOT NULL` for each name, in order (column lines for {@link createTable}). */
export function notNull(type: string, ...names: string[]): string[] {
  return names.map((n) => `${n} ${type} NOT NULL`);
}
