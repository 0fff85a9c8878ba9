/**
 * The heavy packaging work (image decode, packet assembly and stamping, splitting, PDF
 * encryption) behind one small interface, {@link PackagingJobs}. The release workflow calls it;
 * the product runs it in a worker thread (worker-client.ts, packaging-worker.ts) so the main
 * process's event loop stays responsive; {@link createPackagingJobs} is the same work on the
 * calling thread (the worker's own implementation, and the fallback for tools and tests).
 */
import { createHash } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { encryptDocumentAes256, encryptPdfAes256 } from './encrypt';
import { type AssembledPacket, type AssemblePacketInput, assemblePacketDocument } from './packet';
import { signDetached } from './sign';
import { type PacketPart, splitPacket } from './split';

/** Options of {@link PackagingJobs.splitPacket}. */
export interface SplitOptions {
  /** Assets directory with fonts/ (for the "Part k of n" stamp). */
  assetsRoot?: string;
  /** The packet's page count when known (its manifest's): a packet that fits is then not parsed. */
  pageCount?: number;
}

/** Per-job options. */
export interface JobOptions {
  /**
   * Cancels the job: in the worker it is stopped at once (the thread is terminated and a fresh one
   * starts for the next job) and rejects with PACKAGING_CANCELLED; on the calling thread it is only
   * checked before the job starts.
   */
  signal?: AbortSignal;
}

/**
 * The packaging work the release workflow needs, wherever it runs (same contracts, errors and
 * sources as the functions named). Failures are AppErrors with PHI-free messages; a job that fails
 * returns nothing, so no partial packet or file exists.
 */
export interface PackagingJobs {
  /** {@link assemblePacket}: cover, manifest pages, records, stamps; `input.onProgress` is called as it goes. */
  assemblePacket(input: AssemblePacketInput, job?: JobOptions): Promise<AssembledPacket>;
  /** {@link splitPacket}: parts under `limitBytes` raw bytes each. */
  splitPacket(pdf: Uint8Array, limitBytes: number, opts?: SplitOptions, job?: JobOptions): Promise<PacketPart[]>;
  /** {@link encryptPdfAes256}: AES-256 (R6) with `userPassword` as the open password. */
  encryptPdfAes256(pdf: Uint8Array, userPassword: string, job?: JobOptions): Promise<Uint8Array>;
  /**
   * {@link signDetached}: a detached binary OpenPGP signature over `bytes` (hashing a large part takes the
   * thread for tens of milliseconds). The key stays in this process (the worker is a thread of it).
   */
  signDetached(bytes: Uint8Array, practicePrivateArmored: string, passphrase?: string, job?: JobOptions): Promise<Uint8Array>;
  /**
   * One part of a password-PDF release in one job: {@link encryptPdfAes256} with `userPassword`, then
   * {@link signDetached} over the encrypted bytes, where they were made — in the worker, the part crosses to it once
   * and comes back once (encrypted, with its signature), instead of coming back and going there again to be signed.
   * @returns the encrypted part and its detached binary signature
   * @throws as encryptPdfAes256 and signDetached
   */
  encryptAndSignPart(pdf: Uint8Array, userPassword: string, practicePrivateArmored: string, job?: JobOptions): Promise<{ bytes: Uint8Array; signature: Uint8Array }>;
}

function checkNotCancelled(job?: JobOptions): void {
  if (job?.signal?.aborted) throw new AppError('PACKAGING_CANCELLED', 'Preparing the release packet was stopped. Nothing was sent or saved.');
}

/** How long an assembled packet's document is kept for its encryption (ms) before it is dropped. */
const HELD_DOCUMENT_MS = 60_000;

/**
 * The packaging work on the calling thread.
 *
 * The last assembled packet's pdf-lib document is held (one at a time, at most
 * {@link HELD_DOCUMENT_MS}): when `encryptPdfAes256` is then asked for bytes whose SHA-256 and
 * length are that packet's, it encrypts from the document instead of parsing the bytes again
 * (the same file content either way; the digest makes sure the bytes are the packet's).
 */
export function createPackagingJobs(): PackagingJobs {
  let held: { sha256: string; bytes: number; doc: PDFDocument; timer: NodeJS.Timeout } | null = null;
  const drop = () => {
    if (held) clearTimeout(held.timer);
    held = null;
  };
  return {
    async assemblePacket(input, job) {
      checkNotCancelled(job);
      drop();
      const { packet, doc } = await assemblePacketDocument(input);
      const timer = setTimeout(drop, HELD_DOCUMENT_MS);
      timer.unref();
      held = { sha256: packet.manifest.packetSha256, bytes: packet.pdf.length, doc, timer };
      return packet;
    },
    async splitPacket(pdf, limitBytes, opts = {}, job) {
      checkNotCancelled(job);
      return splitPacket(pdf, limitBytes, opts);
    },
    async encryptPdfAes256(pdf, userPassword, job) {
      checkNotCancelled(job);
      const h = held;
      if (h && h.bytes === pdf.length && createHash('sha256').update(pdf).digest('hex') === h.sha256) {
        drop(); // the document is consumed by its encryption
        return encryptDocumentAes256(h.doc, userPassword);
      }
      return encryptPdfAes256(pdf, userPassword);
    },
    async signDetached(bytes, practicePrivateArmored, passphrase, job) {
      checkNotCancelled(job);
      return signDetached(bytes, practicePrivateArmored, passphrase);
    },
    async encryptAndSignPart(pdf, userPassword, practicePrivateArmored, job) {
      const bytes = await this.encryptPdfAes256(pdf, userPassword, job);
      return { bytes, signature: await signDetached(bytes, practicePrivateArmored) };
    },
  };
}

/**
 * Get this thread ready for packaging jobs: assemble and password-protect a small synthetic packet (no PHI: fixed
 * words), and throw it away. The first real job then finds the packet fonts read, qpdf's WebAssembly compiled
 * (qpdf.ts), and the assembly, writing and encryption code already run, so V8 has compiled it; without this, a
 * worker's first job does all of that on the user's time.
 *
 * @param assetsRoot the assets directory with fonts/ (as {@link AssemblePacketInput.assetsRoot})
 * @param rounds how many times the small packet is made (V8 compiles code it has run often; default 3)
 * @throws as assemblePacket and encryptDocumentAes256 (e.g. FONT_MISSING when the fonts are not where given)
 */
export async function warmUpPackaging(assetsRoot?: string, rounds = 3): Promise<void> {
  const source = await PDFDocument.create({ updateMetadata: false });
  const font = await source.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= 10; n++) source.addPage([612, 792]).drawText(`Warm-up page ${n}`, { x: 72, y: 700, size: 12, font });
  const bytes = await source.save();
  for (let i = 0; i < rounds; i++) {
    const { doc } = await assemblePacketDocument({
      practice: { name: 'Warm-up' },
      recipient: { name: 'Warm-up' },
      purpose: 'Warm-up',
      reference: 'WARM-UP',
      releaseNumberPrefix: 'W-',
      createdAt: new Date(0),
      timeZone: 'UTC',
      includePart2Notice: true,
      sources: [{ id: 'warm-up', bytes, mediaType: 'application/pdf' }],
      ...(assetsRoot ? { assetsRoot } : {}),
    });
    await encryptDocumentAes256(doc, 'warm-up-password');
  }
}
