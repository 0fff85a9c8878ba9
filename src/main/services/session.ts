import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, isAppError } from '../../shared/errors';
import { appendAudit, type AuditDetail, type AuditInput } from './audit/audit';
import { CHECKPOINT_KEY_PURPOSE, writeCheckpoint } from './audit/checkpoints';
import type { Clock } from './support/clock';
import type { Logger } from './support/logger';
import { Vault, vaultFileState } from './vault/vault';

const PENDING_FAILURES = 'unlock-failures.jsonl';

/** Wrong passphrases allowed before unlocking slows down. */
export const FREE_UNLOCK_ATTEMPTS = 3;
/** Longest wait imposed between attempts (seconds). */
export const MAX_UNLOCK_WAIT_SECONDS = 300;

/**
 * Seconds to wait after `failures` consecutive wrong passphrases: none for the first
 * {@link FREE_UNLOCK_ATTEMPTS}, then 2, 4, 8 … seconds, capped at {@link MAX_UNLOCK_WAIT_SECONDS}.
 * Slows guessing through the UI or the API (164.308(a)(5)(ii)(C) log-in monitoring; NIST SP 800-63B §5.2.2 rate limiting).
 */
export function unlockWaitSeconds(failures: number): number {
  if (failures < FREE_UNLOCK_ATTEMPTS) return 0;
  return Math.min(MAX_UNLOCK_WAIT_SECONDS, 2 ** (failures - FREE_UNLOCK_ATTEMPTS + 1));
}

/** What an audited action is about (ids only, never PHI). */
export interface Subject {
  type: string;
  id: string | null;
}

/**
 * The unlocked vault and the person using it, shared by every service.
 *
 * Services never hold the vault themselves: they ask the session, which
 * throws VAULT_LOCKED when the practice is locked (automatic logoff,
 * 164.312(a)(2)(iii)), and write audit events through it so each event
 * carries the time from the injected clock and the signed-in staff member.
 */
export class Session {
  private vault: Vault | null = null;
  private chainKey: Buffer | null = null;

  constructor(
    readonly dataDir: string,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {}

  /** 'uninitialized' | 'locked' | 'unlocked'. */
  get state(): 'uninitialized' | 'locked' | 'unlocked' {
    return this.vault ? 'unlocked' : vaultFileState(this.dataDir);
  }

  /** Create the vault and keep it open. @throws AppError VAULT_ALREADY_INITIALIZED */
  async create(passphrase: string): Promise<Vault> {
    if (this.state !== 'uninitialized') throw new AppError('VAULT_ALREADY_INITIALIZED', 'ReleaseDesk is already set up on this computer.');
    this.attach(await Vault.create(this.dataDir, passphrase));
    return this.require();
  }

  /**
   * Unlock with the passphrase. A failure is recorded in a PHI-free side file
   * (time only) and moved into the audit log at the next successful unlock,
   * because the locked vault cannot be written. After {@link FREE_UNLOCK_ATTEMPTS} wrong passphrases in a
   * row, each further attempt must wait (see {@link unlockWaitSeconds}); the count survives restarts and
   * resets at the next successful unlock.
   * Only WRONG_PASSPHRASE counts toward the throttle; a damaged or foreign vault file does not.
   * @throws AppError VAULT_NOT_INITIALIZED | WRONG_PASSPHRASE | UNLOCK_THROTTLED (detail.waitSeconds) | VAULT_DAMAGED | VAULT_NOT_A_VAULT
   */
  async unlock(passphrase: string): Promise<void> {
    if (this.vault) return;
    const failures = this.pendingFailures();
    const wait = unlockWaitSeconds(failures.length);
    const last = failures.at(-1);
    if (wait > 0 && last) {
      const remaining = Math.ceil((new Date(last).getTime() + wait * 1000 - this.clock.now().getTime()) / 1000);
      if (remaining > 0) {
        this.logger.warn('vault.unlock_throttled', { failures: failures.length, waitSeconds: remaining });
        throw new AppError('UNLOCK_THROTTLED', `Too many wrong passphrases. Wait ${remaining} seconds, then try again.`, { waitSeconds: remaining });
      }
    }
    try {
      this.attach(await Vault.open(this.dataDir, passphrase));
    } catch (e) {
      if (isAppError(e) && e.code === 'WRONG_PASSPHRASE') {
        appendFileSync(join(this.dataDir, PENDING_FAILURES), JSON.stringify({ at: this.clock.now().toISOString() }) + '\n', { mode: 0o600 });
        this.logger.warn('vault.unlock_failed', { code: e.code });
      } else if (isAppError(e)) {
        // A damaged or foreign vault file is not a guess: it never counts toward the throttle.
        this.logger.warn('vault.unlock_refused', { code: e.code });
      }
      throw e;
    }
    this.flushPendingFailures();
    this.audit({ action: 'vault.unlock', outcome: 'success', subjectType: 'vault', subjectId: null });
  }

  /**
   * Close the vault and forget the key. Idempotent. The `vault.lock` event and a checkpoint of the audit
   * chain head (audit/checkpoints.ts: a vault row and a line in the anchor file beside the vault) are
   * written in one transaction, so a later cut of the log's tail cannot go unnoticed (164.312(c)(1)).
   */
  lock(): void {
    if (!this.vault) return;
    const v = this.vault;
    v.tx(() => {
      this.audit({ action: 'vault.lock', outcome: 'success', subjectType: 'vault', subjectId: null });
      writeCheckpoint(v.db, this.dataDir, v.subkey(CHECKPOINT_KEY_PURPOSE), this.clock.now(), 'lock');
    });
    this.vault.close();
    this.vault = null;
    this.chainKey?.fill(0);
    this.chainKey = null;
  }

  /** The open vault. @throws AppError VAULT_LOCKED | VAULT_NOT_INITIALIZED */
  require(): Vault {
    if (this.vault) return this.vault;
    if (this.state === 'uninitialized') throw new AppError('VAULT_NOT_INITIALIZED', 'ReleaseDesk has not been set up on this computer yet.');
    throw new AppError('VAULT_LOCKED', 'ReleaseDesk is locked. Unlock it with the practice passphrase.');
  }

  /** The signed-in staff member's name, as recorded at setup. */
  actor(): string {
    if (!this.vault) return 'system';
    const row = this.vault.db.prepare("SELECT value FROM settings WHERE key = 'staff'").get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as { name: string }).name : 'system';
  }

  /** Append an audit event now, as the current actor. Call inside the transaction of the change it records. */
  audit(e: Omit<AuditInput, 'at' | 'actor'> & { at?: Date }): number {
    const v = this.require();
    return appendAudit(v.db, this.chainKey!, { at: this.clock.now(), actor: this.actor(), ...e });
  }

  /** The audit chain key (HMAC). */
  auditKey(): Buffer {
    this.require();
    return this.chainKey!;
  }

  /**
   * Run a synchronous change in one transaction together with its audit event.
   * If it throws an AppError, nothing of the change is kept and a `refused`
   * event with the error code is written instead (its own transaction), then the
   * error is rethrown: no refusal goes unlogged.
   */
  audited<T>(action: string, subject: Subject, fn: (v: Vault) => T, detail?: (result: T) => AuditDetail): T {
    const v = this.require();
    try {
      return v.tx(() => {
        const result = fn(v);
        this.audit({ action, outcome: 'success', subjectType: subject.type, subjectId: subject.id, detail: detail?.(result) ?? {} });
        return result;
      });
    } catch (e) {
      this.recordFailure(action, subject, e);
      throw e;
    }
  }

  /** Record a refused (AppError) or failed (anything else) action, PHI-free. */
  recordFailure(action: string, subject: Subject, e: unknown, extra: AuditDetail = {}): void {
    if (!this.vault) return;
    const outcome = isAppError(e) ? 'refused' : 'failure';
    const code = isAppError(e) ? e.code : 'INTERNAL';
    const detail: AuditDetail = { code, ...(isAppError(e) ? (e.detail ?? {}) : {}), ...extra };
    this.vault.tx(() => this.audit({ action, outcome, subjectType: subject.type, subjectId: subject.id, detail }));
    this.logger.warn(action, { outcome, code });
  }

  private attach(v: Vault): void {
    this.vault = v;
    this.chainKey = v.subkey('audit-chain-v1');
  }

  /** Times (ISO) of the wrong passphrases since the last successful unlock, oldest first. */
  private pendingFailures(): string[] {
    const file = join(this.dataDir, PENDING_FAILURES);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { at: string }).at);
  }

  private flushPendingFailures(): void {
    const file = join(this.dataDir, PENDING_FAILURES);
    const times = this.pendingFailures();
    if (times.length === 0) return;
    this.require().tx(() => {
      for (const at of times) {
        appendAudit(this.vault!.db, this.chainKey!, {
          at: new Date(at),
          actor: 'unknown',
          action: 'vault.unlock',
          outcome: 'failure',
          subjectType: 'vault',
          subjectId: null,
          detail: { code: 'WRONG_PASSPHRASE' },
        });
      }
    });
    rmSync(file);
  }
}
