import { createHash } from 'node:crypto';
import { OUTBOX_MESSAGE_COLUMNS } from './schema-parts';
import type { Migration } from './types';

/** Bytes per stored chunk of an outbox message (1 MiB; the reader accepts any size). */
const CHUNK_BYTES = 1024 * 1024;

/**
 * The outbox stores each composed message as ordered chunks (issue 16: a release of any size in bounded memory,
 * a responsive window): writing, reading back into the SMTP DATA stream and erasing a message are many short
 * statements instead of one call that copies the whole message several times on the main thread.
 *
 * - outbox_messages: no bytes any more; `size_bytes` and `sha256` (hex, of the whole message) are set by the
 *   statement that completes the message (both NULL while its chunks are written: not yet deliverable). The
 *   delivery checks the chunks against them before the final "." of DATA.
 * - outbox_chunks: (transmission_id, part, seq) → data, seq from 0 in message order; a chunk belongs to a stored
 *   message (foreign key), so chunks are erased before their message.
 * - Messages stored before this version (one `raw` blob each) are cut into chunks here, with their size and
 *   SHA-256, so they are delivered exactly like new ones.
 */
export const migration: Migration = {
  version: 15,
  name: 'outbox messages stored as ordered chunks with size and SHA-256',
  up(db) {
    db.exec(`
      ALTER TABLE outbox_messages RENAME TO outbox_messages_v14;
      CREATE TABLE outbox_messages (
        ${OUTBOX_MESSAGE_COLUMNS}
        size_bytes       INTEGER CHECK (size_bytes IS NULL OR size_bytes >= 0),
        sha256           TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
        CHECK ((size_bytes IS NULL) = (sha256 IS NULL)),
        PRIMARY KEY (transmission_id, part)
      ) STRICT;
      CREATE TABLE outbox_chunks (
        transmission_id  TEXT NOT NULL,
        part             INTEGER NOT NULL,
        seq              INTEGER NOT NULL CHECK (seq >= 0),
        data             BLOB NOT NULL,
        PRIMARY KEY (transmission_id, part, seq),
        FOREIGN KEY (transmission_id, part) REFERENCES outbox_messages(transmission_id, part)
      ) STRICT;
    `);
    const keys = db.prepare('SELECT transmission_id AS t, part AS p FROM outbox_messages_v14 ORDER BY rowid').all() as Array<{ t: string; p: number }>;
    const read = db.prepare('SELECT part_of, message_id, envelope_from, envelope_to, raw FROM outbox_messages_v14 WHERE transmission_id = ? AND part = ?');
    const insMsg = db.prepare(
      'INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to, size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insChunk = db.prepare('INSERT INTO outbox_chunks (transmission_id, part, seq, data) VALUES (?, ?, ?, ?)');
    for (const k of keys) {
      const r = read.get(k.t, k.p) as { part_of: number; message_id: string; envelope_from: string; envelope_to: string; raw: Buffer };
      insMsg.run(k.t, k.p, r.part_of, r.message_id, r.envelope_from, r.envelope_to, r.raw.length, createHash('sha256').update(r.raw).digest('hex'));
      for (let seq = 0, off = 0; off < r.raw.length; seq++, off += CHUNK_BYTES) insChunk.run(k.t, k.p, seq, r.raw.subarray(off, off + CHUNK_BYTES));
    }
    db.exec('DROP TABLE outbox_messages_v14;');
  },
};
