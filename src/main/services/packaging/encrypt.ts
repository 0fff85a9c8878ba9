/**
 * Password protection of the packet: PDF standard security handler revision 6, AES-256
 * (ISO 32000-2 §7.6.4), written by our own serializer with `node:crypto` doing the AES work
 * (encrypted-writer.ts, r6.ts). Real qpdf (qpdf-wasm) is kept only as the fallback for a file
 * pdf-lib cannot read strictly (it repairs what it can, as before).
 */
import { randomBytes } from 'node:crypto';
import { PDFDocument, ParseSpeeds } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { writeEncryptedPdf } from './encrypted-writer';
import { PASSPHRASE_MAX_CHARS } from './passphrase';
import { runQpdf } from './qpdf';
import { r6PasswordBytes } from './r6';

/** /P of the packet: every permission granted (bits 3-12 set, as `qpdf --encrypt` without restrictions writes: -4). */
const PERMISSIONS_ALL = -4;

/**
 * Encrypt `pdf` with AES-256 (R6). The user (open) password is `userPassword`; the owner
 * password is 32 random bytes nobody keeps (base64url), so nobody can change the security settings;
 * /P grants every permission (-4).
 *
 * @param pdf an unencrypted PDF
 * @param userPassword the password the recipient types to open it (e.g. from generateSpokenPassphrase); 1..32 bytes UTF-8:
 *   R6 allows 127, but poppler-based readers (pdftotext, Evince, Okular on Debian 12) reject R6 passwords over 32 bytes
 * @returns the encrypted PDF bytes (`qpdf --show-encryption` reports R = 6, AESv3)
 *
 * Same content as `qpdf --encrypt` with its defaults: streams without a filter are Flate-compressed
 * by native zlib on the thread pool (see compress.ts), XMP metadata stays
 * uncompressed but is encrypted (/EncryptMetadata true), every string and stream is encrypted with
 * AES-256-CBC (random IV, PKCS#5 padding), other objects are packed into encrypted object streams,
 * PDF 1.7 with Adobe extension level 8 is declared. A file pdf-lib cannot parse strictly, or one
 * that is already encrypted, goes to qpdf-wasm as before.
 * @throws AppError VALIDATION_FAILED for an empty or over-long (> 32 bytes) password; PDF_ENCRYPTION_FAILED when neither path can write the file
 * @source ISO 32000-2:2020 §7.6.4 (standard security handler, R6), §7.6.5 (AESV3)
 */
export async function encryptPdfAes256(pdf: Uint8Array, userPassword: string): Promise<Uint8Array> {
  checkPassword(userPassword);
  const doc = await loadStrict(pdf);
  if (!doc) return encryptWithQpdf(pdf, userPassword, randomBytes(32).toString('base64url'));
  return writeDocument(doc, userPassword);
}

/**
 * Encrypt a pdf-lib document held in memory with AES-256 (R6), exactly as {@link encryptPdfAes256}
 * encrypts its saved bytes, without the save/parse round trip: the release packet is encrypted
 * straight from the document assembly built. The document is consumed (its strings are replaced
 * by their encryption): use it for nothing afterwards.
 *
 * @param doc an unencrypted document, already saved once when it draws with embedded fonts
 *   (saving writes the font subsets into its context)
 * @param userPassword as for {@link encryptPdfAes256}: 1..32 bytes UTF-8
 * @returns the encrypted PDF bytes (R = 6, AESv3)
 * @throws AppError VALIDATION_FAILED for an empty or over-long password; PDF_ENCRYPTION_FAILED when it cannot be written
 * @source ISO 32000-2:2020 §7.6.4, §7.6.5
 */
export async function encryptDocumentAes256(doc: PDFDocument, userPassword: string): Promise<Uint8Array> {
  checkPassword(userPassword);
  return writeDocument(doc, userPassword);
}

function checkPassword(userPassword: string): void {
  const len = Buffer.byteLength(userPassword, 'utf8');
  if (len === 0 || len > PASSPHRASE_MAX_CHARS) throw new AppError('VALIDATION_FAILED', 'The PDF password must be 1 to 32 characters long.');
}

async function writeDocument(doc: PDFDocument, userPassword: string): Promise<Uint8Array> {
  const owner = randomBytes(32).toString('base64url');
  try {
    return await writeEncryptedPdf(doc.context, { userPassword: r6PasswordBytes(userPassword), ownerPassword: r6PasswordBytes(owner), permissions: PERMISSIONS_ALL, compressUnfiltered: true });
  } catch {
    throw new AppError('PDF_ENCRYPTION_FAILED', 'The release packet could not be password-protected.');
  }
}

/** `pdf` parsed by pdf-lib, strictly and unencrypted, or null (the qpdf fallback then decides). */
async function loadStrict(pdf: Uint8Array): Promise<PDFDocument | null> {
  try {
    // Fast parse speed: pdf-lib waits one timer tick every N objects; at its default (100) a
    // 1,000-page packet spends most of its parse time waiting.
    // As a Buffer, pdf-lib's stream contents are views of `pdf` (Buffer#slice), not copies: a 40 MiB
    // file of images is not duplicated before it is compressed and encrypted. Nothing writes to them.
    const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    return await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: ParseSpeeds.Fast });
  } catch {
    return null;
  }
}

/**
 * The previous writer, kept as fallback for files pdf-lib cannot read: qpdf-wasm with its defaults
 * (it compresses unfiltered streams itself). Named options (qpdf ≥ 11.7): a positional password
 * beginning with "-" would be read as an option.
 */
async function encryptWithQpdf(pdf: Uint8Array, userPassword: string, owner: string): Promise<Uint8Array> {
  const run = await runQpdf(['--object-streams=preserve', '--encrypt', `--user-password=${userPassword}`, `--owner-password=${owner}`, '--bits=256', '--', '/in.pdf', '/out.pdf'], { '/in.pdf': pdf }, ['/out.pdf']);
  const out = run.files.get('/out.pdf');
  if (run.status === 2 || !out) throw new AppError('PDF_ENCRYPTION_FAILED', 'The release packet could not be password-protected.', { status: run.status });
  return out;
}
