/**
 * Reading a stored message of the practice's shared outbox (issue #17, practice migrations 0002 and 0004): the
 * envelope opened at once, the bytes opened chunk by chunk while they are sent. Only the workstation holding the
 * practice data key can open them; nothing is written here. Part of the queue's repository (re-exported by
 * queue-repo.ts).
 * @source 45 CFR 164.312(a)(2)(iv) (decrypted only in the workstation, only while it is sent), 164.312(e)(1)
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { SmtpEnvelope } from '../delivery/smtp-types';
import type { SqlEngine } from './engine';
import { placeChunk, placeEnvelope, placeRaw } from './queue-records-repo';
import type { QueueIo } from './queue-types';

/** A stored message of the shared outbox, opened for sending: envelope and Message-ID at once, the bytes chunk by chunk. */
export interface OpenedStoredMessage {
  envelope: SmtpEnvelope;
  messageId: string;
  /** Size in bytes (queue_parts.size_bytes) and SHA-256 (hex) of the whole message, as recorded when it was queued. */
  sizeBytes: number;
  sha256: string;
  /**
   * A fresh reading of the message's bytes in order: for a message stored as sealed chunks (practice migration
   * 0004), one chunk read from the server and opened at a time, the next one fetched while the current one is being
   * handed over (at most two in memory); for a message stored whole, the one value. Hand it to sendRawMessage as a
   * ChunkedMessage: it asks for the next chunk only when the SMTP connection takes more (back-pressure), and checks
   * size and digest before the final ".".
   * @throws AppError INTERNAL (while reading) when a chunk is gone or does not open: the DATA then ends without its
   *   final "." and nothing of the message is delivered
   */
  chunks(): AsyncIterable<Buffer>;
}

/**
 * Open the stored message of a part for streaming into SMTP DATA (queue-worker.ts): the envelope is opened with the
 * practice data key now; the bytes are read and opened chunk by chunk while they are sent, so a release of any size
 * is delivered in about two chunks' memory (issue #16's budget) instead of being reassembled first.
 * @returns see {@link OpenedStoredMessage}
 * @throws AppError INTERNAL when the message is gone (cleared after the release was sent, or erased when it was
 *   withdrawn) or its envelope does not open; store errors (engine.ts)
 * @source 45 CFR 164.312(a)(2)(iv) (decrypted only in the workstation, only while it is sent), 164.312(e)(1)
 */
export async function openStoredMessage(engine: SqlEngine, io: QueueIo, transmissionId: string, part: number): Promise<OpenedStoredMessage> {
  const row = await engine.one<{ envelope_sealed: Buffer; raw_sealed: Buffer | null; raw_sha256: string; message_id: string; chunks: number | null; size_bytes: number; cleared_at: string | null }>(
    `SELECT m.envelope_sealed, m.raw_sealed, m.raw_sha256, m.chunks, m.cleared_at, p.message_id, p.size_bytes FROM queue_messages m
     JOIN queue_parts p ON p.transmission_id = m.transmission_id AND p.part = m.part
     WHERE m.transmission_id = $1 AND m.part = $2`,
    [transmissionId, part],
  );
  if (!row || row.cleared_at !== null || (!row.raw_sealed && row.chunks === null)) throw storedMessageMissing();
  let envelope: SmtpEnvelope;
  try {
    envelope = JSON.parse(io.sealer.open(placeEnvelope(transmissionId, part), Buffer.from(row.envelope_sealed)).toString('utf8')) as SmtpEnvelope;
  } catch {
    throw storedMessageMissing();
  }
  const count = row.chunks === null ? null : Number(row.chunks);
  const whole = row.raw_sealed ? Buffer.from(row.raw_sealed) : null;
  /** Read and open chunk `seq` (one statement). */
  const chunkAt = async (seq: number): Promise<Buffer> => {
    const c = await engine.one<{ sealed: Buffer | null }>('SELECT sealed FROM queue_message_chunks WHERE transmission_id = $1 AND part = $2 AND seq = $3', [transmissionId, part, seq]);
    if (!c?.sealed) throw storedMessageMissing();
    try {
      return io.sealer.open(placeChunk(transmissionId, part, seq), Buffer.from(c.sealed));
    } catch {
      throw storedMessageMissing();
    }
  };
  return {
    envelope,
    messageId: row.message_id,
    sizeBytes: Number(row.size_bytes),
    sha256: row.raw_sha256,
    chunks: () => ({
      async *[Symbol.asyncIterator]() {
        if (count === null) {
          try {
            yield io.sealer.open(placeRaw(transmissionId, part), whole!);
          } catch {
            throw storedMessageMissing();
          }
          return;
        }
        // One chunk ahead: the next read overlaps the hand-over of the current one (a round trip per chunk hidden).
        let next: Promise<Buffer> | null = count > 0 ? chunkAt(0) : null;
        for (let seq = 0; seq < count; seq++) {
          const current = await next!;
          next = seq + 1 < count ? chunkAt(seq + 1) : null;
          // A rejected read-ahead that is never awaited (the consumer stopped) must not surface as unhandled.
          next?.catch(() => undefined);
          yield current;
        }
      },
    }),
  };
}

/**
 * The stored message of a part, opened with the practice data key, in memory as one Buffer (tests and small
 * messages; the sender streams with {@link openStoredMessage}).
 * @returns the envelope, the exact bytes and the stored Message-ID
 * @throws AppError INTERNAL when the bytes are gone (cleared after the release was sent) or do not open
 */
export async function readStoredMessage(engine: SqlEngine, io: QueueIo, transmissionId: string, part: number): Promise<{ envelope: SmtpEnvelope; raw: Buffer; messageId: string }> {
  const m = await openStoredMessage(engine, io, transmissionId, part);
  const parts: Buffer[] = [];
  for await (const c of m.chunks()) parts.push(c);
  const raw = Buffer.concat(parts);
  if (raw.length !== m.sizeBytes || createHash('sha256').update(raw).digest('hex') !== m.sha256) throw storedMessageMissing();
  return { envelope: m.envelope, raw, messageId: m.messageId };
}

/** The refusal when a stored message cannot be read (PHI-free). */
const storedMessageMissing = () => new AppError('INTERNAL', 'The stored message of this release could not be read. Nothing was sent.');
