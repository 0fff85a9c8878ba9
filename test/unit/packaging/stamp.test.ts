import { execFileSync } from 'node:child_process';
import { PDFArray, PDFDocument, PDFName, type PDFPage, PDFRawStream, PDFRef } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { embedFonts, encodePerCharacter, textWidth } from '../../../src/main/services/packaging/fonts';
import { writePdf } from '../../../src/main/services/packaging/pdf-writer';
import { Stamper, stampPage } from '../../../src/main/services/packaging/stamp';
import { requireTool } from '../../support/tools';
import { ASSETS, pdfText, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext', 'pdftoppm'].every((t) => requireTool(t));

/** Pages upright, turned 90, 180 and 270 degrees, and one with a crop box inside its media box, copied into a new document. */
async function pagesToStamp(): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  for (const rotate of [0, 90, 180, 270]) {
    const s = await PDFDocument.load(await textPdf(`Zyxwv rotated ${rotate}`, 2, rotate));
    for (const p of await doc.copyPages(s, s.getPageIndices())) doc.addPage(p);
  }
  const cropped = doc.addPage([792, 612]);
  cropped.setCropBox(50, 60, 400, 500);
  return doc;
}

const stampText = (i: number, n: number) => `RD-0042-${String(i + 1).padStart(6, '0')}   ·   Page ${i + 1} of ${n}`;

/** The last content stream of `page` (where a stamp goes) as bytes. */
function lastContent(page: PDFPage): Uint8Array {
  const contents = page.node.lookup(PDFName.of('Contents'), PDFArray);
  const ref = contents.get(contents.size() - 1);
  const stream = page.doc.context.lookup(ref as PDFRef);
  if (!(stream instanceof PDFRawStream)) throw new Error('not a raw stream');
  return stream.contents;
}

/** Every page of `path` rendered by pdftoppm at `dpi`, as PPM bytes. */
function renderAll(path: string, pages: number, dpi = 100): Buffer[] {
  return Array.from({ length: pages }, (_, i) => execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(i + 1), '-l', String(i + 1), path], { maxBuffer: 64 * 2 ** 20 }));
}

describe.skipIf(!tools)('stamps drawn per document (Stamper)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('draws what stampPage draws: pixel-identical renders at 100 dpi on upright, turned and cropped pages, at the bottom and top edge; pdftotext reads every stamp; qpdf --check passes', async () => {
    const general = await pagesToStamp();
    const fast = await pagesToStamp();
    const generalFonts = await embedFonts(general, [], ASSETS);
    const fastFonts = await embedFonts(fast, [], ASSETS);
    const stamper = new Stamper(fastFonts);
    const n = general.getPageCount();
    general.getPages().forEach((p, i) => {
      stampPage(p, stampText(i, n), generalFonts);
      stampPage(p, `Part 1 of 2 · packet pages 1–${n}`, generalFonts, 'top');
    });
    fast.getPages().forEach((p, i) => {
      stamper.stamp(p, stampText(i, n));
      stamper.stamp(p, `Part 1 of 2 · packet pages 1–${n}`, 'top');
    });
    // The fast path wrote the stamps: unfiltered, the text as a literal string.
    expect(Buffer.from(lastContent(fast.getPage(0))).toString('latin1')).toMatch(/^q 1 g .* re f Q q 0 g BT .* Tm \(.*\) Tj ET Q\n$/s);

    const a = writeTmp(t.dir, 'general.pdf', await writePdf(general));
    const b = writeTmp(t.dir, 'fast.pdf', await writePdf(fast));
    const check = run('qpdf', ['--check', b]);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors');
    const before = renderAll(a, n);
    const after = renderAll(b, n);
    for (let i = 0; i < n; i++) {
      expect(after[i]!.equals(before[i]!), `page ${i + 1} renders differently`).toBe(true);
      const text = pdfText(b, i + 1);
      expect(text).toContain(`RD-0042-${String(i + 1).padStart(6, '0')}`);
      expect(text).toContain(`Page ${i + 1} of ${n}`);
      expect(text).toContain(`Part 1 of 2 · packet pages 1–${n}`);
    }
  });

  it('escapes the codes a literal string cannot hold as they are (parentheses, backslash, CR, LF), and the text reads back exactly', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage([792, 612]);
    const fonts = await embedFonts(doc, [], ASSETS);
    // 94 different characters: the subset gives them codes 1 to 94 in this order, so codes 0x0A ("*"), 0x0D ("-"),
    // 0x28 ("H"), 0x29 ("I") and 0x5C ("|") all occur.
    let text = '';
    for (let c = 0x21; c <= 0x7e; c++) text += String.fromCharCode(c);
    new Stamper(fonts).stamp(page, text);
    const ops = Buffer.from(lastContent(page)).toString('latin1');
    expect(ops).toMatch(/ Tm \(.*\) Tj ET Q\n$/s);
    for (const escaped of ['\\n', '\\r', '\\(', '\\)', '\\\\']) expect(ops).toContain(`\u0000${escaped}`);
    expect(ops).not.toMatch(/[\r\n](?!$)/);
    const path = writeTmp(t.dir, 'escapes.pdf', await writePdf(doc));
    expect(run('qpdf', ['--check', path]).status).toBe(0);
    expect(pdfText(path, 1).trim()).toBe(text);
  });

  it('draws a stamp the font shapes (a ligature may form) or that needs another font as stampPage does, and pdftotext reads it', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const texts = ['Zyxwv confidentiality office', 'Zyxwv 漢字 Part 1'];
    const fonts = await embedFonts(doc, texts, ASSETS);
    const stamper = new Stamper(fonts);
    for (const text of texts) stamper.stamp(doc.addPage([612, 792]), text);
    // Not the literal-string fast path: stampPage's Flate-compressed stream.
    expect(doc.getPages().map((p) => lastContent(p).length > 0 && Buffer.from(lastContent(p)).toString('latin1').startsWith('q 1 g'))).toEqual([false, false]);
    const path = writeTmp(t.dir, 'shaped.pdf', await writePdf(doc));
    expect(run('qpdf', ['--check', path]).status).toBe(0);
    expect(pdfText(path, 1)).toContain('Zyxwv confidentiality office');
    expect(pdfText(path, 2)).toContain('漢字');
  });

  it("encodes and measures plain text per character exactly as pdf-lib does (same codes, same width to the last bit), and leaves text that shapes to pdf-lib", async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const other = await PDFDocument.create({ updateMetadata: false });
    const fonts = await embedFonts(doc, [], ASSETS);
    const reference = await embedFonts(other, [], ASSETS);
    const texts = ['RD-0042-000123   ·   Page 123 of 1008', 'SHA-256 7ea548d1bc8c058653b2296f2b71d26206e5fd7d3d561f0884b468b938c1a3f0', 'Zyxwv Testpatient — “quoted” (1/2) \\ 100 %', 'Ünïcödé Latin-1 ÀÉÎõü ÿ'];
    for (const bold of [false, true]) {
      const font = bold ? fonts.bold : fonts.regular;
      const ref = bold ? reference.bold : reference.regular;
      for (const text of texts) {
        const ours = encodePerCharacter(font, text, 'hex');
        expect(ours, text).toBeDefined();
        // (Both documents meet the characters in the same order, so their subsets number the glyphs alike.)
        expect(`<${ours!.codes}>`.toUpperCase()).toBe(ref.encodeText(text).toString().toUpperCase());
        expect(ours!.width1000 * (8 / 1000)).toBe(ref.widthOfTextAtSize(text, 8));
        expect(textWidth(text, 11, fonts, bold)).toBe(ref.widthOfTextAtSize(text, 11));
      }
    }
    // "fi" may form a ligature: not laid out per character.
    expect(encodePerCharacter(fonts.regular, 'confidentiality', 'hex')).toBeUndefined();
  });
});
