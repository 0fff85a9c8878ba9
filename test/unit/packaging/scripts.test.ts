/**
 * Names in the scripts a US practice meets draw in the packet — or show a visible placeholder that is reported —
 * never an empty box or nothing. Each name is drawn alone on a page, rendered by poppler (pdftoppm) and its ink
 * measured; text comes back through pdftotext. All names synthetic.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { drawText, embedFonts, PLACEHOLDER } from '../../../src/main/services/packaging/fonts';
import { assemblePacket, documentTitle } from '../../../src/main/services/packaging/packet';
import { requireTool } from '../../support/tools';
import { ASSETS, packetInput, pdfText, renderPage, tempDir, textPdf, writeTmp } from './fixtures';

const HAVE = requireTool('pdftoppm') && requireTool('pdftotext');

/** Dark pixels of page 1 rendered at 72 dpi. */
function ink(path: string): number {
  const r = renderPage(path, 1, 72);
  let n = 0;
  for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) if (r.px(x, y)[0] < 128) n++;
  return n;
}

describe.skipIf(!HAVE)('text in every script the practice meets', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  /** One page with `text` at 24 pt; returns the file path and the fonts' report of missing characters. */
  async function drawAlone(name: string, text: string): Promise<{ path: string; missing: number[] }> {
    const doc = await PDFDocument.create();
    const fonts = await embedFonts(doc, [text], ASSETS);
    drawText(doc.addPage([400, 80]), text, fonts, { x: 10, y: 30, size: 24 });
    return { path: writeTmp(t.dir, `${name}.pdf`, await doc.save()), missing: [...fonts.missing] };
  }

  it.each([
    ['korean', '김민준'],
    ['devanagari', 'प्रिया क्षत्रिय'],
    ['arabic', 'محمد عبد الله'],
    ['hebrew', 'שלום לוי'],
    ['chinese', '王小明'],
    ['vietnamese', 'Nguyễn Văn Đức'],
    ['cyrillic-greek', 'Иванов Παπαδόπουλος'],
  ])('%s draws with real glyphs (ink on the rendered page), nothing reported missing', async (name, text) => {
    const { path, missing } = await drawAlone(name, text);
    expect(missing).toEqual([]);
    // Each glyph leaves ink; an empty-box or blank-glyph failure would leave (almost) none.
    expect(ink(path)).toBeGreaterThan(60 * [...text].filter((c) => c !== ' ').length * 0.25);
  });

  it('Korean and Chinese text comes back as the same characters', async () => {
    for (const [name, text] of [['k2', '김민준'], ['c2', '王小明']] as const) {
      const { path } = await drawAlone(name, text);
      expect(pdfText(path).trim()).toBe(text);
    }
  });

  it('a name typed decomposed (NFD) is drawn composed (NFC): the same text comes back', async () => {
    const { path } = await drawAlone('nfd', 'Nguyễn Đức'.normalize('NFD'));
    expect(pdfText(path).trim()).toBe('Nguyễn Đức'.normalize('NFC'));
  });

  it('characters no bundled font has (an astral CJK ideograph, newer emoji) become a visible "�" and are reported', async () => {
    const { path, missing } = await drawAlone('missing', 'A𠮷B🩺C');
    expect(missing.sort()).toEqual([0x1fa7a, 0x20bb7]);
    expect(pdfText(path).trim()).toBe(`A${PLACEHOLDER}B${PLACEHOLDER}C`);
    // A presentation selector the font lacks is left out rather than boxed: "❤️" is the heart alone.
    expect((await drawAlone('heart', '❤️')).missing).toEqual([]);
  });

  it('the packet reports missing characters by code point (no text) and names documents by category and date of service', async () => {
    const sources = [
      { id: 'doc-a', bytes: await textPdf('Zyxwv labs', 2), mediaType: 'application/pdf', category: 'lab_results' as const, documentDate: '2025-06-01' },
      { id: 'doc-b', bytes: await textPdf('Zyxwv note', 1), mediaType: 'application/pdf' },
    ];
    const r = await assemblePacket(
      packetInput(sources, {
        practice: { name: 'Maplewood Family Practice' },
        recipient: { name: 'Zyxwv 🩺 김민준' },
        releaseNumberPrefix: 'RD-0042-',
        createdAt: new Date('2026-03-02T15:00:00Z'),
      }),
    );
    expect(r.missingCharacters).toEqual(['U+1FA7A']);
    expect(r.manifest.documents[0]).toMatchObject({ category: 'lab_results', documentDate: '2025-06-01' });
    const manifest = pdfText(writeTmp(t.dir, 'packet.pdf', r.pdf), 2).replace(/\s+/g, ' ');
    expect(manifest).toContain('1. Lab results, date of service June 1, 2025 — packet pages 3–4');
    expect(manifest).toContain('2. Document 2 (PDF) — packet page 5');
    expect(manifest).not.toMatch(/Document doc-a/);
    expect(documentTitle({ index: 3, mediaType: 'image/jpeg' })).toBe('Document 3 (JPEG)');
  });
});
