/**
 * Record files as practices receive them reach the vault: photos, faxes, protected PDFs; each imported or refused
 * on its own. Real vault, real fixtures (ImageMagick, exiftool, tiffcp, qpdf), checked with the real oracles
 * (qpdf --check, pdfimages -list, pdftotext, exiftool on what is embedded).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocument } from '../../../src/main/services/documents/documents';
import { prepareRecordFile } from '../../../src/main/services/documents/import';
import { MAX_IMAGE_PIXELS } from '../../../src/main/services/packaging/images';
import { requireTool } from '../../support/tools';
import { file, intake, startBackend, type Backend } from '../../support/backend';
import { bigPng, faxTiff, gpsPhoto, plainPdf, qpdfEncrypt, sh, withTiffCompression, workDir } from './fixtures';

const HAVE = ['convert', 'exiftool', 'tiffcp', 'qpdf', 'pdfimages', 'pdftotext'].every((t) => requireTool(t));

describe.skipIf(!HAVE)('importing record files as practices receive them', () => {
  let b: Backend;
  let w: ReturnType<typeof workDir>;
  let releaseId: string;

  beforeAll(async () => {
    w = workDir();
    b = await startBackend();
    const req = await b.call('requests.create', intake());
    releaseId = (await b.call('releases.create', { requestId: req.id })).id;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    w?.cleanup();
  });

  /** The stored PDF of a document, written to the work folder for the command-line oracles. */
  const stored = (documentId: string, name: string): string => {
    const path = w.path(name);
    writeFileSync(path, readDocument(b.services.session.require().db, documentId));
    return path;
  };
  const lastAudit = async (n = 1) => (await b.call('audit.events', { limit: n })).slice(0, n);

  it('a phone photo imports as one PDF page, with its GPS position, camera and every other metadata removed', async () => {
    const photo = gpsPhoto(w.dir, 'photo.jpg', 6);
    expect(sh('exiftool', ['-s', '-GPSLatitude', '-Make', w.path('photo.jpg')])).toContain('Testcam');
    b.stage([file('wound photo.jpg', photo)]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected).toEqual([]);
    expect(r.imported).toHaveLength(1);
    expect(r.imported[0]).toMatchObject({ originalName: 'wound photo.jpg', pageCount: 1, label: 'record-1.pdf' });
    const pdf = stored(r.imported[0]!.id, 'photo-stored.pdf');
    expect(() => sh('qpdf', ['--check', pdf])).not.toThrow();
    expect(sh('pdfimages', ['-list', pdf])).toMatch(/jpeg/);
    // The embedded JPEG itself, extracted as is, carries no EXIF, GPS, XMP or comment.
    sh('pdfimages', ['-j', pdf, w.path('embedded')]);
    const meta = sh('exiftool', ['-a', '-G1', '-s', w.path('embedded-000.jpg')]);
    expect(meta).not.toMatch(/GPS|Testcam|Synthphone|SN-0042|Synthetic patient photo|synthetic comment|Orientation/i);
    expect(meta).toMatch(/ImageWidth\s*:\s*800/);
    // The whole stored file has none of it either.
    const raw = readFileSync(pdf).toString('latin1');
    for (const s of ['Testcam', 'Synthphone', 'SN-0042', 'Synthetic patient photo', 'Exif']) expect(raw).not.toContain(s);
    // Orientation 6 (rotate 90° clockwise to view): the page is portrait although the pixels are landscape.
    const info = sh('pdfinfo', [pdf]);
    expect(info).toMatch(/Page size:\s+612 x 792/);
    const [ev] = await lastAudit();
    expect(ev).toMatchObject({ action: 'document.import', outcome: 'success', detail: { source: 'image/jpeg', metadataStripped: true, pages: 1 } });
    expect(JSON.stringify(ev)).not.toContain('wound photo');
  });

  it('a 3-page Group 4 fax TIFF at 204 x 98 dpi imports as 3 pages in the right proportions, text intact', async () => {
    b.stage([file('fax from lab.tif', faxTiff(w.dir, 3))]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected).toEqual([]);
    expect(r.imported[0]).toMatchObject({ pageCount: 3 });
    const pdf = stored(r.imported[0]!.id, 'fax-stored.pdf');
    expect(() => sh('qpdf', ['--check', pdf])).not.toThrow();
    const list = sh('pdfimages', ['-list', pdf]).trim().split('\n').slice(2);
    expect(list).toHaveLength(3);
    // 1728 x 1100 px at 204 x 98 dpi is 8.47 x 11.2 in: portrait, not the squashed landscape 1728 x 1100 would give.
    for (const l of list) expect(l).toMatch(/\s1728\s+1100\s+gray\s+1\s+1/);
    sh('pdftoppm', ['-png', '-r', '40', '-f', '2', '-l', '2', pdf, w.path('fax')]);
    expect(sh('pdfinfo', [pdf])).toMatch(/Page size:\s+612 x 792/);
  });

  it('a TIFF page in a compression the decoder cannot read is refused, naming the page — never a black page', async () => {
    const jbig = withTiffCompression(faxTiff(w.dir, 3), 2, 34661);
    b.stage([file('odd fax.tif', jbig)]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.imported).toEqual([]);
    expect(r.rejected).toEqual([{ fileName: 'odd fax.tif', code: 'IMAGE_UNSUPPORTED', message: expect.stringMatching(/Page 2 .*JBIG/) }]);
    const [ev] = await lastAudit();
    expect(ev).toMatchObject({ action: 'document.import', outcome: 'refused', detail: { code: 'IMAGE_UNSUPPORTED', page: 2, compression: 34661 } });
  });

  it('a 20,000 x 20,000 px image is refused from its header in well under a second and with little memory', async () => {
    const path = await bigPng(w.dir, 20_000, 20_000);
    const bytes = readFileSync(path);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const err = await prepareRecordFile(bytes).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    const rssGrowth = process.memoryUsage().rss - rss0;
    expect(err).toMatchObject({ code: 'IMAGE_TOO_LARGE', message: expect.stringMatching(/20,000 × 20,000 pixels \(400\.0 megapixels\).*limit is 12\.0 megapixels per page for PNG/) });
    expect(ms).toBeLessThan(500);
    expect(rssGrowth).toBeLessThan(64 * 1024 * 1024);
    console.info(`[measure] 20000x20000 PNG (${(bytes.length / 1024).toFixed(0)} KiB) refused in ${ms.toFixed(1)} ms, RSS growth ${(rssGrowth / 1048576).toFixed(1)} MiB`);
    // A JPEG header claiming the same size is refused the same way (pdf-lib would embed it undecoded).
    const jpeg = Buffer.from(gpsPhoto(w.dir, 'claims-huge.jpg'));
    const sof = jpeg.findIndex((v, i) => v === 0xff && jpeg[i + 1] === 0xc0);
    jpeg.writeUInt16BE(20_000, sof + 5);
    jpeg.writeUInt16BE(20_000, sof + 7);
    b.stage([file('huge.jpg', jpeg), file('huge.png', bytes)]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected.map((x) => x.code)).toEqual(['IMAGE_TOO_LARGE', 'IMAGE_TOO_LARGE']);
    expect(MAX_IMAGE_PIXELS).toBe(50_000_000);
  }, 60_000);

  it('an owner-restricted PDF (no password to open) imports decrypted, noted in the audit as owner restrictions', async () => {
    const pdf = qpdfEncrypt(w.dir, await plainPdf('Synthetic e-signed consent', 2), '');
    writeFileSync(w.path('owner-only.pdf'), pdf);
    expect(sh('qpdf', ['--show-encryption', w.path('owner-only.pdf')])).toMatch(/R = 6/);
    b.stage([file('signed consent.pdf', pdf)]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected).toEqual([]);
    expect(r.imported[0]).toMatchObject({ pageCount: 2 });
    const out = stored(r.imported[0]!.id, 'owner-stored.pdf');
    expect(sh('qpdf', ['--show-encryption', out])).toMatch(/File is not encrypted/);
    expect(sh('pdftotext', [out, '-'])).toContain('Synthetic e-signed consent page 2');
    expect((await lastAudit())[0]).toMatchObject({ outcome: 'success', detail: { protection: 'owner_restrictions', pages: 2 } });
  });

  it('a user-password PDF waits for its password; a wrong one is refused and may be retried; the right one imports it; the password is nowhere', async () => {
    const password = 'Synth-Pass-7731';
    const pdf = qpdfEncrypt(w.dir, await plainPdf('Synthetic outside lab report', 3), password);
    b.stage([file('outside labs.pdf', pdf), file('notes.txt', Buffer.from('plain text'))]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.imported).toEqual([]);
    expect(r.rejected).toEqual([
      { fileName: 'outside labs.pdf', code: 'PDF_PASSWORD_REQUIRED', message: expect.stringMatching(/password/), passwordRequestId: expect.any(String) },
      { fileName: 'notes.txt', code: 'MEDIA_TYPE_UNSUPPORTED', message: expect.any(String) },
    ]);
    const pending = r.rejected[0]!.passwordRequestId!;
    const wrong = await b.call('documents.unlockPdf', { releaseId, passwordRequestId: pending, password: 'not-it-4411' });
    expect(wrong.rejected).toEqual([{ fileName: 'outside labs.pdf', code: 'PDF_PASSWORD_INCORRECT', message: expect.any(String), passwordRequestId: pending }]);
    const ok = await b.call('documents.unlockPdf', { releaseId, passwordRequestId: pending, password });
    expect(ok.rejected).toEqual([]);
    expect(ok.imported[0]).toMatchObject({ originalName: 'outside labs.pdf', pageCount: 3 });
    const out = stored(ok.imported[0]!.id, 'user-stored.pdf');
    expect(sh('pdftotext', [out, '-'])).toContain('Synthetic outside lab report page 3');
    expect((await lastAudit())[0]).toMatchObject({ outcome: 'success', detail: { protection: 'user_password', pages: 3 } });
    // Used once: the same request cannot be used again.
    await expect(b.call('documents.unlockPdf', { releaseId, passwordRequestId: pending, password })).rejects.toMatchObject({ code: 'IMPORT_EXPIRED' });
    // Never stored or logged: not in the audit trail, the operational log, or the vault file.
    expect(JSON.stringify(await b.call('audit.events', { limit: 100 }))).not.toContain(password);
    expect(b.logText()).not.toContain(password);
    const vaultFiles = execFileSync('sh', ['-c', `cat "${b.dataDir}"/*.db* 2>/dev/null || true`], { encoding: 'latin1', maxBuffer: 1 << 28 });
    expect(vaultFiles).not.toContain(password);
  });

  it('a protected PDF staff decide not to import can be discarded; it is then gone', async () => {
    const pdf = qpdfEncrypt(w.dir, await plainPdf('Synthetic', 1), 'Another-Pass-1');
    b.stage([file('skip me.pdf', pdf)]);
    const r = await b.call('documents.pick', { releaseId });
    const pending = r.rejected[0]!.passwordRequestId!;
    await b.call('documents.discardPending', { passwordRequestId: pending });
    await expect(b.call('documents.unlockPdf', { releaseId, passwordRequestId: pending, password: 'Another-Pass-1' })).rejects.toMatchObject({ code: 'IMPORT_EXPIRED' });
  });

  it('a damaged PDF is called damaged (not password-protected), and the rest of the batch still imports', async () => {
    const good = await plainPdf('Synthetic good', 1);
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'), Buffer.alloc(200, 0x20)]);
    b.stage([file('broken.pdf', broken), file('good.pdf', good)]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected).toEqual([{ fileName: 'broken.pdf', code: 'PDF_DAMAGED', message: expect.stringMatching(/damaged/) }]);
    expect(r.imported.map((d) => d.originalName)).toEqual(['good.pdf']);
  });

  it('a PNG scan imports, its text chunks (metadata) left behind', async () => {
    sh('convert', ['-size', '1275x1650', 'xc:white', '-fill', 'black', '-pointsize', '40', '-draw', "text 100,200 'SYNTHETIC SCAN'", '-set', 'comment', 'Scanned at Synthetic Clinic', w.path('scan.png')]);
    expect(sh('exiftool', ['-s', '-Comment', w.path('scan.png')])).toContain('Synthetic Clinic');
    b.stage([file('scan.png', readFileSync(w.path('scan.png')))]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.rejected).toEqual([]);
    const pdf = stored(r.imported[0]!.id, 'png-stored.pdf');
    expect(readFileSync(pdf).toString('latin1')).not.toContain('Synthetic Clinic');
    expect(sh('pdfimages', ['-list', pdf])).toMatch(/1275\s+1650/);
  });
});
