/**
 * The practice staff directory in the practice store (issue #17; practice migration 0005): practice-wide accounts,
 * the practice data key boxed to each holder's X25519 public key, where each account signed in, and the data keys'
 * rotation marks. Role and disabled flag are in clear (no PHI); the name and TOTP secret are sealed under the practice
 * data key (sealing.ts, AAD bound to the row). Functions of `(engine, …)`. SQL only here.
 *
 * Source: 45 CFR 164.312(a)(2)(i) unique user identification, 164.312(a)(2)(iv) encryption, 164.308(a)(3)(ii)(C)
 * termination procedures, 164.312(d) person authentication.
 */
import { z } from 'zod';
import { StaffRole, type StaffRoleT } from '../../../shared/contract';
import type { SqlEngine } from './engine';
import { openJson, sealJson, type PracticeKeys, type SealPlace } from './sealing';
import { PrivateKeyWrap, type KeyBox } from './staff-keys';

/** What is sealed in `practice_staff.record_sealed`. */
export const StaffRecord = z.object({
  name: z.string().min(1).max(120),
  /** RFC 6238 secret (base32) or null without MFA. */
  mfaSecret: z.string().nullable(),
  mfaEnrolledAt: z.string().nullable(),
  createdAt: z.string(),
});
export type StaffRecord = z.infer<typeof StaffRecord>;

/** One practice-wide account as the directory has it, opened. */
export interface StaffEntry {
  userId: string;
  role: StaffRoleT;
  disabled: boolean;
  version: number;
  sealKeyId: string;
  record: StaffRecord;
  publicKey: Buffer;
  privateKeyWrap: PrivateKeyWrap;
}

interface Row {
  user_id: string;
  role: string;
  disabled: number;
  version: number;
  seal_key_id: string;
  record_sealed: Buffer;
  public_key: Buffer;
  private_key_wrap: string;
}

const place = (userId: string): SealPlace => ({ table: 'practice_staff', column: 'record_sealed', rowId: userId });

function toEntry(keys: PracticeKeys, r: Row): StaffEntry {
  return {
    userId: r.user_id,
    role: StaffRole.parse(r.role),
    disabled: Number(r.disabled) === 1,
    version: Number(r.version),
    sealKeyId: r.seal_key_id,
    record: openJson(keys, place(r.user_id), Buffer.from(r.record_sealed), StaffRecord),
    publicKey: Buffer.from(r.public_key),
    privateKeyWrap: PrivateKeyWrap.parse(JSON.parse(r.private_key_wrap)),
  };
}

const COLS = 'user_id, role, disabled, version, seal_key_id, record_sealed, public_key, private_key_wrap';

/**
 * Every practice-wide account, opened (disabled ones included).
 * @throws AppError PRACTICE_KEY_WRONG | PRACTICE_DATA_TAMPERED (sealing.ts); store errors
 */
export async function listStaffEntries(engine: SqlEngine, keys: PracticeKeys): Promise<StaffEntry[]> {
  const rows = await engine.all<Row>(`SELECT ${COLS} FROM practice_staff ORDER BY user_id`);
  return rows.map((r) => toEntry(keys, r));
}

/** One account, opened, or undefined. @throws as {@link listStaffEntries} */
export async function getStaffEntry(engine: SqlEngine, keys: PracticeKeys, userId: string): Promise<StaffEntry | undefined> {
  const r = await engine.one<Row>(`SELECT ${COLS} FROM practice_staff WHERE user_id = $1`, [userId]);
  return r ? toEntry(keys, r) : undefined;
}

/** One account's clear columns (no key needed): whether it is disabled, its public key and wrapped private key. */
export async function getStaffStatus(engine: SqlEngine, userId: string): Promise<{ disabled: boolean; publicKey: Buffer; privateKeyWrap: PrivateKeyWrap } | undefined> {
  const r = await engine.one<{ disabled: number; public_key: Buffer; private_key_wrap: string }>('SELECT disabled, public_key, private_key_wrap FROM practice_staff WHERE user_id = $1', [userId]);
  return r ? { disabled: Number(r.disabled) === 1, publicKey: Buffer.from(r.public_key), privateKeyWrap: PrivateKeyWrap.parse(JSON.parse(r.private_key_wrap)) } : undefined;
}

/** A change to one account's directory entry; `keys` only when the key pair changed (new account, new passphrase). */
export interface StaffChange {
  userId: string;
  role: StaffRoleT;
  disabled: boolean;
  record: StaffRecord;
  keys?: { publicKey: Buffer; privateKeyWrap: PrivateKeyWrap } | undefined;
}

/**
 * Write one account's entry (version + 1), sealing its record under the current key. A change without key material
 * for an account the directory does not have yet is skipped (it becomes practice-wide when its key pair is made).
 * @returns the new version, or null when skipped
 */
export async function putStaffEntry(engine: SqlEngine, keys: PracticeKeys, c: StaffChange, workstationId: string, at: string): Promise<number | null> {
  const sealed = sealJson(keys, place(c.userId), c.record);
  const disabled = c.disabled ? 1 : 0;
  if (c.keys) {
    const r = await engine.one<{ version: number }>(
      `INSERT INTO practice_staff (${COLS}, updated_at, updated_by_workstation) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, disabled = excluded.disabled, version = practice_staff.version + 1,
         seal_key_id = excluded.seal_key_id, record_sealed = excluded.record_sealed, public_key = excluded.public_key,
         private_key_wrap = excluded.private_key_wrap, updated_at = excluded.updated_at, updated_by_workstation = excluded.updated_by_workstation
       RETURNING version`,
      [c.userId, c.role, disabled, keys.keyId, sealed, c.keys.publicKey, JSON.stringify(c.keys.privateKeyWrap), at, workstationId],
    );
    return r ? Number(r.version) : null;
  }
  const r = await engine.one<{ version: number }>(
    `UPDATE practice_staff SET role = $2, disabled = $3, version = version + 1, seal_key_id = $4, record_sealed = $5, updated_at = $6, updated_by_workstation = $7
     WHERE user_id = $1 RETURNING version`,
    [c.userId, c.role, disabled, keys.keyId, sealed, at, workstationId],
  );
  return r ? Number(r.version) : null;
}

/** Re-seal one account's record under `keys` (rotation), keeping its version. @returns true when re-sealed */
export async function resealStaffEntry(engine: SqlEngine, keys: PracticeKeys, e: StaffEntry): Promise<boolean> {
  const sealed = sealJson(keys, place(e.userId), e.record);
  return (await engine.run('UPDATE practice_staff SET seal_key_id = $2, record_sealed = $3 WHERE user_id = $1 AND version = $4', [e.userId, keys.keyId, sealed, e.version])).changes === 1;
}

interface BoxRow {
  key_id: string;
  holder_kind: 'user' | 'workstation';
  holder_id: string;
  ephemeral_public: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const toBox = (r: BoxRow): KeyBox => ({
  keyId: r.key_id,
  holderKind: r.holder_kind,
  holderId: r.holder_id,
  ephemeralPublic: Buffer.from(r.ephemeral_public),
  iv: Buffer.from(r.iv),
  ciphertext: Buffer.from(r.ciphertext),
  tag: Buffer.from(r.tag),
});

/** Store (or replace) a box of the data key for one holder. */
export async function putKeyBox(engine: SqlEngine, b: KeyBox, at: string): Promise<void> {
  await engine.run(
    `INSERT INTO practice_key_boxes (key_id, holder_kind, holder_id, ephemeral_public, iv, ciphertext, tag, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (key_id, holder_kind, holder_id) DO UPDATE SET ephemeral_public = excluded.ephemeral_public, iv = excluded.iv,
       ciphertext = excluded.ciphertext, tag = excluded.tag, created_at = excluded.created_at`,
    [b.keyId, b.holderKind, b.holderId, b.ephemeralPublic, b.iv, b.ciphertext, b.tag, at],
  );
}

/** A holder's box of one key, or undefined. */
export async function getKeyBox(engine: SqlEngine, keyId: string, holder: { kind: 'user' | 'workstation'; id: string }): Promise<KeyBox | undefined> {
  const r = await engine.one<BoxRow>('SELECT * FROM practice_key_boxes WHERE key_id = $1 AND holder_kind = $2 AND holder_id = $3', [keyId, holder.kind, holder.id]);
  return r ? toBox(r) : undefined;
}

/** Delete every box of one holder (a removed account). @returns how many were deleted */
export async function deleteKeyBoxesOf(engine: SqlEngine, holder: { kind: 'user' | 'workstation'; id: string }): Promise<number> {
  return (await engine.run('DELETE FROM practice_key_boxes WHERE holder_kind = $1 AND holder_id = $2', [holder.kind, holder.id])).changes;
}

/** The current practice data key's id: the newest key not retired. */
export async function currentKeyId(engine: SqlEngine): Promise<string | undefined> {
  const r = await engine.one<{ key_id: string }>('SELECT key_id FROM practice_data_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id LIMIT 1');
  return r?.key_id;
}

/** Record a new data key (rotation) and retire the keys before it, in the caller's transaction. */
export async function insertRotatedKey(engine: SqlEngine, keyId: string, at: string, by: string): Promise<void> {
  await engine.run('UPDATE practice_data_keys SET retired_at = $1 WHERE retired_at IS NULL', [at]);
  await engine.run('INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, $3)', [keyId, at, by]);
}

/** Mark that nothing is sealed under a retired key any more. */
export async function markKeyResealed(engine: SqlEngine, keyId: string, at: string): Promise<void> {
  await engine.run('UPDATE practice_data_keys SET resealed_at = $2 WHERE key_id = $1', [keyId, at]);
}

/** Set a workstation's X25519 public key. */
export async function setWorkstationPublicKey(engine: SqlEngine, workstationId: string, publicKey: Buffer): Promise<void> {
  await engine.run('UPDATE practice_workstations SET public_key = $2 WHERE id = $1', [workstationId, publicKey]);
}

/** Every workstation with a public key. */
export async function workstationPublicKeys(engine: SqlEngine): Promise<Array<{ id: string; publicKey: Buffer }>> {
  const rows = await engine.all<{ id: string; public_key: Buffer }>('SELECT id, public_key FROM practice_workstations WHERE public_key IS NOT NULL ORDER BY id');
  return rows.map((r) => ({ id: r.id, publicKey: Buffer.from(r.public_key) }));
}

/** Record that an account signed in on a workstation (first time or again). */
export async function recordStaffSignin(engine: SqlEngine, userId: string, workstationId: string, at: string): Promise<void> {
  await engine.run(
    `INSERT INTO practice_staff_signins (user_id, workstation_id, first_at, last_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT (user_id, workstation_id) DO UPDATE SET last_at = excluded.last_at`,
    [userId, workstationId, at],
  );
}

/** Where each account has signed in, with the workstation's label (no PHI). */
export async function listStaffSignins(engine: SqlEngine): Promise<Array<{ userId: string; workstationId: string; label: string; firstAt: string; lastAt: string }>> {
  const rows = await engine.all<{ user_id: string; workstation_id: string; label: string | null; first_at: string; last_at: string }>(
    `SELECT s.user_id, s.workstation_id, w.label, s.first_at, s.last_at FROM practice_staff_signins s
     LEFT JOIN practice_workstations w ON w.id = s.workstation_id ORDER BY s.user_id, s.first_at`,
  );
  return rows.map((r) => ({ userId: r.user_id, workstationId: r.workstation_id, label: r.label ?? 'Another workstation', firstAt: r.first_at, lastAt: r.last_at }));
}

/** Every row id sealed under a key other than `keyId`, per sealed table this module knows (rotation's re-seal list). */
export async function staffSealedUnder(engine: SqlEngine, keyId: string): Promise<string[]> {
  const rows = await engine.all<{ user_id: string }>('SELECT user_id FROM practice_staff WHERE seal_key_id <> $1 ORDER BY user_id', [keyId]);
  return rows.map((r) => r.user_id);
}
