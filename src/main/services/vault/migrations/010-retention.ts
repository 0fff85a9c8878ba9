import { addColumn, refuseChange } from './schema-parts';
import type { Migration } from './types';

/**
 * Retention, legal hold and purge (45 CFR 164.530(j); 164.316(b)(2)(i)).
 *
 * - legal_holds: a hold placed on a patient (by MRN) or on one request stops the purge of everything it covers
 *   until it is released. Holds are kept after release (released_by/at set), never deleted.
 * - documents.purged_at, release_artifacts.purged_at: when the retention purge removed the content (the rows,
 *   their sizes and SHA-256 stay as the record of what existed; the bytes are gone).
 */
export const migration: Migration = {
  version: 10,
  name: 'legal holds; purged content marked',
  up(db) {
    db.exec(`
      CREATE TABLE legal_holds (
        id           TEXT PRIMARY KEY,
        scope        TEXT NOT NULL CHECK (scope IN ('patient','request')),
        patient_mrn  TEXT,
        request_id   TEXT REFERENCES requests(id),
        reason       TEXT NOT NULL,
        placed_by    TEXT NOT NULL,
        placed_at    TEXT NOT NULL,
        released_by  TEXT,
        released_at  TEXT,
        CHECK ((scope = 'patient' AND patient_mrn IS NOT NULL AND request_id IS NULL)
            OR (scope = 'request' AND request_id IS NOT NULL AND patient_mrn IS NULL))
      ) STRICT;
      CREATE INDEX legal_holds_active ON legal_holds(released_at);
      ${refuseChange('legal_holds', 'legal holds are kept')}
      ${addColumn(['documents', 'release_artifacts'], 'purged_at TEXT')}
    `);
  },
};
