import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptDocumentAes256 } from '../../../src/main/services/packaging/encrypt';
import { drawText, embedFonts } from '../../../src/main/services/packaging/fonts';
import { writePdf } from '../../../src/main/services/packaging/pdf-writer';
import { stampPage } from '../../../src/main/services/packaging/stamp';
import { requireTool } from '../../support/tools';
import { ASSETS, pdfText, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext'].every((t) => requireTool(t));

/** A document like a packet: pages copied from two sources (one rotated), text drawn with the embedded fonts, stamps. */
async function packetLike(): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = await embedFonts(doc, ['Zyxwv Testpatient'], ASSETS);
  drawText(doc.addPage([612, 792]), 'Release of Medical Records for Zyxwv Testpatient', fonts, { x: 54, y: 700, size: 16, bold: true });
  for (const src of [await textPdf('Zyxwv alpha', 3), await textPdf('Zyxwv beta', 2, 90)]) {
    const s = await PDFDocument.load(src);
    for (const p of await doc.copyPages(s, s.getPageIndices())) doc.addPage(p);
  }
  doc.getPages().forEach((p, i) => stampPage(p, `RD-${String(i + 1).padStart(6, '0')}   ·   Page ${i + 1} of 6`, fonts));
  return doc;
}

describe.skipIf(!tools)('writePdf', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('writes what pdf-lib save writes, readably: qpdf --check passes, same page count and text on every page', async () => {
    const ours = writeTmp(t.dir, 'ours.pdf', await writePdf(await packetLike()));
    const theirs = writeTmp(t.dir, 'theirs.pdf', await (await packetLike()).save({ useObjectStreams: true }));
    const check = run('qpdf', ['--check', ours]);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors');
    expect(run('qpdf', ['--show-npages', ours]).stdout.trim()).toBe('6');
    for (let page = 1; page <= 6; page++) {
      const text = pdfText(ours, page);
      expect(text).toBe(pdfText(theirs, page));
      expect(text).toContain(`Page ${page} of 6`);
    }
    expect(pdfText(ours, 2)).toContain('Zyxwv alpha page 1');
    expect(pdfText(ours, 6)).toContain('Zyxwv beta page 2');
  });

  it('leaves the document ready to be written again, encrypted: the password PDF has the same text', async () => {
    const doc = await packetLike();
    const plain = writeTmp(t.dir, 'plain.pdf', await writePdf(doc));
    const enc = writeTmp(t.dir, 'enc.pdf', await encryptDocumentAes256(doc, 'maple-river-stone'));
    expect(run('qpdf', ['--password=maple-river-stone', '--check', enc]).status).toBe(0);
    for (let page = 1; page <= 6; page++) expect(pdfText(enc, page, 'maple-river-stone')).toBe(pdfText(plain, page));
  });
});
