/**
 * Practice migration 2: the shared outbox (issue #17 "the outbox becomes a shared queue").
 *
 * What the server may see is the non-PHI metadata a workstation needs to work the queue: ids, the staff-facing
 * reference, statuses, the delivery method, who holds a claim and until when (lease), attempt counts, the next
 * automatic try, timestamps, Message-IDs, sizes, SMTP reply lines and TLS facts. Everything that is or may carry
 * PHI — the composed messages and their envelopes (recipient addresses), the recipient of the disclosure — is
 * sealed in the workstation with the practice data key (AES-256-GCM, practice/sealing.ts) before it is written.
 *
 *   queue_releases       one row per release in the shared queue: its status (RELEASE_TRANSITIONS), the claim
 *                        (claimed_by, claim_token, lease_until in epoch ms), attempts and not_before (epoch ms)
 *   queue_transmissions  the transmission record of the disclosure (45 CFR 164.528): method, DSN envelope id, parts
 *                        sent, when completed, TLS facts; the recipient sealed
 *   queue_parts          each message of a transmission: Message-ID (unique), status, hand-over, reply, resolution
 *   queue_messages       the stored message bytes and envelope, sealed; the bytes are cleared once every part was
 *                        accepted (the row, its digest and size stay)
 *   queue_attempts       every delivery attempt of a part: which workstation, under which claim, how it ended
 *
 * No record is ever deleted: each table refuses DELETE (a trigger in both dialects).
 * @source 45 CFR 164.312(a)(2)(iv) encryption, 164.312(e)(1) transmission security, 164.528 accounting of disclosures,
 *   164.530(j) retention
 */
import { sqlTypes, type Dialect } from '../engine';
import { QUEUE_NEVER_DELETED, refuseRowChange } from './statement-parts';
import type { PracticeMigration } from './types';

/** `CREATE TABLE name (` one column per line `)`, laid out exactly as this migration shipped its other tables. */
function createTable(name: string, columns: string[]): string {
  return `CREATE TABLE ${name} (\n${columns.map((c) => `       ${c}`).join(',\n')}\n     )`;
}

const TABLES = ['queue_releases', 'queue_transmissions', 'queue_parts', 'queue_messages', 'queue_attempts'] as const;

/**
 * The statements of migration 2 for `dialect`, in order (one statement per string; migrate.ts applies them in one
 * transaction with the version row). Identifiers and ISO timestamps are `key` columns (byte-wise order on both
 * engines), leases and retry times BIGINT epoch milliseconds.
 * @param dialect 'sqlite' (embedded SQLCipher) or 'postgres'
 * @returns SQL statements
 */
function up(dialect: Dialect): string[] {
  const pg = dialect === 'postgres';
  const { bytes, bigint, key: k, serialPk: serial } = sqlTypes(dialect);
  const out = [
    `CREATE TABLE queue_releases (
       id ${k} PRIMARY KEY,
       reference ${k} NOT NULL,
       request_id ${k},
       method ${k} NOT NULL,
       status ${k} NOT NULL,
       transmission_id ${k} NOT NULL,
       claimed_by ${k},
       claim_token ${k},
       lease_until ${bigint},
       attempts INTEGER NOT NULL DEFAULT 0,
       not_before ${bigint},
       error_code ${k},
       queued_ms ${bigint} NOT NULL,
       created_at ${k} NOT NULL,
       updated_at ${k} NOT NULL
     )`,
    'CREATE INDEX queue_releases_due ON queue_releases (status, not_before, queued_ms)',
    'CREATE INDEX queue_releases_lease ON queue_releases (status, lease_until)',
    `CREATE TABLE queue_transmissions (
       id ${k} PRIMARY KEY,
       release_id ${k} NOT NULL REFERENCES queue_releases (id),
       method ${k} NOT NULL,
       envid ${k} NOT NULL,
       parts_total INTEGER NOT NULL,
       parts_sent INTEGER NOT NULL DEFAULT 0,
       recipient_sealed ${bytes} NOT NULL,
       prepared_by ${k} NOT NULL,
       prepared_at ${k} NOT NULL,
       completed_at ${k},
       tls_protocol TEXT,
       tls_cipher TEXT
     )`,
    'CREATE INDEX queue_transmissions_release ON queue_transmissions (release_id)',
    `CREATE TABLE queue_parts (
       transmission_id ${k} NOT NULL REFERENCES queue_transmissions (id),
       part INTEGER NOT NULL,
       part_of INTEGER NOT NULL,
       message_id ${k} NOT NULL UNIQUE,
       status ${k} NOT NULL,
       size_bytes INTEGER NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       handed_over_at ${k},
       sent_at ${k},
       smtp_response TEXT,
       tls_protocol TEXT,
       tls_cipher TEXT,
       error_code ${k},
       resolution ${k},
       resolved_by ${k},
       resolved_at ${k},
       PRIMARY KEY (transmission_id, part)
     )`,
    `CREATE TABLE queue_messages (
       transmission_id ${k} NOT NULL,
       part INTEGER NOT NULL,
       envelope_sealed ${bytes} NOT NULL,
       raw_sealed ${bytes},
       raw_sha256 ${k} NOT NULL,
       stored_at ${k} NOT NULL,
       cleared_at ${k},
       PRIMARY KEY (transmission_id, part),
       FOREIGN KEY (transmission_id, part) REFERENCES queue_parts (transmission_id, part)
     )`,
    createTable('queue_attempts', [
      `seq ${serial}`,
      `transmission_id ${k} NOT NULL REFERENCES queue_transmissions (id)`,
      'part INTEGER NOT NULL',
      ...[`workstation`, `claim_token`, `started_at`].map((c) => `${c} ${k} NOT NULL`),
      ...[`ended_at`, `outcome`, `error_code`].map((c) => `${c} ${k}`),
      'transient INTEGER',
      'smtp_response TEXT',
    ]),
    'CREATE INDEX queue_attempts_part ON queue_attempts (transmission_id, part)',
  ];
  if (pg) {
    out.push(
      `CREATE FUNCTION queue_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'records of the shared queue are never deleted' USING ERRCODE = '42501';
       END $$`,
    );
  }
  for (const t of TABLES) out.push(refuseRowChange(dialect, t, 'delete', 'queue_refuse_delete', QUEUE_NEVER_DELETED));
  return out;
}

/** Migration 2 of the practice store: the shared outbox (see the module comment). */
export const migration: PracticeMigration = { version: 2, name: 'shared-queue', up };
