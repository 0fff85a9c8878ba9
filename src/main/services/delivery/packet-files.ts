/**
 * The files of a release packet as they leave the practice (by email or on a drive):
 * the packet split into parts, each part optionally password-protected (AES-256),
 * a detached OpenPGP signature over each part file exactly as sent, the manifest
 * (JSON) with its signature, and the practice's public key. File names carry only
 * the release reference, never PHI.
 */
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { AppError } from '../../../shared/errors';
import { createPackagingJobs, type PackagingJobs } from '../packaging/jobs';
import { manifestJson, type PacketManifest } from '../packaging/manifest';
import { verificationInstructions } from '../packaging/sign';
import { DEFAULT_PART_LIMIT_BYTES, withParts } from '../packaging/split';

/** One file of the prepared packet. */
export interface PacketFile {
  /** PHI-free file name, e.g. "release-R-2026-00001-part-1-of-2.pdf". */
  name: string;
  bytes: Uint8Array;
  /** MIME type, e.g. "application/pdf". */
  contentType: string;
}

/** One part of the packet (one email message, or one file on a drive). */
export interface PreparedPart {
  part: number;
  of: number;
  /** 1-based packet page range the part holds. */
  firstPage: number;
  lastPage: number;
  /** The part PDF as sent (encrypted when the packet is password-protected). */
  file: PacketFile;
  /** Binary detached OpenPGP signature over `file.bytes` (RFC 4880 §5.2.4, type 0x00). */
  signature: PacketFile;
}

/** The packet ready for delivery. */
export interface PreparedPacket {
  reference: string;
  /** True when every part is AES-256 password-protected. */
  encrypted: boolean;
  parts: PreparedPart[];
  /** The manifest with `parts` filled in (JSON, PHI-free: opaque ids, page ranges, digests). */
  manifestData: PacketManifest;
  manifest: PacketFile;
  manifestSignature: PacketFile;
  /** The practice's armored public key ("practice-key.asc"), for `gpg --import`. */
  practiceKey: PacketFile;
  /** Fingerprint of the practice signing key, 40 upper-case hex digits. */
  fingerprint: string;
  /** Total packet pages. */
  pageCount: number;
}

/** Input of {@link preparePacketFiles}. */
export interface PreparePacketInput {
  /** Release reference used in file names; [A-Za-z0-9._-], 1..40 characters, starting with a letter or digit (no PHI). */
  reference: string;
  /** The unencrypted packet PDF from assemblePacket. */
  packetPdf: Uint8Array;
  /** The packet manifest from assemblePacket (its packetSha256 must match `packetPdf` when set). */
  manifest: PacketManifest;
  /** The practice's armored private key (signs every part and the manifest). */
  practiceSigningKeyArmored: string;
  /** Passphrase of the practice key, when it is protected. */
  practiceSigningKeyPassphrase?: string;
  /** The PDF open password for every part (AES-256, R6), or null for unencrypted parts. */
  passphrase: string | null;
  /**
   * Raw bytes of attachments per message (part + signatures + manifest + key), default
   * {@link DEFAULT_PART_LIMIT_BYTES} = 18,000,000 (base64 growth already accounted for, see
   * packaging/split.ts rawLimitForMessage). `Infinity` keeps the packet in one part (export).
   */
  limitBytes?: number;
  /** Assets directory with fonts/ (for the "Part k of n" stamp). */
  assetsRoot?: string;
  /**
   * Where splitting and encryption run: the packaging worker thread in the app (worker-client.ts), so the
   * main process stays responsive; default: this thread ({@link createPackagingJobs}).
   */
  packaging?: PackagingJobs;
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
/** Room for the signature (.sig, ≤ 1 KB for RSA-4096) and the practice key (≤ 8 KB armored) per message. */
const FIXED_OVERHEAD_BYTES = 12_000;
/** Manifest growth per part entry (JSON, pretty-printed). */
const MANIFEST_BYTES_PER_PART = 300;

/** The file name of part `part` of `of`: "release-REF.pdf" for a single part, else "release-REF-part-k-of-n.pdf". */
export function partFileName(reference: string, part: number, of: number): string {
  return of === 1 ? `release-${reference}.pdf` : `release-${reference}-part-${part}-of-${of}.pdf`;
}

/** Validate a release reference for use in file names and subjects. @throws AppError VALIDATION_FAILED */
export function requireReference(reference: string): string {
  if (!REFERENCE.test(reference)) {
    throw new AppError('VALIDATION_FAILED', 'The release reference must be 1 to 40 letters, digits, dots, dashes or underscores.');
  }
  return reference;
}

/**
 * Prepare the packet's delivery files: split under the per-message limit, encrypt each part
 * (AES-256 R6, all parts with the same passphrase) when a passphrase is given, sign each part
 * file as it will be sent, and produce the manifest (with parts), its signature and the
 * practice public key.
 *
 * Sizes: each part's attachments together (part + .sig + manifest + .sig + key) stay at or
 * under `limitBytes`; when encryption grows a part past it, the split is redone with a 10 %
 * smaller target (up to 5 times).
 *
 * @returns {@link PreparedPacket}; nothing is written to disk
 * @throws AppError VALIDATION_FAILED (bad reference, manifest digest does not match the packet,
 *   limit too small); PACKET_PAGE_TOO_LARGE (one page over the limit, from splitPacket);
 *   PDF_ENCRYPTION_FAILED / VALIDATION_FAILED (passphrase length) from encryptPdfAes256;
 *   KEY_INVALID / SIGNING_FAILED from signDetached
 * @source 45 CFR 164.312(c)(1) integrity (signatures, digests), 164.312(e)(2)(ii) encryption;
 *   ISO 32000-2 §7.6.4 (AES-256); RFC 4880 §5.2.4 (detached signatures)
 */
export async function preparePacketFiles(input: PreparePacketInput): Promise<PreparedPacket> {
  const reference = requireReference(input.reference);
  const jobs = input.packaging ?? createPackagingJobs();
  const limit = input.limitBytes ?? DEFAULT_PART_LIMIT_BYTES;
  const sha = await sha256Yielding(input.packetPdf);
  if (input.manifest.packetSha256 && input.manifest.packetSha256 !== sha) {
    throw new AppError('VALIDATION_FAILED', 'The packet does not match its manifest (SHA-256 differs). Assemble the packet again.');
  }
  const { key, fingerprint, publicArmored } = await readSigningKey(input.practiceSigningKeyArmored, input.practiceSigningKeyPassphrase);
  // Each part is signed where it was made (the worker thread in the app): hashing 18 MB is tens of milliseconds.
  const sign = (b: Uint8Array) => jobs.signDetached(b, key);

  const baseManifestBytes = manifestJson({ ...input.manifest, parts: [] }).length;
  let splitLimit = limit;
  if (Number.isFinite(limit)) {
    const estimatedParts = Math.max(1, Math.ceil(input.packetPdf.length / Math.max(1, limit)) + 1);
    splitLimit = limit - FIXED_OVERHEAD_BYTES - 2 * (baseManifestBytes + MANIFEST_BYTES_PER_PART * estimatedParts);
    if (splitLimit < 10_000) throw new AppError('VALIDATION_FAILED', 'The per-message size limit is too small for the packet files.', { limitBytes: limit });
  }

  for (let attempt = 0; attempt < 5; attempt++) {
    // A packet that fits is its own single part (as splitPacket returns it), without a round trip to the worker.
    const split =
      input.packetPdf.length <= splitLimit
        ? [{ part: 1, of: 1, firstPage: 1, lastPage: input.manifest.pageCount, bytes: input.packetPdf.length, sha256: sha, pdf: input.packetPdf }]
        : await jobs.splitPacket(input.packetPdf, splitLimit, { ...(input.assetsRoot ? { assetsRoot: input.assetsRoot } : {}), pageCount: input.manifest.pageCount });
    const manifestData = withParts(input.manifest, split);
    const manifestBytes = manifestJson(manifestData);
    const parts: PreparedPart[] = [];
    let fits = true;
    for (const p of split) {
      // Encrypted and signed in one job (one trip to the worker and back per part); an unlocked part is only signed.
      const { bytes, signature } = input.passphrase === null ? { bytes: p.pdf, signature: await sign(p.pdf) } : await jobs.encryptAndSignPart(p.pdf, input.passphrase, key);
      const name = partFileName(reference, p.part, p.of);
      parts.push({
        part: p.part,
        of: p.of,
        firstPage: p.firstPage,
        lastPage: p.lastPage,
        file: { name, bytes, contentType: 'application/pdf' },
        signature: { name: `${name}.sig`, bytes: signature, contentType: 'application/pgp-signature' },
      });
      if (bytes.length + FIXED_OVERHEAD_BYTES + 2 * manifestBytes.length > limit) fits = false;
    }
    if (!fits) {
      splitLimit = Math.floor(splitLimit * 0.9);
      continue;
    }
    const manifestName = `release-${reference}-manifest.json`;
    return {
      reference,
      encrypted: input.passphrase !== null,
      parts,
      manifestData,
      manifest: { name: manifestName, bytes: manifestBytes, contentType: 'application/json' },
      manifestSignature: { name: `${manifestName}.sig`, bytes: await sign(manifestBytes), contentType: 'application/pgp-signature' },
      practiceKey: { name: 'practice-key.asc', bytes: new TextEncoder().encode(publicArmored), contentType: 'application/pgp-keys' },
      fingerprint,
      pageCount: input.manifest.pageCount,
    };
  }
  throw new AppError('PACKET_PAGE_TOO_LARGE', 'The packet could not be split under the email size limit.', { limitBytes: limit });
}

/**
 * SHA-256 (hex) of `bytes`, hashed 2 MiB per turn of the event loop: a large packet's digest on the
 * main thread then never holds it for more than a few milliseconds at a time.
 */
async function sha256Yielding(bytes: Uint8Array): Promise<string> {
  const h = createHash('sha256');
  const step = 2 << 20;
  for (let at = 0; at < bytes.length; at += step) {
    h.update(bytes.subarray(at, at + step));
    if (at + step < bytes.length) await new Promise((r) => setImmediate(r));
  }
  return h.digest('hex');
}

/** The files of one part as an ordered list: part PDF, its signature, manifest, manifest signature, practice key. */
export function filesOfPart(p: PreparedPacket, part: PreparedPart): PacketFile[] {
  return [part.file, part.signature, p.manifest, p.manifestSignature, p.practiceKey];
}

async function readSigningKey(armored: string, passphrase?: string): Promise<{ key: string; fingerprint: string; publicArmored: string }> {
  try {
    let key = await openpgp.readPrivateKey({ armoredKey: armored });
    if (!key.isDecrypted()) {
      if (!passphrase) throw new Error('locked');
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    }
    return { key: key.armor(), fingerprint: key.getFingerprint().toUpperCase(), publicArmored: key.toPublic().armor() };
  } catch {
    throw new AppError('KEY_INVALID', 'The practice signing key cannot be read or unlocked.');
  }
}

/** Plain-language lines about message k of n (empty for a single part). */
export function partLines(p: PreparedPacket, part: PreparedPart, medium: 'message' | 'file'): string[] {
  if (part.of === 1) return [];
  return [
    `This is ${medium} ${part.part} of ${part.of}. The records were too large for one ${medium === 'message' ? 'email' : 'file'}, so they come in ${part.of} parts.`,
    `This part holds pages ${part.firstPage} to ${part.lastPage} of ${p.pageCount}. Each part opens on its own; the manifest file lists all ${part.of} parts.`,
    '',
  ];
}

/** How to open a password-protected part (no passphrase in it: it travels by another channel). */
export function openLockedLines(practiceName: string, fileNames: string[], multiple: boolean): string[] {
  return [
    `${fileNames.length > 1 ? 'The PDF files' : `The PDF file "${fileNames[0] ?? ''}"`} ${fileNames.length > 1 ? 'are' : 'is'} locked with a passphrase (AES-256 encryption).`,
    `For your protection, ${practiceName} never sends the passphrase by email. A staff member gives it to you by phone, by text message or in person.`,
    ...(multiple ? ['All parts of this release use the same passphrase.'] : []),
    'If you have not received the passphrase, call the practice.',
    '',
    'How to open it:',
    '1. Save the PDF file on your computer or phone.',
    '2. Open it with a PDF reader, for example Adobe Acrobat Reader, Preview on a Mac, or a web browser.',
    '3. When the reader asks for a password, type the passphrase: the words in lower case, joined by hyphens (-), without spaces.',
    '',
  ];
}

/** Verification text for one part, built on packaging's verificationInstructions; `carrier`: an email (attachments, default) or an export folder. */
export function verifyLines(p: PreparedPacket, part: PreparedPart, practiceName: string, carrier: 'email' | 'folder' = 'email'): string[] {
  return [
    verificationInstructions({ packetFileName: part.file.name, signatureFileName: part.signature.name, fingerprint: p.fingerprint, practiceName, carrier }),
    `The manifest "${p.manifest.name}" can be checked the same way with "${p.manifestSignature.name}".`,
    carrier === 'folder' ? `The practice's public key is in this folder as "${p.practiceKey.name}".` : `The practice's public key is attached as "${p.practiceKey.name}".`,
    '',
  ];
}
