/**
 * Importing record files into a release: PDFs, JPEG photos, PNG scans and TIFF faxes, picked in
 * the file dialog or dropped onto the Records step. Each file is imported or refused on its own,
 * with its own PHI-free reason; one bad file never fails the batch.
 *
 * What is stored in the vault is always a PDF the packet can use as is:
 * - a sound, unprotected PDF: its bytes exactly as received;
 * - a PDF with owner restrictions only (no password to open it): opened with the empty user
 *   password and stored decrypted, the audit event noting `protection: owner_restrictions`;
 * - a PDF that needs a password to open: held in memory only (never on disk) for
 *   {@link PENDING_TTL_MS} while staff are asked for its password; the password is used once,
 *   for that file, and never stored or logged (`protection: user_password` in the audit);
 * - a damaged PDF that qpdf can repair without losing pages: stored repaired (`repaired: true`);
 * - an image: pre-flighted from its headers (packaging/images.ts), then one Letter page per
 *   image/TIFF page with every metadata segment removed (EXIF GPS, camera, XMP, IPTC, comments).
 */
import type { Session } from '../session';
import type { EventBus } from '../support/events';
import type { DocumentSummaryT, ImportOutcomeT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { fileDisplayName } from '../../../shared/text-rules';
import { normalizeSource } from '../packaging/inputs';
import { sniffMediaType, type SniffedMediaType } from '../packaging/images';
import { inspectCrossReference } from '../packaging/xref';
import { requireEditable } from '../releases/repo';
import { newId } from '../support/ids';
import { checkPdf, insertDocument, MAX_FILE_BYTES, type CheckedPdf } from './documents';
import type { PickedFile } from './picker';

/** How long a password-protected PDF waits in memory for its password, in milliseconds. */
export const PENDING_TTL_MS = 10 * 60 * 1000;
/** Most protected PDFs waiting for a password at once (each up to MAX_FILE_BYTES, in memory). */
export const MAX_PENDING = 10;
/** Wrong passwords tried on one waiting file before it is dropped (it must then be imported again). */
export const MAX_PASSWORD_ATTEMPTS = 5;

export type ImportResult = ImportOutcomeT;
type Rejected = ImportResult['rejected'][number];

/** What an import needs from its caller. */
export interface ImportContext {
  session: Session;
  events: EventBus;
  /** The practice's calendar date today (`YYYY-MM-DD`), the placeholder date of service until classified. */
  today: () => string;
  /** Assets root (fonts, for flattening form fields of decrypted PDFs); default `<cwd>/assets`. */
  assetsRoot?: string;
}

interface Pending {
  releaseId: string;
  name: string;
  bytes: Buffer;
  expiresAt: number;
  attempts: number;
}

/** Protected PDFs waiting for a password, per vault session (so two hosts in one process never mix). */
const pendingBySession = new WeakMap<Session, Map<string, Pending>>();

function pendingFor(session: Session, now: number): Map<string, Pending> {
  let m = pendingBySession.get(session);
  if (!m) pendingBySession.set(session, (m = new Map()));
  // A locked vault forgets every waiting file; expired ones are dropped on every access.
  for (const [id, p] of m) if (session.state !== 'unlocked' || p.expiresAt <= now) m.delete(id);
  return m;
}

/** A stored-ready PDF and what the audit should say about how it was obtained. */
interface Prepared {
  pdf: CheckedPdf;
  detail: Record<string, string | number | boolean>;
}

/**
 * Turn one received file into the PDF that is stored.
 * @throws AppError FILE_EMPTY | FILE_TOO_LARGE | MEDIA_TYPE_UNSUPPORTED | IMAGE_TOO_LARGE | IMAGE_UNSUPPORTED |
 *   PDF_PASSWORD_REQUIRED | PDF_PASSWORD_INCORRECT | PDF_DAMAGED | PAGE_COUNT_MISMATCH | FILE_UNREADABLE
 */
export async function prepareRecordFile(bytes: Buffer, opts: { password?: string; assetsRoot?: string } = {}): Promise<Prepared> {
  if (bytes.length === 0) throw new AppError('FILE_EMPTY', 'This file is empty.');
  if (bytes.length > MAX_FILE_BYTES) throw new AppError('FILE_TOO_LARGE', `This file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
  const type: SniffedMediaType | null = sniffMediaType(bytes);
  if (!type) throw new AppError('MEDIA_TYPE_UNSUPPORTED', 'This file is not a PDF, JPEG, PNG or TIFF. Save or scan it as one of those and import it again.');
  if (type === 'application/pdf') return preparePdf(bytes, opts);
  const norm = await normalizeSource({ id: 'import', bytes, mediaType: type }, opts.assetsRoot);
  const pdfBytes = Buffer.from(await norm.doc.save({ useObjectStreams: true }));
  const pdf = await checkPdf(pdfBytes);
  if (pdf.pageCount !== norm.pageCount) {
    throw new AppError('PAGE_COUNT_MISMATCH', 'Not every page of this image could be converted.', { expected: norm.pageCount, actual: pdf.pageCount });
  }
  return { pdf, detail: { source: type, metadataStripped: true } };
}

async function preparePdf(bytes: Buffer, opts: { password?: string; assetsRoot?: string }): Promise<Prepared> {
  const xref = inspectCrossReference(bytes);
  if (xref.sound && !xref.encrypted && opts.password === undefined) {
    try {
      return { pdf: await checkPdf(bytes), detail: { source: 'application/pdf' } };
    } catch (e) {
      if (!isAppError(e) || e.code !== 'FILE_UNREADABLE') throw e;
      // fall through: qpdf decides whether it is encrypted, repairable or damaged
    }
  }
  // qpdf decrypts (the empty password opens owner-restricted files), repairs, and checks the page count.
  const norm = await normalizeSource({ id: 'import', bytes, mediaType: 'application/pdf', ...(opts.password !== undefined ? { password: opts.password } : {}) }, opts.assetsRoot);
  const pdf = await checkPdf(Buffer.from(await norm.doc.save({ useObjectStreams: true })));
  const detail: Prepared['detail'] = { source: 'application/pdf' };
  if (xref.encrypted || opts.password !== undefined) detail.protection = opts.password !== undefined ? 'user_password' : 'owner_restrictions';
  if (norm.repaired) detail.repaired = true;
  return { pdf, detail };
}

/**
 * Import `files` into draft release `releaseId`: one transaction and one `document.import` audit event per
 * stored file (detail: document id, pages, bytes, source type, protection, repaired — never names or
 * passwords); a refusal is audited with its code. A PDF that needs a password is answered with
 * `passwordRequestId` in its rejection and waits (in memory) for {@link supplyPdfPassword}.
 *
 * @returns `{ imported, rejected }` in the order given
 * @throws AppError VAULT_LOCKED | NOT_FOUND | RELEASE_ALREADY_SENT | RELEASE_SEND_IN_PROGRESS (the release is not editable)
 * @source 45 CFR 164.312(b) audit controls; 164.312(c)(1) integrity (SHA-256 of the stored bytes)
 */
export async function importFiles(ctx: ImportContext, releaseId: string, files: PickedFile[]): Promise<ImportResult> {
  requireImportable(ctx.session, releaseId);
  const imported: DocumentSummaryT[] = [];
  const rejected: Rejected[] = [];
  let done = 0;
  for (const f of files) {
    ctx.events.emit('progress', { operation: 'import', releaseId, done, total: files.length });
    const name = fileDisplayName(f.name);
    let bytes: Buffer | undefined;
    try {
      bytes = await f.read();
      imported.push(await store(ctx, releaseId, name, bytes));
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (bytes === undefined) ctx.session.recordFailure('document.import', { type: 'release', id: releaseId }, e);
      const r: Rejected = { fileName: name, code: e.code, message: e.message };
      if (e.code === 'PDF_PASSWORD_REQUIRED' && bytes) {
        r.message = 'This PDF is protected by a password. Type its password to import it (it is used once and not kept).';
        r.passwordRequestId = hold(ctx, releaseId, name, bytes);
      }
      rejected.push(r);
    }
    done++;
  }
  ctx.events.emit('progress', { operation: 'import', releaseId, done, total: files.length });
  return { imported, rejected };
}

/**
 * Check that files may be imported into `releaseId` now (call before opening a file dialog); a refusal is audited.
 * @throws AppError VAULT_LOCKED | NOT_FOUND | RELEASE_ALREADY_SENT | RELEASE_SEND_IN_PROGRESS
 */
export function requireImportable(session: Session, releaseId: string): void {
  const db = session.require().db;
  try {
    requireEditable(db, releaseId);
  } catch (e) {
    session.recordFailure('document.import', { type: 'release', id: releaseId }, e);
    throw e;
  }
}

/** Prepare and store one file (audited); a refusal is audited with its code and rethrown. */
async function store(ctx: ImportContext, releaseId: string, name: string, bytes: Buffer, password?: string): Promise<DocumentSummaryT> {
  const subject = { type: 'release', id: releaseId };
  let prepared: Prepared;
  try {
    prepared = await prepareRecordFile(bytes, { ...(password !== undefined ? { password } : {}), ...(ctx.assetsRoot ? { assetsRoot: ctx.assetsRoot } : {}) });
  } catch (e) {
    // Refused before any write: record it here, PHI-free (code and numbers only).
    ctx.session.recordFailure('document.import', subject, e);
    throw e;
  }
  return ctx.session.audited(
    'document.import',
    subject,
    (v) => {
      requireEditable(v.db, releaseId);
      return insertDocument(v.db, releaseId, name, prepared.pdf, ctx.session.clock.now(), { category: 'other', documentDate: ctx.today(), classified: false });
    },
    (d) => ({ documentId: d.id, pages: d.pageCount, bytes: d.sizeBytes, ...prepared.detail }),
  );
}

function hold(ctx: ImportContext, releaseId: string, name: string, bytes: Buffer): string | undefined {
  const now = ctx.session.clock.now().getTime();
  const m = pendingFor(ctx.session, now);
  if (m.size >= MAX_PENDING) return undefined;
  const id = newId();
  m.set(id, { releaseId, name, bytes, expiresAt: now + PENDING_TTL_MS, attempts: 0 });
  return id;
}

/**
 * Import a password-protected PDF that {@link importFiles} held back, with the password staff typed.
 * The password opens that one file and is then dropped: never stored, logged or audited. A wrong
 * password leaves the file waiting (up to {@link MAX_PASSWORD_ATTEMPTS} tries) and answers a rejection
 * with the same `passwordRequestId`.
 *
 * @returns `{ imported, rejected }` with one entry in either
 * @throws AppError IMPORT_EXPIRED when the file is no longer waiting (expired, vault locked, too many tries,
 *   or already imported); VAULT_LOCKED; the release-editable errors of {@link importFiles}
 */
export async function supplyPdfPassword(ctx: ImportContext, releaseId: string, passwordRequestId: string, password: string): Promise<ImportResult> {
  const m = pendingFor(ctx.session, ctx.session.clock.now().getTime());
  const p = m.get(passwordRequestId);
  if (!p || p.releaseId !== releaseId) {
    const e = new AppError('IMPORT_EXPIRED', 'That protected PDF is no longer waiting for its password. Add the file again.');
    ctx.session.recordFailure('document.import', { type: 'release', id: releaseId }, e);
    throw e;
  }
  try {
    requireEditable(ctx.session.require().db, releaseId);
    const doc = await store(ctx, releaseId, p.name, p.bytes, password);
    m.delete(passwordRequestId);
    return { imported: [doc], rejected: [] };
  } catch (e) {
    if (!isAppError(e)) {
      m.delete(passwordRequestId);
      throw e;
    }
    p.attempts++;
    const retry = e.code === 'PDF_PASSWORD_INCORRECT' && p.attempts < MAX_PASSWORD_ATTEMPTS;
    if (!retry) m.delete(passwordRequestId);
    const message =
      e.code === 'PDF_PASSWORD_INCORRECT'
        ? retry
          ? 'That password does not open this PDF. Check it with the sender and try again.'
          : 'That password does not open this PDF, and too many were tried. Add the file again when you have the right password.'
        : e.message;
    return { imported: [], rejected: [{ fileName: p.name, code: e.code, message, ...(retry ? { passwordRequestId } : {}) }] };
  }
}

/** Forget a protected PDF that staff chose not to import (its bytes leave memory now). Idempotent. */
export function discardPendingPdf(ctx: Pick<ImportContext, 'session'>, passwordRequestId: string): void {
  pendingFor(ctx.session, ctx.session.clock.now().getTime()).delete(passwordRequestId);
}
