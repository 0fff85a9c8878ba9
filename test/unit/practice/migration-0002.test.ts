/**
 * Migration 0002 (shared queue) on both engines: the five queue tables exist after it, no record can be deleted,
 * and a stored message is ciphertext (the sealed columns hold no clear text of the message).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { beginQueuedPartAttempt, claimNextRelease, enqueueRelease } from '../../../src/main/services/practice/queue-repo';
import { engines } from '../../support/practice-engines';
import { tableNames, useEngineHarness } from '../../support/practice-suite';
import { PATIENT_ADDRESS, PATIENT_NAME, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';

describe.each(engines())('migration 0002 shared-queue on $name', (h) => {
  const fresh = useEngineHarness(h);

  it('creates the queue tables on top of 0001', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 1)).toBe(1);
    expect(await tableNames(db)).not.toContain('queue_releases');
    expect(await migratePractice(db, 2)).toBe(2);
    expect(await tableNames(db)).toEqual(expect.arrayContaining(['queue_attempts', 'queue_messages', 'queue_parts', 'queue_releases', 'queue_transmissions']));
  });

  it('no record of the shared queue can be deleted', async () => {
    const db = await fresh();
    const io = testQueueIo(randomBytes(32));
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, new Date());
    const claim = await claimNextRelease(db, io, { id: 'ws-1', actor: 'Workstation ws-1', actorId: null }, new Date(), 60_000);
    await beginQueuedPartAttempt(db, claim!, 1, new Date());
    for (const t of ['queue_attempts', 'queue_messages', 'queue_parts', 'queue_transmissions', 'queue_releases']) {
      await expect(db.run(`DELETE FROM ${t}`)).rejects.toMatchObject({ code: expect.stringMatching(/^PRACTICE_DB_/) });
    }
    expect(await db.one('SELECT count(*) AS n FROM queue_parts')).toEqual({ n: 1 });
  });

  it('the stored message, its envelope and the recipient are ciphertext: no patient name or address in any queue column', async () => {
    const db = await fresh();
    const io = testQueueIo(randomBytes(32));
    await enqueueRelease(db, io, syntheticRelease(2), STAFF, new Date());
    const dump: string[] = [];
    for (const t of ['queue_releases', 'queue_transmissions', 'queue_parts', 'queue_messages']) {
      for (const row of await db.all<Record<string, unknown>>(`SELECT * FROM ${t}`)) {
        for (const v of Object.values(row)) dump.push(Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
      }
    }
    const text = dump.join('\n');
    expect(text).not.toContain(PATIENT_NAME);
    expect(text).not.toContain(PATIENT_ADDRESS);
    expect(text).not.toContain('BEGIN PGP MESSAGE');
    expect(text).toContain('<rd.q2.1.1@clinic.example.test>'); // the Message-ID is metadata, in clear
  });
});
