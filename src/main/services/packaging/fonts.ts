/**
 * Unicode fonts for packet text (cover sheet, manifest, stamps) and a small
 * text layer that picks, character by character, a font that has the glyph.
 *
 * DejaVu Sans (assets/fonts/DejaVuSans*.ttf) covers Latin incl. Vietnamese, Greek,
 * Cyrillic, Arabic and Hebrew, and some monochrome emoji. Fallbacks, embedded only when
 * some text needs them: Droid Sans Fallback (Chinese, Japanese; Apache-2.0), NanumGothic
 * (Korean Hangul; OFL-1.1, Debian fonts-nanum), Noto Sans Devanagari (Hindi, Marathi,
 * Nepali; OFL-1.1, Debian fonts-noto-core). Fontkit shapes each run with the font's
 * OpenType tables (Arabic joining, Indic reordering and conjuncts, Hangul).
 *
 * Text is drawn in Unicode NFC. A character no font covers is never dropped or drawn
 * as an empty box: a visible U+FFFD "�" takes its place and its code point is recorded
 * in {@link FontSet.missing} for the caller to log (a code point, never the text).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
// @pdf-lib/fontkit 1.1.1's Indic shaper (Devanagari syllables) is compiled with regenerator and expects the global
// `regeneratorRuntime` (pdf-lib issues #785, #1419); this sets it once, from Babel's own runtime.
import '@babel/runtime/regenerator';
import { type PDFDocument, type PDFFont, type PDFPage, degrees, rgb } from 'pdf-lib';
import { AppError } from '../../../shared/errors';
import { fontPath } from '../support/assets';
import { type LayoutFont, unshapedGlyphs } from './unshaped-layout';

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

/** Fallback fonts in the order they are tried after DejaVu (file in assets/fonts/, whether pdf-lib may subset it). */
export const FALLBACK_FONTS: ReadonlyArray<{ file: string; subset: boolean; scripts: string }> = [
  // Embedded whole (~4 MB): pdf-lib 1.17.1's fontkit subsetting yields blank glyphs for this font
  // (checked by rendering with pdftoppm), so only packets with CJK text carry it.
  { file: 'DroidSansFallbackFull.ttf', subset: false, scripts: 'Chinese, Japanese' },
  // Also embedded whole (~4.7 MB) for the same reason: subset Hangul rendered blank.
  { file: 'NanumGothic.ttf', subset: false, scripts: 'Korean' },
  { file: 'NotoSansDevanagari-Regular.ttf', subset: true, scripts: 'Devanagari' },
];

/** Drawn in place of a character no bundled font covers (U+FFFD REPLACEMENT CHARACTER, in DejaVu Sans). */
export const PLACEHOLDER = '\uFFFD';

/** Fonts embedded in one PDF: regular and bold, and the fallbacks some text needed. */
export interface FontSet {
  regular: PDFFont;
  bold: PDFFont;
  /** Fallback fonts embedded because some text needed them, in {@link FALLBACK_FONTS} order. */
  fallbacks: Array<{ font: PDFFont; chars: Set<number> }>;
  regularChars: Set<number>;
  boldChars: Set<number>;
  /** Code points drawn as {@link PLACEHOLDER} because no bundled font has them (for a PHI-free log entry). */
  missing: Set<number>;
}

/** ZWNJ, ZWJ and variation selectors VS1–VS16: they only select how the glyph before them is presented. */
const presentationOnly = (ch: string) => ch === '\u200C' || ch === '\u200D' || (ch >= '\uFE00' && ch <= '\uFE0F');
/** Characters that belong to the glyph before them (marks, joiners, variation selectors): never a font switch. */
const continuesCluster = (ch: string) => /^\p{M}$/u.test(ch) || presentationOnly(ch);

/** A right-to-left stretch: Arabic or Hebrew letters, with marks, and spaces only between such letters (capturing, for split). */
const RTL_SEGMENT = /([\p{Script=Arabic}\p{Script=Hebrew}](?:[\p{M}\s]*[\p{Script=Arabic}\p{Script=Hebrew}])*\p{M}*)/u;

const fallbackCharsCache = new Map<string, Set<number>>();

function fallbackChars(path: string): Set<number> {
  let c = fallbackCharsCache.get(path);
  if (!c) {
    c = new Set(fontkit.create(Buffer.from(fontBytes(path))).characterSet);
    fallbackCharsCache.set(path, c);
  }
  return c;
}

/**
 * Embed the packet fonts into `doc` (subset where that works).
 *
 * @param doc the PDF to draw into
 * @param texts every string that will be drawn; decides which fallbacks are embedded (NFC-normalised here)
 * @param assetsRoot the assets directory (defaults to `<cwd>/assets`, see support/assets.ts)
 * @throws AppError FONT_MISSING when a bundled font file cannot be read
 */
export async function embedFonts(doc: PDFDocument, texts: string[], assetsRoot?: string): Promise<FontSet> {
  doc.registerFontkit(sharedFontkit);
  const regular = await doc.embedFont(fontBytes(fontPath('DejaVuSans.ttf', assetsRoot)), { subset: true });
  const bold = await doc.embedFont(fontBytes(fontPath('DejaVuSans-Bold.ttf', assetsRoot)), { subset: true });
  memoizeLayout(regular);
  memoizeLayout(bold);
  const regularChars = new Set(regular.getCharacterSet());
  const boldChars = new Set(bold.getCharacterSet());
  const needed = new Set<number>();
  for (const t of texts) for (const ch of t.normalize('NFC')) if (!regularChars.has(ch.codePointAt(0)!) && !/\s/.test(ch)) needed.add(ch.codePointAt(0)!);
  const fallbacks: FontSet['fallbacks'] = [];
  const root = assetsRoot ?? join(process.cwd(), 'assets');
  for (const f of FALLBACK_FONTS) {
    if (needed.size === 0) break;
    const path = join(root, 'fonts', f.file);
    const chars = fallbackChars(path);
    if (![...needed].some((cp) => chars.has(cp))) continue;
    for (const cp of chars) needed.delete(cp);
    const font = await doc.embedFont(fontBytes(path), { subset: f.subset });
    memoizeLayout(font);
    fallbacks.push({ font, chars });
  }
  return { regular, bold, fallbacks, regularChars, boldChars, missing: new Set() };
}

/** pdf-lib's view of fontkit (what PDFDocument.registerFontkit takes). */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

/** The decoded tables of each font file, by the bytes they were read from (fontBytes' one array per file). */
const decodedTables = new WeakMap<Uint8Array, object>();

/**
 * fontkit for pdf-lib, giving every document its own font object (its own glyph objects: a glyph keeps the
 * characters it was first asked for, and one document's subset must not decide the next one's ToUnicode map) that
 * shares one set of decoded tables per font file — cmap, hmtx, GSUB and the others fontkit decodes lazily, on first
 * use — as fontkit's own `getVariation` shares them between fonts read from the same bytes. So GSUB is decoded once
 * per process, not again for every packet that shapes a line.
 *
 * @source @pdf-lib/fontkit 1.1.1 TTFFont (`_tables`, getVariation)
 */
const sharedFontkit: Fontkit = {
  create(data: Uint8Array, postscriptName?: string) {
    const font = fontkit.create(data, postscriptName);
    const own = font as unknown as { _tables?: object };
    if (postscriptName === undefined && own._tables && typeof own._tables === 'object') {
      const shared = decodedTables.get(data);
      if (shared) own._tables = shared;
      else decodedTables.set(data, own._tables);
    }
    return font;
  },
};

const LAYOUT_CACHE_SIZE = 512;

/**
 * pdf-lib lays a string out with fontkit (GSUB/GPOS shaping) once to measure it and again
 * to encode it; a stamp is measured, drawn and advanced over, so the same string is shaped
 * three times. Plain Latin text that no substitution of this font can touch (a stamp, a digest)
 * skips shaping altogether (unshaped-layout.ts: the same glyphs, a hundredth of the time); recent
 * layouts of this embedded font (one font object per document), shaped or not, are remembered.
 */
function memoizeLayout(font: PDFFont): void {
  const embedder = (font as unknown as { embedder?: { font?: Partial<LayoutFont>; fontData?: object } }).embedder;
  const kit = embedder?.font;
  if (!kit || typeof kit.layout !== 'function' || typeof kit.glyphsForString !== 'function') return;
  const fontkitFont = kit as LayoutFont;
  // The font file's bytes (one array per file, fontBytes' cache) identify it across documents.
  const fontKey = embedder.fontData ?? kit;
  const layout = fontkitFont.layout.bind(kit);
  const cache = new Map<string, unknown>();
  let cachedFeatures: unknown;
  kit.layout = (text: string, features?: unknown) => {
    if (features !== cachedFeatures) {
      cache.clear();
      cachedFeatures = features;
    }
    let run = cache.get(text);
    if (run === undefined) {
      // pdf-lib reads only `glyphs` of a layout (CustomFontEmbedder.encodeText, widthOfTextAtSize).
      const glyphs = unshapedGlyphs(fontkitFont, text, features, fontKey);
      run = glyphs ? { glyphs } : layout(text, features);
      if (cache.size >= LAYOUT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(text, run);
    }
    return run;
  };
}

/**
 * Whether pdf-lib lays `text` out in `font` one glyph per character, each the glyph fontkit's cmap gives that
 * character alone: the case unshaped-layout.ts proves (no GSUB substitution can fire on the string, plain Latin
 * or punctuation, no features asked). Then pdf-lib's `encodeText(text)` is the concatenation of `encodeText` of
 * each character, and `widthOfTextAtSize(text, s)` the sum of the characters' advance widths times s/1000 — what a
 * per-character cache (stamp.ts {@link Stamper}) may rely on. False for a font this module did not embed.
 *
 * @source pdf-lib 1.17 CustomFontEmbedder.encodeText / widthOfTextAtSize; unshaped-layout.ts
 */
export function laidOutPerCharacter(font: PDFFont, text: string): boolean {
  const embedder = (font as unknown as { embedder?: { font?: Partial<LayoutFont>; fontData?: object; fontFeatures?: unknown } }).embedder;
  const kit = embedder?.font;
  if (!kit || typeof kit.glyphsForString !== 'function' || typeof kit.layout !== 'function') return false;
  return unshapedGlyphs(kit as LayoutFont, text, embedder.fontFeatures, embedder.fontData ?? kit) !== undefined;
}

/** One character's code in an embedded font (pdf-lib's encoding: 2 bytes, Identity-H), in the forms a content stream takes. */
interface CharacterCode {
  /** The code as 4 hex digits. */
  hex: string;
  /** The code's 2 bytes as a literal string holds them (ISO 32000-1 §7.3.4.2: parentheses, backslash, CR and LF escaped). */
  literal: string;
}

/** Per embedded font (one per document): each character's code, once pdf-lib has encoded it. */
const characterCodes = new WeakMap<PDFFont, Map<number, CharacterCode>>();
/** Per embedded font: each character's advance width at 1,000 pt, as pdf-lib measures it. */
const characterWidths = new WeakMap<PDFFont, Map<number, number>>();

/** A byte of a string operand in a literal string (ISO 32000-1 §7.3.4.2). */
function literalByte(b: number): string {
  if (b === 0x28 || b === 0x29 || b === 0x5c) return `\\${String.fromCharCode(b)}`;
  if (b === 0x0d) return '\\r';
  if (b === 0x0a) return '\\n';
  return String.fromCharCode(b);
}

/** The width at 1,000 pt of `text` laid out per character in `font` (pdf-lib's glyph advances, summed in order). */
function width1000PerCharacter(font: PDFFont, text: string): number {
  let known = characterWidths.get(font);
  if (!known) characterWidths.set(font, (known = new Map()));
  let width1000 = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    let w = known.get(cp);
    if (w === undefined) known.set(cp, (w = font.widthOfTextAtSize(text[i]!, 1000)));
    width1000 += w;
  }
  return width1000;
}

/**
 * `text` in `font` as pdf-lib would encode and measure it, put together from each character's code and width,
 * each worked out once per font (document) by pdf-lib itself — which also adds the glyph to the font's subset and
 * ToUnicode map, as drawing the text would. Only when {@link laidOutPerCharacter}; else undefined (draw it with
 * pdf-lib's encodeText and widthOfTextAtSize).
 *
 * @param form `hex`: the codes as hex digits (the body of `<…>`); `literal`: as a literal string's body (of `(…)`)
 * @returns the codes and the width at 1,000 pt (times size/1000: pdf-lib's width at that size, same arithmetic)
 */
export function encodePerCharacter(font: PDFFont, text: string, form: 'hex' | 'literal'): { codes: string; width1000: number } | undefined {
  if (!laidOutPerCharacter(font, text)) return undefined;
  let known = characterCodes.get(font);
  if (!known) characterCodes.set(font, (known = new Map()));
  let codes = '';
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    let c = known.get(cp);
    if (!c) {
      const m = /^<([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})>$/.exec(font.encodeText(text[i]!).toString());
      if (!m) return undefined;
      c = { hex: m[1]! + m[2]!, literal: literalByte(parseInt(m[1]!, 16)) + literalByte(parseInt(m[2]!, 16)) };
      known.set(cp, c);
    }
    codes += form === 'hex' ? c.hex : c.literal;
  }
  return { codes, width1000: width1000PerCharacter(font, text) };
}

/** A piece of text that one font draws. */
export interface Run {
  text: string;
  font: PDFFont;
}

/**
 * Printable Latin-1 (a stamp, a digest, most names): already NFC, no marks, joiners or right-to-left letters, so
 * {@link runs} gives it one run in the primary font when that font has every character (spaces need none).
 */
const LATIN1_PRINTABLE = /^[\x20-\x7e\xa0-\xff]*$/;

function coveredLatin1(text: string, chars: Set<number>): boolean {
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (!chars.has(cp) && cp !== 0x20 && cp !== 0xa0) return false;
  }
  return true;
}

/**
 * `text` (NFC) cut into pieces each drawn by one font: the regular or bold font where it has the glyphs, else the
 * first fallback that does; a character no font has becomes {@link PLACEHOLDER} and is recorded in `fonts.missing`.
 * Right-to-left stretches are runs of their own.
 */
export function runs(text: string, fonts: FontSet, bold: boolean): Run[] {
  const primary = bold ? fonts.bold : fonts.regular;
  const chars = bold ? fonts.boldChars : fonts.regularChars;
  if (LATIN1_PRINTABLE.test(text) && coveredLatin1(text, chars)) return text === '' ? [] : [{ text, font: primary }];
  const out: Run[] = [];
  // Right-to-left stretches (Arabic, Hebrew, with the spaces and marks between their letters) are runs of their own:
  // fontkit detects the script per run, joins Arabic letters and returns the glyphs in visual (reversed) order.
  for (const segment of text.normalize('NFC').split(RTL_SEGMENT)) {
    if (segment === '') continue;
    let startNewRun = true;
    for (let ch of segment) {
      const cp = ch.codePointAt(0)!;
      const last = startNewRun ? undefined : out[out.length - 1];
      startNewRun = false;
      let font: PDFFont;
      if (last && continuesCluster(ch)) {
        // A mark, joiner or variation selector stays with its base character's font; one the font lacks is
        // left out when it only selects a presentation (VS15/VS16, ZWJ, ZWNJ), else shown as the placeholder.
        const has = last.font === primary ? chars.has(cp) : fonts.fallbacks.find((f) => f.font === last.font)?.chars.has(cp);
        if (has) {
          last.text += ch;
          continue;
        }
        if (presentationOnly(ch)) continue;
      }
      if (chars.has(cp) || /\s/.test(ch)) font = primary;
      else {
        const fb = fonts.fallbacks.find((f) => f.chars.has(cp));
        if (fb) font = fb.font;
        else {
          fonts.missing.add(cp);
          ch = PLACEHOLDER;
          font = primary;
        }
      }
      if (last && last.font === font) last.text += ch;
      else out.push({ text: ch, font });
    }
  }
  return out;
}

/** Width of `text` in points at `size` points. */
export function textWidth(text: string, size: number, fonts: FontSet, bold = false): number {
  return runs(text, fonts, bold).reduce((w, r) => w + runWidth(r, size), 0);
}

/** pdf-lib's width of a run at `size` points (from per-character widths when the run is laid out per character). */
function runWidth(r: Run, size: number): number {
  return laidOutPerCharacter(r.font, r.text) ? width1000PerCharacter(r.font, r.text) * (size / 1000) : r.font.widthOfTextAtSize(r.text, size);
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
 * @param measure width of a piece in points at `size` (default: {@link textWidth}); a report table passes its per-glyph cache
 */
export function wrapText(text: string, maxWidth: number, size: number, fonts: FontSet, bold = false, measure?: (text: string) => number): string[] {
  // Widths add up (pdf-lib sums glyph advances), and pieces meet at whitespace, where no
  // ligature or contextual substitution spans: measure each piece once, not each growing line.
  const width = measure ?? ((s: string) => textWidth(s, size, fonts, bold));
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
