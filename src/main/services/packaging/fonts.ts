/**
 * Unicode fonts for packet text (cover sheet, manifest, stamps) and a small
 * text layer that picks, character by character, a font that has the glyph.
 *
 * DejaVu Sans (assets/fonts/DejaVuSans*.ttf) covers Latin incl. Vietnamese and
 * Cyrillic; Droid Sans Fallback (assets/fonts/DroidSansFallbackFull.ttf, Apache-2.0)
 * covers Chinese/Japanese/Korean. DejaVu is embedded subset (fontkit); the CJK
 * fallback only when some text needs it (whole, see embedFonts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, type PDFFont, type PDFPage, degrees, rgb } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { fontPath } from '../support/assets';

const bytesCache = new Map<string, Uint8Array>();

function fontBytes(path: string): Uint8Array {
  let b = bytesCache.get(path);
  if (!b) {
    try {
      b = readFileSync(path);
    } catch {
      throw new AppError('FONT_MISSING', 'A font needed to draw the release packet is missing from the application files.');
    }
    bytesCache.set(path, b);
  }
  return b;
}

/** Fonts embedded in one PDF: regular and bold, each with a CJK fallback. */
export interface FontSet {
  regular: PDFFont;
  bold: PDFFont;
  /** Present when some text needed glyphs DejaVu lacks. */
  fallback: PDFFont | undefined;
  regularChars: Set<number>;
  boldChars: Set<number>;
}

/**
 * Embed the packet fonts into `doc` (subset).
 *
 * @param doc the PDF to draw into
 * @param texts every string that will be drawn; decides whether the CJK fallback is embedded
 * @param assetsRoot the assets directory (defaults to `<cwd>/assets`, see support/assets.ts)
 * @throws AppError FONT_MISSING when a bundled font file cannot be read
 */
export async function embedFonts(doc: PDFDocument, texts: string[], assetsRoot?: string): Promise<FontSet> {
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(fontBytes(fontPath('DejaVuSans.ttf', assetsRoot)), { subset: true });
  const bold = await doc.embedFont(fontBytes(fontPath('DejaVuSans-Bold.ttf', assetsRoot)), { subset: true });
  memoizeLayout(regular);
  memoizeLayout(bold);
  const regularChars = new Set(regular.getCharacterSet());
  const boldChars = new Set(bold.getCharacterSet());
  let fallback: PDFFont | undefined;
  const needsFallback = texts.some((t) => [...t].some((ch) => !regularChars.has(ch.codePointAt(0) ?? 0) && !/\s/.test(ch)));
  if (needsFallback) {
    const root = assetsRoot ?? join(process.cwd(), 'assets');
    // Embedded whole (~2.2 MB): pdf-lib 1.17.1's fontkit subsetting yields blank glyphs for this
    // font (checked by rendering with pdftoppm), so only packets with CJK text carry it.
    fallback = await doc.embedFont(fontBytes(join(root, 'fonts', 'DroidSansFallbackFull.ttf')), { subset: false });
  }
  return { regular, bold, fallback, regularChars, boldChars };
}

const LAYOUT_CACHE_SIZE = 512;

/**
 * pdf-lib lays a string out with fontkit (GSUB/GPOS shaping) once to measure it and again
 * to encode it; a stamp is measured, drawn and advanced over, so the same string is shaped
 * three times. Remember recent layouts of this embedded font (one font object per document).
 */
function memoizeLayout(font: PDFFont): void {
  const kit = (font as unknown as { embedder?: { font?: { layout?: (text: string, features?: unknown) => unknown } } }).embedder?.font;
  if (!kit || typeof kit.layout !== 'function') return;
  const layout = kit.layout.bind(kit);
  const cache = new Map<string, unknown>();
  let cachedFeatures: unknown;
  kit.layout = (text: string, features?: unknown) => {
    if (features !== cachedFeatures) {
      cache.clear();
      cachedFeatures = features;
    }
    let run = cache.get(text);
    if (run === undefined) {
      run = layout(text, features);
      if (cache.size >= LAYOUT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(text, run);
    }
    return run;
  };
}

/** A piece of text that one font draws. */
interface Run {
  text: string;
  font: PDFFont;
}

function runs(text: string, fonts: FontSet, bold: boolean): Run[] {
  const primary = bold ? fonts.bold : fonts.regular;
  const chars = bold ? fonts.boldChars : fonts.regularChars;
  const out: Run[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const font = chars.has(cp) || !fonts.fallback ? primary : fonts.fallback;
    const last = out[out.length - 1];
    if (last && last.font === font) last.text += ch;
    else out.push({ text: ch, font });
  }
  return out;
}

/** Width of `text` in points at `size` points. */
export function textWidth(text: string, size: number, fonts: FontSet, bold = false): number {
  return runs(text, fonts, bold).reduce((w, r) => w + r.font.widthOfTextAtSize(r.text, size), 0);
}

/** Options for {@link drawText}. */
export interface DrawOptions {
  x: number;
  y: number;
  size: number;
  bold?: boolean;
  /** Counter-clockwise rotation of the baseline around (x, y), in degrees. */
  rotate?: number;
  color?: [number, number, number];
}

/** Draw `text` on `page` (user-space points), switching fonts per glyph coverage. Returns the width drawn. */
export function drawText(page: PDFPage, text: string, fonts: FontSet, o: DrawOptions): number {
  const angle = ((o.rotate ?? 0) * Math.PI) / 180;
  let dx = 0;
  for (const r of runs(text, fonts, o.bold ?? false)) {
    page.drawText(r.text, {
      x: o.x + dx * Math.cos(angle),
      y: o.y + dx * Math.sin(angle),
      size: o.size,
      font: r.font,
      rotate: degrees(o.rotate ?? 0),
      color: rgb(...(o.color ?? [0, 0, 0])),
    });
    dx += r.font.widthOfTextAtSize(r.text, o.size);
  }
  return dx;
}

/**
 * Break `text` into lines no wider than `maxWidth` points at `size`: at spaces,
 * and inside a word (e.g. Chinese, which has none) when the word alone is too wide.
 */
export function wrapText(text: string, maxWidth: number, size: number, fonts: FontSet, bold = false): string[] {
  // Widths add up (pdf-lib sums glyph advances), and pieces meet at whitespace, where no
  // ligature or contextual substitution spans: measure each piece once, not each growing line.
  const width = (s: string) => textWidth(s, size, fonts, bold);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/(\s+)/)) {
      if (word === '') continue;
      const wordWidth = width(word);
      if (lineWidth + wordWidth <= maxWidth) {
        line += word;
        lineWidth += wordWidth;
        continue;
      }
      if (line.trim()) lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
      if (/^\s+$/.test(word)) continue;
      for (const ch of word) {
        const chWidth = width(ch);
        if (lineWidth + chWidth > maxWidth && line) {
          lines.push(line);
          line = '';
          lineWidth = 0;
        }
        line += ch;
        lineWidth += chWidth;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
