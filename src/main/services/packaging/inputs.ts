/**
 * Normalizing each selected record file into PDF pages.
 *
 * Every source becomes a pdf-lib document whose pages the packet copies:
 * - PDF: a file whose cross-reference data is sound and which is not encrypted goes straight
 *   to pdf-lib (its page tree checked against the declared /Count). Anything else is
 *   decrypted and repaired by qpdf (in memory). Owner-password-only files open
 *   without asking; user-password files need the password. Form fields are flattened
 *   inside their own document, so two forms with the same field names keep their values.
 * - JPEG (EXIF orientation honoured, then all metadata segments removed), PNG, TIFF (every page;
 *   aspect from its X/Y resolution, e.g. fax 204x98 dpi): one US Letter page per image, fitted.
 *   Each image is measured from its headers first (images.ts preflightImage) and refused above the
 *   limits before any pixel is decoded; a TIFF page in a compression the decoder does not read is
 *   refused by page number, never drawn black.
 * The number of pages produced is checked against the source's own count.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import exifr from 'exifr';
import {
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  type PDFRef,
  ParseSpeeds,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
} from 'pdf-lib';
import UTIF from 'utif2';
import { AppError } from '../../../shared/errors';
import { embedFonts } from './fonts';
import { preflightImage, stripJpegMetadata, tiffDirectories, wholeArrayBuffer } from './images';
import { runQpdf } from './qpdf';
import { inspectCrossReference } from './xref';

/** Media types a source may have. */
export const SOURCE_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;
export type SourceMediaType = (typeof SOURCE_MEDIA_TYPES)[number];

/** One record file selected for the release. `id` is an opaque document id (never a file name or PHI). */
export interface PacketSource {
  id: string;
  bytes: Uint8Array;
  mediaType: string;
  /** The user (open) password of an encrypted PDF, when the staff member typed one. */
  password?: string;
  /** What the document is, for the manifest: its category (DOCUMENT_CATEGORIES) and date of service (`YYYY-MM-DD`). */
  category?: string;
  documentDate?: string;
}

/** A source turned into PDF pages. */
export interface NormalizedSource {
  doc: PDFDocument;
  /** Pages the source has by its own account (qpdf's page tree count, or decoded image frames). */
  pageCount: number;
  /** SHA-256 (hex) of the source bytes exactly as selected. */
  sha256: string;
  /** True when qpdf had to repair the file (e.g. a broken cross-reference table). */
  repaired: boolean;
}

/** US Letter, in points (1/72 in). */
export const LETTER: readonly [number, number] = [612, 792];
const MARGIN = 36;
/** Height kept free at the bottom of image pages for the release stamp, in points. */
export const STAMP_ZONE = 30;

/**
 * Turn one source into PDF pages.
 *
 * @throws AppError MEDIA_TYPE_UNSUPPORTED, FILE_EMPTY, PDF_PASSWORD_REQUIRED, PDF_PASSWORD_INCORRECT,
 *   PDF_DAMAGED, IMAGE_UNSUPPORTED, IMAGE_TOO_LARGE, PAGE_COUNT_MISMATCH
 */
export async function normalizeSource(src: PacketSource, assetsRoot?: string): Promise<NormalizedSource> {
  if (src.bytes.length === 0) throw new AppError('FILE_EMPTY', 'A selected document is empty.', { sourceId: src.id });
  const sha256 = createHash('sha256').update(src.bytes).digest('hex');
  switch (src.mediaType) {
    case 'application/pdf':
      return { ...(await normalizePdf(src, assetsRoot)), sha256 };
    case 'image/jpeg':
      return { doc: await jpegDocument(src), pageCount: 1, sha256, repaired: false };
    case 'image/png':
      return { doc: await pngDocument(src), pageCount: 1, sha256, repaired: false };
    case 'image/tiff': {
      const { doc, frames } = await tiffDocument(src);
      return { doc, pageCount: frames, sha256, repaired: false };
    }
    default:
      throw new AppError('MEDIA_TYPE_UNSUPPORTED', 'A selected document is of a type that cannot be put into a release packet (PDF, JPEG, PNG and TIFF can).', {
        sourceId: src.id,
      });
  }
}

async function normalizePdf(src: PacketSource, assetsRoot?: string): Promise<Omit<NormalizedSource, 'sha256'>> {
  const head = Buffer.from(src.bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) throw new AppError('FILE_NOT_PDF', 'A selected document is not a PDF file.', { sourceId: src.id });
  // Fast path: no qpdf run for a clean, unencrypted file (most record exports).
  const clean = await loadClean(src.bytes);
  if (clean) {
    await flattenForms(clean.doc, assetsRoot);
    return { doc: clean.doc, pageCount: clean.pageCount, repaired: false };
  }
  // qpdf: decrypt (an empty password opens owner-password-only files) and rewrite.
  const run = await runQpdf([`--password=${src.password ?? ''}`, '--decrypt', '/in.pdf', '/out.pdf'], { '/in.pdf': src.bytes }, ['/out.pdf']);
  let out = run.files.get('/out.pdf');
  let repaired = run.status === 3;
  if (run.status === 2 || !out) {
    if (run.stderr.some((l) => l.includes('invalid password'))) {
      if (src.password) throw new AppError('PDF_PASSWORD_INCORRECT', 'The password for a protected PDF is not correct.', { sourceId: src.id });
      throw new AppError('PDF_PASSWORD_REQUIRED', 'A selected PDF is protected by a password. Enter its password to include it.', { sourceId: src.id });
    }
    // qpdf-wasm 0.3.0 does not reconstruct a broken cross-reference table (native qpdf does);
    // pdf-lib's parser reads objects in file order without relying on it. Its rewrite is then
    // checked by qpdf, and the recovered page count against the count the file declares.
    out = await rewriteWithPdfLib(src);
    repaired = true;
  }
  const counted = await runQpdf(['--show-npages', '/in.pdf'], { '/in.pdf': out });
  const qpdfPages = Number(counted.stdout[0]);
  if (counted.status === 2 || !Number.isInteger(qpdfPages) || qpdfPages < 1) {
    throw new AppError('PDF_DAMAGED', 'A selected PDF is damaged: its pages cannot be found.', { sourceId: src.id });
  }
  if (repaired) await checkDeclaredCount(src, qpdfPages);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(out, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  } catch {
    throw new AppError('PDF_DAMAGED', 'A selected PDF is damaged and cannot be read.', { sourceId: src.id });
  }
  if (doc.getPageCount() !== qpdfPages) {
    throw new AppError('PAGE_COUNT_MISMATCH', 'Pages of a selected PDF could not all be read; the packet was not made.', {
      sourceId: src.id,
      expected: qpdfPages,
      actual: doc.getPageCount(),
    });
  }
  await flattenForms(doc, assetsRoot);
  return { doc, pageCount: qpdfPages, repaired };
}

/**
 * pdf-lib's reading of a PDF that needs neither decryption nor repair, or null when it does.
 * Sound means: cross-reference data checked by {@link inspectCrossReference}, every object
 * parses (throwOnInvalidObject), and the page tree holds exactly the /Count its root declares
 * (ISO 32000-1 §7.7.3.2). Any doubt returns null, and the caller takes the qpdf path.
 * Parsed without pdf-lib's pauses (a timer tick every 100 objects by default): assembly runs on the packaging
 * worker's own thread, where pausing only adds wall time.
 */
async function loadClean(bytes: Uint8Array): Promise<{ doc: PDFDocument; pageCount: number } | null> {
  const xref = inspectCrossReference(bytes);
  if (!xref.sound || xref.encrypted) return null;
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: ParseSpeeds.Fastest });
    const declared = doc.catalog.lookup(PDFName.of('Pages'), PDFDict).lookup(PDFName.of('Count'), PDFNumber).asNumber();
    const pageCount = doc.getPageCount();
    if (!Number.isInteger(declared) || declared < 1 || pageCount !== declared) return null;
    return { doc, pageCount };
  } catch {
    return null;
  }
}

async function rewriteWithPdfLib(src: PacketSource): Promise<Uint8Array> {
  const damaged = () => new AppError('PDF_DAMAGED', 'A selected PDF is damaged and cannot be repaired. Ask for a new copy of it.', { sourceId: src.id });
  try {
    const doc = await PDFDocument.load(src.bytes, { updateMetadata: false, throwOnInvalidObject: true });
    if (doc.getPageCount() < 1) throw damaged();
    return await doc.save({ useObjectStreams: false });
  } catch {
    throw damaged();
  }
}

/**
 * For a file qpdf had to repair: every /Type /Pages node's /Count seen in the raw bytes
 * bounds the pages the file claims; the root (largest) count must equal the pages recovered.
 * A repair that loses pages is refused rather than silently dropping them.
 */
async function checkDeclaredCount(src: PacketSource, recovered: number): Promise<void> {
  const raw = Buffer.from(src.bytes).toString('latin1');
  let declared = 0;
  for (const m of raw.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)) {
    declared = Math.max(declared, Number(m[1] ?? m[2]));
  }
  if (declared > 0 && declared !== recovered) {
    throw new AppError('PDF_DAMAGED', 'A selected PDF is damaged: some of its pages cannot be recovered. Ask for a new copy of it.', {
      sourceId: src.id,
      declared,
      recovered,
    });
  }
}

/** Flatten AcroForm fields into page content (values drawn with a Unicode font when Helvetica cannot). */
async function flattenForms(doc: PDFDocument, assetsRoot?: string): Promise<void> {
  const form = doc.getForm();
  if (form.getFields().length === 0) return;
  try {
    form.flatten();
  } catch {
    const values = form.getFields().map((f) => ('getText' in f && typeof f.getText === 'function' ? String(f.getText() ?? '') : ''));
    const fonts = await embedFonts(doc, values, assetsRoot);
    form.updateFieldAppearances(fonts.regular);
    form.flatten({ updateFieldAppearances: false });
  }
}

/** Fit a w x h (any unit) picture on a Letter page, portrait or landscape by its shape; returns page size and box. */
function fitToPage(w: number, h: number): { pageW: number; pageH: number; x: number; y: number; dw: number; dh: number } {
  const [pageW, pageH] = w > h ? [LETTER[1], LETTER[0]] : [LETTER[0], LETTER[1]];
  const boxW = pageW - 2 * MARGIN;
  const boxH = pageH - MARGIN - Math.max(MARGIN, STAMP_ZONE + 6);
  const s = Math.min(boxW / w, boxH / h);
  const dw = w * s;
  const dh = h * s;
  return { pageW, pageH, x: (pageW - dw) / 2, y: Math.max(MARGIN, STAMP_ZONE + 6) + (boxH - dh) / 2, dw, dh };
}

/**
 * Image-space (u, v in the unit square, v up) to display-space (p, q) for each EXIF
 * Orientation value (TIFF/EXIF 2.32 tag 0x0112): [pu, pv, p0, qu, qv, q0].
 */
const ORIENT: Record<number, [number, number, number, number, number, number]> = {
  1: [1, 0, 0, 0, 1, 0],
  2: [-1, 0, 1, 0, 1, 0],
  3: [-1, 0, 1, 0, -1, 1],
  4: [1, 0, 0, 0, -1, 1],
  5: [0, -1, 1, -1, 0, 1],
  6: [0, 1, 0, -1, 0, 1],
  7: [0, 1, 0, 1, 0, 0],
  8: [0, -1, 1, 1, 0, 0],
};

function placeImage(doc: PDFDocument, ref: PDFRef, visualW: number, visualH: number, orientation = 1): void {
  const { pageW, pageH, x, y, dw, dh } = fitToPage(visualW, visualH);
  const page = doc.addPage([pageW, pageH]);
  const key = page.node.newXObject('Img', ref);
  const [pu, pv, p0, qu, qv, q0] = ORIENT[orientation] ?? ORIENT[1]!;
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(dw * pu, dh * qu, dw * pv, dh * qv, x + dw * p0, y + dh * q0),
    drawObject(key),
    popGraphicsState(),
  );
}

async function jpegDocument(src: PacketSource): Promise<PDFDocument> {
  if (src.bytes[0] !== 0xff || src.bytes[1] !== 0xd8) throw new AppError('IMAGE_UNSUPPORTED', 'A selected image is not a readable JPEG.', { sourceId: src.id });
  preflightImage(src.bytes, 'image/jpeg');
  const doc = await PDFDocument.create();
  let image;
  try {
    image = await doc.embedJpg(stripJpegMetadata(src.bytes));
  } catch {
    throw new AppError('IMAGE_UNSUPPORTED', 'A selected image is not a readable JPEG.', { sourceId: src.id });
  }
  let orientation = 1;
  try {
    const o: unknown = await exifr.orientation(Buffer.from(src.bytes));
    if (typeof o === 'number' && o >= 1 && o <= 8) orientation = o;
  } catch {
    /* no readable EXIF: as stored */
  }
  const swap = orientation >= 5;
  placeImage(doc, image.ref, swap ? image.height : image.width, swap ? image.width : image.height, orientation);
  return doc;
}

async function pngDocument(src: PacketSource): Promise<PDFDocument> {
  preflightImage(src.bytes, 'image/png');
  const doc = await PDFDocument.create();
  let image;
  try {
    image = await doc.embedPng(src.bytes);
  } catch {
    throw new AppError('IMAGE_UNSUPPORTED', 'A selected image is not a readable PNG.', { sourceId: src.id });
  }
  placeImage(doc, image.ref, image.width, image.height);
  return doc;
}

/** A TIFF tag's first value as a number; RATIONAL values (utif2 gives [num, den]) are divided out. */
function tagNumber(ifd: UTIF.IFD, tag: string): number | undefined {
  const v = ifd[tag] as unknown;
  if (!Array.isArray(v)) return undefined;
  const first: unknown = v[0];
  if (typeof first === 'number') return first;
  if (Array.isArray(first) && typeof first[0] === 'number' && typeof first[1] === 'number' && first[1] !== 0) return first[0] / first[1];
  return undefined;
}

async function tiffDocument(src: PacketSource): Promise<{ doc: PDFDocument; frames: number }> {
  preflightImage(src.bytes, 'image/tiff');
  const ifds = tiffDirectories(src.bytes);
  const ab = wholeArrayBuffer(src.bytes); // utif2 reads an ArrayBuffer; no copy when the file has one of its own
  const doc = await PDFDocument.create();
  for (const [pageIndex, ifd] of ifds.entries()) {
    const failPage = () =>
      new AppError('IMAGE_UNSUPPORTED', `Page ${pageIndex + 1} of a selected TIFF image cannot be read.`, { sourceId: src.id, page: pageIndex + 1 });
    let rgba: Uint8Array;
    try {
      UTIF.decodeImage(ab, ifd);
      rgba = UTIF.toRGBA8(ifd);
    } catch {
      throw failPage();
    }
    const { width, height } = ifd;
    if (!width || !height || rgba.length < width * height * 4) throw failPage();
    // The decoded pixels are no longer needed once converted below; drop utif2's copy early.
    delete (ifd as { data?: unknown }).data;
    const bps = tagNumber(ifd, 't258') ?? 1;
    const spp = tagNumber(ifd, 't277') ?? 1;
    let data: Uint8Array;
    let colorSpace: string;
    let bpc: number;
    if (bps === 1 && spp === 1) {
      // Bilevel (fax): 1 bit per pixel, 1 = white.
      const rowBytes = Math.ceil(width / 8);
      data = new Uint8Array(rowBytes * height);
      for (let yy = 0; yy < height; yy++) {
        for (let xx = 0; xx < width; xx++) {
          if ((rgba[(yy * width + xx) * 4] ?? 0) >= 128) data[yy * rowBytes + (xx >> 3)]! |= 0x80 >> (xx & 7);
        }
      }
      colorSpace = 'DeviceGray';
      bpc = 1;
    } else if (spp === 1) {
      data = new Uint8Array(width * height);
      for (let i = 0; i < width * height; i++) data[i] = rgba[i * 4]!;
      colorSpace = 'DeviceGray';
      bpc = 8;
    } else {
      data = new Uint8Array(width * height * 3);
      for (let i = 0; i < width * height; i++) {
        data[i * 3] = rgba[i * 4]!;
        data[i * 3 + 1] = rgba[i * 4 + 1]!;
        data[i * 3 + 2] = rgba[i * 4 + 2]!;
      }
      colorSpace = 'DeviceRGB';
      bpc = 8;
    }
    const raw = doc.context.stream(deflateSync(data), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: width,
      Height: height,
      ColorSpace: colorSpace,
      BitsPerComponent: bpc,
      Filter: 'FlateDecode',
    });
    const ref = doc.context.register(raw);
    // Physical size from the resolution tags (fax: 204 x 98 dpi gives non-square pixels).
    const xres = tagNumber(ifd, 't282') ?? 0;
    const yres = tagNumber(ifd, 't283') ?? 0;
    const physW = xres > 0 && yres > 0 ? width / xres : width;
    const physH = xres > 0 && yres > 0 ? height / yres : height;
    placeImage(doc, ref, physW, physH);
  }
  return { doc, frames: ifds.length };
}

