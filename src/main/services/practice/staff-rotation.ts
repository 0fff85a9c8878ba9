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
 * 3. Re-seal in batches of 100: staff directory records, requests' sealed columns, the synchronised records
 *    (authorizations, identity checks, consents, drafts: practice_records) and document files chunk by chunk are
 *    re-sealed under the new key (same place, same content; a row changed meanwhile is skipped and caught by the next
 *    pass); then the retired key is marked re-sealed — only when nothing under it was skipped.
 *
 * What stays under an earlier key (documented in docs/architecture.md): audit event details (the shared chain's
 * hashes cover their sealed bytes) and messages already in the shared outbox (cleared once sent). The blind-index and
 * audit-chain keys stay those of the practice's first key (sealing.ts practiceKeys `root`), so indexes and the chain
 * keep working; the rotation protects sealed contents.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { ADVISORY_LOCKS, advisoryXactLock, type SqlEngine } from './engine';
import {
  activeHolders,
  deleteBoxesOfDisabled,
  documentChunkSealed,
  documentChunkSeqs,
  documentsSealedAfter,
  keysAwaitingReseal,
  putDocumentChunkSeal,
  putRecordSeal,
  putRequestSeals,
  recordSealsAfter,
  requestSealsAfter,
  setDocumentKey,
} from './rotation-repo';
import { open, practiceKeyId, seal, type PracticeKeys, type SealPlace } from './sealing';
import { boxDataKey } from './staff-keys';
import { chunkPlace, recordPlace } from './sync-records-repo';
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

/** How many rows {@link resealUnder} re-sealed, by kind (document files count chunks). */
export interface ResealCounts {
  staff: number;
  requests: number;
  records: number;
  chunks: number;
  /** Rows left under an earlier key because they changed meanwhile (the next pass takes them). */
  skipped: number;
}

/**
 * Re-seal everything sealed on the server under an earlier key — the staff directory's records, the requests' sealed
 * columns, the synchronised records and the document files' chunks — under `keys` (the current key, with the earlier
 * keys in `keys.earlier` to open the old values), in batches of {@link BATCH} (document files one chunk at a time:
 * memory stays at one chunk); then mark the retired keys re-sealed, unless a row was skipped.
 * @returns how many of each were re-sealed
 * @throws AppError PRACTICE_KEY_WRONG (a value under a key this workstation never held) | PRACTICE_DATA_TAMPERED; store
 *   errors (what was re-sealed stays re-sealed; the next pass continues)
 * @source 45 CFR 164.308(a)(3)(ii)(C) (termination procedures), 164.312(a)(2)(iv) (encryption)
 */
export async function resealUnder(engine: SqlEngine, keys: PracticeKeys, at: string): Promise<ResealCounts> {
  const n: ResealCounts = { staff: 0, requests: 0, records: 0, chunks: 0, skipped: 0 };
  for (const e of await listStaffEntries(engine, keys)) {
    if (e.sealKeyId !== keys.keyId && (await resealStaffEntry(engine, keys, e))) n.staff++;
  }
  let after = '';
  for (;;) {
    const page = await requestSealsAfter(engine, after, BATCH);
    if (page.length === 0) break;
    await engine.transaction(async (tx) => {
      for (const r of page) {
        const sealed = reseal(keys, { table: 'practice_requests', column: 'sealed', rowId: r.id }, r.sealed);
        const record = r.recordSealed ? reseal(keys, { table: 'practice_requests', column: 'record_sealed', rowId: r.id }, r.recordSealed) : null;
        if (sealed === r.sealed && record === r.recordSealed) continue;
        if (await putRequestSeals(tx, r.id, r.version, sealed, record)) n.requests++;
        else n.skipped++;
      }
    });
    after = page[page.length - 1]!.id;
  }
  let afterRecord = { kind: '', id: '' };
  for (;;) {
    const page = await recordSealsAfter(engine, keys.keyId, afterRecord, BATCH);
    if (page.length === 0) break;
    await engine.transaction(async (tx) => {
      for (const r of page) {
        const sealed = reseal(keys, recordPlace(r.kind, r.id), r.recordSealed);
        if (await putRecordSeal(tx, r, keys.keyId, sealed)) n.records++;
        else n.skipped++;
      }
    });
    afterRecord = page[page.length - 1]!;
  }
  let afterDocument = '';
  for (;;) {
    const page = await documentsSealedAfter(engine, keys.keyId, afterDocument, BATCH);
    if (page.length === 0) break;
    for (const d of page) {
      // Chunks never change once written, so each is re-sealed on its own; the file's key id moves last, in the same
      // transaction as its last chunk, so an interrupted pass finds the file again and skips what it already did.
      const seqs = await documentChunkSeqs(engine, d.id);
      for (const [i, seq] of seqs.entries()) {
        const last = i === seqs.length - 1;
        await engine.transaction(async (tx) => {
          const old = await documentChunkSealed(tx, d.id, seq);
          if (old && sealedBy(old) !== keys.keyId) {
            await putDocumentChunkSeal(tx, d.id, seq, reseal(keys, chunkPlace(d.id, seq), old));
            n.chunks++;
          }
          if (last) await setDocumentKey(tx, d.id, keys.keyId);
        });
      }
      if (seqs.length === 0) await setDocumentKey(engine, d.id, keys.keyId);
    }
    afterDocument = page[page.length - 1]!.id;
  }
  if (n.skipped === 0) for (const k of await keysAwaitingReseal(engine)) if (k !== keys.keyId) await markKeyResealed(engine, k, at);
  return n;
}
