import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import type { DocumentSummaryT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';

/** Record files are stored inside the encrypted vault in chunks of this many bytes. */
export const CHUNK_BYTES = 1024 * 1024;
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
  } catch (e) {
    const encrypted = e instanceof Error && e.constructor.name === 'EncryptedPDFError';
    throw new AppError(
      'FILE_UNREADABLE',
      encrypted ? 'This PDF is password-protected. Save an unprotected copy and import that.' : 'This PDF is damaged and cannot be read.',
      { reason: encrypted ? 'encrypted' : 'damaged' },
    );
  }
  if (pageCount < 1) throw new AppError('FILE_UNREADABLE', 'This PDF has no pages.', { reason: 'no_pages' });
  return { bytes, pageCount, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Store a checked PDF in the vault as chunk rows and its document row.
 * Call inside a transaction. The label ("record-N.pdf") is what the message
 * shows; the original name stays in the vault for staff.
 */
export function insertDocument(db: Database, releaseId: string, originalName: string, pdf: CheckedPdf, importedAt: Date): DocumentSummaryT {
  const id = newId();
  const { n } = db.prepare('SELECT count(*) AS n FROM documents WHERE release_id = ?').get(releaseId) as { n: number };
  const position = n + 1;
  const label = `record-${position}.pdf`;
  db.prepare(
    `INSERT INTO documents (id, release_id, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at)
     VALUES (?, ?, ?, ?, ?, 'application/pdf', ?, ?, ?, ?)`,
  ).run(id, releaseId, position, label, originalName, pdf.bytes.length, pdf.pageCount, pdf.sha256, importedAt.toISOString());
  const put = db.prepare('INSERT INTO document_chunks (document_id, seq, data) VALUES (?, ?, ?)');
  for (let seq = 0, off = 0; off < pdf.bytes.length; seq++, off += CHUNK_BYTES) {
    put.run(id, seq, pdf.bytes.subarray(off, off + CHUNK_BYTES));
  }
  return {
    id,
    label,
    originalName,
    sizeBytes: pdf.bytes.length,
    pageCount: pdf.pageCount,
    sha256: pdf.sha256,
    importedAt: importedAt.toISOString(),
  };
}

/** The release's current documents, in order. */
export function listDocuments(db: Database, releaseId: string): DocumentSummaryT[] {
  const rows = db
    .prepare(
      `SELECT id, label, original_name, size_bytes, page_count, sha256, imported_at FROM documents
       WHERE release_id = ? AND removed_at IS NULL ORDER BY position`,
    )
    .all(releaseId) as Array<{ id: string; label: string; original_name: string; size_bytes: number; page_count: number; sha256: string; imported_at: string }>;
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    originalName: r.original_name,
    sizeBytes: r.size_bytes,
    pageCount: r.page_count,
    sha256: r.sha256,
    importedAt: r.imported_at,
  }));
}

/**
 * Read a document's bytes back from the vault and check them against the stored SHA-256.
 * @throws Error if the stored bytes do not match (integrity, 164.312(c)(1))
 */
export function readDocument(db: Database, documentId: string): Buffer {
  const meta = db.prepare('SELECT sha256 FROM documents WHERE id = ?').get(documentId) as { sha256: string } | undefined;
  if (!meta) throw new AppError('NOT_FOUND', 'That document no longer exists.');
  const chunks = (db.prepare('SELECT data FROM document_chunks WHERE document_id = ? ORDER BY seq').all(documentId) as Array<{ data: Buffer }>).map(
    (r) => r.data,
  );
  const bytes = Buffer.concat(chunks);
  if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) throw new Error('document integrity check failed');
  return bytes;
}

/** Take a document out of a release (kept in the vault for the record; its chunks are dropped). */
export function removeDocument(db: Database, releaseId: string, documentId: string, at: Date): void {
  const r = db.prepare('UPDATE documents SET removed_at = ? WHERE id = ? AND release_id = ? AND removed_at IS NULL').run(at.toISOString(), documentId, releaseId);
  if (r.changes === 0) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
  db.prepare('DELETE FROM document_chunks WHERE document_id = ?').run(documentId);
}
