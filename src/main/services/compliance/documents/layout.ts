import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { fontPath } from '../../support/assets';

/** US Letter in PDF points (1 pt = 1/72 in). */
const PAGE_W = 612;
const PAGE_H = 792;
const MARGIN = 64;
const HEADER_H = 56;
const FOOTER_H = 40;
const INK = rgb(0.12, 0.14, 0.17);
const MUTED = rgb(0.42, 0.45, 0.5);
const RULE = rgb(0.78, 0.8, 0.83);
const ACCENT = rgb(0.13, 0.33, 0.55);

/**
 * A calm, single-column document writer on pdf-lib with the embedded DejaVu
 * Sans (Unicode) fonts: practice-name header on every page, "Page n of N"
 * footer, wrapped paragraphs, headings, labeled fields (filled or blank lines),
 * check boxes. Coordinates in points; text sizes in points.
 */
export class DocWriter {
  private page!: PDFPage;
  private y = 0;
  private readonly pages: PDFPage[] = [];

  private constructor(
    readonly pdf: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly practiceName: string,
    private readonly docTitle: string,
  ) {}

  /**
   * Start a document. `assetsRoot` defaults to `<cwd>/assets` (see fontPath).
   * Metadata carries only the generic document title, never a patient's name.
   */
  static async create(practiceName: string, docTitle: string, assetsRoot?: string): Promise<DocWriter> {
    const pdf = await PDFDocument.create();
    pdf.registerFontkit(fontkit);
    const regular = await pdf.embedFont(readFileSync(fontPath('DejaVuSans.ttf', assetsRoot)), { subset: true });
    const bold = await pdf.embedFont(readFileSync(fontPath('DejaVuSans-Bold.ttf', assetsRoot)), { subset: true });
    pdf.setTitle(docTitle);
    pdf.setAuthor(practiceName);
    pdf.setCreator('ReleaseDesk');
    pdf.setProducer('ReleaseDesk');
    const w = new DocWriter(pdf, regular, bold, practiceName, docTitle);
    w.newPage();
    return w;
  }

  private newPage(): void {
    this.page = this.pdf.addPage([PAGE_W, PAGE_H]);
    this.pages.push(this.page);
    const top = PAGE_H - MARGIN + 24;
    this.page.drawText(this.practiceName, { x: MARGIN, y: top - 14, size: 13, font: this.bold, color: ACCENT });
    const t = this.docTitle;
    const tw = this.regular.widthOfTextAtSize(t, 8.5);
    this.page.drawText(t, { x: PAGE_W - MARGIN - tw, y: top - 13, size: 8.5, font: this.regular, color: MUTED });
    this.page.drawLine({ start: { x: MARGIN, y: top - 24 }, end: { x: PAGE_W - MARGIN, y: top - 24 }, thickness: 0.8, color: ACCENT });
    this.y = top - HEADER_H + 4;
  }

  private ensure(h: number): void {
    if (this.y - h < MARGIN + FOOTER_H - 16) this.newPage();
  }

  /** Split `text` into lines no wider than `width` at `size`. */
  wrap(text: string, size: number, width: number, bold = false): string[] {
    const font = bold ? this.bold : this.regular;
    const out: string[] = [];
    for (const para of text.split('\n')) {
      let line = '';
      for (const word of para.split(/\s+/).filter(Boolean)) {
        const cand = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(cand, size) <= width || !line) line = cand;
        else {
          out.push(line);
          line = word;
        }
      }
      out.push(line);
    }
    return out;
  }

  /** Document title (large). */
  title(text: string): void {
    for (const l of this.wrap(text, 17, PAGE_W - 2 * MARGIN, true)) {
      this.ensure(24);
      this.page.drawText(l, { x: MARGIN, y: this.y - 17, size: 17, font: this.bold, color: INK });
      this.y -= 24;
    }
    this.y -= 8;
  }

  /**
   * Section heading with a hairline under it. `keep` (points, default 96): room needed below the top of the heading
   * for it and the start of what follows — never orphan a heading; pass more to keep a longer paragraph with it.
   */
  heading(text: string, keep = 96): void {
    this.ensure(keep);
    this.y -= 12;
    this.page.drawText(text, { x: MARGIN, y: this.y - 12, size: 12, font: this.bold, color: ACCENT });
    this.y -= 17;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE_W - MARGIN, y: this.y }, thickness: 0.5, color: RULE });
    this.y -= 9;
  }

  /** A wrapped paragraph. */
  paragraph(text: string, opts: { size?: number; bold?: boolean; muted?: boolean; indent?: number; after?: number } = {}): void {
    const size = opts.size ?? 10.5;
    const indent = opts.indent ?? 0;
    const lh = size * 1.45;
    const lines = this.wrap(text, size, PAGE_W - 2 * MARGIN - indent, opts.bold);
    if (lines.length <= 6) this.ensure(lines.length * lh); // keep short paragraphs on one page
    for (const l of lines) {
      this.ensure(lh);
      this.page.drawText(l, { x: MARGIN + indent, y: this.y - size, size, font: opts.bold ? this.bold : this.regular, color: opts.muted ? MUTED : INK });
      this.y -= lh;
    }
    this.y -= opts.after ?? 6;
  }

  /** A labeled field: the value when given, else a blank writing line (`lines` of them). */
  field(label: string, value?: string, lines = 1): void {
    const labelLines = this.wrap(label, 8.5, PAGE_W - 2 * MARGIN, true);
    this.ensure(labelLines.length * 12 + 30);
    this.y -= 4;
    for (const l of labelLines) {
      this.page.drawText(l, { x: MARGIN, y: this.y - 9, size: 8.5, font: this.bold, color: MUTED });
      this.y -= 12;
    }
    this.y -= 2;
    if (value && value.trim()) {
      this.paragraph(value, { size: 11, after: 8 });
      return;
    }
    for (let i = 0; i < lines; i++) {
      this.ensure(22);
      this.y -= 18;
      this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE_W - MARGIN, y: this.y }, thickness: 0.6, color: RULE });
    }
    this.y -= 10;
  }

  /** A check box with a wrapped label; `checked` draws a mark. */
  checkbox(label: string, checked = false, indent = 0): void {
    const size = 10.5;
    const lines = this.wrap(label, size, PAGE_W - 2 * MARGIN - indent - 18);
    this.ensure(lines.length * size * 1.45 + 4);
    const x = MARGIN + indent;
    this.page.drawRectangle({ x, y: this.y - 10.5, width: 9, height: 9, borderColor: INK, borderWidth: 0.8 });
    if (checked) this.page.drawText('✓', { x: x + 1, y: this.y - 9.5, size: 9, font: this.bold, color: INK });
    for (const l of lines) {
      this.page.drawText(l, { x: x + 16, y: this.y - size, size, font: this.regular, color: INK });
      this.y -= size * 1.45;
    }
    this.y -= 3;
  }

  /** Check boxes laid out in `cols` columns (short labels), row by row. */
  checkboxGrid(items: readonly (readonly [string, boolean])[], cols = 2): void {
    const size = 10.5;
    const colW = (PAGE_W - 2 * MARGIN) / cols;
    for (let i = 0; i < items.length; i += cols) {
      this.ensure(size * 1.6);
      items.slice(i, i + cols).forEach(([label, checked], j) => {
        const x = MARGIN + j * colW;
        this.page.drawRectangle({ x, y: this.y - 10.5, width: 9, height: 9, borderColor: INK, borderWidth: 0.8 });
        if (checked) this.page.drawText('✓', { x: x + 1, y: this.y - 9.5, size: 9, font: this.bold, color: INK });
        const text = this.wrap(label, size, colW - 24)[0] ?? '';
        this.page.drawText(text, { x: x + 16, y: this.y - size, size, font: this.regular, color: INK });
      });
      this.y -= size * 1.6;
    }
    this.y -= 4;
  }

  /** Side-by-side signature and date lines with labels below. */
  signatureLine(left: string, right: string): void {
    this.ensure(48);
    this.y -= 30;
    const mid = MARGIN + (PAGE_W - 2 * MARGIN) * 0.66;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: mid - 16, y: this.y }, thickness: 0.8, color: INK });
    this.page.drawLine({ start: { x: mid, y: this.y }, end: { x: PAGE_W - MARGIN, y: this.y }, thickness: 0.8, color: INK });
    this.page.drawText(left, { x: MARGIN, y: this.y - 11, size: 8.5, font: this.regular, color: MUTED });
    this.page.drawText(right, { x: mid, y: this.y - 11, size: 8.5, font: this.regular, color: MUTED });
    this.y -= 22;
  }

  /** Vertical space in points. */
  space(pt: number): void {
    this.y -= pt;
  }

  /** Add "Page n of N" footers and serialize. */
  async finish(): Promise<Uint8Array> {
    const n = this.pages.length;
    this.pages.forEach((p, i) => {
      const t = `Page ${i + 1} of ${n}`;
      const w = this.regular.widthOfTextAtSize(t, 8.5);
      p.drawLine({ start: { x: MARGIN, y: MARGIN - 8 }, end: { x: PAGE_W - MARGIN, y: MARGIN - 8 }, thickness: 0.5, color: RULE });
      p.drawText(t, { x: (PAGE_W - w) / 2, y: MARGIN - 24, size: 8.5, font: this.regular, color: MUTED });
    });
    return this.pdf.save({ useObjectStreams: false });
  }
}
