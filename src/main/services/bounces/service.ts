/**
 * Bounces read back: the bounce mailbox's settings (in the vault; the password never leaves main), its
 * connection test, the poll ("check for bounces now", and every few minutes while the vault is unlocked), and
 * applying each report to its release (releases/bounces.ts: part bounced, release bounced, audited, alert).
 *
 * PHI never leaves a bounce: its subject, body and diagnostic text are parsed in memory and dropped; the vault
 * keeps codes and ids, the log only counts and codes, the alert the release reference and plain reason.
 */
import type { BounceCheckResultT, BounceMailboxTestResultT, BounceMailboxUpdateT, BounceMailboxViewT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { bounceReason } from '../../../shared/bounce-reasons';
import type { PracticeLink } from '../practice/practice-link';
import { practiceQueueIo } from '../practice/queue-io';
import { recordQueueBounce } from '../practice/queue-repo';
import { bounceReportSeen } from '../releases/bounce-repo';
import { applyDsn, findPart, reportFacts, type BounceAlert, type BounceOutcome, type BounceSource } from '../releases/bounces';
import { queueWorkstationName } from '../releases/practice-route';
import { pushedToPracticeAt } from '../releases/practice-route-repo';
import type { Session } from '../session';
import { getSetting, putSetting } from '../settings/settings';
import type { EventBus } from '../support/events';
import { parseDsn, type ParsedDsn } from './dsn';
import { readUnseen, testBounceMailbox, type MailboxOptions } from './mailbox';

export interface BounceServiceDeps {
  session: Session;
  events: EventBus;
  /** Extra trusted CAs for the IMAP server (a practice CA, a test CA). */
  ca?: string[] | undefined;
  /** Per-wait IMAP timeout in ms (default 30 000). */
  timeoutMs?: number | undefined;
  /** The link to the practice server (issue #17): reports about releases sent from its shared outbox are recorded there. */
  link?: PracticeLink | undefined;
}

/** The bounce mailbox and applying what it holds (see the module comment). */
export class BounceService {
  /** Alerts of this session, newest first (PHI-free). */
  readonly alerts: BounceAlert[] = [];
  private running: Promise<BounceCheckResultT> | null = null;

  constructor(private readonly d: BounceServiceDeps) {}

  private get opts(): MailboxOptions {
    return { ca: this.d.ca, timeoutMs: this.d.timeoutMs };
  }

  /** The stored settings without the password, or null when none are set. @throws AppError VAULT_LOCKED */
  settings(): BounceMailboxViewT | null {
    const s = getSetting(this.d.session.require().db, 'bounceMailbox');
    if (!s) return null;
    const { password: _p, ...shown } = s;
    return shown;
  }

  /**
   * Save the bounce mailbox (host, implicit-TLS port, user, password; the stored password is kept when omitted).
   * Audited as `settings.change` (which fields changed, never their values).
   * @throws AppError VALIDATION_FAILED when no password is given and none is stored; VAULT_LOCKED
   */
  update(input: BounceMailboxUpdateT): BounceMailboxViewT {
    return this.d.session.audited(
      'settings.change',
      { type: 'setting', id: 'bounceMailbox' },
      (v) => {
        const current = getSetting(v.db, 'bounceMailbox');
        const password = input.password ?? current?.password;
        if (!password) throw new AppError('VALIDATION_FAILED', 'Enter the bounce mailbox password.');
        const next = { ...input, password };
        putSetting(v.db, 'bounceMailbox', next);
        const { password: _p, ...shown } = next;
        const changed = (Object.keys(next) as Array<keyof typeof next>).filter((k) => !current || next[k] !== current[k]);
        return { shown, changed };
      },
      (r) => ({ setting: 'bounceMailbox', changed: r.changed.join(',') || 'none' }),
    ).shown;
  }

  /**
   * Sign in to the bounce mailbox and out (nothing read). Without a password the stored one is used.
   * Audited as `settings.bounce_mailbox_test` (outcome and code only).
   * @throws AppError IMAP_UNREACHABLE | TLS_CERT_UNTRUSTED | TLS_REQUIRED | IMAP_AUTH_FAILED | IMAP_FAILED | VALIDATION_FAILED
   */
  async test(input: BounceMailboxUpdateT): Promise<BounceMailboxTestResultT> {
    const s = this.d.session;
    const subject = { type: 'setting', id: 'bounceMailbox' };
    try {
      const password = input.password ?? getSetting(s.require().db, 'bounceMailbox')?.password;
      if (!password) throw new AppError('VALIDATION_FAILED', 'Enter the bounce mailbox password to test the connection.');
      const r = await testBounceMailbox({ ...input, password }, this.opts);
      s.audited('settings.bounce_mailbox_test', subject, () => r, (x) => ({ outcome: 'ok', tlsProtocol: x.tlsProtocol }));
      return r;
    } catch (e) {
      if (s.state === 'unlocked') s.recordFailure('settings.bounce_mailbox_test', subject, e);
      throw e;
    }
  }

  /**
   * Parse one raw message and apply it if it is a DSN (anything else is ignored, nothing stored).
   * @returns {@link BounceOutcome}
   */
  async applyRaw(raw: Buffer, source: BounceSource): Promise<BounceOutcome> {
    const dsn = await parseDsn(raw);
    const shared = await this.recordOnPracticeServer(dsn);
    if (shared) return shared;
    return applyDsn(this.d.session, dsn, source, (a) => {
      this.alerts.unshift(a);
      this.d.events.emit('bounce', { releaseId: a.releaseId, reference: a.reference, status: a.status, reason: a.reason });
    });
  }

  /**
   * A report about a release sent from the practice's shared outbox (issue #17) — one this vault does not hold (another
   * workstation's release, delivered by whichever workstation), or this vault's own release handed to the shared
   * outbox — is recorded there (practice/queue-bounces-repo.ts), where the release's own vault brings it in with its
   * outcomes (releases/practice-route.ts pullBounces). This vault keeps a PHI-free audit note of it. A report about
   * this workstation's own direct send, or about nothing in the shared outbox, is left to {@link applyDsn}.
   * @returns the outcome when the report was recorded on the practice server and nothing is left to do here; null
   *   when {@link applyDsn} applies it (also after recording it there, when this vault's part already left)
   * @throws AppError PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE (the server cannot be reached): the message stays
   *   unread in the mailbox and is read again on the next check; store errors
   * @source RFC 3464, RFC 3463; 45 CFR 164.312(b)
   */
  private async recordOnPracticeServer(dsn: ParsedDsn): Promise<BounceOutcome | null> {
    const link = this.d.link;
    if (!dsn.isDsn || !link) return null;
    const state = link.state();
    if (state !== 'online' && state !== 'offline') return null;
    const s = this.d.session;
    const v = s.require();
    const found = findPart(v.db, dsn);
    // The envid is a release reference, unique in one vault only: matched by it while the report returned another
    // Message-ID, it may be another workstation's release with the same reference — the shared outbox decides first.
    const doubtful = found?.by === 'envid' && !!dsn.originalMessageId && dsn.originalMessageId.trim() !== found.ref.messageId;
    const local = doubtful ? null : found;
    if (local && !pushedToPracticeAt(v.db, local.ref.transmissionId)) return null;
    const { digest, rcpt, status } = reportFacts(dsn);
    if (!rcpt || !status || (rcpt.action !== 'failed' && rcpt.action !== 'delayed') || bounceReportSeen(v.db, digest)) return null;
    const reporter = queueWorkstationName(link.workstation());
    const r = await link.use((engine, keys) =>
      recordQueueBounce(engine, practiceQueueIo(keys), { digest, envid: dsn.envid, originalMessageId: dsn.originalMessageId, action: rcpt.action as 'failed' | 'delayed', status }, reporter, s.clock.now()),
    );
    if (r.outcome === 'unmatched') return null;
    s.logger.info('bounce.recorded_on_practice_server', { outcome: r.outcome, status });
    if (r.outcome === 'bounced' || r.outcome === 'delayed')
      v.tx(() =>
        s.audit({
          action: 'bounce.recorded_on_practice_server',
          outcome: 'success',
          subjectType: 'practice_release',
          subjectId: r.releaseId ?? null,
          detail: { outcome: r.outcome, status, part: r.part ?? 0, transmissionId: r.transmissionId ?? 'none' },
        }),
      );
    // This vault's own release whose part it already shows as left: apply it here too (the pull then finds it done).
    if (local && (local.ref.status === 'sent' || local.ref.status === 'unconfirmed')) return null;
    const outcome = r.outcome === 'duplicate' ? 'duplicate' : r.outcome === 'duplicate_part' ? 'duplicate_part' : r.outcome;
    return { outcome, ...(r.reference ? { reference: r.reference } : {}), ...(r.part ? { part: r.part } : {}), status, reason: bounceReason(status) };
  }

  /**
   * Read the bounce mailbox now: every unseen message is parsed and applied, then marked seen. One check at a
   * time (a second call while one runs gets the same result). Audited as `bounces.check` with counts only.
   * @returns counts per outcome
   * @throws AppError BOUNCE_MAILBOX_NOT_SET; the mailbox errors of {@link readUnseen}; VAULT_LOCKED
   */
  checkNow(source: BounceSource = 'staff'): Promise<BounceCheckResultT> {
    if (this.running) return this.running;
    this.running = this.check(source).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async check(source: BounceSource): Promise<BounceCheckResultT> {
    const s = this.d.session;
    const subject = { type: 'setting', id: 'bounceMailbox' };
    const counts: BounceCheckResultT = { read: 0, bounced: 0, delayed: 0, ignored: 0, unmatched: 0, duplicate: 0 };
    try {
      const settings = getSetting(s.require().db, 'bounceMailbox');
      if (!settings) throw new AppError('BOUNCE_MAILBOX_NOT_SET', 'No bounce mailbox is set up. Add it in Settings.');
      const r = await readUnseen(settings, this.opts, async (raw) => {
        const o = await this.applyRaw(raw, source === 'staff' ? 'mailbox' : source);
        if (o.outcome === 'bounced') counts.bounced++;
        else if (o.outcome === 'delayed') counts.delayed++;
        else if (o.outcome === 'unmatched') counts.unmatched++;
        else if (o.outcome === 'duplicate' || o.outcome === 'duplicate_part') counts.duplicate++;
        else counts.ignored++;
      });
      counts.read = r.read;
      s.audited('bounces.check', subject, () => counts, (c) => ({ ...c, failed: r.failed }));
      s.logger.info('bounces.check', { ...counts });
      return counts;
    } catch (e) {
      if (s.state === 'unlocked') s.recordFailure('bounces.check', subject, e);
      throw e;
    }
  }
}
