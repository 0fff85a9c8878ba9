import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPdfAes256 } from '../../../src/main/services/packaging/encrypt';
import { requireTool } from '../../support/tools';
import { run, tempDir, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext'].every((t) => requireTool(t));

/** One page with an uncompressed 64x64 RGB image (no /Filter) and a line of text. */
async function pdfWithRawImage(pixels: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const img = doc.context.register(doc.context.stream(pixels, { Type: 'XObject', Subtype: 'Image', Width: 64, Height: 64, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }));
  const page = doc.addPage([612, 792]);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(200, 0, 0, 200, 100, 400), drawObject(page.node.newXObject('Im', img)), popGraphicsState());
  page.drawText('Zyxwv Testpatient scan page', { x: 72, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save({ useObjectStreams: false });
}

describe.skipIf(!tools)('encryptPdfAes256 compresses uncompressed streams natively (zlib) and encrypts them with node:crypto', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('gives what qpdf --encrypt gives: the raw image Flate-compressed, R6 AESv3, same pixels once decrypted', async () => {
    const pixels = randomBytes(64 * 64 * 3);
    pixels.fill(0x7f, 0, 4096); // partly compressible, so compression shows in the size
    const src = await pdfWithRawImage(pixels);
    const pass = 'spoken-words-for-test';
    const path = writeTmp(t.dir, 'raw-enc.pdf', await encryptPdfAes256(src, pass));
    expect(run('qpdf', ['--check', `--password=${pass}`, path]).status).toBe(0);
    const show = run('qpdf', ['--show-encryption', `--password=${pass}`, path]).stdout;
    expect(show).toContain('R = 6');
    expect(show).toMatch(/stream encryption method: AESv3/);
    expect(run('pdftotext', ['-upw', pass, path, '-']).stdout).toContain('Zyxwv Testpatient scan page');
    // Decrypt with native qpdf, keeping stream data as written: the image now carries /FlateDecode.
    const plain = join(t.dir, 'raw-dec.pdf');
    expect(run('qpdf', [`--password=${pass}`, '--decrypt', '--stream-data=preserve', path, plain]).status).toBe(0);
    const json = run('qpdf', ['--json', '--json-stream-data=inline', '--decode-level=generalized', plain]).stdout;
    const obj = JSON.parse(json) as { qpdf: [unknown, Record<string, { stream?: { dict: Record<string, unknown>; data?: string } }>] };
    const stream = Object.values(obj.qpdf[1]).find((o) => o.stream?.dict['/Subtype'] === '/Image')!.stream!;
    expect(Buffer.from(stream.data!, 'base64').equals(Buffer.from(pixels))).toBe(true);
    const raw = Object.values(JSON.parse(run('qpdf', ['--json', '--decode-level=none', plain]).stdout).qpdf[1] as Record<string, { stream?: { dict: Record<string, unknown> } }>).find((o) => o.stream?.dict['/Subtype'] === '/Image')!.stream!;
    expect(raw.dict['/Filter']).toBe('/FlateDecode');
    expect(Number(raw.dict['/Length'])).toBeLessThan(pixels.length);
  });

  it('leaves already compressed streams as they are: text still extracts with the password', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]).drawText('Zyxwv compressed only', { x: 72, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
    const pass = 'another-spoken-pass';
    const path = writeTmp(t.dir, 'c-enc.pdf', await encryptPdfAes256(await doc.save({ useObjectStreams: true }), pass));
    expect(run('qpdf', ['--check', `--password=${pass}`, path]).status).toBe(0);
    expect(run('pdftotext', ['-upw', pass, path, '-']).stdout).toContain('Zyxwv compressed only');
    expect(run('pdftotext', [path, '-']).status).not.toBe(0);
  });
});
