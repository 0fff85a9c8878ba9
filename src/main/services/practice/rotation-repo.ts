/**
 * The practice store's SQL for rotating the practice data key (staff-rotation.ts; practice migration 0005): who holds
 * a box of a key, which holders lack one, and the sealed request columns re-sealed in batches. Functions of
 * `(engine, …)`. SQL only here.
 *
 * Source: 45 CFR 164.308(a)(3)(ii)(C) termination procedures, 164.312(a)(2)(iv) encryption.
 */
import type { SqlEngine } from './engine';

/** How many disabled accounts still hold a box of `keyId` (more than 0: the key must be rotated). */
export async function disabledHoldersOf(engine: SqlEngine, keyId: string): Promise<number> {
  const r = await engine.one<{ c: number }>(
    `SELECT count(*) AS c FROM practice_key_boxes b JOIN practice_staff s ON s.user_id = b.holder_id
     WHERE b.holder_kind = 'user' AND b.key_id = $1 AND s.disabled = 1`,
    [keyId],
  );
  return Number(r?.c ?? 0);
}

/** Active accounts and workstations with a public key but no box of `keyId`. */
export async function holdersWithoutBox(engine: SqlEngine, keyId: string): Promise<Array<{ kind: 'user' | 'workstation'; id: string; publicKey: Buffer }>> {
  const users = await engine.all<{ id: string; public_key: Buffer }>(
    `SELECT s.user_id AS id, s.public_key FROM practice_staff s WHERE s.disabled = 0 AND NOT EXISTS
       (SELECT 1 FROM practice_key_boxes b WHERE b.key_id = $1 AND b.holder_kind = 'user' AND b.holder_id = s.user_id) ORDER BY s.user_id`,
    [keyId],
  );
  const ws = await engine.all<{ id: string; public_key: Buffer }>(
    `SELECT w.id, w.public_key FROM practice_workstations w WHERE w.public_key IS NOT NULL AND NOT EXISTS
       (SELECT 1 FROM practice_key_boxes b WHERE b.key_id = $1 AND b.holder_kind = 'workstation' AND b.holder_id = w.id) ORDER BY w.id`,
    [keyId],
  );
  return [
    ...users.map((u) => ({ kind: 'user' as const, id: u.id, publicKey: Buffer.from(u.public_key) })),
    ...ws.map((w) => ({ kind: 'workstation' as const, id: w.id, publicKey: Buffer.from(w.public_key) })),
  ];
}

/** Every holder that should receive a new key: active accounts and workstations with a public key. */
export async function activeHolders(engine: SqlEngine): Promise<Array<{ kind: 'user' | 'workstation'; id: string; publicKey: Buffer }>> {
  const users = await engine.all<{ id: string; public_key: Buffer }>('SELECT user_id AS id, public_key FROM practice_staff WHERE disabled = 0 ORDER BY user_id');
  const ws = await engine.all<{ id: string; public_key: Buffer }>('SELECT id, public_key FROM practice_workstations WHERE public_key IS NOT NULL ORDER BY id');
  return [
    ...users.map((u) => ({ kind: 'user' as const, id: u.id, publicKey: Buffer.from(u.public_key) })),
    ...ws.map((w) => ({ kind: 'workstation' as const, id: w.id, publicKey: Buffer.from(w.public_key) })),
  ];
}

/** Delete every box held by a disabled account (any key). @returns how many */
export async function deleteBoxesOfDisabled(engine: SqlEngine): Promise<number> {
  return (
    await engine.run(`DELETE FROM practice_key_boxes WHERE holder_kind = 'user' AND holder_id IN (SELECT user_id FROM practice_staff WHERE disabled = 1)`)
  ).changes;
}

/** Retired keys whose re-seal has not been marked done. */
export async function keysAwaitingReseal(engine: SqlEngine): Promise<string[]> {
  const rows = await engine.all<{ key_id: string }>('SELECT key_id FROM practice_data_keys WHERE retired_at IS NOT NULL AND resealed_at IS NULL ORDER BY key_id');
  return rows.map((r) => r.key_id);
}

/** One page of requests' sealed columns, by id after `afterId` (ascending). */
export async function requestSealsAfter(engine: SqlEngine, afterId: string, limit: number): Promise<Array<{ id: string; version: number; sealed: Buffer; recordSealed: Buffer | null }>> {
  const rows = await engine.all<{ id: string; version: number; sealed: Buffer; record_sealed: Buffer | null }>(
    'SELECT id, version, sealed, record_sealed FROM practice_requests WHERE id > $1 ORDER BY id LIMIT $2',
    [afterId, limit],
  );
  return rows.map((r) => ({ id: r.id, version: Number(r.version), sealed: Buffer.from(r.sealed), recordSealed: r.record_sealed ? Buffer.from(r.record_sealed) : null }));
}

/** Write a request's re-sealed columns if it still has `version`. @returns true when written */
export async function putRequestSeals(engine: SqlEngine, id: string, version: number, sealed: Buffer, recordSealed: Buffer | null): Promise<boolean> {
  return (await engine.run('UPDATE practice_requests SET sealed = $3, record_sealed = $4 WHERE id = $1 AND version = $2', [id, version, sealed, recordSealed])).changes === 1;
}

/**
 * One page of practice_records rows sealed under a key other than `keyId`, after (`after.kind`, `after.id`) in
 * (kind, id) order (keyset paging: a row skipped because it changed meanwhile is not met again in the same pass).
 */
export async function recordSealsAfter(
  engine: SqlEngine,
  keyId: string,
  after: { kind: string; id: string },
  limit: number,
): Promise<Array<{ kind: string; id: string; version: number; recordSealed: Buffer }>> {
  const rows = await engine.all<{ kind: string; id: string; version: number; record_sealed: Buffer }>(
    'SELECT kind, id, version, record_sealed FROM practice_records WHERE key_id <> $1 AND (kind > $2 OR (kind = $2 AND id > $3)) ORDER BY kind, id LIMIT $4',
    [keyId, after.kind, after.id, limit],
  );
  return rows.map((r) => ({ kind: r.kind, id: r.id, version: Number(r.version), recordSealed: Buffer.from(r.record_sealed) }));
}

/**
 * Write a record's re-sealed value and its key id if it still has `version` (its version and change number stay: the
 * content is unchanged, so no workstation needs to pull it again). @returns true when written
 */
export async function putRecordSeal(engine: SqlEngine, r: { kind: string; id: string; version: number }, keyId: string, sealed: Buffer): Promise<boolean> {
  return (
    await engine.run('UPDATE practice_records SET record_sealed = $4, key_id = $5 WHERE kind = $1 AND id = $2 AND version = $3', [r.kind, r.id, r.version, sealed, keyId])
  ).changes === 1;
}

/** One page of document files whose chunks were sealed under a key other than `keyId`, by id after `afterId`. */
export async function documentsSealedAfter(engine: SqlEngine, keyId: string, afterId: string, limit: number): Promise<Array<{ id: string }>> {
  return engine.all<{ id: string }>('SELECT id FROM practice_documents WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3', [keyId, afterId, limit]);
}

/** A document file's chunk numbers, ascending (the chunks themselves are read one at a time). */
export async function documentChunkSeqs(engine: SqlEngine, documentId: string): Promise<number[]> {
  return (await engine.all<{ seq: number }>('SELECT seq FROM practice_document_chunks WHERE document_id = $1 ORDER BY seq', [documentId])).map((r) => Number(r.seq));
}

/** One sealed chunk of a document file (undefined when absent). */
export async function documentChunkSealed(engine: SqlEngine, documentId: string, seq: number): Promise<Buffer | undefined> {
  const r = await engine.one<{ sealed: Buffer }>('SELECT sealed FROM practice_document_chunks WHERE document_id = $1 AND seq = $2', [documentId, seq]);
  return r ? Buffer.from(r.sealed) : undefined;
}

/** Replace one chunk's sealed bytes (same chunk, same content, another key). */
export async function putDocumentChunkSeal(engine: SqlEngine, documentId: string, seq: number, sealed: Buffer): Promise<void> {
  await engine.run('UPDATE practice_document_chunks SET sealed = $3 WHERE document_id = $1 AND seq = $2', [documentId, seq, sealed]);
}

/** Record that every chunk of a document file is now sealed under `keyId`. */
export async function setDocumentKey(engine: SqlEngine, documentId: string, keyId: string): Promise<void> {
  await engine.run('UPDATE practice_documents SET key_id = $2 WHERE id = $1', [documentId, keyId]);
}
