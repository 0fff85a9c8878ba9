/**
 * Rotating the practice data key when a staff account is removed (issue #17; 45 CFR 164.308(a)(3)(ii)(C) termination
 * procedures). A removed person may have kept a copy of the data key; after the rotation nothing new is sealed under
 * it, and existing sealed rows are re-sealed under the new key.
 *
 * 1. Whenever a synchronising workstation holds the current key and a disabled account still holds a box of it, it
 *    makes a new random data key and, in one transaction under the practice-key advisory lock (so two workstations do
 *    not rotate at once): records it (the old one retired), boxes it to every active account's and every joined
 *    workstation's X25519 public key (staff-keys.ts; no passphrase needed), and deletes every box the disabled
 *    accounts held. Audited `practice_staff.rotate_key` on that workstation.
 * 2. Every other workstation adopts the new key at its next sync from its own box, keeping the old one to read what
 *    is not re-sealed yet (sealed values name their key id, sealing.ts open).
 * 3. Re-seal in batches of 100: staff directory records and requests' sealed columns are re-sealed under the new key
 *    (same place, same content; a request changed meanwhile is skipped and caught by the next pass); then the retired
 *    key is marked re-sealed.
 *
 * What stays under an earlier key (documented in docs/architecture.md): audit event details (the shared chain's
 * hashes cover their sealed bytes) and messages already in the shared outbox (cleared once sent). The blind-index and
 * audit-chain keys stay those of the practice's first key (sealing.ts practiceKeys `root`), so indexes and the chain
 * keep working; the rotation protects sealed contents.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { ADVISORY_LOCKS, advisoryXactLock, type SqlEngine } from './engine';
import { activeHolders, deleteBoxesOfDisabled, keysAwaitingReseal, putRequestSeals, requestSealsAfter } from './rotation-repo';
import { open, practiceKeyId, seal, type PracticeKeys, type SealPlace } from './sealing';
import { boxDataKey } from './staff-keys';
import { currentKeyId, insertRotatedKey, listStaffEntries, markKeyResealed, putKeyBox, resealStaffEntry } from './staff-repo';

/** The result of a rotation: the new data key (32 bytes; the caller keeps it in the vault and zeroes this copy). */
export interface Rotation {
  keyId: string;
  dataKey: Buffer;
  /** Holders (accounts and workstations) the new key was boxed to. */
  holders: number;
  /** Boxes of disabled accounts deleted. */
  removedBoxes: number;
}

/**
 * Make and distribute a new data key (step 1 of the module comment).
 * @param current the key this workstation holds now (must be the store's current key) and the practice's root key
 *   (null when the current key is the root)
 * @param by the signed-in account's id (practice_data_keys.created_by)
 * @throws AppError PRACTICE_DB_CONFLICT when the store's current key is not `current` (another workstation rotated
 *   first: adopt its key at the next sync); store errors (nothing written)
 */
export async function rotatePracticeKey(engine: SqlEngine, current: { keyId: string; root: Buffer | null; dataKey: Buffer }, by: string, at: string): Promise<Rotation> {
  const dataKey = randomBytes(32);
  const keyId = practiceKeyId(dataKey);
  const root = current.root ?? current.dataKey;
  try {
    const counts = await engine.transaction(async (tx) => {
      await advisoryXactLock(tx, ADVISORY_LOCKS.practiceKey);
      if ((await currentKeyId(tx)) !== current.keyId) throw new AppError('PRACTICE_DB_CONFLICT', 'The practice key was replaced on another workstation. This workstation takes the new key at its next sync.');
      await insertRotatedKey(tx, keyId, at, by);
      const holders = await activeHolders(tx);
      for (const h of holders) await putKeyBox(tx, boxDataKey(dataKey, h.publicKey, { kind: h.kind, id: h.id }, root), at);
      const removedBoxes = await deleteBoxesOfDisabled(tx);
      return { holders: holders.length, removedBoxes };
    });
    return { keyId, dataKey, ...counts };
  } catch (e) {
    dataKey.fill(0);
    throw e;
  }
}

const BATCH = 100;
const sealedBy = (b: Buffer) => b.subarray(1, 9).toString('hex');

function reseal(keys: PracticeKeys, place: SealPlace, b: Buffer): Buffer {
  return sealedBy(b) === keys.keyId ? b : seal(keys, place, open(keys, place, b));
}

/**
 * Re-seal the staff directory's records and the requests' sealed columns under `keys` (the current key, with the
 * earlier keys in `keys.earlier` to open the old values), in batches of {@link BATCH}; then mark the retired keys
 * re-sealed (step 3 of the module comment).
 * @returns how many staff records and requests were re-sealed
 * @throws AppError PRACTICE_KEY_WRONG (a value under a key this workstation never held) | PRACTICE_DATA_TAMPERED; store
 *   errors (what was re-sealed stays re-sealed; the next pass continues)
 */
export async function resealUnder(engine: SqlEngine, keys: PracticeKeys, at: string): Promise<{ staff: number; requests: number }> {
  let staff = 0;
  for (const e of await listStaffEntries(engine, keys)) {
    if (e.sealKeyId !== keys.keyId && (await resealStaffEntry(engine, keys, e))) staff++;
  }
  let requests = 0;
  let after = '';
  for (;;) {
    const page = await requestSealsAfter(engine, after, BATCH);
    if (page.length === 0) break;
    await engine.transaction(async (tx) => {
      for (const r of page) {
        const sealed = reseal(keys, { table: 'practice_requests', column: 'sealed', rowId: r.id }, r.sealed);
        const record = r.recordSealed ? reseal(keys, { table: 'practice_requests', column: 'record_sealed', rowId: r.id }, r.recordSealed) : null;
        if (sealed === r.sealed && record === r.recordSealed) continue;
        if (await putRequestSeals(tx, r.id, r.version, sealed, record)) requests++;
      }
    });
    after = page[page.length - 1]!.id;
  }
  for (const k of await keysAwaitingReseal(engine)) if (k !== keys.keyId) await markKeyResealed(engine, k, at);
  return { staff, requests };
}
