/**
 * Delivery without email (issue #4): the password-protected packet written to a
 * folder or removable drive, and the packet prepared for printing (mail or pickup).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { PDFDocument, PrintScaling } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import type { PacketManifest } from '../packaging/manifest';
import { writeFileSet, type WrittenFile } from '../support/files';
import { openLockedLines, partLines, requireReference, verifyLines, type PacketFile, type PreparedPacket } from './packet-files';

/**
 * Entries an operating system puts on an otherwise empty drive or folder; they do not make it "non-empty".
 * (macOS: .DS_Store, .Trashes, .fseventsd, .Spotlight-V100; Windows: System Volume Information,
 * $RECYCLE.BIN, desktop.ini; Linux: lost+found.)
 */
const SYSTEM_ENTRIES = new Set(['.DS_Store', '.Trashes', '.fseventsd', '.Spotlight-V100', 'System Volume Information', '$RECYCLE.BIN', 'desktop.ini', 'lost+found']);

/** One written file. */
export type ExportedFile = WrittenFile;

/** Result of {@link exportPacket}. */
export interface ExportResult {
  dir: string;
  files: ExportedFile[];
}

/**
 * Write the password-protected packet into `dir`: every part PDF and its `.sig`, the manifest JSON
 * and its `.sig`, the practice public key (practice-key.asc) and README.txt (how to open and verify;
 * the passphrase is NOT in it: staff give it by phone or in person). File names carry only the
 * release reference. Each file is created exclusively (never overwriting) and flushed to the device
 * (fsync) so a drive pulled right after is complete. On any write error, the files written so far
 * are removed.
 *
 * @param dir the chosen folder (e.g. the root of a USB drive); must exist, be writable and be empty
 *   apart from operating-system entries (.DS_Store, System Volume Information, …)
 * @param packet from preparePacketFiles with a passphrase (encrypted); `limitBytes: Infinity` gives one part
 * @param opts.practiceName shown in README.txt
 * @returns the folder and the written files with sizes and SHA-256
 * @throws AppError EXPORT_FAILED — the folder does not exist, is not a folder, is not empty, is not
 *   writable, a write fails, or the packet is not password-protected (plaintext PHI on removable media
 *   is not safe-harbor encrypted: 45 CFR 164.312(a)(2)(iv), NIST SP 800-111)
 */
export async function exportPacket(dir: string, packet: PreparedPacket, opts: { practiceName: string }): Promise<ExportResult> {
  if (!packet.encrypted) {
    throw new AppError('EXPORT_FAILED', 'Only a password-protected packet can be saved to a folder or drive.');
  }
  requireReference(packet.reference);
  let info;
  try {
    info = await stat(dir);
  } catch (e) {
    throw new AppError('EXPORT_FAILED', 'The chosen folder does not exist or cannot be read.', sysDetail(e));
  }
  if (!info.isDirectory()) throw new AppError('EXPORT_FAILED', 'The chosen location is not a folder.');
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new AppError('EXPORT_FAILED', 'The chosen folder cannot be read.', sysDetail(e));
  }
  const others = entries.filter((e) => !SYSTEM_ENTRIES.has(e));
  if (others.length > 0) {
    throw new AppError('EXPORT_FAILED', 'The chosen folder is not empty. Choose an empty folder or an empty drive, so the release is not mixed with other files.', {
      entries: others.length,
    });
  }
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new AppError('EXPORT_FAILED', 'The chosen folder cannot be written to (read-only or no permission).', sysDetail(e));
  }

  const files: PacketFile[] = [];
  for (const p of packet.parts) files.push(p.file, p.signature);
  files.push(packet.manifest, packet.manifestSignature, packet.practiceKey);
  files.push({ name: 'README.txt', bytes: new TextEncoder().encode(readmeText(packet, opts.practiceName)), contentType: 'text/plain' });

  let out: ExportedFile[];
  try {
    out = await writeFileSet(dir, files);
  } catch (e) {
    throw new AppError('EXPORT_FAILED', 'Saving the release to the chosen folder failed; nothing was left there. Check that the drive has space and is not write-protected.', sysDetail(e));
  }
  return { dir, files: out };
}

/** README.txt of an exported packet: what the files are, how to open and verify them. No passphrase, no PHI. */
export function readmeText(packet: PreparedPacket, practiceName: string): string {
  const lines = [
    `Records from ${practiceName}, release ${packet.reference}`,
    '='.repeat(Math.min(72, 24 + practiceName.length + packet.reference.length)),
    '',
    'Files in this folder:',
    ...packet.parts.flatMap((p) => [`  ${p.file.name}  (the records${p.of > 1 ? `, part ${p.part} of ${p.of}, pages ${p.firstPage} to ${p.lastPage}` : ''})`, `  ${p.signature.name}  (its digital signature)`]),
    `  ${packet.manifest.name}  (list of the documents and pages, with SHA-256 digests)`,
    `  ${packet.manifestSignature.name}  (its digital signature)`,
    `  ${packet.practiceKey.name}  (the practice's public key, to check the signatures)`,
    '',
    ...(packet.parts.length > 1 && packet.parts[0] ? partLines(packet, packet.parts[0], 'file').slice(0, 1) : []),
    ...openLockedLines(practiceName, packet.parts.map((p) => p.file.name), packet.parts.length > 1).map((l) => l.replace('Save the PDF file on your computer or phone.', 'Copy the PDF file to your computer, or open it from this drive.')),
    ...(packet.parts[0] ? verifyLines(packet, packet.parts[0], practiceName, 'folder') : []),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Result of {@link printablePacket}. */
export interface PrintablePacket {
  /** The PDF to hand to the print dialog (in memory; never written to a temp file). */
  pdf: Uint8Array;
  pageCount: number;
  /** PHI-free document title, which print queues (e.g. CUPS) show as the job name: "Release <reference>". */
  jobTitle: string;
}

/**
 * The unencrypted packet prepared for printing (paper copy for mail or pickup): checked against its
 * manifest (SHA-256 and page count), document title set to "Release <reference>" (print queues show
 * the title as the job name, so it must carry no PHI), author/subject/keywords cleared, and the viewer
 * preference PrintScaling=None so records print at their true size. Bytes only: the caller shows it
 * inside the app or the print dialog and must not write it to a temporary file.
 *
 * @param input.packetPdf the packet from assemblePacket; input.manifest its manifest
 * @returns {@link PrintablePacket}
 * @throws AppError VALIDATION_FAILED — the packet does not match its manifest (digest or pages) or the reference is invalid;
 *   PDF_DAMAGED — the packet cannot be read
 * @source 45 CFR 164.524(c)(2)(i) (paper copy as requested form), 164.312(c)(1) (integrity check before release)
 */
export async function printablePacket(input: { packetPdf: Uint8Array; manifest: PacketManifest; reference: string }): Promise<PrintablePacket> {
  const reference = requireReference(input.reference);
  const sha = createHash('sha256').update(input.packetPdf).digest('hex');
  if (input.manifest.packetSha256 && input.manifest.packetSha256 !== sha) {
    throw new AppError('VALIDATION_FAILED', 'The packet does not match its manifest (SHA-256 differs). Assemble the packet again.');
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(input.packetPdf, { updateMetadata: false });
  } catch {
    throw new AppError('PDF_DAMAGED', 'The release packet cannot be read for printing.');
  }
  const pageCount = doc.getPageCount();
  if (pageCount !== input.manifest.pageCount) {
    throw new AppError('VALIDATION_FAILED', 'The packet does not have the pages its manifest lists.', { pages: pageCount, manifestPages: input.manifest.pageCount });
  }
  const jobTitle = `Release ${reference}`;
  doc.setTitle(jobTitle, { showInWindowTitleBar: true });
  doc.setAuthor('');
  doc.setSubject('');
  doc.setKeywords([]);
  doc.catalog.getOrCreateViewerPreferences().setPrintScaling(PrintScaling.None);
  const pdf = await doc.save({ useObjectStreams: true });
  return { pdf, pageCount, jobTitle };
}

function sysDetail(e: unknown): Record<string, string> {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? { systemCode: code } : {};
}
