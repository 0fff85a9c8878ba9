/**
 * Requests and workstations in the practice store as synchronisation writes them (issue #17; practice migration
 * 0003). A request row holds in clear only its id, status, received and due dates, timestamps, version and the
 * workstation ids; the whole request is sealed in the workstation (`record_sealed`, AES-256-GCM, AAD bound to the
 * row) and its PHI in the searchable shape of requests-repo.ts (`sealed`, MRN and email blind-indexed). Writes are
 * optimistic: a change names the version it was made against and is refused (nothing written) when the row moved on.
 * Each accepted write takes the practice-wide change sequence number (practice migration 0006, sync-records-repo.ts).
 * SQL only here.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption, 164.312(e)(1) transmission security (ciphertext only on the server),
 * 164.312(c)(1) integrity (no lost update), 164.312(b) audit controls (the per-workstation chain mark).
 */
import { blindIndex, openJson, sealJson, type PracticeKeys, type SealPlace } from './sealing';
import type { SqlEngine } from './engine';
import { SyncRecord, phiOf } from './sync-record';
import { takeCounter } from './sync-records-repo';
import type { RequestStatus } from '../../../shared/compliance';

const recordPlace = (id: string): SealPlace => ({ table: 'practice_requests', column: 'record_sealed', rowId: id });
const phiPlace = (id: string): SealPlace => ({ table: 'practice_requests', column: 'sealed', rowId: id });

/** The clear metadata written with a record. */
export interface SyncMeta {
  status: RequestStatus;
  receivedOn: string;
  dueOn: string;
}

/** A request as the server has it, opened. */
export interface ServerRecord {
  version: number;
  record: SyncRecord;
  status: string;
  dueOn: string;
  changedBy: string | null;
}

/** Every request's id and version (the cheap list a pull compares with its common versions). */
export async function practiceRequestVersions(engine: SqlEngine): Promise<Map<string, number>> {
  const rows = await engine.all<{ id: string; version: number }>('SELECT id, version FROM practice_requests WHERE record_sealed IS NOT NULL');
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
}

/**
 * One request with its whole record opened, or undefined (absent, or written without a record).
 * @throws AppError PRACTICE_KEY_WRONG | PRACTICE_DATA_TAMPERED (sealing.ts); store errors
 */
export async function getServerRecord(engine: SqlEngine, keys: PracticeKeys, id: string): Promise<ServerRecord | undefined> {
  const r = await engine.one<{ version: number; record_sealed: Buffer | null; status: string; due_on: string; changed_by_workstation: string | null }>(
    'SELECT version, record_sealed, status, due_on, changed_by_workstation FROM practice_requests WHERE id = $1',
    [id],
  );
  if (!r?.record_sealed) return undefined;
  const record = openJson(keys, recordPlace(id), Buffer.from(r.record_sealed), SyncRecord);
  return { version: Number(r.version), record: { ...record, status: record.status }, status: r.status, dueOn: r.due_on, changedBy: r.changed_by_workstation };
}

function sealedColumns(keys: PracticeKeys, rec: SyncRecord): { sealed: Buffer; record: Buffer; mrn: string | null; email: string | null } {
  const phi = phiOf(rec);
  return {
    sealed: sealJson(keys, phiPlace(rec.id), phi),
    record: sealJson(keys, recordPlace(rec.id), rec),
    mrn: phi.mrn ? blindIndex(keys, 'mrn', phi.mrn) : null,
    email: phi.requesterEmail ? blindIndex(keys, 'email', phi.requesterEmail) : null,
  };
}

/**
 * Write a request the server does not have yet, at version 1.
 * @returns false when a row with that id exists already (nothing written)
 * @throws store errors
 */
export async function insertServerRecord(engine: SqlEngine, keys: PracticeKeys, rec: SyncRecord, meta: SyncMeta, workstationId: string, at: string): Promise<boolean> {
  const s = sealedColumns(keys, rec);
  return engine.transaction(async (tx) => {
    const taken = await tx.one<{ n: number }>('SELECT count(*) AS n FROM practice_requests WHERE id = $1', [rec.id]);
    if (Number(taken?.n ?? 0) > 0) return false;
    const seq = await takeCounter(tx, 'change');
    const { changes } = await tx.run(
      `INSERT INTO practice_requests (id, status, received_on, due_on, created_at, updated_at, key_id, sealed, mrn_index, email_index, version, origin_workstation, changed_by_workstation, record_sealed, change_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
      [rec.id, meta.status, meta.receivedOn, meta.dueOn, rec.createdAt, at, keys.keyId, s.sealed, s.mrn, s.email, workstationId, s.record, seq],
    );
    return changes > 0;
  });
}

/**
 * Write a new version of a request, only if the server still has `expectedVersion` (optimistic concurrency).
 * @returns the new version, or null when the row is at another version or absent (nothing written)
 * @throws store errors
 */
export async function updateServerRecord(engine: SqlEngine, keys: PracticeKeys, rec: SyncRecord, meta: SyncMeta, expectedVersion: number, workstationId: string, at: string): Promise<number | null> {
  const s = sealedColumns(keys, rec);
  return engine.transaction(async (tx) => {
    const cur = await tx.one<{ version: number }>('SELECT version FROM practice_requests WHERE id = $1', [rec.id]);
    if (!cur || Number(cur.version) !== expectedVersion) return null;
    const seq = await takeCounter(tx, 'change');
    const { changes } = await tx.run(
      `UPDATE practice_requests SET status = $1, received_on = $2, due_on = $3, updated_at = $4, key_id = $5, sealed = $6, mrn_index = $7, email_index = $8,
         record_sealed = $9, changed_by_workstation = $10, version = version + 1, change_seq = $11 WHERE id = $12 AND version = $13`,
      [meta.status, meta.receivedOn, meta.dueOn, at, keys.keyId, s.sealed, s.mrn, s.email, s.record, workstationId, seq, rec.id, expectedVersion],
    );
    return changes > 0 ? expectedVersion + 1 : null;
  });
}

/** Register (or relabel) a workstation. */
export async function upsertWorkstation(engine: SqlEngine, ws: { id: string; label: string }, at: string): Promise<void> {
  await engine.run(
    `INSERT INTO practice_workstations (id, label, joined_at, last_seen_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT (id) DO UPDATE SET label = excluded.label, last_seen_at = excluded.last_seen_at`,
    [ws.id, ws.label, at],
  );
}

/**
 * Whether another workstation of the practice (another id) already goes by `label`, compared without case and outer
 * spaces: labels are how staff tell workstations apart ("Signed in on", "sent by").
 */
export async function workstationLabelTaken(engine: SqlEngine, ws: { id: string; label: string }): Promise<boolean> {
  const r = await engine.one<{ c: number }>('SELECT count(*) AS c FROM practice_workstations WHERE id <> $1 AND lower(trim(label)) = lower(trim($2))', [ws.id, ws.label]);
  return Number(r?.c ?? 0) > 0;
}

/** Whether the practice already has a data key. */
export async function practiceHasKey(engine: SqlEngine): Promise<boolean> {
  const r = await engine.one<{ c: number }>('SELECT count(*) AS c FROM practice_data_keys');
  return Number(r?.c ?? 0) > 0;
}

/**
 * The last local audit seq of a workstation the shared chain holds (0 when none). Inside a transaction that holds
 * the chain lock, this is the mark to continue from.
 */
export async function workstationAuditMark(engine: SqlEngine, workstationId: string): Promise<number> {
  const r = await engine.one<{ last_audit_seq: number }>('SELECT last_audit_seq FROM practice_workstations WHERE id = $1', [workstationId]);
  return Number(r?.last_audit_seq ?? 0);
}

/** Move a workstation's chain mark forward (in the transaction of the appends). */
export async function setWorkstationAuditMark(engine: SqlEngine, workstationId: string, seq: number, at: string): Promise<void> {
  await engine.run('UPDATE practice_workstations SET last_audit_seq = $1, last_seen_at = $2 WHERE id = $3 AND last_audit_seq < $1', [seq, at, workstationId]);
}
