/**
 * Sign-in steps the session runs on an opened vault (session.ts unlock): the second factor, and turning a vault from
 * before staff accounts into a keyring. Each writes its audit event in the vault it was given.
 * Source: 45 CFR 164.312(d) (person or entity authentication), 164.312(b) (audit controls).
 */
import { AppError } from '../../shared/errors';
import { getUser, insertUser, listUsers, setMfaLastStep, useRecoveryCode, type UserRow } from './accounts/users-repo';
import { hashRecoveryCode, looksLikeRecoveryCode, verifyTotp } from './accounts/totp';
import { appendAudit } from './audit/audit';
import { readSettingJson } from './settings/repo';
import { newId } from './support/ids';
import { keyCheckValue } from './vault/kdf';
import { withEntry, wrapVaultKey, writeKeyring } from './vault/keyring';
import type { Vault } from './vault/vault';

/** The vault subkey purpose of the audit chain's HMAC key. */
export const CHAIN_KEY_PURPOSE = 'audit-chain-v1';

/**
 * The second factor (RFC 6238 TOTP, ±1 step, no replay; or a one-time recovery code) for an account with MFA.
 * A wrong code is audited in the open vault before it is closed again.
 * @returns how the account proved it ('none' without MFA)
 * @throws AppError MFA_REQUIRED | MFA_INVALID
 */
export function checkSecondFactor(v: Vault, user: UserRow, code: string | undefined, now: Date): 'none' | 'totp' | 'recovery' {
  if (!user.mfaSecret) return 'none';
  if (!code) throw new AppError('MFA_REQUIRED', 'Enter the 6-digit code from your authenticator app, or a recovery code.');
  let how: 'totp' | 'recovery' | null = null;
  v.tx(() => {
    if (looksLikeRecoveryCode(code)) {
      if (useRecoveryCode(v.db, user.id, hashRecoveryCode(code), now.toISOString())) how = 'recovery';
    } else {
      const step = verifyTotp(user.mfaSecret!, code, now, user.mfaLastStep);
      if (step !== null) {
        setMfaLastStep(v.db, user.id, step);
        how = 'totp';
      }
    }
    if (!how) {
      appendAudit(v.db, v.subkey(CHAIN_KEY_PURPOSE), {
        at: now,
        actor: user.name,
        actorId: null,
        action: 'vault.unlock',
        outcome: 'failure',
        subjectType: 'vault',
        subjectId: null,
        detail: { code: 'MFA_INVALID', accountId: user.id },
      });
    }
  });
  if (!how) throw new AppError('MFA_INVALID', 'That code is not valid (or was already used). Check the time on your phone and try the newest code.');
  return how;
}

/**
 * Turn a single-passphrase vault (before staff accounts) into a keyring: the person set up at setup becomes the
 * first administrator, and the practice passphrase now unwraps the same vault key (no re-encryption; every subkey
 * and the audit chain stay valid). Audited `user.migrate` in the same transaction as the keyring write.
 */
export async function migrateSinglePassphrase(v: Vault, dataDir: string, passphrase: string, at: Date): Promise<UserRow> {
  const existing = listUsers(v.db).find((u) => u.active && u.role === 'administrator');
  const name = existing?.name ?? staffSettingName(v) ?? 'Administrator';
  const id = existing?.id ?? newId();
  const key = v.vaultKey();
  try {
    const entry = await wrapVaultKey(key, { id, name }, passphrase);
    v.tx(() => {
      if (!existing) insertUser(v.db, { id, name, role: 'administrator', createdAt: at.toISOString(), createdBy: null });
      appendAudit(v.db, v.subkey(CHAIN_KEY_PURPOSE), {
        at,
        actor: name,
        actorId: id,
        action: 'user.migrate',
        outcome: 'success',
        subjectType: 'user',
        subjectId: id,
        detail: { role: 'administrator' },
      });
      writeKeyring(dataDir, withEntry({ version: 2, keyCheck: keyCheckValue(key), users: [] }, entry));
    });
  } finally {
    key.fill(0);
  }
  return getUser(v.db, id)!;
}

/** The name given at setup to the person who set the vault up (before staff accounts), if any. */
export function staffSettingName(v: Vault): string | null {
  const json = readSettingJson(v.db, 'staff');
  return json !== undefined ? (JSON.parse(json) as { name: string }).name : null;
}
