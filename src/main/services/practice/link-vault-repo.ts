/**
 * What this workstation keeps in its own encrypted vault about its link to the practice server (issue #17; vault
 * migration 016): the link row (workstation id and label, the practice data key, the last sync and the last local
 * audit seq appended to the shared chain), the last common version of each synchronised request, the conflicts
 * (never deleted), and the few reads and writes of local requests and audit rows that synchronisation needs.
 * Functions of `(db, …)`, run inside the caller's transaction. SQL only here.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) (the data key stays inside the SQLCipher vault), 164.312(b) (audit controls),
 * 164.530(j) (conflicts and both versions are kept).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AuditRow } from '../audit/chain-repo';
import type { RequestRow } from '../requests/repo';

/** The link row. `dataKey` null after a disconnect (the key was erased). */
export interface LinkRow {
  workstationId: string;
  workstationLabel: string;
  keyId: string | null;
  dataKey: Buffer | null;
  joinedAt: string;
  joinedBy: string;
  lastSyncAt: string | null;
  lastPushedAuditSeq: number;
}

interface LinkDbRow {
  workstation_id: string;
  workstation_label: string;
  key_id: string | null;
  data_key: Buffer | null;
  joined_at: string;
  joined_by: string;
  last_sync_at: string | null;
  last_pushed_audit_seq: number;
}

/** The link row, or null when this workstation never joined a practice. */
export function readLink(db: Database): LinkRow | null {
  const r = db.prepare('SELECT * FROM practice_link WHERE id = 1').get() as LinkDbRow | undefined;
  if (!r) return null;
  return {
    workstationId: r.workstation_id,
    workstationLabel: r.workstation_label,
    keyId: r.key_id,
    dataKey: r.data_key ? Buffer.from(r.data_key) : null,
    joinedAt: r.joined_at,
    joinedBy: r.joined_by,
    lastSyncAt: r.last_sync_at,
    lastPushedAuditSeq: Number(r.last_pushed_audit_seq),
  };
}

/** Keep the practice data key and this workstation's id and label (a re-join keeps the sync state). */
export function saveLink(db: Database, l: { workstationId: string; workstationLabel: string; keyId: string; dataKey: Buffer; joinedAt: string; joinedBy: string }): void {
  db.prepare(
    `INSERT INTO practice_link (id, workstation_id, workstation_label, key_id, data_key, joined_at, joined_by) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET workstation_id = excluded.workstation_id, workstation_label = excluded.workstation_label,
       key_id = excluded.key_id, data_key = excluded.data_key, joined_at = excluded.joined_at, joined_by = excluded.joined_by`,
  ).run(l.workstationId, l.workstationLabel, l.keyId, l.dataKey, l.joinedAt, l.joinedBy);
}

/** Erase the kept practice data key (disconnect). @returns true when a key was erased */
export function eraseLinkKey(db: Database): boolean {
  return db.prepare('UPDATE practice_link SET key_id = NULL, data_key = NULL WHERE id = 1 AND data_key IS NOT NULL').run().changes > 0;
}

/** Record a successful synchronisation (ISO 8601). */
export function setLastSync(db: Database, at: string): void {
  db.prepare('UPDATE practice_link SET last_sync_at = ? WHERE id = 1').run(at);
}

/** Remember the last local audit seq the shared chain holds. */
export function setLastPushedAuditSeq(db: Database, seq: number): void {
  db.prepare('UPDATE practice_link SET last_pushed_audit_seq = max(last_pushed_audit_seq, ?) WHERE id = 1').run(seq);
}

/** Local audit rows after `seq`, oldest first (at most `limit`). */
export function localAuditAfter(db: Database, seq: number, limit: number): AuditRow[] {
  return db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as AuditRow[];
}

// ------------------------------------------------------------------ local requests as synchronised

/** A local request row as synchronisation reads and writes it (every column of `requests`). */
export type LocalRequestRow = RequestRow & { closing_reason: string | null };

/** Every local request row (ordered by id). */
export function localRequestRows(db: Database): LocalRequestRow[] {
  return db.prepare('SELECT id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, closing_reason, created_at, updated_at FROM requests ORDER BY id').all() as LocalRequestRow[];
}

/** One local request row, or undefined. */
export function localRequestRow(db: Database, id: string): LocalRequestRow | undefined {
  return db
    .prepare('SELECT id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, closing_reason, created_at, updated_at FROM requests WHERE id = ?')
    .get(id) as LocalRequestRow | undefined;
}

/** Whether another local request already uses `reference`. */
export function referenceTaken(db: Database, reference: string, exceptId: string): boolean {
  return db.prepare('SELECT 1 FROM requests WHERE reference = ? AND id <> ?').get(reference, exceptId) !== undefined;
}

/** Insert or overwrite one local request with the given row (a version from the practice server). */
export function putLocalRequestRow(db: Database, r: LocalRequestRow): void {
  db.prepare(
    `INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, closing_reason, created_at, updated_at)
     VALUES (@id, @reference, @patient_name, @patient_dob, @patient_mrn, @basis, @received_at, @status, @request_json, @closing_reason, @created_at, @updated_at)
     ON CONFLICT (id) DO UPDATE SET patient_name = excluded.patient_name, patient_dob = excluded.patient_dob, patient_mrn = excluded.patient_mrn,
       basis = excluded.basis, received_at = excluded.received_at, status = excluded.status, request_json = excluded.request_json,
       closing_reason = excluded.closing_reason, updated_at = excluded.updated_at`,
  ).run(r);
}

// ------------------------------------------------------------------ sync state

/** The last version a request had in common with the server. */
export interface SyncBase {
  requestId: string;
  serverVersion: number;
  serverReference: string;
  baseHash: string;
}

/** Every request's common version, by request id. */
export function syncBases(db: Database): Map<string, SyncBase> {
  const rows = db.prepare('SELECT request_id, server_version, server_reference, base_hash FROM practice_sync_requests').all() as Array<{ request_id: string; server_version: number; server_reference: string; base_hash: string }>;
  return new Map(rows.map((r) => [r.request_id, { requestId: r.request_id, serverVersion: Number(r.server_version), serverReference: r.server_reference, baseHash: r.base_hash }]));
}

/** Record the common version of a request. */
export function setSyncBase(db: Database, b: SyncBase, at: string): void {
  db.prepare(
    `INSERT INTO practice_sync_requests (request_id, server_version, server_reference, base_hash, synced_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (request_id) DO UPDATE SET server_version = excluded.server_version, server_reference = excluded.server_reference, base_hash = excluded.base_hash, synced_at = excluded.synced_at`,
  ).run(b.requestId, b.serverVersion, b.serverReference, b.baseHash, at);
}

// ------------------------------------------------------------------ conflicts

/** A recorded conflict: both versions as JSON (see sync-record.ts SyncRecord). */
export interface ConflictRow {
  id: string;
  requestId: string;
  detectedAt: string;
  serverVersion: number;
  localJson: string;
  serverJson: string;
  resolvedAt: string | null;
  resolution: 'server' | 'workstation' | 'superseded' | null;
  resolvedBy: string | null;
}

interface ConflictDbRow {
  id: string;
  request_id: string;
  detected_at: string;
  server_version: number;
  local_json: string;
  server_json: string;
  resolved_at: string | null;
  resolution: 'server' | 'workstation' | 'superseded' | null;
  resolved_by: string | null;
}

const toConflict = (r: ConflictDbRow): ConflictRow => ({
  id: r.id,
  requestId: r.request_id,
  detectedAt: r.detected_at,
  serverVersion: Number(r.server_version),
  localJson: r.local_json,
  serverJson: r.server_json,
  resolvedAt: r.resolved_at,
  resolution: r.resolution,
  resolvedBy: r.resolved_by,
});

/** Record a new conflict (the request must have none open). */
export function insertConflict(db: Database, c: Omit<ConflictRow, 'resolvedAt' | 'resolution' | 'resolvedBy'>): void {
  db.prepare('INSERT INTO practice_sync_conflicts (id, request_id, detected_at, server_version, local_json, server_json) VALUES (?, ?, ?, ?, ?, ?)').run(
    c.id,
    c.requestId,
    c.detectedAt,
    c.serverVersion,
    c.localJson,
    c.serverJson,
  );
}

/** Open conflicts, oldest first. */
export function openConflicts(db: Database): ConflictRow[] {
  return (db.prepare('SELECT * FROM practice_sync_conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id').all() as ConflictDbRow[]).map(toConflict);
}

/** One conflict, or undefined. */
export function getConflict(db: Database, id: string): ConflictRow | undefined {
  const r = db.prepare('SELECT * FROM practice_sync_conflicts WHERE id = ?').get(id) as ConflictDbRow | undefined;
  return r ? toConflict(r) : undefined;
}

/** How many conflicts await a decision. */
export function openConflictCount(db: Database): number {
  return Number((db.prepare('SELECT count(*) AS n FROM practice_sync_conflicts WHERE resolved_at IS NULL').get() as { n: number }).n);
}

/** Record the decision on an open conflict. @returns false when it was no longer open */
export function resolveConflictRow(db: Database, id: string, resolution: 'server' | 'workstation' | 'superseded', by: string, at: string): boolean {
  return db.prepare('UPDATE practice_sync_conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL').run(at, resolution, by, id).changes > 0;
}
