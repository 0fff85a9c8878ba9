/**
 * Read a stored PDF's text layer and render its pages to small PNG images, in the main process, in memory.
 *
 * Library: Mozilla PDF.js (`pdfjs-dist` legacy build, the one meant for Node; rendering through its Node canvas
 * factory, `@napi-rs/canvas`). Nothing is written to disk; no network (fonts come from the package's own
 * `standard_fonts/` folder); `isEvalSupported: false` so a PDF cannot make PDF.js compile code.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../../shared/errors';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDoc = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

let pdfjs: Promise<PdfJs> | null = null;
function lib(): Promise<PdfJs> {
  // Imported by absolute file URL: a bare specifier fails where this module itself was loaded from a data: URL
  // (tsx's ESM loader) and the package is external to the main bundle anyway.
  pdfjs ??= import(pathToFileURL(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs')).href) as Promise<PdfJs>;
  return pdfjs;
}

/** `file://…/standard_fonts/` of the installed pdfjs-dist (PDF.js reads the 14 standard fonts from there). */
function standardFontDataUrl(): string {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  // PDF.js's Node font factory reads the files with fs: a plain folder path with a trailing separator.
  return `${join(root, 'standard_fonts')}/`;
}

/** Largest page count read for the patient check (pages after it are not compared). */
export const MAX_TEXT_PAGES = 2000;
/** Preview widths (CSS pixels) accepted by renderPagePng. */
export const PREVIEW_MIN_WIDTH = 80;
export const PREVIEW_MAX_WIDTH = 1000;

async function open(bytes: Buffer): Promise<PdfDoc> {
  const { getDocument } = await lib();
  try {
    // A copy: PDF.js transfers (detaches) the array it is given.
    return await getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      verbosity: 0,
      standardFontDataUrl: standardFontDataUrl(),
      useSystemFonts: false,
      disableFontFace: true,
    }).promise;
  } catch {
    throw new AppError('FILE_UNREADABLE', 'This PDF cannot be read.', { reason: 'pdfjs' });
  }
}

/**
 * The text of each page (ISO 32000-1 §9.10: text extraction from the content stream; no OCR), in page order.
 * Items are joined by spaces, with a newline where PDF.js reports an end of line.
 * @param bytes a PDF already accepted by checkPdf (not encrypted)
 * @returns one string per page (at most MAX_TEXT_PAGES), '' for a page without a text layer
 * @throws AppError FILE_UNREADABLE when PDF.js cannot parse the file
 */
export async function extractPageTexts(bytes: Buffer): Promise<string[]> {
  const doc = await open(bytes);
  try {
    const out: string[] = [];
    for (let n = 1; n <= Math.min(doc.numPages, MAX_TEXT_PAGES); n++) {
      const page = await doc.getPage(n);
      const tc = await page.getTextContent();
      let s = '';
      for (const it of tc.items) {
        if (!('str' in it)) continue;
        s += it.str + (it.hasEOL ? '\n' : ' ');
      }
      out.push(s);
      page.cleanup();
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

/**
 * Render one page to a PNG about `width` CSS pixels wide (height by the page's aspect ratio), in memory.
 * @param page 1-based page number
 * @param width target width in pixels, clamped to PREVIEW_MIN_WIDTH..PREVIEW_MAX_WIDTH
 * @returns the PNG bytes, its pixel size and the document's page count
 * @throws AppError VALIDATION_FAILED when `page` is not a page of the document | FILE_UNREADABLE
 */
export async function renderPagePng(bytes: Buffer, page: number, width: number): Promise<{ png: Buffer; width: number; height: number; pageCount: number }> {
  const doc = await open(bytes);
  try {
    if (!Number.isInteger(page) || page < 1 || page > doc.numPages)
      throw new AppError('VALIDATION_FAILED', `This document has ${doc.numPages} page${doc.numPages === 1 ? '' : 's'}.`, { reason: 'page_out_of_range' });
    const p = await doc.getPage(page);
    const base = p.getViewport({ scale: 1 });
    const w = Math.max(PREVIEW_MIN_WIDTH, Math.min(PREVIEW_MAX_WIDTH, Math.round(width)));
    const vp = p.getViewport({ scale: w / base.width });
    const factory = doc.canvasFactory as { create(w: number, h: number): { canvas: { toBuffer(t: 'image/png'): Buffer }; context: unknown } };
    const { canvas, context } = factory.create(Math.ceil(vp.width), Math.ceil(vp.height));
    await p.render({ canvasContext: context as CanvasRenderingContext2D, viewport: vp, canvas: canvas as unknown as HTMLCanvasElement }).promise;
    const png = canvas.toBuffer('image/png');
    p.cleanup();
    return { png, width: Math.ceil(vp.width), height: Math.ceil(vp.height), pageCount: doc.numPages };
  } finally {
    await doc.destroy();
  }
}
