/**
 * Sending a release by email, exactly once — the procedure a privacy officer would describe:
 *
 *   1. check the release (documents, recipient, the compliance gate) — a refusal changes nothing and is audited;
 *   2. prepare: compose the exact messages with the chosen method (methods/), and store them encrypted in the
 *      vault's outbox with the transmission record (every part 'pending'), the release 'queued' — one
 *      transaction, before the first byte leaves;
 *   3. deliver, part by part, the STORED bytes with their stored Message-IDs: each part is claimed ('sending')
 *      before the connection opens, marked "handed over" before the final "." of DATA, and its result committed
 *      the moment the reply arrives, before the next part starts;
 *   4. record the outcome: sent, partly sent, unconfirmed (a reply that never came: it may have been delivered),
 *      queued again for a temporary failure (with backoff), or failed.
 *
 * A retry never composes again and never makes a new passphrase; a transmission record is never deleted; each
 * status change goes through state.ts with its audit event in the same transaction.
 *
 * Large releases (PGP/MIME) are composed and stored one message at a time (stageMessages), so memory is bounded by
 * the per-message limit; delivery reads one stored message at a time.
 *
 * Recovery at unlock ({@link SendWorkflow.recover}): a release left 'sending' by a crash has its claimed parts
 * settled by one rule — handed over → 'unconfirmed' (staff decide: ask the recipient, or resend the same stored
 * message); not handed over → 'pending' (nothing can have been delivered) — and becomes 'unconfirmed' if any part
 * is, else 'queued' for the sender to finish.
 */
import type { OutboxEntryT, SendResultT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import {
  clearOutbox,
  closeTransmission,
  clearUnfinishedPreparations,
  openTransmission,
  recoverSendingParts,
  refreshTransmissionSummary,
  releasesInStatusWithTransmission,
  resolveUnconfirmedParts,
  keptPassphrase,
  erasePassphrase,
  storedParts,
} from './delivery-repo';
import {
  chosenDeliveryMethod,
  dueQueuedReleases,
  listTransmissions,
  releaseState,
  releasesInStatus,
  setQueuePaused,
  storedRecipient,
  type ReleaseStatus,
} from './repo';
import { DEFAULT_RETRY, PASSPHRASE_STAFF_INSTRUCTIONS, UNCONFIRMED_MESSAGE, type EmailMethod, type SendContext, type SendWorkflowDeps } from './send-context';
import { localPracticeLink } from '../practice/practice-link';
import { PracticeRoute } from './practice-route';
import { pushedToPracticeAt } from './practice-route-repo';
import { deliverClaimed } from './send-deliver';
import { settle } from './send-outcome';
import { contentDigest, prepare } from './send-prepare';
import { moveRelease } from './state';

export { DEFAULT_RETRY, PASSPHRASE_STAFF_INSTRUCTIONS, UNCONFIRMED_MESSAGE } from './send-context';
export type { CrashPoint, EmailMethod, RetryPolicy, SendWorkflowDeps } from './send-context';
export { contentDigest } from './send-prepare';

/** Statuses whose parts can still be delivered from the stored outbox. */
const RESUMABLE: readonly ReleaseStatus[] = ['queued', 'failed', 'partly_sent', 'bounced'];

/** The workflow of sending a release by email (see the module comment). */
export class SendWorkflow {
  private readonly ctx: SendContext;
  /** Releases being delivered by this process right now (the queue must not start a second delivery). */
  private readonly active = new Set<string>();
  /** The practice-server route (issue #17): used instead of {@link deliver} while the link is not `local`. */
  readonly practice: PracticeRoute;

  constructor(private readonly d: SendWorkflowDeps) {
    const s = d.session;
    const now = () => s.clock.now();
    const retry = d.retry ?? DEFAULT_RETRY;
    this.ctx = { d, s, retry, now, move: (releaseId, to, o) => moveRelease(s.require().db, (e) => s.audit(e), releaseId, to, now(), o) };
    this.practice = new PracticeRoute(this.ctx, { link: d.link ?? localPracticeLink(), smtpCa: d.smtpCa, smtpTimeoutMs: d.smtpTimeoutMs });
  }

  private get s() {
    return this.d.session;
  }

  private now(): Date {
    return this.s.clock.now();
  }


  /**
   * Send the release by email with `method`, or continue a release already prepared.
   * - draft: check, prepare (store the messages), deliver;
   * - failed / queued / partly sent / bounced: deliver the stored messages now ("try again") — with the method
   *   it was prepared with; a failed release from which nothing left and whose content or method changed is
   *   prepared again (the old transmission is closed as superseded, kept);
   * - unconfirmed: refused until staff resolve it ({@link resolveUnconfirmed});
   * - with a practice server (the link is not `local`): prepared as above, then handed to the practice's shared
   *   outbox instead of sent from here (practice-route.ts) — 'with_practice_server', or 'waiting_for_server' while
   *   the server cannot be reached; Send on a waiting release tries the hand-over again.
   * @param method required for a draft; for a prepared release it must be the stored one (default)
   * @returns the release, its transmission, and for a fresh password-PDF preparation the passphrase ONCE
   * @throws AppError RELEASE_NOT_READY | RELEASE_BLOCKED | UNENCRYPTED_NOT_ACKNOWLEDGED | KEY_* | RELEASE_UNCONFIRMED |
   *   RELEASE_SEND_IN_PROGRESS | RELEASE_ALREADY_SENT | RELEASE_CANCELLED | packaging errors; a send failure is
   *   NOT thrown when the release was stored: it is in the release's status and last error
   * @source 45 CFR 164.312(e)(1) transmission security, 164.312(b) audit controls, 164.528 accounting of disclosures
   */
  async send(releaseId: string, method?: EmailMethod): Promise<Omit<SendResultT, 'release'>> {
    const subject = { type: 'release', id: releaseId };
    const v = this.s.require();
    const { status } = releaseState(v.db, releaseId);
    const chosen = chosenDeliveryMethod(v.db, releaseId) as EmailMethod | null;
    const open = openTransmission(v.db, releaseId);
    let passphrase: string | null = null;
    try {
      if (status === 'unconfirmed')
        throw new AppError('RELEASE_UNCONFIRMED', 'This release may already have been delivered. Ask the recipient, or choose to resend the same message.');
      if (status === 'sending' || this.active.has(releaseId)) throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is being sent right now.');
      if (status === 'with_practice_server')
        throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is in the practice outbox: a workstation of the practice is sending it.');
      if (status === 'cancelled') throw new AppError('RELEASE_CANCELLED', 'This release was cancelled; make a new release from the request.');
      if (status === 'sent') throw new AppError('RELEASE_ALREADY_SENT', 'This release has already been sent and cannot be changed.');
      // A bounced release is delivered again as a new transmission (any method): the bounced one stays as recorded.
      const left = open && status !== 'bounced' ? storedParts(v.db, open.id).some((p) => p.status === 'sent' || p.status === 'bounced') : false;
      if ((status === 'partly_sent' || left) && method && method !== chosen)
        throw new AppError('RELEASE_ALREADY_SENT', 'Part of this release was already sent by another method; send the remaining parts the same way.', { method: chosen ?? 'none' });
    } catch (e) {
      this.s.recordFailure('release.send', subject, e, method ? { method } : {});
      throw e;
    }

    if (status === 'waiting_for_server' && open) {
      await this.practice.push(releaseId);
      return this.result(releaseId, open.id, null);
    }
    let transmissionId = open?.id ?? '';
    // A bounced transmission's stored messages were cleared when it was sent, and its address failed: prepare anew.
    const reuse = open && status !== 'bounced' && RESUMABLE.includes(status) && (!method || method === open.method) && (status !== 'failed' || this.sameContent(releaseId, open));
    if (!reuse) {
      // Without a choice: OpenPGP when the recipient has a key, else S/MIME when a certificate was confirmed (the ladder's
      // order: OpenPGP first when the recipient has both).
      const m =
        method ?? chosen ?? (storedRecipient(v.db, releaseId)?.keyArmored ? 'openpgp-pgp-mime' : this.d.smime?.hasConfirmed(releaseId) ? 'smime' : null);
      if (!m) {
        const e = new AppError('RELEASE_NOT_READY', 'Choose how to deliver this release: the recipient has no OpenPGP key or confirmed S/MIME certificate.');
        this.s.recordFailure('release.send', subject, e);
        throw e;
      }
      const p = await prepare(this.ctx, releaseId, m);
      passphrase = p.passphrase;
      transmissionId = p.transmissionId;
    } else if (status !== 'queued') {
      v.tx(() =>
        this.ctx.move(releaseId, 'queued', { nextAttemptAt: null, resetAttempts: true, audit: { action: 'release.requeue', detail: { transmissionId: open.id, trigger: 'staff' } } }),
      );
    }
    if (this.practice.routed()) await this.practice.push(releaseId);
    else await this.deliver(releaseId, 'staff');
    return this.result(releaseId, transmissionId, passphrase);
  }

  /** The transmission of a send and, for a fresh password-PDF preparation, its passphrase once. */
  private result(releaseId: string, transmissionId: string, passphrase: string | null): Omit<SendResultT, 'release'> {
    const transmission = listTransmissions(this.s.require().db, releaseId).find((x) => x.id === transmissionId);
    if (!transmission) throw new AppError('INTERNAL', 'The transmission record of this release could not be read.');
    return { transmission, ...(passphrase !== null ? { passphrase, staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS } : {}) };
  }

  /** Whether an open transmission was prepared from the release as it is now (same method, documents, recipient, key). */
  private sameContent(releaseId: string, open: { method: string; contentDigest: string | null }): boolean {
    return open.contentDigest === contentDigest(this.s.require().db, releaseId, open.method);
  }

  /**
   * Step 3–4: deliver the stored parts of a queued release and record the outcome. Never throws for a mail
   * server's answer: the result is in the release's status, the parts and the audit.
   * @param trigger 'staff' (Send / Try again) or 'queue' (automatic)
   * @returns the status the release ends in
   * @throws AppError STATUS_TRANSITION_INVALID when the release is not queued; VAULT_LOCKED
   */
  async deliver(releaseId: string, trigger: 'staff' | 'queue'): Promise<ReleaseStatus> {
    if (this.active.has(releaseId)) return 'sending';
    this.active.add(releaseId);
    try {
      return await deliverClaimed(this.ctx, releaseId, trigger);
    } finally {
      this.active.delete(releaseId);
    }
  }

  /**
   * Staff's decision on a release whose delivery is unconfirmed: 'recipient_confirmed' (they asked; it arrived →
   * those parts count as sent) or 'resend' (send the SAME stored message again, same Message-ID). Audited with who.
   * @throws AppError STATUS_TRANSITION_INVALID when the release is not unconfirmed
   */
  async resolveUnconfirmed(releaseId: string, choice: 'recipient_confirmed' | 'resend'): Promise<ReleaseStatus> {
    const v = this.s.require();
    const subject = { type: 'release', id: releaseId };
    const open = openTransmission(v.db, releaseId);
    // Sent from the practice outbox: decided there, where the stored message is (practice-route.ts).
    if (open && pushedToPracticeAt(v.db, open.id)) return this.practice.resolveUnconfirmed(releaseId, choice);
    const status = this.s.audited(
      'release.resolve_unconfirmed',
      subject,
      () => {
        if (releaseState(v.db, releaseId).status !== 'unconfirmed' || !open)
          throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release whose delivery is unconfirmed needs this decision.');
        const n = resolveUnconfirmedParts(v.db, open.id, choice, this.s.actor(), this.now().toISOString());
        refreshTransmissionSummary(v.db, open.id);
        const parts = storedParts(v.db, open.id);
        if (parts.every((p) => p.status === 'sent')) return { n, to: settle(this.ctx, releaseId, open.id, null) };
        this.ctx.move(releaseId, 'queued', { nextAttemptAt: null, resetAttempts: true, audit: { action: 'release.requeue', detail: { transmissionId: open.id, trigger: choice } } });
        return { n, to: 'queued' as ReleaseStatus };
      },
      (r) => ({ choice, parts: r.n, transmissionId: open?.id ?? 'none' }),
    ).to;
    if (status === 'queued' && choice === 'resend') return this.deliver(releaseId, 'staff');
    return status;
  }

  /**
   * {@link withdraw}, through the practice server when the release is (or may be) in its shared outbox
   * (practice-route.ts withdraw: atomic on the server, refused while a workstation is sending it).
   * @throws AppError as {@link withdraw}; RELEASE_SEND_IN_PROGRESS; PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE
   */
  async withdrawAnywhere(releaseId: string, how: 'withdraw' | 'cancel'): Promise<void> {
    if (this.practice.sharedWithdraw(releaseId)) return this.practice.withdraw(releaseId, how);
    this.withdraw(releaseId, how);
  }

  /**
   * Take a prepared release out of the outbox before anything left: back to draft for changes ('withdraw'), or
   * 'cancel' it for good. The transmission is closed, never deleted. Cancelling a partly sent or unconfirmed
   * release stops the rest; what left stays recorded.
   * @throws AppError STATUS_TRANSITION_INVALID (e.g. withdraw after a part left, or while sending)
   */
  withdraw(releaseId: string, how: 'withdraw' | 'cancel'): void {
    const v = this.s.require();
    this.s.audited(
      how === 'cancel' ? 'release.cancel' : 'release.withdraw',
      { type: 'release', id: releaseId },
      () => {
        if (this.active.has(releaseId)) throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is being sent right now.');
        const open = openTransmission(v.db, releaseId);
        const out = open ? storedParts(v.db, open.id).some((p) => p.status !== 'pending' && p.status !== 'failed') : false;
        if (how === 'withdraw' && out) throw new AppError('STATUS_TRANSITION_INVALID', 'Part of this release has left the practice; it can no longer be changed.');
        if (open) {
          if (!out) closeTransmission(v.db, open.id, how === 'cancel' ? 'cancelled' : 'withdrawn', this.now().toISOString());
          if (!out) clearOutbox(v.db, open.id);
        }
        this.ctx.move(releaseId, how === 'cancel' ? 'cancelled' : 'draft', { audit: { action: how === 'cancel' ? 'release.cancelled' : 'release.withdrawn', detail: { transmissionId: open?.id ?? 'none' } } });
      },
      () => ({}),
    );
  }

  /**
   * The password PDF's passphrase again (it is kept in the vault until staff confirm they gave it to the
   * recipient), e.g. after the screen was closed or the app stopped mid-send. Audited (never the value).
   * @throws AppError NOT_FOUND when no passphrase is kept for the release
   */
  revealPassphrase(releaseId: string): { passphrase: string; staffInstructions: string } {
    return this.s.audited(
      'release.passphrase_view',
      { type: 'release', id: releaseId },
      (v) => {
        const kept = keptPassphrase(v.db, releaseId);
        if (!kept) throw new AppError('NOT_FOUND', 'No passphrase is kept for this release: it was given to the recipient, or the release has none.');
        return { passphrase: kept.passphrase, staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS };
      },
      () => ({}),
    );
  }

  /** Staff gave the passphrase to the recipient: erase it from the vault (the time is kept, audited). */
  passphraseGiven(releaseId: string): void {
    this.s.audited('release.passphrase_given', { type: 'release', id: releaseId }, (v) => erasePassphrase(v.db, releaseId, this.now().toISOString()), (n) => ({ erased: n }));
  }

  /** Pause or resume automatic sending of a queued release (audited). @throws AppError STATUS_TRANSITION_INVALID unless queued */
  pause(releaseId: string, paused: boolean): void {
    const v = this.s.require();
    this.s.audited(
      paused ? 'release.queue_pause' : 'release.queue_resume',
      { type: 'release', id: releaseId },
      () => {
        if (releaseState(v.db, releaseId).status !== 'queued') throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release waiting in the outbox can be paused or resumed.');
        setQueuePaused(v.db, releaseId, paused);
      },
      () => ({ paused }),
    );
  }

  /**
   * The automatic sender: deliver every queued release that is due (not paused). Called by the queue timer
   * while the vault is unlocked. Failures stay in each release's status; nothing is thrown for them.
   * @returns ids of the releases tried
   */
  async runDue(): Promise<string[]> {
    if (this.s.state !== 'unlocked') return [];
    const due = dueQueuedReleases(this.s.require().db, this.now()).filter((id) => !this.active.has(id));
    for (const id of due) {
      try {
        await this.deliver(id, 'queue');
      } catch (e) {
        if (!isAppError(e)) this.s.logger.warn('release.queue_error', { code: 'INTERNAL' });
      }
    }
    return due;
  }

  /**
   * Crash recovery at unlock (see the module comment): settle parts left 'sending' and move each interrupted
   * release to 'unconfirmed' (some part may have been delivered) or 'queued' (nothing can have been).
   * @returns per release the status it got
   */
  recover(): Array<{ releaseId: string; to: ReleaseStatus }> {
    const v = this.s.require();
    const out: Array<{ releaseId: string; to: ReleaseStatus }> = [];
    v.tx(() => {
      // Messages stored by a preparation that never committed (the process stopped while composing): nothing can be
      // sent from them; the closed transmission record stays.
      clearUnfinishedPreparations(v.db);
      for (const releaseId of releasesInStatus(v.db, 'sending')) {
        const open = openTransmission(v.db, releaseId);
        const settled = open ? recoverSendingParts(v.db, open.id, this.now().toISOString()) : { unconfirmed: 0, pending: 0 };
        const anyUnconfirmed = open ? storedParts(v.db, open.id).some((p) => p.status === 'unconfirmed') : false;
        const to: ReleaseStatus = !open ? 'failed' : anyUnconfirmed ? 'unconfirmed' : 'queued';
        this.ctx.move(releaseId, to, {
          error:
            to === 'unconfirmed'
              ? { code: 'SEND_INTERRUPTED', message: UNCONFIRMED_MESSAGE }
              : { code: 'SEND_INTERRUPTED', message: 'The last send was interrupted before any message could arrive. ReleaseDesk sends it again by itself.' },
          nextAttemptAt: null,
          audit: { action: 'release.send_interrupted', outcome: 'failure', detail: { transmissionId: open?.id ?? 'none', partsUnconfirmed: settled.unconfirmed, partsRequeued: settled.pending } },
        });
        out.push({ releaseId, to });
      }
    });
    return out;
  }

  /**
   * The releases staff should see in the outbox: waiting, being sent, unconfirmed, failed or partly sent — and, with
   * a practice server, waiting for it or in the practice outbox.
   */
  outbox(): OutboxEntryT[] {
    const v = this.s.require();
    const statuses = ['queued', 'sending', 'unconfirmed', 'failed', 'partly_sent', 'bounced', 'waiting_for_server', 'with_practice_server'] as const;
    return releasesInStatusWithTransmission(v.db, statuses).map((r) => ({
      ...r,
      method: r.method as OutboxEntryT['method'],
      sendingNow: this.active.has(r.releaseId),
    }));
  }
}
