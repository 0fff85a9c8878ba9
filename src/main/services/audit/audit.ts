import type { Database } from 'better-sqlite3-multiple-ciphers';
import { insertAuditRow, iterateAuditRows, newestAuditHead, newestAuditRows, type AuditRow } from './chain-repo';
import { createHmac } from 'node:crypto';
import type { AuditEventT } from '../../../shared/contract';

/** PHI-free facts attached to an audit event: ids, codes, counts, flags. */
export type AuditDetail = Record<string, string | number | boolean>;

export type AuditOutcome = 'success' | 'failure' | 'refused';

/**
 * One event to append. `actor` is the staff member's name as shown; `actorId` the acting user's id (unique user
 * identification, 164.312(a)(2)(i)); null/absent for system events and events written before staff accounts.
 */
export interface AuditInput {
  at: Date;
  actor: string;
  actorId?: string | null;
  action: string;
  outcome: AuditOutcome;
  subjectType?: string | null;
  subjectId?: string | null;
  detail?: AuditDetail;
}

const GENESIS = '0'.repeat(64);

/**
 * Append one event to the hash-chained audit log (45 CFR 164.312(b) audit
 * controls; (c)(1) integrity). Each event's `hash` is
 * HMAC-SHA256(chainKey, prev_hash + canonical fields), so editing, deleting or
 * reordering any event breaks every later hash; the table's triggers refuse
 * UPDATE and DELETE outright.
 *
 * Call it inside the same transaction as the change it records.
 * @returns the new event's sequence number
 */
export function appendAudit(db: Database, chainKey: Buffer, e: AuditInput): number {
  const last = newestAuditHead(db);
  const prev = last?.hash ?? GENESIS;
  const row = {
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    outcome: e.outcome,
    subject_type: e.subjectType ?? null,
    subject_id: e.subjectId ?? null,
    detail_json: canonicalJson(e.detail ?? {}),
    actor_id: e.actorId ?? null,
  };
  const hash = chainHash(chainKey, prev, row);
  return insertAuditRow(db, { ...row, prev, hash });
}

/** The newest `limit` events, newest first. */
export function listAudit(db: Database, limit: number): AuditEventT[] {
  const rows = newestAuditRows(db, limit);
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    actorId: r.actor_id ?? null,
    action: r.action,
    outcome: r.outcome as AuditOutcome,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    detail: JSON.parse(r.detail_json) as AuditDetail,
    hash: r.hash,
  }));
}

/**
 * Recompute the whole chain.
 * @returns intact=false and the first event whose hash or link does not match.
 */
export function verifyAudit(db: Database, chainKey: Buffer): { intact: boolean; checked: number; firstBrokenSeq: number | null } {
  let prev = GENESIS;
  let checked = 0;
  for (const r of iterateAuditRows(db)) {
    const expected = chainHash(chainKey, prev, r);
    if (r.prev_hash !== prev || r.hash !== expected) return { intact: false, checked, firstBrokenSeq: r.seq };
    prev = r.hash;
    checked++;
  }
  return { intact: true, checked, firstBrokenSeq: null };
}


function chainHash(
  key: Buffer,
  prev: string,
  r: Pick<AuditRow, 'at' | 'actor' | 'action' | 'outcome' | 'subject_type' | 'subject_id' | 'detail_json'> & { actor_id?: string | null },
): string {
  return createHmac('sha256', key).update(chainBody(prev, r)).digest('hex');
}

/**
 * The bytes each event's HMAC covers: the previous hash and the event's fields as a JSON array. The actor id
 * (staff accounts, migration 11) is appended only when set, so events written before it keep their hashes.
 */
export function chainBody(
  prev: string,
  r: { at: string; actor: string; action: string; outcome: string; subject_type: string | null; subject_id: string | null; detail_json: string; actor_id?: string | null },
): string {
  const fields: Array<string | null> = [prev, r.at, r.actor, r.action, r.outcome, r.subject_type, r.subject_id, r.detail_json];
  if (r.actor_id) fields.push(r.actor_id);
  return JSON.stringify(fields);
}

/** JSON with sorted keys, so the same detail always hashes the same. */
function canonicalJson(o: AuditDetail): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
}
