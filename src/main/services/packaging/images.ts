/**
 * Images as practices receive them (phone photos, scanner PNGs, fax TIFFs): what a file is by
 * its first bytes, how large it is before anything is decoded (pre-flight), and a JPEG with its
 * metadata (EXIF with GPS position and camera, XMP, IPTC, comments) removed.
 *
 * Nothing here decodes pixels: the pre-flight reads headers only, so a 20,000 x 20,000 px image is
 * refused in milliseconds with memory of the order of the file itself.
 */
import UTIF from 'utif2';
import { AppError } from '../../../shared/errors';

/** What a record file is, by its signature. */
export type SniffedMediaType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/tiff';

/**
 * The media type of `bytes` from its signature, or null when it is none of the four.
 * PDF: `%PDF-` within the first 1024 bytes (ISO 32000-1 §7.5.2, readers accept leading bytes);
 * JPEG: SOI + a marker (ITU-T T.81 B.1.1.2); PNG: the 8-byte signature (RFC 2083 §3.1);
 * TIFF: `II*\0` or `MM\0*` (TIFF 6.0 §2).
 */
export function sniffMediaType(bytes: Uint8Array): SniffedMediaType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 4 && ((bytes[0] === 0x49 && bytes[1] === 0x49 && bytes[2] === 0x2a && bytes[3] === 0) || (bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && bytes[3] === 0x2a)))
    return 'image/tiff';
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(1024, bytes.byteLength)).includes('%PDF-')) return 'application/pdf';
  return null;
}

/**
 * Largest image page accepted, in pixels (width x height). 50 MP holds a US Legal page scanned at
 * 600 dpi (5100 x 8400 = 42.8 MP) and any phone photo; decoding one costs at most 200 MB (RGBA).
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/**
 * Largest PNG accepted, in pixels: pdf-lib decodes and re-encodes PNG in pure JavaScript, which grows much faster
 * than linearly (measured on the shared 2-core machine: 8.4 MP 2.4 s / 180 MB peak, 12 MP 2.3 s / 220 MB peak,
 * 16 MP and 33.7 MP over 150 s). 12 MP holds a US Legal page at 300 dpi (2550 x 4200 = 10.7 MP).
 */
export const MAX_PNG_PIXELS = 12_000_000;
/** Largest sum of pixels over all pages of one multi-page TIFF (decoded one page at a time). */
export const MAX_TOTAL_IMAGE_PIXELS = 1_000_000_000;
/** Most pages one TIFF may have (a long fax is tens of pages). */
export const MAX_TIFF_PAGES = 1000;

/** TIFF compressions (tag 259) the decoder reads: none, CCITT RLE/G3/G4, LZW, JPEG (old, new), Deflate, PackBits. */
export const TIFF_COMPRESSIONS: Readonly<Record<number, string>> = {
  1: 'uncompressed',
  2: 'CCITT modified Huffman',
  3: 'CCITT Group 3 fax',
  4: 'CCITT Group 4 fax',
  5: 'LZW',
  6: 'old-style JPEG',
  7: 'JPEG',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
};

/** Names of compressions seen in the field that the decoder cannot read (for the refusal message). */
const UNSUPPORTED_TIFF_COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  34661: 'JBIG',
  34712: 'JPEG 2000',
  34887: 'LERC',
  34925: 'LZMA',
  50000: 'Zstandard',
  50001: 'WebP',
  32908: 'Pixar',
  32909: 'Pixar',
  34676: 'LogLuv',
  34677: 'LogLuv',
};

/** Header facts of an image, read without decoding it. */
export interface ImagePreflight {
  mediaType: Exclude<SniffedMediaType, 'application/pdf'>;
  /** Pages (TIFF directories holding an image; 1 for JPEG and PNG). */
  pages: number;
  /** Largest page, in pixels. */
  maxPagePixels: number;
  /** Sum over all pages, in pixels. */
  totalPixels: number;
  /** Peak bytes the largest page takes decoded (RGBA, as the PNG/TIFF decoders hold it); 0 for JPEG (embedded as is). */
  peakDecodedBytes: number;
}

const megapixels = (n: number) => (n / 1_000_000).toFixed(1);

/**
 * Read an image's dimensions from its headers and refuse it before decoding when it exceeds the limits.
 *
 * @param bytes the file
 * @param mediaType its sniffed type
 * @returns {@link ImagePreflight}
 * @throws AppError IMAGE_TOO_LARGE (message gives the size in pixels and the limit, and what to do),
 *   IMAGE_UNSUPPORTED (headers unreadable; a TIFF page in an unsupported compression, naming the page and the compression)
 * @source JPEG: ITU-T T.81 B.2.2 (frame header); PNG: RFC 2083 §4.1.1 (IHDR); TIFF 6.0 §8 (ImageWidth, ImageLength, Compression)
 */
export function preflightImage(bytes: Uint8Array, mediaType: ImagePreflight['mediaType']): ImagePreflight {
  const sizes = mediaType === 'image/tiff' ? tiffSizes(bytes) : [mediaType === 'image/jpeg' ? jpegSize(bytes) : pngSize(bytes)];
  if (sizes.length > MAX_TIFF_PAGES) {
    throw new AppError('IMAGE_TOO_LARGE', `This TIFF has ${sizes.length} pages; at most ${MAX_TIFF_PAGES} can be imported from one file. Split it and import the parts.`, {
      pages: sizes.length,
    });
  }
  let maxPagePixels = 0;
  let totalPixels = 0;
  const limit = mediaType === 'image/png' ? MAX_PNG_PIXELS : MAX_IMAGE_PIXELS;
  for (const [i, s] of sizes.entries()) {
    const px = s.width * s.height;
    if (px > limit) {
      const where = sizes.length > 1 ? `Page ${i + 1} of this image is` : 'This image is';
      throw new AppError(
        'IMAGE_TOO_LARGE',
        `${where} ${s.width.toLocaleString('en-US')} × ${s.height.toLocaleString('en-US')} pixels (${megapixels(px)} megapixels); the limit is ${megapixels(limit)} megapixels per page${mediaType === 'image/png' ? ' for PNG' : ''}. Save or scan it at a lower resolution (300 dpi is plenty for records) and import that.`,
        { width: s.width, height: s.height, page: i + 1 },
      );
    }
    maxPagePixels = Math.max(maxPagePixels, px);
    totalPixels += px;
  }
  if (totalPixels > MAX_TOTAL_IMAGE_PIXELS) {
    throw new AppError('IMAGE_TOO_LARGE', `This image file holds ${megapixels(totalPixels)} megapixels in all; the limit is ${megapixels(MAX_TOTAL_IMAGE_PIXELS)}. Split it and import the parts.`, {
      pages: sizes.length,
    });
  }
  return { mediaType, pages: sizes.length, maxPagePixels, totalPixels, peakDecodedBytes: mediaType === 'image/jpeg' ? 0 : maxPagePixels * 4 };
}

const unreadable = (kind: string) => new AppError('IMAGE_UNSUPPORTED', `This ${kind} image cannot be read: its header is damaged.`);

/** JPEG markers that carry a frame header (SOFn, excluding DHT C4, JPG C8, DAC CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walk JPEG marker segments up to the first SOS: [marker, offset of the 0xFF, total segment length incl. marker]. */
function* jpegSegments(b: Uint8Array): Generator<{ marker: number; at: number; length: number }> {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw unreadable('JPEG');
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++; // fill byte (T.81 B.1.1.2)
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      yield { marker, at: p, length: 2 };
      p += 2;
      continue;
    }
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    if (len < 2 || p + 2 + len > b.length) throw unreadable('JPEG');
    yield { marker, at: p, length: len + 2 };
    if (marker === 0xda || marker === 0xd9) return; // SOS: entropy-coded data follows
    p += 2 + len;
  }
  throw unreadable('JPEG');
}

function jpegSize(b: Uint8Array): { width: number; height: number } {
  for (const s of jpegSegments(b)) {
    if (SOF.has(s.marker)) {
      const height = (b[s.at + 5]! << 8) | b[s.at + 6]!;
      const width = (b[s.at + 7]! << 8) | b[s.at + 8]!;
      if (!width || !height) throw unreadable('JPEG');
      return { width, height };
    }
  }
  throw unreadable('JPEG');
}

function pngSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 33 || Buffer.from(b.subarray(12, 16)).toString('latin1') !== 'IHDR') throw unreadable('PNG');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = v.getUint32(16);
  const height = v.getUint32(20);
  if (!width || !height) throw unreadable('PNG');
  return { width, height };
}

/** A TIFF tag's first numeric value. */
function tag(ifd: UTIF.IFD, t: string): number | undefined {
  const v = ifd[t] as unknown;
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined;
}

/**
 * Image directories of a TIFF (UTIF.decode parses directories only, it decodes no strips), each checked
 * for a compression the decoder reads.
 */
export function tiffDirectories(b: Uint8Array): UTIF.IFD[] {
  const ab = wholeArrayBuffer(b);
  let ifds: UTIF.IFD[];
  try {
    ifds = UTIF.decode(ab).filter((i) => tag(i, 't256') !== undefined && tag(i, 't257') !== undefined);
  } catch {
    throw unreadable('TIFF');
  }
  if (ifds.length === 0) throw unreadable('TIFF');
  for (const [i, ifd] of ifds.entries()) {
    const c = tag(ifd, 't259') ?? 1;
    if (!(c in TIFF_COMPRESSIONS)) {
      const name = UNSUPPORTED_TIFF_COMPRESSION_NAMES[c] ?? `type ${c}`;
      throw new AppError(
        'IMAGE_UNSUPPORTED',
        `Page ${i + 1} of this TIFF uses a compression ReleaseDesk cannot read (${name}). Ask the sender for a PDF, or save it as a TIFF with Group 4, LZW or no compression.`,
        { page: i + 1, compression: c },
      );
    }
  }
  return ifds;
}

/** The bytes as an ArrayBuffer of their own: the underlying one when the view spans it all (no copy), else a copy. */
export function wholeArrayBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return new Uint8Array(b).buffer; // a copy (Buffer#slice would be a view of the same pool)
}

function tiffSizes(b: Uint8Array): Array<{ width: number; height: number }> {
  return tiffDirectories(b).map((ifd) => ({ width: tag(ifd, 't256')!, height: tag(ifd, 't257')! }));
}

/**
 * Segments kept by {@link stripJpegMetadata}: everything needed to decode and to show colours right
 * (frame, tables, scan, restart interval, JFIF APP0, Adobe APP14 with its colour transform flag).
 * Dropped: APP1 (EXIF with GPS position, camera make, model and serial; XMP), APP2 (ICC profile,
 * FlashPix), APP3–APP13 (IPTC, Photoshop IRB, vendor data), APP15, and COM comments.
 */
const KEEP_APP = new Set([0xe0, 0xee]);

/**
 * A copy of a JPEG without its metadata segments (see {@link KEEP_APP}); the compressed image data is
 * unchanged, so nothing is re-encoded and no quality is lost. EXIF orientation must be read before
 * (the packet turns the picture itself).
 *
 * @param b a JPEG (signature checked by the caller)
 * @returns the stripped JPEG bytes
 * @throws AppError IMAGE_UNSUPPORTED when the marker structure is damaged
 * @source ITU-T T.81 Annex B (marker segments); JFIF 1.02; EXIF 2.32 §4.5.4 (APP1); Adobe TN 5116 (APP14)
 */
export function stripJpegMetadata(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  for (const s of jpegSegments(b)) {
    const isApp = s.marker >= 0xe0 && s.marker <= 0xef;
    if ((isApp && !KEEP_APP.has(s.marker)) || s.marker === 0xfe) continue;
    if (s.marker === 0xda || s.marker === 0xd9) {
      parts.push(b.subarray(s.at)); // scan header, entropy-coded data, later markers (no metadata follows SOS in practice)
      break;
    }
    parts.push(b.subarray(s.at, s.at + s.length));
  }
  // A fresh buffer of its own (byteOffset 0): pdf-lib's JpegEmbedder reads `new DataView(data.buffer)`, ignoring the
  // offset of a view, and Buffer.concat may return a slice of Node's shared pool.
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
