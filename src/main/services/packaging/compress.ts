/**
 * Which streams get Flate compression (ISO 32000-1 §7.4.4, RFC 1950/1951) when the packet is
 * written encrypted: what qpdf does by default when it writes a file (`--compress-streams=y`:
 * every stream without a /Filter gets /FlateDecode). The compression itself runs in the
 * encrypted writer, on libuv's thread pool with Node's native zlib (default level 6, as qpdf's
 * Pl_Flate).
 */
import { PDFName, type PDFStream } from 'pdf-lib';

/**
 * Whether qpdf would compress `stream` when writing with its defaults: it has no /Filter and
 * no /DecodeParms, and is not an XMP metadata stream (qpdf leaves /Type /Metadata readable),
 * a cross-reference stream or an object stream.
 *
 * @param stream a stream object of a parsed document
 * @returns true when the writer should Flate-compress its data (and add /Filter /FlateDecode)
 */
export function needsCompression(stream: PDFStream): boolean {
  const dict = stream.dict;
  if (dict.has(FILTER) || dict.has(DECODE_PARMS)) return false;
  const type = dict.get(TYPE);
  return !(type === METADATA || type === XREF || type === OBJSTM);
}

// pdf-lib interns names (PDFName.of returns one instance per name), so identity comparison is exact;
// looking them up once keeps PDFName.of's decoding out of the per-stream path.
const FILTER = PDFName.of('Filter');
const DECODE_PARMS = PDFName.of('DecodeParms');
const TYPE = PDFName.of('Type');
const METADATA = PDFName.of('Metadata');
const XREF = PDFName.of('XRef');
const OBJSTM = PDFName.of('ObjStm');
