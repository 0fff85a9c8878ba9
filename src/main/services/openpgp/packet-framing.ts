/**
 * OpenPGP packet framing for the native writer (fast-encrypt.ts): new-format packet lengths and whole packets
 * (RFC 4880 §4.2), MPIs (§3.2), partial body lengths for packets of unknown length (§4.2.2.4), and ASCII armor
 * with its CRC-24 checksum (§6).
 */

/** Default partial body chunk size exponent: 2^20 = 1 MiB per partial length (RFC 4880 §4.2.2.4 allows 2^0..2^30). */
export const PART_LOG2 = 20;

/** New-format packet length (RFC 4880 §4.2.2.1–4.2.2.3). */
function lengthBytes(len: number): Buffer {
  if (len < 192) return Buffer.from([len]);
  if (len < 8384) return Buffer.from([((len - 192) >> 8) + 192, (len - 192) & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0xff;
  b.writeUInt32BE(len, 1);
  return b;
}

/** A whole packet with a definite length (new format, RFC 4880 §4.2). */
export function packet(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xc0 | tag]), lengthBytes(body.length), body]);
}

/** An MPI (RFC 4880 §3.2): bit count then the big-endian bytes without leading zeros. */
export function mpi(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.subarray(i);
  const bits = v.length === 0 ? 0 : (v.length - 1) * 8 + (32 - Math.clz32(v[0]!));
  const b = Buffer.alloc(2 + v.length);
  b.writeUInt16BE(bits, 0);
  b.set(v, 2);
  return b;
}

/**
 * Writes one packet whose length is not known in advance: the body goes out in partial chunks of
 * exactly 2^partLog2 bytes (default {@link PART_LOG2}; at least 2^9, RFC 4880 §4.2.2.4: the first partial
 * length is at least 512 bytes), the rest with a definite length at the end (a short packet gets a
 * definite length only). A chunk is sent once the next byte is known to exist, so the last length
 * is never a partial one. Holds at most one chunk (references to the caller's buffers, no copies).
 */
export class PacketFramer {
  private q: Buffer[] = [];
  private qLen = 0;
  private started = false;
  private readonly size: number;

  constructor(
    private readonly tag: number,
    private readonly emit: (b: Buffer) => void,
    private readonly partLog2: number = PART_LOG2,
  ) {
    if (!Number.isInteger(partLog2) || partLog2 < 9 || partLog2 > 30) throw new RangeError('partial length exponent out of range');
    this.size = 2 ** partLog2;
  }

  push(buf: Buffer): void {
    let rest = buf;
    while (rest.length > 0) {
      if (this.qLen === this.size) this.flush(Buffer.from([0xe0 | this.partLog2]));
      const take = Math.min(this.size - this.qLen, rest.length);
      this.q.push(take === rest.length ? rest : rest.subarray(0, take));
      this.qLen += take;
      rest = rest.subarray(take);
    }
  }

  end(): void {
    this.flush(lengthBytes(this.qLen));
  }

  private flush(len: Buffer): void {
    this.emit(this.started ? len : Buffer.concat([Buffer.from([0xc0 | this.tag]), len]));
    this.started = true;
    for (const b of this.q) this.emit(b);
    this.q = [];
    this.qLen = 0;
  }
}

/**
 * CRC-24 tables for slicing-by-8 (RFC 4880 §6.1, polynomial 0x864CFB, MSB first): the 24-bit CRC is kept in the
 * top bits of a 32-bit register so eight input bytes fold in per step. `CRC_W` holds the same tables byte-swapped,
 * for little-endian 32-bit word loads (the register is then kept byte-swapped too).
 */
const CRC_T: Int32Array[] = (() => {
  const t0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x864cfb00 : c << 1;
    t0[i] = c;
  }
  const out = [t0];
  for (let k = 1; k < 8; k++) {
    const p = out[k - 1]!;
    const n = new Int32Array(256);
    for (let i = 0; i < 256; i++) n[i] = (p[i]! << 8) ^ t0[p[i]! >>> 24]!;
    out.push(n);
  }
  return out;
})();
const bswap32 = (v: number) => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
const CRC_W: Int32Array[] = CRC_T.map((t) => Int32Array.from(t, bswap32));
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * CRC-24 of `b` continued from `crc` (RFC 4880 §6.1; start value 0xB704CE).
 * @param crc the 24-bit CRC so far
 * @returns the 24-bit CRC including `b`
 * @source RFC 4880 §6.1
 */
export function crc24(crc: number, b: Uint8Array): number {
  const T0 = CRC_T[0]!;
  let c = crc << 8;
  let i = 0;
  while (i < b.length && (b.byteOffset + i) & 3) c = (c << 8) ^ T0[(c >>> 24) ^ b[i++]!]!;
  const words = LITTLE_ENDIAN ? ((b.length - i) >>> 3) << 1 : 0;
  if (words > 0) {
    const [W0, W1, W2, W3, W4, W5, W6, W7] = CRC_W as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    let x = bswap32(c);
    for (let j = 0; j < words; j += 2) {
      x ^= w[j]!;
      const y = w[j + 1]!;
      x = W7[x & 255]! ^ W6[(x >>> 8) & 255]! ^ W5[(x >>> 16) & 255]! ^ W4[x >>> 24]! ^ W3[y & 255]! ^ W2[(y >>> 8) & 255]! ^ W1[(y >>> 16) & 255]! ^ W0[y >>> 24]!;
    }
    c = bswap32(x);
    i += words * 4;
  }
  for (; i < b.length; i++) c = (c << 8) ^ T0[(c >>> 24) ^ b[i]!]!;
  return (c >>> 8) & 0xffffff;
}

/** ASCII armor (RFC 4880 §6.2): base64 in 64-character lines, CRC-24 (§6.1) checksum line; LF or CRLF line ends. */
export class Armorer {
  private crc = 0xb704ce;
  private static readonly BLOCK = 48 * 16384; // whole lines of 48 input bytes
  /** Input bytes turned into base64 text at a time (whole lines; the text stays under V8's large-object size). */
  private static readonly SLICE = 48 * 1365;
  /** Input waiting for whole lines: copied here (one buffer for the message), so pushed buffers are never held. */
  private readonly block = Buffer.allocUnsafe(Armorer.BLOCK);
  private fill = 0;
  /** One slice's base64 text, as bytes (reused). */
  private readonly text = Buffer.allocUnsafe((Armorer.SLICE / 3) * 4);
  /** One block's armored lines, reused when the caller asked for it (`emit` then copies before it returns). */
  private readonly out: Buffer | null;
  private readonly eol: Buffer;

  /**
   * @param emit receives the armor in order
   * @param reuse when true, the lines' buffer is reused for the next block, so `emit` must copy or consume each
   *   buffer before returning; when false every emitted buffer is new and may be kept
   */
  constructor(
    private readonly emit: (b: Buffer) => void,
    crlf: boolean,
    reuse = false,
  ) {
    this.eol = Buffer.from(crlf ? '\r\n' : '\n', 'latin1');
    this.out = reuse ? Buffer.allocUnsafe(this.lineBytes(Armorer.BLOCK)) : null;
    const nl = this.eol.toString('latin1');
    emit(Buffer.from(`-----BEGIN PGP MESSAGE-----${nl}${nl}`, 'latin1'));
  }

  push(b: Buffer): void {
    this.crc = crc24(this.crc, b);
    let at = 0;
    while (at < b.length) {
      const n = b.copy(this.block, this.fill, at);
      this.fill += n;
      at += n;
      if (this.fill === Armorer.BLOCK) {
        this.lines(this.block);
        this.fill = 0;
      }
    }
  }

  end(): void {
    this.lines(this.block.subarray(0, this.fill));
    this.fill = 0;
    const crc = Buffer.from([(this.crc >> 16) & 0xff, (this.crc >> 8) & 0xff, this.crc & 0xff]).toString('base64');
    const nl = this.eol.toString('latin1');
    this.emit(Buffer.from(`=${crc}${nl}-----END PGP MESSAGE-----${nl}`, 'latin1'));
  }

  /**
   * Base64 of `data` (a multiple of 48 bytes except at the end, at most {@link Armorer.BLOCK}) in lines of 64
   * characters, written into the reused lines buffer; the base64 text is made {@link Armorer.SLICE} input bytes at a
   * time and written into a reused buffer, so the only new object per slice is its string (young generation, small).
   */
  private lines(data: Buffer): void {
    if (data.length === 0) return;
    const out = this.out ?? Buffer.allocUnsafe(this.lineBytes(data.length));
    const e = this.eol.length;
    let o = 0;
    for (let off = 0; off < data.length; off += Armorer.SLICE) {
      const len = this.text.write(data.subarray(off, Math.min(data.length, off + Armorer.SLICE)).toString('base64'), 0, 'latin1');
      for (let i = 0; i < len; i += 64) {
        o += this.text.copy(out, o, i, Math.min(len, i + 64));
        out[o++] = this.eol[0]!;
        if (e === 2) out[o++] = this.eol[1]!;
      }
    }
    this.emit(out.subarray(0, o));
  }

  /** Bytes of armored lines for `n` input bytes: 64 characters per 48 bytes, a shorter last line, each with its line end. */
  private lineBytes(n: number): number {
    const b64len = Math.ceil(n / 3) * 4;
    return b64len + Math.ceil(b64len / 64) * this.eol.length;
  }
}
