import { refuseChange } from './schema-parts';
import type { Migration } from './types';

/**
 * Address confirmation round trip (issue #12, misdirected-email safeguard, 164.530(c)):
 *
 * - address_confirmations: one row per code sent. The address (trimmed, lower-case) and the patient's MRN it was
 *   confirmed for; the code only as HMAC-SHA256 (vault subkey, per-row salt), never in clear; when it was sent and
 *   when it expires; failed attempts (bounded by the service); the Message-ID of the code email; and, once the
 *   recipient read the code back, who recorded it, when and by which method. A newer code for the same address and
 *   patient supersedes an older pending one (superseded_at). Rows are kept (the confirmation is documentation).
 * - releases.recipient_address_confirmed_method: how the release's recipient address was confirmed —
 *   'read_back' (staff read it back with the recipient, the earlier checkbox) or 'code' (this round trip);
 *   NULL on older rows means 'read_back'.
 * - documents.also_categories (issue #12, same trial): a combined record file carries more than one category — its
 *   filed category plus these (a JSON array of category codes, '[]' for every existing file).
 */
export const migration: Migration = {
  version: 13,
  name: 'address confirmations (code round trip)',
  up(db) {
    db.exec(`
      CREATE TABLE address_confirmations (
        id            TEXT PRIMARY KEY,
        address       TEXT NOT NULL CHECK (address = lower(trim(address)) AND address LIKE '%_@_%'),
        patient_mrn   TEXT NOT NULL,
        release_id    TEXT REFERENCES releases(id),
        code_salt     TEXT NOT NULL,
        code_hmac     TEXT NOT NULL,
        sent_at       TEXT NOT NULL,
        expires_at    TEXT NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        message_id    TEXT,
        superseded_at TEXT,
        confirmed_at  TEXT,
        confirmed_by  TEXT,
        method        TEXT CHECK (method IN ('code')),
        CHECK ((confirmed_at IS NULL AND confirmed_by IS NULL AND method IS NULL)
            OR (confirmed_at IS NOT NULL AND confirmed_by IS NOT NULL AND method IS NOT NULL))
      ) STRICT;
      CREATE INDEX address_confirmations_lookup ON address_confirmations(address, patient_mrn, sent_at);
      ${refuseChange('address_confirmations', 'address confirmations are kept')}
      ALTER TABLE releases ADD COLUMN recipient_address_confirmed_method TEXT
        CHECK (recipient_address_confirmed_method IN ('read_back','code'));
      ALTER TABLE documents ADD COLUMN also_categories TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(also_categories) AND json_type(also_categories) = 'array');
    `);
  },
};
