/** Synthetic record PDFs for delivery tests. */
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A one-page record of about 32 KB (random hex in tiny type: incompressible), so records split predictably by size. */
export async function bulkyRecord(title: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Courier);
  page.drawText(`${title} - synthetic`, { x: 72, y: 760, size: 12, font });
  for (let l = 0; l < 300; l++) page.drawText(randomBytes(60).toString('hex'), { x: 20, y: 740 - l * 2.4, size: 2, font });
  return Buffer.from(await doc.save());
}
