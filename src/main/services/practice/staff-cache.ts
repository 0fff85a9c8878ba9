/**
 * The practice staff sign-in file beside the vault (`practice-staff.json`, issue #17): what a joined workstation needs
 * to let a practice-wide account sign in for the first time here while the vault is still locked. Written at every
 * sync (and at join) by the unlocked workstation; read at sign-in.
 *
 * It holds, per active practice-wide account: the id, the sign-in name (as vault.kdf.json holds names), the X25519
 * public key, the private key wrapped under the person's passphrase (argon2id → AES-256-GCM) and the practice data key
 * boxed to that public key; and the **workstation escrow**: this vault's key sealed under the practice data key
 * (AES-256-GCM, AAD bound to this workstation's id). Nothing in it opens anything without a practice-wide account's
 * passphrase: passphrase → private key → practice data key → this vault's key. The escrow never leaves this
 * workstation. Written atomically (temporary file, fsync, rename; mode 0600).
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption, 164.312(d) person authentication, 164.312(a)(2)(i) unique user ids.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../vault/atomic-file';
import { PrivateKeyWrap } from './staff-keys';

export const STAFF_CACHE_FILE = 'practice-staff.json';

const hex = (n?: number) => (n ? z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`)) : z.string().regex(/^[0-9a-f]*$/));

/** A box of the data key (staff-keys.ts KeyBox, hex): 32 bytes boxed, or 64 after a rotation (data key and root key). */
export const CachedBox = z.object({ keyId: hex(16), ephemeralPublic: hex(64), iv: hex(24), ciphertext: z.string().regex(/^(?:[0-9a-f]{64}|[0-9a-f]{128})$/), tag: hex(32) });
export type CachedBox = z.infer<typeof CachedBox>;

export const StaffCache = z.object({
  version: z.literal(1),
  workstationId: z.string().min(1),
  /** This vault's key sealed under the practice data key (sealing.ts seal, hex). */
  escrow: z.object({ keyId: hex(16), sealed: hex() }),
  users: z.array(
    z.object({
      userId: z.string().min(1),
      name: z.string().min(1).max(120),
      publicKey: hex(64),
      privateKeyWrap: PrivateKeyWrap,
      box: CachedBox,
    }),
  ),
});
export type StaffCache = z.infer<typeof StaffCache>;

/** The sign-in file, or null when absent or unreadable (then no practice-wide first sign-in is possible here). */
export function readStaffCache(dataDir: string): StaffCache | null {
  const p = join(dataDir, STAFF_CACHE_FILE);
  if (!existsSync(p)) return null;
  try {
    const r = StaffCache.safeParse(JSON.parse(readFileSync(p, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Write the sign-in file atomically (see the module comment). */
export function writeStaffCache(dataDir: string, cache: StaffCache): void {
  writeJsonAtomic(dataDir, STAFF_CACHE_FILE, StaffCache.parse(cache));
}

/** Remove the sign-in file (the workstation left the practice). */
export function removeStaffCache(dataDir: string): void {
  rmSync(join(dataDir, STAFF_CACHE_FILE), { force: true });
}
