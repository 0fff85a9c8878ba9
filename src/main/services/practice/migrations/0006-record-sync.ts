import { sqlTypes, type Dialect } from '../engine';
import { NEVER_DELETED, pgRefusalFunction, refuseRowChange } from './statement-parts';
import type { PracticeMigration } from './types';

/**
 * 0006 the rest of a request synchronised (issue #17): authorizations, identity verifications, Part 2 consents,
 * unencrypted-email acknowledgments, draft releases and documents travel with their request, and references are
 * allocated practice-wide.
 *
 * - `practice_counters`: named counters (`change`: the practice-wide change sequence; `reference:<year>`: the request
 *   reference numbers of a year). A counter is taken with `UPDATE … SET value = value + 1 … RETURNING value` inside
 *   the writing transaction: the row lock it holds until COMMIT makes the numbers follow the commit order, so a
 *   workstation that pulls "changes after n" never skips one that commits late.
 * - `practice_requests.change_seq`: the change sequence of the request's last accepted version (0: written before
 *   this migration; pulled by the first full pass).
 * - `practice_records`: one row per synchronised record of another kind (`kind`, `id`): only the request id, a state
 *   word, the version, the change sequence, timestamps and the workstations in clear; the record itself sealed in
 *   the workstation (`record_sealed`, AES-256-GCM, AAD = table/column/kind:id); the patient's MRN blind-indexed.
 *   Optimistic versions as for requests (0003).
 * - `practice_documents` / `practice_document_chunks`: a document's stored file, immutable once imported: its clear
 *   size and chunk count, and its chunks (1 MiB of the file each) sealed one by one with the AAD binding document id
 *   and chunk index, so a chunk cannot be moved or reordered. `complete_at` is set when every chunk is there; a push
 *   that stopped half-way is resumed chunk by chunk (the key (document_id, seq) refuses a second copy).
 * - `practice_references`: every reference the practice issued (unique), whose request and which workstation, and
 *   whether it was issued by the server or by a workstation while offline (45 CFR 164.312(c)(1): one reference, one
 *   request, never reused).
 * No row of these tables is ever deleted.
 * @source 45 CFR 164.312(a)(2)(iv) encryption, 164.312(e)(1) transmission security, 164.312(c)(1) integrity,
 *   164.530(j) retention
 */
function up(dialect: Dialect): string[] {
  const t = sqlTypes(dialect);
  const tables = [
    `CREATE TABLE practice_counters (
      name ${t.key} PRIMARY KEY,
      value ${t.bigint} NOT NULL CHECK (value >= 0)
    )`,
    `INSERT INTO practice_counters (name, value) VALUES ('change', 0)`,
    `ALTER TABLE practice_requests ADD COLUMN change_seq ${t.bigint} NOT NULL DEFAULT 0`,
    `CREATE INDEX practice_requests_change ON practice_requests (change_seq)`,
    `CREATE TABLE practice_records (
      kind ${t.key} NOT NULL,
      id ${t.key} NOT NULL,
      request_id ${t.key},
      state ${t.key} NOT NULL,
      version ${t.bigint} NOT NULL CHECK (version >= 1),
      change_seq ${t.bigint} NOT NULL,
      key_id ${t.key} NOT NULL REFERENCES practice_data_keys (key_id),
      record_sealed ${t.bytes} NOT NULL,
      mrn_index ${t.key},
      origin_workstation ${t.key} NOT NULL,
      changed_by_workstation ${t.key} NOT NULL,
      created_at ${t.key} NOT NULL,
      updated_at ${t.key} NOT NULL,
      PRIMARY KEY (kind, id)
    )`,
    `CREATE INDEX practice_records_change ON practice_records (change_seq)`,
    `CREATE INDEX practice_records_request ON practice_records (request_id)`,
    `CREATE INDEX practice_records_mrn ON practice_records (mrn_index)`,
    `CREATE TABLE practice_documents (
      id ${t.key} PRIMARY KEY,
      key_id ${t.key} NOT NULL REFERENCES practice_data_keys (key_id),
      size_bytes ${t.bigint} NOT NULL CHECK (size_bytes >= 0),
      chunk_count INTEGER NOT NULL CHECK (chunk_count >= 0),
      origin_workstation ${t.key} NOT NULL,
      created_at ${t.key} NOT NULL,
      complete_at ${t.key}
    )`,
    `CREATE TABLE practice_document_chunks (
      document_id ${t.key} NOT NULL REFERENCES practice_documents (id),
      seq INTEGER NOT NULL CHECK (seq >= 0),
      sealed ${t.bytes} NOT NULL,
      PRIMARY KEY (document_id, seq)
    )`,
    `CREATE TABLE practice_references (
      reference ${t.key} PRIMARY KEY,
      request_id ${t.key} NOT NULL UNIQUE,
      issued_by ${t.key} NOT NULL CHECK (issued_by IN ('server', 'workstation')),
      workstation ${t.key} NOT NULL,
      issued_at ${t.key} NOT NULL
    )`,
  ];
  const kept = ['practice_records', 'practice_documents', 'practice_document_chunks', 'practice_references'];
  if (dialect === 'postgres') {
    return [
      ...tables,
      pgRefusalFunction('practice_refuse_delete', NEVER_DELETED),
      ...kept.map((k) => refuseRowChange(dialect, k, 'delete', 'practice_refuse_delete', NEVER_DELETED)),
    ];
  }
  return [...tables, ...kept.map((k) => refuseRowChange(dialect, k, 'delete', 'practice_refuse_delete', NEVER_DELETED))];
}

/** Migration 6 of the practice store: the rest of a request synchronised, practice-wide references (see above). */
export const migration: PracticeMigration = { version: 6, name: 'record-sync', up };
