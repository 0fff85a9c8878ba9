/**
 * The cross-reference check that lets clean PDFs skip qpdf: real files written by pdf-lib and by
 * native qpdf (tables, cross-reference streams with PNG predictors, incremental updates,
 * AES-256 encryption), and damaged ones that must still go through qpdf's repair.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSource } from '../../../src/main/services/packaging/inputs';
import { inspectCrossReference } from '../../../src/main/services/packaging/xref';
import { requireTool } from '../../support/tools';
import { read, run, tempDir, textPdf, writeTmp } from './fixtures';

const hasQpdf = requireTool('qpdf');
const t = tempDir();
const f: Record<string, Uint8Array> = {};

beforeAll(async () => {
  f.table = await textPdf('Zyxwv table', 3);
  const base = writeTmp(t.dir, 'base.pdf', f.table);
  if (!hasQpdf) return;
  const q = (name: string, args: string[]) => {
    const out = `${t.dir}/${name}.pdf`;
    expect(run('qpdf', [...args, base, out]).status).toBe(0);
    f[name] = read(out);
  };
  q('objstm', ['--object-streams=generate']);
  q('encrypted', ['--encrypt', 'pw', 'owner', '256', '--']);
  q('ownerOnly', ['--encrypt', '', 'owner', '256', '--']);
  // An incremental update: a second revision appended with its own table and /Prev.
  const doc = Buffer.from(f.table).toString('latin1');
  const prev = Number(/startxref\s+(\d+)/.exec(doc)![1]);
  const size = Number(/\/Size\s+(\d+)/.exec(doc)![1]);
  const root = /\/Root\s+(\d+ \d+ R)/.exec(doc)![1];
  const objAt = doc.length;
  const obj = `${size} 0 obj\n<< /Note (Zyxwv appended) >>\nendobj\n`;
  const xrefAt = objAt + obj.length;
  const upd = `xref\n${size} 1\n${String(objAt).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${root} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  f.incremental = Buffer.from(doc + obj + upd, 'latin1');
});
afterAll(() => t.cleanup());

describe('inspectCrossReference', () => {
  it('finds pdf-lib tables and object-stream files sound and unencrypted', async () => {
    expect(inspectCrossReference(f.table!)).toEqual({ sound: true, encrypted: false });
    const { PDFDocument } = await import('pdf-lib');
    const d = await PDFDocument.load(f.table!);
    expect(inspectCrossReference(await d.save({ useObjectStreams: true }))).toEqual({ sound: true, encrypted: false });
  });

  it.runIf(hasQpdf)('reads qpdf cross-reference streams (PNG predictor) and incremental updates', () => {
    expect(Buffer.from(f.objstm!).toString('latin1')).toMatch(/\/Type\s*\/XRef/);
    expect(inspectCrossReference(f.objstm!)).toEqual({ sound: true, encrypted: false });
    expect(run('qpdf', ['--check', writeTmp(t.dir, 'inc.pdf', f.incremental!)]).status).toBe(0);
    expect(inspectCrossReference(f.incremental!)).toEqual({ sound: true, encrypted: false });
  });

  it.runIf(hasQpdf)('flags encrypted files (user and owner-only passwords)', () => {
    expect(inspectCrossReference(f.encrypted!).encrypted).toBe(true);
    expect(inspectCrossReference(f.ownerOnly!).encrypted).toBe(true);
  });

  it('finds damaged files unsound: wrong startxref, shifted objects, truncation, garbage', () => {
    const s = Buffer.from(f.table!).toString('latin1');
    expect(inspectCrossReference(Buffer.from(s.replace(/startxref\s+\d+/, 'startxref\n999'), 'latin1')).sound).toBe(false);
    // One byte inserted after the header shifts every object away from its listed offset.
    expect(inspectCrossReference(Buffer.from(s.replace('%PDF-1.7\n', '%PDF-1.7\n\n'), 'latin1')).sound).toBe(false);
    expect(inspectCrossReference(f.table!.subarray(0, f.table!.length - 300)).sound).toBe(false);
    expect(inspectCrossReference(new TextEncoder().encode('%PDF-1.7\ngarbage')).sound).toBe(false);
  });
});

describe('normalizeSource fast path', () => {
  it('takes clean files without repair, and still repairs shifted offsets through qpdf', async () => {
    const clean = await normalizeSource({ id: 'c', bytes: f.table!, mediaType: 'application/pdf' });
    expect(clean).toMatchObject({ pageCount: 3, repaired: false });
    const shifted = Buffer.from(Buffer.from(f.table!).toString('latin1').replace('%PDF-1.7\n', '%PDF-1.7\n\n'), 'latin1');
    const fixed = await normalizeSource({ id: 's', bytes: shifted, mediaType: 'application/pdf' });
    expect(fixed.pageCount).toBe(3);
    expect(fixed.repaired).toBe(true);
  });

  it.runIf(hasQpdf)('still decrypts owner-password-only files through qpdf', async () => {
    const n = await normalizeSource({ id: 'o', bytes: f.ownerOnly!, mediaType: 'application/pdf' });
    expect(n.pageCount).toBe(3);
    expect(n.doc.getPage(0).node).toBeDefined();
  });
});
