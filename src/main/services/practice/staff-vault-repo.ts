/**
 * What this workstation keeps in its own encrypted vault about practice-wide staff accounts (issue #17; vault
 * migration 018): which local accounts are in the practice staff directory (and the version applied), the directory
 * changes made here that wait to be pushed, this workstation's X25519 private key, and earlier practice data keys
 * (kept to open values sealed before a rotation). Functions of `(db, …)`, run inside the caller's transaction. SQL only
 * here.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) (keys only inside the SQLCipher vault), 164.312(b) (changes kept, never deleted).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** A local account that is practice-wide. */
export interface PracticeStaffLocal {
  userId: string;
  version: number;
  publicKey: Buffer | null;
  firstSigninAt: string | null;
}

/** Every practice-wide local account. */
export function practiceStaffLocal(db: Database): PracticeStaffLocal[] {
  const rows = db.prepare('SELECT user_id, version, public_key, first_signin_at FROM practice_staff_local ORDER BY user_id').all() as Array<{
    user_id: string;
    version: number;
    public_key: Buffer | null;
    first_signin_at: string | null;
  }>;
  return rows.map((r) => ({ userId: r.user_id, version: Number(r.version), publicKey: r.public_key ? Buffer.from(r.public_key) : null, firstSigninAt: r.first_signin_at }));
}

/** One practice-wide local account, or undefined. */
export function practiceStaffLocalOf(db: Database, userId: string): PracticeStaffLocal | undefined {
  return practiceStaffLocal(db).find((r) => r.userId === userId);
}

/** Mark a local account practice-wide, or update what this vault knows of it (undefined fields are kept). */
export function putPracticeStaffLocal(db: Database, userId: string, v: { version?: number; publicKey?: Buffer; firstSigninAt?: string }): void {
  db.prepare(
    `INSERT INTO practice_staff_local (user_id, version, public_key, first_signin_at) VALUES (?, coalesce(?, 0), ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET version = coalesce(?, version), public_key = coalesce(?, public_key), first_signin_at = coalesce(first_signin_at, ?)`,
  ).run(userId, v.version ?? null, v.publicKey ?? null, v.firstSigninAt ?? null, v.version ?? null, v.publicKey ?? null, v.firstSigninAt ?? null);
}

/** Queue one directory change (JSON of the account's whole entry after it). */
export function queueStaffChange(db: Database, userId: string, changeJson: string, at: string): void {
  db.prepare('INSERT INTO practice_staff_outbox (user_id, change_json, queued_at) VALUES (?, ?, ?)').run(userId, changeJson, at);
}

/** Directory changes not pushed yet, oldest first. */
export function waitingStaffChanges(db: Database): Array<{ seq: number; userId: string; changeJson: string }> {
  const rows = db.prepare('SELECT seq, user_id, change_json FROM practice_staff_outbox WHERE pushed_at IS NULL ORDER BY seq').all() as Array<{ seq: number; user_id: string; change_json: string }>;
  return rows.map((r) => ({ seq: Number(r.seq), userId: r.user_id, changeJson: r.change_json }));
}

/** Mark a queued change pushed. */
export function markStaffChangePushed(db: Database, seq: number, at: string): void {
  db.prepare('UPDATE practice_staff_outbox SET pushed_at = ? WHERE seq = ? AND pushed_at IS NULL').run(at, seq);
}

/** This workstation's X25519 private key, or null before it was made. */
export function workstationSecret(db: Database): Buffer | null {
  const r = db.prepare('SELECT workstation_secret FROM practice_link WHERE id = 1').get() as { workstation_secret: Buffer | null } | undefined;
  return r?.workstation_secret ? Buffer.from(r.workstation_secret) : null;
}

/** Keep this workstation's X25519 private key (32 bytes). */
export function setWorkstationSecret(db: Database, secret: Buffer): void {
  db.prepare('UPDATE practice_link SET workstation_secret = ? WHERE id = 1').run(secret);
}

/**
 * Replace the kept practice data key (after a rotation), keeping the one it replaces among the earlier keys. The first
 * key ever replaced here is the practice's root key (its blind-index and audit-chain keys stay in use) unless `root`
 * names it (a box from after a rotation carries it).
 */
export function replaceLinkKey(db: Database, next: { keyId: string; dataKey: Buffer }, at: string, root?: { keyId: string; dataKey: Buffer }): void {
  const cur = db.prepare('SELECT key_id, data_key FROM practice_link WHERE id = 1').get() as { key_id: string | null; data_key: Buffer | null } | undefined;
  if (root && root.keyId !== next.keyId) {
    db.prepare('INSERT INTO practice_link_keys (key_id, data_key, is_root, kept_at) VALUES (?, ?, 1, ?) ON CONFLICT (key_id) DO UPDATE SET is_root = 1').run(root.keyId, root.dataKey, at);
  }
  if (cur?.key_id && cur.data_key && cur.key_id !== next.keyId) {
    const hasRoot = db.prepare('SELECT 1 FROM practice_link_keys WHERE is_root = 1').get() !== undefined;
    db.prepare('INSERT INTO practice_link_keys (key_id, data_key, is_root, kept_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING').run(cur.key_id, cur.data_key, hasRoot ? 0 : 1, at);
  }
  db.prepare('UPDATE practice_link SET key_id = ?, data_key = ? WHERE id = 1').run(next.keyId, next.dataKey);
}

/** Earlier practice data keys this workstation holds (newest first). */
export function earlierLinkKeys(db: Database): Array<{ keyId: string; dataKey: Buffer; isRoot: boolean }> {
  const rows = db.prepare('SELECT key_id, data_key, is_root FROM practice_link_keys ORDER BY kept_at DESC, key_id').all() as Array<{ key_id: string; data_key: Buffer; is_root: number }>;
  return rows.map((r) => ({ keyId: r.key_id, dataKey: Buffer.from(r.data_key), isRoot: r.is_root === 1 }));
}

/** The practice's root data key when the kept key is a rotated one (else null: the kept key is the root). */
export function rootLinkKey(db: Database): Buffer | null {
  const r = db.prepare('SELECT data_key FROM practice_link_keys WHERE is_root = 1').get() as { data_key: Buffer } | undefined;
  return r ? Buffer.from(r.data_key) : null;
}
