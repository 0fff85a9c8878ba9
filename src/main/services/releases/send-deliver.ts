import { AppError } from '../../../shared/errors';
import { HAND_OVER_CHUNK, sendRawMessage, toAppError, type ChunkedMessage, type SmtpSettings } from '../delivery/smtp';
import { requireSetting } from '../settings/settings';
import {
  beginPartAttempt,
  markPartHandedOver,
  openTransmission,
  outboxEntries,
  outboxChunk,
  recordPartFailure,
  recordPartSent,
  refreshTransmissionSummary,
  storedParts,
} from './delivery-repo';
import { eraseOutboxPart } from './outbox-io';
import { releaseState, type ReleaseStatus } from './repo';
import type { SendContext } from './send-context';
import { settle } from './send-outcome';

/**
 * Steps 3–4 for a release this process has claimed (SendWorkflow.deliver): deliver the stored parts one at a time
 * — each claimed, marked handed over before the final "." of DATA, its result committed when the reply arrives —
 * then record the outcome ({@link settle}). A mail server's answer is never thrown.
 * @returns the status the release ends in
 * @throws AppError INTERNAL when the stored messages are missing; VAULT_LOCKED
 */
export async function deliverClaimed(ctx: SendContext, releaseId: string, trigger: 'staff' | 'queue'): Promise<ReleaseStatus> {
  const s = ctx.s;
  const v = s.require();
  const open = openTransmission(v.db, releaseId);
  if (!open) throw new AppError('INTERNAL', 'The stored messages of this release could not be found. Nothing was sent.');
  // The parts without their bytes: each message is read from the vault when it is sent (one at a time in memory).
  // Parts sent on an earlier run have no stored bytes any more (dropped when accepted) and are not listed.
  const outbox = outboxEntries(v.db, open.id);
  const smtp = requireSetting(v.db, 'smtp') as SmtpSettings;
  v.tx(() => ctx.move(releaseId, 'sending', { audit: { action: 'release.send_attempt', detail: { transmissionId: open.id, method: open.method, trigger } } }));

  const total = storedParts(v.db, open.id).length;
  let stop: { status: 'failed' | 'unconfirmed'; error: AppError; transient: boolean } | null = null;
  for (const msg of outbox) {
    const part = storedParts(v.db, open.id).find((p) => p.part === msg.part)!;
    if (part.status === 'sent' || part.status === 'unconfirmed' || part.status === 'bounced') continue;
    ctx.d.events.emit('progress', { operation: 'send', releaseId, done: msg.part - 1, total });
    const seq = v.tx(() => beginPartAttempt(v.db, open.id, msg.part, ctx.now().toISOString()));
    await ctx.d.checkpoint?.('before-connect', { releaseId, part: msg.part });
    let handedOver = false;
    try {
      // The stored chunks stream into DATA one at a time, checked against the stored size and SHA-256 before the final ".".
      const stored: ChunkedMessage = {
        sizeBytes: msg.sizeBytes,
        sha256: msg.sha256,
        chunks: function* () {
          for (let seq = 0; ; seq++) {
            const c = outboxChunk(v.db, open.id, msg.part, seq);
            if (!c) return;
            yield c;
          }
        },
      };
      const sent = await sendRawMessage(smtp, msg.envelope, stored, {
        ...(ctx.d.smtpCa ? { ca: ctx.d.smtpCa } : {}),
        ...(ctx.d.smtpTimeoutMs ? { timeoutMs: ctx.d.smtpTimeoutMs } : {}),
        envid: `${open.envid ?? releaseState(v.db, releaseId).reference}.${msg.part}`,
        onDataProgress: (sentBytes, totalBytes) => {
          if (ctx.d.checkpoint && sentBytes >= totalBytes / 2 && sentBytes - HAND_OVER_CHUNK < totalBytes / 2) void ctx.d.checkpoint('mid-data', { releaseId, part: msg.part });
        },
        beforeEndOfData: () => {
          v.tx(() => markPartHandedOver(v.db, open.id, msg.part, ctx.now().toISOString()));
          handedOver = true;
        },
      });
      await ctx.d.checkpoint?.('after-reply', { releaseId, part: msg.part });
      v.tx(() => {
        recordPartSent(v.db, open.id, msg.part, seq, { at: ctx.now().toISOString(), smtpResponse: sent.response, tlsProtocol: sent.tlsProtocol, tlsCipher: sent.tlsCipher });
        refreshTransmissionSummary(v.db, open.id);
        s.audit({
          action: 'release.part_sent',
          outcome: 'success',
          subjectType: 'release',
          subjectId: releaseId,
          detail: { transmissionId: open.id, part: msg.part, of: msg.of, tlsProtocol: sent.tlsProtocol },
        });
      });
    } catch (e) {
      const err = toAppError(e);
      const unconfirmed = handedOver && isNoReply(err);
      const transient = !unconfirmed && isTransient(err);
      v.tx(() => {
        recordPartFailure(v.db, open.id, msg.part, seq, { at: ctx.now().toISOString(), status: unconfirmed ? 'unconfirmed' : 'failed', code: err.code, transient });
        s.audit({
          action: unconfirmed ? 'release.part_unconfirmed' : 'release.part_failed',
          outcome: 'failure',
          subjectType: 'release',
          subjectId: releaseId,
          detail: { transmissionId: open.id, part: msg.part, of: msg.of, code: err.code, transient, ...smtpFacts(err) },
        });
      });
      s.logger.warn('release.part_not_sent', { code: err.code, transient, unconfirmed });
      stop = { status: unconfirmed ? 'unconfirmed' : 'failed', error: err, transient };
      break;
    }
    // Accepted: a sent part is never sent again, so its chunks are erased a few at a time (short transactions, the event
    // loop runs between them), then its row. A stop half-way leaves bytes of a sent part, erased with the outbox (settle).
    await eraseSentPart(ctx, open.id, msg.part, open.method);
    if (msg.part < total) await ctx.d.checkpoint?.('between-parts', { releaseId, part: msg.part });
  }
  ctx.d.events.emit('progress', { operation: 'send', releaseId, done: total, total });
  return v.tx(() => settle(ctx, releaseId, open.id, stop));
}
/** Erase the stored bytes of an accepted part chunk-wise; a failure here only leaves bytes that settle erases later. */
async function eraseSentPart(ctx: SendContext, transmissionId: string, part: number, method: string): Promise<void> {
  const v = ctx.s.require();
  try {
    await eraseOutboxPart(v, transmissionId, part, method);
  } catch (e) {
    ctx.s.logger.warn('release.part_bytes_not_erased', { code: e instanceof AppError ? e.code : 'INTERNAL' });
  }
}

/** Whether the error means "handed over, no reply" (the message may have been delivered). Shared with practice/queue-worker.ts. */
export function isNoReply(e: AppError): boolean {
  if (e.code === 'SMTP_NO_REPLY') return true;
  // A reply code after DATA is a definite answer; anything else after the hand-over (drop, timeout) is not.
  return typeof e.detail?.smtpCode !== 'number';
}

/** Whether trying again later can succeed (network, timeouts, 4xx). Shared with practice/queue-worker.ts. */
export function isTransient(e: AppError): boolean {
  if (typeof e.detail?.transient === 'boolean') return e.detail.transient;
  if (e.code === 'SMTP_UNREACHABLE') return true;
  const code = e.detail?.smtpCode;
  if (typeof code === 'number') return code >= 400 && code < 500;
  return e.code === 'SMTP_FAILED';
}

/** Codes and numbers of an SMTP failure for the audit (never server text). Shared with practice/queue-worker.ts. */
export function smtpFacts(e: AppError): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of ['smtpCode', 'phase', 'command'] as const) {
    const v = e.detail?.[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

