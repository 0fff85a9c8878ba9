import type { PracticeStaffViewT, AccountSelfT, MfaEnrollmentT, RecoveryCodesT, SecuritySettingsT, StaffRoleT, StaffAccountT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { Session } from '../session';
import type { StaffDirectory } from '../practice/staff-directory';
import { getSetting, putSetting, securitySettings } from '../settings/settings';
import { passphraseStrength } from '../setup/passphrase';
import { newId } from '../support/ids';
import { camelPick } from '../support/rows';
import { readKeyFile, sameName, unwrapVaultKey, withEntry, withoutUser, wrapVaultKey, writeKeyring, type Keyring } from '../vault/keyring';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpStep, totpUri, verifyTotp } from './totp';
import {
  clearMfa,
  countActive,
  deactivateUser,
  enrollMfa,
  findUserByName,
  getUser,
  insertUser,
  listUsers,
  markPassphraseChanged,
  recoveryCodesLeft,
  setPendingMfaSecret,
  setUserRole,
  type UserRow,
} from './users-repo';

type Account = StaffAccountT;

/** The row as shown: never the MFA secret. */
function view(u: UserRow): Account {
  return { ...camelPick(u, ['id', 'name', 'role', 'active', 'createdAt', 'passphraseChangedAt', 'deactivatedAt']), mfaEnrolled: u.mfaSecret !== null };
}

/**
 * Staff accounts (issue #11): each person signs in with their own name and passphrase, which unwraps the vault key
 * (vault/keyring.ts), so adding, removing or re-keying a person rewrites only the keyring, never the vault
 * (164.312(a)(2)(i) unique user identification; 164.308(a)(3)(ii)(C) termination procedures: a deactivated
 * person's wrapped key is deleted at once). Optional TOTP MFA per person (RFC 6238), required by a practice setting.
 *
 * Every change is audited in the same transaction as the change; the keyring file is rewritten atomically as the
 * last step inside that transaction, so a failed write rolls the change back.
 */
export class AccountService {
  /**
   * @param directory the practice staff directory (practice/staff-directory.ts): on a joined workstation every change
   *   here is also queued for it in the same transaction, and pushed at the next sync
   */
  constructor(
    private readonly session: Session,
    private readonly directory?: Pick<StaffDirectory, 'joined' | 'makeKeys' | 'queueEntry' | 'view'>,
  ) {}

  /** The signed-in account. @throws AppError VAULT_LOCKED | ACCOUNT_INACTIVE */
  me(): AccountSelfT {
    const db = this.session.require().db;
    const u = getUser(db, this.session.requireUser().id)!;
    return { user: view(u), recoveryCodesLeft: recoveryCodesLeft(db, u.id), requireMfa: securitySettings(db).requireMfa };
  }

  /**
   * Whether this session must enroll in MFA before anything else (the practice required MFA when the account unlocked
   * and it had none): the app shows only the enrollment screen, and the role layer refuses every other channel with
   * MFA_ENROLLMENT_REQUIRED (src/main/rpc/roles.ts). Cleared by {@link confirmMfa}. @source 45 CFR 164.312(d)
   */
  mfaEnrollmentDue(): boolean {
    return this.session.mfaEnrollmentDue;
  }

  /** `accounts.practiceStaff`: practice-wide accounts and where they signed in (practice/staff-directory.ts view). */
  practiceStaff(): PracticeStaffViewT {
    if (!this.directory) return { joined: false, asOf: null, accounts: [] };
    return this.directory.view();
  }

  /** Every account (active first). */
  list(): Account[] {
    return listUsers(this.session.require().db).map(view);
  }

  /**
   * Add an account with its first passphrase (typed twice in the UI). Audited `user.create` (id and role).
   * @throws AppError USER_EXISTS (name taken, case-insensitive) | WEAK_PASSPHRASE
   */
  async add(name: string, role: StaffRoleT, passphrase: string): Promise<Account> {
    const v = this.session.require();
    const subject = { type: 'user', id: null };
    const trimmed = name.trim();
    try {
      if (findUserByName(v.db, trimmed)) throw new AppError('USER_EXISTS', 'A staff account with that name already exists. Use a different name (for example add an initial).');
      this.requireStrong(passphrase, trimmed);
    } catch (e) {
      this.session.recordFailure('user.create', subject, e);
      throw e;
    }
    const id = newId();
    const entry = await this.wrap({ id, name: trimmed }, passphrase);
    const practiceKeys = await this.practiceKeysFor(id, passphrase);
    this.session.audited(
      'user.create',
      { type: 'user', id },
      () => {
        insertUser(v.db, { id, name: trimmed, role, createdAt: this.now(), createdBy: this.session.requireUser().id });
        const practiceWide = practiceKeys ? this.directory!.queueEntry(v.db, id, practiceKeys) : false;
        this.saveKeyring(withEntry(this.keyring(), entry));
        return practiceWide;
      },
      (practiceWide) => ({ role, ...(practiceWide ? { practiceWide } : {}) }),
    );
    return view(getUser(v.db, id)!);
  }

  /**
   * Deactivate an account: its wrapped key is removed from the keyring, so its passphrase no longer unlocks the
   * vault; the row stays for the audit log. Audited `user.deactivate`.
   * @throws AppError NOT_FOUND | LAST_ADMINISTRATOR (the last active administrator cannot be deactivated)
   */
  deactivate(userId: string): Account {
    const v = this.session.require();
    this.session.audited('user.deactivate', { type: 'user', id: userId }, () => {
      const u = getUser(v.db, userId);
      if (!u) throw new AppError('NOT_FOUND', 'That staff account does not exist.');
      if (u.active && u.role === 'administrator' && countActive(v.db, 'administrator') <= 1)
        throw new AppError('LAST_ADMINISTRATOR', 'This is the last administrator. Add another administrator before deactivating this one.');
      deactivateUser(v.db, userId, this.now());
      this.directory?.queueEntry(v.db, userId);
      this.saveKeyring(withoutUser(this.keyring(), userId));
    });
    return view(getUser(v.db, userId)!);
  }

  /**
   * Change the role of another staff account (administrator; 164.308(a)(4)(ii)(C) access modification). The new role
   * applies from that person's next sign-in; nothing is re-encrypted. Audited `user.role_change` in the same
   * transaction: the actor (who), the subject account id and its name (whose: a staff name, never PHI) and
   * `from`/`to`. The same role again changes nothing and is not audited. Refusals are audited with their code.
   * @throws AppError NOT_FOUND | ACCOUNT_INACTIVE | ROLE_CHANGE_SELF (your own role: another administrator changes it) |
   *   LAST_ADMINISTRATOR (the last active administrator cannot become another role)
   */
  setRole(userId: string, role: StaffRoleT): Account {
    const v = this.session.require();
    const me = this.session.requireUser();
    const subject = { type: 'user', id: userId };
    const u = getUser(v.db, userId);
    try {
      if (!u) throw new AppError('NOT_FOUND', 'That staff account does not exist.');
      if (u.id === me.id) throw new AppError('ROLE_CHANGE_SELF', 'You cannot change your own role. Ask another administrator to change it.', { to: role });
      if (!u.active) throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Its role cannot be changed.');
    } catch (e) {
      this.session.recordFailure('user.role_change', subject, e);
      throw e;
    }
    if (u.role === role) return view(u);
    this.session.audited(
      'user.role_change',
      subject,
      () => {
        if (u.role === 'administrator' && countActive(v.db, 'administrator') <= 1)
          throw new AppError('LAST_ADMINISTRATOR', 'This is the last administrator. Make another person an administrator first.', { from: u.role, to: role });
        setUserRole(v.db, userId, role);
        this.directory?.queueEntry(v.db, userId);
      },
      () => ({ from: u.role, to: role, accountName: u.name }),
    );
    return view(getUser(v.db, userId)!);
  }

  /**
   * Give an account a new passphrase (administrator; the person forgot theirs), optionally turning its MFA off
   * (lost phone). Audited `user.reset_passphrase` (detail: whether MFA was reset).
   * @throws AppError NOT_FOUND | ACCOUNT_INACTIVE | WEAK_PASSPHRASE
   */
  async resetPassphrase(userId: string, passphrase: string, resetMfa: boolean): Promise<Account> {
    const v = this.session.require();
    const subject = { type: 'user', id: userId };
    const u = getUser(v.db, userId);
    try {
      if (!u) throw new AppError('NOT_FOUND', 'That staff account does not exist.');
      if (!u.active) throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active.');
      this.requireStrong(passphrase, u.name);
    } catch (e) {
      this.session.recordFailure('user.reset_passphrase', subject, e);
      throw e;
    }
    const entry = await this.wrap(u, passphrase);
    const practiceKeys = await this.practiceKeysFor(userId, passphrase);
    this.session.audited(
      'user.reset_passphrase',
      subject,
      () => {
        markPassphraseChanged(v.db, userId, this.now());
        if (resetMfa) clearMfa(v.db, userId);
        if (practiceKeys) this.directory!.queueEntry(v.db, userId, practiceKeys);
        this.saveKeyring(withEntry(this.keyring(), entry));
      },
      () => ({ mfaReset: resetMfa }),
    );
    return view(getUser(v.db, userId)!);
  }

  /**
   * Change your own passphrase: the current one must unwrap your entry. Audited `user.change_passphrase`.
   * @throws AppError WRONG_PASSPHRASE (current passphrase) | WEAK_PASSPHRASE
   */
  async changePassphrase(current: string, next: string): Promise<void> {
    const v = this.session.require();
    const me = this.session.requireUser();
    const subject = { type: 'user', id: me.id };
    try {
      const entry = this.keyring().users.find((x) => x.userId === me.id);
      const key = entry ? await unwrapVaultKey(entry, current) : null;
      if (!key) throw new AppError('WRONG_PASSPHRASE', 'Your current passphrase is not right.');
      key.fill(0);
      this.requireStrong(next, me.name);
    } catch (e) {
      this.session.recordFailure('user.change_passphrase', subject, e);
      throw e;
    }
    const entry = await this.wrap(me, next);
    const practiceKeys = await this.practiceKeysFor(me.id, next);
    this.session.audited('user.change_passphrase', subject, () => {
      markPassphraseChanged(v.db, me.id, this.now());
      if (practiceKeys) this.directory!.queueEntry(v.db, me.id, practiceKeys);
      this.saveKeyring(withEntry(this.keyring(), entry));
    });
  }

  /**
   * Start MFA enrollment for yourself: a new secret, kept pending in the vault until a code confirms it. Audited
   * `user.mfa_start`. @returns the secret (base32, to type by hand) and its otpauth:// URI (for the QR code)
   */
  startMfa(): MfaEnrollmentT {
    const v = this.session.require();
    const me = this.session.requireUser();
    const secret = newTotpSecret();
    this.session.audited('user.mfa_start', { type: 'user', id: me.id }, () => setPendingMfaSecret(v.db, me.id, secret));
    const practice = getSetting(v.db, 'practice')?.name ?? 'practice';
    return { secret, otpauthUri: totpUri(secret, practice, me.name) };
  }

  /**
   * Confirm enrollment with a current code; replaces any earlier MFA secret and recovery codes. Audited
   * `user.mfa_enroll`. @returns 10 one-time recovery codes (shown once; only their SHA-256 is stored)
   * @throws AppError MFA_INVALID (no enrollment started, or the code does not match)
   */
  confirmMfa(code: string): RecoveryCodesT {
    const v = this.session.require();
    const me = this.session.requireUser();
    const subject = { type: 'user', id: me.id };
    const pending = getUser(v.db, me.id)?.mfaPendingSecret ?? null;
    const now = this.session.clock.now();
    const step = pending ? verifyTotp(pending, code, now, null) : null;
    if (!pending || step === null) {
      const e = new AppError('MFA_INVALID', 'That code does not match. Scan the QR code again and type the newest 6-digit code.');
      this.session.recordFailure('user.mfa_enroll', subject, e);
      throw e;
    }
    const codes = newRecoveryCodes();
    this.session.audited(
      'user.mfa_enroll',
      subject,
      () => {
        enrollMfa(v.db, me.id, pending, Math.max(step, totpStep(now)), now.toISOString(), codes.map(hashRecoveryCode));
        this.directory?.queueEntry(v.db, me.id);
      },
      () => ({ recoveryCodes: codes.length, ...(this.session.mfaEnrollmentDue ? { required: true } : {}) }),
    );
    this.session.mfaEnrolled();
    return { recoveryCodes: codes };
  }

  /** The practice's security settings. */
  security(): SecuritySettingsT {
    return securitySettings(this.session.require().db);
  }

  /** Change the security settings (administrator). Audited `settings.change` (keys and new values). */
  setSecurity(next: SecuritySettingsT): SecuritySettingsT {
    return this.session.audited(
      'settings.change',
      { type: 'settings', id: 'security' },
      (v) => {
        putSetting(v.db, 'security', next);
        return next;
      },
      (r) => ({ setting: 'security', requireMfa: r.requireMfa, twoPersonRule: r.twoPersonRule }),
    );
  }

  /**
   * On a joined workstation, a new key pair for the account's practice directory entry, its private key wrapped under
   * `passphrase` (practice/staff-directory.ts makeKeys); undefined when not joined.
   */
  private async practiceKeysFor(userId: string, passphrase: string): Promise<Awaited<ReturnType<StaffDirectory['makeKeys']>> | undefined> {
    if (!this.directory?.joined(this.session.require().db)) return undefined;
    return this.directory.makeKeys(userId, passphrase);
  }

  private requireStrong(passphrase: string, name: string): void {
    const practice = getSetting(this.session.require().db, 'practice')?.name ?? '';
    if (!passphraseStrength(passphrase, [name, practice]).acceptable)
      throw new AppError('WEAK_PASSPHRASE', 'This passphrase is too easy to guess. Use a longer one, for example four or more unrelated words.');
  }

  private async wrap(user: { id: string; name: string }, passphrase: string) {
    const key = this.session.require().vaultKey();
    try {
      return await wrapVaultKey(key, user, passphrase);
    } finally {
      key.fill(0);
    }
  }

  private keyring(): Keyring {
    const f = readKeyFile(this.session.dataDir);
    if (f.kind !== 'keyring') throw new AppError('INTERNAL', 'The vault key settings are not in the staff account format.');
    return f.keyring;
  }

  private saveKeyring(k: Keyring): void {
    writeKeyring(this.session.dataDir, k);
  }

  private now(): string {
    return this.session.clock.now().toISOString();
  }
}

export { sameName };
