/**
 * The `documents` and `document_chunks` tables (SQL only): record files and request documents stored in the vault in
 * chunks of {@link CHUNK_BYTES}. Functions of `(db, ...args)`; call inside the caller's transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import type { DocumentCategory } from '../../../shared/compliance';
import type { DocumentSummaryT, RequestDocumentT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { fileDisplayName } from '../../../shared/text-rules';
import { newId } from '../support/ids';
import type { CheckedPdf } from './documents';

/** Record files are stored inside the encrypted vault in chunks of this many bytes. */
export const CHUNK_BYTES = 1024 * 1024;

function putChunks(db: Database, id: string, bytes: Buffer): void {
  const put = db.prepare('INSERT INTO document_chunks (document_id, seq, data) VALUES (?, ?, ?)');
  for (let seq = 0, off = 0; off < bytes.length; seq++, off += CHUNK_BYTES) {
    put.run(id, seq, bytes.subarray(off, off + CHUNK_BYTES));
  }
}

/**
 * Store a checked PDF in the vault as chunk rows and its document row.
 * Call inside a transaction. The label ("record-N.pdf") is what the message
 * shows; the original name stays in the vault for staff.
 * @param classification category and date of service (`YYYY-MM-DD`) and whether staff set them; import stores
 *   placeholders ('other', the practice's today) with `classified: false`, which the release gate blocks until
 *   documents.classify sets both (164.514(d) scope needs the real category and date of service)
 */
export function insertDocument(
  db: Database,
  releaseId: string,
  originalName: string,
  pdf: CheckedPdf,
  importedAt: Date,
  classification: { category: DocumentCategory; documentDate: string; classified: boolean },
): DocumentSummaryT {
  const id = newId();
  const shownName = fileDisplayName(originalName);
  const { n } = db.prepare('SELECT count(*) AS n FROM documents WHERE release_id = ?').get(releaseId) as { n: number };
  const position = n + 1;
  const label = `record-${position}.pdf`;
  db.prepare(
    `INSERT INTO documents (id, release_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date, classified)
     VALUES (?, ?, 'record', ?, ?, ?, 'application/pdf', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, releaseId, position, label, shownName, pdf.bytes.length, pdf.pageCount, pdf.sha256, importedAt.toISOString(), classification.category, classification.documentDate, classification.classified ? 1 : 0);
  putChunks(db, id, pdf.bytes);
  return {
    id,
    label,
    originalName: shownName,
    sizeBytes: pdf.bytes.length,
    pageCount: pdf.pageCount,
    sha256: pdf.sha256,
    importedAt: importedAt.toISOString(),
    category: classification.category,
    documentDate: classification.documentDate,
    classified: classification.classified,
    alsoCategories: [],
  };
}

interface DocRow {
  id: string;
  label: string;
  original_name: string;
  size_bytes: number;
  page_count: number;
  sha256: string;
  imported_at: string;
  category: DocumentCategory;
  document_date: string;
  classified: number;
  also_categories: string;
}

/** The release's current record files, in order, with category and date of service. */
export function listDocuments(db: Database, releaseId: string): DocumentSummaryT[] {
  const rows = db
    .prepare(
      `SELECT id, label, original_name, size_bytes, page_count, sha256, imported_at, category, document_date, classified, also_categories FROM documents
       WHERE release_id = ? AND kind = 'record' AND removed_at IS NULL ORDER BY position`,
    )
    .all(releaseId) as DocRow[];
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    originalName: r.original_name,
    sizeBytes: r.size_bytes,
    pageCount: r.page_count,
    sha256: r.sha256,
    importedAt: r.imported_at,
    category: r.category,
    documentDate: r.document_date,
    classified: r.classified === 1,
    alsoCategories: (JSON.parse(r.also_categories) as DocumentCategory[]).filter((c) => c !== r.category),
  }));
}

/**
 * Set a record file's category (plus the further categories a combined file contains) and date of service; it is
 * then classified. Call inside an audited transaction.
 * @throws AppError NOT_FOUND when the document is not a current record file of the release
 */
export function classifyDocument(
  db: Database,
  releaseId: string,
  documentId: string,
  category: DocumentCategory,
  documentDate: string,
  alsoCategories: readonly DocumentCategory[] = [],
): void {
  const also = [...new Set(alsoCategories)].filter((c) => c !== category);
  const r = db
    .prepare(
      `UPDATE documents SET category = ?, document_date = ?, also_categories = ?, classified = 1 WHERE id = ? AND release_id = ? AND kind = 'record' AND removed_at IS NULL`,
    )
    .run(category, documentDate, JSON.stringify(also), documentId, releaseId);
  if (r.changes === 0) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
}

export type RequestDocumentKind = RequestDocumentT['kind'];

/**
 * Store a PDF the practice produced or received for a request (extension notice,
 * authorization form, signed authorization) in the vault's chunk tables.
 * `requestId` is null for a blank form. The label is neutral: kind plus the request's
 * PHI-free reference. Call inside a transaction.
 */
export function insertRequestDocument(
  db: Database,
  input: { requestId: string | null; kind: RequestDocumentKind; label: string; bytes: Buffer; pageCount: number; originalName?: string; at: Date; documentDate: string },
): RequestDocumentT {
  const id = newId();
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  db.prepare(
    `INSERT INTO documents (id, release_id, request_id, kind, position, label, original_name, media_type, size_bytes, page_count, sha256, imported_at, category, document_date)
     VALUES (?, NULL, ?, ?, 0, ?, ?, 'application/pdf', ?, ?, ?, ?, 'correspondence', ?)`,
  ).run(id, input.requestId, input.kind, input.label, fileDisplayName(input.originalName ?? input.label), input.bytes.length, input.pageCount, sha256, input.at.toISOString(), input.documentDate);
  putChunks(db, id, input.bytes);
  return { id, kind: input.kind, label: input.label, sizeBytes: input.bytes.length, pageCount: input.pageCount, createdAt: input.at.toISOString() };
}

/** The request's own documents (notices, forms, signed scans), oldest first. */
export function listRequestDocuments(db: Database, requestId: string): RequestDocumentT[] {
  const rows = db
    .prepare(`SELECT id, kind, label, size_bytes, page_count, imported_at FROM documents WHERE request_id = ? AND kind <> 'record' AND removed_at IS NULL ORDER BY imported_at, id`)
    .all(requestId) as Array<{ id: string; kind: RequestDocumentKind; label: string; size_bytes: number; page_count: number; imported_at: string }>;
  return rows.map((r) => ({ id: r.id, kind: r.kind, label: r.label, sizeBytes: r.size_bytes, pageCount: r.page_count, createdAt: r.imported_at }));
}

/** Label of any stored document (for export). @throws AppError NOT_FOUND */
export function documentLabel(db: Database, documentId: string): string {
  const r = db.prepare('SELECT label FROM documents WHERE id = ? AND removed_at IS NULL').get(documentId) as { label: string } | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That document no longer exists.');
  return r.label;
}

/**
 * Read a document's bytes back from the vault and check them against the stored SHA-256.
 * @throws Error if the stored bytes do not match (integrity, 164.312(c)(1))
 */
export function readDocument(db: Database, documentId: string): Buffer {
  const meta = db.prepare('SELECT sha256, purged_at FROM documents WHERE id = ?').get(documentId) as { sha256: string; purged_at: string | null } | undefined;
  if (!meta) throw new AppError('NOT_FOUND', 'That document no longer exists.');
  if (meta.purged_at) throw new AppError('NOT_FOUND', 'This file was removed at the end of its retention period.', { reason: 'purged' });
  const chunks = (db.prepare('SELECT data FROM document_chunks WHERE document_id = ? ORDER BY seq').all(documentId) as Array<{ data: Buffer }>).map(
    (r) => r.data,
  );
  const bytes = Buffer.concat(chunks);
  if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) throw new Error('document integrity check failed');
  return bytes;
}

/**
 * A document's bytes read back from the vault one stored chunk ({@link CHUNK_BYTES}) at a time, for sending a file
 * without holding it whole: each chunk is its own query (no statement stays open between chunks, so the connection
 * is free for other work in between), the SHA-256 is computed as they go and checked after the last one.
 * @returns a generator of the chunks in order (the caller must not keep them past the next chunk if it wants the
 *   memory bounded)
 * @throws AppError NOT_FOUND (no such document, or purged) when iterated; Error "document integrity check failed"
 *   after the last chunk when the bytes do not match the stored SHA-256 (164.312(c)(1)) — a caller that already
 *   used the earlier chunks must then discard what it made from them
 */
export function* readDocumentChunks(db: Database, documentId: string): Generator<Buffer> {
  const meta = db.prepare('SELECT sha256, purged_at FROM documents WHERE id = ?').get(documentId) as { sha256: string; purged_at: string | null } | undefined;
  if (!meta) throw new AppError('NOT_FOUND', 'That document no longer exists.');
  if (meta.purged_at) throw new AppError('NOT_FOUND', 'This file was removed at the end of its retention period.', { reason: 'purged' });
  const seqs = (db.prepare('SELECT seq FROM document_chunks WHERE document_id = ? ORDER BY seq').all(documentId) as Array<{ seq: number }>).map((r) => r.seq);
  const one = db.prepare('SELECT data FROM document_chunks WHERE document_id = ? AND seq = ?');
  const hash = createHash('sha256');
  for (const seq of seqs) {
    const r = one.get(documentId, seq) as { data: Buffer } | undefined;
    if (!r) throw new Error('document integrity check failed');
    hash.update(r.data);
    yield r.data;
  }
  if (hash.digest('hex') !== meta.sha256) throw new Error('document integrity check failed');
}

/** Take a document out of a release (kept in the vault for the record; its chunks are dropped). */
export function removeDocument(db: Database, releaseId: string, documentId: string, at: Date): void {
  const r = db.prepare('UPDATE documents SET removed_at = ? WHERE id = ? AND release_id = ? AND removed_at IS NULL').run(at.toISOString(), documentId, releaseId);
  if (r.changes === 0) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
  db.prepare('DELETE FROM document_chunks WHERE document_id = ?').run(documentId);
}
