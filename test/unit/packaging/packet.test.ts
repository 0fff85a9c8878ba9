import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemblePacket } from '../../../src/main/services/packaging/packet';
import { PART2_NOTICE, REDISCLOSURE_NOTICE } from '../../../src/main/services/packaging/notices';
import { isAppError } from '../../../src/shared/errors';
import { requireTool } from '../../support/tools';
import { formPdf, packetInput, pdfText, read, renderPage, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext', 'pdftoppm', 'convert', 'exiftool', 'tiffcp'].every((t) => requireTool(t));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return isAppError(e) ? e.code : `not an AppError: ${String(e)}`;
  }
}

describe.skipIf(!tools)('assemblePacket', () => {
  const t = tempDir();
  const f: Record<string, Uint8Array> = {};
  afterAll(() => t.cleanup());

  beforeAll(async () => {
    const d = t.dir;
    f.plain = await textPdf('Zyxwv plain', 2);
    const plain = writeTmp(d, 'plain.pdf', f.plain);
    // Owner-password-only and user-password PDFs (AES-256) made by qpdf.
    run('qpdf', ['--encrypt', '', 'owner-secret', '256', '--', plain, `${d}/owner.pdf`]);
    f.owner = read(`${d}/owner.pdf`);
    run('qpdf', ['--encrypt', 'open-sesame', 'owner-secret', '256', '--', plain, `${d}/user.pdf`]);
    f.user = read(`${d}/user.pdf`);
    // Rotated page: qpdf sets /Rotate 90.
    run('qpdf', ['--rotate=+90:1', plain, `${d}/rot.pdf`]);
    f.rot = read(`${d}/rot.pdf`);
    // Damaged cross-reference table: startxref points nowhere.
    const dmg = Buffer.from(await textPdf('Zyxwv damaged', 3)).toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999');
    f.damagedXref = Buffer.from(dmg, 'latin1');
    // A PDF with a page object destroyed: /Count says 3, only 2 can be recovered.
    const lost = Buffer.from(await textPdf('Zyxwv lost', 3)).toString('latin1');
    const kids = /\/Kids\s*\[\s*(\d+) 0 R\s+(\d+) 0 R\s+(\d+) 0 R/.exec(lost);
    const third = kids![3];
    f.lostPage = Buffer.from(lost.replace(new RegExp(`\\n${third} 0 obj`), '\nXX 0 obj').replace(/startxref\s+\d+/, 'startxref\n999'), 'latin1');
    // JPEG: landscape picture, red top-left / blue bottom-right, stored turned 90° counter-clockwise with EXIF Orientation 6.
    run('convert', ['-size', '400x300', 'xc:white', '-fill', 'red', '-draw', 'rectangle 0,0 200,150', '-fill', 'blue', '-draw', 'rectangle 200,150 400,300', `${d}/land.jpg`]);
    run('convert', [`${d}/land.jpg`, '-rotate', '-90', `${d}/stored.jpg`]);
    run('exiftool', ['-q', '-overwrite_original', '-n', '-Orientation=6', `${d}/stored.jpg`]);
    f.jpeg = read(`${d}/stored.jpg`);
    run('convert', ['-size', '300x200', 'xc:green', `${d}/img.png`]);
    f.png = read(`${d}/img.png`);
    // 3-page fax TIFF, CCITT G4, 204x98 dpi, a circle drawn in pixels (so 2.08x taller than wide on paper).
    for (const [i, neg] of [[1, false], [2, true], [3, false]] as const) {
      run('convert', ['-size', '1728x1100', 'xc:white', '-fill', 'black', '-draw', 'circle 864,550 864,100', ...(neg ? ['-negate'] : []), '-monochrome', '-compress', 'Group4', '-density', '204x98', '-units', 'PixelsPerInch', `${d}/p${i}.tif`]);
    }
    run('tiffcp', ['-c', 'g4', `${d}/p1.tif`, `${d}/p2.tif`, `${d}/p3.tif`, `${d}/fax.tif`]);
    f.tiff = read(`${d}/fax.tif`);
    f.formA = await formPdf('Zyxwv Alpha');
    f.formB = await formPdf('Zyxwv Beta');
  });

  it('puts every source into one packet: cover, manifest, all pages, stamped n of N; qpdf --check passes', async () => {
    const progress: string[] = [];
    const r = await assemblePacket(
      packetInput(
        [
          { id: 'doc-plain', bytes: f.plain!, mediaType: 'application/pdf' },
          { id: 'doc-owner', bytes: f.owner!, mediaType: 'application/pdf' },
          { id: 'doc-rot', bytes: f.rot!, mediaType: 'application/pdf' },
          { id: 'doc-jpeg', bytes: f.jpeg!, mediaType: 'image/jpeg' },
          { id: 'doc-png', bytes: f.png!, mediaType: 'image/png' },
          { id: 'doc-tiff', bytes: f.tiff!, mediaType: 'image/tiff' },
        ],
        { includePart2Notice: true, recipient: { name: 'Nguyễn Thị Zyxwv / Зыхвов Тестпациент / 张测试' }, onProgress: (p) => progress.push(p.phase) },
      ),
    );
    // 1 cover + 1 manifest + 2 + 2 + 2 + 1 + 1 + 3
    expect(r.pageCount).toBe(13);
    expect(r.manifest.documents.map((d) => d.sourcePages)).toEqual([2, 2, 2, 1, 1, 3]);
    expect(r.manifest.documents.map((d) => [d.firstPage, d.lastPage])).toEqual([[3, 4], [5, 6], [7, 8], [9, 9], [10, 10], [11, 13]]);
    expect(r.manifest.documents[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(progress).toEqual(expect.arrayContaining(['normalize', 'stamp', 'save', 'verify']));
    const path = writeTmp(t.dir, 'packet.pdf', r.pdf);
    expect(run('qpdf', ['--check', path]).status).toBe(0);
    expect(run('qpdf', ['--show-npages', path]).stdout.trim()).toBe('13');

    const cover = pdfText(path, 1).replace(/\s+/g, ' ');
    for (const s of ['Maple Street Family Medicine', 'Nguyễn Thị Zyxwv', 'Зыхвов Тестпациент', '张测试', 'At the request of the individual', 'REQ-2026-0042', 'March 2, 2026, 09:04', '13 pages', 'CONFIDENTIAL', 'Redisclosure notice', '42 CFR 2.32', 'RD0042-000001 to RD0042-000013']) {
      expect(cover).toContain(s);
    }
    expect(cover).toContain(REDISCLOSURE_NOTICE.slice(0, 60));
    expect(cover).toContain(PART2_NOTICE.slice(-60).replace(/\s+/g, ' '));
    const manifestPage = pdfText(path, 2).replace(/\s+/g, ' ');
    for (const d of r.manifest.documents) expect(manifestPage).toContain(d.sha256);
    for (let n = 1; n <= 13; n++) expect(pdfText(path, n)).toContain(`Page ${n} of 13`);
    // Each source's pages in order, where the manifest says (the page tree groups each source's pages under a node).
    for (const [n, k] of [[3, 1], [4, 2], [5, 1], [6, 2]] as const) expect(pdfText(path, n)).toContain(`Zyxwv plain page ${k}`);
    expect(pdfText(path, 13)).toContain('RD0042-000013');
    // The rotated page keeps its stamp upright: pdftotext reads it as horizontal text on the page.
    expect(pdfText(path, 7)).toMatch(/RD0042-000007\s+·\s+Page 7 of 13/);
  });

  it('leaves the 42 CFR 2.32 notice off when no Part 2 record is included', async () => {
    const r = await assemblePacket(packetInput([{ id: 'd', bytes: f.plain!, mediaType: 'application/pdf' }]));
    const cover = pdfText(writeTmp(t.dir, 'nopart2.pdf', r.pdf), 1);
    expect(cover).not.toContain('42 CFR 2.32');
    expect(cover).toContain('Redisclosure notice');
  });

  it('honours EXIF orientation: the picture appears as photographed (red top-left, blue bottom-right)', async () => {
    const r = await assemblePacket(packetInput([{ id: 'j', bytes: f.jpeg!, mediaType: 'image/jpeg' }]));
    const img = renderPage(writeTmp(t.dir, 'jpeg.pdf', r.pdf), 3, 30);
    expect(img.w).toBeGreaterThan(img.h); // landscape page for a landscape picture
    const [r1, g1, b1] = img.px(Math.round(img.w * 0.3), Math.round(img.h * 0.3));
    const [r2, g2, b2] = img.px(Math.round(img.w * 0.7), Math.round(img.h * 0.7));
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(80);
    expect(g1).toBeLessThan(80);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(80);
    expect(g2).toBeLessThan(80);
  });

  it('takes every page of a 204x98 dpi fax TIFF with its paper aspect', async () => {
    const r = await assemblePacket(packetInput([{ id: 't', bytes: f.tiff!, mediaType: 'image/tiff' }]));
    expect(r.pageCount).toBe(5);
    const path = writeTmp(t.dir, 'tiff.pdf', r.pdf);
    const img = renderPage(path, 3, 30);
    let minX = img.w, maxX = 0, minY = img.h, maxY = 0;
    for (let y = 0; y < img.h - 40; y++) {
      for (let x = 0; x < img.w; x++) {
        if (img.px(x, y)[0] < 60) {
          minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        }
      }
    }
    const ratio = (maxY - minY) / (maxX - minX);
    expect(ratio).toBeGreaterThan(1.9); // 204/98 = 2.08: a pixel circle is an ellipse on paper
    expect(ratio).toBeLessThan(2.3);
    // page 2 of the fax is the negative: mostly black
    const neg = renderPage(path, 4, 20);
    expect(neg.px(Math.round(neg.w * 0.5), Math.round(neg.h * 0.1))[0]).toBeLessThan(60);
  });

  it('flattens forms so two forms with the same field names keep their own values', async () => {
    const r = await assemblePacket(packetInput([
      { id: 'fa', bytes: f.formA!, mediaType: 'application/pdf' },
      { id: 'fb', bytes: f.formB!, mediaType: 'application/pdf' },
    ]));
    const path = writeTmp(t.dir, 'forms.pdf', r.pdf);
    expect(pdfText(path, 3)).toContain('Zyxwv Alpha');
    expect(pdfText(path, 4)).toContain('Zyxwv Beta');
    expect(Buffer.from(r.pdf).toString('latin1')).not.toContain('/AcroForm');
  });

  it('asks for the password of a user-password PDF, and uses it once given', async () => {
    expect(await codeOf(assemblePacket(packetInput([{ id: 'u', bytes: f.user!, mediaType: 'application/pdf' }])))).toBe('PDF_PASSWORD_REQUIRED');
    expect(await codeOf(assemblePacket(packetInput([{ id: 'u', bytes: f.user!, mediaType: 'application/pdf', password: 'wrong' }])))).toBe('PDF_PASSWORD_INCORRECT');
    const r = await assemblePacket(packetInput([{ id: 'u', bytes: f.user!, mediaType: 'application/pdf', password: 'open-sesame' }]));
    expect(r.pageCount).toBe(4);
    expect(pdfText(writeTmp(t.dir, 'user-ok.pdf', r.pdf), 4)).toContain('Zyxwv plain page 2');
  });

  it('repairs a damaged cross-reference table without losing a page', async () => {
    const r = await assemblePacket(packetInput([{ id: 'x', bytes: f.damagedXref!, mediaType: 'application/pdf' }]));
    expect(r.pageCount).toBe(5);
    expect(r.manifest.documents[0]!.repaired).toBe(true);
    const path = writeTmp(t.dir, 'repaired.pdf', r.pdf);
    for (let k = 1; k <= 3; k++) expect(pdfText(path, 2 + k)).toContain(`Zyxwv damaged page ${k}`);
  });

  it('refuses a PDF whose pages cannot all be recovered instead of dropping one', async () => {
    const code = await codeOf(assemblePacket(packetInput([{ id: 'l', bytes: f.lostPage!, mediaType: 'application/pdf' }])));
    expect(['PDF_DAMAGED', 'PAGE_COUNT_MISMATCH']).toContain(code);
  });

  it('refuses garbage and unknown types with clear codes', async () => {
    expect(await codeOf(assemblePacket(packetInput([{ id: 'g', bytes: new TextEncoder().encode('%PDF-1.7\ngarbage'), mediaType: 'application/pdf' }])))).toBe('PDF_DAMAGED');
    expect(await codeOf(assemblePacket(packetInput([{ id: 'g', bytes: new Uint8Array([1, 2, 3]), mediaType: 'image/jpeg' }])))).toBe('IMAGE_UNSUPPORTED');
    expect(await codeOf(assemblePacket(packetInput([{ id: 'g', bytes: new Uint8Array([1, 2, 3]), mediaType: 'image/tiff' }])))).toBe('IMAGE_UNSUPPORTED');
    expect(await codeOf(assemblePacket(packetInput([{ id: 'g', bytes: new Uint8Array([1]), mediaType: 'text/plain' }])))).toBe('MEDIA_TYPE_UNSUPPORTED');
  });
});
