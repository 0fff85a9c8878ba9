import { refuseChange } from './schema-parts';
import type { Migration } from './types';

/**
 * Bounces read back: every delivery status notification (RFC 3464) ReleaseDesk applied, kept as a ledger so the
 * same report read twice changes nothing, and the time a part was reported bounced.
 *
 * - bounce_reports: one row per distinct report (its digest over the report's fields, never its text): what it
 *   was matched to (transmission and part, or nothing), the recipient group's Action and enhanced Status code
 *   (RFC 3463), and what ReleaseDesk did with it. PHI-free by construction: codes, ids and times only — a bounce's
 *   subject and diagnostic text can quote names and are never stored. Append-only (no delete).
 * - transmission_parts.bounced_at: when the report that bounced the part was applied.
 * - release_notices: patient notices made for a release (the delivery-failure letter), kept in the vault with
 *   the language they were written in; never deleted. PHI-free by design (no name, no record content).
 */
export const migration: Migration = {
  version: 9,
  name: 'bounce reports ledger, part bounced_at, release notices',
  up(db) {
    db.exec(`
      CREATE TABLE bounce_reports (
        digest           TEXT PRIMARY KEY,
        received_at      TEXT NOT NULL,
        outcome          TEXT NOT NULL CHECK (outcome IN ('bounced','delayed','ignored','unmatched','duplicate_part')),
        matched_by       TEXT CHECK (matched_by IS NULL OR matched_by IN ('envid','message_id')),
        transmission_id  TEXT REFERENCES transmissions(id),
        part             INTEGER,
        action           TEXT,
        status           TEXT,
        source           TEXT NOT NULL CHECK (source IN ('mailbox','staff','test'))
      ) STRICT;
      CREATE INDEX bounce_reports_by_part ON bounce_reports(transmission_id, part);
      ${refuseChange('bounce_reports', 'bounce reports are kept')}
      ALTER TABLE transmission_parts ADD COLUMN bounced_at TEXT;
      CREATE TABLE release_notices (
        id          TEXT PRIMARY KEY,
        release_id  TEXT NOT NULL REFERENCES releases(id),
        kind        TEXT NOT NULL CHECK (kind IN ('delivery_failure')),
        language    TEXT NOT NULL CHECK (language IN ('en','es')),
        page_count  INTEGER NOT NULL,
        data        BLOB NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX release_notices_by_release ON release_notices(release_id);
      ${refuseChange('release_notices', 'notices are kept')}
    `);
  },
};
