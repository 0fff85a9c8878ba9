/**
 * Flate compression (ISO 32000-1 §7.4.4, RFC 1950/1951) of a PDF's uncompressed streams with
 * Node's native zlib, spread over libuv's thread pool. It does what qpdf does by default when
 * it writes a file (`--compress-streams=y`: every stream without a /Filter gets /FlateDecode),
 * so qpdf-wasm can then be told not to touch stream data (`--stream-data=preserve`): inside
 * WebAssembly its deflate runs about 2x slower than native.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { type PDFDocument, PDFName, PDFRawStream, type PDFRef } from 'pdf-lib';

const deflateAsync = promisify(deflate);

/**
 * Whether qpdf would compress `stream` when writing with its defaults: it has no /Filter and
 * no /DecodeParms, and is not an XMP metadata stream (qpdf leaves /Type /Metadata readable).
 */
function isUncompressed(stream: PDFRawStream): boolean {
  const dict = stream.dict;
  if (dict.has(PDFName.of('Filter')) || dict.has(PDFName.of('DecodeParms'))) return false;
  const type = dict.get(PDFName.of('Type'));
  return !(type instanceof PDFName && (type === PDFName.of('Metadata') || type === PDFName.of('XRef') || type === PDFName.of('ObjStm')));
}

/**
 * Compress, in place, every uncompressed raw stream of `doc` with FlateDecode (native zlib,
 * default level 6 like qpdf's Pl_Flate; streams deflated concurrently on the thread pool).
 * Streams that already have a filter, and streams pdf-lib will encode itself when saving
 * (content streams it drew), are left alone.
 *
 * @param doc a pdf-lib document (modified)
 * @returns the number of streams compressed
 */
export async function compressUncompressedStreams(doc: PDFDocument): Promise<number> {
  const todo: [PDFRef, PDFRawStream][] = [];
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream && isUncompressed(obj)) todo.push([ref, obj]);
  }
  await Promise.all(
    todo.map(async ([ref, stream]) => {
      const packed = await deflateAsync(stream.contents, { chunkSize: 1 << 20 });
      const dict = stream.dict.clone(doc.context);
      dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
      doc.context.assign(ref, PDFRawStream.of(dict, packed));
    }),
  );
  return todo.length;
}
