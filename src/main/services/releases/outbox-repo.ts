/**
 * The vault's outbox: each composed message of an email release with its SMTP envelope, stored as ordered 256 KiB
 * chunks with its size and SHA-256 before the first byte leaves, read back chunk by chunk into DATA, and erased
 * chunk-wise once the server accepted it. Repository functions of (db, ...args); SQL only here.
 * @source 45 CFR 164.312(a)(2)(iv) encryption at rest (inside the vault), 164.312(e)(1); RFC 5321 §2.3.1 (envelope)
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../../../shared/errors';

/** One composed message waiting in the outbox, with its SMTP envelope (RFC 5321 §2.3.1). */
export interface OutboxMessage {
  part: number;
  of: number;
  messageId: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/**
 * Bytes per stored chunk of an outbox message (256 KiB): what one statement writes, reads or erases — a few
 * milliseconds of SQLCipher page work on the main thread (a 1 MiB chunk took 30–40 ms on a loaded machine, most of
 * the send's event-loop delay). Readers accept chunks of any size (messages stored as 1 MiB chunks stay readable).
 */
export const OUTBOX_CHUNK_BYTES = 256 * 1024;

/**
 * Start storing one composed message: its row without size and digest (not deliverable, not listed by
 * {@link outboxEntries}) until {@link completeOutboxMessage}. Its chunks follow with {@link appendOutboxChunk}.
 */
export function beginOutboxMessage(db: Database, transmissionId: string, m: Omit<OutboxMessage, 'raw'>): void {
  db.prepare('INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to) VALUES (?, ?, ?, ?, ?, ?)').run(
    transmissionId,
    m.part,
    m.of,
    m.messageId,
    m.envelope.from,
    JSON.stringify(m.envelope.to),
  );
}

/** Store chunk `seq` (0, 1, … in message order) of a message begun with {@link beginOutboxMessage}. */
export function appendOutboxChunk(db: Database, transmissionId: string, part: number, seq: number, data: Uint8Array): void {
  db.prepare('INSERT INTO outbox_chunks (transmission_id, part, seq, data) VALUES (?, ?, ?, ?)').run(transmissionId, part, seq, data);
}

/** Complete a stored message: its total size (bytes) and SHA-256 (hex), checked again when it is sent. */
export function completeOutboxMessage(db: Database, transmissionId: string, part: number, sizeBytes: number, sha256: string): void {
  db.prepare('UPDATE outbox_messages SET size_bytes = ?, sha256 = ? WHERE transmission_id = ? AND part = ?').run(sizeBytes, sha256, transmissionId, part);
}

/**
 * Store the composed messages of a transmission (encrypted parts, inside the encrypted vault) before the first byte
 * leaves, each as {@link OUTBOX_CHUNK_BYTES} chunks with its size and SHA-256. Call inside one transaction (small
 * releases); a large release stores message by message in short transactions (send-prepare stageMessages).
 */
export function saveOutbox(db: Database, transmissionId: string, messages: OutboxMessage[]): void {
  for (const m of messages) {
    beginOutboxMessage(db, transmissionId, m);
    for (let seq = 0, off = 0; off < m.raw.length; seq++, off += OUTBOX_CHUNK_BYTES) appendOutboxChunk(db, transmissionId, m.part, seq, m.raw.subarray(off, off + OUTBOX_CHUNK_BYTES));
    completeOutboxMessage(db, transmissionId, m.part, m.raw.length, createHash('sha256').update(m.raw).digest('hex'));
  }
}

/** The transmission's complete stored messages in part order, each read whole (empty when none; tests and small releases). */
export function loadOutbox(db: Database, transmissionId: string): OutboxMessage[] {
  return outboxEntries(db, transmissionId).map(({ sizeBytes: _s, sha256: _h, ...e }) => ({ ...e, raw: outboxRaw(db, transmissionId, e.part) }));
}

/** One stored message without its bytes: what a delivery run needs to walk the parts and check each. */
export type OutboxEntry = Omit<OutboxMessage, 'raw'> & { sizeBytes: number; sha256: string };

/** The transmission's complete stored messages in part order, without their bytes (read with {@link outboxChunk}). */
export function outboxEntries(db: Database, transmissionId: string): OutboxEntry[] {
  return (
    db
      .prepare(
        'SELECT part, part_of, message_id, envelope_from, envelope_to, size_bytes, sha256 FROM outbox_messages WHERE transmission_id = ? AND size_bytes IS NOT NULL ORDER BY part',
      )
      .all(transmissionId) as Array<{ part: number; part_of: number; message_id: string; envelope_from: string; envelope_to: string; size_bytes: number; sha256: string }>
  ).map((r) => ({
    part: r.part,
    of: r.part_of,
    messageId: r.message_id,
    envelope: { from: r.envelope_from, to: JSON.parse(r.envelope_to) as string[] },
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
  }));
}

/** Chunk `seq` of a stored message (null after the last one, or when it is missing: the size/SHA-256 check catches that). */
export function outboxChunk(db: Database, transmissionId: string, part: number, seq: number): Buffer | null {
  const r = db.prepare('SELECT data FROM outbox_chunks WHERE transmission_id = ? AND part = ? AND seq = ?').get(transmissionId, part, seq) as { data: Buffer } | undefined;
  return r ? r.data : null;
}

/**
 * The stored bytes of one message, read whole (one part: bounded by the per-message limit). The send path streams
 * the chunks instead ({@link outboxChunk}).
 * @throws AppError INTERNAL when the part is not stored
 */
export function outboxRaw(db: Database, transmissionId: string, part: number): Buffer {
  if (!db.prepare('SELECT 1 FROM outbox_messages WHERE transmission_id = ? AND part = ?').get(transmissionId, part))
    throw new AppError('INTERNAL', 'A stored message of this release could not be found. Nothing more was sent.');
  const rows = db.prepare('SELECT data FROM outbox_chunks WHERE transmission_id = ? AND part = ? ORDER BY seq').all(transmissionId, part) as Array<{ data: Buffer }>;
  return Buffer.concat(rows.map((r) => r.data));
}

/**
 * Erase up to `n` chunks of one stored message (lowest first) — a short statement, so a large message is erased in
 * many small transactions after its "250" instead of one long delete.
 * @param opts.overwrite whether the freed pages are overwritten with zeros (SQLite secure_delete, the vault's default:
 *   true). `false` only for bytes that are end-to-end ciphertext (a PGP/MIME or S/MIME message, readable only with
 *   the recipient's or the practice's private key): the freed pages then keep that ciphertext, still under the
 *   vault's page encryption, until SQLite reuses them — and the erase costs an eighth of the page work (measured:
 *   26 vs 202 MiB/s). The connection's setting is restored before this returns.
 * @returns how many were erased (0: none left)
 * @source SQLite PRAGMA secure_delete; 45 CFR 164.312(a)(2)(iv)
 */
export function eraseOutboxChunks(db: Database, transmissionId: string, part: number, n: number, opts: { overwrite?: boolean } = {}): number {
  const del = db.prepare(
    'DELETE FROM outbox_chunks WHERE transmission_id = ? AND part = ? AND seq IN (SELECT seq FROM outbox_chunks WHERE transmission_id = ? AND part = ? ORDER BY seq LIMIT ?)',
  );
  if (opts.overwrite !== false) return del.run(transmissionId, part, transmissionId, part, n).changes;
  const was = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = 0');
  try {
    return del.run(transmissionId, part, transmissionId, part, n).changes;
  } finally {
    db.pragma(`secure_delete = ${was === 1 ? 1 : was === 2 ? 'FAST' : 0}`);
  }
}

/**
 * Remove the stored bytes of preparations that never finished (a transmission stored closed while its messages were
 * written, with no part rows: the process stopped before the preparation was committed). Nothing can be sent from
 * them; their records stay.
 * @returns how many messages were removed
 */
export function clearUnfinishedPreparations(db: Database): number {
  const unfinished = `SELECT t.id FROM transmissions t WHERE t.closed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transmission_parts p WHERE p.transmission_id = t.id)`;
  db.prepare(`DELETE FROM outbox_chunks WHERE transmission_id IN (${unfinished})`).run();
  return db.prepare(`DELETE FROM outbox_messages WHERE transmission_id IN (${unfinished})`).run().changes;
}

/** Open a transmission that was stored closed while its messages were written (see SendWorkflow.prepare). */
export function openStagedTransmission(db: Database, transmissionId: string): void {
  db.prepare('UPDATE transmissions SET closed_at = NULL, closed_reason = NULL WHERE id = ?').run(transmissionId);
}

/**
 * Drop the stored message bytes once every part is confirmed delivered (or the transmission was closed with
 * nothing out): the transmission record keeps what was sent, when and how; the bytes are not needed again.
 */
export function clearOutbox(db: Database, transmissionId: string): void {
  db.prepare('DELETE FROM outbox_chunks WHERE transmission_id = ?').run(transmissionId);
  db.prepare('DELETE FROM outbox_messages WHERE transmission_id = ?').run(transmissionId);
}

/**
 * Drop one part's stored bytes once the server accepted it (RFC 5321 §4.2.5 "250" after DATA): a sent part is never
 * sent again (only pending, failed and unconfirmed parts are), so its bytes are not needed; dropping each as it is
 * accepted spreads the work over the send instead of one long delete at the end. Call in the transaction that
 * records the part sent.
 */
export function clearOutboxPart(db: Database, transmissionId: string, part: number): void {
  db.prepare('DELETE FROM outbox_chunks WHERE transmission_id = ? AND part = ?').run(transmissionId, part);
  db.prepare('DELETE FROM outbox_messages WHERE transmission_id = ? AND part = ?').run(transmissionId, part);
}

/**
 * Run `fn` — one transaction of outbox chunk statements, through `tx` — with a lighter commit on this connection:
 * - `synchronous = NORMAL` (no fsync of the WAL at this commit: 40–50 ms on a busy disk, the largest stall of the
 *   send). Nothing acts on these chunks before a later transaction with the connection's own setting (FULL) commits
 *   — the message's completion, the preparation that queues the release, a part's "handed over" — and that commit's
 *   fsync of the WAL makes every earlier frame durable too (the WAL is replayed as a prefix), so what is durable
 *   before any action is unchanged. A crash in between only loses chunks of a message not yet complete.
 * - with `noAutoCheckpoint`, no automatic WAL checkpoint at this commit (4 MiB of frames copied into the vault file
 *   and fsynced, 100–250 ms on a loaded machine): only while {@link WAL_CHECKPOINT_PASSIVE_SQL} runs elsewhere
 *   (outbox-checkpointer.ts).
 * Both settings are restored before this returns; nothing else runs on the connection in between (synchronous).
 * @source SQLite PRAGMA synchronous, PRAGMA wal_autocheckpoint; https://sqlite.org/wal.html
 */
export function lightCommit<T>(db: Database, tx: (fn: () => T) => T, fn: () => T, opts: { noAutoCheckpoint: boolean }): T {
  const sync = Number(db.pragma('synchronous', { simple: true }));
  const ckpt = opts.noAutoCheckpoint ? Number(db.pragma('wal_autocheckpoint', { simple: true })) : null;
  db.pragma('synchronous = NORMAL');
  if (ckpt !== null) db.pragma('wal_autocheckpoint = 0');
  try {
    return tx(fn);
  } finally {
    db.pragma(`synchronous = ${[0, 1, 2, 3].includes(sync) ? sync : 2}`);
    if (ckpt !== null) db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(ckpt))}`);
  }
}

/** A PASSIVE checkpoint (copies committed WAL frames into the vault file as they are — still encrypted — without blocking writers or readers). */
export const WAL_CHECKPOINT_PASSIVE_SQL = 'PRAGMA wal_checkpoint(PASSIVE)';
