/**
 * Practice migration 0007 (withdrawing from the shared outbox, bounces recorded on it) on both engines: a store at
 * version 4 with a queued release moves to 7 keeping it; the transmission gets its closing columns (empty), the part
 * its bounce columns (empty); the bounce-report ledger takes one row per report digest (a second copy is refused),
 * names its part, and refuses DELETE like every other queue table.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { enqueueRelease, listQueuedReleases } from '../../../src/main/services/practice/queue-repo';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';
import { STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';

describe.each(engines())('migration 0007 queue-withdraw-bounces on $name', (h) => {
  const fresh = useEngineHarness(h);
  const io = testQueueIo(randomBytes(32));

  it('keeps what was queued, adds empty closing and bounce columns, and an append-only ledger with one row per report', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 4)).toBe(4);
    const r = syntheticRelease(1, { tag: 'm7' });
    await enqueueRelease(db, io, r, STAFF, new Date());
    expect(await migratePractice(db)).toBeGreaterThanOrEqual(7);
    expect((await listQueuedReleases(db)).map((x) => x.status)).toEqual(['queued']);
    expect(await db.one('SELECT closed_at, closed_reason, closed_by FROM queue_transmissions WHERE id = $1', [r.transmissionId])).toEqual({ closed_at: null, closed_reason: null, closed_by: null });
    expect(await db.one('SELECT bounce_status, bounced_at FROM queue_parts WHERE transmission_id = $1', [r.transmissionId])).toEqual({ bounce_status: null, bounced_at: null });
    const row = ['d'.repeat(64), '2026-12-07T09:00:00.000Z', 'Front desk B [b2b2b2b2]', 'message_id', r.transmissionId, 1, 'failed', '5.1.1', 'bounced'];
    const insert = 'INSERT INTO queue_bounce_reports (digest, received_at, reported_by, matched_by, transmission_id, part, action, status, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
    await db.run(insert, row);
    await expect(db.run(insert, row)).rejects.toThrow();
    await expect(db.run('DELETE FROM queue_bounce_reports')).rejects.toThrow();
    expect(Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM queue_bounce_reports'))!.n)).toBe(1);
  });
});
