import { OUTBOX_MESSAGE_COLUMNS, PART_RESULT_COLUMNS, RELEASE_KEY_AND_ERROR_COLUMNS, RELEASE_PARTY_COLUMNS, refuseChange, releaseV1ColumnNames } from './schema-parts';
import type { Migration } from './types';

/**
 * Exactly-once releases: the release state machine's states, a queue, the outbox keyed by transmission,
 * per-part states that say what the server may hold, and every send attempt kept.
 *
 * - releases: status adds 'queued' (waiting in the outbox for the mail server), 'unconfirmed' (a part's
 *   DATA was handed over but no reply came: it may have been delivered), 'bounced' (a DSN said a part
 *   was not delivered) and 'cancelled' (staff withdrew it before anything went out); the queue's next try,
 *   attempt count and pause flag.
 * - transmissions: never deleted; `closed_at`/`closed_reason` when staff withdrew a prepared transmission
 *   before any part left (it then is no disclosure); the DSN envelope id; what it was prepared from; a password
 *   PDF's passphrase until staff confirm they gave it to the recipient (then it is erased, the time kept).
 * - transmission_parts: status adds 'sending' (claimed: the attempt started), 'unconfirmed' and 'bounced';
 *   `handed_over_at` is committed BEFORE the final "." of DATA is written, so recovery tells "cannot have
 *   been delivered" (no handed_over_at: back to pending) from "may have been delivered" (unconfirmed);
 *   staff's resolution of an unconfirmed part; the attempt count.
 * - transmission_attempts: every attempt of every part with its outcome (append-only, like the audit).
 * - outbox_messages: keyed by transmission (a release can be prepared again after a withdrawn
 *   transmission) with the SMTP envelope, so a retry sends exactly the stored bytes to the stored envelope.
 */
export const migration: Migration = {
  version: 5,
  name: 'exactly-once releases: release states, queue, outbox per transmission, part states, attempts',
  up(db) {
    db.pragma('defer_foreign_keys = ON');
    db.exec(`
      CREATE TABLE releases_v5 AS SELECT * FROM releases;
      DROP TABLE releases;
      CREATE TABLE releases (
        id                     TEXT PRIMARY KEY,
        reference              TEXT NOT NULL UNIQUE,
        status                 TEXT NOT NULL CHECK (status IN ('draft','queued','sending','sent','partly_sent','unconfirmed','failed','bounced','cancelled')),
        ${RELEASE_PARTY_COLUMNS}
        ${RELEASE_KEY_AND_ERROR_COLUMNS},
        request_id             TEXT REFERENCES requests(id),
        delivery_method        TEXT CHECK (delivery_method IS NULL OR delivery_method IN ('openpgp-pgp-mime','password-pdf','tls-only-email','export','print')),
        recipient_address_confirmed_by TEXT,
        recipient_address_confirmed_at TEXT,
        recipient_key_user_ids TEXT,
        -- The queue: when the sender tries next (NULL: not waiting), how many automatic tries so far, paused by staff.
        next_attempt_at        TEXT,
        send_attempts          INTEGER NOT NULL DEFAULT 0,
        queue_paused           INTEGER NOT NULL DEFAULT 0 CHECK (queue_paused IN (0, 1))
      ) STRICT;
      INSERT INTO releases (id, reference, status, ${releaseV1ColumnNames('                            ')}
                            request_id, delivery_method, recipient_address_confirmed_by, recipient_address_confirmed_at, recipient_key_user_ids)
        SELECT id, reference, status, ${releaseV1ColumnNames('               ')}
               request_id, delivery_method, recipient_address_confirmed_by, recipient_address_confirmed_at, recipient_key_user_ids
        FROM releases_v5;
      DROP TABLE releases_v5;
      CREATE INDEX releases_by_request ON releases(request_id);
      CREATE INDEX releases_by_status ON releases(status, next_attempt_at);

      ALTER TABLE transmissions ADD COLUMN envid TEXT;
      ALTER TABLE transmissions ADD COLUMN closed_at TEXT;
      ALTER TABLE transmissions ADD COLUMN closed_reason TEXT CHECK (closed_reason IS NULL OR closed_reason IN ('withdrawn','cancelled','superseded'));
      -- SHA-256 of what was prepared (method, documents, recipient, key): a retry reuses the stored messages only for the same content.
      ALTER TABLE transmissions ADD COLUMN content_digest TEXT;
      -- The one passphrase of a password-PDF transmission, kept (inside the encrypted vault) until staff confirm they
      -- gave it to the recipient, so a crash or a lost screen never leaves stored messages nobody can open.
      ALTER TABLE transmissions ADD COLUMN passphrase TEXT;
      ALTER TABLE transmissions ADD COLUMN passphrase_given_at TEXT;

      CREATE TABLE transmission_parts_v5 AS SELECT * FROM transmission_parts;
      DROP TABLE transmission_parts;
      CREATE TABLE transmission_parts (
        transmission_id  TEXT NOT NULL REFERENCES transmissions(id),
        part             INTEGER NOT NULL CHECK (part >= 1),
        part_of          INTEGER NOT NULL CHECK (part_of >= part),
        status           TEXT NOT NULL CHECK (status IN ('pending','sending','sent','unconfirmed','failed','bounced')),
        ${PART_RESULT_COLUMNS}
        size_bytes       INTEGER,
        attempts         INTEGER NOT NULL DEFAULT 0,
        handed_over_at   TEXT,
        resolution       TEXT CHECK (resolution IS NULL OR resolution IN ('recipient_confirmed','resend')),
        resolved_by      TEXT,
        resolved_at      TEXT,
        bounce_status    TEXT,
        PRIMARY KEY (transmission_id, part)
      ) STRICT;
      INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, sent_at, smtp_response, tls_protocol, tls_cipher, error_code, attempts)
        SELECT transmission_id, part, part_of, status, message_id, sent_at, smtp_response, tls_protocol, tls_cipher, error_code,
               CASE WHEN status = 'pending' THEN 0 ELSE 1 END
        FROM transmission_parts_v5;
      DROP TABLE transmission_parts_v5;
      -- PGP/MIME sends before this version wrote no part rows: one 'sent' part each.
      INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, sent_at, smtp_response, tls_protocol, tls_cipher, attempts)
        SELECT t.id, 1, 1, 'sent', t.message_id, t.at, t.smtp_response, t.tls_protocol, t.tls_cipher, 1
        FROM transmissions t
        WHERE t.method IN ('openpgp-pgp-mime','password-pdf','tls-only-email')
          AND NOT EXISTS (SELECT 1 FROM transmission_parts p WHERE p.transmission_id = t.id);

      -- Every attempt of every part (append-only): what was tried, when, and what came back.
      CREATE TABLE transmission_attempts (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        transmission_id  TEXT NOT NULL REFERENCES transmissions(id),
        part             INTEGER NOT NULL,
        started_at       TEXT NOT NULL,
        ended_at         TEXT,
        outcome          TEXT CHECK (outcome IS NULL OR outcome IN ('sent','failed','no_reply','interrupted')),
        error_code       TEXT,
        transient        INTEGER,
        smtp_response    TEXT,
        tls_protocol     TEXT,
        tls_cipher       TEXT
      ) STRICT;
      CREATE INDEX transmission_attempts_by_part ON transmission_attempts(transmission_id, part);
      ${refuseChange('transmission_attempts', 'send attempts are kept')}
      ${refuseChange('transmissions', 'transmission records are kept')}
      ${refuseChange('transmission_parts', 'transmission records are kept')}

      CREATE TABLE outbox_v5 AS SELECT * FROM outbox_messages;
      DROP TABLE outbox_messages;
      CREATE TABLE outbox_messages (
        ${OUTBOX_MESSAGE_COLUMNS}
        raw              BLOB NOT NULL,
        PRIMARY KEY (transmission_id, part)
      ) STRICT;
      INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to, raw)
        SELECT t.id, o.part, o.part_of, o.message_id, t.sender, json_array(t.recipient_email), o.raw
        FROM outbox_v5 o
        JOIN transmissions t ON t.id = (
          SELECT t2.id FROM transmissions t2 WHERE t2.release_id = o.release_id AND t2.parts_sent < t2.parts_total ORDER BY t2.at DESC LIMIT 1);
      DROP TABLE outbox_v5;
    `);
  },
};
