import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { KdfParams, unwrapUnderPassphrase, wrapUnderPassphrase } from '../vault/kdf';

/**
 * PHI is encrypted in the workstation before it is written to the practice store (issue #17, build item 2; 45 CFR
 * 164.312(a)(2)(iv) encryption at rest per NIST SP 800-111, and 164.312(e)(1): the server and its network only ever
 * see ciphertext).
 *
 * - **Practice data key**: 32 random bytes made once per practice. Never stored in clear: each staff user holds a copy
 *   wrapped under their own passphrase (argon2id → AES-256-GCM, exactly as the single vault's keyring wraps the vault
 *   key: vault/kdf.ts parameters, 96-bit IV, 128-bit tag; the AAD binds the wrap to the key id and the user id).
 * - **Derived keys** (HKDF-SHA-256, RFC 5869, one `info` label each, so no key serves two purposes): the sealing key,
 *   one blind-index key per field kind (MRN, email), the audit chain key and the checkpoint key, and an 8-byte public
 *   key id that lets a sealed value say which key sealed it (a wrong key is told apart from tampering).
 * - **Sealed value**: `01 | key id (8) | iv (12) | tag (16) | AES-256-GCM ciphertext` (NIST SP 800-38D). The AAD is the
 *   header plus `table/column/row id`, so a value moved to another row or column does not open.
 * - **Blind index**: HMAC-SHA-256 (hex) of the normalised MRN or email under its own derived key: equal values give
 *   equal indexes (lookups), the value itself is not recoverable without the key.
 */

/** The keys a workstation holds in memory while the practice store is open. Zero them with {@link destroyPracticeKeys}. */
export interface PracticeKeys {
  /** Public id of the data key: 16 hex characters (8 bytes derived from the key; safe to store and show). */
  readonly keyId: string;
  /** AES-256-GCM key for sealed values (32 bytes). */
  readonly sealKey: Buffer;
  /** HMAC-SHA-256 keys for blind indexes (32 bytes each). */
  readonly indexKeys: { readonly mrn: Buffer; readonly email: Buffer };
  /** HMAC-SHA-256 key of the audit chain (32 bytes). */
  readonly chainKey: Buffer;
  /** HMAC-SHA-256 key of audit checkpoints (32 bytes). */
  readonly checkpointKey: Buffer;
  /**
   * Earlier data keys' working keys, kept after a rotation (staff-rotation.ts) so values sealed before it still open
   * (a sealed value names its key id) until they are re-sealed. New values are always sealed with this key.
   */
  readonly earlier?: readonly PracticeKeys[];
}

/** Where a sealed value lives: bound into the AAD so it cannot be moved. */
export interface SealPlace {
  table: string;
  column: string;
  /** The row's id (a random id or a sequence number; never PHI). */
  rowId: string;
}

const VERSION = 0x01;
const HEADER = 1 + 8 + 12 + 16;
const SALT = Buffer.from('releasedesk:practice-store:v1', 'utf8');

function derive(dataKey: Buffer, label: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, SALT, Buffer.from(`releasedesk:practice:${label}`, 'utf8'), length));
}

function requireKey(dataKey: Buffer): void {
  if (!Buffer.isBuffer(dataKey) || dataKey.length !== 32) throw new AppError('VALIDATION_FAILED', 'A practice data key is 32 bytes.');
}

/** A fresh random 32-byte practice data key (made once, when a practice sets up its server). */
export function newPracticeDataKey(): Buffer {
  return randomBytes(32);
}

/**
 * The public id of a data key: 16 hex characters (the first 8 bytes of HKDF-SHA-256 with the `key-id` label).
 * @throws AppError VALIDATION_FAILED when the key is not 32 bytes
 */
export function practiceKeyId(dataKey: Buffer): string {
  requireKey(dataKey);
  return derive(dataKey, 'key-id', 8).toString('hex');
}

/**
 * Derive every working key from the data key (HKDF-SHA-256, RFC 5869). The data key itself is not kept.
 *
 * After a rotation (staff-rotation.ts) the practice has a new data key for sealing, while the blind-index, audit-chain
 * and checkpoint keys stay those of the practice's first ("root") data key: existing blind indexes keep matching and
 * the shared audit chain keeps verifying. Pass that first key as `root` for a rotated key.
 * @param dataKey 32 bytes (not modified)
 * @param root the practice's first data key (32 bytes, not modified) when `dataKey` is a rotated one
 * @throws AppError VALIDATION_FAILED when a key is not 32 bytes
 */
export function practiceKeys(dataKey: Buffer, root?: Buffer): PracticeKeys {
  requireKey(dataKey);
  const base = root ?? dataKey;
  requireKey(base);
  return {
    keyId: practiceKeyId(dataKey),
    sealKey: derive(dataKey, 'seal'),
    indexKeys: { mrn: derive(base, 'blind-index:mrn'), email: derive(base, 'blind-index:email') },
    chainKey: derive(base, 'audit-chain'),
    checkpointKey: derive(base, 'audit-checkpoint'),
  };
}

/** Overwrite the derived keys with zeros (when the workstation signs out or locks). */
export function destroyPracticeKeys(keys: PracticeKeys): void {
  for (const k of keys.earlier ?? []) destroyPracticeKeys(k);
  for (const b of [keys.sealKey, keys.indexKeys.mrn, keys.indexKeys.email, keys.chainKey, keys.checkpointKey]) b.fill(0);
}

function aadFor(header: Buffer, place: SealPlace): Buffer {
  return Buffer.concat([header.subarray(0, 9), Buffer.from(`|${place.table}|${place.column}|${place.rowId}`, 'utf8')]);
}

/**
 * Seal `plaintext` for one place (AES-256-GCM, fresh 96-bit IV).
 * @param plaintext bytes, or a string (encoded UTF-8)
 * @returns `01 | key id (8) | iv (12) | tag (16) | ciphertext` — 37 bytes longer than the plaintext
 */
export function seal(keys: PracticeKeys, place: SealPlace, plaintext: Buffer | string): Buffer {
  const header = Buffer.alloc(HEADER);
  header[0] = VERSION;
  Buffer.from(keys.keyId, 'hex').copy(header, 1);
  const iv = randomBytes(12);
  iv.copy(header, 9);
  const c = createCipheriv('aes-256-gcm', keys.sealKey, iv);
  c.setAAD(aadFor(header, place));
  const body = Buffer.concat([c.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), c.final()]);
  c.getAuthTag().copy(header, 21);
  return Buffer.concat([header, body]);
}

/**
 * Open a value sealed by {@link seal} for the same place.
 * @returns the plaintext bytes
 * A value sealed under one of `keys.earlier` (before a rotation) opens with that key.
 * @throws AppError PRACTICE_KEY_WRONG when it was sealed under another data key (its key id differs and is not earlier);
 *   PRACTICE_DATA_TAMPERED when it is not a sealed value, or its ciphertext, tag, header or place was changed
 *   (the GCM tag does not verify). Messages name the table and column, never the contents.
 */
export function open(keys: PracticeKeys, place: SealPlace, sealed: Buffer): Buffer {
  const where = `${place.table}.${place.column}`;
  if (!Buffer.isBuffer(sealed) || sealed.length < HEADER || sealed[0] !== VERSION) {
    throw new AppError('PRACTICE_DATA_TAMPERED', `A protected value in the practice database (${where}) is damaged or was changed outside ReleaseDesk. It was not used.`, { table: place.table, column: place.column });
  }
  const sealedBy = sealed.subarray(1, 9).toString('hex');
  if (sealedBy !== keys.keyId) {
    const older = keys.earlier?.find((k) => k.keyId === sealedBy);
    if (older) return open(older, place, sealed);
    throw new AppError('PRACTICE_KEY_WRONG', `A protected value in the practice database (${where}) was sealed with a different practice key than the one this workstation holds. It was not opened.`, { table: place.table, column: place.column });
  }
  try {
    const d = createDecipheriv('aes-256-gcm', keys.sealKey, sealed.subarray(9, 21));
    d.setAAD(aadFor(sealed, place));
    d.setAuthTag(sealed.subarray(21, HEADER));
    return Buffer.concat([d.update(sealed.subarray(HEADER)), d.final()]);
  } catch {
    throw new AppError('PRACTICE_DATA_TAMPERED', `A protected value in the practice database (${where}) is damaged or was changed outside ReleaseDesk. It was not used.`, { table: place.table, column: place.column });
  }
}

/** {@link seal} of `JSON.stringify(value)`. */
export function sealJson(keys: PracticeKeys, place: SealPlace, value: unknown): Buffer {
  return seal(keys, place, JSON.stringify(value));
}

/**
 * {@link open} then parse the JSON with `schema`.
 * @throws AppError as {@link open}; PRACTICE_DATA_TAMPERED when the opened JSON does not match the schema
 */
export function openJson<T>(keys: PracticeKeys, place: SealPlace, sealed: Buffer, schema: z.ZodType<T>): T {
  const text = open(keys, place, sealed).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new AppError('PRACTICE_DATA_TAMPERED', `A protected value in the practice database (${place.table}.${place.column}) does not have the expected shape. It was not used.`, { table: place.table, column: place.column });
  return r.data;
}

/** An MRN as indexed: Unicode NFKC, letters upper-cased, everything but letters and digits removed ("mrn 58213-qx" = "MRN58213QX"). */
export function normaliseMrn(mrn: string): string {
  return mrn.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** An email address as indexed: trimmed, Unicode NFC, lower-cased (local part included: practices type it both ways). */
export function normaliseEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

/**
 * The blind index of an MRN or email: HMAC-SHA-256 of the normalised value under the field kind's derived key, hex
 * (64 characters). Deterministic, so the store can look a value up by equality without holding it in clear.
 * @returns null for a value that normalises to nothing (no index is stored, nothing matches it)
 */
export function blindIndex(keys: PracticeKeys, kind: 'mrn' | 'email', value: string): string | null {
  const norm = kind === 'mrn' ? normaliseMrn(value) : normaliseEmail(value);
  if (!norm) return null;
  return createHmac('sha256', keys.indexKeys[kind]).update(`${kind}:${norm}`, 'utf8').digest('hex');
}

/** The data key wrapped for one staff user (what practice_key_wraps stores; no secret in it). */
export const WrappedDataKey = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  userId: z.string().min(1).max(64),
  kdf: KdfParams.omit({ keyCheck: true, version: true }),
  iv: z.instanceof(Buffer),
  ciphertext: z.instanceof(Buffer),
  tag: z.instanceof(Buffer),
});
export type WrappedDataKey = z.infer<typeof WrappedDataKey>;

const wrapAad = (keyId: string, userId: string) => Buffer.from(`releasedesk:practice-data-key:v1:${keyId}:${userId}`, 'utf8');

/**
 * Wrap the practice data key for one staff user under their passphrase: fresh salt, argon2id (vault/kdf.ts
 * parameters, about 150 ms), AES-256-GCM with the key id and user id as AAD (as vault/keyring.ts wrapVaultKey).
 * @param dataKey 32 bytes (not modified)
 * @throws AppError VALIDATION_FAILED when the key is not 32 bytes
 */
export async function wrapDataKey(dataKey: Buffer, userId: string, passphrase: string): Promise<WrappedDataKey> {
  const keyId = practiceKeyId(dataKey);
  return { keyId, userId, ...(await wrapUnderPassphrase(dataKey, passphrase, wrapAad(keyId, userId))) };
}

/**
 * Unwrap the practice data key with the user's passphrase (one argon2id derivation).
 * @returns the 32-byte data key (the caller zeroes it after {@link practiceKeys})
 * @throws AppError WRONG_PASSPHRASE when the passphrase does not open the wrap (or the wrap was changed or moved to
 *   another user: the GCM tag does not verify); PRACTICE_KEY_WRONG when what opens is not the key the wrap names
 */
export async function unwrapDataKey(wrap: WrappedDataKey, passphrase: string): Promise<Buffer> {
  const key = await unwrapUnderPassphrase(wrap, passphrase, wrapAad(wrap.keyId, wrap.userId));
  if (!key) throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not open the practice key for this account.');
  if (key.length !== 32 || !timingSafeEqual(Buffer.from(practiceKeyId(key), 'hex'), Buffer.from(wrap.keyId, 'hex'))) {
    key.fill(0);
    throw new AppError('PRACTICE_KEY_WRONG', 'The stored practice key for this account does not match the practice key it names.');
  }
  return key;
}
