/**
 * The shared outbox after the fact (issue #17): releases whose claim lapsed are recovered, and staff decisions on a
 * release the queue could not finish — try a failed one again, or say whether an unconfirmed one arrived — are
 * recorded. Split from queue-repo.ts (which re-exports these) so each file reads as one part of the procedure; the
 * same exactly-once rules apply (see queue-repo.ts). SQL only here and in the other queue repositories.
 * @source 45 CFR 164.312(b) audit controls, 164.528 accounting of disclosures; RFC 5321 §4.1.1.4
 */
import { AppError } from '../../../shared/errors';
import type { ReleaseStatus } from '../releases/repo';
import type { SqlEngine } from './engine';
import type { QueueActor, QueueIo } from './queue-types';
import { completeTransmission, lock, moveQueued, queuePartsTx, refreshSummary } from './queue-records-repo';
/**
 * Recover releases whose claim lapsed: every 'sending' release whose lease ended before `now` — and, when
 * `ownWorkstation` is given, every release that workstation claimed before it restarted (its previous process is
 * gone). The send-workflow rule: a part handed over → 'unconfirmed' (may have been delivered), any other claimed
 * part → 'pending'; open attempts end 'interrupted'; the release → 'unconfirmed' if any part is, else 'queued'
 * (due at once), with its 'release.send_interrupted' audit event. Rows another workstation is writing right now
 * are skipped (`SKIP LOCKED`) and looked at on the next call.
 * @returns per release the status it got
 * @source 45 CFR 164.312(b); RFC 5321 §4.1.1.4 (after the final "." a missing reply leaves delivery unknown)
 */
export async function recoverLapsedClaims(engine: SqlEngine, io: QueueIo, by: QueueActor, now: Date, ownWorkstation?: string): Promise<Array<{ releaseId: string; to: ReleaseStatus }>> {
  return engine.transaction(async (tx) => {
    const rows = await tx.all<{ id: string; transmission_id: string; claimed_by: string | null }>(
      `SELECT id, transmission_id, claimed_by FROM queue_releases
       WHERE status = 'sending' AND (lease_until < $1 OR claimed_by = $2)
       ORDER BY id${tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [now.getTime(), ownWorkstation ?? null],
    );
    const out: Array<{ releaseId: string; to: ReleaseStatus }> = [];
    for (const r of rows) {
      const claimed = await tx.all<{ part: number; handed_over_at: string | null }>("SELECT part, handed_over_at FROM queue_parts WHERE transmission_id = $1 AND status = 'sending'", [
        r.transmission_id,
      ]);
      let toUnconfirmed = 0;
      for (const p of claimed) {
        const to = p.handed_over_at ? 'unconfirmed' : 'pending';
        if (to === 'unconfirmed') toUnconfirmed++;
        await tx.run("UPDATE queue_parts SET status = $3, error_code = 'SEND_INTERRUPTED' WHERE transmission_id = $1 AND part = $2", [r.transmission_id, p.part, to]);
      }
      await tx.run("UPDATE queue_attempts SET ended_at = $2, outcome = 'interrupted', error_code = 'SEND_INTERRUPTED' WHERE transmission_id = $1 AND ended_at IS NULL", [
        r.transmission_id,
        now.toISOString(),
      ]);
      const anyUnconfirmed = (await tx.one<{ n: number }>("SELECT count(*) AS n FROM queue_parts WHERE transmission_id = $1 AND status = 'unconfirmed'", [r.transmission_id]))!;
      const to: ReleaseStatus = Number(anyUnconfirmed.n) > 0 ? 'unconfirmed' : 'queued';
      await moveQueued(tx, io, r.id, to, now, {
        by,
        error: { code: 'SEND_INTERRUPTED' },
        notBefore: null,
        audit: {
          action: 'release.send_interrupted',
          outcome: 'failure',
          detail: { transmissionId: r.transmission_id, partsUnconfirmed: toUnconfirmed, partsRequeued: claimed.length - toUnconfirmed, workstation: r.claimed_by ?? 'none' },
        },
      });
      out.push({ releaseId: r.id, to });
    }
    return out;
  });
}

/**
 * Staff's "Try again" on a release of the shared queue that failed or was partly sent: its parts that were not
 * delivered become 'pending' again (the SAME stored messages, same Message-IDs) and the release 'queued', due at
 * once, with its automatic tries counted from zero; audited as 'release.requeue'. Idempotent: a release that is
 * queued, being sent or already sent is left as it is.
 * @returns the status the release has afterwards
 * @throws AppError NOT_FOUND (not in the queue)
 * @source 45 CFR 164.312(b); RFC 5321 §4.1.1.4 (a part refused before the final "." was not delivered)
 */
export async function requeueQueuedRelease(engine: SqlEngine, io: QueueIo, releaseId: string, by: QueueActor, now: Date): Promise<ReleaseStatus> {
  return engine.transaction(async (tx) => {
    const rel = await tx.one<{ status: ReleaseStatus; transmission_id: string }>(`SELECT status, transmission_id FROM queue_releases WHERE id = $1${lock(tx)}`, [releaseId]);
    if (!rel) throw new AppError('NOT_FOUND', 'This release is not in the practice’s outbox.');
    if (rel.status !== 'failed' && rel.status !== 'partly_sent') return rel.status;
    await tx.run("UPDATE queue_parts SET status = 'pending' WHERE transmission_id = $1 AND status = 'failed'", [rel.transmission_id]);
    await moveQueued(tx, io, releaseId, 'queued', now, {
      by,
      notBefore: null,
      resetAttempts: true,
      audit: { action: 'release.requeue', detail: { transmissionId: rel.transmission_id, trigger: 'staff' } },
    });
    return 'queued';
  });
}

/**
 * Staff's decision on a release whose delivery is unconfirmed: 'recipient_confirmed' (they checked: it arrived →
 * those parts count as sent, at the time they were handed over) or 'resend' (send the SAME stored message again,
 * same Message-ID → the parts are 'pending' and the release 'queued'). Recorded with who decided, audited.
 * @returns the status the release ends in ('sent' or 'queued')
 * @throws AppError NOT_FOUND; STATUS_TRANSITION_INVALID when the release is not unconfirmed
 * @source 45 CFR 164.528 (a disclosure is recorded as it happened), 164.312(b)
 */
export async function resolveQueuedUnconfirmed(engine: SqlEngine, io: QueueIo, releaseId: string, choice: 'recipient_confirmed' | 'resend', by: QueueActor, now: Date): Promise<ReleaseStatus> {
  return engine.transaction(async (tx) => {
    const rel = await tx.one<{ status: ReleaseStatus; transmission_id: string; method: string; request_id: string | null }>(
      `SELECT status, transmission_id, method, request_id FROM queue_releases WHERE id = $1${lock(tx)}`,
      [releaseId],
    );
    if (!rel) throw new AppError('NOT_FOUND', 'This release is not in the practice’s outbox.');
    if (rel.status !== 'unconfirmed') throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release whose delivery is unconfirmed needs this decision.');
    const at = now.toISOString();
    const n = (
      await tx.run(
        `UPDATE queue_parts SET status = $2, sent_at = CASE WHEN $2 = 'sent' THEN handed_over_at ELSE sent_at END,
           resolution = $3, resolved_by = $4, resolved_at = $5
         WHERE transmission_id = $1 AND status = 'unconfirmed'`,
        [rel.transmission_id, choice === 'recipient_confirmed' ? 'sent' : 'pending', choice, by.actorId ?? by.actor, at],
      )
    ).changes;
    await refreshSummary(tx, rel.transmission_id);
    await io.audit(tx, {
      at: now,
      actor: by.actor,
      actorId: by.actorId,
      action: 'release.resolve_unconfirmed',
      outcome: 'success',
      subjectType: 'release',
      subjectId: releaseId,
      detail: { choice, parts: n, transmissionId: rel.transmission_id },
    });
    const parts = await queuePartsTx(tx, rel.transmission_id);
    if (parts.every((p) => p.status === 'sent')) {
      await completeTransmission(tx, rel.transmission_id, now);
      await moveQueued(tx, io, releaseId, 'sent', now, {
        by,
        audit: { action: 'release.send', detail: { transmissionId: rel.transmission_id, partsTotal: parts.length, partsSent: parts.length, method: rel.method, requestId: rel.request_id ?? 'none' } },
      });
      return 'sent';
    }
    await moveQueued(tx, io, releaseId, 'queued', now, {
      by,
      notBefore: null,
      resetAttempts: true,
      audit: { action: 'release.requeue', detail: { transmissionId: rel.transmission_id, trigger: choice } },
    });
    return 'queued';
  });
}
