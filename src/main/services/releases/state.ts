/**
 * The release state machine: one table of allowed transitions and the one function that writes a
 * release's status. Every transition is committed in the same transaction as its audit event, so the
 * audit trail and the release can never disagree (45 CFR 164.312(b)).
 *
 *   draft ──queue──▶ queued ──claim──▶ sending ──▶ sent | partly_sent | unconfirmed | failed | queued (retry later)
 *   queued ──▶ cancelled | draft (withdrawn before anything left)   failed ──▶ queued (try again) | draft | cancelled
 *   partly_sent ──▶ queued (send the rest)   unconfirmed ──▶ queued (resend the same message) | sent (recipient confirmed)
 *   sent | partly_sent | unconfirmed ──▶ bounced (a DSN said a part was not delivered)   bounced ──▶ queued | cancelled
 *   draft | failed | bounced ──▶ sent (export / print: no outbox)
 * With a practice server (issue #17, releases/practice-route.ts):
 *   queued ──▶ with_practice_server (handed to the shared outbox) | waiting_for_server (the server cannot be reached)
 *   waiting_for_server ──▶ with_practice_server | draft | cancelled (nothing left yet)
 *   with_practice_server ──▶ sent | partly_sent | unconfirmed | failed (the outcome, brought back from the server)
 *     | draft | cancelled (withdrawn from the shared outbox before anything left: practice/queue-withdraw-repo.ts)
 *   unconfirmed ──▶ with_practice_server (staff chose to resend the same stored message from the practice outbox)
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../../../shared/errors';
import type { AuditDetail } from '../audit/audit';
import type { ReleaseStatus } from './repo';
import { releaseState, writeReleaseStatus } from './repo';

/** Allowed transitions, from → to. The only place that says which status may follow which. */
export const RELEASE_TRANSITIONS: Readonly<Record<ReleaseStatus, readonly ReleaseStatus[]>> = {
  draft: ['queued', 'sent'],
  queued: ['sending', 'cancelled', 'draft', 'waiting_for_server', 'with_practice_server'],
  sending: ['sent', 'partly_sent', 'unconfirmed', 'failed', 'queued'],
  sent: ['bounced'],
  partly_sent: ['queued', 'cancelled', 'bounced'],
  unconfirmed: ['queued', 'sent', 'partly_sent', 'cancelled', 'bounced', 'with_practice_server'],
  failed: ['queued', 'draft', 'cancelled', 'sent'],
  bounced: ['queued', 'cancelled', 'sent'],
  cancelled: [],
  waiting_for_server: ['with_practice_server', 'draft', 'cancelled'],
  with_practice_server: ['sent', 'partly_sent', 'unconfirmed', 'failed', 'draft', 'cancelled'],
};

/** Whether `from → to` is in {@link RELEASE_TRANSITIONS}. */
export function canMoveRelease(from: ReleaseStatus, to: ReleaseStatus): boolean {
  return RELEASE_TRANSITIONS[from].includes(to);
}

/** What a transition records besides the new status. */
export interface TransitionOptions {
  /** Last error shown on the release (code + PHI-free message); cleared when omitted. */
  error?: { code: string; message: string } | undefined;
  /** Queue fields: next automatic try (ISO) or null; whether the attempt counter resets. */
  nextAttemptAt?: string | null;
  resetAttempts?: boolean;
  countAttempt?: boolean;
  /** The audit event written with the transition. */
  audit: { action: string; outcome?: 'success' | 'failure' | 'refused'; detail?: AuditDetail };
}

/** Appends one audit event inside the caller's transaction (Session.audit). */
export type AuditWriter = (e: { action: string; outcome: 'success' | 'failure' | 'refused'; subjectType: string; subjectId: string | null; detail?: AuditDetail }) => number;

/**
 * Move a release from its current status to `to`, with its audit event. Call inside a transaction
 * (Vault.tx): the status write and the audit append commit together or not at all.
 * @param db the open vault
 * @param audit appends the audit event (Session.audit)
 * @param releaseId the release
 * @param to the new status
 * @param now the time of the transition
 * @returns the status it moved from
 * @throws AppError STATUS_TRANSITION_INVALID when `from → to` is not in the table (nothing is written);
 *   NOT_FOUND for an unknown release
 */
export function moveRelease(db: Database, audit: AuditWriter, releaseId: string, to: ReleaseStatus, now: Date, opts: TransitionOptions): ReleaseStatus {
  const { status: from } = releaseState(db, releaseId);
  if (!canMoveRelease(from, to)) {
    throw new AppError('STATUS_TRANSITION_INVALID', transitionRefusal(from, to), { from, to });
  }
  writeReleaseStatus(db, releaseId, to, now, opts);
  audit({
    action: opts.audit.action,
    outcome: opts.audit.outcome ?? 'success',
    subjectType: 'release',
    subjectId: releaseId,
    detail: { from, to, ...(opts.error ? { code: opts.error.code } : {}), ...(opts.audit.detail ?? {}) },
  });
  return from;
}

/** Plain-language refusal for a transition the table does not allow. */
function transitionRefusal(from: ReleaseStatus, to: ReleaseStatus): string {
  if (from === 'sending') return 'This release is being sent right now. Wait until it finishes.';
  if (from === 'sent' || from === 'cancelled') return `This release is already ${from === 'sent' ? 'sent' : 'cancelled'}; it cannot change.`;
  return `A release that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`;
}
