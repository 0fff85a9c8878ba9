/**
 * Practice migration 4: the shared outbox stores a message as ordered sealed chunks (issue #17, a release pushed from
 * a workstation's vault outbox, which keeps its messages as 1 MiB chunks: vault migration 015).
 *
 *   queue_messages.chunks   NULL: the message is one sealed value in raw_sealed (0002); n: it is n chunks in
 *                           queue_message_chunks, each sealed on its own (AES-256-GCM, the AAD naming transmission,
 *                           part and seq, so chunks cannot be reordered or moved), raw_sealed stays NULL; the whole
 *                           message's SHA-256 stays in raw_sha256 and is checked when it is read back.
 *   queue_message_chunks    (transmission, part, seq from 0) → sealed bytes and their clear size; the bytes are
 *                           cleared (NULL, cleared_at) once every part was accepted, the rows stay.
 *
 * No record is ever deleted: the chunk table refuses DELETE like the other queue tables.
 * @source 45 CFR 164.312(a)(2)(iv) encryption, 164.312(e)(1), 164.530(j) retention
 */
import { sqlTypes, type Dialect } from '../engine';
import { QUEUE_NEVER_DELETED, refuseRowChange } from './statement-parts';
import type { PracticeMigration } from './types';

/**
 * The statements of migration 4 for `dialect`, in order (migrate.ts applies them in one transaction).
 * @param dialect 'sqlite' or 'postgres'
 * @returns SQL statements
 */
function up(dialect: Dialect): string[] {
  const { bytes, key: k } = sqlTypes(dialect);
  const out = [
    'ALTER TABLE queue_messages ADD COLUMN chunks INTEGER',
    `CREATE TABLE queue_message_chunks (
       transmission_id ${k} NOT NULL,
       part INTEGER NOT NULL,
       seq INTEGER NOT NULL CHECK (seq >= 0),
       sealed ${bytes},
       size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
       cleared_at ${k},
       PRIMARY KEY (transmission_id, part, seq),
       FOREIGN KEY (transmission_id, part) REFERENCES queue_messages (transmission_id, part)
     )`,
  ];
  out.push(refuseRowChange(dialect, 'queue_message_chunks', 'delete', 'queue_refuse_delete', QUEUE_NEVER_DELETED));
  return out;
}

/** Migration 4 of the practice store: stored messages as ordered sealed chunks (see the module comment). */
export const migration: PracticeMigration = { version: 4, name: 'queue-message-chunks', up };
