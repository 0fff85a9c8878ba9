/**
 * Retention, legal holds, the purge and backups, as a privacy officer would run them.
 * Every change is audited in the same transaction; audit details carry kinds, counts and ids only (no PHI).
 */
import type { RetentionViewT, PlaceHoldInputT, BackupResultT, RestoreResultT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { writeCheckpoint, CHECKPOINT_KEY_PURPOSE } from '../audit/checkpoints';
import { localDate, daysBetween } from '../compliance/dates';
import type { FolderPicker } from '../documents/folder-picker';
import type { Session } from '../session';
import { getSetting, putSetting, requireSetting } from '../settings/settings';
import { newBackupFolder, restoreBackup, writeBackup } from './backup';
import { assertPolicy, DEFAULT_RETENTION, type RetentionPolicyT } from './policy';
import { roleMayCall } from '../../../shared/roles';
import { applyPurge, compactVault, planPurge, planSize, type PurgeResultT } from './purge';
import { enableSecureDelete, insertHold, listActiveHolds, releaseHold } from './repo';

export interface RetentionDeps {
  session: Session;
  /** Where backups go and where a restore reads from (Electron: a folder dialog). Without it: EXPORT_UNAVAILABLE. */
  folderPicker?: FolderPicker;
}

export class RetentionService {
  constructor(private readonly d: RetentionDeps) {}

  private get session(): Session {
    return this.d.session;
  }
  /**
   * Whether the signed-in role may change retention, holds and purge, for the screen (`canChange`). The refusal itself
   * is the role layer's (src/main/rpc/roles.ts, ROLE_NOT_PERMITTED), from the same table (src/shared/roles.ts).
   */
  private mayChange(): boolean {
    return roleMayCall(this.session.access()?.role, 'retention.setPolicy');
  }

  /** The policy in force (defaults until saved). @throws AppError VAULT_LOCKED */
  policy(): RetentionPolicyT {
    return getSetting(this.session.require().db, 'retention') ?? DEFAULT_RETENTION;
  }

  /** Last verified backup time (ISO) or null. */
  lastBackupAt(): string | null {
    return getSetting(this.session.require().db, 'backup')?.lastBackupAt ?? null;
  }

  /** True when no backup was made yet or the last one is older than the policy's reminder (calendar days, practice zone). */
  backupDue(): boolean {
    const last = this.lastBackupAt();
    if (!last) return true;
    const tz = requireSetting(this.session.require().db, 'practice').timeZone;
    return daysBetween(localDate(last, tz), localDate(this.session.clock.now(), tz)) > this.policy().backupReminderDays;
  }

  /** Policy, holds, last purge and backup. @throws AppError VAULT_LOCKED */
  get(): RetentionViewT {
    const db = this.session.require().db;
    return {
      policy: this.policy(),
      policySet: getSetting(db, 'retention') !== null,
      canChange: this.mayChange(),
      holds: listActiveHolds(db),
      lastPurge: getSetting(db, 'lastPurge'),
      lastBackupAt: this.lastBackupAt(),
      backupDue: this.backupDue(),
    };
  }

  /**
   * Save the retention policy. Audited `retention.policy_change` (the numbers; no PHI).
   * @throws AppError RETENTION_TOO_SHORT (documentation or audit below 6 years, 164.530(j)(2))
   */
  setPolicy(policy: RetentionPolicyT): RetentionViewT {
    const subject = { type: 'setting', id: 'retention' };
    this.session.audited(
      'retention.policy_change',
      subject,
      (v) => {
        assertPolicy(policy);
        putSetting(v.db, 'retention', policy);
      },
      () => ({
        documentationYears: policy.documentationYears,
        recordFileDays: policy.recordFileDays ?? 'kept',
        auditYears: policy.auditYears,
        backupReminderDays: policy.backupReminderDays,
      }),
    );
    return this.get();
  }

  /**
   * Place a legal hold on a patient (MRN) or a request (reference): nothing it covers is purged until released.
   * Audited `retention.hold_place` (scope and hold id; never the reason, MRN or name).
   * @throws AppError NOT_FOUND
   */
  placeHold(input: PlaceHoldInputT): RetentionViewT {
    const subject = { type: 'legal_hold', id: null };
    this.session.audited(
      'retention.hold_place',
      subject,
      (v) =>
        insertHold(
          v.db,
          input.scope === 'patient' ? { scope: 'patient', mrn: input.mrn! } : { scope: 'request', requestReference: input.requestReference! },
          input.reason,
          this.session.actor(),
          this.session.clock.now(),
        ),
      (id) => ({ scope: input.scope, holdId: id }),
    );
    return this.get();
  }

  /** Release an active hold (kept as released). Audited `retention.hold_release`. @throws AppError NOT_FOUND */
  releaseHold(holdId: string): RetentionViewT {
    const subject = { type: 'legal_hold', id: holdId };
    this.session.audited('retention.hold_release', subject, (v) => releaseHold(v.db, holdId, this.session.actor(), this.session.clock.now()), (r) => ({ scope: r.scope }));
    return this.get();
  }

  /**
   * Purge what has expired today (practice time zone) under the policy and no hold. Removal and the audit event
   * `retention.purge` (kinds, counts, bytes, trigger) are one transaction; then the file is compacted (VACUUM, WAL
   * truncated) so the bytes are gone from disk. At unlock nothing is audited when nothing expired.
   * @param trigger 'unlock' (automatic) or 'staff' (Purge now; the channel is for privacy officers and administrators, src/shared/roles.ts)
   * @throws AppError VAULT_LOCKED
   */
  purge(trigger: 'unlock' | 'staff'): PurgeResultT {
    const v = this.session.require();
    const subject = { type: 'retention', id: null };
    const tz = requireSetting(v.db, 'practice').timeZone;
    const now = this.session.clock.now();
    const policySet = getSetting(v.db, 'retention') !== null;
    const plan = policySet ? planPurge(v.db, this.policy(), localDate(now, tz), tz) : { recordFiles: [], documentation: [], packets: [], outboxMessages: [], heldBack: 0 };
    if (trigger === 'unlock' && planSize(plan) === 0) return applyPurge(v.db, plan, now);
    enableSecureDelete(v.db);
    const result = this.session.audited(
      'retention.purge',
      subject,
      (vault) => {
        const r = applyPurge(vault.db, plan, now);
        putSetting(vault.db, 'lastPurge', r);
        return r;
      },
      (r) => ({ trigger, policySet, recordFiles: r.recordFiles, documentation: r.documentation, packets: r.packets, outboxMessages: r.outboxMessages, bytes: r.bytes, heldBack: r.heldBack }),
    );
    if (planSize(plan) > 0) compactVault(v.db);
    return result;
  }

  /**
   * Back up the open vault into a folder staff choose: a checkpoint of the audit chain, an encrypted copy
   * (VACUUM INTO) with its key-derivation and checkpoint files, then the copy opened and its chain verified.
   * Audited `vault.backup` (bytes, events verified; no path). Cancelled: nothing written or recorded.
   * @throws AppError EXPORT_UNAVAILABLE | BACKUP_FAILED | BACKUP_INVALID | VAULT_LOCKED
   * @source 45 CFR 164.308(a)(7)(ii)(A) data backup plan
   */
  async backup(): Promise<BackupResultT> {
    const v = this.session.require();
    const subject = { type: 'vault', id: null };
    if (!this.d.folderPicker) {
      const e = new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
      this.session.recordFailure('vault.backup', subject, e);
      throw e;
    }
    const parent = await this.d.folderPicker.chooseFolder('backup');
    if (!parent) return { saved: false, folder: null, bytes: 0, eventsVerified: 0, at: null };
    const vault = this.session.require(); // still unlocked after the dialog?
    if (vault !== v) throw new AppError('VAULT_LOCKED', 'ReleaseDesk locked while the folder was chosen. Unlock and try again.');
    const at = this.session.clock.now();
    try {
      let dir = '';
      try {
        dir = newBackupFolder(parent, at);
      } catch {
        throw new AppError('BACKUP_FAILED', 'The backup could not be written to that folder. Check that it is writable and has space.');
      }
      vault.tx(() => writeCheckpoint(vault.db, this.session.dataDir, vault.subkey(CHECKPOINT_KEY_PURPOSE), at, 'manual'));
      const r = writeBackup(vault, this.session.dataDir, dir);
      this.session.audited(
        'vault.backup',
        subject,
        (x) => putSetting(x.db, 'backup', { lastBackupAt: at.toISOString(), bytes: r.bytes }),
        () => ({ bytes: r.bytes, eventsVerified: r.eventsVerified, requests: r.requests, releases: r.releases }),
      );
      return { saved: true, folder: dir, bytes: r.bytes, eventsVerified: r.eventsVerified, at: at.toISOString() };
    } catch (e) {
      this.session.recordFailure('vault.backup', subject, e);
      throw isAppError(e) ? e : new AppError('BACKUP_FAILED', 'The backup could not be made. Nothing was kept.');
    }
  }

  /**
   * Restore a backup folder staff choose into this computer's empty data folder, verified first with the
   * passphrase; then unlock it (via `unlock`) and audit `vault.restore` in the restored vault (counts only).
   * @throws AppError RESTORE_TARGET_NOT_EMPTY | EXPORT_UNAVAILABLE | BACKUP_NOT_FOUND | WRONG_PASSPHRASE | BACKUP_INVALID
   */
  async restore(passphrase: string, unlock: (passphrase: string) => Promise<void>): Promise<RestoreResultT> {
    if (this.session.state !== 'uninitialized') {
      throw new AppError('RESTORE_TARGET_NOT_EMPTY', 'ReleaseDesk already has a vault on this computer; a backup is restored only into an empty data folder.');
    }
    if (!this.d.folderPicker) throw new AppError('EXPORT_UNAVAILABLE', 'Choosing a folder is not available here.');
    const source = await this.d.folderPicker.chooseFolder('restore');
    if (!source) return { restored: false, requests: 0, releases: 0, eventsVerified: 0 };
    const r = await restoreBackup(source, this.session.dataDir, passphrase);
    await unlock(passphrase);
    this.session.audited('vault.restore', { type: 'vault', id: null }, () => r, (x) => ({ requests: x.requests, releases: x.releases, eventsVerified: x.eventsVerified }));
    return { restored: true, requests: r.requests, releases: r.releases, eventsVerified: r.eventsVerified };
  }
}
