/**
 * The `documents.*` channels as one service: record files brought into a release (picked, dropped, a protected PDF
 * unlocked), classified or removed, a request's document saved, and each file compared with the release's patient.
 * The release workflow keeps the state changes (ReleasesService); this service names them as their channels do.
 */
import type { DocumentCategory } from '../../../shared/compliance';
import type { DocumentPatientCheckT, ImportOutcomeT, ReleaseDetailT } from '../../../shared/contract';
import type { ReleasesService } from '../releases/releases-service';
import type { RequestContext } from '../requests/request-context';
import { exportDocument } from '../requests/request-notices';
import type { PatientCheckService } from './patient-check';
import { discardPendingPdf, importFiles, supplyPdfPassword, type ImportContext } from './import';
import type { FilePicker } from './picker';

export interface DocumentsServiceDeps {
  releases: ReleasesService;
  /** The requests' context (documents.export saves a request's vault document where staff choose). */
  requests: RequestContext;
  patientChecks: PatientCheckService;
  filePicker: FilePicker;
  /** Dropped files and protected PDFs (documents/import.ts). */
  importContext: ImportContext;
}

/** See the module comment. */
export class DocumentsService {
  constructor(private readonly d: DocumentsServiceDeps) {}

  /** Import the files staff pick into a draft release (ReleaseService.importPicked; one audit event per file). */
  pick(releaseId: string): Promise<ImportOutcomeT> {
    return this.d.releases.importPicked(releaseId);
  }

  /** Import the files dropped on the window (documents/import.ts importFiles). @throws AppError NOT_FOUND | RELEASE_ALREADY_SENT | VAULT_LOCKED */
  async importDropped(releaseId: string): Promise<ImportOutcomeT> {
    return importFiles(this.d.importContext, releaseId, (await this.d.filePicker.takeDropped?.()) ?? []);
  }

  /** Open a password-protected PDF with the password staff typed (used once, never stored; documents/import.ts). */
  unlockPdf(releaseId: string, passwordRequestId: string, password: string): Promise<ImportOutcomeT> {
    return supplyPdfPassword(this.d.importContext, releaseId, passwordRequestId, password);
  }

  /** Forget a protected PDF waiting for its password. */
  discardPending(passwordRequestId: string): void {
    discardPendingPdf(this.d.importContext, passwordRequestId);
  }

  /** Take a document out of a draft release (audited). */
  remove(releaseId: string, documentId: string): Promise<ReleaseDetailT> {
    return this.d.releases.removeDocument(releaseId, documentId);
  }

  /** Set each document's category and date of service (audited `document.classify`, count only). */
  classify(
    releaseId: string,
    items: Array<{ documentId: string; category: DocumentCategory; documentDate: string; alsoCategories?: DocumentCategory[] | undefined }>,
  ): Promise<ReleaseDetailT> {
    return this.d.releases.classify(releaseId, items);
  }

  /** Save a request's vault document (a notice, a form) where staff choose (requests/request-notices.ts exportDocument). */
  export(documentId: string): Promise<{ saved: boolean }> {
    return exportDocument(this.d.requests, documentId);
  }

  /** Compare every record file of the release with its patient (patient-check.ts). */
  checkPatient(releaseId: string): Promise<{ checks: DocumentPatientCheckT[] }> {
    return this.d.patientChecks.checkRelease(releaseId);
  }

  /** Staff confirm a file belongs to the patient despite a mismatch, with a reason (audited). */
  confirmPatient(releaseId: string, documentId: string, reason: string): { checks: DocumentPatientCheckT[] } {
    return this.d.patientChecks.confirm(releaseId, documentId, reason);
  }

  /** A privacy officer approves or declines staff's confirmation of a file that shows another patient (patient-check.ts decideConfirmation). */
  decidePatientConfirm(releaseId: string, documentId: string, decision: 'approve' | 'decline'): { checks: DocumentPatientCheckT[] } {
    return this.d.patientChecks.decideConfirmation(releaseId, documentId, decision);
  }

  /** One page of a record file as an image, for the side-by-side check (patient-check.ts previewPage). */
  previewPage(releaseId: string, documentId: string, page: number, width: number) {
    return this.d.patientChecks.previewPage(releaseId, documentId, page, width);
  }
}
