/**
 * The `vault.*` channels: unlock as a staff account (then check the audit log, recover an interrupted send and run
 * the retention purge) and lock. The vault itself (SQLCipher, keying) is vault.ts; the session is session.ts.
 */
import type { AuditService } from '../audit/audit-service';
import type { ReleasesService } from '../releases/releases-service';
import type { RetentionService } from '../retention/service';
import type { Session, UnlockOptions } from '../session';

export interface VaultServiceDeps {
  session: Session;
  audit: AuditService;
  releases: ReleasesService;
  retention: RetentionService;
}

/** See the module comment. */
export class VaultService {
  constructor(private readonly d: VaultServiceDeps) {}

  /**
   * Unlock as a staff account (name, passphrase, MFA code; session.ts), verify the audit log against its checkpoints
   * (a cut tail or rewritten chain is recorded now), recover any send interrupted by a crash (SendWorkflow.recover:
   * unconfirmed or queued again), then purge what the retention policy allows — a purge failure never blocks the
   * unlock (audited and logged as a code).
   * @throws AppError VAULT_NOT_INITIALIZED | WRONG_PASSPHRASE | MFA_REQUIRED | MFA_INVALID | … (Session.unlock lists them)
   */
  async unlock(passphrase: string, opts: UnlockOptions = {}): Promise<void> {
    const { session, audit, releases, retention } = this.d;
    await session.unlock(passphrase, opts);
    await audit.afterUnlock();
    releases.workflow.recover();
    try {
      retention.purge('unlock');
    } catch (e) {
      session.recordFailure('retention.purge', { type: 'retention', id: null }, e, { trigger: 'unlock' });
    }
  }

  /** Lock the vault (the key leaves memory; session.ts). Idempotent. */
  lock(): void {
    this.d.session.lock();
  }
}
