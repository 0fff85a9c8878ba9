/**
 * Password protection of the packet: PDF standard security handler revision 6,
 * AES-256 (ISO 32000-2 §7.6.4), written by real qpdf (qpdf-wasm) in memory.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
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
 * @throws AppError VALIDATION_FAILED for an empty or over-long (> 32 bytes) password; PDF_ENCRYPTION_FAILED when qpdf refuses the input
 */
export async function encryptPdfAes256(pdf: Uint8Array, userPassword: string): Promise<Uint8Array> {
  const len = Buffer.byteLength(userPassword, 'utf8');
  if (len === 0 || len > PASSPHRASE_MAX_CHARS) throw new AppError('VALIDATION_FAILED', 'The PDF password must be 1 to 32 characters long.');
  const owner = randomBytes(32).toString('base64url');
  // Named options (qpdf ≥ 11.7): a positional password beginning with "-" (1 in 64 base64url owner
  // passwords) would be read as an option and the run would fail.
  const run = await runQpdf(['--encrypt', `--user-password=${userPassword}`, `--owner-password=${owner}`, '--bits=256', '--', '/in.pdf', '/out.pdf'], { '/in.pdf': pdf }, ['/out.pdf']);
  const out = run.files.get('/out.pdf');
  if (run.status === 2 || !out) throw new AppError('PDF_ENCRYPTION_FAILED', 'The release packet could not be password-protected.', { status: run.status });
  return out;
}
