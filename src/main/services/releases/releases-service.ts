/**
 * The `releases.*` channels as one service: the release workflow and its delivery methods (ReleaseDeliveryService),
 * plus the outbox, the password PDF's passphrase, the delivery-failure notice, the two-person approval and the
 * recipient's S/MIME certificate — each a method named as its channel, returning domain types.
 */
import type { FailureNoticeT, OutboxEntryT, ReleaseDetailT, ReleaseEvaluationT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { approveRelease } from '../accounts/approvals';
import type { FileSaver } from '../documents/saver';
import { ReleaseDeliveryService, type ReleaseDeliveryDeps } from './delivery-service';
import { saveFailureNotice } from './failure-notice';

export interface ReleasesServiceDeps extends ReleaseDeliveryDeps {
  /** Where a delivery-failure notice is saved (Electron: a save dialog). Without it, failureNotice answers EXPORT_UNAVAILABLE. */
  fileSaver?: FileSaver | undefined;
}

/** See the module comment. */
export class ReleasesService extends ReleaseDeliveryService {
  constructor(protected override readonly d: ReleasesServiceDeps) {
    super(d);
  }

  /** The outbox: every release waiting, being sent, unconfirmed, failed, partly sent or bounced, most urgent first (SendWorkflow.outbox). */
  outbox(): OutboxEntryT[] {
    return this.workflow.outbox();
  }

  /** A password PDF's passphrase again, until staff gave it (audited; SendWorkflow.revealPassphrase). @throws AppError NOT_FOUND | VAULT_LOCKED */
  revealPassphrase(releaseId: string): { passphrase: string; staffInstructions: string } {
    return this.workflow.revealPassphrase(releaseId);
  }

  /** Staff gave the passphrase to the recipient: it is erased from the vault (audited; SendWorkflow.passphraseGiven). */
  passphraseGiven(releaseId: string): void {
    this.workflow.passphraseGiven(releaseId);
  }

  /**
   * The PHI-free delivery-failure notice of a bounced or failed release, offered to save (failure-notice.ts).
   * Audited as `release.failure_notice`. @throws AppError STATUS_TRANSITION_INVALID | EXPORT_UNAVAILABLE | VAULT_LOCKED
   */
  failureNotice(releaseId: string): Promise<FailureNoticeT> {
    return saveFailureNotice({ session: this.session, assetsRoot: this.d.assetsRoot, fileSaver: this.d.fileSaver }, releaseId);
  }

  /**
   * Approve a third-party release under the two-person rule (accounts/approvals.ts), then the gate's evaluation.
   * @throws AppError APPROVAL_NOT_NEEDED | APPROVAL_NOT_PERMITTED | VAULT_LOCKED
   */
  async approve(releaseId: string): Promise<ReleaseEvaluationT> {
    approveRelease(this.session, releaseId);
    return this.evaluate(releaseId);
  }

  /** Import the recipient's S/MIME certificate (smime/service.ts, RFC 8551), then the release. @throws AppError CERT_* | VAULT_LOCKED */
  async importRecipientCertificate(releaseId: string, certificate: string): Promise<ReleaseDetailT> {
    await this.smime().importRecipientCertificate(releaseId, certificate);
    return this.detail(releaseId);
  }

  /** Confirm the recipient's S/MIME certificate by its fingerprint (smime/service.ts), then the release. @throws AppError CERT_* | VAULT_LOCKED */
  async confirmRecipientCertificate(
    releaseId: string,
    fingerprint: string,
    opts: { acceptUntrusted: boolean; acceptRevocationUnknown: boolean; modernAlgorithms: boolean },
  ): Promise<ReleaseDetailT> {
    await this.smime().confirmRecipientCertificate(releaseId, fingerprint, opts.acceptUntrusted, opts.acceptRevocationUnknown, opts.modernAlgorithms);
    return this.detail(releaseId);
  }

  private smime() {
    if (!this.d.smime) throw new AppError('INTERNAL', 'S/MIME is not configured.');
    return this.d.smime;
  }
}
