/**
 * The shared outbox's repository on both engines: enqueue (exact bytes, sealed), claims (oldest due first, never
 * the same release twice, even concurrently), the claim token fencing every later write, recovery of lapsed claims by
 * the send-workflow rule, the outcome rules, staff's decision on an unconfirmed release, and every state change
 * committed with its audit event in the shared chain.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../../src/main/services/releases/send-context';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import {
  beginQueuedPartAttempt,
  claimNextRelease,
  enqueueRelease,
  listQueuedReleases,
  markQueuedPartHandedOver,
  queueActivity,
  queueParts,
  queuedRecipient,
  readStoredMessage,
  recordQueuedPartFailure,
  recordQueuedPartSent,
  recoverLapsedClaims,
  resolveQueuedUnconfirmed,
  settleClaim,
  transmissionLog,
  type QueueClaim,
} from '../../../src/main/services/practice/queue-repo';
import { engines } from '../../support/practice-engines';
import { PATIENT_ADDRESS, PATIENT_NAME, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';

const WS1 = { id: 'ws-1', actor: 'Workstation ws-1', actorId: null };
const WS2 = { id: 'ws-2', actor: 'Workstation ws-2', actorId: null };
const T0 = new Date('2026-12-07T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;
const REPLY = { smtpResponse: '250 OK: queued as TEST', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384' };

async function actions(db: SqlEngine, releaseId: string): Promise<string[]> {
  return (await db.all<{ action: string }>('SELECT action FROM practice_audit_events WHERE subject_id = $1 ORDER BY seq', [releaseId])).map((r) => r.action);
}

describe.each(engines())('shared queue repository on $name', (h) => {
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  let db: SqlEngine | undefined;
  const others: SqlEngine[] = [];
  afterEach(async () => {
    for (const o of others.splice(0)) await o.close();
    await db?.close();
    db = undefined;
  });
  const io = testQueueIo(randomBytes(32));

  it('enqueue stores the exact messages: the claim reads back the same bytes, envelope and Message-IDs', async () => {
    db = await h.fresh();
    const r = syntheticRelease(7, { parts: 2 });
    await enqueueRelease(db, io, r, STAFF, T0);
    const c = (await claimNextRelease(db, io, WS1, at(1), LEASE))!;
    expect(c).toMatchObject({ releaseId: r.releaseId, transmissionId: r.transmissionId, envid: r.envid, workstation: 'ws-1' });
    for (const m of r.messages) {
      const stored = await readStoredMessage(db, io, c.transmissionId, m.part);
      expect(stored.raw.equals(m.raw)).toBe(true);
      expect(stored.messageId).toBe(m.messageId);
      expect(stored.envelope).toEqual(m.envelope);
    }
    expect(await queuedRecipient(db, io, r.transmissionId)).toEqual({ name: PATIENT_NAME, address: PATIENT_ADDRESS });
    expect((await queueParts(db, r.transmissionId)).map((p) => [p.part, p.status, p.messageId])).toEqual(r.messages.map((m) => [m.part, 'pending', m.messageId]));
    expect(await actions(db, r.releaseId)).toEqual(['release.queued', 'release.send_attempt']);
  });

  it('a prepared release with bad parts is refused (VALIDATION_FAILED) and queueing one twice is refused (RELEASE_QUEUED); nothing more is stored', async () => {
    db = await h.fresh();
    const good = syntheticRelease(1);
    const noId = { ...syntheticRelease(2), messages: [{ ...good.messages[0]!, messageId: 'no-brackets' }] };
    const gap = { ...syntheticRelease(3, { parts: 2 }) };
    gap.messages = [gap.messages[1]!];
    await expect(enqueueRelease(db, io, noId, STAFF, T0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(enqueueRelease(db, io, gap, STAFF, T0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await enqueueRelease(db, io, good, STAFF, T0);
    await expect(enqueueRelease(db, io, { ...good, transmissionId: 'tx-other' }, STAFF, at(5))).rejects.toMatchObject({ code: 'RELEASE_QUEUED' });
    expect(await db.one('SELECT count(*) AS n FROM queue_transmissions')).toEqual({ n: 1 });
    expect(await db.one('SELECT count(*) AS n FROM practice_audit_events')).toEqual({ n: 1 });
  });

  it('claims go oldest first; a release waiting for its retry time is not claimed; nothing due → null', async () => {
    db = await h.fresh();
    for (const i of [1, 2]) await enqueueRelease(db, io, syntheticRelease(i), STAFF, at(i));
    const first = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
    expect(first.releaseId).toBe('rel-q1');
    // A temporary failure: back in the queue after a backoff.
    const seq = await beginQueuedPartAttempt(db, first, 1, at(11));
    await recordQueuedPartFailure(db, io, first, 1, seq, { status: 'failed', code: 'SMTP_TEMPORARY_FAILURE', transient: true }, at(12));
    expect(await settleClaim(db, io, first, { status: 'failed', code: 'SMTP_TEMPORARY_FAILURE', transient: true }, DEFAULT_RETRY, at(13))).toBe('queued');
    expect((await claimNextRelease(db, io, WS2, at(14), LEASE))!.releaseId).toBe('rel-q2');
    expect(await claimNextRelease(db, io, WS2, at(15), LEASE)).toBeNull();
    expect(await queueActivity(db, at(15))).toMatchObject({ due: 0, waiting: 1, sending: 1 });
    const again = (await claimNextRelease(db, io, WS2, at(13 + DEFAULT_RETRY.baseMs), LEASE))!;
    expect(again).toMatchObject({ releaseId: 'rel-q1', attempts: 1 });
  });

  it('concurrent claims from two workstations never hand out the same release', async () => {
    db = await h.fresh({ poolSize: 6 });
    for (let i = 0; i < 12; i++) await enqueueRelease(db, io, syntheticRelease(i), STAFF, at(i));
    const second = h.another ? h.another({ poolSize: 6 }) : db;
    if (second !== db) others.push(second);
    const claims = await Promise.all(Array.from({ length: 16 }, (_, k) => claimNextRelease(k % 2 ? second : db!, io, k % 2 ? WS2 : WS1, at(100), LEASE)));
    const got = claims.filter((c): c is QueueClaim => c !== null).map((c) => c.releaseId);
    expect(got).toHaveLength(12);
    expect(new Set(got).size).toBe(12);
    expect((await listQueuedReleases(db)).every((r) => r.status === 'sending')).toBe(true);
    expect((await io.verifyChain(db)).intact).toBe(true);
  });

  it('a lapsed claim is recovered by the send-workflow rule: handed over → unconfirmed, not handed over → pending and the release queued', async () => {
    db = await h.fresh();
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, T0);
    await enqueueRelease(db, io, syntheticRelease(2), STAFF, at(1));
    const a = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
    const b = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
    await beginQueuedPartAttempt(db, a, 1, at(11));
    await markQueuedPartHandedOver(db, a, 1, at(12)); // then the workstation died before the reply
    await beginQueuedPartAttempt(db, b, 1, at(11)); // died while connecting
    expect(await recoverLapsedClaims(db, io, WS2, at(12 + LEASE - 1))).toEqual([]); // both leases still live
    const rec = await recoverLapsedClaims(db, io, WS2, at(12 + LEASE + 1));
    expect(rec).toEqual([
      { releaseId: 'rel-q1', to: 'unconfirmed' },
      { releaseId: 'rel-q2', to: 'queued' },
    ]);
    expect((await queueParts(db, 'tx-q1'))[0]).toMatchObject({ status: 'unconfirmed', errorCode: 'SEND_INTERRUPTED', attempts: 1 });
    expect((await queueParts(db, 'tx-q2'))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    const attempts = await db.all<{ outcome: string }>('SELECT outcome FROM queue_attempts ORDER BY seq');
    expect(attempts.map((x) => x.outcome)).toEqual(['interrupted', 'interrupted']);
    expect(await actions(db, 'rel-q1')).toEqual(['release.queued', 'release.send_attempt', 'release.send_interrupted']);
    // The unconfirmed one is not handed out again; the queued one is.
    expect((await claimNextRelease(db, io, WS2, at(LEASE * 2), LEASE))!.releaseId).toBe('rel-q2');
    expect(await claimNextRelease(db, io, WS2, at(LEASE * 2), LEASE)).toBeNull();
  });

  it('a restarted workstation recovers its own earlier claims at once; another workstation’s live claim is left alone', async () => {
    db = await h.fresh();
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, T0);
    await enqueueRelease(db, io, syntheticRelease(2), STAFF, at(1));
    await claimNextRelease(db, io, WS1, at(10), LEASE);
    await claimNextRelease(db, io, WS2, at(10), LEASE);
    expect(await recoverLapsedClaims(db, io, WS1, at(20), 'ws-1')).toEqual([{ releaseId: 'rel-q1', to: 'queued' }]);
    expect((await listQueuedReleases(db)).map((r) => [r.releaseId, r.status, r.claimedBy])).toEqual([
      ['rel-q1', 'queued', null],
      ['rel-q2', 'sending', 'ws-2'],
    ]);
  });

  it('a workstation whose claim was recovered can neither hand over nor record: QUEUE_CLAIM_LOST, nothing written', async () => {
    db = await h.fresh();
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, T0);
    const stale = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
    const seq = await beginQueuedPartAttempt(db, stale, 1, at(11));
    await recoverLapsedClaims(db, io, WS2, at(11 + LEASE + 1));
    const fresh = (await claimNextRelease(db, io, WS2, at(11 + LEASE + 2), LEASE))!;
    const before = await db.one<{ n: number }>('SELECT count(*) AS n FROM practice_audit_events');
    await expect(markQueuedPartHandedOver(db, stale, 1, at(LEASE + 20))).rejects.toMatchObject({ code: 'QUEUE_CLAIM_LOST' });
    await expect(recordQueuedPartSent(db, io, stale, 1, seq, REPLY, at(LEASE + 21))).rejects.toMatchObject({ code: 'QUEUE_CLAIM_LOST' });
    await expect(settleClaim(db, io, stale, null, DEFAULT_RETRY, at(LEASE + 22))).rejects.toMatchObject({ code: 'QUEUE_CLAIM_LOST' });
    expect(await db.one<{ n: number }>('SELECT count(*) AS n FROM practice_audit_events')).toEqual(before);
    expect((await queueParts(db, 'tx-q1'))[0]).toMatchObject({ status: 'pending', handedOverAt: null });
    // The new holder goes on normally.
    const s2 = await beginQueuedPartAttempt(db, fresh, 1, at(LEASE + 30));
    await markQueuedPartHandedOver(db, fresh, 1, at(LEASE + 31));
    await recordQueuedPartSent(db, io, fresh, 1, s2, REPLY, at(LEASE + 32));
    expect(await settleClaim(db, io, fresh, null, DEFAULT_RETRY, at(LEASE + 33))).toBe('sent');
  });

  it('outcomes: all parts accepted → sent, stored bytes cleared with the rows kept; a refusal → failed; some parts sent → partly sent', async () => {
    db = await h.fresh();
    for (const i of [1, 2, 3]) await enqueueRelease(db, io, syntheticRelease(i, { parts: 2 }), STAFF, at(i));
    const deliver = async (c: QueueClaim, results: Array<'sent' | 'refused'>) => {
      for (const [k, r] of results.entries()) {
        const seq = await beginQueuedPartAttempt(db!, c, k + 1, at(20));
        if (r === 'sent') await recordQueuedPartSent(db!, io, c, k + 1, seq, REPLY, at(21));
        else {
          await recordQueuedPartFailure(db!, io, c, k + 1, seq, { status: 'failed', code: 'SMTP_REJECTED', transient: false }, at(21));
          return settleClaim(db!, io, c, { status: 'failed', code: 'SMTP_REJECTED', transient: false }, DEFAULT_RETRY, at(22));
        }
      }
      return settleClaim(db!, io, c, null, DEFAULT_RETRY, at(22));
    };
    expect(await deliver((await claimNextRelease(db, io, WS1, at(10), LEASE))!, ['sent', 'sent'])).toBe('sent');
    expect(await deliver((await claimNextRelease(db, io, WS1, at(10), LEASE))!, ['refused'])).toBe('failed');
    expect(await deliver((await claimNextRelease(db, io, WS1, at(10), LEASE))!, ['sent', 'refused'])).toBe('partly_sent');
    const cleared = await db.all<{ part: number; raw_sealed: Buffer | null; cleared_at: string | null }>("SELECT part, raw_sealed, cleared_at FROM queue_messages WHERE transmission_id = 'tx-q1' ORDER BY part");
    expect(cleared.map((m) => [m.part, m.raw_sealed, m.cleared_at !== null])).toEqual([
      [1, null, true],
      [2, null, true],
    ]);
    await expect(readStoredMessage(db, io, 'tx-q1', 1)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await readStoredMessage(db, io, 'tx-q2', 1)).messageId).toBe('<rd.q2.1.2@clinic.example.test>');
    const log = await transmissionLog(db);
    expect(log.filter((p) => p.transmissionId === 'tx-q1').map((p) => [p.status, p.acceptedAttempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
    expect(await actions(db, 'rel-q1')).toEqual(['release.queued', 'release.send_attempt', 'release.part_sent', 'release.part_sent', 'release.send']);
    expect(await actions(db, 'rel-q2')).toEqual(['release.queued', 'release.send_attempt', 'release.part_failed', 'release.send']);
  });

  it('staff resolve an unconfirmed release: "recipient confirmed" → sent; "resend" → queued with the same stored message', async () => {
    db = await h.fresh();
    for (const i of [1, 2]) await enqueueRelease(db, io, syntheticRelease(i), STAFF, at(i));
    for (let k = 0; k < 2; k++) {
      const c = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
      const seq = await beginQueuedPartAttempt(db, c, 1, at(11));
      await markQueuedPartHandedOver(db, c, 1, at(12));
      await recordQueuedPartFailure(db, io, c, 1, seq, { status: 'unconfirmed', code: 'SMTP_NO_REPLY', transient: false }, at(13));
      expect(await settleClaim(db, io, c, { status: 'unconfirmed', code: 'SMTP_NO_REPLY', transient: false }, DEFAULT_RETRY, at(14))).toBe('unconfirmed');
    }
    expect(await claimNextRelease(db, io, WS1, at(20), LEASE)).toBeNull();
    expect(await resolveQueuedUnconfirmed(db, io, 'rel-q1', 'recipient_confirmed', STAFF, at(30))).toBe('sent');
    expect((await queueParts(db, 'tx-q1'))[0]).toMatchObject({ status: 'sent', resolution: 'recipient_confirmed', sentAt: at(12).toISOString() });
    expect(await resolveQueuedUnconfirmed(db, io, 'rel-q2', 'resend', STAFF, at(31))).toBe('queued');
    const again = (await claimNextRelease(db, io, WS2, at(32), LEASE))!;
    expect(again.releaseId).toBe('rel-q2');
    expect((await readStoredMessage(db, io, again.transmissionId, 1)).messageId).toBe('<rd.q2.1.1@clinic.example.test>');
    await expect(resolveQueuedUnconfirmed(db, io, 'rel-q1', 'resend', STAFF, at(33))).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
  });

  it('every state change commits with its audit event; a refused change writes neither; the chain verifies', async () => {
    db = await h.fresh();
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, T0);
    const c = (await claimNextRelease(db, io, WS1, at(10), LEASE))!;
    const seq = await beginQueuedPartAttempt(db, c, 1, at(11));
    await recordQueuedPartSent(db, io, c, 1, seq, REPLY, at(12));
    await settleClaim(db, io, c, null, DEFAULT_RETRY, at(13));
    const n = await db.one<{ n: number }>('SELECT count(*) AS n FROM practice_audit_events');
    // sent → unconfirmed is not in RELEASE_TRANSITIONS: refused, nothing written.
    await expect(resolveQueuedUnconfirmed(db, io, 'rel-q1', 'resend', STAFF, at(20))).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    expect(await db.one<{ n: number }>('SELECT count(*) AS n FROM practice_audit_events')).toEqual(n);
    const events = await db.all<{ action: string; subject_id: string }>('SELECT action, subject_id FROM practice_audit_events ORDER BY seq');
    expect(events.map((e) => e.action)).toEqual(['release.queued', 'release.send_attempt', 'release.part_sent', 'release.send']);
    expect((await listQueuedReleases(db))[0]).toMatchObject({ status: 'sent', claimedBy: null, leaseUntil: null });
    expect(await io.verifyChain(db)).toEqual({ intact: true, checked: 4 });
  });
});
