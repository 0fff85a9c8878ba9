import type { Migration } from './types';

/**
 * Releases sent through the practice server's shared outbox (issue #17): the vault stays the origin workstation's
 * record of each disclosure, the shared queue the place it is delivered from.
 *
 * - releases.status adds 'waiting_for_server' (prepared and stored in this vault; the practice server cannot be
 *   reached, so the release waits here and is handed to the shared outbox when the server is back) and
 *   'with_practice_server' (handed to the shared outbox; any workstation of the practice may deliver it; its
 *   outcome is brought back into this vault).
 * - transmissions.practice_pushed_at: when the release was handed to the shared outbox (NULL: sent from here).
 * - transmissions.sent_by_workstation: the workstation that delivered it (its label and id, never PHI; NULL: this
 *   workstation, directly) — the accounting of disclosures says who sent each disclosure.
 * - transmissions.outcome_pulled_at: when its outcome was brought back from the practice server.
 * @source 45 CFR 164.528 (accounting of disclosures), 164.312(b) audit controls
 */
export const migration: Migration = {
  version: 17,
  name: 'releases routed through the practice server: waiting / with the practice server; who sent it',
  up(db) {
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'releases'").get() as { sql: string } | undefined;
    if (!table) throw new Error('migration 17: releases table missing');
    const statuses = /(status\s+TEXT\s+NOT\s+NULL\s+CHECK\s*\(\s*status\s+IN\s*\([^)]*?'cancelled')/;
    if (!statuses.test(table.sql)) throw new Error('migration 17: releases.status check not recognised');
    const newSql = table.sql.replace(statuses, "$1,'waiting_for_server','with_practice_server'");
    const dependents = (
      db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'releases' AND type IN ('index', 'trigger') AND sql IS NOT NULL").all() as Array<{ sql: string }>
    ).map((r) => r.sql);
    db.pragma('defer_foreign_keys = ON');
    db.exec('CREATE TABLE releases_v17 AS SELECT * FROM releases; DROP TABLE releases;');
    db.exec(newSql);
    db.exec('INSERT INTO releases SELECT * FROM releases_v17; DROP TABLE releases_v17;');
    for (const sql of dependents) db.exec(sql);
    db.exec(`
      ALTER TABLE transmissions ADD COLUMN practice_pushed_at TEXT;
      ALTER TABLE transmissions ADD COLUMN sent_by_workstation TEXT;
      ALTER TABLE transmissions ADD COLUMN outcome_pulled_at TEXT;
    `);
  },
};
