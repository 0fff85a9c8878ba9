/**
 * Splitting a packet that is too large for one email into parts, each a valid
 * PDF of consecutive pages, stamped "Part k of n" and tied together by the manifest.
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { embedFonts } from './fonts';
import type { ManifestPart, PacketManifest } from './manifest';
import { Stamper } from './stamp';

/**
 * Default raw attachment limit per message: 18,000,000 bytes. Base64 (RFC 2045 §6.8) turns
 * 3 bytes into 4 and adds CRLF every 76 characters: 18 MB becomes about 24.6 MB on the wire,
 * under the common 25 MB provider cap.
 */
export const DEFAULT_PART_LIMIT_BYTES = 18_000_000;

/**
 * The largest raw attachment that fits a message of `messageLimitBytes` once base64-encoded
 * with 76-character lines, keeping `headroomBytes` for headers and the text part.
 */
export function rawLimitForMessage(messageLimitBytes: number, headroomBytes = 200_000): number {
  return Math.floor(((messageLimitBytes - headroomBytes) * 3 * 76) / (4 * 78));
}

/** One part of a split packet. */
export interface PacketPart extends ManifestPart {
  pdf: Uint8Array;
}

/**
 * Split `pdf` into parts no larger than `limitBytes`. A packet that already fits is returned
 * as a single part, unchanged. Parts are split by pages (packet page order kept) and each
 * page of part k carries "Part k of n · packet pages a–b" at its top edge.
 *
 * @param pdf the unencrypted packet (encrypt each part afterwards)
 * @param limitBytes raw size limit per part (default {@link DEFAULT_PART_LIMIT_BYTES})
 * @param opts.pageCount the packet's page count when the caller knows it (the manifest's): a packet that fits is then not parsed
 * @throws AppError PACKET_PAGE_TOO_LARGE when a single page is larger than the limit
 */
export async function splitPacket(pdf: Uint8Array, limitBytes: number = DEFAULT_PART_LIMIT_BYTES, opts: { assetsRoot?: string; pageCount?: number; onProgress?: (p: { phase: 'split'; done: number; total: number }) => void } = {}): Promise<PacketPart[]> {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  // A packet that fits needs no parse when its page count is known (the manifest's).
  if (pdf.length <= limitBytes && opts.pageCount !== undefined) return [{ part: 1, of: 1, firstPage: 1, lastPage: opts.pageCount, bytes: pdf.length, sha256: sha(pdf), pdf }];
  const src = await PDFDocument.load(pdf, { updateMetadata: false });
  const total = src.getPageCount();
  if (pdf.length <= limitBytes) return [{ part: 1, of: 1, firstPage: 1, lastPage: total, bytes: pdf.length, sha256: sha(pdf), pdf }];

  const build = async (from: number, to: number, label?: string): Promise<Uint8Array> => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setProducer('ReleaseDesk');
    const pages = await doc.copyPages(src, range(from - 1, to - 1));
    for (const p of pages) doc.addPage(p);
    if (label) {
      const fonts = await embedFonts(doc, [label], opts.assetsRoot);
      const stamper = new Stamper(fonts);
      for (const p of doc.getPages()) stamper.stamp(p, label, 'top');
    }
    return doc.save({ useObjectStreams: true });
  };

  for (let safety = 0.92; safety > 0.5; safety *= 0.9) {
    // Greedy ranges: grow a part while its unstamped size stays under limit x safety.
    const target = limitBytes * safety;
    const ranges: [number, number][] = [];
    let start = 1;
    while (start <= total) {
      const avg = pdf.length / total;
      let end = Math.min(total, start + Math.max(0, Math.floor(target / avg) - 1));
      let size = (await build(start, end)).length;
      while (size > target && end > start) {
        end = start + Math.max(0, Math.floor((end - start + 1) * (target / size)) - 1);
        size = (await build(start, end)).length;
      }
      if (size > limitBytes) throw new AppError('PACKET_PAGE_TOO_LARGE', 'One page of the packet is larger than the email size limit by itself.', { page: start, bytes: size, limitBytes });
      while (end < total) {
        const bigger = (await build(start, end + 1)).length;
        if (bigger > target) break;
        end += 1;
      }
      ranges.push([start, end]);
      opts.onProgress?.({ phase: 'split', done: end, total });
      start = end + 1;
    }
    const parts: PacketPart[] = [];
    for (const [i, [a, b]] of ranges.entries()) {
      const bytes = await build(a, b, `Part ${i + 1} of ${ranges.length}  ·  packet pages ${a}–${b} of ${total}`);
      parts.push({ part: i + 1, of: ranges.length, firstPage: a, lastPage: b, bytes: bytes.length, sha256: sha(bytes), pdf: bytes });
    }
    if (parts.every((p) => p.bytes <= limitBytes)) return parts;
  }
  throw new AppError('PACKET_PAGE_TOO_LARGE', 'The packet could not be split under the email size limit.', { limitBytes });
}

/** The manifest with its `parts` filled in (PDF bytes left out). */
export function withParts(manifest: PacketManifest, parts: PacketPart[]): PacketManifest {
  return { ...manifest, parts: parts.map(({ pdf: _pdf, ...p }) => p) };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
