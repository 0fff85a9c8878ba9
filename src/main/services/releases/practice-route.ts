/**
 * The practice-server route of a release (issue #17): when this workstation is linked to a practice server, a
 * release is prepared exactly as before — checked, composed and stored in the vault's outbox, the release 'queued'
 * (state in the vault before the action) — and then, instead of this workstation opening an SMTP connection, it is
 * handed to the practice's shared outbox, from which ANY workstation of the practice delivers it exactly once
 * (practice/queue-repo.ts: claims under `FOR UPDATE SKIP LOCKED`, leases fenced by a claim token, "handed over"
 * committed before the final "." of DATA, RFC 5321 §4.1.1.4).
 *
 *   queued ──push──▶ with_practice_server ──pull──▶ sent | partly_sent | unconfirmed | failed
 *   queued ──push, server unreachable──▶ waiting_for_server ──push (link back / background)──▶ with_practice_server
 *
 * - Push is idempotent: the release id is the shared queue's key and the queue refuses a second copy
 *   (RELEASE_QUEUED), so a crash between the enqueue and the vault's state change is healed by pushing again.
 * - The messages (read from the vault's outbox and written to the shared outbox chunk by chunk, 1 MiB each), their
 *   envelopes and the recipient are sealed with the practice data key in this workstation before they are written
 *   (practice/queue-io.ts: AES-256-GCM), so the server holds no PHI in clear.
 * - Pull brings each outcome back into the vault that owns the release — the part results (Message-ID, the server's
 *   reply, TLS facts, time) and the workstation that delivered it — and settles the release with the same rules as a
 *   direct send (send-outcome.ts settle), so the accounting of disclosures has one entry per disclosure.
 * @source 45 CFR 164.312(e)(1) transmission security, 164.312(a)(2)(iv) encryption, 164.312(b) audit controls,
 *   164.528 accounting of disclosures; RFC 5321 §4.1.1.4
 */
import { AppError, isAppError } from '../../../shared/errors';
import type { SmtpSettings } from '../delivery/smtp';
import { isOfflineError, type PracticeLink } from '../practice/practice-link';
import { practiceQueueIo } from '../practice/queue-io';
import { enqueueRelease, queueBounces, queueOutcomes, requeueQueuedRelease, resolveQueuedUnconfirmed, type PreparedRelease, type QueueMethod, type QueueOutcome } from '../practice/queue-repo';
import { QueueWorker, type DrainSummary } from '../practice/queue-worker';
import { requireSetting } from '../settings/settings';
import { openTransmission, outboxChunk, outboxEntries, refreshTransmissionSummary, storedParts } from './delivery-repo';

import { markOutcomePulled, markPushedToPractice, releasesToPush, transmissionsAwaitingBounces, writePracticePartResult } from './practice-route-repo';
import { partOfTransmission } from './bounce-repo';
import { applyPulledBounce } from './bounces';
import { releasesInStatus, releaseState, storedRecipient, type ReleaseStatus } from './repo';
import type { SendContext } from './send-context';
import { settle } from './send-outcome';
import { eraseOutboxPart } from './outbox-io';
import { finishWithdrawal, sharedWithdraw, withdrawShared } from './practice-withdraw';

/** What staff read on a release waiting for the practice server. */
export const WAITING_FOR_SERVER_MESSAGE =
  'The practice server cannot be reached right now. The release is kept, encrypted, on this computer and is handed to the practice outbox as soon as the server is back.';

/** Statuses of the shared queue that end a delivery run (the outcome is brought back into the vault). */
const SETTLED: readonly ReleaseStatus[] = ['sent', 'partly_sent', 'unconfirmed', 'failed'];

/** The name of this workstation in the shared queue: its label and the start of its id (unique, never PHI). */
export function queueWorkstationName(w: { id: string; label: string }): string {
  return `${w.label} [${w.id.slice(0, 8)}]`;
}

/** What the route needs besides the send workflow's context. */
export interface PracticeRouteDeps {
  link: PracticeLink;
  smtpCa?: string[] | undefined;
  smtpTimeoutMs?: number | undefined;
  /** How long one background drain may keep claiming (ms, default 20 000). */
  drainMs?: number | undefined;
}

/** See the module comment. */
export class PracticeRoute {
  /** Releases being pushed by this process right now (a second push waits for the next pass). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly ctx: SendContext,
    private readonly d: PracticeRouteDeps,
  ) {}

  /** Whether releases go through the practice server (the link is not `local`). */
  routed(): boolean {
    return this.d.link.state() !== 'local';
  }

  /**
   * Hand a prepared release ('queued' or 'waiting_for_server') to the practice's shared outbox: its stored messages
   * are read from the vault one at a time, sealed with the practice keys and enqueued with the release id as the key;
   * then the release becomes 'with_practice_server' (audited 'release.pushed_to_practice'). If the server cannot be
   * reached, the release becomes (or stays) 'waiting_for_server' (audited once) and nothing is lost.
   * @returns the status the release is in afterwards (unchanged for any other status, or while a push of it runs)
   * @throws AppError INTERNAL (the stored messages are missing); VALIDATION_FAILED (they cannot be queued);
   *   VAULT_LOCKED; practice store errors other than "cannot be reached"
   * @source 45 CFR 164.312(e)(1), 164.312(b)
   */
  async push(releaseId: string): Promise<ReleaseStatus> {
    const { s } = this.ctx;
    const v = s.require();
    const { status, reference, requestId } = releaseState(v.db, releaseId);
    if ((status !== 'queued' && status !== 'waiting_for_server') || this.busy.has(releaseId)) return status;
    this.busy.add(releaseId);
    try {
      const open = openTransmission(v.db, releaseId);
      if (!open) throw new AppError('INTERNAL', 'The stored messages of this release could not be found. Nothing was sent.');
      const rec = storedRecipient(v.db, releaseId);
      if (!rec?.email) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
      const prepared: PreparedRelease = {
        releaseId,
        reference,
        requestId,
        method: open.method as QueueMethod,
        transmissionId: open.id,
        envid: open.envid ?? reference,
        recipient: { name: rec.name, address: rec.email },
        // Streamed from the vault's outbox chunk by chunk into the shared outbox, each chunk sealed on its own
        // (practice migration 0004); the whole message's size and SHA-256 are checked while it is written.
        messages: outboxEntries(v.db, open.id).map((e) => ({
          part: e.part,
          of: e.of,
          messageId: e.messageId,
          envelope: e.envelope,
          raw: {
            sizeBytes: e.sizeBytes,
            sha256: e.sha256,
            chunks: function* () {
              for (let seq = 0; ; seq++) {
                const c = outboxChunk(v.db, open.id, e.part, seq);
                if (!c) return;
                yield c;
              }
            },
          },
        })),
      };
      const user = s.currentUser();
      const by = { actor: s.actor(), actorId: user?.id ?? null };
      try {
        await this.d.link.use((engine, keys) => enqueueRelease(engine, practiceQueueIo(keys), prepared, by, this.ctx.now()));
      } catch (e) {
        if (await this.alreadyQueued(releaseId, e)) {
          // Already in the shared outbox: pushed before a crash (nothing to do there), or staff's "Try again" on a
          // release that failed there — its undelivered parts are queued again, the same stored messages.
          await this.d.link.use((engine, keys) => requeueQueuedRelease(engine, practiceQueueIo(keys), releaseId, by, this.ctx.now()));
        } else {
          if (!isOfflineError(e) && !(isAppError(e) && (e.code === 'PRACTICE_KEY_NOT_WRAPPED' || e.code === 'PRACTICE_SERVER_NOT_SET'))) throw e;
          if (status === 'queued') {
            v.tx(() =>
              this.ctx.move(releaseId, 'waiting_for_server', {
                error: { code: isAppError(e) ? e.code : 'PRACTICE_SERVER_UNREACHABLE', message: WAITING_FOR_SERVER_MESSAGE },
                audit: { action: 'release.waiting_for_server', outcome: 'failure', detail: { transmissionId: open.id } },
              }),
            );
          }
          return 'waiting_for_server';
        }
      }
      // Crash-test point: enqueued, the vault not yet changed — a restart pushes again and the queue refuses the copy.
      await this.ctx.d.checkpoint?.('pushed', { releaseId });
      const workstation = queueWorkstationName(this.d.link.workstation());
      v.tx(() => {
        markPushedToPractice(v.db, open.id, this.ctx.now().toISOString());
        this.ctx.move(releaseId, 'with_practice_server', {
          audit: { action: 'release.pushed_to_practice', detail: { transmissionId: open.id, parts: prepared.messages.length, workstation } },
        });
      });
      return 'with_practice_server';
    } finally {
      this.busy.delete(releaseId);
    }
  }

  /** After a refused enqueue: whether the release is in the shared queue already (pushed before a crash). */
  private async alreadyQueued(releaseId: string, e: unknown): Promise<boolean> {
    if (isOfflineError(e)) return false;
    if (isAppError(e) && e.code === 'RELEASE_QUEUED') return true;
    try {
      return (await this.d.link.use((engine) => queueOutcomes(engine, [releaseId]))).length === 1;
    } catch {
      return false;
    }
  }

  /**
   * Staff's decision on a release whose delivery from the practice outbox is unconfirmed, taken where the release
   * is sent from — the shared outbox (practice/queue-repo.ts resolveQueuedUnconfirmed: 'recipient_confirmed' → sent;
   * 'resend' → the SAME stored message queued again, same Message-ID) — then brought into this vault: sent (settled
   * as a direct send would be) or back 'with_practice_server'. Audited here as 'release.resolve_unconfirmed'.
   * @returns the status the release has in this vault afterwards
   * @throws AppError STATUS_TRANSITION_INVALID (not unconfirmed); PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE
   *   (the server cannot be reached: nothing changed, decide again later); VAULT_LOCKED
   * @source 45 CFR 164.528 (a disclosure recorded as it happened), 164.312(b)
   */
  async resolveUnconfirmed(releaseId: string, choice: 'recipient_confirmed' | 'resend'): Promise<ReleaseStatus> {
    const { s } = this.ctx;
    const subject = { type: 'release', id: releaseId };
    const v = s.require();
    try {
      if (releaseState(v.db, releaseId).status !== 'unconfirmed') throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release whose delivery is unconfirmed needs this decision.');
      const by = { actor: s.actor(), actorId: s.currentUser()?.id ?? null };
      const onServer = await this.d.link.use((engine, keys) => resolveQueuedUnconfirmed(engine, practiceQueueIo(keys), releaseId, choice, by, this.ctx.now()));
      const [o] = await this.d.link.use((engine) => queueOutcomes(engine, [releaseId]));
      if (!o) throw new AppError('INTERNAL', 'The practice outbox’s record of this release could not be read.');
      return v.tx(() => {
        s.audit({ action: 'release.resolve_unconfirmed', outcome: 'success', subjectType: 'release', subjectId: releaseId, detail: { choice, transmissionId: o.transmissionId, shared: true } });
        if (onServer === 'sent') return this.settleFrom(o);
        const db = s.require().db;
        for (const p of o.parts) writePracticePartResult(db, o.transmissionId, p);
        refreshTransmissionSummary(db, o.transmissionId);
        this.ctx.move(releaseId, 'with_practice_server', { audit: { action: 'release.requeue', detail: { transmissionId: o.transmissionId, trigger: choice } } });
        return 'with_practice_server' as ReleaseStatus;
      });
    } catch (e) {
      s.recordFailure('release.resolve_unconfirmed', subject, e, { choice });
      throw e;
    }
  }

  /** Whether a withdraw or cancel of this release must go through the practice server (practice-withdraw.ts). */
  sharedWithdraw(releaseId: string): boolean {
    return sharedWithdraw(this.ctx, this.d.link, releaseId);
  }

  /** Staff's withdraw or cancel of a release in (or maybe in) the shared outbox: see practice-withdraw.ts withdrawShared. */
  withdraw(releaseId: string, how: 'withdraw' | 'cancel'): Promise<void> {
    return withdrawShared(this.ctx, this.d.link, releaseId, how);
  }

  /**
   * Push every release of this vault that waits for the shared outbox ('queued' or 'waiting_for_server', not paused,
   * nothing sent from here yet), oldest first; stops at the first "cannot be reached".
   * @returns ids of the releases now with the practice server
   */
  async pushWaiting(): Promise<string[]> {
    const out: string[] = [];
    for (const id of releasesToPush(this.ctx.s.require().db)) {
      const to = await this.push(id);
      if (to === 'with_practice_server') out.push(id);
      else if (to === 'waiting_for_server') break;
    }
    return out;
  }

  /**
   * This workstation's share of the practice's sending: drain the shared outbox (any workstation's releases) with
   * this vault's mail server settings, for at most `drainMs`.
   * @returns what was delivered and recovered
   * @throws AppError VAULT_LOCKED | SETTINGS_MISSING; practice store errors (the link then is `offline`)
   */
  async drain(): Promise<DrainSummary> {
    const { s } = this.ctx;
    const smtp = requireSetting(s.require().db, 'smtp') as SmtpSettings;
    const name = queueWorkstationName(this.d.link.workstation());
    return this.d.link.use((engine, keys) =>
      new QueueWorker({
        engine,
        io: practiceQueueIo(keys),
        workstation: { id: name },
        smtp,
        smtpCa: this.d.smtpCa,
        smtpTimeoutMs: this.d.smtpTimeoutMs,
        retry: this.ctx.retry,
        clock: s.clock,
        logger: s.logger,
      }).drain({ maxMs: this.d.drainMs ?? 20_000 }),
    );
  }

  /**
   * Bring back the outcome of every release of this vault that is with the practice server and whose delivery run
   * ended there: each part's result and the workstation that delivered it are written into the vault's transmission
   * record, and the release is settled by the rules of a direct send (send-outcome.ts) — one transaction per release,
   * with a 'release.practice_outcome' audit event naming the workstation.
   * @returns per release the status it got
   * @throws AppError VAULT_LOCKED; practice store errors (the link then is `offline`)
   * @source 45 CFR 164.528(b)(2) (the disclosure recorded once, as it happened), 164.312(b)
   */
  async pullOutcomes(): Promise<Array<{ releaseId: string; to: ReleaseStatus }>> {
    const v = this.ctx.s.require();
    const ids = releasesInStatus(v.db, 'with_practice_server');
    if (ids.length === 0) return [];
    const outcomes = await this.d.link.use((engine) => queueOutcomes(engine, ids));
    const out: Array<{ releaseId: string; to: ReleaseStatus }> = [];
    for (const o of outcomes) {
      if (o.status === 'draft' || o.status === 'cancelled') {
        // Withdrawn on the server, this vault not yet changed (the app stopped in between): finish it here.
        const to = finishWithdrawal(this.ctx, o);
        if (to) out.push({ releaseId: o.releaseId, to });
        continue;
      }
      if (o.status === 'bounced' || SETTLED.includes(o.status)) await this.eraseDelivered(o);
      if (o.status === 'bounced') {
        // Delivered, then a report said a part was not: first the delivery as it happened, then the bounce (pullBounces).
        const parts = o.parts.map((p) => (p.status === 'bounced' ? { ...p, status: 'sent' as const } : p));
        const status: ReleaseStatus = parts.every((p) => p.status === 'sent') ? 'sent' : parts.some((p) => p.status === 'unconfirmed') ? 'unconfirmed' : 'partly_sent';
        out.push({ releaseId: o.releaseId, to: v.tx(() => this.settleFrom({ ...o, status, parts })) });
        continue;
      }
      if (!SETTLED.includes(o.status)) continue;
      out.push({ releaseId: o.releaseId, to: v.tx(() => this.settleFrom(o)) });
    }
    return out;
  }

  /**
   * Bring in the bounces recorded on the shared outbox for this vault's releases (by whichever workstation read the
   * report: practice/queue-bounces-repo.ts): for each, the part becomes 'bounced' with its status code and the
   * release 'bounced' (the request reopened), as if the report had come to this workstation's own mailbox
   * (releases/bounces.ts applyPulledBounce) — audited with the workstation that read it; staff are alerted (the
   * 'bounce' event: reference and plain reason, no PHI). Looks at transmissions brought back in the last 30 days.
   * @returns per bounced release the status it got
   * @throws AppError VAULT_LOCKED; practice store errors (the link then is `offline`)
   * @source RFC 3464, RFC 3463; 45 CFR 164.312(b), 164.528 (a bounced part did not reach the recipient)
   */
  async pullBounces(): Promise<Array<{ releaseId: string; to: ReleaseStatus }>> {
    const { s } = this.ctx;
    const v = s.require();
    const since = new Date(this.ctx.now().getTime() - 30 * 86_400_000).toISOString();
    const ids = transmissionsAwaitingBounces(v.db, since);
    if (ids.length === 0) return [];
    const bounced = await this.d.link.use((engine) => queueBounces(engine, ids));
    const out: Array<{ releaseId: string; to: ReleaseStatus }> = [];
    for (const b of bounced) {
      const ref = partOfTransmission(v.db, b.transmissionId, b.part);
      if (!ref || (ref.status !== 'sent' && ref.status !== 'unconfirmed')) continue;
      const alert = v.tx(() => applyPulledBounce(s, ref, b.status, b.reportedBy));
      if (!alert) continue;
      s.logger.info('bounce.applied', { status: alert.status, via: 'practice_server' });
      this.ctx.d.events.emit('bounce', { releaseId: alert.releaseId, reference: alert.reference, status: alert.status, reason: alert.reason });
      out.push({ releaseId: alert.releaseId, to: releaseState(v.db, alert.releaseId).status });
    }
    return out;
  }

  /**
   * Erase this vault's stored copy of the parts the shared outbox delivered, a few chunks per short transaction with
   * the event loop running in between (outbox-io.ts eraseOutboxPart), before the settle's transaction — which would
   * otherwise delete a whole release's stored bytes in one statement and hold the main thread for seconds. A delivered
   * part is never sent again, so its bytes are not needed; a failure here only leaves bytes that the settle erases.
   */
  private async eraseDelivered(o: QueueOutcome): Promise<void> {
    const v = this.ctx.s.require();
    const open = openTransmission(v.db, o.releaseId);
    if (!open || open.id !== o.transmissionId) return;
    for (const p of o.parts) {
      if (p.status !== 'sent' && p.status !== 'bounced') continue;
      try {
        await eraseOutboxPart(v, o.transmissionId, p.part, open.method);
      } catch (e) {
        this.ctx.s.logger.warn('release.part_bytes_not_erased', { code: isAppError(e) ? e.code : 'INTERNAL' });
      }
    }
  }

  /** Write one outcome into the vault and settle the release (inside the caller's transaction). */
  private settleFrom(o: QueueOutcome): ReleaseStatus {
    const { s } = this.ctx;
    const db = s.require().db;
    const local = new Set(storedParts(db, o.transmissionId).map((p) => p.part));
    for (const p of o.parts) if (local.has(p.part)) writePracticePartResult(db, o.transmissionId, { ...p, tlsCipher: p.tlsCipher });
    refreshTransmissionSummary(db, o.transmissionId);
    const workstation = o.parts.find((p) => p.sentBy)?.sentBy ?? null;
    const at = this.ctx.now().toISOString();
    markOutcomePulled(db, o.transmissionId, workstation, at);
    s.audit({
      action: 'release.practice_outcome',
      outcome: o.status === 'sent' ? 'success' : 'failure',
      subjectType: 'release',
      subjectId: o.releaseId,
      detail: { transmissionId: o.transmissionId, status: o.status, workstation: workstation ?? 'none', ...(o.errorCode ? { code: o.errorCode } : {}) },
    });
    const stop =
      o.status === 'failed' || o.status === 'partly_sent'
        ? {
            status: 'failed' as const,
            error: new AppError(o.errorCode === 'SEND_GAVE_UP' ? 'SEND_GAVE_UP' : 'SMTP_FAILED', 'Sending from the practice outbox did not succeed. Nothing more was sent.', {
              code: o.errorCode ?? 'none',
            }),
            transient: false,
          }
        : null;
    return settle(this.ctx, o.releaseId, o.transmissionId, stop);
  }

  /**
   * One background pass (support/background.ts) while the link is `online` or `offline` (nothing while `local` or
   * `not_joined`, and nothing logged): push what waits, take this workstation's share of the sending, bring back
   * outcomes (and bounces recorded on the shared outbox). "Cannot be reached" ends the pass quietly (the link is
   * then `offline`; the next pass or the link's return tries again); other errors are logged as codes.
   * @returns nothing; never throws
   */
  async cycle(): Promise<void> {
    const { s } = this.ctx;
    // Not joined yet: releases wait in the vault ('waiting_for_server', said once when each was sent); a pass has
    // nothing to do and says nothing (no warning every pass) until an administrator joins this workstation.
    if (s.state !== 'unlocked' || !this.routed() || this.d.link.state() === 'not_joined') return;
    const step = async (name: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        if (!isOfflineError(e) && !(isAppError(e) && e.code === 'PRACTICE_KEY_NOT_WRAPPED')) s.logger.warn('practice.route_failed', { step: name, code: isAppError(e) ? e.code : 'INTERNAL' });
        return false;
      }
    };
    if (!(await step('push', () => this.pushWaiting()))) return;
    // Also while `offline`: the drain's first statement is the probe that brings the link back online.
    await step('drain', () => this.drain());
    if (this.d.link.state() === 'online' && (await step('pull', () => this.pullOutcomes()))) await step('bounces', () => this.pullBounces());
  }
}
