/**
 * OpenPGP message writing on `node:crypto` (OpenSSL): the bulk work of encrypt+sign — AES in
 * CFB mode, the SHA-1 modification detection code and the signature hash — runs natively, in one
 * pass over the data, without the web-stream plumbing and JavaScript hashing of openpgp.js.
 * openpgp.js still reads the keys, checks that they may be used (expiry, revocation, flags) and
 * writes the small Public-Key Encrypted Session Key packets.
 *
 * Message shape, the same as `gpg --encrypt --sign -z 0` and readable by GnuPG 2.2 (RFC 4880 §11.3):
 *   PKESK v3 per recipient (§5.1)
 *   SEIPD v1 (§5.13): CFB with a zero IV over [16 random bytes, their last 2 repeated] ||
 *     One-Pass Signature v3 (§5.4) || Literal Data 'b' (§5.9) || Signature v4 type 0x00 (§5.2.3) ||
 *     MDC packet (0xD3 0x14, SHA-1 over everything before it, §5.14)
 * Packets of unknown length use partial body lengths (§4.2.2.4); ASCII armor with CRC-24 (§6).
 *
 * Handled natively: signing keys Ed25519 (EdDSA legacy, algorithm 22) and RSA (1, 3); session
 * keys AES-128/192/256. Anything else returns null so the caller can fall back to openpgp.js.
 */
import { createCipheriv, createHash, createPrivateKey, type Hash, type KeyObject, privateEncrypt, constants as cryptoConstants, randomBytes, sign as cryptoSign } from 'node:crypto';
import { Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';
import * as openpgp from 'openpgp';
import { GNUPG22_COMPATIBLE_CONFIG } from './keys';

/** Keys and options for the native writer. Keys are already read by openpgp.js. */
export interface NativeEncryptOptions {
  /** Recipients' public keys (each needs a usable encryption subkey at `date`). */
  encryptionKeys: openpgp.Key[];
  /** The practice's decrypted private key; its signing (sub)key signs. */
  signingKey: openpgp.PrivateKey;
  /** Literal Data file name (inside the ciphertext; no PHI). At most 255 bytes UTF-8. */
  filename: string;
  /** Signature creation time and key-validity instant; defaults to now. */
  date?: Date;
  /** ASCII armor (RFC 4880 §6.2, "PGP MESSAGE") instead of binary packets. */
  armor?: boolean;
}

/** Partial body chunk size exponent: 2^20 = 1 MiB per partial length (RFC 4880 §4.2.2.4 allows 2^0..2^30). */
const PART_LOG2 = 20;

const HASHES: Record<number, { name: string; digestInfo: string }> = {
  8: { name: 'sha256', digestInfo: '3031300d060960864801650304020105000420' },
  9: { name: 'sha384', digestInfo: '3041300d060960864801650304020205000430' },
  10: { name: 'sha512', digestInfo: '3051300d060960864801650304020305000440' },
};
const SIGNATURE_HASH = 8; // SHA-256: what gpg picks for these keys; OpenSSL runs it with SHA-NI where present.

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
function packet(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xc0 | tag]), lengthBytes(body.length), body]);
}

/** An MPI (RFC 4880 §3.2): bit count then the big-endian bytes without leading zeros. */
function mpi(bytes: Uint8Array): Buffer {
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
 * exactly 2^PART_LOG2 bytes, the rest with a definite length at the end (a short packet gets a
 * definite length only). A chunk is sent once the next byte is known to exist, so the last length
 * is never a partial one. Holds at most one chunk (references to the caller's buffers, no copies).
 */
class PacketFramer {
  private q: Buffer[] = [];
  private qLen = 0;
  private started = false;
  private readonly size = 2 ** PART_LOG2;

  constructor(
    private readonly tag: number,
    private readonly emit: (b: Buffer) => void,
  ) {}

  push(buf: Buffer): void {
    let rest = buf;
    while (rest.length > 0) {
      if (this.qLen === this.size) this.flush(Buffer.from([0xe0 | PART_LOG2]));
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
class Armorer {
  private crc = 0xb704ce;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private static readonly BLOCK = 48 * 16384; // whole lines of 48 input bytes
  private readonly eol: Buffer;

  constructor(
    private readonly emit: (b: Buffer) => void,
    crlf: boolean,
  ) {
    this.eol = Buffer.from(crlf ? '\r\n' : '\n', 'latin1');
    const nl = this.eol.toString('latin1');
    emit(Buffer.from(`-----BEGIN PGP MESSAGE-----${nl}${nl}`, 'latin1'));
  }

  push(b: Buffer): void {
    this.crc = crc24(this.crc, b);
    this.pending.push(b);
    this.pendingLen += b.length;
    if (this.pendingLen >= Armorer.BLOCK) {
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLen);
      const whole = all.length - (all.length % 48);
      this.lines(all.subarray(0, whole));
      this.pending = whole < all.length ? [all.subarray(whole)] : [];
      this.pendingLen = all.length - whole;
    }
  }

  end(): void {
    this.lines(Buffer.concat(this.pending, this.pendingLen));
    const crc = Buffer.from([(this.crc >> 16) & 0xff, (this.crc >> 8) & 0xff, this.crc & 0xff]).toString('base64');
    const nl = this.eol.toString('latin1');
    this.emit(Buffer.from(`=${crc}${nl}-----END PGP MESSAGE-----${nl}`, 'latin1'));
  }

  /** Base64 of `data` (a multiple of 48 bytes except at the end) in lines of 64 characters, written in one buffer. */
  private lines(data: Buffer): void {
    if (data.length === 0) return;
    const b64len = Math.ceil(data.length / 3) * 4;
    const full = Math.floor(b64len / 64);
    const tail = b64len - full * 64;
    const e = this.eol.length;
    const out = Buffer.allocUnsafe(full * (64 + e) + (tail > 0 ? tail + e : 0));
    const b64 = Buffer.from(data.toString('base64'), 'latin1');
    let o = 0;
    for (let i = 0; i < full; i++) {
      b64.copy(out, o, i * 64, i * 64 + 64);
      o += 64;
      out[o++] = this.eol[0]!;
      if (e === 2) out[o++] = this.eol[1]!;
    }
    if (tail > 0) {
      b64.copy(out, o, full * 64);
      out[o + tail] = this.eol[0]!;
      if (e === 2) out[o + tail + 1] = this.eol[1]!;
    }
    this.emit(out);
  }
}

/** A signing key usable by node:crypto, with what the signature packets need to name it. */
interface NativeSigner {
  pubAlgo: number;
  keyId: Buffer;
  fingerprint: Buffer;
  /** Signature MPIs over `digest` (hash `hashAlgo`). */
  sign(digest: Buffer, hashAlgo: number): Buffer;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const unbig = (n: bigint) => {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex');
};

/**
 * The native signer for `signingKey` at `date`, or null when its algorithm is not handled here.
 * @throws openpgp's error when the key has no valid signing (sub)key at `date` or is not decrypted
 */
async function nativeSigner(signingKey: openpgp.PrivateKey, date: Date): Promise<NativeSigner | null> {
  const k = await signingKey.getSigningKey(undefined, date, undefined, { ...openpgp.config, ...GNUPG22_COMPATIBLE_CONFIG });
  const kp = k.keyPacket as unknown as {
    algorithm: number;
    publicParams: Record<string, unknown>;
    privateParams: Record<string, Uint8Array> | null;
    isDecrypted(): boolean | null;
    getKeyID(): openpgp.KeyID;
    getFingerprintBytes(): Uint8Array | null;
    version: number;
  };
  if (kp.version !== 4 || !kp.isDecrypted() || !kp.privateParams) {
    if (!kp.isDecrypted()) throw new Error('Signing key is not decrypted.');
    return null;
  }
  const keyId = Buffer.from(kp.getKeyID().toHex(), 'hex');
  const fingerprint = Buffer.from(kp.getFingerprintBytes()!);
  const priv = kp.privateParams;
  if (kp.algorithm === 22) {
    const Q = kp.publicParams.Q as Uint8Array;
    const seed = priv.seed;
    if (!seed || Q.length !== 33 || Q[0] !== 0x40) return null;
    const key: KeyObject = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(seed), x: b64u(Q.subarray(1)) }, format: 'jwk' });
    return {
      pubAlgo: 22,
      keyId,
      fingerprint,
      sign: (digest) => {
        const rs = cryptoSign(null, digest, key);
        return Buffer.concat([mpi(rs.subarray(0, 32)), mpi(rs.subarray(32))]);
      },
    };
  }
  if (kp.algorithm === 1 || kp.algorithm === 3) {
    const n = kp.publicParams.n as Uint8Array;
    const e = kp.publicParams.e as Uint8Array;
    const { d, p, q, u } = priv;
    if (!d || !p || !q || !u) return null;
    // OpenPGP keeps p < q and u = p^-1 mod q; JWK wants qi = q^-1 mod p: swap the primes' roles.
    const [P, Q, D] = [big(q), big(p), big(d)];
    const key = createPrivateKey({
      key: { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(q), q: b64u(p), dp: b64u(unbig(D % (P - 1n))), dq: b64u(unbig(D % (Q - 1n))), qi: b64u(u) },
      format: 'jwk',
    });
    const modulusBytes = n.length;
    return {
      pubAlgo: kp.algorithm,
      keyId,
      fingerprint,
      sign: (digest, hashAlgo) => {
        const s = privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(HASHES[hashAlgo]!.digestInfo, 'hex'), digest]));
        if (s.length !== modulusBytes) throw new Error('RSA signature length');
        return mpi(s);
      },
    };
  }
  return null;
}

/** The v4 signature packet (RFC 4880 §5.2.3) over data already fed into `hash`; finishes `hash`. */
function signaturePacket(signer: NativeSigner, hash: Hash, hashAlgo: number, sigType: number, date: Date): Buffer {
  const created = Buffer.alloc(4);
  created.writeUInt32BE(Math.floor(date.getTime() / 1000));
  const hashedSub = Buffer.concat([
    Buffer.from([5, 2]), created, // signature creation time (§5.2.3.4)
    Buffer.from([22, 33, 4]), signer.fingerprint, // issuer fingerprint (RFC 9580 §5.2.3.35; gpg 2.2 reads it)
  ]);
  const hashedPart = Buffer.concat([Buffer.from([4, sigType, signer.pubAlgo, hashAlgo, hashedSub.length >> 8, hashedSub.length & 0xff]), hashedSub]);
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(hashedPart.length, 2);
  hash.update(hashedPart);
  hash.update(trailer);
  const digest = hash.digest();
  const unhashed = Buffer.concat([Buffer.from([9, 16]), signer.keyId]); // issuer key id (§5.2.3.5)
  return packet(2, Buffer.concat([hashedPart, Buffer.from([0, unhashed.length]), unhashed, digest.subarray(0, 2), signer.sign(digest, hashAlgo)]));
}

/** Session key algorithm -> OpenSSL CFB cipher and key size. */
const CFB: Record<string, { cipher: string; bytes: number }> = {
  aes128: { cipher: 'aes-128-cfb', bytes: 16 },
  aes192: { cipher: 'aes-192-cfb', bytes: 24 },
  aes256: { cipher: 'aes-256-cfb', bytes: 32 },
};

/** Where the SEIPD plaintext is encrypted: ciphertext comes back through `onCipher`, in order. */
interface CfbEngine {
  update(b: Buffer): void;
  /** The last ciphertext is delivered before this returns (in-thread) or before the promise settles (worker). */
  finish(): void | Promise<void>;
  /** Stop and free (a worker is terminated); safe to call twice. */
  abort(): void;
  /** Resolves once the plaintext still waiting for the cipher is at most `bytes` (backpressure); null when nothing waits. */
  waitBelow(bytes: number): Promise<void> | null;
}

/** AES-CFB in this thread (OpenSSL through node:crypto). */
class InlineCfb implements CfbEngine {
  private readonly cipher;
  constructor(
    cipherName: string,
    key: Uint8Array,
    private readonly onCipher: (c: Buffer) => void,
  ) {
    this.cipher = createCipheriv(cipherName, key, Buffer.alloc(16));
  }
  update(b: Buffer): void {
    const c = this.cipher.update(b);
    if (c.length) this.onCipher(c);
  }
  finish(): void {
    const c = this.cipher.final();
    if (c.length) this.onCipher(c);
  }
  abort(): void {}
  waitBelow(): null {
    return null;
  }
}

/**
 * The worker thread's code (plain CommonJS, run with `eval`, so bundling needs no extra entry): one AES-CFB cipher,
 * plaintext blocks in, ciphertext blocks out (both transferred, not copied), in order.
 */
const CFB_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createCipheriv } = require('node:crypto');
const c = createCipheriv(workerData.cipher, Buffer.from(workerData.key), Buffer.alloc(16));
const own = (b) => (b.byteOffset === 0 && b.buffer.byteLength === b.length ? b : Buffer.from(b));
parentPort.on('message', (m) => {
  const out = own(m === null ? c.final() : c.update(Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
  // The plaintext block goes back too, for reuse: no fresh allocation per block.
  parentPort.postMessage({ last: m === null, data: out, back: m }, m === null ? [out.buffer] : [out.buffer, m.buffer]);
});
`;

/** Plaintext is gathered into blocks of this size before it is handed to the worker (one copy, one message). */
const WORKER_BLOCK = 2 ** 20;

/**
 * AES-CFB on a worker thread, so the cipher (the one serial step) runs on one core while this thread hashes (SHA-1
 * MDC, SHA-256 signature), frames and writes. CFB chains over the whole SEIPD body: one cipher, blocks in order.
 */
class WorkerCfb implements CfbEngine {
  private readonly worker: Worker;
  private block: Buffer = Buffer.allocUnsafeSlow(WORKER_BLOCK);
  /** Plaintext blocks the worker handed back, for reuse. */
  private free: Buffer[] = [];
  private fill = 0;
  private inFlight = 0;
  private failed: Error | null = null;
  private finished = false;
  private waiters: Array<{ bytes: number; resolve: () => void; reject: (e: Error) => void }> = [];
  private done: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(
    cipherName: string,
    key: Uint8Array,
    private readonly onCipher: (c: Buffer) => void,
  ) {
    this.worker = new Worker(CFB_WORKER_SOURCE, { eval: true, workerData: { cipher: cipherName, key: Buffer.from(key) } });
    this.worker.on('message', (m: { last: boolean; data: Uint8Array; back: Uint8Array | null }) => {
      if (m.back && m.back.buffer.byteLength === WORKER_BLOCK && this.free.length < 4) this.free.push(Buffer.from(m.back.buffer));
      const c = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      if (c.length) this.onCipher(c);
      if (m.last) {
        this.finished = true;
        this.inFlight = 0;
        this.done?.resolve();
        void this.worker.terminate();
      } else this.inFlight -= c.length;
      this.waiters = this.waiters.filter((w) => (this.inFlight <= w.bytes ? (w.resolve(), false) : true));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => {
      if (!this.finished) this.fail(new Error('The encryption worker stopped.'));
    });
  }

  update(b: Buffer): void {
    if (this.failed) throw this.failed;
    let off = 0;
    while (off < b.length) {
      const n = Math.min(WORKER_BLOCK - this.fill, b.length - off);
      b.copy(this.block, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === WORKER_BLOCK) this.send();
    }
  }

  finish(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.send();
    return new Promise<void>((resolve, reject) => {
      this.done = { resolve, reject };
      this.worker.postMessage(null);
    });
  }

  abort(): void {
    this.fail(new Error('The encryption was stopped.'));
    void this.worker.terminate();
  }

  waitBelow(bytes: number): Promise<void> | null {
    if (this.failed) return Promise.reject(this.failed);
    if (this.inFlight <= bytes) return null;
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  private send(): void {
    if (this.fill === 0) return;
    const b = this.block.subarray(0, this.fill);
    this.inFlight += this.fill;
    this.worker.postMessage(b, [b.buffer as ArrayBuffer]);
    this.block = this.free.pop() ?? Buffer.allocUnsafeSlow(WORKER_BLOCK);
    this.fill = 0;
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.done?.reject(e);
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
  }
}

/**
 * The writer for one message: `begin()`, `update(chunk)` for each plaintext chunk, `end()`; every
 * output byte goes to `emit` in order. Single use.
 */
class EncryptSignWriter {
  private readonly sigHash: Hash;
  private readonly mdc = createHash('sha1');
  private readonly cfb: CfbEngine;
  private readonly outer: PacketFramer;
  private readonly literal: PacketFramer;
  private readonly armor: Armorer | null;
  private readonly sink: (b: Buffer) => void;

  constructor(
    private readonly signer: NativeSigner,
    private readonly pkesk: Buffer,
    sessionKey: Uint8Array,
    cipherName: string,
    private readonly filename: Buffer,
    private readonly date: Date,
    armor: false | 'lf' | 'crlf',
    worker: boolean,
    emit: (b: Buffer) => void,
  ) {
    this.sigHash = createHash(HASHES[SIGNATURE_HASH]!.name);
    this.armor = armor ? new Armorer(emit, armor === 'crlf') : null;
    this.sink = this.armor ? (b: Buffer) => this.armor!.push(b) : emit;
    this.outer = new PacketFramer(18, this.sink);
    this.literal = new PacketFramer(11, (b) => this.inner(b));
    const onCipher = (c: Buffer) => this.outer.push(c);
    this.cfb = worker ? new WorkerCfb(cipherName, sessionKey, onCipher) : new InlineCfb(cipherName, sessionKey, onCipher);
  }

  begin(): void {
    this.sink(this.pkesk);
    this.outer.push(Buffer.from([1])); // SEIPD version 1
    const prefix = randomBytes(18);
    prefix[16] = prefix[14]!;
    prefix[17] = prefix[15]!;
    this.inner(prefix);
    const ops = Buffer.concat([Buffer.from([3, 0x00, SIGNATURE_HASH, this.signer.pubAlgo]), this.signer.keyId, Buffer.from([1])]);
    this.inner(packet(4, ops));
    const created = Buffer.alloc(4);
    created.writeUInt32BE(Math.floor(this.date.getTime() / 1000));
    this.literal.push(Buffer.concat([Buffer.from([0x62, this.filename.length]), this.filename, created]));
  }

  update(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.sigHash.update(chunk);
    this.literal.push(chunk);
  }

  end(): void | Promise<void> {
    this.literal.end();
    this.inner(signaturePacket(this.signer, this.sigHash, SIGNATURE_HASH, 0x00, this.date));
    this.inner(Buffer.from([0xd3, 0x14]));
    this.cfb.update(this.mdc.digest());
    const close = () => {
      this.outer.end();
      this.armor?.end();
    };
    const f = this.cfb.finish();
    if (f) return f.then(close);
    close();
  }

  waitBelow(bytes: number): Promise<void> | null {
    return this.cfb.waitBelow(bytes);
  }

  abort(): void {
    this.cfb.abort();
  }

  /** Plaintext of the SEIPD packet: into the MDC hash and the cipher. */
  private inner(b: Buffer): void {
    this.mdc.update(b);
    this.cfb.update(b);
  }
}

/**
 * One message being written: `update(chunk)` for each plaintext chunk in order, then `end()` once (a promise when
 * the cipher runs on a worker thread: the last bytes are emitted before it settles).
 */
export interface EncryptSignWriterT {
  update(chunk: Buffer): void;
  end(): void | Promise<void>;
  /** Backpressure for the worker cipher: resolves once at most `bytes` of plaintext wait for it; null when none wait. */
  waitBelow(bytes: number): Promise<void> | null;
  /** Stop after a failure elsewhere (frees the worker). */
  abort(): void;
}

/** Options of {@link prepareEncryptAndSign} beyond the keys. */
export interface WriterOptions {
  /** Run AES-CFB on a worker thread (large inputs: the cipher and the hashes then run on two cores). */
  worker?: boolean;
  /** Armor line ends CRLF, as a MIME part needs (RFC 3156 §4, RFC 5322 §2.1); default LF. Only with `armor`. */
  crlf?: boolean;
}

/**
 * Everything the writer needs from the keys, or null when the native path does not handle them. The factory
 * starts a message (its PKESK packets and the SEIPD header go to `emit` at once); every output byte goes to
 * `emit` in order, as buffers the caller may keep (never reused by the writer).
 * @throws openpgp's error when a recipient key has no usable encryption key or the signing key cannot sign at `date`
 * @source RFC 4880 §11.3
 */
export async function prepareEncryptAndSign(o: NativeEncryptOptions, w: WriterOptions = {}): Promise<((emit: (b: Buffer) => void) => EncryptSignWriterT) | null> {
  const make = await prepare(o, w);
  if (!make) return null;
  return (emit) => {
    const writer = make(emit);
    writer.begin();
    return writer;
  };
}

async function prepare(o: NativeEncryptOptions, w: WriterOptions = {}): Promise<((emit: (b: Buffer) => void) => EncryptSignWriter) | null> {
  const date = o.date ?? new Date();
  const config = GNUPG22_COMPATIBLE_CONFIG;
  const filename = Buffer.from(o.filename, 'utf8');
  if (filename.length > 255) return null;
  const signer = await nativeSigner(o.signingKey, date);
  if (!signer) return null;
  const { algorithm } = await openpgp.generateSessionKey({ encryptionKeys: o.encryptionKeys, date, config });
  const cfb = CFB[algorithm];
  if (!cfb) return null;
  const sessionKey = randomBytes(cfb.bytes);
  const pkesk = Buffer.from(
    await openpgp.encryptSessionKey({ data: sessionKey, algorithm, encryptionKeys: o.encryptionKeys, format: 'binary', date, config }),
  );
  const armor = o.armor === true ? (w.crlf ? 'crlf' : 'lf') : false;
  return (emit) => new EncryptSignWriter(signer, pkesk, sessionKey, cfb.cipher, filename, date, armor, w.worker === true, emit);
}

/**
 * A Transform that turns plaintext into a signed-and-encrypted OpenPGP message (binary, or armored
 * with `armor`), in one pass with bounded memory (about one 1 MiB partial chunk held back).
 *
 * @param o keys (read by openpgp.js; the signing key decrypted), file name, date, armor
 * @returns the Transform, or null when a key's algorithm is not handled natively (use openpgp.js)
 * @throws openpgp's error (never shown to users: it may quote a user id) when a recipient key cannot
 *   encrypt or the signing key cannot sign at the date
 * @source RFC 4880 §11.3, §5.1, §5.2, §5.4, §5.9, §5.13, §5.14, §4.2.2.4, §6
 */
export async function createEncryptAndSignTransform(o: NativeEncryptOptions): Promise<Transform | null> {
  const make = await prepare(o);
  if (!make) return null;
  let writer: EncryptSignWriter | null = null;
  const t: Transform = new Transform({
    readableHighWaterMark: 4 * 2 ** 20,
    writableHighWaterMark: 2 ** 20,
    transform(chunk: Buffer, _enc, done) {
      try {
        writer!.update(chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        writer!.end();
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  writer = make((b) => t.push(b));
  writer.begin();
  return t;
}

/**
 * Encrypt and sign `data` in memory (see {@link createEncryptAndSignTransform}).
 * @returns the message (binary bytes, or armored text as a latin1/ASCII Buffer), or null when a key is not handled natively
 * @throws openpgp's error when a key cannot be used at the date
 */
export async function encryptAndSignBuffer(data: Uint8Array, o: NativeEncryptOptions): Promise<Buffer | null> {
  const make = await prepare(o);
  if (!make) return null;
  const out: Buffer[] = [];
  const w = make((b) => out.push(b));
  w.begin();
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let off = 0; off < buf.length; off += 2 ** 22) w.update(buf.subarray(off, Math.min(buf.length, off + 2 ** 22)));
  w.end();
  return Buffer.concat(out);
}

/**
 * Detached binary signature (RFC 4880 §5.2, type 0x00 over binary data) with node:crypto hashing,
 * verifiable with `gpg --verify data.sig data`.
 * @param bytes the signed bytes
 * @param signingKey the decrypted private key
 * @param date signature creation time (defaults to now)
 * @returns the signature packet, or null when the key's algorithm is not handled natively
 * @throws openpgp's error when the key cannot sign at `date`
 */
export async function signDetachedNative(bytes: Uint8Array, signingKey: openpgp.PrivateKey, date: Date = new Date()): Promise<Uint8Array | null> {
  const signer = await nativeSigner(signingKey, date);
  if (!signer) return null;
  const h = createHash(HASHES[SIGNATURE_HASH]!.name);
  h.update(bytes);
  return signaturePacket(signer, h, SIGNATURE_HASH, 0x00, date);
}
