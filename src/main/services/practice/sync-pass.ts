/**
 * One synchronisation pass of the whole of a request (issue #17): the request itself (sync-requests.ts) and its draft
 * releases, documents, authorizations, identity verifications, Part 2 consents and unencrypted-email
 * acknowledgments, with the same rules as requests, generalised to any row (a record is the whole vault row):
 *
 * - changed here only → written to the server as a new version if the server still has the common version
 *   (optimistic concurrency); new → inserted at version 1;
 * - changed on the server only → the server's version replaces the local row;
 * - changed on both sides → NOTHING is merged: both versions are kept as a conflict and audited
 *   `practice_sync.conflict`; the record is left alone until staff decide ({@link resolveRecordConflict}).
 *
 * Cheap: a pass looks only at what changed since the last one — the vault's change outbox after the pushed cursor
 * (vault migration 019; triggers enter every insert and update) and the server's changes after the pulled cursor
 * (practice-wide change sequence, practice migration 0006) — never at every row. The first pass after joining (pulled
 * cursor 0) looks at every request once.
 *
 * Documents: the stored file is immutable once imported, so it has no versions and no conflicts: it is pushed once,
 * chunk by chunk (1 MiB each, read from the vault one at a time, each sealed on its own with the AAD naming document
 * and chunk index), keyed by (document, chunk): a push that stopped half-way resumes with the missing chunks and
 * never writes one twice. The file goes up before the document's description, so a workstation that sees the
 * description finds the whole file. A pulled file is staged chunk by chunk in the vault, its SHA-256 checked against
 * the description, and only then does the document enter the vault, in one transaction with its chunks. The
 * description (category, date of service, removal) is a record like the others.
 *
 * Releases travel while they are drafts (any workstation may prepare them). A release that leaves draft pushes its
 * settled state once (sent, failed, cancelled …) so the others stop offering it; states in flight (queued, sending,
 * waiting for or with the practice server) wait here until settled. The disclosure's record (transmissions) stays in
 * the vault of the workstation that sent it; the shared queue refuses a second copy of the same release.
 *
 * Source: 45 CFR 164.312(c)(1) integrity (no lost update, no silent merge, SHA-256 of every file checked),
 * 164.312(a)(2)(iv) and 164.312(e)(1) (sealed before it leaves the workstation), 164.312(b), 164.530(j).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';
import { canonical } from './sync-record';
import {
  beginServerDocumentFile,
  completeServerDocumentFile,
  getServerRow,
  insertServerRow,
  putServerDocumentChunk,
  readServerDocumentChunk,
  serverChangesAfter,
  serverDocumentFile,
  serverRowVersion,
  updateServerRow,
  type RecordMeta,
  type ServerChange,
  type ServerRow,
  type SyncedRow,
} from './sync-records-repo';
import { syncRequests, type RequestSyncCounts, type SyncContext } from './sync-requests';
import {
  adoptStagedChunks,
  documentFileSynced,
  documentRequestId,
  forgetLocalChange,
  insertRecordConflict,
  localChangesAfter,
  localDocumentChunk,
  localDocumentChunkSeqs,
  localRecordRow,
  markDocumentFileSynced,
  openRecordConflicts,
  putLocalRecordRow,
  recordBase,
  RECORD_KINDS,
  requestMrn,
  resolveRecordConflictRow,
  setRecordBase,
  setSyncCursors,
  stagedChunkSeqs,
  stagedChunksSha256,
  stagePulledChunk,
  syncCursors,
  type RecordKind,
} from './sync-vault-repo';
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** What a pass did (counts only; no PHI). `records`: other kinds than requests; `files`: document files moved. */
export interface PassCounts extends RequestSyncCounts {
  records: { pushed: number; pulled: number; conflicts: number };
  files: { pushed: number; pulled: number; chunks: number };
}

/** Release states that never travel (in flight: the workstation that holds them settles them first). */
const IN_FLIGHT = new Set(['queued', 'sending', 'waiting_for_server', 'with_practice_server']);
/** How many server changes one page of a pull reads. */
const PAGE = 1000;

/** SHA-256 (hex) of a whole row, keys sorted (the content a record's versions are compared by). */
export function rowHash(row: SyncedRow): string {
  return createHash('sha256').update(canonical(row), 'utf8').digest('hex');
}

function metaOf(db: Database, kind: RecordKind, id: string, row: SyncedRow): RecordMeta {
  const requestId = kind === 'document' ? documentRequestId(db, row) : typeof row.request_id === 'string' ? row.request_id : null;
  let state = 'recorded';
  if (kind === 'release') state = String(row.status);
  else if (kind === 'document') state = row.purged_at ? 'purged' : row.removed_at ? 'removed' : 'current';
  else if (kind === 'authorization') state = row.superseded_by ? 'superseded' : 'current';
  const mrn = typeof row.patient_mrn === 'string' ? row.patient_mrn : requestMrn(db, requestId);
  return { kind, id, requestId, state, mrn };
}

/**
 * One pass (see the module comment): requests, then each other kind in an order that brings a row's parents first
 * (releases, documents, authorizations …). Moves the cursors only past what was done; a record whose parent is not
 * here yet holds the pulled cursor so the next pass tries it again.
 * @throws AppError the link's errors (PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE), PRACTICE_DATA_TAMPERED (a file
 *   whose SHA-256 does not match its description; nothing of it enters the vault)
 */
export async function syncPass(c: SyncContext): Promise<PassCounts> {
  const v = c.session.require();
  const cur = syncCursors(v.db);
  const local = localChangesAfter(v.db, cur.pushed);
  const localMax = local.at(-1)?.seq ?? cur.pushed;
  const server: ServerChange[] = [];
  for (let after = cur.pulled; ; ) {
    const page = await serverChangesAfter(c.engine, after, PAGE);
    server.push(...page);
    if (page.length < PAGE) break;
    after = page.at(-1)!.changeSeq;
  }
  const serverMax = server.at(-1)?.changeSeq ?? cur.pulled;

  const requestIds = new Set([...local.filter((x) => x.kind === 'request').map((x) => x.rowId), ...server.filter((x) => x.kind === 'request').map((x) => x.id)]);
  const req = await syncRequests(c, cur.pulled === 0 ? undefined : requestIds);
  const counts: PassCounts = { ...req, records: { pushed: 0, pulled: 0, conflicts: 0 }, files: { pushed: 0, pulled: 0, chunks: 0 } };

  let hold = Number.POSITIVE_INFINITY;
  const blocked = new Set(openRecordConflicts(v.db).map((x) => `${x.kind}:${x.rowId}`));
  for (const kind of RECORD_KINDS) {
    const seqOf = new Map<string, number>();
    for (const s of server) if (s.kind === kind) seqOf.set(s.id, s.changeSeq);
    const ids = [...new Set([...local.filter((x) => x.kind === kind).map((x) => x.rowId), ...seqOf.keys()])];
    for (const id of ids) {
      if (blocked.has(`${kind}:${id}`)) continue;
      const r = await syncRecord(c, kind, id, counts);
      if (r === 'waiting') hold = Math.min(hold, seqOf.get(id) ?? hold);
    }
  }
  v.tx(() => setSyncCursors(v.db, { pushed: localMax, pulled: Number.isFinite(hold) ? Math.max(cur.pulled, hold - 1) : serverMax }));
  return counts;
}

type Outcome = 'none' | 'pushed' | 'pulled' | 'conflict' | 'waiting';

async function syncRecord(c: SyncContext, kind: RecordKind, id: string, counts: PassCounts): Promise<Outcome> {
  const v = c.session.require();
  const row = localRecordRow(v.db, kind, id);
  const base = recordBase(v.db, kind, id);
  const sv = await serverRowVersion(c.engine, kind, id);
  const at = () => c.now().toISOString();
  if (!row) {
    if (sv === undefined) return 'none';
    const server = await getServerRow(c.engine, c.keys, kind, id);
    return server ? applyServerRow(c, kind, id, server, undefined, counts) : 'none';
  }
  const hash = rowHash(row);
  const localChanged = !base || base.baseHash !== hash;
  const serverChanged = sv !== undefined && (!base || sv > base.serverVersion);
  if (!localChanged && !serverChanged) return 'none';
  if (localChanged && kind === 'release' && IN_FLIGHT.has(String(row.status))) return 'none';
  if (localChanged && kind === 'document' && !(await pushDocumentFile(c, id, row, counts))) return 'none';
  const meta = metaOf(v.db, kind, id, row);
  if (!base && sv === undefined) {
    if (await insertServerRow(c.engine, c.keys, meta, row, c.workstationId, at())) {
      v.tx(() => setRecordBase(v.db, kind, id, 1, hash, at()));
      counts.records.pushed++;
      return 'pushed';
    }
  }
  if (localChanged && !serverChanged && base) {
    const next = await updateServerRow(c.engine, c.keys, meta, row, base.serverVersion, c.workstationId, at());
    if (next !== null) {
      v.tx(() => setRecordBase(v.db, kind, id, next, hash, at()));
      counts.records.pushed++;
      return 'pushed';
    }
  }
  const server = await getServerRow(c.engine, c.keys, kind, id);
  if (!server) return 'none';
  if (rowHash(server.row) === hash) {
    v.tx(() => setRecordBase(v.db, kind, id, server.version, hash, at()));
    return 'none';
  }
  if (!localChanged) return applyServerRow(c, kind, id, server, row, counts);
  v.tx(() => {
    const conflict = newId();
    insertRecordConflict(v.db, { id: conflict, kind, rowId: id, detectedAt: at(), serverVersion: server.version, localJson: JSON.stringify(row), serverJson: JSON.stringify(server.row) });
    c.session.audit({ action: 'practice_sync.conflict', outcome: 'success', subjectType: kind, subjectId: id, detail: { conflict, serverVersion: server.version } });
  });
  counts.records.conflicts++;
  return 'conflict';
}

const isForeignKeyError = (e: unknown) => (e as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';

/** Take the server's version of a record into the vault (see the module comment for releases and documents). */
async function applyServerRow(c: SyncContext, kind: RecordKind, id: string, server: ServerRow, existing: SyncedRow | undefined, counts: PassCounts): Promise<Outcome> {
  const v = c.session.require();
  const row = server.row;
  if (kind === 'release' && (existing ? existing.status !== 'draft' : row.status !== 'draft')) return 'none';
  let newFile = false;
  if (kind === 'document' && !existing) {
    if (typeof row.release_id === 'string' && !localRecordRow(v.db, 'release', row.release_id)) return 'none'; // a release that did not travel
    if (!row.removed_at && !row.purged_at) {
      if (!(await pullDocumentFile(c, id, String(row.sha256), counts))) return 'waiting';
      newFile = true;
    }
  }
  try {
    v.tx(() => {
      putLocalRecordRow(v.db, kind, row);
      if (newFile) {
        adoptStagedChunks(v.db, id);
        markDocumentFileSynced(v.db, id, 'pulled', c.now().toISOString());
      }
      setRecordBase(v.db, kind, id, server.version, rowHash(localRecordRow(v.db, kind, id)!), c.now().toISOString());
      forgetLocalChange(v.db, kind, id);
    });
  } catch (e) {
    if (isForeignKeyError(e)) {
      c.session.logger.warn('practice_sync.record_waits', { code: 'PARENT_MISSING' });
      return 'waiting';
    }
    throw e;
  }
  counts.records.pulled++;
  return 'pulled';
}

/**
 * Push a document's file once, chunk by chunk, resuming after an interruption. @returns false when the file cannot
 * travel (its chunks are not all in this vault): its description waits too
 */
async function pushDocumentFile(c: SyncContext, id: string, row: SyncedRow, counts: PassCounts): Promise<boolean> {
  const v = c.session.require();
  if (documentFileSynced(v.db, id)) return true;
  if (row.removed_at || row.purged_at) return true; // no file any more: the description travels alone
  const seqs = localDocumentChunkSeqs(v.db, id);
  if (seqs.length === 0 && Number(row.size_bytes) > 0) return false;
  const at = c.now().toISOString();
  let file = await serverDocumentFile(c.engine, id);
  if (!file) {
    await beginServerDocumentFile(c.engine, c.keys, { id, sizeBytes: Number(row.size_bytes), chunkCount: seqs.length }, c.workstationId, at);
    file = { sizeBytes: Number(row.size_bytes), chunkCount: seqs.length, complete: false, present: [] };
  }
  if (!file.complete) {
    const present = new Set(file.present);
    const hash = createHash('sha256');
    for (const seq of seqs) {
      const data = localDocumentChunk(v.db, id, seq);
      if (!data) return false;
      hash.update(data);
      if (present.has(seq)) continue;
      if (await putServerDocumentChunk(c.engine, c.keys, id, seq, data)) counts.files.chunks++;
    }
    if (hash.digest('hex') !== row.sha256) {
      c.session.logger.warn('practice_sync.document_damaged', { code: 'DOCUMENT_INTEGRITY' });
      return false;
    }
    if (!(await completeServerDocumentFile(c.engine, id, at))) return false;
    counts.files.pushed++;
  }
  v.tx(() => markDocumentFileSynced(v.db, id, 'pushed', at));
  return true;
}

/**
 * Pull a document's file into the staging table chunk by chunk (resuming), and check its SHA-256.
 * @returns false when the server does not have the whole file yet
 * @throws AppError PRACTICE_DATA_TAMPERED when the chunks do not add up to the file the description names
 */
async function pullDocumentFile(c: SyncContext, id: string, sha256: string, counts: PassCounts): Promise<boolean> {
  const v = c.session.require();
  const file = await serverDocumentFile(c.engine, id);
  if (!file?.complete) return false;
  const staged = new Set(stagedChunkSeqs(v.db, id));
  for (let seq = 0; seq < file.chunkCount; seq++) {
    if (staged.has(seq)) continue;
    const data = await readServerDocumentChunk(c.engine, c.keys, id, seq);
    v.tx(() => stagePulledChunk(v.db, id, seq, data));
    counts.files.chunks++;
  }
  if (stagedChunksSha256(v.db, id) !== sha256) {
    throw new AppError('PRACTICE_DATA_TAMPERED', 'A document file on the practice server does not match its description. It was not taken into this workstation.', { table: 'practice_document_chunks' });
  }
  counts.files.pulled++;
  return true;
}

/**
 * Decide a conflict of a record: `server` takes the server's current version; `workstation` writes this vault's
 * version as a new server version, only if the server is still at the conflict's version (else the conflict is
 * superseded by a new one and PRACTICE_SYNC_CONFLICT_STALE thrown). Recorded on the conflict and audited
 * `practice_server.resolve_conflict` in the same vault transaction.
 * @throws AppError NOT_FOUND | PRACTICE_SYNC_CONFLICT_STALE | the link's errors
 */
export async function resolveRecordConflict(c: SyncContext, conflictId: string, keep: 'server' | 'workstation'): Promise<void> {
  const v = c.session.require();
  const user = c.session.requireUser();
  const conflict = openRecordConflicts(v.db).find((x) => x.id === conflictId);
  if (!conflict) throw new AppError('NOT_FOUND', 'That conflict is not awaiting a decision any more.');
  const kind = conflict.kind as RecordKind;
  const at = () => c.now().toISOString();
  const audit = (outcome: 'success' | 'refused', detail: Record<string, string | number>) =>
    c.session.audit({ action: 'practice_server.resolve_conflict', outcome, subjectType: kind, subjectId: conflict.rowId, detail: { conflict: conflict.id, keep, ...detail } });
  if (keep === 'server') {
    const server = await getServerRow(c.engine, c.keys, kind, conflict.rowId);
    if (!server) throw new AppError('NOT_FOUND', 'The practice server no longer has that record.');
    v.tx(() => {
      resolveRecordConflictRow(v.db, conflict.id, 'server', user.id, at());
      putLocalRecordRow(v.db, kind, server.row);
      setRecordBase(v.db, kind, conflict.rowId, server.version, rowHash(localRecordRow(v.db, kind, conflict.rowId)!), at());
      forgetLocalChange(v.db, kind, conflict.rowId);
      audit('success', { serverVersion: server.version });
    });
    return;
  }
  const row = localRecordRow(v.db, kind, conflict.rowId);
  if (!row) throw new AppError('NOT_FOUND', 'That record is not on this workstation.');
  const next = await updateServerRow(c.engine, c.keys, metaOf(v.db, kind, conflict.rowId, row), row, conflict.serverVersion, c.workstationId, at());
  if (next === null) {
    const server = await getServerRow(c.engine, c.keys, kind, conflict.rowId);
    v.tx(() => {
      resolveRecordConflictRow(v.db, conflict.id, 'superseded', user.id, at());
      if (server) insertRecordConflict(v.db, { id: newId(), kind, rowId: conflict.rowId, detectedAt: at(), serverVersion: server.version, localJson: JSON.stringify(row), serverJson: JSON.stringify(server.row) });
      audit('refused', { code: 'PRACTICE_SYNC_CONFLICT_STALE' });
    });
    throw new AppError('PRACTICE_SYNC_CONFLICT_STALE', 'The practice server’s version of this record changed again. Nothing was changed; decide again.');
  }
  v.tx(() => {
    resolveRecordConflictRow(v.db, conflict.id, 'workstation', user.id, at());
    setRecordBase(v.db, kind, conflict.rowId, next, rowHash(row), at());
    audit('success', { serverVersion: next });
  });
}
