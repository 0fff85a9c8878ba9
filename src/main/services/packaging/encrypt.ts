/**
 * Password protection of the packet: PDF standard security handler revision 6,
 * AES-256 (ISO 32000-2 §7.6.4), written by real qpdf (qpdf-wasm) in memory.
 */
import { randomBytes } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { compressUncompressedStreams } from './compress';
import { PASSPHRASE_MAX_CHARS } from './passphrase';
import { runQpdf } from './qpdf';

/**
 * Encrypt `pdf` with AES-256 (R6). The user (open) password is `userPassword`; the owner
 * password is 32 random bytes nobody keeps, so permissions cannot be lifted.
 *
 * @param pdf an unencrypted PDF
 * @param userPassword the password the recipient types to open it (e.g. from generateSpokenPassphrase); 1..32 bytes UTF-8:
 *   R6 allows 127, but poppler-based readers (pdftotext, Evince, Okular on Debian 12) reject R6 passwords over 32 bytes
 * @returns the encrypted PDF bytes (`qpdf --show-encryption` reports R = 6, AESv3)
 *
 * Same result as `qpdf --encrypt` with its defaults (streams without a filter are Flate-compressed,
 * object streams kept as they are), but the compression runs natively first
 * ({@link compressUncompressedStreams}, skipped when nothing is uncompressed) and qpdf-wasm only
 * encrypts the stream data as it is (`--stream-data=preserve`).
 * @throws AppError VALIDATION_FAILED for an empty or over-long (> 32 bytes) password; PDF_ENCRYPTION_FAILED when qpdf refuses the input
 */
export async function encryptPdfAes256(pdf: Uint8Array, userPassword: string): Promise<Uint8Array> {
  const len = Buffer.byteLength(userPassword, 'utf8');
  if (len === 0 || len > PASSPHRASE_MAX_CHARS) throw new AppError('VALIDATION_FAILED', 'The PDF password must be 1 to 32 characters long.');
  const owner = randomBytes(32).toString('base64url');
  // Named options (qpdf ≥ 11.7): a positional password beginning with "-" (1 in 64 base64url owner
  // passwords) would be read as an option and the run would fail.
  const input = await withStreamsCompressed(pdf);
  const run = await runQpdf(['--stream-data=preserve', '--object-streams=preserve', '--encrypt', `--user-password=${userPassword}`, `--owner-password=${owner}`, '--bits=256', '--', '/in.pdf', '/out.pdf'], { '/in.pdf': input }, ['/out.pdf']);
  const out = run.files.get('/out.pdf');
  if (run.status === 2 || !out) throw new AppError('PDF_ENCRYPTION_FAILED', 'The release packet could not be password-protected.', { status: run.status });
  return out;
}

/**
 * `pdf` with its uncompressed streams Flate-compressed by native zlib, or `pdf` itself (same bytes)
 * when it has none. A file pdf-lib cannot read strictly is returned unchanged; qpdf then decides.
 */
async function withStreamsCompressed(pdf: Uint8Array): Promise<Uint8Array> {
  if (!hasUnfilteredStream(pdf)) return pdf;
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    return pdf;
  }
  if ((await compressUncompressedStreams(doc)) === 0) return pdf;
  return doc.save({ useObjectStreams: false });
}

/**
 * Cheap pre-check on the raw bytes: true when some top-level stream dictionary lacks /Filter.
 * Streams inside object streams cannot exist (ISO 32000-1 §7.5.7), so scanning for "stream"
 * keywords after a dictionary is enough; a false positive only costs a pdf-lib parse.
 */
function hasUnfilteredStream(pdf: Uint8Array): boolean {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const objRe = /\bobj\b/g;
  let at = buf.indexOf('stream', 0, 'latin1');
  while (at >= 0) {
    const prev = buf[at - 1];
    const isKeyword = prev !== undefined && (prev === 0x3e /* > */ || prev === 0x0a || prev === 0x0d || prev === 0x20) && buf.toString('latin1', at - 3, at) !== 'end';
    if (isKeyword) {
      const back = buf.toString('latin1', Math.max(0, at - 4096), at);
      let objAt = -1;
      for (let m = objRe.exec(back); m; m = objRe.exec(back)) objAt = m.index;
      objRe.lastIndex = 0;
      const dict = objAt >= 0 ? back.slice(objAt) : back;
      if (!/\/Filter\b/.test(dict) && !/\/Type\s*\/(?:Metadata|XRef)\b/.test(dict)) return true;
    }
    at = buf.indexOf('stream', at + 6, 'latin1');
  }
  return false;
}
