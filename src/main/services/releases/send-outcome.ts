import { AppError } from '../../../shared/errors';
import { canTransition } from '../compliance';
import { getRequest, updateRequest } from '../requests/repo';
import { clearOutbox, storedParts } from './delivery-repo';
import { listTransmissions, queueState, releaseState, type ReleaseStatus } from './repo';
import { UNCONFIRMED_MESSAGE, type SendContext } from './send-context';

/** Decide and record the release's status from its parts after a delivery run. Inside a transaction. */
export function settle(ctx: SendContext, releaseId: string, transmissionId: string, stop: { status: 'failed' | 'unconfirmed'; error: AppError; transient: boolean } | null): ReleaseStatus {
  const v = ctx.s.require();
  const parts = storedParts(v.db, transmissionId);
  const sent = parts.filter((p) => p.status === 'sent').length;
  const unconfirmed = parts.filter((p) => p.status === 'unconfirmed').length;
  const detail = { transmissionId, partsTotal: parts.length, partsSent: sent, partsUnconfirmed: unconfirmed };
  const { requestId } = releaseState(v.db, releaseId);
  if (sent === parts.length) {
    clearOutbox(v.db, transmissionId);
    ctx.move(releaseId, 'sent', { audit: { action: 'release.send', detail: { ...detail, ...accountingDetail(ctx, transmissionId) } } });
    moveRequest(ctx, requestId, 'sent');
    return 'sent';
  }
  if (unconfirmed > 0) {
    ctx.move(releaseId, 'unconfirmed', {
      error: { code: 'SMTP_NO_REPLY', message: UNCONFIRMED_MESSAGE },
      audit: { action: 'release.send', outcome: 'failure', detail },
    });
    return 'unconfirmed';
  }
  const err = stop?.error ?? new AppError('SMTP_FAILED', 'Sending failed at the mail server. Nothing was confirmed as sent.');
  const { attempts } = queueState(v.db, releaseId);
  if (stop?.transient && attempts + 1 < ctx.retry.maxAttempts) {
    const wait = Math.min(ctx.retry.maxMs, ctx.retry.baseMs * 2 ** attempts);
    const next = new Date(ctx.now().getTime() + wait).toISOString();
    ctx.move(releaseId, 'queued', {
      error: { code: err.code, message: `${err.message} ReleaseDesk tries again by itself.` },
      nextAttemptAt: next,
      countAttempt: true,
      audit: { action: 'release.send', outcome: 'failure', detail: { ...detail, retryInSeconds: Math.round(wait / 1000) } },
    });
    return 'queued';
  }
  const gaveUp = stop?.transient === true;
  const error = gaveUp ? { code: 'SEND_GAVE_UP', message: `ReleaseDesk tried ${attempts + 1} times and stopped. ${err.message}` } : { code: err.code, message: err.message };
  const to: ReleaseStatus = sent > 0 ? 'partly_sent' : 'failed';
  ctx.move(releaseId, to, { error, audit: { action: 'release.send', outcome: 'failure', detail } });
  moveRequest(ctx, requestId, to === 'partly_sent' ? 'partly_sent' : 'failed');
  return to;
}

/** The facts of the disclosure for the audit (ids and codes only). */
export function accountingDetail(ctx: SendContext, transmissionId: string): Record<string, string> {
  const t = listTransmissions(ctx.s.require().db).find((x) => x.id === transmissionId);
  return {
    method: t?.method ?? 'unknown',
    ...(t?.method === 'smime' ? { certificateFingerprint: t.recipientKeyFingerprint } : {}),
    tlsProtocol: t?.tlsProtocol ?? '',
    requestId: t?.requestId ?? 'none',
    legalBasis: t?.legalBasis ?? 'none',
    authorizationId: t?.authorizationId ?? 'none',
  };
}

/** Move the release's request along its status flow after a send, when the flow allows it. Inside the transaction. */
export function moveRequest(ctx: SendContext, requestId: string | null, to: 'sent' | 'partly_sent' | 'failed'): void {
  if (!requestId) return;
  const db = ctx.s.require().db;
  const r = getRequest(db, requestId);
  if (canTransition(r.request.status, to)) updateRequest(db, { ...r.request, status: to }, ctx.now());
}
