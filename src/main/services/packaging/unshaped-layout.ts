/**
 * Laying out plain Latin text without running fontkit's shaper when shaping provably changes nothing.
 *
 * pdf-lib draws and measures text from fontkit's `layout(text).glyphs` only: the glyph ids it writes
 * (Identity-H) and their advance widths from `hmtx` (glyph positions, e.g. GPOS kerning, are not used).
 * So for pdf-lib a layout is the glyph sequence after GSUB substitution. When no GSUB lookup can fire on
 * a string, that sequence is exactly `glyphsForString(text)` (the cmap mapping fontkit's layout starts
 * from), which costs ~1/100 of a shaping pass (~0.3 ms per string with DejaVu Sans). A 1,000-page packet
 * stamps 1,000 different strings, so this is most of the stamping time.
 *
 * "Provably" is decided per font from its GSUB table, conservatively:
 * - every lookup of every feature is considered (over all scripts and languages), except features a
 *   shaper only applies when asked ({@link OPT_IN_FEATURES}; pdf-lib asks for none);
 * - a glyph in the coverage of a single, multiple, alternate or reverse chaining lookup may be substituted:
 *   a string containing it is shaped as before;
 * - a glyph in a ligature lookup's coverage may start a ligature: the string is shaped as before when the
 *   glyphs after it equal one of that glyph's ligatures' components;
 * - a glyph in a context or chaining context lookup's coverage (formats 1–3) starts a match: the string is
 *   shaped as before when the glyphs after it match a rule's input and lookahead (its backtrack is not
 *   checked, i.e. assumed to match);
 * - in a lookup that skips marks, bases or ligatures (lookup flags), "the glyphs after" are not the next
 *   ones: any glyph it covers sends the string to the shaper;
 * - a font with AAT `morx` or GSUB feature variations, a non-empty feature request, and any character
 *   outside printable Latin-1 and general punctuation (script detection, right-to-left order, variation
 *   selectors, default ignorables such as U+00AD or U+200D) always take the shaper.
 * A contextual lookup can only start at a glyph in its coverage (ISO/IEC 14496-22 §6.2 lookup types 5, 6,
 * 8: Coverage is of the first input glyph), so lookups that contextual ones call need no check of their own.
 *
 * @source ISO/IEC 14496-22:2019 (OpenType) §6.2 (GSUB lookup types 1–8, lookup flags), fontkit 1.x
 *   LayoutEngine.layout (glyphsForString, substitute, position, hideDefaultIgnorables), pdf-lib 1.17
 *   CustomFontEmbedder.encodeText / widthOfTextAtSize
 */

/** Features fontkit applies only when the caller lists them (discretionary, stylistic, case, numerals). */
const OPT_IN_FEATURES = new Set([
  'aalt', 'salt', 'dlig', 'hlig', 'case', 'smcp', 'c2sc', 'pcap', 'c2pc', 'unic', 'titl', 'swsh', 'cswh',
  'onum', 'lnum', 'tnum', 'pnum', 'frac', 'afrc', 'sups', 'subs', 'sinf', 'ordn', 'zero', 'hist', 'ornm', 'nalt',
  'ss01', 'ss02', 'ss03', 'ss04', 'ss05', 'ss06', 'ss07', 'ss08', 'ss09', 'ss10', 'ss11', 'ss12', 'ss13', 'ss14',
  'ss15', 'ss16', 'ss17', 'ss18', 'ss19', 'ss20',
]);

/** The parts of a fontkit glyph pdf-lib reads. */
interface Glyph {
  id: number;
}

/** The parts of a fontkit font this module reads. */
export interface LayoutFont {
  layout(text: string, features?: unknown): unknown;
  glyphsForString(text: string): Glyph[];
  GSUB?: unknown;
  morx?: unknown;
}

interface Coverage {
  version: 1 | 2;
  glyphs?: ArrayLike<number>;
  rangeRecords?: ArrayLike<{ start: number; end: number; startCoverageIndex: number }>;
}
interface ClassDef {
  version: 1 | 2;
  startGlyph?: number;
  classValueArray?: ArrayLike<number>;
  classRangeRecord?: ArrayLike<{ start: number; end: number; class: number }>;
}
/** A (chaining) context rule: glyph ids (format 1) or classes (format 2) after the first input glyph, and lookahead. */
interface Rule {
  input?: ArrayLike<number>;
  classes?: ArrayLike<number>;
  lookahead?: ArrayLike<number>;
}
interface SubTable {
  version?: number;
  lookupType?: number;
  extension?: SubTable;
  coverage?: Coverage;
  coverages?: ArrayLike<Coverage>;
  inputCoverage?: ArrayLike<Coverage>;
  lookaheadCoverage?: ArrayLike<Coverage>;
  classDef?: ClassDef;
  inputClassDef?: ClassDef;
  lookaheadClassDef?: ClassDef;
  ruleSets?: ArrayLike<ArrayLike<Rule>>;
  classSet?: ArrayLike<ArrayLike<Rule>>;
  chainRuleSets?: ArrayLike<ArrayLike<Rule>>;
  chainClassSet?: ArrayLike<ArrayLike<Rule>>;
  ligatureSets?: ArrayLike<ArrayLike<{ components: ArrayLike<number> }>>;
}
interface Lookup {
  lookupType: number;
  flags: { markAttachmentType: number; flags: { ignoreBaseGlyphs: boolean; ignoreLigatures: boolean; ignoreMarks: boolean; useMarkFilteringSet: boolean } };
  subTables: ArrayLike<SubTable>;
}
interface Gsub {
  featureList: ArrayLike<{ tag: string; feature: { lookupListIndexes: ArrayLike<number> } }>;
  lookupList: { get(i: number): Lookup; length: number };
  featureVariations?: unknown;
}

/**
 * Whether a lookup subtable may change the glyphs when it is tried at position `i` of `ids` (whose glyph it
 * covers): a superset of when fontkit's processor would apply it.
 */
type Matcher = (ids: number[], i: number) => boolean;

/** What GSUB can do to a glyph of this font: nothing (absent), anything (`true`), or what the matchers say. */
type Exposure = Map<number, true | Matcher[]>;

const analyses = new WeakMap<object, Exposure | null>();
/** Per fontkit font: code point → its glyph (fontkit's cmap lookup and glyph object, done once per character). */
const glyphCaches = new WeakMap<object, Map<number, Glyph>>();

/** fontkit (restructure) decodes some arrays lazily (a LazyArray with get/toArray): the elements either way. */
type ArrayLike<T> = T[] | { toArray(): T[] } | undefined;
function all<T>(a: ArrayLike<T>): T[] {
  if (!a) return [];
  return Array.isArray(a) ? a : a.toArray();
}
/** Element `i` of an array fontkit decoded, lazily or not. */
function at<T>(a: ArrayLike<T>, i: number): T | undefined {
  return all(a)[i];
}

/** Each glyph id a coverage table lists, with its coverage index. */
function* covered(c: Coverage | undefined): Generator<[glyph: number, index: number]> {
  if (!c) return;
  if (c.version === 1) {
    const gs = all(c.glyphs);
    for (let i = 0; i < gs.length; i++) yield [gs[i]!, i];
  } else {
    for (const r of all(c.rangeRecords)) for (let g = r.start; g <= r.end; g++) yield [g, r.startCoverageIndex + g - r.start];
  }
}

/** A coverage table as a set of glyph ids. */
function coverageSet(c: Coverage): Set<number> {
  return new Set(Array.from(covered(c), ([g]) => g));
}

/** A class definition table as a function: the class of glyph `g` (0 when not listed), OpenType §6.2 "Class Definition Table". */
function classifier(def: ClassDef | undefined): (g: number) => number {
  if (!def) return () => 0;
  if (def.version === 1) {
    const start = def.startGlyph ?? 0;
    const values = all(def.classValueArray);
    return (g) => values[g - start] ?? 0;
  }
  const ranges = all(def.classRangeRecord);
  return (g) => ranges.find((r) => r.start <= g && g <= r.end)?.class ?? 0;
}

/** `make()` once, on first use: most covered glyphs never occur in the text laid out. */
function lazily<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/** Whether `ids[from + k]` matches `want[k]` for every k (`same` compares one glyph with one entry); false past the end. */
function sequenceAt<T>(ids: number[], from: number, want: T[], same: (id: number, w: T) => boolean): boolean {
  for (let k = 0; k < want.length; k++) {
    const id = ids[from + k];
    if (id === undefined || !same(id, want[k]!)) return false;
  }
  return true;
}

/**
 * The coverage of a context (type 5) or chaining context (type 6) subtable, formats 1–3, and for a glyph it covers
 * (with its coverage index) when the subtable may fire at it. The backtrack sequence is not checked (assumed to
 * match): the input and lookahead sequences decide, which only widens when it may fire.
 */
function contextMatcher(sub: SubTable, chaining: boolean): { coverage: Coverage; matcher: (g: number, index: number) => Matcher } | null {
  const byId = (id: number, w: number) => id === w;
  if (sub.version === 1 && sub.coverage) {
    const sets = all(chaining ? sub.chainRuleSets : sub.ruleSets);
    return {
      coverage: sub.coverage,
      matcher: (_g, index) => {
        const rules = lazily(() => all(at(sets, index)).map((r) => ({ input: all(r.input), lookahead: all(r.lookahead) })));
        return (ids, i) => rules().some((r) => sequenceAt(ids, i + 1, r.input, byId) && sequenceAt(ids, i + 1 + r.input.length, r.lookahead, byId));
      },
    };
  }
  if (sub.version === 2 && sub.coverage) {
    const inputClass = classifier(chaining ? sub.inputClassDef : sub.classDef);
    const aheadClass = classifier(sub.lookaheadClassDef);
    const sets = all(chaining ? sub.chainClassSet : sub.classSet);
    const byClass = new Map<number, () => { input: number[]; lookahead: number[] }[]>();
    const rulesOf = (cls: number) => {
      let r = byClass.get(cls);
      if (!r) byClass.set(cls, (r = lazily(() => all(at(sets, cls)).map((x) => ({ input: all(chaining ? x.input : x.classes), lookahead: all(x.lookahead) })))));
      return r;
    };
    return {
      coverage: sub.coverage,
      matcher: (g) => {
        const rules = rulesOf(inputClass(g));
        return (ids, i) =>
          rules().some(
            (r) => sequenceAt(ids, i + 1, r.input, (id, c) => inputClass(id) === c) && sequenceAt(ids, i + 1 + r.input.length, r.lookahead, (id, c) => aheadClass(id) === c),
          );
      },
    };
  }
  const inputs = all(chaining ? sub.inputCoverage : sub.coverages);
  if (sub.version === 3 && inputs[0]) {
    const rest = inputs.slice(1).map(coverageSet);
    const ahead = all(sub.lookaheadCoverage).map(coverageSet);
    const inSet = (id: number, c: Set<number>) => c.has(id);
    return { coverage: inputs[0], matcher: () => (ids, i) => sequenceAt(ids, i + 1, rest, inSet) && sequenceAt(ids, i + inputs.length, ahead, inSet) };
  }
  return null;
}

/** The font's exposure to substitution, or null when no string may skip the shaper. */
function analyse(font: LayoutFont): Exposure | null {
  if (font.morx) return null;
  const gsub = font.GSUB as Gsub | undefined;
  const exposure: Exposure = new Map();
  if (!gsub) return exposure;
  if (gsub.featureVariations) return null;
  const lookups = new Set<number>();
  for (const f of all(gsub.featureList)) if (!OPT_IN_FEATURES.has(f.tag)) for (const i of all(f.feature.lookupListIndexes)) lookups.add(i);
  const always = (g: number) => exposure.set(g, true);
  const add = (g: number, m: Matcher) => {
    const known = exposure.get(g);
    if (known === true) return;
    if (known) known.push(m);
    else exposure.set(g, [m]);
  };
  for (const index of lookups) {
    if (index >= gsub.lookupList.length) return null;
    const lookup = gsub.lookupList.get(index);
    const f = lookup.flags.flags;
    // With glyphs skipped (marks, bases, ligatures), "the glyph after" is not the next one: any covered glyph may fire.
    const skips = f.ignoreBaseGlyphs || f.ignoreLigatures || f.ignoreMarks || f.useMarkFilteringSet || lookup.flags.markAttachmentType !== 0;
    for (const raw of all(lookup.subTables)) {
      const type = lookup.lookupType === 7 ? raw.lookupType : lookup.lookupType;
      const sub = lookup.lookupType === 7 ? raw.extension : raw;
      if (!sub || type === undefined) return null;
      if (type === 1 || type === 2 || type === 3 || type === 8) {
        for (const [g] of covered(sub.coverage)) always(g);
      } else if (type === 4 && sub.coverage && sub.ligatureSets) {
        const sets = all(sub.ligatureSets);
        for (const [g, i] of covered(sub.coverage)) {
          if (skips) {
            always(g);
            continue;
          }
          const ligatures = lazily(() => all(at(sets, i)).map((l) => all(l.components)));
          add(g, (ids, pos) => ligatures().some((c) => sequenceAt(ids, pos + 1, c, (id, w) => id === w)));
        }
      } else if (type === 5 || type === 6) {
        const ctx = contextMatcher(sub, type === 6);
        if (!ctx) return null;
        for (const [g, i] of covered(ctx.coverage)) {
          if (skips) always(g);
          else add(g, ctx.matcher(g, i));
        }
      } else {
        return null; // a lookup this module does not know how to bound
      }
    }
  }
  return exposure;
}

/**
 * Printable Latin-1 (U+0020–U+007E, U+00A0–U+00FF but U+00AD) and general punctuation (U+2010–U+2027 dashes,
 * quotes, bullet, ellipsis; U+2030–U+205E): Latin or common script, left to right, never a default ignorable,
 * a variation selector or a surrogate.
 */
function plainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    if (c >= 0xa0 && c <= 0xff && c !== 0xad) continue;
    if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e)) continue;
    return false;
  }
  return true;
}

/**
 * The glyphs fontkit's `layout(text)` would return for `text`, without shaping, when shaping provably
 * leaves them as they are (see the module comment); else undefined (the caller shapes).
 *
 * @param font a fontkit font (pdf-lib's embedder font)
 * @param features the features pdf-lib passes (its embedFont `features` option); only none qualifies
 * @param fontKey what identifies the font file (e.g. the bytes given to embedFont): fontkit reads the file anew
 *   for every document, and its GSUB analysis (tens of ms) is kept per key, not per fontkit object
 * @returns the glyph sequence, or undefined
 */
export function unshapedGlyphs(font: LayoutFont, text: string, features?: unknown, fontKey: object = font): Glyph[] | undefined {
  if (features !== undefined && !(Array.isArray(features) ? features.length === 0 : typeof features === 'object' && features !== null && Object.keys(features).length === 0)) return undefined;
  if (!plainText(text)) return undefined;
  let exposure = analyses.get(fontKey);
  if (exposure === undefined) {
    try {
      exposure = analyse(font);
    } catch {
      exposure = null; // an unusual table: always shape
    }
    analyses.set(fontKey, exposure);
  }
  if (!exposure) return undefined;
  // For these characters (no surrogates, no variation selectors) glyphsForString maps each one alone: cache it.
  let cache = glyphCaches.get(font);
  if (!cache) glyphCaches.set(font, (cache = new Map()));
  const glyphs: Glyph[] = new Array<Glyph>(text.length);
  const ids: number[] = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    let g = cache.get(cp);
    if (!g) {
      g = font.glyphsForString(text[i]!)[0]!;
      cache.set(cp, g);
    }
    glyphs[i] = g;
    ids[i] = g.id;
  }
  for (let i = 0; i < ids.length; i++) {
    const e = exposure.get(ids[i]!);
    if (e === undefined) continue;
    if (e === true) return undefined;
    for (const may of e) if (may(ids, i)) return undefined;
  }
  return glyphs;
}
