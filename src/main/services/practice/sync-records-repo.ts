/**
 * The rest of a request in the practice store (issue #17; practice migration 0006): records of other kinds than a
 * request (draft releases, document descriptions, authorizations, identity verifications, Part 2 consents,
 * unencrypted-email acknowledgments), the stored files of documents as sealed chunks, the practice-wide change
 * sequence and reference numbers. Clear on the server: kind, ids, a state word, versions, change sequence numbers,
 * timestamps, sizes and workstation ids; everything else is sealed in the workstation (sealing.ts, AES-256-GCM with
 * the AAD binding table, column and row) and the MRN is blind-indexed. SQL only here.
 *
 * The change sequence (`practice_counters` row `change`) is taken inside the transaction that writes the change, so
 * its row lock orders the numbers by commit: a workstation pulling "changes after n" never misses one that was
 * still being written.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption, 164.312(e)(1) transmission security, 164.312(c)(1) integrity (no lost
 * update, no duplicate chunk, one request per reference).
 */
import { z } from 'zod';
import type { SqlEngine } from './engine';
import { blindIndex, open, openJson, seal, sealJson, type PracticeKeys, type SealPlace } from './sealing';

/** A record of another kind as it travels: the whole vault row (column → value), opened only in a workstation. */
export const SyncedRow = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
export type SyncedRow = z.infer<typeof SyncedRow>;

/** What a record says in clear on the server. */
export interface RecordMeta {
  kind: string;
  id: string;
  requestId: string | null;
  /** A state word (release status, 'current' / 'removed' …); never PHI. */
  state: string;
  /** The patient's MRN, stored only as a blind index (null: none). */
  mrn: string | null;
}

/** A record as the server has it, opened. */
export interface ServerRow {
  version: number;
  changeSeq: number;
  row: SyncedRow;
}

/** A change the server holds: which record, at which version and change sequence number. */
export interface ServerChange {
  kind: string;
  id: string;
  version: number;
  changeSeq: number;
}

/** Where a synchronised record is sealed (its AAD). */
export const recordPlace = (kind: string, id: string): SealPlace => ({ table: 'practice_records', column: 'record_sealed', rowId: `${kind}:${id}` });
/** Where a document file chunk is sealed (its AAD). */
export const chunkPlace = (documentId: string, seq: number): SealPlace => ({ table: 'practice_document_chunks', column: 'sealed', rowId: `${documentId}:${seq}` });

/**
 * Take the next number of a named counter (the practice-wide change sequence, a year's references) in `tx`. The row
 * lock is held until `tx` ends, so numbers follow the commit order. A counter that does not exist starts at 1.
 * @param tx an engine inside {@link SqlEngine.transaction}
 * @returns the number taken (≥ 1)
 */
export async function takeCounter(tx: SqlEngine, name: string): Promise<number> {
  await tx.run('INSERT INTO practice_counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
  const r = await tx.one<{ value: number }>('UPDATE practice_counters SET value = value + 1 WHERE name = $1 RETURNING value', [name]);
  return Number(r!.value);
}

/**
 * Write a record the server does not have yet, at version 1.
 * @returns false when the server has it already (nothing written)
 */
export async function insertServerRow(engine: SqlEngine, keys: PracticeKeys, meta: RecordMeta, row: SyncedRow, workstationId: string, at: string): Promise<boolean> {
  const sealed = sealJson(keys, recordPlace(meta.kind, meta.id), row);
  const mrn = meta.mrn ? blindIndex(keys, 'mrn', meta.mrn) : null;
  return engine.transaction(async (tx) => {
    const taken = await tx.one<{ n: number }>('SELECT count(*) AS n FROM practice_records WHERE kind = $1 AND id = $2', [meta.kind, meta.id]);
    if (Number(taken?.n ?? 0) > 0) return false;
    const seq = await takeCounter(tx, 'change');
    await tx.run(
      `INSERT INTO practice_records (kind, id, request_id, state, version, change_seq, key_id, record_sealed, mrn_index, origin_workstation, changed_by_workstation, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $9, $10, $10)`,
      [meta.kind, meta.id, meta.requestId, meta.state, seq, keys.keyId, sealed, mrn, workstationId, at],
    );
    return true;
  });
}

/**
 * Write a new version of a record, only if the server still has `expectedVersion` (optimistic concurrency).
 * @returns the new version, or null when the server's row is at another version or absent (nothing written)
 */
export async function updateServerRow(engine: SqlEngine, keys: PracticeKeys, meta: RecordMeta, row: SyncedRow, expectedVersion: number, workstationId: string, at: string): Promise<number | null> {
  const sealed = sealJson(keys, recordPlace(meta.kind, meta.id), row);
  const mrn = meta.mrn ? blindIndex(keys, 'mrn', meta.mrn) : null;
  return engine.transaction(async (tx) => {
    const cur = await tx.one<{ version: number }>('SELECT version FROM practice_records WHERE kind = $1 AND id = $2', [meta.kind, meta.id]);
    if (!cur || Number(cur.version) !== expectedVersion) return null;
    const seq = await takeCounter(tx, 'change');
    const { changes } = await tx.run(
      `UPDATE practice_records SET request_id = $1, state = $2, version = version + 1, change_seq = $3, key_id = $4, record_sealed = $5, mrn_index = $6,
         changed_by_workstation = $7, updated_at = $8 WHERE kind = $9 AND id = $10 AND version = $11`,
      [meta.requestId, meta.state, seq, keys.keyId, sealed, mrn, workstationId, at, meta.kind, meta.id, expectedVersion],
    );
    return changes > 0 ? expectedVersion + 1 : null;
  });
}

/**
 * One record opened, or undefined when the server does not have it.
 * @throws AppError PRACTICE_KEY_WRONG | PRACTICE_DATA_TAMPERED (sealing.ts)
 */
export async function getServerRow(engine: SqlEngine, keys: PracticeKeys, kind: string, id: string): Promise<ServerRow | undefined> {
  const r = await engine.one<{ version: number; change_seq: number; record_sealed: Buffer }>('SELECT version, change_seq, record_sealed FROM practice_records WHERE kind = $1 AND id = $2', [kind, id]);
  if (!r) return undefined;
  return { version: Number(r.version), changeSeq: Number(r.change_seq), row: openJson(keys, recordPlace(kind, id), Buffer.from(r.record_sealed), SyncedRow) };
}

/** The server's version of a record (no opening), or undefined. */
export async function serverRowVersion(engine: SqlEngine, kind: string, id: string): Promise<number | undefined> {
  const r = kind === 'request'
    ? await engine.one<{ version: number }>('SELECT version FROM practice_requests WHERE id = $1 AND record_sealed IS NOT NULL', [id])
    : await engine.one<{ version: number }>('SELECT version FROM practice_records WHERE kind = $1 AND id = $2', [kind, id]);
  return r ? Number(r.version) : undefined;
}

/**
 * The changes after `afterSeq` (requests and every other kind), oldest first, at most `limit`: ids, versions and
 * sequence numbers only (the cheap list a pull compares with its common versions).
 */
export async function serverChangesAfter(engine: SqlEngine, afterSeq: number, limit: number): Promise<ServerChange[]> {
  const rows = await engine.all<{ kind: string; id: string; version: number; change_seq: number }>(
    `SELECT kind, id, version, change_seq FROM (
       SELECT 'request' AS kind, id, version, change_seq FROM practice_requests WHERE change_seq > $1 AND record_sealed IS NOT NULL
       UNION ALL
       SELECT kind, id, version, change_seq FROM practice_records WHERE change_seq > $1
     ) changes ORDER BY change_seq LIMIT $2`,
    [afterSeq, limit],
  );
  return rows.map((r) => ({ kind: r.kind, id: r.id, version: Number(r.version), changeSeq: Number(r.change_seq) }));
}

/** The highest change sequence number taken so far (0 before the first change). */
export async function serverChangeMark(engine: SqlEngine): Promise<number> {
  const r = await engine.one<{ value: number }>("SELECT value FROM practice_counters WHERE name = 'change'");
  return Number(r?.value ?? 0);
}

// ------------------------------------------------------------------ document files

/** A document's stored file on the server: its chunk count, whether it is complete, which chunks are there. */
export interface ServerDocumentFile {
  sizeBytes: number;
  chunkCount: number;
  complete: boolean;
  present: number[];
}

/** The file of a document on the server, or undefined when its push never started. */
export async function serverDocumentFile(engine: SqlEngine, documentId: string): Promise<ServerDocumentFile | undefined> {
  const d = await engine.one<{ size_bytes: number; chunk_count: number; complete_at: string | null }>('SELECT size_bytes, chunk_count, complete_at FROM practice_documents WHERE id = $1', [documentId]);
  if (!d) return undefined;
  const seqs = await engine.all<{ seq: number }>('SELECT seq FROM practice_document_chunks WHERE document_id = $1 ORDER BY seq', [documentId]);
  return { sizeBytes: Number(d.size_bytes), chunkCount: Number(d.chunk_count), complete: d.complete_at !== null, present: seqs.map((s) => Number(s.seq)) };
}

/** Start a document's file on the server (idempotent: a second call changes nothing). */
export async function beginServerDocumentFile(engine: SqlEngine, keys: PracticeKeys, f: { id: string; sizeBytes: number; chunkCount: number }, workstationId: string, at: string): Promise<void> {
  await engine.run(
    'INSERT INTO practice_documents (id, key_id, size_bytes, chunk_count, origin_workstation, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
    [f.id, keys.keyId, f.sizeBytes, f.chunkCount, workstationId, at],
  );
}

/**
 * Store one chunk of a document's file, sealed for its place (document id and chunk index in the AAD). Idempotent:
 * a chunk already there is kept (never a second copy).
 * @returns whether it was written now
 */
export async function putServerDocumentChunk(engine: SqlEngine, keys: PracticeKeys, documentId: string, seq: number, data: Buffer): Promise<boolean> {
  const { changes } = await engine.run('INSERT INTO practice_document_chunks (document_id, seq, sealed) VALUES ($1, $2, $3) ON CONFLICT (document_id, seq) DO NOTHING', [
    documentId,
    seq,
    seal(keys, chunkPlace(documentId, seq), data),
  ]);
  return changes > 0;
}

/** Mark a document's file complete when every chunk is there. @returns whether it is complete now */
export async function completeServerDocumentFile(engine: SqlEngine, documentId: string, at: string): Promise<boolean> {
  await engine.run(
    `UPDATE practice_documents SET complete_at = $1 WHERE id = $2 AND complete_at IS NULL
       AND chunk_count = (SELECT count(*) FROM practice_document_chunks WHERE document_id = $2)`,
    [at, documentId],
  );
  const r = await engine.one<{ complete_at: string | null }>('SELECT complete_at FROM practice_documents WHERE id = $1', [documentId]);
  return !!r?.complete_at;
}

/**
 * One chunk of a document's file, opened.
 * @throws AppError PRACTICE_DATA_TAMPERED when it is missing, moved or changed; PRACTICE_KEY_WRONG
 */
export async function readServerDocumentChunk(engine: SqlEngine, keys: PracticeKeys, documentId: string, seq: number): Promise<Buffer> {
  const r = await engine.one<{ sealed: Buffer }>('SELECT sealed FROM practice_document_chunks WHERE document_id = $1 AND seq = $2', [documentId, seq]);
  return open(keys, chunkPlace(documentId, seq), r ? Buffer.from(r.sealed) : Buffer.alloc(0));
}

// ------------------------------------------------------------------ references

/**
 * Allocate the next practice-wide reference of `year` for a request and register it, in one transaction (the
 * counter row's lock makes two workstations' allocations one after the other): `Q-<year>-<5 digits>`. A reference
 * already registered (an offline one, or an older local one) is skipped.
 * @returns the reference
 */
export async function allocateServerReference(engine: SqlEngine, year: number, requestId: string, workstationId: string, at: string): Promise<string> {
  return engine.transaction(async (tx) => {
    const had = await tx.one<{ reference: string }>('SELECT reference FROM practice_references WHERE request_id = $1', [requestId]);
    if (had) return had.reference;
    for (;;) {
      const n = await takeCounter(tx, `reference:${year}`);
      const reference = `Q-${year}-${String(n).padStart(5, '0')}`;
      const { changes } = await tx.run(
        "INSERT INTO practice_references (reference, request_id, issued_by, workstation, issued_at) VALUES ($1, $2, 'server', $3, $4) ON CONFLICT (reference) DO NOTHING",
        [reference, requestId, workstationId, at],
      );
      if (changes > 0) return reference;
    }
  });
}

/**
 * Register a reference a workstation issued (offline, or before it joined). @returns false when another request
 * holds it already (nothing written)
 */
export async function registerReference(engine: SqlEngine, reference: string, requestId: string, issuedBy: 'server' | 'workstation', workstationId: string, at: string): Promise<boolean> {
  const { changes } = await engine.run(
    'INSERT INTO practice_references (reference, request_id, issued_by, workstation, issued_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
    [reference, requestId, issuedBy, workstationId, at],
  );
  if (changes > 0) return true;
  const r = await engine.one<{ request_id: string }>('SELECT request_id FROM practice_references WHERE reference = $1', [reference]);
  return r?.request_id === requestId;
}
