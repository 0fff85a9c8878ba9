/** Synthetic record PDFs for delivery tests. */
import { randomBytes } from 'node:crypto';
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState, StandardFonts } from 'pdf-lib';

/**
 * A one-page record of about 36 KB that no writer can shrink: a 190 x 190 greyscale image of random pixels, stored
 * Flate-compressed already (random bytes do not compress, and a stream that has a filter is not compressed again),
 * so records split predictably by size whichever PDF writer packs them. `side` (pixels) makes it larger: side² bytes.
 */
export async function bulkyRecord(title: string, side = 190): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Courier);
  page.drawText(`${title} - synthetic`, { x: 72, y: 760, size: 12, font });
  const image = doc.context.flateStream(randomBytes(side * side), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: side,
    Height: side,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 8,
  });
  const name = page.node.newXObject('Noise', doc.context.register(image));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(380, 0, 0, 380, 116, 300), drawObject(name), popGraphicsState());
  return Buffer.from(await doc.save());
}
