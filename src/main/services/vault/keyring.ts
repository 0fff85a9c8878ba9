import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { writeJsonAtomic } from './atomic-file';
import { deriveMasterKey, KdfParams, newKdfParams, unwrapUnderPassphrase, wrapUnderPassphrase } from './kdf';

/**
 * Key wrapping for staff accounts (issue #11).
 *
 * The vault is encrypted with one random 32-byte **vault key** (for vaults made before staff accounts: the key the
 * shared practice passphrase derived, kept so the database and every subkey stay the same). Each staff member has
 * their own passphrase; argon2id (RFC 9106, the parameters of {@link newKdfParams}) turns it into a key-encryption
 * key that wraps the vault key with AES-256-GCM (NIST SP 800-38D; 96-bit random IV, 128-bit tag; the user's id is
 * the additional authenticated data, so an entry cannot be moved to another account).
 *
 * The wrapped keys live OUTSIDE the encrypted database, in `vault.kdf.json` (version 2, written atomically), so that
 * unlock can find an account's entry by name before the vault is open. The file holds sign-in names, ids, salts
 * and wrapped keys: no PHI and nothing that opens the vault without a passphrase. Adding or removing a user or
 * changing a passphrase rewrites only this file — the vault is never re-encrypted and its key never changes.
 */

/** One account's wrapped copy of the vault key. */
export const KeyringEntry = z.object({
  /** The user's id (users.id in the vault); also the GCM additional data. */
  userId: z.string().min(6).max(64),
  /** Sign-in name (users.name), matched case-insensitively. */
  name: z.string().min(1).max(120),
  kdf: KdfParams.omit({ keyCheck: true, version: true }),
  /** AES-256-GCM of the 32-byte vault key: iv (12 bytes), ciphertext (32 bytes), tag (16 bytes), all hex. */
  wrapped: z.object({
    algorithm: z.literal('aes-256-gcm'),
    iv: z.string().regex(/^[0-9a-f]{24}$/),
    ciphertext: z.string().regex(/^[0-9a-f]{64}$/),
    tag: z.string().regex(/^[0-9a-f]{32}$/),
  }),
});
export type KeyringEntry = z.infer<typeof KeyringEntry>;

/** `vault.kdf.json` version 2: the vault key's check value and one wrapped key per active staff account. */
export const Keyring = z.object({
  version: z.literal(2),
  /** HMAC-SHA256(vault key, "releasedesk:key-check-v1"), hex (see kdf.ts keyCheckValue). */
  keyCheck: z.string().regex(/^[0-9a-f]{64}$/),
  users: z.array(KeyringEntry),
});
export type Keyring = z.infer<typeof Keyring>;

/** What `vault.kdf.json` holds: the single-passphrase parameters (version 1) or the keyring (version 2). */
export type KeyFile = { kind: 'legacy'; params: KdfParams } | { kind: 'keyring'; keyring: Keyring };

export const KEY_FILE = 'vault.kdf.json';

const RESTORE = 'ReleaseDesk has not changed it. Restore vault.db and vault.kdf.json together from your backup.';

/**
 * Read and validate `vault.kdf.json` in `dataDir`.
 * @throws AppError VAULT_DAMAGED when it is missing or cannot be read
 */
export function readKeyFile(dataDir: string): KeyFile {
  const p = join(dataDir, KEY_FILE);
  if (!existsSync(p)) throw new AppError('VAULT_DAMAGED', `The vault is damaged: its key settings file (vault.kdf.json) is missing. ${RESTORE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    raw = null;
  }
  const ring = Keyring.safeParse(raw);
  if (ring.success) return { kind: 'keyring', keyring: ring.data };
  const legacy = KdfParams.safeParse(raw);
  if (legacy.success) return { kind: 'legacy', params: legacy.data };
  throw new AppError('VAULT_DAMAGED', `The vault is damaged: its key settings file (vault.kdf.json) cannot be read. ${RESTORE}`);
}

/**
 * Write the keyring to `vault.kdf.json` atomically: a temporary file (mode 0600) written and fsynced, then renamed
 * over the old one, so a crash leaves either the old or the new keyring, never half of one.
 */
export function writeKeyring(dataDir: string, keyring: Keyring): void {
  writeJsonAtomic(dataDir, KEY_FILE, Keyring.parse(keyring));
}

/** A fresh random 32-byte vault key. */
export function newVaultKey(): Buffer {
  return randomBytes(32);
}

const aad = (userId: string) => Buffer.from(`releasedesk:vault-key:v2:${userId}`, 'utf8');

/**
 * Wrap `vaultKey` under `passphrase` for one account: a new salt, argon2id, AES-256-GCM.
 * @param vaultKey 32 bytes (not modified)
 * @returns the keyring entry (no secret in it)
 */
export async function wrapVaultKey(vaultKey: Buffer, user: { id: string; name: string }, passphrase: string): Promise<KeyringEntry> {
  const w = await wrapUnderPassphrase(vaultKey, passphrase, aad(user.id));
  return { userId: user.id, name: user.name, kdf: w.kdf, wrapped: { algorithm: 'aes-256-gcm', iv: w.iv.toString('hex'), ciphertext: w.ciphertext.toString('hex'), tag: w.tag.toString('hex') } };
}

/**
 * Unwrap the vault key with an account's passphrase (one argon2id derivation).
 * @returns the 32-byte vault key, or null when the passphrase is wrong (the GCM tag does not verify)
 */
export async function unwrapVaultKey(entry: KeyringEntry, passphrase: string): Promise<Buffer | null> {
  const { iv, ciphertext, tag } = entry.wrapped;
  return unwrapUnderPassphrase({ kdf: entry.kdf, iv: Buffer.from(iv, 'hex'), ciphertext: Buffer.from(ciphertext, 'hex'), tag: Buffer.from(tag, 'hex') }, passphrase, aad(entry.userId));
}

/** Sign-in names compare trimmed and case-insensitively. */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLocaleLowerCase('en-US') === b.trim().toLocaleLowerCase('en-US');
}

/** The keyring with `entry` added, or replacing the entry of the same user id. */
export function withEntry(keyring: Keyring, entry: KeyringEntry): Keyring {
  return { ...keyring, users: [...keyring.users.filter((u) => u.userId !== entry.userId), entry] };
}

/** The keyring without the user's entry (a removed user can no longer unlock). */
export function withoutUser(keyring: Keyring, userId: string): Keyring {
  return { ...keyring, users: keyring.users.filter((u) => u.userId !== userId) };
}

/**
 * Spend about as long as a real unwrap when the sign-in name is unknown, so the answer time does not tell which
 * names exist (one argon2id derivation with throwaway parameters).
 */
export async function decoyDerivation(passphrase: string): Promise<void> {
  (await deriveMasterKey(passphrase, newKdfParams())).fill(0);
}
