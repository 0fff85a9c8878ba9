/**
 * The `backup.*` channels: an encrypted backup of the vault into a folder staff choose, and the restore of one into
 * an empty data folder (then unlocked like a normal unlock). The work is RetentionService's (retention/service.ts).
 */
import type { BackupResultT, RestoreResultT } from '../../../shared/contract';
import type { VaultService } from '../vault/vault-service';
import type { RetentionService } from './service';

/** See the module comment. */
export class BackupService {
  constructor(private readonly d: { retention: RetentionService; vault: VaultService }) {}

  /** Back up the vault now (RetentionService.backup; audited). @throws AppError EXPORT_UNAVAILABLE | BACKUP_FAILED | BACKUP_INVALID | VAULT_LOCKED */
  create(): Promise<BackupResultT> {
    return this.d.retention.backup();
  }

  /**
   * Restore a backup into the empty data folder (before setup), then unlock it like a normal unlock (VaultService.unlock).
   * @throws AppError RESTORE_TARGET_NOT_EMPTY | EXPORT_UNAVAILABLE | BACKUP_NOT_FOUND | WRONG_PASSPHRASE | BACKUP_INVALID
   */
  restore(passphrase: string): Promise<RestoreResultT> {
    return this.d.retention.restore(passphrase, (p) => this.d.vault.unlock(p));
  }
}
