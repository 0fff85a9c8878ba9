/**
 * Taking a release out of the practice's shared outbox before anything of it left the practice (issue #17): the
 * rules of the single vault's withdraw (releases/send-workflow.ts) on the shared queue, atomic on the server.
 * SQL only here and in the other queue repositories; re-exported by queue-repo.ts.
 * @source 45 CFR 164.528 (only what left the practice is a disclosure; it stays recorded), 164.312(b) audit controls,
 *   164.530(j) retention (no record is deleted)
 */
import { AppError } from '../../../shared/errors';
import type { ReleaseStatus } from '../releases/repo';
import type { SqlEngine } from './engine';
import type { QueueActor, QueueIo } from './queue-types';
import { canMoveRelease } from '../releases/state';
import { lock, moveQueued, queuePartsTx } from './queue-records-repo';

/** What {@link withdrawQueuedRelease} did. */
export interface QueueWithdrawal {
  /** The status the release has in the shared outbox afterwards ('draft' when withdrawn, 'cancelled'). */
  status: ReleaseStatus;
  transmissionId: string;
  /** Whether this call changed it (false: it had been withdrawn or cancelled before — nothing written). */
  changed: boolean;
}

/**
 * Withdraw ('withdraw': back to draft on the workstation that prepared it) or cancel a release of the shared outbox,
 * in ONE transaction holding the release's row lock (`SELECT … FOR UPDATE` on PostgreSQL; the single writer on the
 * embedded engine), so a workstation claiming it at the same moment either gets it first (then this refuses: it is
 * being sent) or finds it gone from the queue:
 * - never while a workstation holds the release ('sending'); 'withdraw' only while no part has left the practice —
 *   every part 'pending' or 'failed' (refused before or at the final ".", RFC 5321 §4.1.1.4); 'cancel' also stops
 *   the rest of a partly delivered release (what left stays recorded: a disclosure), as in the single vault;
 * - the stored message bytes and chunks are erased (NULL, cleared_at; the rows, sizes and digests stay); a
 *   transmission of which nothing left is closed (closed_at, closed_reason, closed_by); the release moves through
 *   RELEASE_TRANSITIONS to 'draft' or 'cancelled' with its 'release.withdrawn' / 'release.cancelled' event on the
 *   shared audit chain;
 * - idempotent: a release already withdrawn or cancelled is left as it is (nothing written).
 * The accounting of disclosures is unaffected: nothing of the release was disclosed.
 * @param how 'withdraw' or 'cancel'
 * @param by the staff member deciding (their id is recorded, never PHI)
 * @returns see {@link QueueWithdrawal}
 * @throws AppError NOT_FOUND (not in the shared outbox; nothing written); RELEASE_SEND_IN_PROGRESS (a workstation
 *   holds it: it is being sent right now); STATUS_TRANSITION_INVALID (withdraw after a part left the practice: a
 *   disclosure, it stays recorded; or a status that cannot be cancelled, e.g. sent); store errors
 * @source 45 CFR 164.528, 164.312(b); RFC 5321 §4.1.1.4
 */
export async function withdrawQueuedRelease(engine: SqlEngine, io: QueueIo, releaseId: string, how: 'withdraw' | 'cancel', by: QueueActor, now: Date): Promise<QueueWithdrawal> {
  return engine.transaction(async (tx) => {
    const rel = await tx.one<{ status: ReleaseStatus; transmission_id: string }>(`SELECT status, transmission_id FROM queue_releases WHERE id = $1${lock(tx)}`, [releaseId]);
    if (!rel) throw new AppError('NOT_FOUND', 'This release is not in the practice’s outbox.');
    const transmissionId = rel.transmission_id;
    if (rel.status === 'cancelled' || rel.status === 'draft') return { status: rel.status, transmissionId, changed: false };
    if (rel.status === 'sending')
      throw new AppError('RELEASE_SEND_IN_PROGRESS', 'A workstation of the practice is sending this release right now, so it cannot be withdrawn. Look again in a minute.');
    const parts = await queuePartsTx(tx, transmissionId);
    const left = parts.filter((p) => p.status !== 'pending' && p.status !== 'failed').length;
    if (how === 'withdraw' && left > 0)
      throw new AppError('STATUS_TRANSITION_INVALID', 'Part of this release has left the practice; it can no longer be withdrawn. What was sent stays recorded.', { from: rel.status });
    const to: ReleaseStatus = how === 'cancel' ? 'cancelled' : 'draft';
    if (!canMoveRelease(rel.status, to)) throw new AppError('STATUS_TRANSITION_INVALID', `A release that is ${rel.status.replace('_', ' ')} cannot be ${how === 'cancel' ? 'cancelled' : 'withdrawn'}.`, { from: rel.status, to });
    const at = now.toISOString();
    // Nothing more of it is sent: the stored bytes go (the rows, sizes and digests stay).
    let erased = (await tx.run('UPDATE queue_messages SET raw_sealed = NULL, cleared_at = $2 WHERE transmission_id = $1 AND cleared_at IS NULL', [transmissionId, at])).changes;
    erased += (await tx.run('UPDATE queue_message_chunks SET sealed = NULL, cleared_at = $2 WHERE transmission_id = $1 AND cleared_at IS NULL', [transmissionId, at])).changes;
    // A transmission of which nothing left is closed; one that was partly delivered stays as it is (the disclosure).
    if (left === 0)
      await tx.run('UPDATE queue_transmissions SET closed_at = $2, closed_reason = $3, closed_by = $4 WHERE id = $1', [transmissionId, at, how === 'cancel' ? 'cancelled' : 'withdrawn', by.actorId ?? by.actor]);
    await moveQueued(tx, io, releaseId, to, now, {
      by,
      notBefore: null,
      audit: { action: how === 'cancel' ? 'release.cancelled' : 'release.withdrawn', detail: { transmissionId, parts: parts.length, partsLeft: left, storedValuesErased: erased, shared: true } },
    });
    return { status: to, transmissionId, changed: true };
  });
}
