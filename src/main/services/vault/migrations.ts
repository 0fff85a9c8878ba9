import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * Numbered schema migrations. Version N's `up` turns schema N-1 into N; the
 * vault records the applied version in `PRAGMA user_version`. Never edit a
 * shipped migration: add the next one (each has its own test).
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'core: settings, keys, releases, documents, transmissions, audit',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE practice_keys (
          fingerprint      TEXT PRIMARY KEY,
          armored_public   TEXT NOT NULL,
          armored_private  TEXT NOT NULL,
          created_at       TEXT NOT NULL,
          active           INTEGER NOT NULL DEFAULT 1
        ) STRICT;

        CREATE TABLE releases (
          id                     TEXT PRIMARY KEY,
          reference              TEXT NOT NULL UNIQUE,
          status                 TEXT NOT NULL CHECK (status IN ('draft','sending','sent','failed')),
          created_at             TEXT NOT NULL,
          updated_at             TEXT NOT NULL,
          patient_name           TEXT NOT NULL,
          patient_dob            TEXT NOT NULL,
          patient_mrn            TEXT NOT NULL,
          recipient_name         TEXT,
          recipient_email        TEXT,
          recipient_key_armored  TEXT,
          recipient_key_fpr      TEXT,
          fingerprint_confirmed  INTEGER NOT NULL DEFAULT 0,
          last_error_code        TEXT,
          last_error_message     TEXT,
          last_error_at          TEXT
        ) STRICT;

        CREATE TABLE documents (
          id             TEXT PRIMARY KEY,
          release_id     TEXT NOT NULL REFERENCES releases(id),
          position       INTEGER NOT NULL,
          label          TEXT NOT NULL,
          original_name  TEXT NOT NULL,
          media_type     TEXT NOT NULL,
          size_bytes     INTEGER NOT NULL,
          page_count     INTEGER NOT NULL,
          sha256         TEXT NOT NULL,
          imported_at    TEXT NOT NULL,
          removed_at     TEXT
        ) STRICT;
        CREATE INDEX documents_by_release ON documents(release_id, position);

        CREATE TABLE document_chunks (
          document_id TEXT NOT NULL REFERENCES documents(id),
          seq         INTEGER NOT NULL,
          data        BLOB NOT NULL,
          PRIMARY KEY (document_id, seq)
        ) STRICT;

        CREATE TABLE transmissions (
          id                 TEXT PRIMARY KEY,
          release_id         TEXT NOT NULL REFERENCES releases(id),
          at                 TEXT NOT NULL,
          sender             TEXT NOT NULL,
          recipient_name     TEXT NOT NULL,
          recipient_email    TEXT NOT NULL,
          method             TEXT NOT NULL,
          documents_json     TEXT NOT NULL,
          message_id         TEXT NOT NULL,
          smtp_response      TEXT NOT NULL,
          tls_protocol       TEXT NOT NULL,
          tls_cipher         TEXT NOT NULL,
          recipient_key_fpr  TEXT NOT NULL
        ) STRICT;

        CREATE TABLE audit_events (
          seq           INTEGER PRIMARY KEY AUTOINCREMENT,
          at            TEXT NOT NULL,
          actor         TEXT NOT NULL,
          action        TEXT NOT NULL,
          outcome       TEXT NOT NULL CHECK (outcome IN ('success','failure','refused')),
          subject_type  TEXT,
          subject_id    TEXT,
          detail_json   TEXT NOT NULL,
          prev_hash     TEXT NOT NULL,
          hash          TEXT NOT NULL
        ) STRICT;
        -- The audit log is append-only: the database itself refuses edits (164.312(b), (c)(1)).
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      `);
    },
  },
  {
    version: 2,
    name: 'compliance: requests, authorizations, Part 2 consents, unencrypted-email choices, identity checks, scope overrides; document category/date',
    up(db) {
      // Rebuild `documents` (SQLite cannot relax NOT NULL in place): a document now belongs to a
      // release (record files) or to a request (extension notice, authorization form, signed scan),
      // and carries a category and a date of service. Foreign keys from document_chunks are
      // checked at commit, after every row is back (defer_foreign_keys resets at commit).
      db.pragma('defer_foreign_keys = ON');
      db.exec(`
        CREATE TABLE requests (
          id             TEXT PRIMARY KEY,
          reference      TEXT NOT NULL UNIQUE,
          patient_name   TEXT NOT NULL,
          patient_dob    TEXT NOT NULL,
          patient_mrn    TEXT NOT NULL,
          basis          TEXT NOT NULL CHECK (basis IN ('right_of_access','patient_directed','authorization','tpo','required_by_law','hhs')),
          received_at    TEXT NOT NULL,
          status         TEXT NOT NULL CHECK (status IN ('received','verifying','ready','sent','partly_sent','failed','denied','withdrawn')),
          request_json   TEXT NOT NULL,
          -- Staff's reason when the request is denied (164.524(d)) or the note when withdrawn.
          closing_reason TEXT,
          created_at     TEXT NOT NULL,
          updated_at     TEXT NOT NULL
        ) STRICT;
        CREATE INDEX requests_by_status ON requests(status, received_at);
        CREATE INDEX requests_by_patient ON requests(patient_mrn);

        CREATE TABLE documents_v1 AS SELECT * FROM documents;
        DROP TABLE documents;
        CREATE TABLE documents (
          id             TEXT PRIMARY KEY,
          release_id     TEXT REFERENCES releases(id),
          request_id     TEXT REFERENCES requests(id),
          kind           TEXT NOT NULL DEFAULT 'record'
                         CHECK (kind IN ('record','extension_notice','authorization_form','signed_authorization')),
          position       INTEGER NOT NULL,
          label          TEXT NOT NULL,
          original_name  TEXT NOT NULL,
          media_type     TEXT NOT NULL,
          size_bytes     INTEGER NOT NULL,
          page_count     INTEGER NOT NULL,
          sha256         TEXT NOT NULL,
          imported_at    TEXT NOT NULL,
          removed_at     TEXT,
          category       TEXT NOT NULL DEFAULT 'other',
          document_date  TEXT NOT NULL,
          CHECK (kind <> 'record' OR release_id IS NOT NULL)
        ) STRICT;
        -- Existing record files: category 'other', dated by their import day (UTC), to be classified by staff.
        INSERT INTO documents (id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count,
                               sha256, imported_at, removed_at, category, document_date)
          SELECT id, release_id, NULL, 'record', position, label, original_name, media_type, size_bytes, page_count,
                 sha256, imported_at, removed_at, 'other', substr(imported_at, 1, 10) FROM documents_v1;
        DROP TABLE documents_v1;
        CREATE INDEX documents_by_release ON documents(release_id, position);
        CREATE INDEX documents_by_request ON documents(request_id);

        CREATE TABLE authorizations (
          id                       TEXT PRIMARY KEY,
          request_id               TEXT REFERENCES requests(id),
          patient_mrn              TEXT NOT NULL,
          authorization_json       TEXT NOT NULL,
          signed_form_document_id  TEXT REFERENCES documents(id),
          -- A replaced authorization is kept (164.508(b)(6), 164.530(j)) and points to its successor.
          superseded_by            TEXT REFERENCES authorizations(id),
          created_at               TEXT NOT NULL,
          updated_at               TEXT NOT NULL
        ) STRICT;
        CREATE INDEX authorizations_by_request ON authorizations(request_id);

        CREATE TABLE part2_consents (
          id            TEXT PRIMARY KEY,
          request_id    TEXT REFERENCES requests(id),
          patient_mrn   TEXT NOT NULL,
          consent_json  TEXT NOT NULL,
          created_at    TEXT NOT NULL,
          updated_at    TEXT NOT NULL
        ) STRICT;
        CREATE INDEX part2_consents_by_patient ON part2_consents(patient_mrn);

        CREATE TABLE unencrypted_email_acknowledgments (
          id                TEXT PRIMARY KEY,
          request_id        TEXT REFERENCES requests(id),
          patient_mrn       TEXT NOT NULL,
          acknowledgment_json TEXT NOT NULL,
          recorded_by       TEXT NOT NULL,
          recorded_at       TEXT NOT NULL
        ) STRICT;
        CREATE INDEX unencrypted_acks_by_patient ON unencrypted_email_acknowledgments(patient_mrn);

        CREATE TABLE identity_verifications (
          id          TEXT PRIMARY KEY,
          request_id  TEXT NOT NULL REFERENCES requests(id),
          subject     TEXT NOT NULL CHECK (subject IN ('identity','authority')),
          method      TEXT NOT NULL,
          checked_by  TEXT NOT NULL,
          checked_at  TEXT NOT NULL,
          notes       TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX identity_verifications_by_request ON identity_verifications(request_id);

        CREATE TABLE scope_overrides (
          id           TEXT PRIMARY KEY,
          release_id   TEXT NOT NULL REFERENCES releases(id),
          document_id  TEXT NOT NULL REFERENCES documents(id),
          reason       TEXT NOT NULL,
          recorded_by  TEXT NOT NULL,
          recorded_at  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX scope_overrides_by_release ON scope_overrides(release_id);

        -- A release is made for a request; releases made before requests existed keep NULL (they cannot be sent).
        ALTER TABLE releases ADD COLUMN request_id TEXT REFERENCES requests(id);
        CREATE INDEX releases_by_request ON releases(request_id);

        -- What each disclosure relied on (accounting of disclosures, 164.528; 164.508; 164.524(c)(2)).
        ALTER TABLE transmissions ADD COLUMN request_id TEXT REFERENCES requests(id);
        ALTER TABLE transmissions ADD COLUMN legal_basis TEXT;
        ALTER TABLE transmissions ADD COLUMN authorization_id TEXT REFERENCES authorizations(id);
        ALTER TABLE transmissions ADD COLUMN acknowledgment_id TEXT REFERENCES unencrypted_email_acknowledgments(id);
      `);
    },
  },
  {
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
          created_at             TEXT NOT NULL,
          updated_at             TEXT NOT NULL,
          patient_name           TEXT NOT NULL,
          patient_dob            TEXT NOT NULL,
          patient_mrn            TEXT NOT NULL,
          recipient_name         TEXT,
          recipient_email        TEXT,
          -- NULL key: a recipient without OpenPGP (password PDF, TLS-only email, export, print).
          recipient_key_armored  TEXT,
          recipient_key_fpr      TEXT,
          fingerprint_confirmed  INTEGER NOT NULL DEFAULT 0,
          last_error_code        TEXT,
          last_error_message     TEXT,
          last_error_at          TEXT,
          request_id             TEXT REFERENCES requests(id),
          delivery_method        TEXT CHECK (delivery_method IS NULL OR delivery_method IN ('openpgp-pgp-mime','password-pdf','tls-only-email','export','print'))
        ) STRICT;
        INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email,
                              recipient_key_armored, recipient_key_fpr, fingerprint_confirmed, last_error_code, last_error_message, last_error_at,
                              request_id, delivery_method)
          SELECT id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email,
                 recipient_key_armored, recipient_key_fpr, fingerprint_confirmed, last_error_code, last_error_message, last_error_at,
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
          message_id       TEXT NOT NULL,
          sent_at          TEXT,
          smtp_response    TEXT,
          tls_protocol     TEXT,
          tls_cipher       TEXT,
          error_code       TEXT,
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
  },
  {
    version: 4,
    name: 'input hygiene: documents classified by staff, recipient address confirmation',
    up(db) {
      // New record files start UNCLASSIFIED (classified = 0) and the release gate blocks them until staff set the
      // category and date of service. Existing files of releases that can still be sent are set back to unclassified
      // (their category/date may be the old import defaults); files of sent releases keep what went out.
      // Staff's confirmation of an exact recipient address (who, when) after a typo/look-alike/request-mismatch prompt.
      db.exec(`
        ALTER TABLE documents ADD COLUMN classified INTEGER NOT NULL DEFAULT 1 CHECK (classified IN (0, 1));
        UPDATE documents SET classified = 0
          WHERE kind = 'record' AND removed_at IS NULL
            AND release_id IN (SELECT id FROM releases WHERE status IN ('draft', 'failed'));
        ALTER TABLE releases ADD COLUMN recipient_address_confirmed_by TEXT;
        ALTER TABLE releases ADD COLUMN recipient_address_confirmed_at TEXT;
        -- The recipient key's user IDs (JSON array) as read when it was set, for the gate's user-ID/address check.
        ALTER TABLE releases ADD COLUMN recipient_key_user_ids TEXT;
      `);
    },
  },
];

/** Latest schema version this build knows. */
export const LATEST_VERSION = migrations.reduce((m, x) => Math.max(m, x.version), 0);

/**
 * Apply every migration above the database's `user_version`, each in its own transaction.
 * @throws Error when the database is newer than this build (downgrade is not supported).
 */
export function migrate(db: Database, upTo: number = LATEST_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) throw new Error(`vault schema ${current} is newer than this build (${LATEST_VERSION})`);
  for (const m of migrations.filter((x) => x.version > current && x.version <= upTo).sort((a, b) => a.version - b.version)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
