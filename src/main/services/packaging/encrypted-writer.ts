/**
 * Serialize a pdf-lib document as an AES-256 (revision 6) encrypted PDF, with `node:crypto`
 * doing the AES work. pdf-lib's own objects serialize themselves (copyBytesInto); this module
 * decides what is encrypted and lays out the file:
 *
 *   %PDF-1.7 (or the document's own 2.x header), binary comment line
 *   every stream object, top level: strings in its dictionary and its data encrypted
 *   every other object (generation 0) inside object streams of up to 100 objects, in plain text;
 *     each object stream is Flate-compressed (native zlib) and then encrypted as a whole, so the
 *     strings inside are not encrypted separately (ISO 32000-2 §7.5.7, §7.6.2)
 *   the /Encrypt dictionary, top level, not encrypted
 *   the cross-reference stream (with the trailer entries /Root /Info /Encrypt /ID), not encrypted
 *
 * @source ISO 32000-2:2020 §7.5.7 (object streams), §7.5.8 (cross-reference streams),
 *   §7.6.2 (what is encrypted), §7.6.4 (standard security handler), §7.6.5 (crypt filters, AESV3)
 */
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createDeflate, deflate, deflateSync } from 'node:zlib';
import { PDFArray, type PDFContext, PDFDict, PDFHexString, PDFName, PDFNumber, type PDFObject, PDFRef, PDFStream, PDFString } from 'pdf-lib';
import { needsCompression } from './compress';
import { type R6Values, aesV3Cipher, aesV3Encrypt, aesV3EncryptChunks, r6Values } from './r6';

const deflateAsync = promisify(deflate);

/**
 * zlib settings for stream data: default level (6, as qpdf's Pl_Flate), the largest hash table
 * (memLevel 9: same format and level, about 10 % less CPU on image data than 8), 1 MiB output pieces
 * (each piece is a thread-pool round trip, a stream event and a cipher call: with 64 KiB pieces a 40 MiB
 * file of images took about 15 % more CPU; the same bytes either way).
 */
const DEFLATE_OPTIONS = { memLevel: 9, chunkSize: 1 << 20 } as const;
/** The same for a stream shorter than {@link ASYNC_DEFLATE_MIN}, deflated on the calling thread (its output fits one 64 KiB piece). */
const SMALL_DEFLATE_OPTIONS = { memLevel: 9, chunkSize: 64 * 1024 } as const;

/**
 * Flate-compress `data` on the thread pool and encrypt each compressed piece as it arrives, so the
 * compressed stream is never held in one piece of its own.
 *
 * @returns IV ‖ ciphertext in pieces ({@link aesV3Cipher})
 */
function deflateAndEncrypt(fileKey: Uint8Array, data: Uint8Array): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const c = aesV3Cipher(fileKey);
    const z = createDeflate(DEFLATE_OPTIONS);
    z.on('data', (piece: Buffer) => c.update(piece));
    z.on('error', reject);
    z.on('end', () => resolve(c.final()));
    z.end(data);
  });
}

/** Streams at least this long (bytes) are deflated on the thread pool; shorter ones on the calling thread. */
const ASYNC_DEFLATE_MIN = 64 * 1024;

/** Objects per object stream (qpdf writes up to 100). */
const OBJECTS_PER_STREAM = 100;

/** What {@link writeEncryptedPdf} needs besides the document. */
export interface EncryptedWriteOptions {
  /** The user (open) password's bytes (see r6PasswordBytes). */
  userPassword: Uint8Array;
  /** The owner password's bytes. */
  ownerPassword: Uint8Array;
  /** /P, a signed 32-bit integer; -4 allows everything (what `qpdf --encrypt` without restrictions sets). */
  permissions: number;
  /** Flate-compress (native zlib, thread pool) the streams {@link needsCompression} selects, as qpdf does by default. */
  compressUnfiltered: boolean;
}

/** The bytes of one pdf-lib object as it serializes itself. */
export function bytesOf(obj: PDFObject): Buffer {
  const b = Buffer.allocUnsafe(obj.sizeInBytes());
  obj.copyBytesInto(b, 0);
  return b;
}

/**
 * The bytes a string object stands for, decoded per ISO 32000-2 §7.3.4 (pdf-lib's own asBytes
 * keeps bare CRs and stumbles on whitespace in hex strings and on backslash-CRLF continuations).
 */
export function stringBytes(s: PDFString | PDFHexString): Buffer {
  if (s instanceof PDFHexString) {
    let hex = s.asString().replace(/[^0-9a-fA-F]/g, '');
    if (hex.length % 2) hex += '0'; // §7.3.4.3: a missing final digit is 0
    return Buffer.from(hex, 'hex');
  }
  return literalStringBytes(s.asString());
}

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c, '(': 0x28, ')': 0x29, '\\': 0x5c };

/**
 * Decode the text between the parentheses of a literal string (§7.3.4.2): escapes, octal codes
 * of 1-3 digits, backslash + end-of-line (line continuation) dropped, a bare CR or CRLF read as LF,
 * a backslash before any other character ignored.
 */
function literalStringBytes(v: string): Buffer {
  const out = Buffer.allocUnsafe(v.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x0d) {
      out[n++] = 0x0a;
      if (v.charCodeAt(i + 1) === 0x0a) i++;
      continue;
    }
    if (c !== 0x5c) {
      out[n++] = c & 0xff;
      continue;
    }
    const e = v[++i];
    if (e === undefined) break;
    if (e === '\r') {
      if (v[i + 1] === '\n') i++;
    } else if (e === '\n') {
      /* line continuation */
    } else if (e >= '0' && e <= '7') {
      let code = e.charCodeAt(0) - 0x30;
      for (let k = 0; k < 2 && v[i + 1]! >= '0' && v[i + 1]! <= '7'; k++) code = code * 8 + v.charCodeAt(++i) - 0x30;
      out[n++] = code & 0xff;
    } else {
      out[n++] = ESCAPES[e] ?? (e.charCodeAt(0) & 0xff);
    }
  }
  return out.subarray(0, n);
}

/**
 * Replace, in place, every string inside `obj` (a dictionary or array, at any depth) with its
 * AESV3 encryption written as a hex string. Containers already visited are skipped, so a shared
 * direct object is never encrypted twice.
 */
function encryptStringsIn(obj: PDFObject, key: Uint8Array, seen: WeakSet<object>): void {
  if (seen.has(obj)) return;
  seen.add(obj);
  const enc = (v: PDFObject): PDFObject | undefined => {
    if (v instanceof PDFString || v instanceof PDFHexString) return PDFHexString.of(aesV3Encrypt(key, stringBytes(v)).toString('hex'));
    if (v instanceof PDFDict || v instanceof PDFArray) encryptStringsIn(v, key, seen);
    return undefined;
  };
  if (obj instanceof PDFDict) {
    for (const [k, v] of obj.entries()) {
      const r = enc(v);
      if (r) obj.set(k, r);
    }
  } else if (obj instanceof PDFArray) {
    for (let i = 0; i < obj.size(); i++) {
      const r = enc(obj.get(i));
      if (r) obj.set(i, r);
    }
  }
}

/** `obj` as a top-level indirect object: "n g obj\n…\nendobj\n". */
export function indirect(ref: PDFRef, body: Buffer[]): Buffer[] {
  return [Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'), ...body, Buffer.from('\nendobj\n', 'latin1')];
}

const LENGTH = PDFName.of('Length');
const FILTER = PDFName.of('Filter');
const FLATE_DECODE = PDFName.of('FlateDecode');

/** A stream object's parts: dictionary (with /Length set), "stream", data (in pieces), "endstream". */
export function streamParts(dict: PDFDict, data: Uint8Array | Buffer[]): Buffer[] {
  const pieces = Array.isArray(data) ? data : [Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
  dict.set(LENGTH, PDFNumber.of(pieces.reduce((n, b) => n + b.length, 0)));
  return [bytesOf(dict), Buffer.from('\nstream\n', 'latin1'), ...pieces, Buffer.from('\nendstream', 'latin1')];
}

/** The header's version from pdf-lib's parsed header ("%PDF-1.7"): [major, minor]. */
function headerVersion(context: PDFContext): [number, number] {
  const m = /%PDF-(\d+)\.(\d+)/.exec(context.header.toString());
  return m ? [Number(m[1]), Number(m[2])] : [1, 7];
}

/**
 * Make the file declare what revision 6 needs, as qpdf does: PDF 1.7 with Adobe extension level 8
 * (/Extensions /ADBE in the catalog) unless the header already says 2.0 or later.
 *
 * @returns the header line to write
 */
function declareVersion(context: PDFContext): string {
  const [major, minor] = headerVersion(context);
  if (major >= 2) return `%PDF-${major}.${minor}`;
  const root = context.trailerInfo.Root;
  const catalog = root instanceof PDFRef ? context.lookup(root) : root;
  if (catalog instanceof PDFDict) {
    const existing = catalog.lookup(PDFName.of('Extensions'));
    const ext = existing instanceof PDFDict ? existing : context.obj({});
    const adbe = ext.lookup(PDFName.of('ADBE'));
    const level = adbe instanceof PDFDict ? adbe.lookup(PDFName.of('ExtensionLevel')) : undefined;
    if (!(level instanceof PDFNumber) || level.asNumber() < 8) {
      ext.set(PDFName.of('ADBE'), context.obj({ BaseVersion: PDFName.of('1.7'), ExtensionLevel: 8 }));
    }
    if (!(existing instanceof PDFDict)) catalog.set(PDFName.of('Extensions'), ext);
  }
  return '%PDF-1.7';
}

/** The /ID pair: the document's first identifier kept (or a new one), a new second one (ISO 32000-2 §14.4). */
function fileIds(context: PDFContext): [Uint8Array, Uint8Array] {
  const id = context.trailerInfo.ID;
  const arr = id instanceof PDFRef ? context.lookup(id) : id;
  const first = arr instanceof PDFArray && arr.size() > 0 ? arr.get(0) : undefined;
  const keep = first instanceof PDFString || first instanceof PDFHexString ? stringBytes(first) : undefined;
  return [keep && keep.length > 0 ? keep : randomBytes(16), randomBytes(16)];
}

/** The /Encrypt dictionary for revision 6 with AESV3 for strings and streams. */
function encryptDict(context: PDFContext, v: R6Values, permissions: number): PDFDict {
  const hex = (b: Buffer) => PDFHexString.of(b.toString('hex'));
  return context.obj({
    Filter: 'Standard',
    V: 5,
    R: 6,
    Length: 256,
    CF: { StdCF: { AuthEvent: 'DocOpen', CFM: 'AESV3', Length: 32 } },
    StmF: 'StdCF',
    StrF: 'StdCF',
    O: hex(v.O),
    U: hex(v.U),
    OE: hex(v.OE),
    UE: hex(v.UE),
    P: permissions,
    Perms: hex(v.Perms),
  });
}

/**
 * Write `context`'s objects as an encrypted PDF (see the module comment for the layout) into one
 * buffer, allocated once at its final size from the pieces {@link writeEncryptedPdfChunks} emits.
 * The document is modified on the way (strings replaced by their encryption, /Extensions added):
 * pass a document used for this purpose only (loaded for it, or saved and no longer needed).
 *
 * @param context a pdf-lib context, e.g. `PDFDocument.load(bytes).context` or the context of a
 *   document built in memory and already saved (so its embedded fonts are written); must not itself be encrypted
 * @param opts passwords and permissions
 * @returns the file's bytes; `qpdf --show-encryption` reports R = 6, AESv3 for strings, streams, files
 * @throws Error when the context has no /Root
 */
export async function writeEncryptedPdf(context: PDFContext, opts: EncryptedWriteOptions): Promise<Uint8Array> {
  const pieces: Buffer[] = [];
  const total = await writeEncryptedPdfChunks(context, opts, (b) => void pieces.push(b));
  return Buffer.concat(pieces, total);
}

/**
 * The encrypted file as a sequence of pieces in file order, handed to `sink` as each object is
 * ready (compressed and encrypted), so a caller can stream them (to a file, a socket, another
 * thread) without the whole file in one buffer. Pieces are never reused by the writer.
 *
 * @param sink receives every piece once, in order (header first, `%%EOF` line last)
 * @returns the file's length in bytes (the sum of the pieces)
 * @throws Error when the context has no /Root
 */
export async function writeEncryptedPdfChunks(context: PDFContext, opts: EncryptedWriteOptions, sink: (piece: Buffer) => void): Promise<number> {
  const root = context.trailerInfo.Root;
  if (!(root instanceof PDFRef)) throw new Error('document has no catalog reference');
  const info = context.trailerInfo.Info;
  // A direct /Info dictionary becomes an indirect object, so its strings are encrypted with the rest.
  if (info instanceof PDFDict) context.trailerInfo.Info = context.register(info);
  const header = declareVersion(context);
  const fileKey = randomBytes(32);
  const values = r6Values(opts.userPassword, opts.ownerPassword, fileKey, opts.permissions, true);
  const seen = new WeakSet<object>();

  const topLevel: Promise<[PDFRef, Buffer[]]>[] = [];
  const packed: [PDFRef, PDFObject][] = [];
  for (const [ref, obj] of context.enumerateIndirectObjects()) {
    if (obj instanceof PDFStream) {
      obj.updateDict();
      const dict = obj.dict.clone(context);
      encryptStringsIn(dict, fileKey, seen);
      const compress = opts.compressUnfiltered && needsCompression(obj);
      if (compress) dict.set(FILTER, FLATE_DECODE);
      const contents = obj.getContents();
      if (compress && contents.length >= ASYNC_DEFLATE_MIN) {
        // A large stream is deflated on the thread pool and encrypted piece by piece as it comes back, while others still compress.
        topLevel.push(deflateAndEncrypt(fileKey, contents).then((data) => [ref, indirect(ref, streamParts(dict, data))]));
      } else {
        // A small one (a page's content, a font) costs less on this thread than a stream object's setup.
        const data = compress ? aesV3EncryptChunks(fileKey, deflateSync(contents, SMALL_DEFLATE_OPTIONS)) : aesV3EncryptChunks(fileKey, contents);
        topLevel.push(Promise.resolve([ref, indirect(ref, streamParts(dict, data))]));
      }
    } else if (ref.generationNumber !== 0) {
      encryptStringsIn(obj, fileKey, seen);
      topLevel.push(Promise.resolve([ref, indirect(ref, [obj instanceof PDFString || obj instanceof PDFHexString ? Buffer.from(PDFHexString.of(aesV3Encrypt(fileKey, stringBytes(obj)).toString('hex')).toString(), 'latin1') : bytesOf(obj)])]));
    } else {
      packed.push([ref, obj]);
    }
  }

  // Object streams: "n1 off1 n2 off2 …" then the objects; deflated on the thread pool, then encrypted.
  let next = context.largestObjectNumber + 1;
  const location = new Map<number, [stream: number, index: number]>();
  const objStms = (
    Array.from({ length: Math.ceil(packed.length / OBJECTS_PER_STREAM) }, async (_, s) => {
      const chunk = packed.slice(s * OBJECTS_PER_STREAM, (s + 1) * OBJECTS_PER_STREAM);
      const ref = PDFRef.of(next + s);
      const bodies: Buffer[] = [];
      const offsets: string[] = [];
      let at = 0;
      chunk.forEach(([r, o], i) => {
        location.set(r.objectNumber, [ref.objectNumber, i]);
        const b = bytesOf(o);
        offsets.push(`${r.objectNumber} ${at}`);
        bodies.push(b, Buffer.from('\n', 'latin1'));
        at += b.length + 1;
      });
      const head = Buffer.from(`${offsets.join(' ')}\n`, 'latin1');
      const all = Buffer.concat([head, ...bodies]);
      const packedData = all.length >= ASYNC_DEFLATE_MIN ? await deflateAsync(all) : deflateSync(all);
      const dict = context.obj({ Type: 'ObjStm', N: chunk.length, First: head.length, Filter: 'FlateDecode' });
      return [ref, indirect(ref, streamParts(dict, aesV3EncryptChunks(fileKey, packedData)))] as [PDFRef, Buffer[]];
    })
  );
  next += objStms.length;
  const encryptRef = PDFRef.of(next++);
  const xrefRef = PDFRef.of(next++);
  const size = next;

  const first = Buffer.from(`${header}\n%\xbf\xf7\xa2\xfe\n`, 'latin1');
  sink(first);
  let offset = first.length;
  const offsets = new Map<number, [gen: number, offset: number]>();
  const emit = (ref: PDFRef, body: Buffer[]) => {
    offsets.set(ref.objectNumber, [ref.generationNumber, offset]);
    for (const b of body) {
      sink(b);
      offset += b.length;
    }
  };
  // In file order, each as soon as it is ready (the others keep compressing meanwhile).
  for (const p of topLevel) {
    const [ref, body] = await p;
    emit(ref, body);
  }
  for (const p of objStms) {
    const [ref, body] = await p;
    emit(ref, body);
  }
  emit(encryptRef, indirect(encryptRef, [bytesOf(encryptDict(context, values, opts.permissions))]));

  const xrefOffset = offset;
  const { table, w } = xrefStreamRows(size, xrefRef.objectNumber, xrefOffset, offsets, location);
  const [id0, id1] = fileIds(context);
  const xrefData = deflateSync(table);
  const xrefDict = context.obj({
    Type: 'XRef',
    Size: size,
    W: [1, w, 2],
    Root: root,
    Encrypt: encryptRef,
    ID: [PDFHexString.of(Buffer.from(id0).toString('hex')), PDFHexString.of(Buffer.from(id1).toString('hex'))],
    Filter: 'FlateDecode',
  });
  const infoRef = context.trailerInfo.Info;
  if (infoRef instanceof PDFRef) xrefDict.set(PDFName.of('Info'), infoRef);
  emit(xrefRef, indirect(xrefRef, streamParts(xrefDict, xrefData)));
  const last = Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1');
  sink(last);
  return offset + last.length;
}

/**
 * The rows of a cross-reference stream (ISO 32000-1 §7.5.8), `W [1 w 2]`: type 0 free (object 0 with generation
 * 65535), 1 (byte offset, generation) for objects written plainly, 2 (object stream number, index) for objects inside
 * an object stream. Object `xrefObject` is the cross-reference stream itself, written at `xrefOffset`.
 * @param size the /Size: one row per object number 0..size-1
 * @returns the uncompressed rows and `w`, the byte width of the middle field (enough for `xrefOffset`)
 */
export function xrefStreamRows(
  size: number,
  xrefObject: number,
  xrefOffset: number,
  offsets: ReadonlyMap<number, [gen: number, offset: number]>,
  location: ReadonlyMap<number, [stream: number, index: number]>,
): { table: Buffer; w: number } {
  const w = Math.max(1, Math.ceil(Math.log2(xrefOffset + 2) / 8));
  const row = 1 + w + 2;
  const table = Buffer.alloc(size * row);
  for (let n = 0; n < size; n++) {
    const at = n * row;
    const plain = n === xrefObject ? ([0, xrefOffset] as [number, number]) : offsets.get(n);
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
  return { table, w };
}

