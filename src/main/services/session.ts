import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StaffRoleT } from '../../shared/contract';
import { AppError, isAppError } from '../../shared/errors';
import { getUser, findUserByName, insertUser, type UserRow } from './accounts/users-repo';
import { appendAudit, type AuditDetail, type AuditInput } from './audit/audit';
import { securitySettings } from './settings/settings';
import { CHECKPOINT_KEY_PURPOSE, writeCheckpoint } from './audit/checkpoints';
import type { Clock } from './support/clock';
import { newId } from './support/ids';
import type { Logger } from './support/logger';
import { keyCheckMatches, keyCheckValue } from './vault/kdf';
import { decoyDerivation, KEY_FILE, newVaultKey, readKeyFile, sameName, unwrapVaultKey, wrapVaultKey, writeKeyring, type Keyring, type KeyringEntry } from './vault/keyring';
import { inspectVaultFile, Vault, VAULT_FILE, vaultFileState } from './vault/vault';
import { CHAIN_KEY_PURPOSE, checkSecondFactor, migrateSinglePassphrase, staffSettingName } from './session-sign-in';
import { appendPendingFailure, flushPendingFailures, pendingFailureLines, unlockWaitSeconds } from './unlock-failures';

export { FREE_UNLOCK_ATTEMPTS, MAX_UNLOCK_WAIT_SECONDS, unlockWaitSeconds } from './unlock-failures';

/** The staff member signed in to the vault (issue #11). */
export interface SignedInUser {
  id: string;
  name: string;
  role: StaffRoleT;
}

/** How an unlock names the account and proves the second factor. */
export interface UnlockOptions {
  /** Sign-in name; without it every account's wrapped key is tried (one argon2id derivation each). */
  username?: string;
  /** A TOTP code or a recovery code, required when the account has MFA. */
  code?: string;
}

/**
 * Practice-wide accounts (practice/staff-directory.ts, issue #17): how a person with no account in this vault signs in
 * through the practice staff directory, and what runs after every successful unlock. Set by the services wiring;
 * absent on a workstation that never joined a practice.
 */
export interface PracticeSignIn {
  /**
   * Open this vault's key for a practice-wide account of that name with its passphrase.
   * @returns null when no practice-wide account of that name is known here
   * @throws AppError WRONG_PASSPHRASE (detail.accountId) | PRACTICE_KEY_WRONG
   */
  unwrap(
    username: string,
    passphrase: string,
  ): Promise<{ userId: string; vaultKey: Buffer; confirm(v: Vault): Promise<UserRow>; finish(): Promise<void>; discard(): void } | null>;
  /** After a successful unlock (the passphrase just proved): e.g. make the account practice-wide. Never throws. */
  afterUnlock(user: SignedInUser, passphrase: string): Promise<void>;
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
  private user: SignedInUser | null = null;
  private chainKey: Buffer | null = null;
  private enrollmentDue = false;
  private practice: PracticeSignIn | null = null;

  constructor(
    readonly dataDir: string,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {}

  /** Attach practice-wide sign-in (practice/staff-directory.ts). */
  setPracticeSignIn(p: PracticeSignIn | null): void {
    this.practice = p;
  }

  /** 'uninitialized' | 'locked' | 'unlocked'. */
  get state(): 'uninitialized' | 'locked' | 'unlocked' {
    return this.vault ? 'unlocked' : vaultFileState(this.dataDir);
  }

  /**
   * Create the vault with a random vault key, its first account (an administrator named `admin.name`, default
   * "Administrator") and that account's wrapped key in the keyring (vault.kdf.json), and keep it open as that
   * account. Not audited here: setup audits the whole step.
   * @throws AppError VAULT_ALREADY_INITIALIZED
   */
  async create(passphrase: string, admin: { name: string } = { name: 'Administrator' }): Promise<Vault> {
    if (this.state !== 'uninitialized') throw new AppError('VAULT_ALREADY_INITIALIZED', 'ReleaseDesk is already set up on this computer.');
    const key = newVaultKey();
    try {
      const user: SignedInUser = { id: newId(), name: admin.name.trim(), role: 'administrator' };
      const entry = await wrapVaultKey(key, user, passphrase);
      const v = Vault.createWithKey(this.dataDir, key);
      try {
        v.tx(() => {
          insertUser(v.db, { id: user.id, name: user.name, role: user.role, createdAt: this.clock.now().toISOString(), createdBy: null });
          // The keyring is written last: a crash before it leaves a vault file without key settings (reported as damaged).
          writeKeyring(this.dataDir, { version: 2, keyCheck: keyCheckValue(key), users: [entry] });
        });
      } catch (e) {
        v.close();
        for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KEY_FILE]) rmSync(join(this.dataDir, f), { force: true });
        throw e;
      }
      this.attach(v, user);
    } finally {
      key.fill(0);
    }
    return this.require();
  }

  /**
   * Unlock as one staff account. The account's passphrase unwraps the vault key (vault/keyring.ts); an account with
   * MFA must also give a TOTP code or a one-time recovery code (164.312(d)), checked after the vault is opened with
   * the unwrapped key — a missing code (MFA_REQUIRED) closes it again unaudited, a wrong one (MFA_INVALID) is audited
   * and closes it. A vault made before staff accounts (one practice passphrase) is opened the old way and its
   * passphrase becomes the first administrator's (named as at setup): the vault key stays the same.
   *
   * A failure is recorded in a PHI-free side file (time, code, the id of the account tried or "unknown") and moved
   * into the audit log at the next successful unlock, because the locked vault cannot be written. After
   * {@link FREE_UNLOCK_ATTEMPTS} failures in a row, each further attempt must wait (see {@link unlockWaitSeconds});
   * the count survives restarts and resets at the next successful unlock. Only WRONG_PASSPHRASE and MFA_INVALID
   * count toward the throttle; a damaged or foreign vault file does not.
   * @throws AppError VAULT_NOT_INITIALIZED | WRONG_PASSPHRASE | MFA_REQUIRED | MFA_INVALID | ACCOUNT_INACTIVE |
   *   UNLOCK_THROTTLED (detail.waitSeconds) | VAULT_DAMAGED | VAULT_NOT_A_VAULT
   */
  async unlock(passphrase: string, opts: UnlockOptions = {}): Promise<void> {
    if (this.vault) return;
    const failures = this.pendingFailures();
    const wait = unlockWaitSeconds(failures.length);
    const last = failures.at(-1);
    if (wait > 0 && last) {
      const remaining = Math.ceil((new Date(last).getTime() + wait * 1000 - this.clock.now().getTime()) / 1000);
      if (remaining > 0) {
        this.logger.warn('vault.unlock_throttled', { failures: failures.length, waitSeconds: remaining });
        throw new AppError('UNLOCK_THROTTLED', `Too many failed sign-ins. Wait ${remaining} seconds, then try again.`, { waitSeconds: remaining });
      }
    }
    const tried: { accountId: string | null } = { accountId: null };
    let mfa: 'none' | 'totp' | 'recovery';
    let migrated = false;
    let first: Awaited<ReturnType<PracticeSignIn['unwrap']>> | undefined;
    try {
      if (vaultFileState(this.dataDir) === 'uninitialized') {
        throw new AppError('VAULT_NOT_INITIALIZED', 'ReleaseDesk has not been set up on this computer yet.');
      }
      inspectVaultFile(join(this.dataDir, VAULT_FILE));
      const file = readKeyFile(this.dataDir);
      let v: Vault;
      let user: UserRow;
      if (file.kind === 'legacy') {
        v = await Vault.open(this.dataDir, passphrase);
        try {
          user = await migrateSinglePassphrase(v, this.dataDir, passphrase, this.clock.now());
          migrated = true;
        } catch (e) {
          v.close();
          throw e;
        }
      } else {
        ({ v, user, first } = await this.openWithKeyring(file.keyring, passphrase, opts.username, tried));
      }
      try {
        mfa = checkSecondFactor(v, user, opts.code, this.clock.now());
      } catch (e) {
        first?.discard();
        v.close();
        throw e;
      }
      this.attach(v, { id: user.id, name: user.name, role: user.role });
      // Forced MFA enrollment (164.312(d)): decided once per session, at unlock; cleared when enrollment is confirmed.
      this.enrollmentDue = !user.mfaSecret && securitySettings(v.db).requireMfa;
    } catch (e) {
      if (isAppError(e) && (e.code === 'WRONG_PASSPHRASE' || e.code === 'MFA_INVALID')) {
        const line = { at: this.clock.now().toISOString(), code: e.code, account: tried.accountId, audited: e.code === 'MFA_INVALID' };
        appendPendingFailure(this.dataDir, line);
        this.logger.warn('vault.unlock_failed', { code: e.code });
      } else if (isAppError(e)) {
        // A damaged or foreign vault file is not a guess: it never counts toward the throttle.
        this.logger.warn('vault.unlock_refused', { code: e.code });
      }
      throw e;
    }
    flushPendingFailures(this.dataDir, this.require(), this.chainKey!);
    this.audit({ action: 'vault.unlock', outcome: 'success', subjectType: 'vault', subjectId: null, detail: { mfa, ...(migrated ? { migrated: true } : {}), ...(first ? { firstOnThisWorkstation: true } : {}) } });
    if (first) {
      // Signed in: the local wrap is made now. If it cannot be written, the next sign-in goes through the directory again.
      await first.finish().catch((e: unknown) => this.logger.warn('practice_staff.first_signin_wrap_failed', { code: isAppError(e) ? e.code : 'INTERNAL' }));
    }
    await this.practice?.afterUnlock(this.user!, passphrase);
  }

  /**
   * Find the account's keyring entry (by name, or try each when no name is given), unwrap the vault key, check it
   * against the key check value and open the vault. An unknown name costs one decoy derivation, so timing does not
   * reveal which names exist.
   */
  private async openWithKeyring(
    keyring: Keyring,
    passphrase: string,
    username: string | undefined,
    tried: { accountId: string | null },
  ): Promise<{ v: Vault; user: UserRow; first?: Awaited<ReturnType<PracticeSignIn['unwrap']>> }> {
    const candidates: KeyringEntry[] = username === undefined ? keyring.users : keyring.users.filter((u) => sameName(u.name, username));
    if (candidates.length === 1) tried.accountId = candidates[0]!.userId;
    let key: Buffer | null = null;
    let entry: KeyringEntry | null = null;
    if (candidates.length === 0 && username !== undefined && this.practice) return this.openForPracticeAccount(keyring, username, passphrase, tried);
    if (candidates.length === 0) await decoyDerivation(passphrase);
    for (const c of candidates) {
      key = await unwrapVaultKey(c, passphrase);
      if (key) {
        entry = c;
        break;
      }
    }
    if (!key || !entry) throw new AppError('WRONG_PASSPHRASE', 'That name and passphrase do not unlock this vault.');
    tried.accountId = entry.userId;
    try {
      if (!keyCheckMatches(key, keyring.keyCheck)) {
        throw new AppError('VAULT_DAMAGED', 'The vault is damaged: its key settings file (vault.kdf.json) does not match the vault. ReleaseDesk has not changed it. Restore vault.db and vault.kdf.json together from your backup.');
      }
      const v = Vault.openKeyed(this.dataDir, key);
      const user = getUser(v.db, entry.userId);
      if (!user || !user.active) {
        v.close();
        throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Ask your administrator.');
      }
      return { v, user };
    } finally {
      key.fill(0);
    }
  }

  /**
   * A first sign-in here of a practice-wide account (practice/staff-directory.ts): its passphrase opens this vault's
   * key through the practice key; the vault is opened, the practice server confirms the account (current, not
   * disabled) and its local account is made. A refusal after the vault opened (disabled, server unreachable, …) is
   * audited in the vault as a failed `vault.unlock` before it is closed again; a wrong passphrase is recorded like any
   * other. An unknown name costs one decoy derivation.
   */
  private async openForPracticeAccount(keyring: Keyring, username: string, passphrase: string, tried: { accountId: string | null }): Promise<{ v: Vault; user: UserRow; first: NonNullable<Awaited<ReturnType<PracticeSignIn['unwrap']>>> }> {
    let first: Awaited<ReturnType<PracticeSignIn['unwrap']>>;
    try {
      first = await this.practice!.unwrap(username, passphrase);
    } catch (e) {
      if (isAppError(e) && typeof e.detail?.accountId === 'string') tried.accountId = e.detail.accountId;
      throw e;
    }
    if (!first) {
      await decoyDerivation(passphrase);
      throw new AppError('WRONG_PASSPHRASE', 'That name and passphrase do not unlock this vault.');
    }
    tried.accountId = first.userId;
    if (!keyCheckMatches(first.vaultKey, keyring.keyCheck)) {
      first.discard();
      throw new AppError('VAULT_DAMAGED', 'The vault is damaged: its key settings file (vault.kdf.json) does not match the vault. ReleaseDesk has not changed it. Restore vault.db and vault.kdf.json together from your backup.');
    }
    const v = Vault.openKeyed(this.dataDir, first.vaultKey);
    try {
      const user = await first.confirm(v);
      return { v, user, first };
    } catch (e) {
      first.discard();
      if (!(isAppError(e) && e.code === 'WRONG_PASSPHRASE')) {
        appendAudit(v.db, v.subkey(CHAIN_KEY_PURPOSE), {
          at: this.clock.now(),
          actor: 'unknown',
          actorId: null,
          action: 'vault.unlock',
          outcome: 'failure',
          subjectType: 'vault',
          subjectId: null,
          detail: { code: isAppError(e) ? e.code : 'INTERNAL', accountId: first.userId, firstOnThisWorkstation: true },
        });
      }
      v.close();
      throw e;
    }
  }


  /**
   * Close the vault and forget the key. Idempotent. The `vault.lock` event and a checkpoint of the audit
   * chain head (audit/checkpoints.ts: a vault row and a line in the anchor file beside the vault) are
   * written in one transaction, so a later cut of the log's tail cannot go unnoticed (164.312(c)(1)).
   * @param reason why, when not staff's own Lock: 'preview_tab_gone' (the preview's browser tab stopped answering)
   */
  lock(reason?: 'preview_tab_gone'): void {
    if (!this.vault) return;
    const v = this.vault;
    v.tx(() => {
      this.audit({ action: 'vault.lock', outcome: 'success', subjectType: 'vault', subjectId: null, ...(reason ? { detail: { reason } } : {}) });
      writeCheckpoint(v.db, this.dataDir, v.subkey(CHECKPOINT_KEY_PURPOSE), this.clock.now(), 'lock');
    });
    this.vault.close();
    this.vault = null;
    this.user = null;
    this.enrollmentDue = false;
    this.chainKey?.fill(0);
    this.chainKey = null;
  }

  /** The open vault. @throws AppError VAULT_LOCKED | VAULT_NOT_INITIALIZED */
  require(): Vault {
    if (this.vault) return this.vault;
    if (this.state === 'uninitialized') throw new AppError('VAULT_NOT_INITIALIZED', 'ReleaseDesk has not been set up on this computer yet.');
    throw new AppError('VAULT_LOCKED', 'ReleaseDesk is locked. Sign in with your name and passphrase.');
  }

  /** The signed-in staff member's name ('system' while locked). */
  actor(): string {
    if (!this.vault) return 'system';
    return this.user?.name ?? staffSettingName(this.vault) ?? 'system';
  }

  /**
   * True while the signed-in account must enroll in MFA before anything else: the practice required MFA when it
   * unlocked and it had none. The role layer (rpc/roles.ts) then refuses every channel outside the enrollment ones.
   */
  get mfaEnrollmentDue(): boolean {
    return this.vault !== null && this.enrollmentDue;
  }

  /**
   * What the role layer (rpc/roles.ts) checks before every call: the signed-in account's role as the vault has it now
   * (a role change or deactivation applies at once; role null when the account is no longer active) and whether MFA
   * enrollment is still due. Null while locked.
   */
  access(): { role: StaffRoleT | null; mfaEnrollmentDue: boolean } | null {
    if (!this.vault || !this.user) return null;
    const u = getUser(this.vault.db, this.user.id);
    return { role: u?.active ? u.role : null, mfaEnrollmentDue: this.enrollmentDue };
  }

  /** Enrollment confirmed (accounts/account-service.ts confirmMfa): the session may use every channel its role allows. */
  mfaEnrolled(): void {
    this.enrollmentDue = false;
  }

  /** The signed-in account, or null while locked. */
  currentUser(): SignedInUser | null {
    return this.vault ? this.user : null;
  }

  /**
   * The signed-in account, refreshed from the vault (role changes and deactivation take effect at once).
   * @throws AppError VAULT_LOCKED | ACCOUNT_INACTIVE
   */
  requireUser(): SignedInUser {
    const v = this.require();
    const u = this.user ? getUser(v.db, this.user.id) : null;
    if (!u || !u.active) throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Ask your administrator.');
    this.user = { id: u.id, name: u.name, role: u.role };
    return this.user;
  }

  /** Append an audit event now, as the signed-in account (name and id). Call inside the transaction of the change it records. */
  audit(e: Omit<AuditInput, 'at' | 'actor'> & { at?: Date }): number {
    const v = this.require();
    return appendAudit(v.db, this.chainKey!, { at: this.clock.now(), actor: this.actor(), actorId: this.user?.id ?? null, ...e });
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

  private attach(v: Vault, user: SignedInUser): void {
    this.vault = v;
    this.user = user;
    this.chainKey = v.subkey(CHAIN_KEY_PURPOSE);
    this.enrollmentDue = false;
  }

  /** Times (ISO) of the failed sign-ins since the last successful unlock, oldest first. */
  private pendingFailures(): string[] {
    return pendingFailureLines(this.dataDir).map((l) => l.at);
  }
}

/** HKDF label of the audit chain's HMAC key. */

/** Looks up an account by sign-in name (re-exported for services). */
export { findUserByName };
