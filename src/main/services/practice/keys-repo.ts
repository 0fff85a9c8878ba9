import { AppError } from '../../../shared/errors';
import { ADVISORY_LOCKS, advisoryXactLock, type SqlEngine } from './engine';
import { KdfParams } from '../vault/kdf';
import { newPracticeDataKey, practiceKeyId, practiceKeys, unwrapDataKey, WrappedDataKey, wrapDataKey, type PracticeKeys } from './sealing';

/**
 * The practice data key's records in the practice store (issue #17): `practice_data_keys` (the key's public id, when
 * and by whom it was made — never the key) and `practice_key_wraps` (the key wrapped per staff user, sealing.ts
 * wrapDataKey). 45 CFR 164.312(a)(2)(iv) (encryption), 164.312(a)(2)(i) and (d) (each user opens the key with their
 * own passphrase).
 */

interface WrapRow {
  key_id: string;
  user_id: string;
  kdf_json: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function toWrap(r: WrapRow): WrappedDataKey {
  return WrappedDataKey.parse({
    keyId: r.key_id,
    userId: r.user_id,
    kdf: KdfParams.omit({ keyCheck: true, version: true }).parse(JSON.parse(r.kdf_json)),
    iv: Buffer.from(r.iv),
    ciphertext: Buffer.from(r.ciphertext),
    tag: Buffer.from(r.tag),
  });
}

/**
 * Make the practice data key (once per practice) and wrap it for the first staff user, in one transaction. On
 * PostgreSQL under `pg_advisory_xact_lock` (engine.ts ADVISORY_LOCKS.practiceKey), so two workstations setting up at
 * once make one key, not two.
 * @param user the administrator setting up (`id`: users.id; `passphrase`: theirs)
 * @param at ISO 8601 timestamp
 * @returns the working keys (the data key itself is zeroed)
 * @throws AppError PRACTICE_DB_CONFLICT when the practice already has a key (nothing changed); store errors
 */
export async function setUpPracticeKey(engine: SqlEngine, user: { id: string; passphrase: string }, at: string): Promise<PracticeKeys> {
  const dataKey = newPracticeDataKey();
  try {
    await storeNewPracticeKey(engine, dataKey, user, at);
    return practiceKeys(dataKey);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * As {@link setUpPracticeKey}, for a data key the caller made (sealing.ts newPracticeDataKey) and keeps (a workstation
 * joining the practice keeps it in its own encrypted vault, practice-link-service.ts). The key is not modified.
 * @throws AppError PRACTICE_DB_CONFLICT when the practice already has a key (nothing changed); store errors
 */
export async function storeNewPracticeKey(engine: SqlEngine, dataKey: Buffer, user: { id: string; passphrase: string }, at: string): Promise<void> {
  const wrap = await wrapDataKey(dataKey, user.id, user.passphrase);
  await engine.transaction(async (tx) => {
    await advisoryXactLock(tx, ADVISORY_LOCKS.practiceKey);
    const n = await tx.one<{ c: number }>('SELECT count(*) AS c FROM practice_data_keys');
    if (Number(n?.c ?? 0) > 0) throw new AppError('PRACTICE_DB_CONFLICT', 'This practice database already has a practice key. Sign in with an account that holds it instead. Nothing was changed.');
    await tx.run('INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, $3)', [wrap.keyId, at, user.id]);
    await insertWrap(tx, wrap, at);
  });
}

async function insertWrap(engine: SqlEngine, wrap: WrappedDataKey, at: string): Promise<void> {
  await engine.run(
    `INSERT INTO practice_key_wraps (key_id, user_id, kdf_json, iv, ciphertext, tag, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (key_id, user_id) DO UPDATE SET kdf_json = excluded.kdf_json, iv = excluded.iv, ciphertext = excluded.ciphertext, tag = excluded.tag, created_at = excluded.created_at`,
    [wrap.keyId, wrap.userId, JSON.stringify(wrap.kdf), wrap.iv, wrap.ciphertext, wrap.tag, at],
  );
}

/**
 * Store (or replace, after a passphrase change) one user's wrap of the data key.
 * @param wrap from sealing.ts wrapDataKey (no secret in it)
 * @param at ISO 8601 timestamp
 * @throws AppError PRACTICE_DB_CONFLICT when the wrap names a key the store does not have; store errors
 */
export async function saveKeyWrap(engine: SqlEngine, wrap: WrappedDataKey, at: string): Promise<void> {
  await insertWrap(engine, WrappedDataKey.parse(wrap), at);
}

/**
 * Give another staff user the practice key: an existing holder unwraps it with their passphrase, it is wrapped under
 * the new user's passphrase and stored; the unwrapped key is zeroed at once.
 * @param holder a user who holds a wrap (id and passphrase)
 * @param user the user to give it to (id and the passphrase they will sign in with)
 * @throws AppError PRACTICE_KEY_NOT_WRAPPED | WRONG_PASSPHRASE | PRACTICE_KEY_WRONG (the holder's side); store errors
 */
export async function grantPracticeKey(engine: SqlEngine, holder: { id: string; passphrase: string }, user: { id: string; passphrase: string }, at: string): Promise<void> {
  const wrap = await getKeyWrap(engine, holder.id);
  if (!wrap) throw new AppError('PRACTICE_KEY_NOT_WRAPPED', 'This account has not been given the practice key yet. An administrator who holds it can add it in Settings → Staff.');
  const dataKey = await unwrapDataKey(wrap, holder.passphrase);
  try {
    await saveKeyWrap(engine, await wrapDataKey(dataKey, user.id, user.passphrase), at);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * One user's wrap of the practice's (newest) data key, or undefined when the user holds none.
 * @throws store errors
 */
export async function getKeyWrap(engine: SqlEngine, userId: string): Promise<WrappedDataKey | undefined> {
  const r = await engine.one<WrapRow>(
    `SELECT w.key_id, w.user_id, w.kdf_json, w.iv, w.ciphertext, w.tag FROM practice_key_wraps w
     JOIN practice_data_keys k ON k.key_id = w.key_id WHERE w.user_id = $1 ORDER BY k.created_at DESC, k.key_id LIMIT 1`,
    [userId],
  );
  return r ? toWrap(r) : undefined;
}

/**
 * Remove a user's wrap (the account was removed or deactivated: it can no longer open the practice key). The data
 * key is unchanged; what the user may already have copied is covered by rotating the key (not yet built).
 * @returns true when a wrap was removed
 */
export async function removeKeyWrap(engine: SqlEngine, userId: string): Promise<boolean> {
  return (await engine.run('DELETE FROM practice_key_wraps WHERE user_id = $1', [userId])).changes > 0;
}

/**
 * Open the practice key for a signed-in staff user: read their wrap, unwrap it with their passphrase (argon2id,
 * about 150 ms) and derive the working keys.
 * @returns the working keys (zero them with sealing.ts destroyPracticeKeys at sign-out)
 * @throws AppError PRACTICE_KEY_NOT_WRAPPED when the user holds no wrap; WRONG_PASSPHRASE; PRACTICE_KEY_WRONG;
 *   store errors
 */
export async function openPracticeKeys(engine: SqlEngine, user: { id: string; passphrase: string }): Promise<PracticeKeys> {
  const wrap = await getKeyWrap(engine, user.id);
  if (!wrap) throw new AppError('PRACTICE_KEY_NOT_WRAPPED', 'This account has not been given the practice key yet. An administrator who holds it can add it in Settings → Staff.');
  const dataKey = await unwrapDataKey(wrap, user.passphrase);
  try {
    if (practiceKeyId(dataKey) !== wrap.keyId) throw new AppError('PRACTICE_KEY_WRONG', 'The stored practice key for this account does not match the practice key it names.');
    return practiceKeys(dataKey);
  } finally {
    dataKey.fill(0);
  }
}
