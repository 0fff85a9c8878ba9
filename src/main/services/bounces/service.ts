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
import { applyDsn, type BounceAlert, type BounceOutcome, type BounceSource } from '../releases/bounces';
import type { Session } from '../session';
import { getSetting, putSetting } from '../settings/settings';
import type { EventBus } from '../support/events';
import { parseDsn } from './dsn';
import { readUnseen, testBounceMailbox, type MailboxOptions } from './mailbox';

export interface BounceServiceDeps {
  session: Session;
  events: EventBus;
  /** Extra trusted CAs for the IMAP server (a practice CA, a test CA). */
  ca?: string[] | undefined;
  /** Per-wait IMAP timeout in ms (default 30 000). */
  timeoutMs?: number | undefined;
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
    return applyDsn(this.d.session, dsn, source, (a) => {
      this.alerts.unshift(a);
      this.d.events.emit('bounce', { releaseId: a.releaseId, reference: a.reference, status: a.status, reason: a.reason });
    });
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
