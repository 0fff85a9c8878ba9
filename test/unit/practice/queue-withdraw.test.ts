/**
 * Withdrawing and cancelling a release in the practice's shared outbox, on both engines: before anything left, the
 * release goes back to draft (or is cancelled) atomically, its stored bytes erased (rows, sizes and digests kept), its
 * transmission closed, audited on the shared chain, and no workstation sends it; prepared again, it is queued with
 * its new transmission and delivered once. While a workstation holds it, the withdraw is refused with a coded,
 * PHI-free "being sent right now"; once a part left, withdraw is refused and cancel stops the rest, what left staying
 * recorded. A workstation claiming while staff withdraw: each release is either withdrawn and never claimed, or
 * claimed and the withdraw refused — never both. Synthetic data only.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import {
  beginQueuedPartAttempt,
  claimNextRelease,
  enqueueRelease,
  listQueuedReleases,
  markQueuedPartHandedOver,
  queueParts,
  recordQueuedPartFailure,
  recordQueuedPartSent,
  settleClaim,
  transmissionLog,
  withdrawQueuedRelease,
} from '../../../src/main/services/practice/queue-repo';
import { DEFAULT_RETRY } from '../../../src/main/services/releases/send-context';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';
import { PATIENT_ADDRESS, PATIENT_NAME, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';

const WS = { id: 'ws-1', actor: 'Workstation ws-1', actorId: null };
const REPLY = { smtpResponse: '250 2.0.0 Ok: queued', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384' };

/** The stored bytes of a transmission still on the server (whole values and chunks). */
async function storedValues(db: SqlEngine, transmissionId: string): Promise<number> {
  const m = await db.one<{ n: number }>('SELECT count(*) AS n FROM queue_messages WHERE transmission_id = $1 AND raw_sealed IS NOT NULL', [transmissionId]);
  const c = await db.one<{ n: number }>('SELECT count(*) AS n FROM queue_message_chunks WHERE transmission_id = $1 AND sealed IS NOT NULL', [transmissionId]);
  return Number(m!.n) + Number(c!.n);
}

describe.each(engines())('withdrawing from the shared outbox on $name', (h) => {
  const fresh = useEngineHarness(h);
  const io = testQueueIo(randomBytes(32));

  it('before anything left: back to draft atomically — bytes erased, rows kept, transmission closed, audited — never claimed; prepared again it is queued with its new transmission', async () => {
    const db = await fresh();
    const r = syntheticRelease(1, { tag: 'wd', parts: 2 });
    await enqueueRelease(db, io, r, STAFF, new Date());
    expect(await storedValues(db, r.transmissionId)).toBe(2);
    const w = await withdrawQueuedRelease(db, io, r.releaseId, 'withdraw', STAFF, new Date());
    expect(w).toEqual({ status: 'draft', transmissionId: r.transmissionId, changed: true });
    expect(await storedValues(db, r.transmissionId)).toBe(0);
    expect(Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM queue_messages WHERE transmission_id = $1', [r.transmissionId]))!.n)).toBe(2);
    const t = await db.one<{ closed_at: string | null; closed_reason: string | null; closed_by: string | null }>('SELECT closed_at, closed_reason, closed_by FROM queue_transmissions WHERE id = $1', [r.transmissionId]);
    expect(t).toMatchObject({ closed_reason: 'withdrawn', closed_by: STAFF.actorId });
    expect(t!.closed_at).not.toBeNull();
    expect(await claimNextRelease(db, io, WS, new Date(), 60_000)).toBeNull();
    // Twice: nothing more happens.
    expect((await withdrawQueuedRelease(db, io, r.releaseId, 'withdraw', STAFF, new Date())).changed).toBe(false);
    expect((await io.verifyChain(db)).intact).toBe(true);

    // Prepared again on its workstation (a new transmission), pushed again: queued with the new one, sent once.
    const again = syntheticRelease(1, { tag: 'wd' });
    const next = { ...again, transmissionId: 'tx-wd1-b', messages: again.messages.map((m) => ({ ...m, messageId: m.messageId.replace('@', '.b@') })) };
    await enqueueRelease(db, io, next, STAFF, new Date());
    expect((await listQueuedReleases(db)).find((x) => x.releaseId === r.releaseId)).toMatchObject({ status: 'queued', transmissionId: 'tx-wd1-b', attempts: 0 });
    const claim = (await claimNextRelease(db, io, WS, new Date(), 60_000))!;
    expect(claim.transmissionId).toBe('tx-wd1-b');
    const seq = await beginQueuedPartAttempt(db, claim, 1, new Date());
    await markQueuedPartHandedOver(db, claim, 1, new Date());
    expect(await recordQueuedPartSent(db, io, claim, 1, seq, REPLY, new Date(), DEFAULT_RETRY)).toBe('sent');
    const log = await transmissionLog(db);
    expect(log.filter((p) => p.transmissionId === r.transmissionId).every((p) => p.status === 'pending' && p.acceptedAttempts === 0)).toBe(true);
    expect(log.filter((p) => p.transmissionId === 'tx-wd1-b').map((p) => p.acceptedAttempts)).toEqual([1]);
    // A second copy while queued is still refused.
    await expect(enqueueRelease(db, io, next, STAFF, new Date())).rejects.toMatchObject({ code: 'RELEASE_QUEUED' });
  });

  it('while a workstation holds it: refused "being sent right now" (coded, no PHI), nothing changed; cancel is refused the same way', async () => {
    const db = await fresh();
    const r = syntheticRelease(2, { tag: 'wd' });
    await enqueueRelease(db, io, r, STAFF, new Date());
    const claim = (await claimNextRelease(db, io, WS, new Date(), 60_000))!;
    for (const how of ['withdraw', 'cancel'] as const) {
      const e = (await withdrawQueuedRelease(db, io, r.releaseId, how, STAFF, new Date()).then(
        () => null,
        (x: unknown) => x as Error & { code: string },
      ))!;
      expect(e).toMatchObject({ code: 'RELEASE_SEND_IN_PROGRESS' });
      expect(e.message).toMatch(/sending this release right now/);
      expect(e.message).not.toMatch(new RegExp(`${PATIENT_NAME}|${PATIENT_ADDRESS}`));
    }
    expect(await storedValues(db, r.transmissionId)).toBe(1);
    expect((await listQueuedReleases(db))[0]).toMatchObject({ status: 'sending', claimedBy: 'ws-1' });
    const seq = await beginQueuedPartAttempt(db, claim, 1, new Date());
    await markQueuedPartHandedOver(db, claim, 1, new Date());
    expect(await recordQueuedPartSent(db, io, claim, 1, seq, REPLY, new Date(), DEFAULT_RETRY)).toBe('sent');
    // Sent: a disclosure. Neither withdraw nor cancel changes it.
    await expect(withdrawQueuedRelease(db, io, r.releaseId, 'withdraw', STAFF, new Date())).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    await expect(withdrawQueuedRelease(db, io, r.releaseId, 'cancel', STAFF, new Date())).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    expect((await listQueuedReleases(db))[0]).toMatchObject({ status: 'sent' });
  });

  it('after a part left: withdraw refused; cancel stops the rest — remaining bytes erased, the sent part stays recorded, the transmission not closed', async () => {
    const db = await fresh();
    const r = syntheticRelease(3, { tag: 'wd', parts: 2 });
    await enqueueRelease(db, io, r, STAFF, new Date());
    const claim = (await claimNextRelease(db, io, WS, new Date(), 60_000))!;
    const s1 = await beginQueuedPartAttempt(db, claim, 1, new Date());
    await markQueuedPartHandedOver(db, claim, 1, new Date());
    await recordQueuedPartSent(db, io, claim, 1, s1, REPLY, new Date());
    const s2 = await beginQueuedPartAttempt(db, claim, 2, new Date());
    await recordQueuedPartFailure(db, io, claim, 2, s2, { status: 'failed', code: 'SMTP_TEMPORARY_FAILURE', transient: true }, new Date());
    expect(await settleClaim(db, io, claim, { status: 'failed', code: 'SMTP_TEMPORARY_FAILURE', transient: true }, DEFAULT_RETRY, new Date())).toBe('queued');
    await expect(withdrawQueuedRelease(db, io, r.releaseId, 'withdraw', STAFF, new Date())).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    expect(await withdrawQueuedRelease(db, io, r.releaseId, 'cancel', STAFF, new Date())).toMatchObject({ status: 'cancelled', changed: true });
    expect(await storedValues(db, r.transmissionId)).toBe(0);
    expect((await queueParts(db, r.transmissionId)).map((p) => p.status)).toEqual(['sent', 'failed']);
    expect((await db.one<{ closed_at: string | null }>('SELECT closed_at FROM queue_transmissions WHERE id = $1', [r.transmissionId]))!.closed_at).toBeNull();
    expect((await transmissionLog(db)).map((p) => p.acceptedAttempts)).toEqual([1, 0]);
    expect(await claimNextRelease(db, io, WS, new Date(), 60_000)).toBeNull();
  });

  it('a workstation claiming while staff withdraw: every release is either withdrawn and never claimed, or claimed and the withdraw refused', async () => {
    const db = await fresh({ poolSize: 6 });
    const other = h.another?.({ poolSize: 6 }) ?? db;
    try {
      const n = 16;
      const rs = Array.from({ length: n }, (_, i) => syntheticRelease(10 + i, { tag: 'race' }));
      for (const r of rs) await enqueueRelease(db, io, r, STAFF, new Date());
      const claimed: string[] = [];
      const claimer = (async () => {
        for (let i = 0; i < n; i++) {
          const c = await claimNextRelease(other, io, WS, new Date(), 60_000);
          if (c) claimed.push(c.releaseId);
        }
      })();
      const outcomes = await Promise.all(
        rs.map((r) =>
          withdrawQueuedRelease(db, io, r.releaseId, 'withdraw', STAFF, new Date()).then(
            () => ({ id: r.releaseId, withdrawn: true as const }),
            (e: { code: string }) => ({ id: r.releaseId, withdrawn: false as const, code: e.code }),
          ),
        ),
      );
      await claimer;
      const withdrawn = new Set(outcomes.filter((o) => o.withdrawn).map((o) => o.id));
      console.log(`race on ${h.name}: ${withdrawn.size} withdrawn, ${claimed.length} claimed`);
      expect(outcomes.filter((o) => !o.withdrawn).every((o) => 'code' in o && o.code === 'RELEASE_SEND_IN_PROGRESS')).toBe(true);
      expect(claimed.filter((id) => withdrawn.has(id))).toEqual([]);
      expect(withdrawn.size + claimed.length).toBe(n);
      const rows = await listQueuedReleases(db);
      for (const r of rows) expect(r.status).toBe(withdrawn.has(r.releaseId) ? 'draft' : 'sending');
      expect((await io.verifyChain(db)).intact).toBe(true);
    } finally {
      if (other !== db) await other.close();
    }
  });
});
