/**
 * Practice migration 0004 (stored messages as ordered sealed chunks) on both engines: a message pushed chunk by chunk
 * is read back byte-identical, each chunk sealed on its own (no clear text in the table, chunks cannot be swapped);
 * a message whose chunks do not match its recorded size or digest is refused with OUTBOX_INTEGRITY and nothing is
 * queued; once sent the chunk bytes are cleared and the rows kept; no chunk row can be deleted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import {
  beginQueuedPartAttempt,
  claimNextRelease,
  enqueueRelease,
  listQueuedReleases,
  markQueuedPartHandedOver,
  readStoredMessage,
  recordQueuedPartSent,
  type PreparedRelease,
} from '../../../src/main/services/practice/queue-repo';
import { DEFAULT_RETRY } from '../../../src/main/services/releases/send-context';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';
import { PATIENT_NAME, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';

const WS = { id: 'ws-1', actor: 'Workstation ws-1', actorId: null };

/** Release `i` with its message stored as chunks of `chunkBytes` (the vault outbox's form). */
function chunkedRelease(i: number, chunkBytes: number, tamper: { size?: number } = {}): { r: PreparedRelease; raw: Buffer } {
  const base = syntheticRelease(i, { tag: 'chunk', bodyBytes: 5000 });
  const raw = base.messages[0]!.raw;
  const pieces: Buffer[] = [];
  for (let off = 0; off < raw.length; off += chunkBytes) pieces.push(raw.subarray(off, off + chunkBytes));
  const stored = { sizeBytes: tamper.size ?? raw.length, sha256: createHash('sha256').update(raw).digest('hex'), chunks: () => pieces };
  return { r: { ...base, messages: [{ ...base.messages[0]!, raw: stored }] }, raw };
}

describe.each(engines())('migration 0004 queue-message-chunks on $name', (h) => {
  const fresh = useEngineHarness(h);
  const io = testQueueIo(randomBytes(32));

  it('a message pushed chunk by chunk reads back byte-identical; each chunk is sealed and bound to its place; sent → bytes cleared, rows kept, none deletable', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 2)).toBe(2);
    expect(await migratePractice(db)).toBeGreaterThanOrEqual(4);
    const { r, raw } = chunkedRelease(1, 1024);
    await enqueueRelease(db, io, r, STAFF, new Date());
    const rows = await db.all<{ seq: number; sealed: Buffer; size_bytes: number }>('SELECT seq, sealed, size_bytes FROM queue_message_chunks ORDER BY seq');
    expect(rows.map((x) => Number(x.size_bytes)).reduce((a, b) => a + b, 0)).toBe(raw.length);
    expect(rows.length).toBe(Math.ceil(raw.length / 1024));
    for (const x of rows) expect(Buffer.from(x.sealed).includes(Buffer.from(PATIENT_NAME))).toBe(false);
    expect((await readStoredMessage(db, io, r.transmissionId, 1)).raw.equals(raw)).toBe(true);

    // Two chunks swapped on the server: the message no longer opens (nothing would be sent).
    const [c0, c1] = rows as [(typeof rows)[0], (typeof rows)[0]];
    await db.run('UPDATE queue_message_chunks SET sealed = $1 WHERE seq = 0', [Buffer.from(c1.sealed)]);
    await db.run('UPDATE queue_message_chunks SET sealed = $1 WHERE seq = 1', [Buffer.from(c0.sealed)]);
    await expect(readStoredMessage(db, io, r.transmissionId, 1)).rejects.toMatchObject({ code: 'INTERNAL' });
    await db.run('UPDATE queue_message_chunks SET sealed = $1 WHERE seq = 0', [Buffer.from(c0.sealed)]);
    await db.run('UPDATE queue_message_chunks SET sealed = $1 WHERE seq = 1', [Buffer.from(c1.sealed)]);

    const now = () => new Date();
    const claim = (await claimNextRelease(db, io, WS, now(), 60_000))!;
    const seq = await beginQueuedPartAttempt(db, claim, 1, now());
    await markQueuedPartHandedOver(db, claim, 1, now());
    expect(await recordQueuedPartSent(db, io, claim, 1, seq, { smtpResponse: '250 ok', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_128_GCM_SHA256' }, now(), DEFAULT_RETRY)).toBe('sent');
    const cleared = await db.all<{ sealed: Buffer | null; cleared_at: string | null }>('SELECT sealed, cleared_at FROM queue_message_chunks ORDER BY seq');
    expect(cleared).toHaveLength(rows.length);
    expect(cleared.every((x) => x.sealed === null && x.cleared_at !== null)).toBe(true);
    await expect(db.run('DELETE FROM queue_message_chunks')).rejects.toThrow();
    expect(await db.one('SELECT count(*) AS n FROM queue_message_chunks')).toMatchObject({ n: rows.length });
  });

  it('chunks that do not match the recorded size or digest are refused (OUTBOX_INTEGRITY); nothing is queued', async () => {
    const db = await fresh();
    const { r } = chunkedRelease(2, 1000, { size: 17 });
    await expect(enqueueRelease(db, io, r, STAFF, new Date())).rejects.toMatchObject({ code: 'OUTBOX_INTEGRITY' });
    expect(await listQueuedReleases(db)).toEqual([]);
    expect(await db.one('SELECT count(*) AS n FROM queue_message_chunks')).toMatchObject({ n: 0 });
  });
});
