/**
 * One person, two practice-wide accounts: following the setup instructions, each workstation's first administrator
 * is made with the same name and passphrase, and each becomes a practice-wide account of its own when its workstation
 * joins. Termination must still reach the person everywhere (45 CFR 164.308(a)(3)(ii)(C)): when the directory says
 * an account is disabled and this vault has an ACTIVE practice-wide account of the same name (not the same id), that
 * account is deactivated too — here, and on the server through the directory's queue (so every other workstation
 * follows) — audited `practice_staff.apply` with `sameNameAs`. And a first sign-in through the directory never
 * collides with a local account of the same name: it is refused in plain words instead.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../../../shared/errors';
import { deactivateUser, findUserByName, getUser } from '../accounts/users-repo';
import type { Session } from '../session';
import { readKeyFile, withoutUser, writeKeyring } from '../vault/keyring';
import type { StaffEntry } from './staff-repo';
import { practiceStaffLocalOf } from './staff-vault-repo';

/**
 * Deactivate this vault's practice-wide account that has the same name as the disabled directory entry `e` (see the
 * module comment); its sign-in wrap is removed from the keyring.
 * @param queueEntry the directory's queue (staff-directory.ts queueEntry), called in the same transaction
 * @returns true when an account was deactivated
 */
export function deactivateSameNameTwin(session: Session, e: StaffEntry, queueEntry: (db: Database, userId: string) => boolean, at: string): boolean {
  if (!e.disabled) return false;
  const v = session.require();
  const twin = findUserByName(v.db, e.record.name);
  if (!twin || twin.id === e.userId || !twin.active || !practiceStaffLocalOf(v.db, twin.id)) return false;
  session.audited(
    'practice_staff.apply',
    { type: 'user', id: twin.id },
    (vault) => {
      deactivateUser(vault.db, twin.id, at);
      queueEntry(vault.db, twin.id);
      const f = readKeyFile(session.dataDir);
      if (f.kind === 'keyring' && f.keyring.users.some((x) => x.userId === twin.id)) writeKeyring(session.dataDir, withoutUser(f.keyring, twin.id));
    },
    () => ({ accountName: twin.name, active: false, sameNameAs: e.userId }),
  );
  return true;
}

/**
 * Before a practice-wide account `userId` is made (or refreshed) in this vault through the directory: refuse when this
 * vault has it deactivated, or has a local account of the same name but another id (its wrap is gone or its
 * passphrase differs, which is why the directory was asked).
 * @throws AppError ACCOUNT_INACTIVE (that local account is deactivated) | WRONG_PASSPHRASE (it is active: the
 *   passphrase given is not its own)
 */
export function refuseSameNameLocal(db: Database, userId: string, name: string): void {
  // Deactivated here (by an administrator, or as a twin) while the server has not heard yet: deactivation is final.
  if (getUser(db, userId)?.active === false) throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Ask your administrator.');
  const local = findUserByName(db, name);
  if (!local || local.id === userId) return;
  if (!local.active) throw new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Ask your administrator.');
  throw new AppError('WRONG_PASSPHRASE', 'That name and passphrase do not unlock this vault.');
}
