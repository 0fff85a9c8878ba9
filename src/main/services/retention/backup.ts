/**
 * Backup and restore of the encrypted vault (45 CFR 164.308(a)(7)(ii)(A) data backup plan, (B) disaster recovery).
 *
 * A backup is a folder `releasedesk-backup-<UTC stamp>` holding what the vault needs to open and verify itself:
 * `vault.db` (an encrypted copy made with `VACUUM INTO` while the vault is open — same key, same cipher),
 * `vault.kdf.json` (the passphrase's key-derivation parameters; no secret) and `audit-checkpoints.jsonl` (the audit
 * chain's checkpoint anchor; numbers and hashes). Nothing in it is readable without the practice passphrase.
 *
 * A backup counts only once verified: the copy is opened read-only with the key and its audit chain and
 * checkpoints are recomputed (audit/chain.ts). Restore goes only into an empty data folder, never over a vault.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, isAppError } from '../../../shared/errors';
import { verifyChain } from '../audit/chain';
import { countRequestsAndReleases } from './repo';
import { ANCHOR_FILE, CHECKPOINT_KEY_PURPOSE } from '../audit/checkpoints';
import { KDF_FILE, VAULT_FILE, Vault, type VaultCopy } from '../vault/vault';

/** Files a backup holds (the anchor file only once a checkpoint exists). */
export const BACKUP_FILES = [VAULT_FILE, KDF_FILE, ANCHOR_FILE] as const;

/** Files whose presence makes a data folder "not empty" for a restore. */
const VAULT_FILES = [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KDF_FILE, ANCHOR_FILE];

/** Result of verifying a vault copy. */
export interface CopyVerification {
  intact: boolean;
  eventsVerified: number;
  requests: number;
  releases: number;
}

/**
 * Recompute a copy's audit chain and checkpoints (against the anchor file in `dir`) and count what it holds.
 * @param copy the copy opened read-only
 */
export function verifyCopy(copy: VaultCopy, dir: string): CopyVerification {
  const v = verifyChain(copy.db, copy.subkey('audit-chain-v1'), copy.subkey(CHECKPOINT_KEY_PURPOSE), dir);
  return { intact: v.intact, eventsVerified: v.checked, ...countRequestsAndReleases(copy.db) };
}

/** A new, unused backup folder inside `parent`, named by the UTC time (no PHI). */
export function newBackupFolder(parent: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:]/g, '').replace(/\..*$/, 'Z');
  for (let i = 0; ; i++) {
    const dir = join(parent, `releasedesk-backup-${stamp}${i ? `-${i}` : ''}`);
    if (!existsSync(dir)) {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    }
  }
}

/**
 * Write the vault copy and its companion files into `dir` (an empty folder), then verify the copy.
 * Call after a checkpoint of the chain head was written (so the copied anchor covers the copy's last event).
 * @returns bytes written and the verification
 * @throws AppError BACKUP_FAILED (could not write; the folder is removed) | BACKUP_INVALID (copy does not verify)
 */
export function writeBackup(vault: Vault, dataDir: string, dir: string): CopyVerification & { bytes: number } {
  try {
    vault.copyTo(join(dir, VAULT_FILE));
    copyFileSync(join(dataDir, KDF_FILE), join(dir, KDF_FILE));
    if (existsSync(join(dataDir, ANCHOR_FILE))) copyFileSync(join(dataDir, ANCHOR_FILE), join(dir, ANCHOR_FILE));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    if (isAppError(e)) throw e;
    throw new AppError('BACKUP_FAILED', 'The backup could not be written to that folder. Check that it is writable and has space.');
  }
  const copy = vault.openCopy(dir);
  let result: CopyVerification;
  try {
    result = verifyCopy(copy, dir);
  } finally {
    copy.close();
  }
  if (!result.intact) {
    rmSync(dir, { recursive: true, force: true });
    throw new AppError('BACKUP_INVALID', 'The backup copy did not verify; nothing was kept. Try again.');
  }
  const bytes = BACKUP_FILES.reduce((n, f) => n + (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0), 0);
  return { ...result, bytes };
}

/**
 * True when `dataDir` holds no vault file (it may hold logs). A restore writes only into such a folder.
 */
export function isEmptyDataFolder(dataDir: string): boolean {
  if (!existsSync(dataDir)) return true;
  const present = new Set(readdirSync(dataDir));
  return VAULT_FILES.every((f) => !present.has(f));
}

/**
 * Check a backup folder with the passphrase (chain and checkpoints verified) and copy it into the empty `dataDir`.
 * Files are copied under temporary names and renamed, the KDF file last (a vault without it counts as not set up,
 * so an interrupted restore can be retried).
 * @throws AppError RESTORE_TARGET_NOT_EMPTY | BACKUP_NOT_FOUND | WRONG_PASSPHRASE | BACKUP_INVALID
 */
export async function restoreBackup(source: string, dataDir: string, passphrase: string): Promise<CopyVerification> {
  if (!isEmptyDataFolder(dataDir)) throw new AppError('RESTORE_TARGET_NOT_EMPTY', 'ReleaseDesk already has a vault on this computer; a backup is restored only into an empty data folder.');
  const copy = await Vault.openReadOnly(source, passphrase);
  let result: CopyVerification;
  try {
    result = verifyCopy(copy, source);
  } finally {
    copy.close();
  }
  if (!result.intact) throw new AppError('BACKUP_INVALID', 'This backup does not verify (its audit log or checkpoints differ); it was not restored.');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const f of [VAULT_FILE, ANCHOR_FILE, KDF_FILE]) {
    if (!existsSync(join(source, f))) continue;
    const tmp = join(dataDir, `${f}.restoring`);
    copyFileSync(join(source, f), tmp);
    renameSync(tmp, join(dataDir, f));
  }
  return result;
}
