import { sqlTypes, type Dialect } from '../engine';
import { pgRefusalFunction, refuseRowChange } from './statement-parts';
import type { PracticeMigration } from './types';

/**
 * 0001 practice core (issue #17): the practice data key and its per-user wraps, requests sealed in the workstation,
 * and the audit chain.
 *
 * - `practice_data_keys`: one row per practice data key (its public id, a fingerprint derived from the key; never the
 *   key). `practice_key_wraps`: the key wrapped per staff user (AES-256-GCM under an argon2id key from the user's
 *   passphrase, as the single vault's keyring; 45 CFR 164.312(a)(2)(iv), 164.312(d)).
 * - `practice_requests`: only the non-PHI metadata the queue needs in clear (id, status, received/due dates,
 *   timestamps) plus `sealed` (AES-256-GCM of the request's PHI, AAD bound to table/column/row) and blind indexes
 *   (HMAC-SHA-256, hex) of the normalised MRN and email.
 * - `practice_audit_events`: a linear chain (seq 1..n, each row's hash = HMAC over the previous hash and the event;
 *   45 CFR 164.312(b), 164.312(c)(1)); details sealed. Append-only: UPDATE and DELETE are refused by triggers.
 *   `practice_audit_checkpoints`: MACed (seq, hash) marks that make a cut-off tail visible.
 */
function up(dialect: Dialect): string[] {
  const t = sqlTypes(dialect);
  const tables = [
    `CREATE TABLE practice_data_keys (
      key_id ${t.key} PRIMARY KEY,
      created_at TEXT NOT NULL,
      created_by ${t.key} NOT NULL
    )`,
    `CREATE TABLE practice_key_wraps (
      key_id ${t.key} NOT NULL REFERENCES practice_data_keys (key_id),
      user_id ${t.key} NOT NULL,
      kdf_json TEXT NOT NULL,
      iv ${t.bytes} NOT NULL,
      ciphertext ${t.bytes} NOT NULL,
      tag ${t.bytes} NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (key_id, user_id)
    )`,
    `CREATE TABLE practice_requests (
      id ${t.key} PRIMARY KEY,
      status ${t.key} NOT NULL,
      received_on ${t.key} NOT NULL,
      due_on ${t.key} NOT NULL,
      created_at ${t.key} NOT NULL,
      updated_at ${t.key} NOT NULL,
      key_id ${t.key} NOT NULL REFERENCES practice_data_keys (key_id),
      sealed ${t.bytes} NOT NULL,
      mrn_index ${t.key},
      email_index ${t.key}
    )`,
    `CREATE INDEX practice_requests_due ON practice_requests (due_on, id)`,
    `CREATE INDEX practice_requests_mrn ON practice_requests (mrn_index)`,
    `CREATE INDEX practice_requests_email ON practice_requests (email_index)`,
    `CREATE TABLE practice_audit_events (
      seq ${t.bigint} PRIMARY KEY CHECK (seq > 0),
      at ${t.key} NOT NULL,
      actor ${t.key} NOT NULL,
      action ${t.key} NOT NULL,
      outcome ${t.key} NOT NULL,
      subject_type ${t.key},
      subject_id ${t.key},
      key_id ${t.key} NOT NULL REFERENCES practice_data_keys (key_id),
      detail_sealed ${t.bytes},
      prev_hash ${t.key} NOT NULL,
      hash ${t.key} NOT NULL UNIQUE
    )`,
    `CREATE INDEX practice_audit_subject ON practice_audit_events (subject_type, subject_id)`,
    `CREATE TABLE practice_audit_checkpoints (
      seq ${t.bigint} PRIMARY KEY REFERENCES practice_audit_events (seq),
      hash ${t.key} NOT NULL,
      at ${t.key} NOT NULL,
      mac ${t.key} NOT NULL
    )`,
  ];
  const appendOnly = ['practice_audit_events', 'practice_audit_checkpoints'];
  if (dialect === 'postgres') {
    return [
      ...tables,
      pgRefusalFunction('practice_append_only', 'append-only table'),
      ...appendOnly.map((tb) => `CREATE TRIGGER ${tb}_append_only BEFORE UPDATE OR DELETE ON ${tb} FOR EACH ROW EXECUTE FUNCTION practice_append_only()`),
    ];
  }
  return [
    ...tables,
    ...appendOnly.flatMap((tb) => (['update', 'delete'] as const).map((ev) => refuseRowChange(dialect, tb, ev, 'practice_append_only', 'append-only table'))),
  ];
}

export const migration: PracticeMigration = { version: 1, name: 'practice-core', up };
