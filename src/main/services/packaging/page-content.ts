/**
 * Content written straight into a page as one content stream of its own (ISO 32000-1 §7.8.2, operators of §8.5,
 * §9.4): the packet's cover, manifest and stamps. The same operators pdf-lib's drawText, drawLine and drawRectangle
 * write, built as text and Flate-compressed with native zlib once, instead of one pdf-lib object per operand and
 * operator and a content stream serialized at save (thousands of them in a large packet).
 *
 * The stream is appended to the page's /Contents after the page's own content, which pdf-lib wraps in q … Q first
 * (PDFPageLeaf.normalize), so a transformation the page leaves in place does not move what is drawn here.
 */
import { deflateSync } from 'node:zlib';
import { PDFDict, type PDFFont, PDFName, type PDFPage, PDFRawStream } from 'pdf-lib';
import { type FontSet, encodePerCharacter, runs } from './fonts';

const FLATE_DECODE = PDFName.of('FlateDecode');

/**
 * A stamp's stream is ~250 bytes: a 512-byte window holds all of it, so zlib's smallest state (window 2^9, memLevel 1:
 * a few KiB instead of ~270 KiB allocated and cleared per stream) finds the same matches, in ~60 % of the time.
 */
const SMALL = 512;
const SMALL_STREAM = { windowBits: 9, memLevel: 1 } as const;

/** A number as a content stream operand: at most 3 decimals, never an exponent or "-0". */
export function num(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  return r === 0 ? '0' : String(r);
}

/** The page's /Font resource name for `font`: the one already naming it, else a new one (pdf-lib's unique key). */
function fontKey(page: PDFPage, font: PDFFont): string {
  page.node.normalize(); // (once per page) the page has its own /Resources with a /Font dictionary
  const dict = page.node.Resources()?.lookupMaybe(FONT, PDFDict);
  if (dict) for (const [key, value] of dict.entries()) if (value === font.ref) return key.toString();
  return page.node.newFontDictionary(font.name, font.ref).toString();
}

const FONT = PDFName.of('Font');

/** An RGB colour, components 0..1. */
export type Rgb = readonly [number, number, number];

const rgbOperands = (c: Rgb) => `${num(c[0])} ${num(c[1])} ${num(c[2])}`;

/** Operators for one page, written to it by {@link PageContent.finish}. */
export class PageContent {
  private ops = '';
  /** The page's resource name of each font used here. */
  private readonly fontKeys = new Map<PDFFont, string>();

  constructor(
    private readonly page: PDFPage,
    private readonly fonts: FontSet,
  ) {}

  /**
   * Text in the packet fonts (each character in the first font that has it, as fonts.ts `runs` picks), its baseline
   * starting at (x, y) in user space, turned `rotate` degrees counter-clockwise (a multiple of 90), black unless `color`.
   * @returns the width drawn, in points
   */
  text(text: string, o: { x: number; y: number; size: number; bold?: boolean; rotate?: 0 | 90 | 180 | 270; color?: Rgb }): number {
    const [c, s] = TURN[o.rotate ?? 0];
    let dx = 0;
    let body = '';
    for (const r of runs(text, this.fonts, o.bold ?? false)) {
      // Plain text: codes and width from the font's per-character cache (fonts.ts); else pdf-lib's (shaped) encoding.
      const plain = encodePerCharacter(r.font, r.text, 'hex');
      const hex = plain ? `<${plain.codes}>` : r.font.encodeText(r.text).toString();
      let key = this.fontKeys.get(r.font);
      if (key === undefined) this.fontKeys.set(r.font, (key = fontKey(this.page, r.font)));
      body += `${key} ${num(o.size)} Tf\n${c} ${s} ${-s || 0} ${c} ${num(o.x + dx * c)} ${num(o.y + dx * s)} Tm\n${hex} Tj\n`;
      dx += plain ? plain.width1000 * (o.size / 1000) : r.font.widthOfTextAtSize(r.text, o.size);
    }
    if (body) this.ops += `q\nBT\n${rgbOperands(o.color ?? [0, 0, 0])} rg\n${body}ET\nQ\n`;
    return dx;
  }

  /** A straight line from (x1, y1) to (x2, y2), `width` points wide. */
  line(x1: number, y1: number, x2: number, y2: number, width: number, color: Rgb): void {
    this.ops += `q\n${rgbOperands(color)} RG\n${num(width)} w\n${num(x1)} ${num(y1)} m\n${num(x2)} ${num(y2)} l\nS\nQ\n`;
  }

  /** A rectangle's outline, `width` points wide; (x, y) its lower left corner. */
  strokeRect(x: number, y: number, w: number, h: number, width: number, color: Rgb): void {
    this.ops += `q\n${rgbOperands(color)} RG\n${num(width)} w\n${num(x)} ${num(y)} ${num(w)} ${num(h)} re\nS\nQ\n`;
  }

  /** A filled rectangle turned `rotate` degrees counter-clockwise about (x, y), its lower left corner before turning. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb, rotate: 0 | 90 | 180 | 270 = 0): void {
    const [c, s] = TURN[rotate];
    this.ops += `q\n${rgbOperands(color)} rg\n${c} ${s} ${-s || 0} ${c} ${num(x)} ${num(y)} cm\n0 0 ${num(w)} ${num(h)} re\nf\nQ\n`;
  }

  /** Append what was drawn to the page as one Flate-compressed content stream (nothing when nothing was drawn). */
  finish(): void {
    if (!this.ops) return;
    const context = this.page.doc.context;
    const bytes = Buffer.from(this.ops, 'latin1');
    const stream = PDFRawStream.of(context.obj({ Filter: FLATE_DECODE }), deflateSync(bytes, bytes.length <= SMALL ? SMALL_STREAM : undefined));
    this.page.node.addContentStream(context.register(stream));
    this.ops = '';
  }
}

/** cos and sin of each quarter turn, exact. */
const TURN: Record<0 | 90 | 180 | 270, [number, number]> = { 0: [1, 0], 90: [0, 1], 180: [-1, 0], 270: [0, -1] };
