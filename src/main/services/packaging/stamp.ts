/**
 * Stamps drawn on every page (release number, "page n of N", "part k of n"), upright
 * as the reader sees the page whatever its /Rotate (ISO 32000-1 §7.7.3.3: /Rotate turns
 * the page clockwise for display) and inside its crop box.
 */
import { PDFArray, PDFDict, PDFName, type PDFPage, PDFRawStream } from 'pdf-lib';
import { type FontSet, encodePerCharacter, runs, textWidth } from './fonts';
import { PageContent, num } from './page-content';

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

/**
 * Draw `text` centred at the bottom (or top) edge of the displayed page, on a white band
 * so it stays legible over scanned content.
 *
 * The stamp is one small content stream of its own (page-content.ts), after the page's own content: a white
 * rectangle (`re f`), then the text in the bold packet font, shown with `Tj` in the font's Identity-H encoding
 * (ISO 32000-1 §8.5.3, §9.4).
 *
 * @param page a page of the document whose `fonts` were embedded
 * @param text the stamp (any script: characters the bold font lacks are drawn with a fallback, as fonts.ts `runs` picks)
 */
export function stampPage(page: PDFPage, text: string, fonts: FontSet, edge: 'bottom' | 'top' = 'bottom'): void {
  const f = visualFrame(page);
  const size = STAMP_FONT_SIZE;
  const w = textWidth(text, size, fonts, true);
  const pad = 3;
  const vx = Math.max(pad, (f.width - w) / 2);
  const vy = edge === 'bottom' ? 12 : f.height - 12 - size;
  const content = new PageContent(page, fonts);
  const [rx, ry] = f.toUser(vx - pad, vy - pad - 1);
  content.fillRect(rx, ry, w + 2 * pad, size + 2 * pad + 1, [1, 1, 1], f.rotation);
  const [tx, ty] = f.toUser(vx, vy);
  content.text(text, { x: tx, y: ty, size, bold: true, rotate: f.rotation });
  content.finish();
}

/** Space between the stamp's text and the edge of its white band, in points (and one more below the baseline). */
const PAD = 3;

const FONT = PDFName.of('Font');
const CONTENTS = PDFName.of('Contents');

/** The first four operands of a matrix (cm, Tm) turning a quarter turn counter-clockwise: cos sin -sin cos, exact. */
const TURN_OPERANDS: Record<0 | 90 | 180 | 270, string> = { 0: '1 0 0 1', 90: '0 1 -1 0', 180: '-1 0 0 -1', 270: '0 -1 1 0' };

/**
 * The stamps of one document's pages, drawn as {@link stampPage} draws them (same band, text, font, size and
 * place), with what is the same on every page worked out once per document:
 * - each character's code and width in the bold font, when pdf-lib lays the stamp out one glyph per character
 *   (fonts.ts encodePerCharacter: no shaping can change it), so the text is neither shaped, measured nor
 *   encoded again per page;
 * - the bold font's name in each /Font resource dictionary (the pages of one source share theirs): added once, a
 *   short name ("/RDb") that no resource of the page uses;
 * - the page's content stream: one line of operators, the text as a literal string (2 bytes a glyph, ISO 32000-1
 *   §7.3.4.2, §9.7.6.2 Identity-H) and stored unfiltered — about as small as the hex form Flate-compressed, without
 *   a zlib stream per page — appended to the page's /Contents array by reference.
 * A stamp the fast path does not cover (characters outside the bold font, text that is shaped) is drawn by {@link stampPage}.
 *
 * @source ISO 32000-1:2008 §7.8.2 (content streams, /Contents arrays), §8.4.4 (q, Q, cm), §8.5.3 (re f), §9.4 (BT, Tf, Tm, Tj, ET)
 */
export class Stamper {
  /** Font resource dictionaries seen, and the bold font's name in each. */
  private readonly fontNames = new WeakMap<PDFDict, PDFName>();

  constructor(private readonly fonts: FontSet) {}

  /**
   * Stamp `text` on `page` (see {@link stampPage}).
   * @param page a page of the document whose `fonts` were embedded
   */
  stamp(page: PDFPage, text: string, edge: 'bottom' | 'top' = 'bottom'): void {
    const run = this.encode(text);
    if (!run) {
      stampPage(page, text, this.fonts, edge);
      return;
    }
    const f = visualFrame(page);
    const size = STAMP_FONT_SIZE;
    const w = run.width1000 * (size / 1000);
    const vx = Math.max(PAD, (f.width - w) / 2);
    const vy = edge === 'bottom' ? 12 : f.height - 12 - size;
    const [rx, ry] = f.toUser(vx - PAD, vy - PAD - 1);
    const [tx, ty] = f.toUser(vx, vy);
    const turn = TURN_OPERANDS[f.rotation];
    const name = this.fontName(page);
    // stampPage's operators and operands (so the same pixels), on one line, white and black as gray levels.
    const ops =
      `q 1 g ${turn} ${num(rx)} ${num(ry)} cm 0 0 ${num(w + 2 * PAD)} ${num(size + 2 * PAD + 1)} re f Q ` +
      `q 0 g BT ${name.toString()} ${size} Tf ${turn} ${num(tx)} ${num(ty)} Tm (${run.codes}) Tj ET Q\n`;
    const context = page.doc.context;
    const ref = context.register(PDFRawStream.of(PDFDict.withContext(context), Buffer.from(ops, 'latin1')));
    const contents = page.node.lookup(CONTENTS);
    if (contents instanceof PDFArray) contents.push(ref);
    else page.node.addContentStream(ref);
  }

  /** `text`'s codes (a literal string's body) and width at 1,000 pt in the bold font, or undefined when it is not drawn one glyph per character in it. */
  private encode(text: string): { codes: string; width1000: number } | undefined {
    const font = this.fonts.bold;
    const pieces = runs(text, this.fonts, true);
    if (pieces.length !== 1 || pieces[0]!.font !== font || pieces[0]!.text !== text) return undefined;
    return encodePerCharacter(font, text, 'literal');
  }

  /** The bold font's name in `page`'s /Font resources: the one already naming it, else a new short one. */
  private fontName(page: PDFPage): PDFName {
    const font = this.fonts.bold;
    page.node.normalize(); // (once per page) the page has its own /Resources with a /Font dictionary; its content in q … Q
    const dict = page.node.Resources()?.lookupMaybe(FONT, PDFDict);
    if (!dict) return page.node.newFontDictionary(font.name, font.ref);
    const known = this.fontNames.get(dict);
    if (known && dict.get(known) === font.ref) return known;
    let name: PDFName | undefined;
    for (const [key, value] of dict.entries()) if (value === font.ref) name = key;
    if (!name) {
      for (let k = 0; !name || dict.has(name); k++) name = PDFName.of(k === 0 ? 'RDb' : `RDb${k}`);
      dict.set(name, font.ref);
    }
    this.fontNames.set(dict, name);
    return name;
  }
}
