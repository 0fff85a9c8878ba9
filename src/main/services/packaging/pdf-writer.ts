/**
 * Serialize a pdf-lib document (unencrypted) the way the release packet is saved: the layout of
 * pdf-lib's own `save({ useObjectStreams: true })`, with the object streams and the cross-reference
 * stream compressed by Node's native zlib instead of pdf-lib's JavaScript deflate, and every object
 * serialized once (pdf-lib measures each object, then writes it):
 *
 *   %PDF-1.7 header, binary comment line
 *   every stream, object of generation ≠ 0 and unparsable object, top level, as pdf-lib holds it
 *     (a stream pdf-lib encodes itself, e.g. an embedded font file, is Flate-compressed by pdf-lib as at save)
 *   every other object inside object streams of up to 100 objects, each Flate-compressed (ISO 32000-1 §7.5.7)
 *   the cross-reference stream with the trailer entries /Root /Info /ID (§7.5.8)
 *
 * @source ISO 32000-1:2008 §7.5.7 (object streams), §7.5.8 (cross-reference streams)
 */
import { deflateSync } from 'node:zlib';
import { type PDFDocument, PDFInvalidObject, PDFName, type PDFObject, PDFRef, PDFStream } from 'pdf-lib';
import { bytesOf, indirect, streamParts } from './encrypted-writer';

/** Objects per object stream (qpdf writes up to 100; pdf-lib 50). */
const OBJECTS_PER_STREAM = 100;

const NEWLINE = Buffer.from('\n', 'latin1');
const INFO = PDFName.of('Info');
const ID = PDFName.of('ID');

/**
 * Write `doc` as a PDF file. Its fonts, images and embedded pages are embedded first (`doc.flush()`, as
 * `save` does), so afterwards the document's context holds everything the file does (encryptDocumentAes256
 * can then write it again, encrypted). Nothing else in the document changes.
 *
 * @returns the file's bytes; `qpdf --check` finds no errors
 * @throws Error when the document has no catalog reference
 */
export async function writePdf(doc: PDFDocument): Promise<Uint8Array> {
  await doc.flush();
  const context = doc.context;
  const root = context.trailerInfo.Root;
  if (!(root instanceof PDFRef)) throw new Error('document has no catalog reference');

  const pieces: Buffer[] = [Buffer.from('%PDF-1.7\n%\xbf\xf7\xa2\xfe\n', 'latin1')];
  let offset = pieces[0]!.length;
  const offsets = new Map<number, [gen: number, offset: number]>();
  const emit = (ref: PDFRef, body: Buffer[]) => {
    offsets.set(ref.objectNumber, [ref.generationNumber, offset]);
    for (const b of body) {
      pieces.push(b);
      offset += b.length;
    }
  };

  const packed: [PDFRef, PDFObject][] = [];
  for (const [ref, obj] of context.enumerateIndirectObjects()) {
    if (obj instanceof PDFStream) {
      const contents = obj.getContents(); // encodes a stream pdf-lib compresses itself (and sets its /Filter)
      emit(ref, indirect(ref, streamParts(obj.dict, contents)));
    } else if (ref.generationNumber !== 0 || obj instanceof PDFInvalidObject) {
      emit(ref, indirect(ref, [bytesOf(obj)]));
    } else {
      packed.push([ref, obj]);
    }
  }

  // Object streams (§7.5.7): "n1 off1 n2 off2 …", then the objects.
  let next = context.largestObjectNumber + 1;
  const location = new Map<number, [stream: number, index: number]>();
  for (let s = 0; s * OBJECTS_PER_STREAM < packed.length; s++) {
    const chunk = packed.slice(s * OBJECTS_PER_STREAM, (s + 1) * OBJECTS_PER_STREAM);
    const ref = PDFRef.of(next++);
    const bodies: Buffer[] = [];
    const heads: string[] = [];
    let at = 0;
    chunk.forEach(([r, o], i) => {
      location.set(r.objectNumber, [ref.objectNumber, i]);
      const b = bytesOf(o);
      heads.push(`${r.objectNumber} ${at}`);
      bodies.push(b, NEWLINE);
      at += b.length + 1;
    });
    const head = Buffer.from(`${heads.join(' ')}\n`, 'latin1');
    const dict = context.obj({ Type: 'ObjStm', N: chunk.length, First: head.length, Filter: 'FlateDecode' });
    emit(ref, indirect(ref, streamParts(dict, deflateSync(Buffer.concat([head, ...bodies])))));
  }

  // Cross-reference stream (§7.5.8): W [1 w 2]; type 0 free, 1 (offset, gen), 2 (object stream, index).
  const xrefRef = PDFRef.of(next++);
  const size = next;
  const xrefOffset = offset;
  const w = Math.max(1, Math.ceil(Math.log2(xrefOffset + 2) / 8));
  const row = 1 + w + 2;
  const table = Buffer.alloc(size * row);
  for (let n = 0; n < size; n++) {
    const at = n * row;
    const plain = n === xrefRef.objectNumber ? ([0, xrefOffset] as [number, number]) : offsets.get(n);
    const inStream = location.get(n);
    if (plain) {
      table[at] = 1;
      table.writeUIntBE(plain[1], at + 1, w);
      table.writeUInt16BE(plain[0], at + 1 + w);
    } else if (inStream) {
      table[at] = 2;
      table.writeUIntBE(inStream[0], at + 1, w);
      table.writeUInt16BE(inStream[1], at + 1 + w);
    } else {
      table.writeUInt16BE(n === 0 ? 0xffff : 0, at + 1 + w);
    }
  }
  const xrefDict = context.obj({ Type: 'XRef', Size: size, W: [1, w, 2], Root: root, Filter: 'FlateDecode' });
  const { Info: info, ID: id } = context.trailerInfo;
  if (info) xrefDict.set(INFO, info);
  if (id) xrefDict.set(ID, id);
  emit(xrefRef, indirect(xrefRef, streamParts(xrefDict, deflateSync(table))));
  const last = Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1');
  pieces.push(last);
  return Buffer.concat(pieces, offset + last.length);
}

