import { SYNC_CONFLICT_COLUMNS } from './schema-parts';
import type { Migration } from './types';

/**
 * This workstation's link to the practice server (issue #17): what it keeps in its own encrypted vault to work
 * offline first and synchronise with the shared store.
 *
 * - practice_link (one row): the workstation's random id (32 hex) and the label staff chose, the practice data key
 *   (32 bytes; only inside this SQLCipher vault, never sent anywhere; NULL after a disconnect erased it) with its
 *   public key id, who joined and when, the last successful synchronisation, and the last local audit seq appended to
 *   the practice's shared chain. 45 CFR 164.312(a)(2)(iv) (the key is kept encrypted at rest), 164.312(b).
 * - practice_sync_requests: per request, the last version this vault and the server had in common (server version,
 *   the reference the server knows, a SHA-256 of the content then). A change on either side is measured against it.
 * - practice_sync_conflicts: both sides changed a request since that common version. Both versions are kept as they
 *   were (JSON), and the decision (which version was kept, by whom, when) is added later; rows are never deleted
 *   (45 CFR 164.530(j)); at most one open conflict per request. `superseded`: the server changed again before the
 *   decision, and a new conflict with its newer version replaced this one.
 */
export const migration: Migration = {
  version: 16,
  name: 'practice link: workstation, kept practice key, sync state and conflicts',
  up(db) {
    db.exec(`
      CREATE TABLE practice_link (
        id                    INTEGER PRIMARY KEY CHECK (id = 1),
        workstation_id        TEXT NOT NULL CHECK (length(workstation_id) = 32),
        workstation_label     TEXT NOT NULL CHECK (length(workstation_label) BETWEEN 1 AND 60),
        key_id                TEXT,
        data_key              BLOB CHECK (data_key IS NULL OR length(data_key) = 32),
        joined_at             TEXT NOT NULL,
        joined_by             TEXT NOT NULL,
        last_sync_at          TEXT,
        last_pushed_audit_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_pushed_audit_seq >= 0),
        CHECK ((key_id IS NULL) = (data_key IS NULL))
      ) STRICT;
      CREATE TABLE practice_sync_requests (
        request_id       TEXT PRIMARY KEY REFERENCES requests(id),
        server_version   INTEGER NOT NULL CHECK (server_version >= 1),
        server_reference TEXT NOT NULL,
        base_hash        TEXT NOT NULL CHECK (length(base_hash) = 64),
        synced_at        TEXT NOT NULL
      ) STRICT;
      CREATE TABLE practice_sync_conflicts (
        id             TEXT PRIMARY KEY,
        request_id     TEXT NOT NULL REFERENCES requests(id),
        ${SYNC_CONFLICT_COLUMNS}
      ) STRICT;
      CREATE UNIQUE INDEX practice_sync_conflicts_open ON practice_sync_conflicts(request_id) WHERE resolved_at IS NULL;
      CREATE TRIGGER practice_sync_conflicts_kept BEFORE DELETE ON practice_sync_conflicts
        BEGIN SELECT RAISE(ABORT, 'sync conflicts are kept'); END;
    `);
  },
};
