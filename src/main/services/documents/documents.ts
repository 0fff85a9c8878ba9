import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { inspectCrossReference } from '../packaging/xref';

/** Largest single file accepted (bytes). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface CheckedPdf {
  bytes: Buffer;
  pageCount: number;
  sha256: string;
}

/**
 * Check that `bytes` is a readable PDF (ISO 32000-1 §7.5.2: the header
 * `%PDF-` within the first 1024 bytes) and count its pages.
 * @throws AppError FILE_EMPTY | FILE_TOO_LARGE | FILE_NOT_PDF | FILE_UNREADABLE (damaged or password-protected)
 */
export async function checkPdf(bytes: Buffer): Promise<CheckedPdf> {
  if (bytes.length === 0) throw new AppError('FILE_EMPTY', 'This file is empty.');
  if (bytes.length > MAX_FILE_BYTES) throw new AppError('FILE_TOO_LARGE', `This file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
  if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new AppError('FILE_NOT_PDF', 'This file is not a PDF.');
  let pageCount: number;
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    pageCount = doc.getPageCount();
  } catch {
    // pdf-lib 1.17 names no error class for encryption; the trailer's /Encrypt says it (ISO 32000-1 §7.6.1).
    const encrypted = inspectCrossReference(bytes).encrypted || /\/Encrypt\s*\d+\s+\d+\s+R/.test(bytes.subarray(Math.max(0, bytes.length - 4096)).toString('latin1'));
    throw new AppError(
      'FILE_UNREADABLE',
      encrypted ? 'This PDF is password-protected. Save an unprotected copy and import that.' : 'This PDF is damaged and cannot be read.',
      { reason: encrypted ? 'encrypted' : 'damaged' },
    );
  }
  if (pageCount < 1) throw new AppError('FILE_UNREADABLE', 'This PDF has no pages.', { reason: 'no_pages' });
  return { bytes, pageCount, sha256: createHash('sha256').update(bytes).digest('hex') };
}

// The documents' SQL lives in ./repo.ts; re-exported here for existing importers.
export {
  CHUNK_BYTES,
  classifyDocument,
  documentLabel,
  insertDocument,
  insertRequestDocument,
  listDocuments,
  listRequestDocuments,
  readDocument,
  readDocumentChunks,
  removeDocument,
  type RequestDocumentKind,
} from './repo';
