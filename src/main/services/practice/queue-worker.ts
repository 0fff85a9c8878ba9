/**
 * A workstation's automatic sender for the practice's shared outbox: recover what lapsed, claim the next due
 * release, deliver its STORED messages with their stored Message-IDs — streamed from the server chunk by chunk into
 * the DATA stream, each sealed chunk opened as it is read — over the verified SMTP session
 * (delivery/smtp.ts: STARTTLS or implicit TLS, certificate and host verified, TLS ≥ 1.2), record each result the
 * moment its reply arrives, settle the release — and again, until nothing is due.
 *
 * The exactly-once rules are those of releases/send-workflow.ts, extended across workstations by the claim token
 * (practice/queue-repo.ts): a part is claimed ('sending') before the connection opens; "handed over" is committed
 * before the final "." of DATA (RFC 5321 §4.1.1.4) and only while this workstation still holds the claim; the result
 * is committed on the reply. A workstation that dies leaves its claim to lapse: its handed-over parts become
 * 'unconfirmed' (staff decide), the rest 'pending' and the release is queued again for any workstation.
 * Never throws for a mail server's answer: the outcome is in the release's status, its parts and the shared audit.
 * @source 45 CFR 164.312(e)(1) transmission security, 164.312(b) audit controls, 164.528 accounting of disclosures
 */
import { isAppError, type AppError } from '../../../shared/errors';
import { sendRawMessage, toAppError, type SendResult, type SmtpSettings } from '../delivery/smtp';
import { DEFAULT_RETRY, type RetryPolicy } from '../releases/send-context';
import { isNoReply, isTransient, smtpFacts } from '../releases/send-deliver';
import type { ReleaseStatus } from '../releases/repo';
import type { SqlEngine } from './engine';
import {
  beginQueuedPartAttempt,
  claimNextRelease,
  markQueuedPartHandedOver,
  queueActivity,
  queueParts,
  openStoredMessage,
  recordQueuedPartFailure,
  recordQueuedPartSent,
  recoverLapsedClaims,
  renewClaim,
  serverClockMs,
  settleClaim,
  type QueueActor,
  type QueueClaim,
  type QueueIo,
  type QueueStop,
} from './queue-repo';

/** Points of a delivery where a crash test may stop the process (no-ops in the product). */
export type QueueCrashPoint = 'claimed' | 'before-connect' | 'handed-over' | 'after-reply' | 'between-parts';

/** What a workstation's sender needs; all injected (no globals). */
export interface QueueWorkerDeps {
  engine: SqlEngine;
  io: QueueIo;
  /** This workstation: `id` is a non-PHI label unique in the practice (e.g. "front-desk-2"). */
  workstation: { id: string };
  /** The practice's submission server and credentials. */
  smtp: SmtpSettings;
  /** PEM CAs to trust instead of the system roots (a practice's private CA, tests). */
  smtpCa?: string[] | undefined;
  /** Per-wait SMTP timeout in ms (default 30 000). */
  smtpTimeoutMs?: number | undefined;
  /** Lease of a claim in ms (default 120 000); renewed by every step and by a heartbeat every third of it. */
  leaseMs?: number | undefined;
  /** Pause between looks at the queue while another workstation is sending, in ms (default 250). */
  pollMs?: number | undefined;
  retry?: RetryPolicy | undefined;
  /**
   * The workstation's clock (default the system clock). On PostgreSQL every time the worker writes or compares
   * (leases, retry times) is this clock corrected to the server's (`clock_timestamp()`, measured at the start of
   * each drain and again every `clockSyncMs`), so a workstation whose clock is minutes off cannot take a live claim.
   */
  clock?: { now(): Date } | undefined;
  /** How often the offset to the server's clock is measured again during a drain (ms, default 10 000). */
  clockSyncMs?: number | undefined;
  /** PHI-free warnings (codes only). */
  logger?: { warn(event: string, facts: Record<string, string | number | boolean>): void } | undefined;
  /** Crash-test hook, awaited at each {@link QueueCrashPoint}. */
  checkpoint?: ((point: QueueCrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>) | undefined;
}

/** What one drain did. */
export interface DrainSummary {
  /** Releases this workstation claimed, and the status each ended in. */
  delivered: Array<{ releaseId: string; status: ReleaseStatus | 'claim_lost' }>;
  /** Releases whose lapsed claims this workstation recovered. */
  recovered: Array<{ releaseId: string; to: ReleaseStatus }>;
  /** Releases still queued for a later automatic try (not due yet). */
  waiting: number;
}

/** A workstation draining the shared queue (see the module comment). */
export class QueueWorker {
  private readonly leaseMs: number;
  private readonly actor: QueueActor & { id: string };
  /** Server clock minus the workstation clock, in ms (0 until measured; always 0 on the embedded engine). */
  private offsetMs = 0;
  /** When the offset was last measured (workstation ms), or null. */
  private syncedAt: number | null = null;

  constructor(private readonly d: QueueWorkerDeps) {
    this.leaseMs = d.leaseMs ?? 120_000;
    this.actor = { id: d.workstation.id, actor: `Workstation ${d.workstation.id}`, actorId: null };
  }

  private local(): Date {
    return this.d.clock?.now() ?? new Date();
  }

  /** The practice server's time as this workstation best knows it: its own clock plus the measured offset. */
  private now(): Date {
    return new Date(this.local().getTime() + this.offsetMs);
  }

  /**
   * Measure the offset between the server's clock and this workstation's (one statement; a no-op on the embedded
   * engine), when never measured or older than `clockSyncMs`.
   * @throws engine errors (the server went away)
   */
  async syncClock(force = false): Promise<void> {
    const at = this.local().getTime();
    if (!force && this.syncedAt !== null && at - this.syncedAt < (this.d.clockSyncMs ?? 10_000)) return;
    const server = await serverClockMs(this.d.engine);
    const after = this.local().getTime();
    // The server read its clock somewhere between `at` and `after`: take the midpoint.
    this.offsetMs = server === null ? 0 : server - Math.round((at + after) / 2);
    this.syncedAt = after;
  }

  /**
   * Recover lapsed claims: every release whose lease ended, and — `own` — the claims this workstation held before
   * it restarted (its previous process is gone, so they need not wait for the lease).
   * @returns per release the status it got ('unconfirmed' or 'queued')
   */
  async recover(own = false): Promise<Array<{ releaseId: string; to: ReleaseStatus }>> {
    await this.syncClock();
    return recoverLapsedClaims(this.d.engine, this.d.io, this.actor, this.now(), own ? this.actor.id : undefined);
  }

  /**
   * Claim the next due release and deliver it.
   * @returns the release and the status it ended in ('claim_lost' when another workstation recovered it meanwhile),
   *   or null when nothing is due
   * @throws engine errors (the server went away): the claim then lapses and is recovered by the rule above
   */
  async deliverNext(): Promise<{ releaseId: string; status: ReleaseStatus | 'claim_lost' } | null> {
    await this.syncClock();
    const claim = await claimNextRelease(this.d.engine, this.d.io, this.actor, this.now(), this.leaseMs);
    if (!claim) return null;
    await this.d.checkpoint?.('claimed', { releaseId: claim.releaseId });
    const heartbeat = setInterval(() => {
      renewClaim(this.d.engine, claim, this.now()).catch(() => undefined);
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    try {
      return { releaseId: claim.releaseId, status: await this.deliverClaimed(claim) };
    } catch (e) {
      if (isAppError(e) && e.code === 'QUEUE_CLAIM_LOST') {
        this.d.logger?.warn('practice.queue_claim_lost', { code: e.code });
        return { releaseId: claim.releaseId, status: 'claim_lost' };
      }
      throw e;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Drain the shared queue: recover this workstation's own earlier claims, then claim and deliver until no release
   * is due and none is being sent by another workstation (lapsed claims are recovered on the way, so a dead
   * workstation's releases are finished here). A release waiting for a later retry is left for then.
   * @param opts.maxMs stop claiming after this long (ms); default no limit
   * @returns what was delivered and recovered
   * @throws engine errors (the server went away)
   */
  async drain(opts: { maxMs?: number } = {}): Promise<DrainSummary> {
    const until = opts.maxMs === undefined ? Infinity : Date.now() + opts.maxMs;
    await this.syncClock(true);
    const out: DrainSummary = { delivered: [], recovered: await this.recover(true), waiting: 0 };
    while (Date.now() < until) {
      out.recovered.push(...(await this.recover()));
      const r = await this.deliverNext();
      if (r) {
        out.delivered.push(r);
        continue;
      }
      const a = await queueActivity(this.d.engine, this.now());
      out.waiting = a.waiting;
      if (a.due === 0 && a.sending === 0 && a.lapsed === 0) break;
      await new Promise((ok) => setTimeout(ok, this.d.pollMs ?? 250));
    }
    return out;
  }

  /** Deliver the parts of a claimed release one at a time, then settle it (send-deliver.ts, under the claim). */
  private async deliverClaimed(claim: QueueClaim): Promise<ReleaseStatus> {
    const { engine, io } = this.d;
    const parts = await queueParts(engine, claim.transmissionId);
    const toSend = parts.filter((p) => p.status !== 'sent' && p.status !== 'unconfirmed' && p.status !== 'bounced');
    const lastPart = toSend.at(-1)?.part;
    let stop: QueueStop | null = null;
    for (const p of toSend) {
      const seq = await beginQueuedPartAttempt(engine, claim, p.part, this.now());
      await this.d.checkpoint?.('before-connect', { releaseId: claim.releaseId, part: p.part });
      // Streamed: the sealed chunks are read from the server and opened one at a time while DATA is written
      // (back-pressure from the SMTP connection), so memory stays at about two chunks whatever the release's size.
      const msg = await openStoredMessage(engine, io, claim.transmissionId, p.part);
      let handedOver = false;
      let lost: unknown = null;
      let sent: SendResult;
      try {
        sent = await sendRawMessage(this.d.smtp, msg.envelope, { sizeBytes: msg.sizeBytes, sha256: msg.sha256, chunks: msg.chunks }, {
          ...(this.d.smtpCa ? { ca: this.d.smtpCa } : {}),
          ...(this.d.smtpTimeoutMs ? { timeoutMs: this.d.smtpTimeoutMs } : {}),
          envid: `${claim.envid}.${p.part}`,
          beforeEndOfData: async () => {
            try {
              await markQueuedPartHandedOver(engine, claim, p.part, this.now());
            } catch (e) {
              // Keep our error apart: the SMTP client rewrites the code of the error that ends its message stream.
              lost = e;
              throw new Error('hand-over not recorded', { cause: e });
            }
            handedOver = true;
            await this.d.checkpoint?.('handed-over', { releaseId: claim.releaseId, part: p.part });
          },
        });
      } catch (e) {
        // The claim was lost (or the server went away) before the final ".": nothing of this part can have been
        // delivered; write nothing more — the claim lapses and recovery settles it.
        if (lost) throw lost;
        const err: AppError = toAppError(e);
        const unconfirmed = handedOver && isNoReply(err);
        const transient = !unconfirmed && isTransient(err);
        await recordQueuedPartFailure(engine, io, claim, p.part, seq, { status: unconfirmed ? 'unconfirmed' : 'failed', code: err.code, transient, facts: smtpFacts(err) }, this.now());
        this.d.logger?.warn('practice.queue_part_not_sent', { code: err.code, transient, unconfirmed });
        stop = { status: unconfirmed ? 'unconfirmed' : 'failed', code: err.code, transient };
        break;
      }
      // The reply is in: record it. If this write fails (the server went away), the claim lapses and recovery finds
      // the part handed over → 'unconfirmed': never a second copy.
      await this.d.checkpoint?.('after-reply', { releaseId: claim.releaseId, part: p.part });
      // The last part: its result and the release's settle commit together (one transaction, one fence).
      const reply = { smtpResponse: sent.response, tlsProtocol: sent.tlsProtocol, tlsCipher: sent.tlsCipher };
      const settled = await recordQueuedPartSent(engine, io, claim, p.part, seq, reply, this.now(), p.part === lastPart ? (this.d.retry ?? DEFAULT_RETRY) : undefined);
      if (settled) return settled;
      if (p.part < parts.length) await this.d.checkpoint?.('between-parts', { releaseId: claim.releaseId, part: p.part });
    }
    return settleClaim(engine, io, claim, stop, this.d.retry ?? DEFAULT_RETRY, this.now());
  }
}
