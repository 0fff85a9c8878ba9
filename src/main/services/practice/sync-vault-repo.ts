/**
 * The vault side of synchronising the rest of a request (issue #17; vault migration 019): the local change outbox
 * and the two cursors, whole rows of the synchronised tables read and written by id, the common versions and
 * conflicts of records, and document files chunk by chunk. Functions of `(db, …)`, run inside the caller's
 * transaction. SQL only here.
 *
 * Source: 45 CFR 164.312(c)(1) integrity, 164.530(j) (conflicts and both versions kept).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import type { SyncedRow } from './sync-records-repo';

/** The synchronised record kinds other than a request, with their vault table, in the order a pull applies them. */
export const RECORD_TABLES = {
  release: 'releases',
  document: 'documents',
  authorization: 'authorizations',
  verification: 'identity_verifications',
  part2_consent: 'part2_consents',
  email_acknowledgment: 'unencrypted_email_acknowledgments',
} as const;
export type RecordKind = keyof typeof RECORD_TABLES;
export const RECORD_KINDS = Object.keys(RECORD_TABLES) as RecordKind[];

/** One entry of the change outbox. */
export interface LocalChange {
  seq: number;
  kind: string;
  rowId: string;
}

/** The outbox entries after `seq`, oldest first. */
export function localChangesAfter(db: Database, seq: number): LocalChange[] {
  return (db.prepare('SELECT seq, kind, row_id FROM practice_sync_changes WHERE seq > ? ORDER BY seq').all(seq) as Array<{ seq: number; kind: string; row_id: string }>).map((r) => ({
    seq: Number(r.seq),
    kind: r.kind,
    rowId: r.row_id,
  }));
}

/**
 * Drop a record's outbox entry (a version from the server was just written into the vault in this transaction and
 * the common version recorded: there is nothing to push). The entry is a pointer, not a record.
 */
export function forgetLocalChange(db: Database, kind: string, rowId: string): void {
  db.prepare('DELETE FROM practice_sync_changes WHERE kind = ? AND row_id = ?').run(kind, rowId);
}

/** The two cursors: the local change seq pushed, the server change sequence pulled. */
export function syncCursors(db: Database): { pushed: number; pulled: number } {
  const r = db.prepare('SELECT last_pushed_change AS pushed, last_pulled_change AS pulled FROM practice_link WHERE id = 1').get() as { pushed: number; pulled: number } | undefined;
  return { pushed: Number(r?.pushed ?? 0), pulled: Number(r?.pulled ?? 0) };
}

/** Move the cursors (never backwards). */
export function setSyncCursors(db: Database, c: { pushed: number; pulled: number }): void {
  db.prepare('UPDATE practice_link SET last_pushed_change = max(last_pushed_change, ?), last_pulled_change = max(last_pulled_change, ?) WHERE id = 1').run(c.pushed, c.pulled);
}

// ------------------------------------------------------------------ whole rows

const columnsCache = new WeakMap<Database, Map<string, Set<string>>>();

function columnsOf(db: Database, table: string): Set<string> {
  let m = columnsCache.get(db);
  if (!m) columnsCache.set(db, (m = new Map()));
  let cols = m.get(table);
  if (!cols) m.set(table, (cols = new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((r) => r.name))));
  return cols;
}

function tableOf(kind: RecordKind): string {
  const t = RECORD_TABLES[kind];
  if (!t) throw new Error('unknown record kind');
  return t;
}

/** One whole row of a synchronised table, or undefined. */
export function localRecordRow(db: Database, kind: RecordKind, id: string): SyncedRow | undefined {
  return db.prepare(`SELECT * FROM ${tableOf(kind)} WHERE id = ?`).get(id) as SyncedRow | undefined;
}

/**
 * Insert or overwrite a row of a synchronised table with a version from the server: only the columns this vault
 * has (a column the other workstation's newer build has is left out).
 * @throws SqliteError FOREIGN KEY when a row it refers to is not in this vault (yet)
 */
export function putLocalRecordRow(db: Database, kind: RecordKind, row: SyncedRow): void {
  const table = tableOf(kind);
  const have = columnsOf(db, table);
  const cols = Object.keys(row).filter((c) => have.has(c));
  const sets = cols.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
  db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')}) ON CONFLICT (id) DO UPDATE SET ${sets.join(', ')}`).run(
    Object.fromEntries(cols.map((c) => [c, row[c]])),
  );
}

/** The request a document belongs to (directly, or through its release), or null. */
export function documentRequestId(db: Database, row: SyncedRow): string | null {
  if (typeof row.request_id === 'string') return row.request_id;
  if (typeof row.release_id !== 'string') return null;
  const r = db.prepare('SELECT request_id FROM releases WHERE id = ?').get(row.release_id) as { request_id: string | null } | undefined;
  return r?.request_id ?? null;
}

/** The MRN of a request in this vault (for the blind index of its records), or null. */
export function requestMrn(db: Database, requestId: string | null): string | null {
  if (!requestId) return null;
  const r = db.prepare('SELECT patient_mrn FROM requests WHERE id = ?').get(requestId) as { patient_mrn: string } | undefined;
  return r?.patient_mrn ?? null;
}

// ------------------------------------------------------------------ common versions

/** The last version a record had in common with the server, or undefined. */
export function recordBase(db: Database, kind: string, id: string): { serverVersion: number; baseHash: string } | undefined {
  const r = db.prepare('SELECT server_version, base_hash FROM practice_sync_records WHERE kind = ? AND row_id = ?').get(kind, id) as { server_version: number; base_hash: string } | undefined;
  return r ? { serverVersion: Number(r.server_version), baseHash: r.base_hash } : undefined;
}

/** Record the common version of a record. */
export function setRecordBase(db: Database, kind: string, id: string, serverVersion: number, baseHash: string, at: string): void {
  db.prepare(
    `INSERT INTO practice_sync_records (kind, row_id, server_version, base_hash, synced_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (kind, row_id) DO UPDATE SET server_version = excluded.server_version, base_hash = excluded.base_hash, synced_at = excluded.synced_at`,
  ).run(kind, id, serverVersion, baseHash, at);
}

// ------------------------------------------------------------------ conflicts of records

/** A recorded conflict of a record: both versions as JSON rows. */
export interface RecordConflictRow {
  id: string;
  kind: string;
  rowId: string;
  detectedAt: string;
  serverVersion: number;
  localJson: string;
  serverJson: string;
}

/** Record a new conflict (the record must have none open). */
export function insertRecordConflict(db: Database, c: RecordConflictRow): void {
  db.prepare('INSERT INTO practice_sync_record_conflicts (id, kind, row_id, detected_at, server_version, local_json, server_json) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    c.id,
    c.kind,
    c.rowId,
    c.detectedAt,
    c.serverVersion,
    c.localJson,
    c.serverJson,
  );
}

/** Open record conflicts, oldest first. */
export function openRecordConflicts(db: Database): RecordConflictRow[] {
  return (
    db.prepare('SELECT id, kind, row_id, detected_at, server_version, local_json, server_json FROM practice_sync_record_conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id').all() as Array<{
      id: string;
      kind: string;
      row_id: string;
      detected_at: string;
      server_version: number;
      local_json: string;
      server_json: string;
    }>
  ).map((r) => ({ id: r.id, kind: r.kind, rowId: r.row_id, detectedAt: r.detected_at, serverVersion: Number(r.server_version), localJson: r.local_json, serverJson: r.server_json }));
}

/** Record the decision on an open record conflict. @returns false when it was no longer open */
export function resolveRecordConflictRow(db: Database, id: string, resolution: 'server' | 'workstation' | 'superseded', by: string, at: string): boolean {
  return db.prepare('UPDATE practice_sync_record_conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL').run(at, resolution, by, id).changes > 0;
}

// ------------------------------------------------------------------ document files

/** Whether a document's file is complete on the server (pushed from here or pulled into here). */
export function documentFileSynced(db: Database, documentId: string): boolean {
  return db.prepare('SELECT 1 FROM practice_sync_documents WHERE document_id = ?').get(documentId) !== undefined;
}

/** Remember that a document's file is complete on the server. */
export function markDocumentFileSynced(db: Database, documentId: string, direction: 'pushed' | 'pulled', at: string): void {
  db.prepare('INSERT INTO practice_sync_documents (document_id, direction, complete_at) VALUES (?, ?, ?) ON CONFLICT (document_id) DO NOTHING').run(documentId, direction, at);
}

/** The stored chunks of a document's file in this vault: their seqs, in order (none after a removal or purge). */
export function localDocumentChunkSeqs(db: Database, documentId: string): number[] {
  return (db.prepare('SELECT seq FROM document_chunks WHERE document_id = ? ORDER BY seq').all(documentId) as Array<{ seq: number }>).map((r) => Number(r.seq));
}

/** One stored chunk of a document's file. */
export function localDocumentChunk(db: Database, documentId: string, seq: number): Buffer | undefined {
  return (db.prepare('SELECT data FROM document_chunks WHERE document_id = ? AND seq = ?').get(documentId, seq) as { data: Buffer } | undefined)?.data;
}

/** Stage one chunk of a document's file being pulled (idempotent). */
export function stagePulledChunk(db: Database, documentId: string, seq: number, data: Buffer): void {
  db.prepare('INSERT INTO practice_pulled_chunks (document_id, seq, data) VALUES (?, ?, ?) ON CONFLICT (document_id, seq) DO NOTHING').run(documentId, seq, data);
}

/** The seqs of a document's staged chunks, in order. */
export function stagedChunkSeqs(db: Database, documentId: string): number[] {
  return (db.prepare('SELECT seq FROM practice_pulled_chunks WHERE document_id = ? ORDER BY seq').all(documentId) as Array<{ seq: number }>).map((r) => Number(r.seq));
}

/** SHA-256 (hex) of a document's staged chunks in order (read chunk by chunk). */
export function stagedChunksSha256(db: Database, documentId: string): string {
  const h = createHash('sha256');
  const one = db.prepare('SELECT data FROM practice_pulled_chunks WHERE document_id = ? AND seq = ?');
  for (const seq of stagedChunkSeqs(db, documentId)) h.update((one.get(documentId, seq) as { data: Buffer }).data);
  return h.digest('hex');
}

/** Move a document's staged chunks into its stored file (the document row must exist) and drop the staged copies. */
export function adoptStagedChunks(db: Database, documentId: string): void {
  db.prepare('INSERT INTO document_chunks (document_id, seq, data) SELECT document_id, seq, data FROM practice_pulled_chunks WHERE document_id = ? ON CONFLICT (document_id, seq) DO NOTHING').run(documentId);
  db.prepare('DELETE FROM practice_pulled_chunks WHERE document_id = ?').run(documentId);
}

/** Whether a document's stored chunks hash to the SHA-256 (hex) its row names (read chunk by chunk). */
export function localDocumentIntact(db: Database, documentId: string, sha256: string): boolean {
  const h = createHash('sha256');
  for (const seq of localDocumentChunkSeqs(db, documentId)) h.update(localDocumentChunk(db, documentId, seq)!);
  return h.digest('hex') === sha256;
}
