/**
 * A read-only check of a PDF's cross-reference data (ISO 32000-1 §7.5.4 tables,
 * §7.5.8 cross-reference streams, §7.5.6 incremental updates), used to decide
 * whether a source PDF can go straight to pdf-lib or must first be decrypted or
 * repaired by qpdf.
 *
 * "Sound" means: `startxref` points at a cross-reference section, every section
 * reached through /Prev parses, and every in-use object it lists starts at the
 * offset given ("n g obj"), or sits in an object stream that is itself listed.
 * Nothing is repaired here; anything unusual (hybrid files with /XRefStm, TIFF
 * predictors, unknown filters) is reported unsound so qpdf handles it as before.
 */
import { inflateSync } from 'node:zlib';

/** Result of {@link inspectCrossReference}. */
export interface CrossReferenceCheck {
  /** True when every cross-reference section parses and every in-use entry points at its object. */
  sound: boolean;
  /** True when a trailer (or cross-reference stream dictionary) has /Encrypt (ISO 32000-1 §7.6.1). */
  encrypted: boolean;
  /** Why the data is not sound (internal, PHI-free: a short fixed phrase). */
  reason?: string;
}

const MAX_SECTIONS = 64;

class Unsound extends Error {}

/**
 * Inspect the cross-reference data of `pdf` without modifying or repairing it.
 *
 * @param pdf the file's bytes as selected
 * @returns {@link CrossReferenceCheck}; never throws (a file that cannot be read is simply not sound)
 * @source ISO 32000-1:2008 §7.5.4 (cross-reference table), §7.5.5 (trailer), §7.5.6 (incremental updates),
 *   §7.5.8 (cross-reference streams, PNG predictors per §7.4.4.4)
 */
export function inspectCrossReference(pdf: Uint8Array): CrossReferenceCheck {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  let encrypted = false;
  try {
    const tail = buf.toString('latin1', Math.max(0, buf.length - 2048));
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!m) throw new Unsound('no startxref at the end');
    const plain = new Map<number, number>(); // object number -> byte offset (effective, newest first)
    const compressed = new Map<number, number>(); // object number -> object stream number
    const seen = new Set<number>();
    const freed = new Set<number>();
    let next: number | undefined = Number(m[1]);
    while (next !== undefined) {
      if (seen.has(next) || seen.size >= MAX_SECTIONS || next >= buf.length) throw new Unsound('bad section chain');
      seen.add(next);
      const head = buf.toString('latin1', next, Math.min(buf.length, next + 64));
      const section: Section = /^xref\s/.test(head) ? readTable(buf, next) : readStream(buf, next);
      if (section.encrypted) encrypted = true;
      for (const [num, entry] of section.entries) {
        if (plain.has(num) || compressed.has(num) || freed.has(num)) continue; // a newer section wins
        if (entry.type === 0) freed.add(num);
        else if (entry.type === 1) plain.set(num, entry.a);
        else compressed.set(num, entry.a);
      }
      next = section.prev;
    }
    if (plain.size === 0) throw new Unsound('no objects');
    for (const [num, offset] of plain) {
      if (offset >= buf.length) throw new Unsound('offset past the end');
      const h = /^\s*(\d+)\s+\d+\s+obj\b/.exec(buf.toString('latin1', offset, Math.min(buf.length, offset + 32)));
      if (!h || Number(h[1]) !== num) throw new Unsound('offset does not point at its object');
    }
    for (const stm of compressed.values()) if (!plain.has(stm)) throw new Unsound('object stream not listed');
    return { sound: true, encrypted };
  } catch (e) {
    if (e instanceof Unsound) return { sound: false, encrypted, reason: e.message };
    return { sound: false, encrypted, reason: 'unreadable cross-reference data' };
  }
}

interface Entry {
  /** 0 free, 1 in use at byte offset `a`, 2 compressed in object stream `a`. */
  type: 0 | 1 | 2;
  a: number;
}
interface Section {
  entries: [number, Entry][];
  prev?: number;
  encrypted: boolean;
}

function trailerFacts(dict: string): { prev?: number; encrypted: boolean } {
  if (/\/XRefStm\b/.test(dict)) throw new Unsound('hybrid-reference file');
  const prev = /\/Prev\s+(\d+)/.exec(dict);
  return { encrypted: /\/Encrypt\b/.test(dict), ...(prev ? { prev: Number(prev[1]) } : {}) };
}

/** A classic table: "xref", subsections "start count" with 20-byte entries, then "trailer << ... >>". */
function readTable(buf: Buffer, at: number): Section {
  const end = buf.indexOf('trailer', at, 'latin1');
  if (end < 0) throw new Unsound('table without trailer');
  const tokens = buf.toString('latin1', at, end).trim().split(/\s+/);
  if (tokens[0] !== 'xref') throw new Unsound('not a table');
  const entries: [number, Entry][] = [];
  let i = 1;
  while (i < tokens.length) {
    const start = Number(tokens[i]);
    const count = Number(tokens[i + 1]);
    if (!Number.isInteger(start) || !Number.isInteger(count) || count < 0) throw new Unsound('bad subsection');
    i += 2;
    for (let k = 0; k < count; k++, i += 3) {
      const [off, gen, kind] = [tokens[i], tokens[i + 1], tokens[i + 2]];
      if (!off || !/^\d+$/.test(off) || !gen || !/^\d+$/.test(gen) || (kind !== 'n' && kind !== 'f')) throw new Unsound('bad table entry');
      entries.push([start + k, kind === 'n' ? { type: 1, a: Number(off) } : { type: 0, a: 0 }]);
    }
  }
  const trailerEnd = buf.indexOf('startxref', end, 'latin1');
  const dict = buf.toString('latin1', end, trailerEnd < 0 ? Math.min(buf.length, end + 4096) : trailerEnd);
  return { entries, ...trailerFacts(dict) };
}

/** A cross-reference stream: "n g obj << /Type /XRef /W [...] ... >> stream ... endstream". */
function readStream(buf: Buffer, at: number): Section {
  const streamAt = buf.indexOf('stream', at, 'latin1');
  if (streamAt < 0 || streamAt - at > 4096) throw new Unsound('no section at startxref');
  const dict = buf.toString('latin1', at, streamAt);
  if (!/^\s*\d+\s+\d+\s+obj\s*<</.test(dict) || !/\/Type\s*\/XRef\b/.test(dict)) throw new Unsound('no section at startxref');
  const num = (key: string): number | undefined => {
    const v = new RegExp(`/${key}\\s+(\\d+)\\b(?!\\s+\\d+\\s+R)`).exec(dict);
    return v ? Number(v[1]) : undefined;
  };
  const arr = (key: string): number[] | undefined => {
    const v = new RegExp(`/${key}\\s*\\[([\\d\\s]*)\\]`).exec(dict);
    return v ? v[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : undefined;
  };
  const length = num('Length');
  const size = num('Size');
  const w = arr('W');
  if (length === undefined || size === undefined || !w || w.length !== 3) throw new Unsound('incomplete stream dictionary');
  const filter = /\/Filter\s*(\[\s*)?\/(\w+)/.exec(dict)?.[2];
  if (filter !== undefined && filter !== 'FlateDecode') throw new Unsound('unsupported filter');
  let dataStart = streamAt + 'stream'.length;
  if (buf[dataStart] === 0x0d) dataStart++;
  if (buf[dataStart] === 0x0a) dataStart++;
  let data: Buffer = buf.subarray(dataStart, dataStart + length);
  if (filter) data = inflateSync(data);
  const predictor = num('Predictor') ?? 1;
  const rowBytes = w[0]! + w[1]! + w[2]!;
  if (predictor >= 10) {
    if ((num('Columns') ?? 1) !== rowBytes) throw new Unsound('predictor columns differ from the entry width');
    data = unpredictPng(data, rowBytes);
  }
  else if (predictor !== 1) throw new Unsound('unsupported predictor');
  const index = arr('Index') ?? [0, size];
  const entries: [number, Entry][] = [];
  let row = 0;
  for (let p = 0; p + 1 < index.length; p += 2) {
    for (let k = 0; k < index[p + 1]!; k++, row++) {
      const base = row * rowBytes;
      if (base + rowBytes > data.length) throw new Unsound('stream too short');
      const field = (from: number, width: number): number => {
        let v = 0;
        for (let b = 0; b < width; b++) v = v * 256 + data[base + from + b]!;
        return v;
      };
      const type = w[0] === 0 ? 1 : field(0, w[0]!);
      const a = field(w[0]!, w[1]!);
      if (type === 0 || type === 1 || type === 2) entries.push([index[p]! + k, { type, a }]);
    }
  }
  return { entries, ...trailerFacts(dict) };
}

/** Undo PNG row predictors (ISO 32000-1 §7.4.4.4 with Predictor >= 10; RFC 2083 §6). */
function unpredictPng(data: Buffer, width: number): Buffer {
  const rows = Math.floor(data.length / (width + 1));
  const out = Buffer.alloc(rows * width);
  for (let r = 0; r < rows; r++) {
    const kind = data[r * (width + 1)]!;
    for (let c = 0; c < width; c++) {
      const raw = data[r * (width + 1) + 1 + c]!;
      const left = c > 0 ? out[r * width + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * width + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * width + c - 1]! : 0;
      let v: number;
      switch (kind) {
        case 0: v = raw; break;
        case 1: v = raw + left; break;
        case 2: v = raw + up; break;
        case 3: v = raw + ((left + up) >> 1); break;
        case 4: {
          const pa = Math.abs(up - upLeft);
          const pb = Math.abs(left - upLeft);
          const pc = Math.abs(left + up - 2 * upLeft);
          v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new Unsound('bad PNG predictor row');
      }
      out[r * width + c] = v & 0xff;
    }
  }
  return out;
}
