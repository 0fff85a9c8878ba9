import { DOCUMENT_FILE_COLUMNS, RELEASE_KEY_AND_ERROR_COLUMNS, RELEASE_PARTY_COLUMNS, refuseChange } from './schema-parts';
import type { Migration } from './types';

export const migration: Migration = {
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
        ${RELEASE_PARTY_COLUMNS}
        ${RELEASE_KEY_AND_ERROR_COLUMNS}
      ) STRICT;

      CREATE TABLE documents (
        id             TEXT PRIMARY KEY,
        release_id     TEXT NOT NULL REFERENCES releases(id),
        ${DOCUMENT_FILE_COLUMNS}
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
      ${refuseChange('audit_events', 'audit log is append-only', 'update')}
      ${refuseChange('audit_events', 'audit log is append-only')}
    `);
  },
};
