import { DOCUMENT_FILE_COLUMNS, DOCUMENT_OWNER_COLUMNS } from './schema-parts';
import type { Migration } from './types';

export const migration: Migration = {
  version: 7,
  name: "authorization and consent rules: a request document may be the copy of a personal representative's authority (164.502(g), 164.514(h))",
  up(db) {
    // SQLite cannot ALTER a CHECK constraint: rebuild `documents` with the new kind allowed, keeping every row and
    // column (classified from migration 4). Foreign keys from document_chunks, authorizations.signed_form_document_id
    // and scope_overrides are checked at commit, after every row is back (defer_foreign_keys resets at commit).
    db.pragma('defer_foreign_keys = ON');
    db.exec(`
      CREATE TABLE documents_v7 AS SELECT * FROM documents;
      DROP TABLE documents;
      CREATE TABLE documents (
        ${DOCUMENT_OWNER_COLUMNS}
        kind           TEXT NOT NULL DEFAULT 'record'
                       CHECK (kind IN ('record','extension_notice','authorization_form','signed_authorization','representative_authority')),
        ${DOCUMENT_FILE_COLUMNS},
        category       TEXT NOT NULL DEFAULT 'other',
        document_date  TEXT NOT NULL,
        classified     INTEGER NOT NULL DEFAULT 1 CHECK (classified IN (0, 1)),
        CHECK (kind <> 'record' OR release_id IS NOT NULL)
      ) STRICT;
      INSERT INTO documents (id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count,
                             sha256, imported_at, removed_at, category, document_date, classified)
        SELECT id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count,
               sha256, imported_at, removed_at, category, document_date, classified FROM documents_v7;
      DROP TABLE documents_v7;
      CREATE INDEX documents_by_release ON documents(release_id, position);
      CREATE INDEX documents_by_request ON documents(request_id);
    `);
  },
};
