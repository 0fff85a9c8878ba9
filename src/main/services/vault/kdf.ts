import argon2 from 'argon2';
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Parameters of the key derivation, stored in clear beside the vault
 * (`vault.kdf.json`): they are not secret, and without them the key cannot be
 * re-derived. argon2id per RFC 9106 §4 ("second recommended option":
 * 64 MiB, t=3, p=1 — about 150 ms on the reference machine).
 */
export const KdfParams = z.object({
  version: z.literal(1),
  algorithm: z.literal('argon2id'),
  /** 16 random bytes, hex. */
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  /** KiB. */
  memoryCost: z.number().int().min(8192),
  timeCost: z.number().int().min(1),
  parallelism: z.number().int().min(1),
  /**
   * Key check value: HMAC-SHA256(master key, "releasedesk:key-check-v1"), hex. Tells a wrong passphrase from a
   * damaged vault file without touching the file. It lets nobody test guesses faster than the vault file itself
   * does (a guess is checked either way by one argon2id derivation). Absent in vaults made before it existed;
   * added at their next unlock.
   */
  keyCheck: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type KdfParams = z.infer<typeof KdfParams>;

/** Fresh parameters with a new random salt. */
export function newKdfParams(): KdfParams {
  return { version: 1, algorithm: 'argon2id', salt: randomBytes(16).toString('hex'), memoryCost: 65536, timeCost: 3, parallelism: 1 };
}

/**
 * Derive the vault's 32-byte master key from the passphrase (argon2id, raw output).
 * @returns 32 bytes; the caller keeps it in memory only while the vault is unlocked.
 */
export async function deriveMasterKey(passphrase: string, params: KdfParams): Promise<Buffer> {
  return argon2.hash(passphrase, {
    type: argon2.argon2id,
    raw: true,
    hashLength: 32,
    salt: Buffer.from(params.salt, 'hex'),
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  });
}

/** The key check value of a master key (see {@link KdfParams} keyCheck): 64 hex characters. */
export function keyCheckValue(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update('releasedesk:key-check-v1').digest('hex');
}

/** True when `masterKey` matches the stored key check value (constant-time comparison). */
export function keyCheckMatches(masterKey: Buffer, keyCheck: string): boolean {
  return timingSafeEqual(Buffer.from(keyCheckValue(masterKey), 'hex'), Buffer.from(keyCheck, 'hex'));
}

/** Argon2id parameters as stored beside a wrapped key (the version and key check belong to the vault file only). */
export type WrapKdf = Omit<KdfParams, 'keyCheck' | 'version'>;

/** A 32-byte key wrapped under a passphrase: the argon2id parameters, then AES-256-GCM (96-bit IV, 128-bit tag). */
export interface PassphraseWrap {
  kdf: WrapKdf;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Wrap `secret` under `passphrase`: a fresh salt, argon2id (RFC 9106; {@link newKdfParams}, about 150 ms) to a
 * key-encryption key, AES-256-GCM (NIST SP 800-38D) with `aad` binding the wrap to what it is for (the account, the
 * key id). The key-encryption key is zeroed before returning. The one primitive behind the vault's keyring and the
 * practice data key's per-user wraps. @source 45 CFR 164.312(a)(2)(iv) encryption and decryption
 */
export async function wrapUnderPassphrase(secret: Buffer, passphrase: string, aad: Buffer): Promise<PassphraseWrap> {
  const { salt, memoryCost, timeCost, parallelism, algorithm } = newKdfParams();
  const kdf = { algorithm, salt, memoryCost, timeCost, parallelism };
  const kek = await deriveMasterKey(passphrase, { version: 1, ...kdf });
  try {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', kek, iv);
    c.setAAD(aad);
    const ciphertext = Buffer.concat([c.update(secret), c.final()]);
    return { kdf, iv, ciphertext, tag: c.getAuthTag() };
  } finally {
    kek.fill(0);
  }
}

/**
 * Open a {@link wrapUnderPassphrase} wrap (one argon2id derivation).
 * @returns the secret, or null when the passphrase is wrong or the wrap, its tag or its `aad` changed (GCM refuses)
 */
export async function unwrapUnderPassphrase(w: PassphraseWrap, passphrase: string, aad: Buffer): Promise<Buffer | null> {
  const kek = await deriveMasterKey(passphrase, { version: 1, ...w.kdf });
  try {
    const d = createDecipheriv('aes-256-gcm', kek, w.iv);
    d.setAAD(aad);
    d.setAuthTag(w.tag);
    return Buffer.concat([d.update(w.ciphertext), d.final()]);
  } catch {
    return null;
  } finally {
    kek.fill(0);
  }
}

