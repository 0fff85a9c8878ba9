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
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import * as openpgp from 'openpgp';
import { GNUPG22_COMPATIBLE_CONFIG } from './keys';
import { CFB, InlineCfb, WorkerCfb, type CfbEngine } from './native-cfb';
import { HASHES, nativeSigner, SIGNATURE_HASH, signaturePacket, type NativeSigner } from './native-signature';
import { Armorer, packet, PacketFramer, PART_LOG2 } from './packet-framing';

export { crc24 } from './packet-framing';

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
    partLog2: number = PART_LOG2,
    reuseOutput = false,
  ) {
    this.sigHash = createHash(HASHES[SIGNATURE_HASH]!.name);
    this.armor = armor ? new Armorer(emit, armor === 'crlf', reuseOutput) : null;
    this.sink = this.armor ? (b: Buffer) => this.armor!.push(b) : emit;
    this.outer = new PacketFramer(18, this.sink, partLog2);
    this.literal = new PacketFramer(11, (b) => this.inner(b), partLog2);
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
  /**
   * Partial body lengths of 2^partLog2 bytes (9–30, default 20: 1 MiB). Smaller parts spread the work evenly over
   * the caller's pieces — the writer does a part's cipher, MDC and armor work at once when it is full — so a caller
   * that yields to the event loop between pieces (PGP/MIME on the main thread) passes 16 (64 KiB). Same message for a reader.
   */
  partLog2?: number;
  /**
   * With `armor`: the armored lines are written into one reused buffer, so `emit` must copy or consume each buffer
   * before it returns (PGP/MIME, which copies into the message's one buffer, saves a block-sized allocation per
   * 768 KiB of input). Default false: every emitted buffer may be kept.
   */
  reuseOutput?: boolean;
}

/**
 * Everything the writer needs from the keys, or null when the native path does not handle them. The factory
 * starts a message (its PKESK packets and the SEIPD header go to `emit` at once); every output byte goes to
 * `emit` in order, as buffers the caller may keep (never reused by the writer) unless `w.reuseOutput` is set.
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
  return (emit) => new EncryptSignWriter(signer, pkesk, sessionKey, cfb.cipher, filename, date, armor, w.worker === true, emit, w.partLog2 ?? PART_LOG2, w.reuseOutput === true);
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
