/**
 * Applying a delivery status notification (DSN, RFC 3464) to the release it is about: a bounce is one more
 * state of a transmission part, entered through the release state machine (state.ts) with its audit event.
 *
 *   match   — by the DSN's Original-Envelope-Id (`${reference}.${part}`, RFC 3461 §4.4), else by the Message-ID of
 *             the returned headers (RET=HDRS) — the part's stored `message_id`;
 *   failed  — the part becomes 'bounced' with its enhanced status code (RFC 3463), the release 'bounced'
 *             (audited: codes only), staff are alerted (reference and plain reason, no PHI);
 *   delayed — an audit note only (the receiving side is still trying); delivered/relayed/expanded — nothing;
 *   twice   — a report already applied (same digest over its fields) changes nothing.
 *
 * A bounced part is not a completed disclosure: the parts that bounced never reached the recipient. The
 * transmission record stays as it is (never deleted); the release's 30-day clock (45 CFR 164.524(b)(2)) keeps
 * running from the request, untouched here.
 *
 * Never stores or logs the report's subject, body, diagnostic text or addresses: they can quote patients' names.
 */
import { createHash } from 'node:crypto';
import { bounceReason, isEnhancedStatus } from '../../../shared/bounce-reasons';
import type { ParsedDsn, DsnRecipient } from '../bounces/dsn';
import type { Session } from '../session';
import { bounceReportSeen, insertBounceReport, markPartBounced, partByEnvid, partByMessageId, type BouncedPartRef } from './bounce-repo';
import { getRequest, updateRequest } from '../requests/repo';
import { releaseState } from './repo';
import { canMoveRelease, moveRelease } from './state';

/** What applying one report did. */
export interface BounceOutcome {
  /** bounced: a part became bounced; delayed: noted; ignored: not a DSN or nothing to act on; unmatched: no part
   * of ours; duplicate: this report was applied before; duplicate_part: another report had bounced the part. */
  outcome: 'bounced' | 'delayed' | 'ignored' | 'unmatched' | 'duplicate' | 'duplicate_part';
  releaseId?: string;
  reference?: string;
  part?: number;
  /** Enhanced status code, e.g. '5.1.1'. */
  status?: string;
  /** Plain reason for staff (bounced/delayed). */
  reason?: string;
}

/** A staff alert for a bounce: the release reference and plain words only (PHI-free). */
export interface BounceAlert {
  releaseId: string;
  reference: string;
  part: number;
  of: number;
  status: string;
  reason: string;
}

/** Where a report came from (for the ledger). */
export type BounceSource = 'mailbox' | 'staff' | 'test';

/**
 * The identity of a report for idempotency: SHA-256 (hex) over ENVID, original Message-ID, Reporting-MTA and each
 * recipient group's Final-Recipient, Action and Status. The same report read twice (or the same report sent to the
 * mailbox twice) gives the same digest; nothing of it is stored but the digest.
 */
export function dsnDigest(dsn: ParsedDsn): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        envid: dsn.envid,
        mid: dsn.originalMessageId,
        mta: dsn.reportingMta,
        r: dsn.recipients.map((r) => [r.finalRecipient.toLowerCase(), r.action, r.status]),
      }),
    )
    .digest('hex');
}

/**
 * What a report says, as codes: its digest ({@link dsnDigest}), the deciding recipient group and its enhanced status
 * code (RFC 3463; '5.0.0' / '4.0.0' when a failed / delayed group carries none; null when nothing to act on).
 */
export function reportFacts(dsn: ParsedDsn): { digest: string; rcpt: DsnRecipient | null; status: string | null } {
  const rcpt = decidingRecipient(dsn);
  const status = rcpt && isEnhancedStatus(rcpt.status) ? rcpt.status : rcpt?.action === 'failed' ? '5.0.0' : rcpt?.action === 'delayed' ? '4.0.0' : null;
  return { digest: dsnDigest(dsn), rcpt, status };
}

/** The recipient group that decides: the first 'failed', else the first 'delayed', else null (nothing to act on). */
function decidingRecipient(dsn: ParsedDsn): DsnRecipient | null {
  return dsn.recipients.find((r) => r.action === 'failed') ?? dsn.recipients.find((r) => r.action === 'delayed') ?? null;
}

/**
 * Apply one parsed report to the vault (see the module comment). One transaction: the part, the release's status,
 * the audit event and the ledger row commit together.
 * @param session the unlocked session (audit writer, clock)
 * @param dsn a report from {@link parseDsn}
 * @param source where it came from, for the ledger
 * @param onAlert called after the commit for a new bounce (the staff alert), with PHI-free fields
 * @returns {@link BounceOutcome}
 * @throws AppError VAULT_LOCKED
 * @source RFC 3464 §2.3.3 (Action), RFC 3463 (status codes), RFC 3461 §4.4 (ENVID); 45 CFR 164.312(b) audit controls
 */
export function applyDsn(session: Session, dsn: ParsedDsn, source: BounceSource, onAlert?: (a: BounceAlert) => void): BounceOutcome {
  if (!dsn.isDsn) return { outcome: 'ignored' };
  const v = session.require();
  const now = session.clock.now();
  const at = now.toISOString();
  const { digest, rcpt, status } = reportFacts(dsn);

  let alert: BounceAlert | null = null;
  const result = v.tx((): BounceOutcome => {
    if (bounceReportSeen(v.db, digest)) return { outcome: 'duplicate' };
    const match = findPart(v.db, dsn);
    const ledger = (outcome: 'bounced' | 'delayed' | 'ignored' | 'unmatched' | 'duplicate_part', ref: BouncedPartRef | null) =>
      insertBounceReport(v.db, {
        digest,
        receivedAt: at,
        outcome,
        matchedBy: match?.by ?? null,
        transmissionId: ref?.transmissionId ?? null,
        part: ref?.part ?? null,
        action: rcpt?.action ?? null,
        status,
        source,
      });
    if (!rcpt || !status) {
      ledger('ignored', match?.ref ?? null);
      return { outcome: 'ignored' };
    }
    if (!match) {
      ledger('unmatched', null);
      session.logger.warn('bounce.unmatched', { action: rcpt.action, status });
      return { outcome: 'unmatched' };
    }
    const { ref, by } = match;
    const { reference } = releaseState(v.db, ref.releaseId);
    const reason = bounceReason(status);
    const detail = { transmissionId: ref.transmissionId, part: ref.part, of: ref.of, status, matchedBy: by };
    if (rcpt.action === 'delayed') {
      ledger('delayed', ref);
      session.audit({ action: 'release.delivery_delayed', outcome: 'success', subjectType: 'release', subjectId: ref.releaseId, detail });
      return { outcome: 'delayed', releaseId: ref.releaseId, reference, part: ref.part, status, reason };
    }
    if (!markPartBounced(v.db, ref.transmissionId, ref.part, status, at)) {
      ledger('duplicate_part', ref);
      return { outcome: 'duplicate_part', releaseId: ref.releaseId, reference, part: ref.part, status, reason };
    }
    ledger('bounced', ref);
    const from = releaseState(v.db, ref.releaseId).status;
    const error = { code: 'DELIVERY_BOUNCED', message: `Part ${ref.part} of ${ref.of} was returned as undeliverable (${status}). ${reason}` };
    if (canMoveRelease(from, 'bounced')) {
      const requestStatus = reopenRequest(v.db, releaseState(v.db, ref.releaseId).requestId, now);
      moveRelease(v.db, (e) => session.audit(e), ref.releaseId, 'bounced', now, {
        error,
        audit: { action: 'release.bounced', outcome: 'failure', detail: { ...detail, ...(requestStatus ? { requestStatus } : {}) } },
      });
    } else {
      // Already bounced (another part), or moved on (being sent again): the part's state records it; audit the report.
      session.audit({ action: 'release.part_bounced', outcome: 'failure', subjectType: 'release', subjectId: ref.releaseId, detail: { ...detail, releaseStatus: from } });
    }
    alert = { releaseId: ref.releaseId, reference, part: ref.part, of: ref.of, status, reason };
    return { outcome: 'bounced', releaseId: ref.releaseId, reference, part: ref.part, status, reason };
  });
  if (alert) {
    session.logger.info('bounce.applied', { status: (alert as BounceAlert).status });
    onAlert?.(alert);
  }
  return result;
}

/**
 * Apply a bounce that was recorded on the practice's shared outbox (a report read by any workstation of the
 * practice: practice/queue-bounces-repo.ts) to this vault's part, with the same effects as {@link applyDsn}: the part
 * 'bounced' with its status code, the release 'bounced' (the request reopened) or — when the release cannot move —
 * 'release.part_bounced', audited with `via: 'practice_server'` and the workstation that read it. Idempotent: a part
 * already bounced (or never left) changes nothing. Call inside the vault's transaction.
 * @returns the staff alert (PHI-free), or null when nothing changed
 * @source RFC 3464, RFC 3463; 45 CFR 164.312(b), 164.524(b)(2)
 */
export function applyPulledBounce(session: Session, ref: BouncedPartRef, status: string, reportedBy: string | null): BounceAlert | null {
  const v = session.require();
  const now = session.clock.now();
  if (!markPartBounced(v.db, ref.transmissionId, ref.part, status, now.toISOString())) return null;
  const { reference, status: from, requestId } = releaseState(v.db, ref.releaseId);
  const reason = bounceReason(status);
  const detail = { transmissionId: ref.transmissionId, part: ref.part, of: ref.of, status, via: 'practice_server', reportedBy: reportedBy ?? 'unknown' };
  if (canMoveRelease(from, 'bounced')) {
    const requestStatus = reopenRequest(v.db, requestId, now);
    moveRelease(v.db, (e) => session.audit(e), ref.releaseId, 'bounced', now, {
      error: { code: 'DELIVERY_BOUNCED', message: `Part ${ref.part} of ${ref.of} was returned as undeliverable (${status}). ${reason}` },
      audit: { action: 'release.bounced', outcome: 'failure', detail: { ...detail, ...(requestStatus ? { requestStatus } : {}) } },
    });
  } else {
    session.audit({ action: 'release.part_bounced', outcome: 'failure', subjectType: 'release', subjectId: ref.releaseId, detail: { ...detail, releaseStatus: from } });
  }
  return { releaseId: ref.releaseId, reference, part: ref.part, of: ref.of, status, reason };
}

/**
 * A bounce means the delivery that made the request 'sent' (or 'partly_sent') did not reach the recipient: the
 * request is open again as 'failed', so a new delivery can be made and the request's clock shows as open (its due
 * date is unchanged: it runs from the day the request was received, 45 CFR 164.524(b)(2)). This is the one path
 * out of 'sent' and it is not in the staff-facing status table on purpose: staff cannot un-send a request.
 * Inside the bounce's transaction. @returns the request's new status, or null when it did not change
 */
function reopenRequest(db: Parameters<typeof getRequest>[0], requestId: string | null, now: Date): 'failed' | null {
  if (!requestId) return null;
  const r = getRequest(db, requestId);
  if (r.request.status !== 'sent' && r.request.status !== 'partly_sent') return null;
  updateRequest(db, { ...r.request, status: 'failed' }, now);
  return 'failed';
}

/** The part a report is about: by ENVID `${envid}.${part}` first, else by the returned Message-ID. */
export function findPart(db: Parameters<typeof partByEnvid>[0], dsn: ParsedDsn): { ref: BouncedPartRef; by: 'envid' | 'message_id' } | null {
  const m = dsn.envid ? /^(.+)\.(\d{1,4})$/.exec(dsn.envid) : null;
  if (m) {
    const ref = partByEnvid(db, m[1]!, Number(m[2]));
    if (ref) return { ref, by: 'envid' };
  }
  if (dsn.originalMessageId) {
    const ref = partByMessageId(db, dsn.originalMessageId.trim());
    if (ref) return { ref, by: 'message_id' };
  }
  return null;
}
