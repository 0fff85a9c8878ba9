/**
 * A landscape, paginated table report on pdf-lib, drawn with the packet fonts (packaging/fonts.ts:
 * DejaVu Sans for Latin incl. Vietnamese and Cyrillic, Droid Sans Fallback for Chinese/Japanese/Korean,
 * chosen glyph by glyph). Every page carries the practice name, the report title and period, the
 * table header, and a footer "Page n of N · generated <time> by <staff member>". The first page opens
 * with a block of labelled facts (who generated it, when, chain verification, checkpoint).
 *
 * Units: PDF points (1/72 in). Page: US Letter landscape, 792 × 612 pt.
 */
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFRawStream, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { drawText, embedFonts, textWidth, wrapText, type FontSet } from '../packaging/fonts';

const W = 792;
const H = 612;
const M = 40;
const INK: [number, number, number] = [0.12, 0.14, 0.17];
const MUTED: [number, number, number] = [0.4, 0.43, 0.48];
const ACCENT: [number, number, number] = [0.13, 0.33, 0.55];
const ALERT: [number, number, number] = [0.7, 0.1, 0.1];
const RULE = rgb(0.8, 0.82, 0.85);

/** A table column: header, share of the table width (fractions summing to 1). */
export interface Column {
  header: string;
  width: number;
}

/** What a report is made of. */
export interface ReportSpec {
  practiceName: string;
  title: string;
  /** e.g. "2026-01-01 to 2026-03-31". */
  period: string;
  generatedAt: string;
  generatedBy: string;
  /** Labelled facts under the title on page 1 (label, value, alert?). */
  facts: Array<{ label: string; value: string; alert?: boolean }>;
  /** Paragraphs after the facts (plain text). */
  notes?: string[];
  columns: readonly Column[];
  rows: string[][];
  /** Shown instead of the table when there are no rows. */
  emptyText: string;
  /** Called after every 500 rows laid out (progress), with rows done and total. */
  onProgress?: (done: number, total: number) => void;
}

const CELL = 8;
const LINE = CELL * 1.3;
const PAD = 3;

/**
 * Draw the report.
 * @param assetsRoot the assets folder (fonts); default `<cwd>/assets`
 * @returns the PDF bytes and its page count
 * @throws AppError FONT_MISSING when a bundled font cannot be read
 */
export async function renderReportPdf(spec: ReportSpec, assetsRoot?: string): Promise<{ pdf: Uint8Array; pages: number }> {
  const doc = await PDFDocument.create();
  doc.setTitle(spec.title);
  doc.setAuthor(spec.practiceName);
  doc.setCreator('ReleaseDesk');
  doc.setProducer('ReleaseDesk');
  spec = { ...spec, rows: spec.rows.map((r) => r.map((c) => c.normalize('NFC'))) };
  const sample = [spec.practiceName, spec.title, spec.period, spec.generatedBy, ...spec.facts.map((f) => f.value), ...(spec.notes ?? []), ...spec.rows.flat()];
  const fonts = await embedFonts(doc, sample, assetsRoot);
  for (const f of [fonts.regular, fonts.bold, ...fonts.fallbacks.map((x) => x.font)]) cmapOnlyLayout(f);
  const tableW = W - 2 * M;
  const colX: number[] = [];
  let x = M;
  for (const c of spec.columns) {
    colX.push(x);
    x += c.width * tableW;
  }
  const colW = spec.columns.map((c) => c.width * tableW - 2 * PAD);
  const pages: PDFPage[] = [];
  let page!: PDFPage;
  let y = 0;

  const header = () => {
    const h = LINE + 2 * PAD;
    page.drawRectangle({ x: M, y: y - h, width: tableW, height: h, color: rgb(0.9, 0.93, 0.96) });
    spec.columns.forEach((c, i) => drawText(page, c.header, fonts, { x: colX[i]! + PAD, y: y - PAD - CELL, size: CELL, bold: true, color: INK }));
    y -= h;
  };
  const newPage = (withTableHeader: boolean) => {
    page = doc.addPage([W, H]);
    pages.push(page);
    drawText(page, spec.practiceName, fonts, { x: M, y: H - M + 4, size: 12, bold: true, color: ACCENT });
    const right = `${spec.title} · ${spec.period}`;
    drawText(page, right, fonts, { x: W - M - textWidth(right, 8, fonts), y: H - M + 6, size: 8, color: MUTED });
    page.drawLine({ start: { x: M, y: H - M - 4 }, end: { x: W - M, y: H - M - 4 }, thickness: 0.8, color: rgb(...ACCENT) });
    y = H - M - 14;
    if (withTableHeader) header();
  };
  const bottom = M + 18;

  newPage(false);
  for (const l of wrapText(spec.title, W - 2 * M, 16, fonts, true)) {
    drawText(page, l, fonts, { x: M, y: y - 16, size: 16, bold: true, color: INK });
    y -= 22;
  }
  y -= 4;
  const labelW = 150;
  for (const f of spec.facts) {
    const lines = wrapText(f.value, W - 2 * M - labelW, 9, fonts);
    drawText(page, f.label, fonts, { x: M, y: y - 9, size: 9, bold: true, color: MUTED });
    for (const l of lines) {
      drawText(page, l, fonts, { x: M + labelW, y: y - 9, size: 9, bold: f.alert, color: f.alert ? ALERT : INK });
      y -= 12.5;
    }
  }
  for (const n of spec.notes ?? []) {
    y -= 4;
    for (const l of wrapText(n, W - 2 * M, 8.5, fonts)) {
      if (y - 12 < bottom) newPage(false);
      drawText(page, l, fonts, { x: M, y: y - 8.5, size: 8.5, color: MUTED });
      y -= 11.5;
    }
  }
  y -= 10;
  if (spec.rows.length === 0) {
    drawText(page, spec.emptyText, fonts, { x: M, y: y - 10, size: 10, color: INK });
  } else {
    if (y - 60 < bottom) newPage(false);
    header();
    const glyphs = new GlyphTable(fonts);
    let body = new TableBody(page, glyphs);
    for (let r = 0; r < spec.rows.length; r++) {
      const row = spec.rows[r]!;
      const cells = row.map((v, i) => wrapText(v, colW[i]!, CELL, fonts, false, (t) => glyphs.width(t) * CELL));
      const h = Math.max(1, ...cells.map((c) => c.length)) * LINE + 2 * PAD;
      if (y - h < bottom) {
        body.finish(doc);
        newPage(true);
        body = new TableBody(page, glyphs);
      }
      if (r % 2 === 1) body.rect(M, y - h, tableW, h, STRIPE_RGB);
      body.beginText(INK);
      cells.forEach((lines, i) => lines.forEach((l, k) => body.text(l, colX[i]! + PAD, y - PAD - CELL - k * LINE)));
      body.endText();
      y -= h;
      body.line(M, y, W - M, 0.3, RULE_RGB);
      if ((r + 1) % 500 === 0) {
        spec.onProgress?.(r + 1, spec.rows.length);
        await new Promise((res) => setImmediate(res)); // let progress events out and keep the main process responsive
      }
    }
    body.finish(doc);
  }

  const n = pages.length;
  pages.forEach((p, i) => footer(p, fonts, `Page ${i + 1} of ${n}`, `Generated ${spec.generatedAt} by ${spec.generatedBy} · ReleaseDesk`));
  spec.onProgress?.(spec.rows.length, spec.rows.length);
  return { pdf: await doc.save({ useObjectStreams: true }), pages: n };
}

function footer(p: PDFPage, fonts: FontSet, center: string, left: string): void {
  p.drawLine({ start: { x: M, y: M - 4 }, end: { x: W - M, y: M - 4 }, thickness: 0.5, color: RULE });
  drawText(p, left, fonts, { x: M, y: M - 16, size: 7.5, color: MUTED });
  drawText(p, center, fonts, { x: W - M - textWidth(center, 8, fonts), y: M - 16, size: 8, color: MUTED });
}

/**
 * Table text needs no OpenType shaping: no ligatures or kerning matter in a report table, and Latin (incl.
 * precomposed Vietnamese after NFC), Cyrillic and CJK map one code point to one glyph. Replacing fontkit's
 * GSUB/GPOS layout with the cmap lookup for this document's fonts makes a 10,000-row report about 5× faster
 * (measured with `npm run bench`). Scripts that need shaping (Arabic, Indic) are not drawn by these fonts anyway.
 */
function cmapOnlyLayout(font: PDFFont): void {
  const kit = (font as unknown as { embedder?: { font?: { layout?: unknown; glyphsForString?: (s: string) => unknown[] } } }).embedder?.font;
  if (!kit || typeof kit.glyphsForString !== 'function') return;
  const glyphsFor = kit.glyphsForString.bind(kit);
  kit.layout = (text: string) => ({ glyphs: glyphsFor(text) });
}

/** One glyph of an embedded font: its code in the font's Identity-H encoding (hex) and its advance (text space, 1 pt type). */
interface Glyph {
  font: PDFFont;
  hex: string;
  advance: number;
}

/**
 * Glyph lookup for table text, per code point: the font that covers it (DejaVu, else the first fallback that has
 * it), its hex code and advance. Encoding a code point once through pdf-lib also marks the glyph for the font
 * subset. With cmap-only layout (see {@link cmapOnlyLayout}) a string's glyphs are exactly its code points'
 * glyphs, so a cell is encoded by concatenation instead of a fontkit layout per string.
 */
class GlyphTable {
  private readonly byCodePoint = new Map<number, Glyph>();

  constructor(private readonly fonts: FontSet) {}

  /** The glyph drawing code point `cp`. */
  glyph(cp: number): Glyph {
    let g = this.byCodePoint.get(cp);
    if (!g) {
      const { fonts } = this;
      const font = fonts.regularChars.has(cp) ? fonts.regular : (fonts.fallbacks.find((x) => x.chars.has(cp))?.font ?? fonts.regular);
      const ch = String.fromCodePoint(cp);
      const hex = font.encodeText(ch).toString().slice(1, -1); // "<0041>" -> "0041"
      g = { font, hex, advance: font.widthOfTextAtSize(ch, 1) };
      this.byCodePoint.set(cp, g);
    }
    return g;
  }

  /** Width of `text` in points at 1 pt type. */
  width(text: string): number {
    let w = 0;
    for (const ch of text) w += this.glyph(ch.codePointAt(0)!).advance;
    return w;
  }
}

/** A number as PDF content-stream text: at most 2 decimals, no trailing zeros. */
const num = (v: number): string => String(Math.round(v * 100) / 100);
const STRIPE_RGB: [number, number, number] = [0.955, 0.965, 0.975];
const RULE_RGB: [number, number, number] = [0.8, 0.82, 0.85];

/**
 * The table rows of one page, written as content-stream operators (ISO 32000-1 §8.2, §9.4) into one stream per
 * page, compressed with node:zlib. pdf-lib builds an object per operator and deflates in JavaScript; for a report
 * of 10,000 events that was most of the time (measured with `npm run bench`). Every row is a balanced q/Q or BT/ET.
 */
class TableBody {
  private readonly parts: string[] = [];
  private readonly names = new Map<PDFFont, string>();

  constructor(
    private readonly page: PDFPage,
    private readonly glyphs: GlyphTable,
  ) {}

  rect(x: number, y: number, w: number, h: number, [r, g, b]: [number, number, number]): void {
    this.parts.push(`q ${r} ${g} ${b} rg ${num(x)} ${num(y)} ${num(w)} ${num(h)} re f Q`);
  }

  line(x1: number, y: number, x2: number, width: number, [r, g, b]: [number, number, number]): void {
    this.parts.push(`q ${width} w ${r} ${g} ${b} RG ${num(x1)} ${num(y)} m ${num(x2)} ${num(y)} l S Q`);
  }

  beginText([r, g, b]: [number, number, number]): void {
    this.parts.push(`BT ${r} ${g} ${b} rg`);
  }

  endText(): void {
    this.parts.push('ET');
  }

  /** Draw `text` at (x, y) in CELL-size type, one Tj per run of glyphs from the same font. */
  text(text: string, x: number, y: number): void {
    let dx = 0;
    let run = '';
    let runFont: PDFFont | null = null;
    let runWidth = 0;
    const flush = () => {
      if (!run || !runFont) return;
      this.parts.push(`${this.fontName(runFont)} ${CELL} Tf 1 0 0 1 ${num(x + dx)} ${num(y)} Tm <${run}> Tj`);
      dx += runWidth * CELL;
      run = '';
      runWidth = 0;
    };
    for (const ch of text) {
      const g = this.glyphs.glyph(ch.codePointAt(0)!);
      if (g.font !== runFont) {
        flush();
        runFont = g.font;
      }
      run += g.hex;
      runWidth += g.advance;
    }
    flush();
  }

  /** Compress the operators and append them to the page's /Contents. */
  finish(doc: PDFDocument): void {
    if (this.parts.length === 0) return;
    const bytes = deflateSync(Buffer.from(this.parts.join('\n'), 'latin1'));
    const stream = PDFRawStream.of(doc.context.obj({ Filter: 'FlateDecode' }), bytes);
    this.page.node.addContentStream(doc.context.register(stream));
    this.parts.length = 0;
  }

  private fontName(font: PDFFont): string {
    let name = this.names.get(font);
    if (!name) this.names.set(font, (name = this.page.node.newFontDictionary(font.name, font.ref).toString()));
    return name;
  }
}
