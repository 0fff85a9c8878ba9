/**
 * Withdrawing or cancelling a release while it is in (or may be in) the practice's shared outbox (issue #17), and
 * finishing a withdrawal whose vault half did not commit. The server's half is atomic under the row lock
 * (practice/queue-withdraw-repo.ts); the vault's half closes the transmission and erases the stored copy.
 * @source 45 CFR 164.528 (only what left is a disclosure), 164.312(b) audit controls; RFC 5321 §4.1.1.4
 */
import { AppError, isAppError } from '../../../shared/errors';
import { isOfflineError, type PracticeLink } from '../practice/practice-link';
import { practiceQueueIo } from '../practice/queue-io';
import { withdrawQueuedRelease, type QueueOutcome } from '../practice/queue-repo';
import { closeTransmission, openTransmission, storedParts } from './delivery-repo';
import { clearOutbox } from './outbox-repo';
import { pushedToPracticeAt } from './practice-route-repo';
import { releaseState, type ReleaseStatus } from './repo';
import type { SendContext } from './send-context';
import { canMoveRelease } from './state';

/**
 * Whether a withdraw or cancel of this release must go through the practice server: its open transmission was
 * handed to the shared outbox, or it may have been (the link is joined and the release is queued or waiting).
 */
export function sharedWithdraw(ctx: SendContext, link: PracticeLink, releaseId: string): boolean {
  const db = ctx.s.require().db;
  const { status } = releaseState(db, releaseId);
  const open = openTransmission(db, releaseId);
  if (status === 'with_practice_server' || (open && pushedToPracticeAt(db, open.id))) return true;
  const st = link.state();
  return (status === 'queued' || status === 'waiting_for_server') && (st === 'online' || st === 'offline');
}

/**
 * Staff's withdraw ('withdraw': back to draft for changes) or cancel of a release while it is in (or may be in) the
 * practice's shared outbox — the same rules as the single vault's (send-workflow.ts withdraw): the vault's rules are
 * checked first, then the release is taken out of the shared outbox atomically on the server
 * (practice/queue-withdraw-repo.ts: refused while a workstation is sending it, or — withdraw — once a part left
 * the practice; its stored bytes erased there), then this vault closes the transmission (nothing left), erases its
 * own stored copy and moves the release, audited 'release.withdrawn' / 'release.cancelled' (shared: true).
 * A release that never reached the server (not joined yet, or not in its outbox) is withdrawn here alone. The
 * accounting of disclosures is unaffected: nothing of a withdrawn release was disclosed.
 * @throws AppError RELEASE_SEND_IN_PROGRESS (a workstation is sending it right now: nothing changed);
 *   STATUS_TRANSITION_INVALID (a part left the practice, or the status does not allow it); PRACTICE_SERVER_* /
 *   PRACTICE_DB_UNAVAILABLE (the server cannot be reached, so it cannot be checked: nothing changed, try again);
 *   VAULT_LOCKED. Each refusal is audited with its code.
 * @source 45 CFR 164.528 (only what left is a disclosure), 164.312(b); RFC 5321 §4.1.1.4
 */
export async function withdrawShared(ctx: SendContext, link: PracticeLink, releaseId: string, how: 'withdraw' | 'cancel'): Promise<void> {
  const { s } = ctx;
  const action = how === 'cancel' ? 'release.cancel' : 'release.withdraw';
  const subject = { type: 'release', id: releaseId };
  try {
    const v = s.require();
    const to: ReleaseStatus = how === 'cancel' ? 'cancelled' : 'draft';
    const { status } = releaseState(v.db, releaseId);
    const open = openTransmission(v.db, releaseId);
    const pushed = open ? pushedToPracticeAt(v.db, open.id) !== null : false;
    const out = () => (open ? storedParts(v.db, open.id).some((p) => p.status !== 'pending' && p.status !== 'failed') : false);
    // The vault's own rules first, so the server is never changed for a move this vault would refuse.
    if (!canMoveRelease(status, to)) throw new AppError('STATUS_TRANSITION_INVALID', `A release that is ${status.replaceAll('_', ' ')} cannot be ${how === 'cancel' ? 'cancelled' : 'withdrawn'}.`, { from: status, to });
    if (how === 'withdraw' && out()) throw new AppError('STATUS_TRANSITION_INVALID', 'Part of this release has left the practice; it can no longer be changed.');
    const by = { actor: s.actor(), actorId: s.currentUser()?.id ?? null };
    let shared = false;
    try {
      const r = await link.use((engine, keys) => withdrawQueuedRelease(engine, practiceQueueIo(keys), releaseId, how, by, ctx.now()));
      // The server's row is for this transmission (a release prepared again after an earlier withdrawal has a new one).
      shared = !open || r.transmissionId === open.id;
    } catch (e) {
      const neverThere = !pushed && status !== 'with_practice_server';
      if (isAppError(e) && neverThere && (e.code === 'NOT_FOUND' || e.code === 'PRACTICE_KEY_NOT_WRAPPED' || e.code === 'PRACTICE_SERVER_NOT_SET')) shared = false;
      else if (isOfflineError(e))
        throw new AppError((e as AppError).code, 'The practice server cannot be reached right now, so this release cannot be taken out of the practice outbox. Nothing was changed; try again when the server is back.');
      else throw e;
    }
    v.tx(() => {
      const left = out();
      if (open && !left) {
        closeTransmission(v.db, open.id, how === 'cancel' ? 'cancelled' : 'withdrawn', ctx.now().toISOString());
        clearOutbox(v.db, open.id);
      }
      s.audit({ action, outcome: 'success', subjectType: 'release', subjectId: releaseId, detail: { transmissionId: open?.id ?? 'none', shared } });
      ctx.move(releaseId, to, { audit: { action: how === 'cancel' ? 'release.cancelled' : 'release.withdrawn', detail: { transmissionId: open?.id ?? 'none', shared } } });
    });
  } catch (e) {
    s.recordFailure(action, subject, e, { shared: true });
    throw e;
  }
}

/**
 * A release withdrawn or cancelled in the shared outbox while this vault still has it 'with_practice_server' (a
 * withdrawal whose vault half did not commit): close the transmission, erase the stored copy, move the release,
 * audited as the withdrawal with trigger 'practice_server'. @returns the status, or null when it is another transmission
 */
export function finishWithdrawal(ctx: SendContext, o: QueueOutcome): ReleaseStatus | null {
  const v = ctx.s.require();
  const open = openTransmission(v.db, o.releaseId);
  if (!open || open.id !== o.transmissionId) return null;
  const to: ReleaseStatus = o.status === 'cancelled' ? 'cancelled' : 'draft';
  return v.tx(() => {
    closeTransmission(v.db, open.id, to === 'cancelled' ? 'cancelled' : 'withdrawn', ctx.now().toISOString());
    clearOutbox(v.db, open.id);
    ctx.move(o.releaseId, to, {
      audit: { action: to === 'cancelled' ? 'release.cancelled' : 'release.withdrawn', detail: { transmissionId: open.id, shared: true, trigger: 'practice_server' } },
    });
    return to;
  });
}
