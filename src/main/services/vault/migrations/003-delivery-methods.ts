import { PART_RESULT_COLUMNS, RELEASE_KEY_AND_ERROR_COLUMNS, RELEASE_PARTY_COLUMNS, releaseV1ColumnNames } from './schema-parts';
import type { Migration } from './types';

export const migration: Migration = {
  version: 3,
  name: 'delivery methods (issue #4): chosen method per release, partly_sent status, per-part send results, outbox messages, vault-held artifacts, delivery setting',
  up(db) {
    // SQLite cannot ALTER a CHECK constraint: rebuild `releases` with 'partly_sent' allowed, keeping every row.
    // Foreign keys from documents, transmissions and scope_overrides are checked at commit, after the rows are back.
    db.pragma('defer_foreign_keys = ON');
    db.exec(`
      CREATE TABLE releases_v2 AS SELECT * FROM releases;
      DROP TABLE releases;
      CREATE TABLE releases (
        id                     TEXT PRIMARY KEY,
        reference              TEXT NOT NULL UNIQUE,
        status                 TEXT NOT NULL CHECK (status IN ('draft','sending','sent','partly_sent','failed')),
        ${RELEASE_PARTY_COLUMNS}
        -- NULL key: a recipient without OpenPGP (password PDF, TLS-only email, export, print).
        ${RELEASE_KEY_AND_ERROR_COLUMNS},
        request_id             TEXT REFERENCES requests(id),
        delivery_method        TEXT CHECK (delivery_method IS NULL OR delivery_method IN ('openpgp-pgp-mime','password-pdf','tls-only-email','export','print'))
      ) STRICT;
      INSERT INTO releases (id, reference, status, ${releaseV1ColumnNames('                            ')}
                            request_id, delivery_method)
        SELECT id, reference, status, ${releaseV1ColumnNames('               ')}
               request_id, CASE WHEN status = 'sent' THEN 'openpgp-pgp-mime' ELSE NULL END
        FROM releases_v2;
      DROP TABLE releases_v2;
      CREATE INDEX releases_by_request ON releases(request_id);

      -- A transmission per release and method: parts of a split email, how many the server accepted, the packet digest.
      ALTER TABLE transmissions ADD COLUMN parts_total INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE transmissions ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE transmissions ADD COLUMN packet_sha256 TEXT;
      CREATE INDEX transmissions_by_release ON transmissions(release_id);

      -- Per-part send results: a retry never resends a part the server accepted (send-parts.ts alreadySent).
      CREATE TABLE transmission_parts (
        transmission_id  TEXT NOT NULL REFERENCES transmissions(id),
        part             INTEGER NOT NULL CHECK (part >= 1),
        part_of          INTEGER NOT NULL CHECK (part_of >= part),
        status           TEXT NOT NULL CHECK (status IN ('sent','failed','pending')),
        ${PART_RESULT_COLUMNS}
        PRIMARY KEY (transmission_id, part)
      ) STRICT;

      -- Composed messages of an email release not yet complete (encrypted parts, inside the encrypted vault),
      -- so a retry re-sends exactly the same bytes; deleted once every part is accepted.
      CREATE TABLE outbox_messages (
        release_id   TEXT NOT NULL REFERENCES releases(id),
        part         INTEGER NOT NULL,
        part_of      INTEGER NOT NULL,
        message_id   TEXT NOT NULL,
        raw          BLOB NOT NULL,
        PRIMARY KEY (release_id, part)
      ) STRICT;

      -- Files ReleaseDesk made for a release and keeps only in the vault (the print-ready packet).
      CREATE TABLE release_artifacts (
        id          TEXT PRIMARY KEY,
        release_id  TEXT NOT NULL REFERENCES releases(id),
        kind        TEXT NOT NULL CHECK (kind IN ('printable')),
        page_count  INTEGER NOT NULL,
        title       TEXT NOT NULL,
        data        BLOB NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX release_artifacts_by_release ON release_artifacts(release_id);

      INSERT OR IGNORE INTO settings (key, value) VALUES ('delivery', '{"messageLimitBytes":18000000}');
    `);
  },
};
