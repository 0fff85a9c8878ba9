import type { Dialect } from '../engine';

/**
 * One numbered migration of the practice store. `up` returns the statements for the dialect (no placeholders, one
 * statement per string), so the few type differences (BLOB/BYTEA, …; see engine.ts sqlTypes) are stated in the
 * migration itself. Applied once, in its own transaction, by migrate.ts.
 */
export interface PracticeMigration {
  /** 1, 2, 3 … (the file is named 000N-<name>.ts). */
  version: number;
  /** Short kebab-case name, as in the file name. */
  name: string;
  up(dialect: Dialect): string[];
}
