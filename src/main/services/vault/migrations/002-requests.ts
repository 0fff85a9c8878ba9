import { DOCUMENT_FILE_COLUMNS, DOCUMENT_OWNER_COLUMNS, patientRecordKeyColumns, patientRecordTable } from './schema-parts';
import type { Migration } from './types';

export const migration: Migration = {
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
        ${DOCUMENT_OWNER_COLUMNS}
        kind           TEXT NOT NULL DEFAULT 'record'
                       CHECK (kind IN ('record','extension_notice','authorization_form','signed_authorization')),
        ${DOCUMENT_FILE_COLUMNS},
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
        ${patientRecordKeyColumns(25)}
        authorization_json       TEXT NOT NULL,
        signed_form_document_id  TEXT REFERENCES documents(id),
        -- A replaced authorization is kept (164.508(b)(6), 164.530(j)) and points to its successor.
        superseded_by            TEXT REFERENCES authorizations(id),
        created_at               TEXT NOT NULL,
        updated_at               TEXT NOT NULL
      ) STRICT;
      CREATE INDEX authorizations_by_request ON authorizations(request_id);

      ${patientRecordTable('part2_consents', 14, ['consent_json', 'created_at', 'updated_at'], 'part2_consents_by_patient')}

      ${patientRecordTable('unencrypted_email_acknowledgments', 18, ['acknowledgment_json', 'recorded_by', 'recorded_at'], 'unencrypted_acks_by_patient')}

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
};
