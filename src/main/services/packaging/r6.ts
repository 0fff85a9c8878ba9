/**
 * The PDF standard security handler, revision 6 (AES-256, "AESV3"), computed with `node:crypto`:
 * the password hash of Algorithm 2.B, the /U /UE /O /OE /Perms entries of the /Encrypt dictionary
 * (Algorithms 8, 9, 10), the check of a password against them (Algorithms 11, 12, used by tests),
 * and the AES-256-CBC encryption of one string or stream (§7.6.3.1 with AESV3, §7.6.5).
 *
 * @source ISO 32000-2:2020 §7.6.4.3.3 (Algorithm 2.A, file key retrieval), §7.6.4.3.4 (Algorithm 2.B,
 *   hash), §7.6.4.4.7–11 (Algorithms 8–12: U/UE, O/OE, Perms, user and owner authentication),
 *   §7.6.5 (crypt filters, /AESV3)
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of a password after preparation: ISO 32000-2 §7.6.4.3.3 step (a) truncates the UTF-8 form to 127 bytes. */
const MAX_PASSWORD_BYTES = 127;

/**
 * The password's bytes as R6 hashes them: its UTF-8 encoding, truncated to 127 bytes.
 * SASLprep (RFC 4013) is not applied, as qpdf (the previous writer) did not: the product's
 * passphrases are lowercase ASCII words and hyphens, which SASLprep leaves unchanged.
 */
export function r6PasswordBytes(password: string): Buffer {
  const b = Buffer.from(password, 'utf8');
  return b.length > MAX_PASSWORD_BYTES ? b.subarray(0, MAX_PASSWORD_BYTES) : b;
}

/**
 * Algorithm 2.B (ISO 32000-2 §7.6.4.3.4): the 32-byte hash of `password` with an 8-byte `salt`
 * and `udata` (the 48-byte /U value when hashing for the owner, empty for the user).
 *
 * K = SHA-256(password ‖ salt ‖ udata); then rounds: K1 = (password ‖ K ‖ udata) × 64,
 * E = AES-128-CBC(key K[0..16], IV K[16..32], K1, no padding), next K = SHA-256/384/512(E) chosen by
 * (sum of E's first 16 bytes) mod 3; stop after at least 64 rounds once E's last byte ≤ round − 32.
 */
export function hashR6(password: Uint8Array, salt: Uint8Array, udata: Uint8Array = Buffer.alloc(0)): Buffer {
  let k: Buffer = createHash('sha256').update(password).update(salt).update(udata).digest();
  for (let round = 1; ; round++) {
    const block = Buffer.concat([password, k, udata]);
    const k1 = Buffer.allocUnsafe(block.length * 64);
    for (let i = 0; i < 64; i++) block.copy(k1, i * block.length);
    const c = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32));
    c.setAutoPadding(false);
    const e = Buffer.concat([c.update(k1), c.final()]);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!; // 256 ≡ 1 (mod 3): the big-endian number mod 3 is the byte sum mod 3
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest();
    if (round >= 64 && e[e.length - 1]! <= round - 32) break;
  }
  return k.subarray(0, 32);
}

/** The /Encrypt dictionary values of revision 6 (all binary strings). */
export interface R6Values {
  /** 48 bytes: hash ‖ validation salt ‖ key salt (Algorithm 8). */
  U: Buffer;
  /** 32 bytes: the file key encrypted with the user key (Algorithm 8). */
  UE: Buffer;
  /** 48 bytes (Algorithm 9). */
  O: Buffer;
  /** 32 bytes (Algorithm 9). */
  OE: Buffer;
  /** 16 bytes: the permissions, encrypted with the file key (Algorithm 10). */
  Perms: Buffer;
}

/** AES-256 with no padding of whole blocks, IV 0 (CBC) or ECB: the form Algorithms 8–10 use. */
function aesNoPad(mode: 'aes-256-cbc' | 'aes-256-ecb', key: Uint8Array, data: Uint8Array, decrypt = false): Buffer {
  const iv = mode === 'aes-256-cbc' ? Buffer.alloc(16) : null;
  const c = decrypt ? createDecipheriv(mode, key, iv) : createCipheriv(mode, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * Compute /U /UE /O /OE /Perms for `fileKey` (Algorithms 8, 9, 10), with fresh random salts.
 *
 * @param user the user (open) password's bytes ({@link r6PasswordBytes})
 * @param owner the owner password's bytes
 * @param fileKey the 32-byte random file encryption key
 * @param permissions the /P value, a signed 32-bit integer (e.g. -4: everything allowed)
 * @param encryptMetadata the /EncryptMetadata value (true: XMP metadata streams are encrypted too)
 * @throws Error when `fileKey` is not 32 bytes
 */
export function r6Values(user: Uint8Array, owner: Uint8Array, fileKey: Uint8Array, permissions: number, encryptMetadata: boolean): R6Values {
  if (fileKey.length !== 32) throw new Error('R6 file key must be 32 bytes');
  const uValSalt = randomBytes(8);
  const uKeySalt = randomBytes(8);
  const U = Buffer.concat([hashR6(user, uValSalt), uValSalt, uKeySalt]);
  const UE = aesNoPad('aes-256-cbc', hashR6(user, uKeySalt), fileKey);
  const oValSalt = randomBytes(8);
  const oKeySalt = randomBytes(8);
  const O = Buffer.concat([hashR6(owner, oValSalt, U), oValSalt, oKeySalt]);
  const OE = aesNoPad('aes-256-cbc', hashR6(owner, oKeySalt, U), fileKey);
  const perms = Buffer.alloc(16);
  perms.writeInt32LE(permissions | 0, 0);
  perms.fill(0xff, 4, 8);
  perms.write(encryptMetadata ? 'T' : 'F', 8, 'latin1');
  perms.write('adb', 9, 'latin1');
  randomBytes(4).copy(perms, 12);
  const Perms = aesNoPad('aes-256-ecb', fileKey, perms);
  return { U, UE, O, OE, Perms };
}

/**
 * Authenticate `password` against /U /UE /O /OE (Algorithms 11 and 12, then 2.A) and return the
 * file key it unlocks, or null. The owner password is tried first, as readers do.
 *
 * @returns `{ key, as }` with `as` 'owner' or 'user', or null when the password opens neither
 */
export function r6Authenticate(password: Uint8Array, v: Pick<R6Values, 'U' | 'UE' | 'O' | 'OE'>): { key: Buffer; as: 'owner' | 'user' } | null {
  const eq = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
  if (eq(hashR6(password, v.O.subarray(32, 40), v.U.subarray(0, 48)), v.O.subarray(0, 32))) {
    return { key: aesNoPad('aes-256-cbc', hashR6(password, v.O.subarray(40, 48), v.U.subarray(0, 48)), v.OE, true), as: 'owner' };
  }
  if (eq(hashR6(password, v.U.subarray(32, 40)), v.U.subarray(0, 32))) {
    return { key: aesNoPad('aes-256-cbc', hashR6(password, v.U.subarray(40, 48)), v.UE, true), as: 'user' };
  }
  return null;
}

/**
 * Encrypt one string's or stream's bytes for the AESV3 crypt filter: a random 16-byte IV, then
 * AES-256-CBC with the file key itself (no per-object key in revision 6) and PKCS#5 padding.
 *
 * @returns IV ‖ ciphertext: 16 + 16·(⌊n/16⌋ + 1) bytes for n bytes in
 */
export function aesV3Encrypt(fileKey: Uint8Array, data: Uint8Array): Buffer {
  const iv = nextIv();
  const c = createCipheriv('aes-256-cbc', fileKey, iv);
  return Buffer.concat([iv, c.update(data), c.final()]);
}

/**
 * IVs are public (written before each ciphertext) and must only be unpredictable and not reused:
 * they are cut from 4 KiB of CSPRNG output at a time, each 16 bytes handed out once. A packet
 * has thousands of small streams, and one randomBytes call per IV cost more than their AES.
 */
let ivPool = Buffer.alloc(0);
let ivAt = 0;

function nextIv(): Buffer {
  if (ivAt + 16 > ivPool.length) {
    ivPool = randomBytes(4096);
    ivAt = 0;
  }
  ivAt += 16;
  return ivPool.subarray(ivAt - 16, ivAt);
}

/** Input bytes per cipher call: one huge call is 2-4x slower (its output is fresh, page-faulting memory). */
const AES_CHUNK = 64 * 1024;

/**
 * {@link aesV3Encrypt} as a list of pieces (IV first), for writers that copy them into the output
 * once: the large stream data is never concatenated twice.
 */
export function aesV3EncryptChunks(fileKey: Uint8Array, data: Uint8Array): Buffer[] {
  if (data.length < AES_CHUNK) return [aesV3Encrypt(fileKey, data)];
  const c = aesV3Cipher(fileKey);
  for (let at = 0; at < data.length; at += AES_CHUNK) c.update(data.subarray(at, at + AES_CHUNK));
  return c.final();
}

/** An AESV3 encryption fed piece by piece ({@link aesV3Cipher}). */
export interface AesV3Cipher {
  /** Encrypt the next piece of the plaintext. */
  update(piece: Uint8Array): void;
  /** Finish (PKCS#5 padding) and return IV ‖ ciphertext as pieces. */
  final(): Buffer[];
}

/**
 * The same encryption as {@link aesV3Encrypt}, for data that arrives in pieces (e.g. from a
 * compressor): one random IV, one CBC chain over all pieces.
 */
export function aesV3Cipher(fileKey: Uint8Array): AesV3Cipher {
  const iv = nextIv();
  const c = createCipheriv('aes-256-cbc', fileKey, iv);
  const out: Buffer[] = [iv];
  return {
    update: (piece) => {
      const b = c.update(piece);
      if (b.length) out.push(b);
    },
    final: () => {
      out.push(c.final());
      return out;
    },
  };
}
