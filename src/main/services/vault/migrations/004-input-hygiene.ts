import type { Migration } from './types';

export const migration: Migration = {
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
};
