/**
 * What a packaging thread keeps from one job to the next (qpdf's compiled WebAssembly module, the font files'
 * bytes) changes nothing in what each job produces.
 */
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { drawText, embedFonts } from '../../../src/main/services/packaging/fonts';
import { writePdf } from '../../../src/main/services/packaging/pdf-writer';
import { runQpdf } from '../../../src/main/services/packaging/qpdf';
import { requireTool } from '../../support/tools';
import { ASSETS, pdfText, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext'].every((t) => requireTool(t));

describe.skipIf(!tools)('packaging state kept between jobs', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('qpdf runs started together each read their own file, and WebAssembly.instantiate is left as it was', async () => {
    const instantiate = WebAssembly.instantiate;
    const files = await Promise.all([1, 2, 3, 4, 5].map((n) => textPdf(`Zyxwv ${n}`, n)));
    const runs = await Promise.all(files.map((bytes) => runQpdf(['--show-npages', '/in.pdf'], { '/in.pdf': bytes })));
    expect(runs.map((r) => [r.status, r.stdout[0]])).toEqual([1, 2, 3, 4, 5].map((n) => [0, String(n)]));
    // A later run writes a file from a fresh instance: nothing of the earlier runs' files is left in it.
    const later = await runQpdf(['--show-npages', '/in.pdf'], { '/in.pdf': files[1]! }, ['/out.pdf']);
    expect([later.status, later.stdout[0], later.files.has('/out.pdf')]).toEqual([0, '2', false]);
    const damaged = await runQpdf(['--show-npages', '/in.pdf'], { '/in.pdf': new TextEncoder().encode('not a pdf') });
    expect(damaged.status).toBe(2);
    expect(WebAssembly.instantiate).toBe(instantiate);
  });

  it('one font file drawn into two documents: each reads back as drawn (a glyph one document used as a component of ü or õ keeps its character in the next)', async () => {
    const texts = ['Zyxwv Testpatient ÀÉÎõü', 'Quokka 0123456789 Ωμέγα Жук'];
    const paths: string[] = [];
    for (const [i, text] of texts.entries()) {
      const doc = await PDFDocument.create({ updateMetadata: false });
      const fonts = await embedFonts(doc, [text], ASSETS);
      drawText(doc.addPage([612, 792]), text, fonts, { x: 54, y: 700, size: 14 });
      drawText(doc.getPage(0), `${text} bold`, fonts, { x: 54, y: 600, size: 14, bold: true });
      paths.push(writeTmp(t.dir, `doc${i}.pdf`, await writePdf(doc)));
    }
    for (const [i, path] of paths.entries()) {
      expect(run('qpdf', ['--check', path]).status).toBe(0);
      const got = pdfText(path, 1);
      expect(got).toContain(texts[i]);
      expect(got).toContain(`${texts[i]} bold`);
    }
  });
});
