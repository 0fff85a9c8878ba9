/** The `documents.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { DocumentCategory } from '../compliance';
import { paragraph } from '../text-rules';
import { Id, IsoDate, ByRelease } from '../schemas/common';
import { DocumentSummary, DocumentPatientCheck, ImportRejection, ImportOutcome } from '../schemas/documents';
import { ReleaseDetail } from '../schemas/releases';
import { RECORD_FILES, type ChannelMap } from './spec';

export const documentsChannels = {
  /**
   * Import files the user picks. In Electron main opens the native file dialog;
   * in the preview the bridge uploads the chosen files to the host's in-memory
   * staging area first. Either way the bytes go straight into the vault.
   */
  'documents.pick': {
    input: ByRelease,
    files: { accept: RECORD_FILES },
    output: z.object({
      imported: z.array(DocumentSummary),
      rejected: z.array(ImportRejection),
    }),
  },
  'documents.remove': { input: z.object({ releaseId: Id, documentId: Id }).strict(), output: ReleaseDetail },
  /** Set each document's category and date of service (audited). */
  'documents.classify': {
    input: z
      .object({
        releaseId: Id,
        items: z
          .array(
            z
              .object({
                documentId: Id,
                category: DocumentCategory,
                documentDate: IsoDate,
                /** Further categories a combined file contains (default none). */
                alsoCategories: z.array(DocumentCategory).max(12).default([]),
              })
              .strict(),
          )
          .min(1)
          .max(500),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /** Save a vault document (extension notice, authorization form) where staff choose; in Electron a save dialog. */
  'documents.export': { input: z.object({ documentId: Id }).strict(), output: z.object({ saved: z.boolean() }) },
  /**
   * Compare each record file of the release with the release's patient (name, date of birth, MRN; text layer only,
   * no OCR). Files already checked are not read again. Audited (counts only).
   */
  'documents.checkPatient': { input: ByRelease, output: z.object({ checks: z.array(DocumentPatientCheck) }) },
  /**
   * Staff looked at a flagged file and confirm it belongs in this release, with a reason (audited; the reason stays
   * in the vault, the audit detail has ids only). Refused with PATIENT_CHECK_PENDING before the check has run. For a
   * file that shows another patient on every identifier, front desk's confirmation is a request: the file waits for
   * a privacy officer (documents.decidePatientConfirm); an officer's or administrator's own confirmation approves it.
   */
  'documents.confirmPatient': {
    input: z.object({ releaseId: Id, documentId: Id, reason: paragraph(1000, 10) }).strict(),
    output: z.object({ checks: z.array(DocumentPatientCheck) }),
  },
  /**
   * A privacy officer (or administrator) approves or declines staff's confirmation of a file that shows another
   * patient on every identifier (its `officerApproval` is 'waiting'); until approved the release cannot be sent
   * (PATIENT_OFFICER_APPROVAL_REQUIRED). Audited `document.patient_confirm_approve` / `_decline` (ids only).
   * @throws PATIENT_CONFIRM_NOT_WAITING | APPROVAL_NOT_PERMITTED | NOT_FOUND | RELEASE_ALREADY_SENT
   */
  'documents.decidePatientConfirm': {
    input: z.object({ releaseId: Id, documentId: Id, decision: z.enum(['approve', 'decline']) }).strict(),
    output: z.object({ checks: z.array(DocumentPatientCheck) }),
  },
  /**
   * One page of a record file rendered in main as a small PNG (data: URL), for the Records step's preview. Bounded:
   * one page per call, width 80..1000 px. Never a file on disk. Audited as a view (ids and page number only).
   */
  'documents.previewPage': {
    input: z.object({ releaseId: Id, documentId: Id, page: z.number().int().min(1).max(100_000), width: z.number().int().min(80).max(1000).default(240) }).strict(),
    output: z.object({ page: z.number().int(), pageCount: z.number().int(), width: z.number().int(), height: z.number().int(), dataUrl: z.string().max(4_000_000) }),
  },
  /**
   * Import the files just dropped onto the Records step. The platform stages them first (Electron: the preload
   * passes each file's path from `webUtils.getPathForFile`, or its bytes when it has none; preview: `POST /upload`
   * with `X-Staging: drop`); this call takes what was staged. Same answer as documents.pick.
   */
  'documents.importDropped': { input: ByRelease, output: ImportOutcome },
  /**
   * Import a password-protected PDF held back by documents.pick/importDropped (its `passwordRequestId`), with the
   * password staff typed. The password is used once for that file; never stored, logged or audited.
   */
  'documents.unlockPdf': {
    input: z.object({ releaseId: Id, passwordRequestId: Id, password: z.string().min(1).max(1024) }).strict(),
    output: ImportOutcome,
  },
  /** Forget a protected PDF staff chose not to import (its bytes leave memory). */
  'documents.discardPending': { input: z.object({ passwordRequestId: Id }).strict(), output: z.object({}) },
} as const satisfies ChannelMap;
