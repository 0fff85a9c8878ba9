/**
 * SQL text that several vault migrations share, written once: the column runs of a table that a later migration
 * rebuilds (SQLite cannot change a column's constraint in place, so `releases` and `documents` are re-created with
 * most of their columns unchanged), the keys of a record kept about a patient's request, and the trigger that keeps
 * a table's rows.
 *
 * Every piece is the exact text, indentation and line breaks included, that the migrations ran when they shipped:
 * SQLite keeps a CREATE statement's text in `sqlite_master`, so one changed space would make an upgraded vault
 * differ from a new one. test/unit/vault/migrations-statements-unchanged.test.ts pins each migration's statements
 * and resulting schema (SHA-256); a piece used by a shipped migration is never edited, a new shape gets a new piece.
 * Layout: statements of a migration's script start at column 6, a table's column lines at column 8.
 */

/** Line break plus the indentation of a column line inside a migration's CREATE TABLE. */
const COLUMN_BREAK = '\n        ';

/**
 * `releases` columns from version 1, after `status`: the dates, the patient and the recipient, with a trailing comma
 * (7 lines; migrations 1, 3 and 5 re-create the table around them). Source: 45 CFR 164.528(b)(2) (what a disclosure
 * record names).
 */
export const RELEASE_PARTY_COLUMNS = `created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL,
        patient_name           TEXT NOT NULL,
        patient_dob            TEXT NOT NULL,
        patient_mrn            TEXT NOT NULL,
        recipient_name         TEXT,
        recipient_email        TEXT,`;

/**
 * `releases` columns from version 1 after the recipient: the recipient's OpenPGP key and whether its fingerprint was
 * confirmed, and the last error (6 lines, no trailing comma). Source: RFC 4880 section 12.2 (fingerprint).
 */
export const RELEASE_KEY_AND_ERROR_COLUMNS = `recipient_key_armored  TEXT,
        recipient_key_fpr      TEXT,
        fingerprint_confirmed  INTEGER NOT NULL DEFAULT 0,
        last_error_code        TEXT,
        last_error_message     TEXT,
        last_error_at          TEXT`;

/**
 * `releases` column names of version 1 after `status`, as the rebuilds of migrations 3 and 5 list them in their
 * INSERT … SELECT (two lines, the second indented by `indent`, with a trailing comma).
 * @param indent the spaces that start the second line (under the first name of the list)
 */
export function releaseV1ColumnNames(indent: string): string {
  return `created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email,
${indent}recipient_key_armored, recipient_key_fpr, fingerprint_confirmed, last_error_code, last_error_message, last_error_at,`;
}

/** `documents` id and owners from version 2: a release (record files) or a request (3 lines, trailing comma). */
export const DOCUMENT_OWNER_COLUMNS = `id             TEXT PRIMARY KEY,
        release_id     TEXT REFERENCES releases(id),
        request_id     TEXT REFERENCES requests(id),`;

/**
 * `documents` columns from version 1 that describe the stored file: its place, label, name, media type, size,
 * pages, SHA-256 (hex), import and removal times (9 lines, no trailing comma).
 */
export const DOCUMENT_FILE_COLUMNS = `position       INTEGER NOT NULL,
        label          TEXT NOT NULL,
        original_name  TEXT NOT NULL,
        media_type     TEXT NOT NULL,
        size_bytes     INTEGER NOT NULL,
        page_count     INTEGER NOT NULL,
        sha256         TEXT NOT NULL,
        imported_at    TEXT NOT NULL,
        removed_at     TEXT`;

/**
 * `transmission_parts` columns from version 3 that record one part's send: its Message-ID (RFC 5322 section 3.6.4),
 * when the server accepted it, the server's reply, the TLS protocol and cipher, the error code (6 lines, trailing
 * comma). Source: RFC 5321 section 4.2 (reply), 45 CFR 164.312(e)(1).
 */
export const PART_RESULT_COLUMNS = `message_id       TEXT NOT NULL,
        sent_at          TEXT,
        smtp_response    TEXT,
        tls_protocol     TEXT,
        tls_cipher       TEXT,
        error_code       TEXT,`;

/**
 * `outbox_messages` columns from version 5: the message's transmission, part of how many, Message-ID and SMTP
 * envelope (6 lines, trailing comma; migration 15 keeps them and stores the bytes as chunks). Source: RFC 5321
 * section 3.3 (envelope).
 */
export const OUTBOX_MESSAGE_COLUMNS = `transmission_id  TEXT NOT NULL REFERENCES transmissions(id),
        part             INTEGER NOT NULL,
        part_of          INTEGER NOT NULL,
        message_id       TEXT NOT NULL,
        envelope_from    TEXT NOT NULL,
        envelope_to      TEXT NOT NULL,`;

/**
 * One column line of a migration's CREATE TABLE: the name padded to `width` (at least one space), then the
 * declaration.
 */
function column(width: number, name: string, declaration: string): string {
  return `${name.padEnd(width - 1)} ${declaration}`;
}

/**
 * The key columns of a record kept about a patient and, when it came with one, a request (authorization, Part 2
 * consent, unencrypted-email acknowledgment; 45 CFR 164.508, 42 CFR 2.31, 164.522(b)): `id`, `request_id`,
 * `patient_mrn`, with a trailing comma.
 * @param width the table's name column width (names padded to it)
 */
export function patientRecordKeyColumns(width: number): string {
  return [column(width, 'id', 'TEXT PRIMARY KEY'), column(width, 'request_id', 'TEXT REFERENCES requests(id)'), column(width, 'patient_mrn', 'TEXT NOT NULL')].join(`,${COLUMN_BREAK}`) + ',';
}

/**
 * A table of records kept about a patient ({@link patientRecordKeyColumns}) whose other columns are all
 * `TEXT NOT NULL`, and its index by patient: `CREATE TABLE … ) STRICT;` and `CREATE INDEX <index> ON <table>(patient_mrn);`.
 * @param table the table's name
 * @param width the name column width
 * @param columns the other columns, in order
 * @param index the index's name
 */
export function patientRecordTable(table: string, width: number, columns: readonly string[], index: string): string {
  const rest = columns.map((c) => column(width, c, 'TEXT NOT NULL')).join(`,${COLUMN_BREAK}`);
  return `CREATE TABLE ${table} (${COLUMN_BREAK}${patientRecordKeyColumns(width)}${COLUMN_BREAK}${rest}
      ) STRICT;
      CREATE INDEX ${index} ON ${table}(patient_mrn);`;
}

/**
 * The same column added to each of `tables`: one `ALTER TABLE <table> ADD COLUMN <declaration>;` per table, in
 * order, one statement a line.
 * @param declaration name and type, e.g. `purged_at TEXT`
 */
export function addColumn(tables: readonly string[], declaration: string): string {
  return tables.map((t) => `ALTER TABLE ${t} ADD COLUMN ${declaration};`).join('\n      ');
}

/**
 * A trigger that refuses `event` on every row of `table` ("no record is deleted": the rows are the record of what
 * happened, 45 CFR 164.530(j), 164.312(b)): `CREATE TRIGGER <table>_no_<event> BEFORE <EVENT> ON <table>` and, on
 * the next line, `BEGIN SELECT RAISE(ABORT, '<message>'); END;`.
 * @param table the table kept
 * @param message the error SQLite raises (PHI-free: it names the rule, never a value)
 * @param event 'delete' (default) or 'update'
 */
export function refuseChange(table: string, message: string, event: 'delete' | 'update' = 'delete'): string {
  return `CREATE TRIGGER ${table}_no_${event} BEFORE ${event.toUpperCase()} ON ${table}
        BEGIN SELECT RAISE(ABORT, '${message}'); END;`;
}

/**
 * A synchronisation conflict's columns after what it is about (migrations 16 and 19): when it was found, the server's
 * version, both sides as JSON, and how and by whom it was decided — all three or none (8 lines, no trailing comma).
 * Both versions are kept; a conflict is never merged (issue #17).
 */
export const SYNC_CONFLICT_COLUMNS = `detected_at    TEXT NOT NULL,
        server_version INTEGER NOT NULL,
        local_json     TEXT NOT NULL,
        server_json    TEXT NOT NULL,
        resolved_at    TEXT,
        resolution     TEXT CHECK (resolution IN ('server', 'workstation', 'superseded')),
        resolved_by    TEXT,
        CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_by IS NULL))`;
