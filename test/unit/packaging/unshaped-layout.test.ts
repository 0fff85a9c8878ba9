import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { CONFIDENTIALITY_NOTICE, PART2_NOTICE, REDISCLOSURE_NOTICE } from '../../../src/main/services/packaging/notices';
import { type LayoutFont, unshapedGlyphs } from '../../../src/main/services/packaging/unshaped-layout';
import { ASSETS } from './fixtures';

const load = (file: string) => fontkit.create(readFileSync(join(ASSETS, 'fonts', file))) as unknown as LayoutFont;
/** The glyphs of fontkit's shaped layout, as pdf-lib reads them. */
const shaped = (font: LayoutFont, text: string) => (font.layout(text) as { glyphs: { id: number }[] }).glyphs;
const ids = (glyphs: { id: number }[]) => glyphs.map((g) => g.id).join(',');

/** Seeded pseudo-random strings over Latin-1, general punctuation and the letters DejaVu's ligatures and ccmp start with. */
function strings(count: number): string[] {
  const pool = [
    ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)),
    ...Array.from({ length: 96 }, (_, i) => String.fromCharCode(0xa0 + i)),
    ...'–—‘’“”•…‰′″‹›'.split(''),
    'f', 'f', 'i', 'l', 'j', 'fi', 'ff',
  ];
  let seed = 20260302;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pool[Math.floor(rnd() * pool.length)]).join(''));
}

const productTexts = [
  'B-000001   ·   Page 1 of 1008',
  'RD0042-000731   ·   Page 731 of 1008',
  'Part 2 of 3',
  'SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  '12. Lab results, date of service June 1, 2025 — packet pages 14–23',
  ...`${CONFIDENTIALITY_NOTICE} ${REDISCLOSURE_NOTICE} ${PART2_NOTICE}`.split(/(\s+)/),
];

describe('laying out plain text without fontkit shaping', () => {
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'NotoSansDevanagari-Regular.ttf']) {
    it(`gives exactly the glyphs fontkit's shaper gives whenever it skips shaping (${file})`, () => {
      const font = load(file);
      let skipped = 0;
      for (const t of [...strings(2500), ...productTexts]) {
        const fast = unshapedGlyphs(font, t);
        if (!fast) continue;
        skipped++;
        expect(ids(fast), JSON.stringify(t)).toBe(ids(shaped(font, t)));
      }
      expect(skipped).toBeGreaterThan(1500); // most plain text does skip it
    });
  }

  it('skips shaping for the stamps, digests and plain words of a packet', () => {
    const font = load('DejaVuSans-Bold.ttf');
    for (const t of ['B-000001   ·   Page 1 of 1008', 'Part 2 of 3', 'SHA-256 0123456789abcdef', 'Medicine', 'disclosure information']) expect(unshapedGlyphs(font, t), t).toBeDefined();
  });

  it('shapes text a ligature or a contextual substitution changes, and text outside Latin-1 and punctuation', () => {
    const font = load('DejaVuSans.ttf');
    for (const t of ['fi', 'office', 'fl', 'ffi', 'i\u0301', 'j\u0301', 'Nguyễn', 'مرحبا', 'שלום', 'नमस्ते', 'a\u00ADb', 'a\u200Db', '中文']) {
      expect(unshapedGlyphs(font, t), JSON.stringify(t)).toBeUndefined();
    }
    // Shaping really changes these: the ligature glyph is not the letters' glyphs.
    expect(ids(shaped(font, 'fi'))).not.toBe(ids(font.glyphsForString('fi')));
  });

  it('shapes whenever features are requested', () => {
    const font = load('DejaVuSans.ttf');
    expect(unshapedGlyphs(font, 'Page 1', ['smcp'])).toBeUndefined();
    expect(unshapedGlyphs(font, 'Page 1', { liga: false })).toBeUndefined();
    expect(unshapedGlyphs(font, 'Page 1', [])).toBeDefined();
  });
});
