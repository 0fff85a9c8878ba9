/**
 * Stamps drawn on every page (release number, "page n of N", "part k of n"), upright
 * as the reader sees the page whatever its /Rotate (ISO 32000-1 §7.7.3.3: /Rotate turns
 * the page clockwise for display) and inside its crop box.
 */
import { deflateSync } from 'node:zlib';
import { type PDFFont, PDFName, type PDFPage, PDFRawStream } from 'pdf-lib';
import { type FontSet, runs } from './fonts';

/** The page as displayed: its width and height in points and a map from display to user coordinates. */
export interface VisualFrame {
  width: number;
  height: number;
  rotation: 0 | 90 | 180 | 270;
  toUser(vx: number, vy: number): [number, number];
}

/** The displayed frame of `page` (crop box turned by /Rotate). */
export function visualFrame(page: PDFPage): VisualFrame {
  const { x: bx, y: by, width: W, height: H } = page.getCropBox();
  const r = ((((page.getRotation().angle ?? 0) % 360) + 360) % 360) as number;
  const rotation = (Math.round(r / 90) * 90) % 360 as 0 | 90 | 180 | 270;
  switch (rotation) {
    case 90:
      return { width: H, height: W, rotation, toUser: (vx, vy) => [bx + W - vy, by + vx] };
    case 180:
      return { width: W, height: H, rotation, toUser: (vx, vy) => [bx + W - vx, by + H - vy] };
    case 270:
      return { width: H, height: W, rotation, toUser: (vx, vy) => [bx + vy, by + H - vx] };
    default:
      return { width: W, height: H, rotation: 0, toUser: (vx, vy) => [bx + vx, by + vy] };
  }
}

/** Size of stamp text, in points. */
export const STAMP_FONT_SIZE = 8;

const FLATE_DECODE = PDFName.of('FlateDecode');

/** cos and sin of each quarter turn, exact. */
const TURN: Record<VisualFrame['rotation'], [number, number]> = { 0: [1, 0], 90: [0, 1], 180: [-1, 0], 270: [0, -1] };

/** A number as a content stream operand: at most 3 decimals, never an exponent or "-0". */
function num(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  return r === 0 ? '0' : String(r);
}

/** The page's /Font resource name for `font`: the one already naming it, else a new one (pdf-lib's unique key). */
function fontKey(page: PDFPage, font: PDFFont): PDFName {
  const dict = page.node.normalizedEntries().Font;
  for (const [key, value] of dict.entries()) if (value === font.ref) return key;
  return page.node.newFontDictionary(font.name, font.ref);
}

/**
 * Draw `text` centred at the bottom (or top) edge of the displayed page, on a white band
 * so it stays legible over scanned content.
 *
 * The stamp is one small content stream of its own (Flate-compressed with native zlib), appended to the page's
 * /Contents after the page's own content, which pdf-lib wraps in q … Q first (so a transformation the page leaves
 * in place does not move the stamp): a white rectangle (`re f`), then the text in the bold packet font, shown with
 * `Tj` in the font's Identity-H encoding (ISO 32000-1 §8.5.3, §9.4). Written directly rather than through pdf-lib's
 * drawing operators: the same operators, without an object per operand for each of a packet's thousands of pages.
 *
 * @param page a page of the document whose `fonts` were embedded
 * @param text the stamp (any script: characters the bold font lacks are drawn with a fallback, as {@link runs} picks)
 */
export function stampPage(page: PDFPage, text: string, fonts: FontSet, edge: 'bottom' | 'top' = 'bottom'): void {
  const f = visualFrame(page);
  const size = STAMP_FONT_SIZE;
  const pieces = runs(text, fonts, true).map((r) => ({ font: r.font, hex: r.font.encodeText(r.text).toString(), width: r.font.widthOfTextAtSize(r.text, size) }));
  const w = pieces.reduce((sum, p) => sum + p.width, 0);
  const pad = 3;
  const vx = Math.max(pad, (f.width - w) / 2);
  const vy = edge === 'bottom' ? 12 : f.height - 12 - size;
  const [c, s] = TURN[f.rotation];
  const turn = `${c} ${s} ${-s || 0} ${c}`;
  const [rx, ry] = f.toUser(vx - pad, vy - pad - 1);
  let ops = `q\n1 1 1 rg\n${turn} ${num(rx)} ${num(ry)} cm\n0 0 ${num(w + 2 * pad)} ${num(size + 2 * pad + 1)} re\nf\nQ\nq\nBT\n0 0 0 rg\n`;
  const [tx, ty] = f.toUser(vx, vy);
  let dx = 0;
  for (const p of pieces) {
    ops += `${fontKey(page, p.font).toString()} ${size} Tf\n${turn} ${num(tx + dx * c)} ${num(ty + dx * s)} Tm\n${p.hex} Tj\n`;
    dx += p.width;
  }
  ops += 'ET\nQ\n';
  const context = page.doc.context;
  const stream = PDFRawStream.of(context.obj({ Filter: FLATE_DECODE }), deflateSync(Buffer.from(ops, 'latin1')));
  page.node.addContentStream(context.register(stream));
}

