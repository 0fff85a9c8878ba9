import { SYNC_CONFLICT_COLUMNS } from './schema-parts';
import type { Migration } from './types';

/** The vault tables whose rows are synchronised with the practice server, and the kind each is known by there. */
const SYNCED: ReadonlyArray<[table: string, kind: string]> = [
  ['requests', 'request'],
  ['releases', 'release'],
  ['documents', 'document'],
  ['authorizations', 'authorization'],
  ['identity_verifications', 'verification'],
  ['part2_consents', 'part2_consent'],
  ['unencrypted_email_acknowledgments', 'email_acknowledgment'],
];

function changeTriggers(table: string, kind: string): string {
  return ['insert', 'update']
    .map(
      (event) => `CREATE TRIGGER practice_sync_${table}_${event} AFTER ${event.toUpperCase()} ON ${table}
        BEGIN
          DELETE FROM practice_sync_changes WHERE kind = '${kind}' AND row_id = NEW.id;
          INSERT INTO practice_sync_changes (kind, row_id) VALUES ('${kind}', NEW.id);
        END;`,
    )
    .join('\n      ');
}

/**
 * The rest of a request synchronised with the practice server, cheaply (issue #17):
 *
 * - practice_sync_changes: the local change outbox. Every insert or update of a synchronised row (requests, draft
 *   releases, documents, authorizations, identity verifications, Part 2 consents, unencrypted-email
 *   acknowledgments) moves its (kind, id) to a new, higher seq (triggers; one row per record: the row is a pointer into the outbox, not a
 *   record, so the trigger replaces it). A pass pushes the
 *   records whose seq is above the link's `last_pushed_change`, instead of reading every row. Existing rows are
 *   entered once here, so the first pass after the upgrade looks at everything.
 * - practice_link.last_pushed_change / last_pulled_change: the two cursors (the local change seq pushed, the
 *   server's practice-wide change sequence pulled).
 * - practice_sync_records: per record of another kind than a request, the last version this vault and the server
 *   had in common (server version and a SHA-256 of the row then), as practice_sync_requests does for requests.
 * - practice_sync_record_conflicts: both sides changed such a record since; both versions kept (JSON), never deleted
 *   (45 CFR 164.530(j)), at most one open per record, decided like request conflicts.
 * - practice_sync_documents: a document whose file is complete on the server (pushed, or pulled into this vault);
 *   its file is never sent again (documents are immutable once imported).
 * - practice_pulled_chunks: the chunks of a document's file being pulled, staged until the last one is there; then the
 *   document row and its chunks enter the vault in one transaction (a half-pulled file is never a document) and the
 *   staged copies are dropped (they are inside this encrypted vault the whole time).
 * - requests.reference_issued_by: 'server' (allocated from the practice-wide counter while online), 'workstation'
 *   (issued offline, unique by construction: it carries this workstation's tag) or NULL (before a practice server,
 *   local numbering). A reference never changes once issued.
 */
export const migration: Migration = {
  version: 19,
  name: 'practice sync: change outbox, records and documents of a request, cursors, reference origin',
  up(db) {
    db.exec(`
      CREATE TABLE practice_sync_changes (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        kind    TEXT NOT NULL,
        row_id  TEXT NOT NULL,
        UNIQUE (kind, row_id)
      ) STRICT;
      ${SYNCED.map(([t, k]) => changeTriggers(t, k)).join('\n      ')}
      ${SYNCED.map(([t, k]) => `INSERT INTO practice_sync_changes (kind, row_id) SELECT '${k}', id FROM ${t} ORDER BY rowid;`).join('\n      ')}
      ALTER TABLE practice_link ADD COLUMN last_pushed_change INTEGER NOT NULL DEFAULT 0 CHECK (last_pushed_change >= 0);
      ALTER TABLE practice_link ADD COLUMN last_pulled_change INTEGER NOT NULL DEFAULT 0 CHECK (last_pulled_change >= 0);
      CREATE TABLE practice_sync_records (
        kind            TEXT NOT NULL,
        row_id          TEXT NOT NULL,
        server_version  INTEGER NOT NULL CHECK (server_version >= 1),
        base_hash       TEXT NOT NULL CHECK (length(base_hash) = 64),
        synced_at       TEXT NOT NULL,
        PRIMARY KEY (kind, row_id)
      ) STRICT;
      CREATE TABLE practice_sync_record_conflicts (
        id             TEXT PRIMARY KEY,
        kind           TEXT NOT NULL,
        row_id         TEXT NOT NULL,
        ${SYNC_CONFLICT_COLUMNS}
      ) STRICT;
      CREATE UNIQUE INDEX practice_sync_record_conflicts_open ON practice_sync_record_conflicts(kind, row_id) WHERE resolved_at IS NULL;
      CREATE TRIGGER practice_sync_record_conflicts_kept BEFORE DELETE ON practice_sync_record_conflicts
        BEGIN SELECT RAISE(ABORT, 'sync conflicts are kept'); END;
      CREATE TABLE practice_sync_documents (
        document_id  TEXT PRIMARY KEY REFERENCES documents(id),
        direction    TEXT NOT NULL CHECK (direction IN ('pushed', 'pulled')),
        complete_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE practice_pulled_chunks (
        document_id  TEXT NOT NULL,
        seq          INTEGER NOT NULL CHECK (seq >= 0),
        data         BLOB NOT NULL,
        PRIMARY KEY (document_id, seq)
      ) STRICT;
      ALTER TABLE requests ADD COLUMN reference_issued_by TEXT CHECK (reference_issued_by IN ('server', 'workstation'));
    `);
  },
};
