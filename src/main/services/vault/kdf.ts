import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
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
