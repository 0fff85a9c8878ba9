/**
 * Per-person key pairs for the practice staff directory (issue #17; practice migration 0005).
 *
 * Why key pairs: removing a staff member must rotate the practice data key and give the new key to everyone else,
 * without their passphrases. So each practice-wide account has an X25519 key pair (RFC 7748): the private key is
 * wrapped under the person's passphrase exactly as the vault key is (argon2id → AES-256-GCM, vault/kdf.ts
 * wrapUnderPassphrase; AAD binds it to the account id), and the public key is stored in clear. The data key is
 * "boxed" to a public key: an ephemeral X25519 key pair, the shared secret through HKDF-SHA-256 (RFC 5869; salt = the
 * two public keys) to an AES-256-GCM key (NIST SP 800-38D), AAD = key id and holder. Anyone (an administrator's
 * workstation) can box a new data key for every remaining person and workstation from public keys alone; only the
 * holder's private key opens the box. Workstations have key pairs too (their private key in their vault).
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption and decryption, 164.308(a)(3)(ii)(C) termination procedures (a removed
 * person's copy of the old key opens nothing written after the rotation), 164.312(d) (only the person's passphrase
 * opens their private key).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { unwrapUnderPassphrase, wrapUnderPassphrase } from '../vault/kdf';
import { practiceKeyId, practiceKeys, type PracticeKeys } from './sealing';

/** The working keys of an opened box's payload (see {@link openKeyBox}). The payload is not modified. */
export function keysOfBoxPayload(payload: Buffer): PracticeKeys {
  return practiceKeys(payload.subarray(0, 32), payload.length === 64 ? payload.subarray(32, 64) : undefined);
}

/** An X25519 key pair as raw 32-byte keys. The caller zeroes `privateKey` when done. */
export interface StaffKeyPair {
  publicKey: Buffer;
  privateKey: Buffer;
}

/** A private key wrapped under a passphrase (stored as JSON on the server and in the vault outbox; hex fields). */
export const PrivateKeyWrap = z.object({
  algorithm: z.literal('argon2id'),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  memoryCost: z.number().int().min(8192),
  timeCost: z.number().int().min(1),
  parallelism: z.number().int().min(1),
  iv: z.string().regex(/^[0-9a-f]{24}$/),
  ciphertext: z.string().regex(/^[0-9a-f]{64}$/),
  tag: z.string().regex(/^[0-9a-f]{32}$/),
});
export type PrivateKeyWrap = z.infer<typeof PrivateKeyWrap>;

/** The data key boxed to one holder's public key (what practice_key_boxes stores; no secret in it). */
export interface KeyBox {
  keyId: string;
  holderKind: 'user' | 'workstation';
  holderId: string;
  ephemeralPublic: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function publicKeyObject(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new AppError('VALIDATION_FAILED', 'An X25519 public key is 32 bytes.');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function privateKeyObject(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new AppError('VALIDATION_FAILED', 'An X25519 private key is 32 bytes.');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** A fresh X25519 key pair (RFC 7748), raw 32-byte keys. */
export function newStaffKeyPair(): StaffKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { publicKey: Buffer.from(pub), privateKey: Buffer.from(priv) };
}

/** The public key of a raw private key (32 bytes). */
export function publicKeyOf(privateKey: Buffer): Buffer {
  const pub = createPublicKey(privateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  return Buffer.from(pub.subarray(SPKI_PREFIX.length));
}

const privateAad = (userId: string) => Buffer.from(`releasedesk:practice-staff-private-key:v1:${userId}`, 'utf8');

/**
 * Wrap a private key under the person's passphrase (fresh salt, argon2id about 150 ms, AES-256-GCM; AAD = account id).
 * @param privateKey 32 bytes (not modified)
 */
export async function wrapPrivateKey(privateKey: Buffer, userId: string, passphrase: string): Promise<PrivateKeyWrap> {
  const w = await wrapUnderPassphrase(privateKey, passphrase, privateAad(userId));
  return { ...w.kdf, iv: w.iv.toString('hex'), ciphertext: w.ciphertext.toString('hex'), tag: w.tag.toString('hex') };
}

/**
 * Open a wrapped private key with the passphrase (one argon2id derivation).
 * @returns the 32-byte private key, or null when the passphrase is wrong (or the wrap was changed or moved)
 */
export async function unwrapPrivateKey(wrap: PrivateKeyWrap, userId: string, passphrase: string): Promise<Buffer | null> {
  const { iv, ciphertext, tag, ...kdf } = wrap;
  return unwrapUnderPassphrase({ kdf, iv: Buffer.from(iv, 'hex'), ciphertext: Buffer.from(ciphertext, 'hex'), tag: Buffer.from(tag, 'hex') }, passphrase, privateAad(userId));
}

function boxKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, recipientPublic]), Buffer.from('releasedesk:practice-key-box:v1', 'utf8'), 32));
}

const boxAad = (keyId: string, kind: string, id: string) => Buffer.from(`releasedesk:practice-key-box:v1:${keyId}:${kind}:${id}`, 'utf8');

/**
 * Box a practice data key to a holder's public key (see the module comment). After a rotation the box also carries
 * the practice's first ("root") data key, whose derived blind-index and audit-chain keys stay in use (sealing.ts
 * practiceKeys): the boxed payload is `data key (32) | root key (32)`.
 * @param dataKey 32 bytes (not modified)
 * @param root the practice's first data key when `dataKey` is a rotated one (not modified)
 * @param recipientPublic the holder's raw X25519 public key (32 bytes)
 * @throws AppError VALIDATION_FAILED when a key has the wrong length
 */
export function boxDataKey(dataKey: Buffer, recipientPublic: Buffer, holder: { kind: 'user' | 'workstation'; id: string }, root?: Buffer | null): KeyBox {
  const keyId = practiceKeyId(dataKey);
  const payload = root && !root.equals(dataKey) ? Buffer.concat([dataKey, root]) : dataKey;
  const eph = newStaffKeyPair();
  const shared = diffieHellman({ privateKey: privateKeyObject(eph.privateKey), publicKey: publicKeyObject(recipientPublic) });
  const key = boxKey(shared, eph.publicKey, recipientPublic);
  try {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(boxAad(keyId, holder.kind, holder.id));
    const ciphertext = Buffer.concat([c.update(payload), c.final()]);
    if (payload !== dataKey) payload.fill(0);
    return { keyId, holderKind: holder.kind, holderId: holder.id, ephemeralPublic: eph.publicKey, iv, ciphertext, tag: c.getAuthTag() };
  } finally {
    key.fill(0);
    shared.fill(0);
    eph.privateKey.fill(0);
  }
}

/**
 * Open a box with the holder's private key.
 * @returns the payload: the 32-byte data key, followed by the 32-byte root key after a rotation (the caller zeroes it;
 *   {@link keysOfBoxPayload} derives the working keys)
 * @throws AppError PRACTICE_KEY_WRONG when the box does not open with this private key, was changed or moved, or what
 *   opens is not the key the box names
 */
export function openKeyBox(box: KeyBox, privateKey: Buffer): Buffer {
  const recipientPublic = publicKeyOf(privateKey);
  let shared: Buffer | null = null;
  let key: Buffer | null = null;
  try {
    shared = diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: publicKeyObject(box.ephemeralPublic) });
    key = boxKey(shared, box.ephemeralPublic, recipientPublic);
    const d = createDecipheriv('aes-256-gcm', key, box.iv);
    d.setAAD(boxAad(box.keyId, box.holderKind, box.holderId));
    d.setAuthTag(box.tag);
    const payload = Buffer.concat([d.update(box.ciphertext), d.final()]);
    if ((payload.length !== 32 && payload.length !== 64) || practiceKeyId(payload.subarray(0, 32)) !== box.keyId) {
      payload.fill(0);
      throw new Error('key id');
    }
    return payload;
  } catch {
    throw new AppError('PRACTICE_KEY_WRONG', 'The practice key kept for this account or workstation does not open with its key. Ask an administrator to check Settings → Staff.');
  } finally {
    shared?.fill(0);
    key?.fill(0);
  }
}
