import { createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString, ParseSpeeds, StandardFonts, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPdfAes256 } from '../../../src/main/services/packaging/encrypt';
import { stringBytes, writeEncryptedPdf } from '../../../src/main/services/packaging/encrypted-writer';
import { hashR6, r6Authenticate, r6Values } from '../../../src/main/services/packaging/r6';
import { requireTool } from '../../support/tools';
import { pdfText, run, tempDir, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext', 'pdftoppm', 'pdfinfo'].every((t) => requireTool(t));

/** /Encrypt values of a file, read raw with pdf-lib (which does not decrypt). */
async function encryptDictOf(bytes: Uint8Array): Promise<{ U: Buffer; UE: Buffer; O: Buffer; OE: Buffer }> {
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  const dict = doc.context.lookup(doc.context.trailerInfo.Encrypt, PDFDict);
  const bin = (k: string) => stringBytes(dict.lookup(PDFName.of(k), PDFString, PDFHexString));
  return { U: bin('U'), UE: bin('UE'), O: bin('O'), OE: bin('OE') };
}

/** The file key native qpdf recovers with `password` (`--show-encryption-key`). */
function qpdfFileKey(path: string, password: string): string {
  const m = /Encryption key = ([0-9a-f]+)/.exec(run('qpdf', ['--show-encryption', '--show-encryption-key', `--password=${password}`, path]).stdout);
  return m![1]!;
}

/**
 * A document with many streams of every kind the writer handles: `pages` pages with text, an
 * uncompressed image on each page (some over 64 KiB, so cipher and compressor work in pieces),
 * a pre-compressed (Flate) image every 7th page passed through as it is, an empty content stream,
 * over 100 non-stream objects (several object streams), and non-ASCII and escaped strings.
 */
async function manyStreams(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.setTitle('Zyxwv Tëst — ünïcode ✓ 患者');
  // Literal string with escapes: "( ) \" and PDFDocEncoding é (octal 351), a continuation line.
  const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  info.set(PDFName.of('Subject'), PDFString.of('Paren \\( \\) back \\\\ \\351t\\351 one\\\nline'));
  info.set(PDFName.of('Keywords'), PDFHexString.of('5A 79 78 77 76 2'));
  for (let k = 1; k <= pages; k++) {
    const side = k % 10 === 1 ? 220 : 40; // 220*220*3 = 145 KB raw
    const pixels = randomBytes(side * side * 3);
    pixels.fill(k % 256, 0, pixels.length >> 1);
    const img = doc.context.register(doc.context.stream(pixels, { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }));
    const page = doc.addPage([612, 792]);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(200, 0, 0, 200, 72, 400), drawObject(page.node.newXObject('Im', img)), popGraphicsState());
    if (k % 7 === 0) {
      const flate = doc.context.register(doc.context.stream(deflateSync(randomBytes(120 * 120 * 3)), { Type: 'XObject', Subtype: 'Image', Width: 120, Height: 120, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'FlateDecode' }));
      page.pushOperators(pushGraphicsState(), concatTransformationMatrix(120, 0, 0, 120, 350, 400), drawObject(page.node.newXObject('Fl', flate)), popGraphicsState());
    }
    page.drawText(`Zyxwv Testpatient page ${k} of ${pages}`, { x: 72, y: 700, size: 14, font });
    if (k === 1) {
      const empty = doc.context.register(doc.context.stream(new Uint8Array(0)));
      page.node.addContentStream(empty);
    }
  }
  return doc.save({ useObjectStreams: true });
}

describe('R6 password hash and /Encrypt values (ISO 32000-2 Algorithms 2.B, 8-12)', () => {
  it('unlocks the file key with the user and the owner password, and nothing with a wrong or empty one', () => {
    const key = randomBytes(32);
    const v = r6Values(Buffer.from('spoken-words-here'), Buffer.from('owner-secret'), key, -4, true);
    expect(v.U).toHaveLength(48);
    expect(v.O).toHaveLength(48);
    expect(v.UE).toHaveLength(32);
    expect(v.OE).toHaveLength(32);
    expect(r6Authenticate(Buffer.from('spoken-words-here'), v)).toEqual({ key, as: 'user' });
    expect(r6Authenticate(Buffer.from('owner-secret'), v)).toEqual({ key, as: 'owner' });
    expect(r6Authenticate(Buffer.from('spoken-words-herE'), v)).toBeNull();
    expect(r6Authenticate(Buffer.alloc(0), v)).toBeNull();
    // Perms (Algorithm 10): P little-endian, 0xFF x4, 'T' (metadata encrypted), "adb".
    const d = createDecipheriv('aes-256-ecb', key, null);
    d.setAutoPadding(false);
    const perms = Buffer.concat([d.update(v.Perms), d.final()]);
    expect(perms.readInt32LE(0)).toBe(-4);
    expect(perms.subarray(4, 12).toString('latin1')).toBe('\xff\xff\xff\xffTadb');
    expect(hashR6(Buffer.from('a'), Buffer.alloc(8))).toHaveLength(32);
  });
});

describe.skipIf(!tools)('encryptPdfAes256 writes R6 itself (node:crypto); qpdf, poppler read it', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('hashes passwords exactly as qpdf does: our Algorithm 2.B recovers the key native qpdf wrote, for user and owner', async () => {
    const src = join(t.dir, 'kat-src.pdf');
    expect(run('qpdf', ['--empty', src]).status).toBe(0);
    const enc = join(t.dir, 'kat.pdf');
    // qpdf 11.3 (Debian 12) takes the passwords positionally
    expect(run('qpdf', ['--encrypt', 'pässwörd-ü', 'Owner (x)', '256', '--', src, enc]).status).toBe(0);
    const v = await encryptDictOf(new Uint8Array(readFileSync(enc)));
    const key = qpdfFileKey(enc, 'pässwörd-ü');
    expect(r6Authenticate(Buffer.from('pässwörd-ü'), v)?.key.toString('hex')).toBe(key);
    expect(r6Authenticate(Buffer.from('Owner (x)'), v)).toMatchObject({ as: 'owner' });
    expect(r6Authenticate(Buffer.from('Owner (x)'), v)?.key.toString('hex')).toBe(key);
  });

  it('is opened by qpdf and pdftotext with the password only; R6 AESv3 everywhere; wrong and empty passwords refused', async () => {
    const pass = 'maple-otter-river-stone';
    const enc = await encryptPdfAes256(await manyStreams(3), pass);
    const path = writeTmp(t.dir, 'small.pdf', enc);
    const check = run('qpdf', ['--check', `--password=${pass}`, path]);
    expect(check.status).toBe(0);
    expect(check.stdout + check.stderr).not.toMatch(/WARNING/i);
    const show = run('qpdf', ['--show-encryption', `--password=${pass}`, path]).stdout;
    expect(show).toContain('R = 6');
    expect(show).toContain('P = -4');
    expect(show).toContain('Supplied password is user password');
    for (const what of ['stream', 'string', 'file']) expect(show).toContain(`${what} encryption method: AESv3`);
    expect(pdfText(path, 2, pass)).toContain('Zyxwv Testpatient page 2 of 3');
    for (const bad of ['maple-otter-river-ston', 'wrong']) {
      const r = run('qpdf', ['--check', `--password=${bad}`, path]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('invalid password');
      expect(run('pdftotext', ['-upw', bad, path, '-']).status).not.toBe(0);
    }
    // The empty user password does not open it.
    expect(run('qpdf', ['--check', path]).status).toBe(2);
    expect(run('pdftotext', [path, '-']).status).not.toBe(0);
    expect(Buffer.from(enc).toString('latin1')).not.toMatch(/Zyxwv|Testpatient/);
    // The header and catalog declare what R6 needs, as qpdf writes it.
    expect(Buffer.from(enc.subarray(0, 9)).toString('latin1')).toBe('%PDF-1.7\n');
    expect(run('qpdf', [`--password=${pass}`, '--show-object=trailer', path]).stdout).toMatch(/\/Encrypt \d+ 0 R/);
    const rootNum = /\/Root (\d+) 0 R/.exec(run('qpdf', [`--password=${pass}`, '--show-object=trailer', path]).stdout)![1]!;
    expect(run('qpdf', [`--password=${pass}`, `--show-object=${rootNum}`, path]).stdout).toContain('/Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 8 >> >>');
  });

  it('owner password (kept by nobody in the product) is recognised by qpdf as the owner password', async () => {
    const doc = await PDFDocument.load(await manyStreams(1), { updateMetadata: false, parseSpeed: ParseSpeeds.Fast });
    const bytes = await writeEncryptedPdf(doc.context, { userPassword: Buffer.from('user-words'), ownerPassword: Buffer.from('-owner-Zq9_'), permissions: -4, compressUnfiltered: true });
    const path = writeTmp(t.dir, 'owner.pdf', bytes);
    expect(run('qpdf', ['--show-encryption', '--password=-owner-Zq9_', path]).stdout).toContain('Supplied password is owner password');
    expect(run('qpdf', ['--check', '--password=-owner-Zq9_', path]).status).toBe(0);
    expect(qpdfFileKey(path, '-owner-Zq9_')).toBe(qpdfFileKey(path, 'user-words'));
  });

  it('keeps a large multi-stream document intact: same text and same rendered pixels as the plain file, all pages', async () => {
    const pages = 120;
    const plain = await manyStreams(pages);
    const pass = 'cedar-lamp-orbit-quilt';
    const enc = await encryptPdfAes256(plain, pass);
    const plainPath = writeTmp(t.dir, 'many-plain.pdf', plain);
    const path = writeTmp(t.dir, 'many.pdf', enc);
    const check = run('qpdf', ['--check', `--password=${pass}`, path]);
    expect(check.status).toBe(0);
    expect(check.stdout + check.stderr).not.toMatch(/WARNING/i);
    expect(run('qpdf', ['--show-npages', `--password=${pass}`, path]).stdout.trim()).toBe(String(pages));
    expect(run('pdftotext', ['-upw', pass, path, '-']).stdout).toBe(run('pdftotext', [plainPath, '-']).stdout);
    for (const p of [1, 7, 11, 120]) {
      const png = (file: string, extra: string[] = []) => execFileSync('pdftoppm', [...extra, '-r', '40', '-f', String(p), '-l', String(p), file]);
      expect(png(path, ['-upw', pass]).equals(png(plainPath))).toBe(true);
    }
    // qpdf decrypts every stream and object stream and writes a sound plain file.
    const dec = join(t.dir, 'many-dec.pdf');
    expect(run('qpdf', [`--password=${pass}`, '--decrypt', '--object-streams=disable', path, dec]).status).toBe(0);
    expect(run('qpdf', ['--check', dec]).status).toBe(0);
  });

  it('encrypts non-ASCII and escaped strings (Info title in UTF-16, PDFDocEncoding octal, hex with spaces) so readers show them unchanged', async () => {
    const pass = 'violet-harbor-seven';
    const path = writeTmp(t.dir, 'strings.pdf', await encryptPdfAes256(await manyStreams(1), pass));
    const info = run('pdfinfo', ['-upw', pass, path]).stdout;
    expect(info).toContain('Title:           Zyxwv Tëst — ünïcode ✓ 患者');
    expect(info).toContain('Subject:         Paren ( ) back \\ été oneline');
    expect(info).toContain('Keywords:        Zyxwv ');
    expect(info).toMatch(/Encrypted:\s+yes .*algorithm:AES-256/);
    expect(stringBytes(PDFString.of('a\\\r\nb\rc\\101\\7d\\q')).toString('latin1')).toBe('ab\nc\x41\x07dq');
    expect(stringBytes(PDFHexString.of('41 42\n4')).toString('latin1')).toBe('AB@');
  });

  it('renders a page with the password (pdftoppm -upw)', async () => {
    const pass = 'granite-pepper-cloud';
    const path = writeTmp(t.dir, 'render.pdf', await encryptPdfAes256(await manyStreams(2), pass));
    const out = join(t.dir, 'render');
    expect(run('pdftoppm', ['-upw', pass, '-r', '50', '-f', '1', '-l', '1', '-png', '-singlefile', path, out]).status).toBe(0);
    const mean = Number(execFileSync('convert', [`${out}.png`, '-colorspace', 'Gray', '-format', '%[fx:mean]', 'info:']).toString());
    expect(mean).toBeGreaterThan(0.3); // mostly white page…
    expect(mean).toBeLessThan(0.97); // …with the image and the text drawn
    expect(run('pdftoppm', ['-upw', 'nope', '-r', '50', '-f', '1', '-l', '1', '-png', path, `${out}-bad`]).status).not.toBe(0);
  });

  it('falls back to qpdf-wasm for a file pdf-lib refuses (already encrypted, empty user password): it opens with the new password only', async () => {
    const src = writeTmp(t.dir, 'pre-src.pdf', await manyStreams(1));
    const pre = join(t.dir, 'pre.pdf');
    expect(run('qpdf', ['--encrypt', '', 'o', '256', '--', src, pre]).status).toBe(0);
    const pass = 'saffron-kettle-nine';
    const path = writeTmp(t.dir, 'fallback.pdf', await encryptPdfAes256(new Uint8Array(readFileSync(pre)), pass));
    expect(run('qpdf', ['--show-encryption', `--password=${pass}`, path]).stdout).toContain('R = 6');
    expect(pdfText(path, 1, pass)).toContain('Zyxwv Testpatient page 1 of 1');
    expect(run('pdftotext', [path, '-']).status).not.toBe(0);
  });
});
