/**
 * Retention SQL: legal holds, the content the purge may remove, and the removal itself. Functions take `db` first.
 * Rows are never deleted except content (document chunks, stored outgoing messages); document and packet rows stay
 * with `purged_at` set, so the vault still says what existed (size, SHA-256, dates) after its bytes are gone.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { LegalHoldView } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';
import type { z } from 'zod';

export type LegalHoldT = z.output<typeof LegalHoldView>;

/** Release statuses after which nothing more happens to the release (its record files may age out). */
export const COMPLETED_RELEASE_STATUSES = ['sent', 'cancelled'] as const;
const COMPLETED = COMPLETED_RELEASE_STATUSES.map((s) => `'${s}'`).join(',');

/** Active (not released) legal holds, newest first, with the request's reference and the patient's name. */
export function listActiveHolds(db: Database): LegalHoldT[] {
  const rows = db
    .prepare(
      `SELECT h.id, h.scope, h.patient_mrn, h.request_id, h.reason, h.placed_by, h.placed_at,
              q.reference AS request_reference,
              COALESCE(q.patient_name,
                       (SELECT patient_name FROM requests WHERE patient_mrn = h.patient_mrn ORDER BY created_at DESC LIMIT 1),
                       (SELECT patient_name FROM releases WHERE patient_mrn = h.patient_mrn ORDER BY created_at DESC LIMIT 1)) AS patient_name
         FROM legal_holds h LEFT JOIN requests q ON q.id = h.request_id
        WHERE h.released_at IS NULL ORDER BY h.placed_at DESC, h.id`,
    )
    .all() as Array<{
    id: string;
    scope: 'patient' | 'request';
    patient_mrn: string | null;
    request_id: string | null;
    reason: string;
    placed_by: string;
    placed_at: string;
    request_reference: string | null;
    patient_name: string | null;
  }>;
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    patientMrn: r.patient_mrn,
    patientName: r.patient_name,
    requestId: r.request_id,
    requestReference: r.request_reference,
    reason: r.reason,
    placedBy: r.placed_by,
    placedAt: r.placed_at,
  }));
}

/**
 * Place a hold. A patient hold names an MRN known to the vault; a request hold names a request reference.
 * @returns the new hold's id
 * @throws AppError NOT_FOUND when the patient or request is unknown
 */
export function insertHold(
  db: Database,
  h: { scope: 'patient'; mrn: string } | { scope: 'request'; requestReference: string },
  reason: string,
  placedBy: string,
  at: Date,
): string {
  const id = newId();
  if (h.scope === 'patient') {
    const known = db.prepare('SELECT 1 FROM requests WHERE patient_mrn = ? UNION SELECT 1 FROM releases WHERE patient_mrn = ? LIMIT 1').get(h.mrn, h.mrn);
    if (!known) throw new AppError('NOT_FOUND', 'No request or release in the vault has that MRN.');
    db.prepare("INSERT INTO legal_holds (id, scope, patient_mrn, reason, placed_by, placed_at) VALUES (?, 'patient', ?, ?, ?, ?)").run(id, h.mrn, reason, placedBy, at.toISOString());
  } else {
    const q = db.prepare('SELECT id FROM requests WHERE reference = ?').get(h.requestReference) as { id: string } | undefined;
    if (!q) throw new AppError('NOT_FOUND', 'No request has that reference.');
    db.prepare("INSERT INTO legal_holds (id, scope, request_id, reason, placed_by, placed_at) VALUES (?, 'request', ?, ?, ?, ?)").run(id, q.id, reason, placedBy, at.toISOString());
  }
  return id;
}

/** Release an active hold (kept, marked released). @throws AppError NOT_FOUND */
export function releaseHold(db: Database, holdId: string, by: string, at: Date): { scope: string } {
  const r = db.prepare('SELECT scope FROM legal_holds WHERE id = ? AND released_at IS NULL').get(holdId) as { scope: string } | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That legal hold is not active.');
  db.prepare('UPDATE legal_holds SET released_by = ?, released_at = ? WHERE id = ?').run(by, at.toISOString(), holdId);
  return r;
}

/** What a hold can cover: the patient (MRN) and the request an item belongs to. */
export interface HoldKey {
  mrn: string | null;
  requestId: string | null;
}

/** The active holds as two sets, for checking many items. */
export function activeHoldSets(db: Database): { mrns: Set<string>; requestIds: Set<string> } {
  const rows = db.prepare('SELECT patient_mrn, request_id FROM legal_holds WHERE released_at IS NULL').all() as Array<{ patient_mrn: string | null; request_id: string | null }>;
  return {
    mrns: new Set(rows.flatMap((r) => (r.patient_mrn ? [r.patient_mrn] : []))),
    requestIds: new Set(rows.flatMap((r) => (r.request_id ? [r.request_id] : []))),
  };
}

/** A record file of a completed release whose content is still in the vault. */
export interface RecordFileCandidate extends HoldKey {
  documentId: string;
  bytes: number;
  completedAt: string;
}

/** Record files (kind 'record') of completed releases, content still present. */
export function recordFileCandidates(db: Database): RecordFileCandidate[] {
  return db
    .prepare(
      `SELECT d.id AS documentId, d.size_bytes AS bytes, r.updated_at AS completedAt, r.patient_mrn AS mrn, r.request_id AS requestId
         FROM documents d JOIN releases r ON r.id = d.release_id
        WHERE d.kind = 'record' AND d.purged_at IS NULL AND d.removed_at IS NULL AND r.status IN (${COMPLETED})`,
    )
    .all() as RecordFileCandidate[];
}

/** Documentation (every kind but 'record') whose content is still present, with what dates its retention. */
export interface DocumentationCandidate extends HoldKey {
  documentId: string;
  bytes: number;
  importedAt: string;
  /** The request's last change (null without a request). */
  requestUpdatedAt: string | null;
  requestOpen: boolean;
  /** authorization_json of an authorization whose signed form this is. */
  authorizationJson: string | null;
}

export function documentationCandidates(db: Database, openStatuses: readonly string[]): DocumentationCandidate[] {
  const rows = db
    .prepare(
      `SELECT d.id AS documentId, d.size_bytes AS bytes, d.imported_at AS importedAt,
              COALESCE(d.request_id, r.request_id) AS requestId,
              COALESCE(q.patient_mrn, r.patient_mrn) AS mrn,
              q.updated_at AS requestUpdatedAt, q.status AS requestStatus,
              (SELECT a.authorization_json FROM authorizations a WHERE a.signed_form_document_id = d.id LIMIT 1) AS authorizationJson
         FROM documents d
         LEFT JOIN releases r ON r.id = d.release_id
         LEFT JOIN requests q ON q.id = COALESCE(d.request_id, r.request_id)
        WHERE d.kind <> 'record' AND d.purged_at IS NULL AND d.removed_at IS NULL`,
    )
    .all() as Array<Omit<DocumentationCandidate, 'requestOpen'> & { requestStatus: string | null }>;
  return rows.map(({ requestStatus, ...r }) => ({ ...r, requestOpen: requestStatus !== null && openStatuses.includes(requestStatus) }));
}

/** A prepared packet (print-ready PDF) of a completed release, content still present. */
export interface PacketCandidate extends HoldKey {
  artifactId: string;
  bytes: number;
  completedAt: string;
}

export function packetCandidates(db: Database): PacketCandidate[] {
  return db
    .prepare(
      `SELECT a.id AS artifactId, length(a.data) AS bytes, r.updated_at AS completedAt, r.patient_mrn AS mrn, r.request_id AS requestId
         FROM release_artifacts a JOIN releases r ON r.id = a.release_id
        WHERE a.purged_at IS NULL AND r.status IN (${COMPLETED})`,
    )
    .all() as PacketCandidate[];
}

/** A stored outgoing message (the exact bytes sent) of a completed release. */
export interface OutboxCandidate extends HoldKey {
  transmissionId: string;
  part: number;
  bytes: number;
  completedAt: string;
}

export function outboxCandidates(db: Database): OutboxCandidate[] {
  return db
    .prepare(
      `SELECT o.transmission_id AS transmissionId, o.part, coalesce(o.size_bytes, 0) AS bytes, r.updated_at AS completedAt, r.patient_mrn AS mrn, r.request_id AS requestId
         FROM outbox_messages o JOIN transmissions t ON t.id = o.transmission_id JOIN releases r ON r.id = t.release_id
        WHERE r.status IN (${COMPLETED})`,
    )
    .all() as OutboxCandidate[];
}

/** Remove a document's content (its chunks) and mark it purged. Call inside the purge transaction. */
export function purgeDocumentContent(db: Database, documentId: string, at: Date): void {
  db.prepare('DELETE FROM document_chunks WHERE document_id = ?').run(documentId);
  db.prepare('UPDATE documents SET purged_at = ? WHERE id = ?').run(at.toISOString(), documentId);
}

/** Remove a packet's bytes (the row stays, data empty) and mark it purged. */
export function purgePacket(db: Database, artifactId: string, at: Date): void {
  db.prepare("UPDATE release_artifacts SET data = X'', purged_at = ? WHERE id = ?").run(at.toISOString(), artifactId);
}

/** Remove one stored outgoing message (the transmission and its parts' results stay). */
export function purgeOutboxMessage(db: Database, transmissionId: string, part: number): void {
  db.prepare('DELETE FROM outbox_chunks WHERE transmission_id = ? AND part = ?').run(transmissionId, part);
  db.prepare('DELETE FROM outbox_messages WHERE transmission_id = ? AND part = ?').run(transmissionId, part);
}

/** Rows in a backup copy's `requests` and `releases` tables (what the verified copy holds). */
export function countRequestsAndReleases(db: Database): { requests: number; releases: number } {
  const count = (table: 'requests' | 'releases') => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { requests: count('requests'), releases: count('releases') };
}

/**
 * After the purge's transaction committed: rebuild the file without free pages and empty the WAL, so the
 * removed bytes are in neither file. Cannot run inside a transaction.
 */
export function compactVault(db: Database): void {
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Make SQLite overwrite deleted content with zeros (before a purge deletes rows). */
export function enableSecureDelete(db: Database): void {
  db.pragma('secure_delete = ON');
}
