import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { camelPick } from '../support/rows';
import { ADVISORY_LOCKS, advisoryXactLock, type SqlEngine } from './engine';
import { openJson, sealJson, type PracticeKeys, type SealPlace } from './sealing';

/**
 * The practice's one audit chain (issue #17, build item 4; 45 CFR 164.312(b) audit controls, 164.312(c)(1)
 * integrity, 164.316(b)(2) retention: append-only, never deleted).
 *
 * - Linear: every append takes the chain lock first (PostgreSQL `pg_advisory_xact_lock`, engine.ts
 *   ADVISORY_LOCKS.auditChain; SQLite's `BEGIN IMMEDIATE`), reads the tail and writes `seq = tail + 1`, so concurrent
 *   writers on several workstations queue up behind one another and the chain never forks. The lock is held until the
 *   surrounding transaction ends: an action and its audit event commit together.
 * - Each row's `hash` = HMAC-SHA-256(chain key, JSON [prev_hash, seq, at, actor, action, outcome, subject_type,
 *   subject_id, key_id, detail_sealed base64]), the chain key derived from the practice data key (sealing.ts): the
 *   server's operator can read the chain's shape but can neither forge nor silently re-hash it.
 * - Details are sealed (AES-256-GCM, AAD bound to the event's seq); actor (staff user id), action code, outcome and
 *   subject (type and random id) are PHI-free by construction.
 * - Checkpoints: MACed (seq, hash) marks. A chain shorter than its last checkpoint has lost its tail.
 */

/** The `prev_hash` of the chain's first event (64 zeros). */
export const GENESIS_HASH = '0'.repeat(64);

/** What the caller records. */
export interface PracticeAuditInput {
  /** ISO 8601 timestamp. */
  at: string;
  /** The staff user's id (users.id). */
  actor: string;
  /** Event code, e.g. `request.create` (labels for people live in src/shared/audit-labels.ts). */
  action: string;
  outcome: 'success' | 'failure' | 'refused';
  subjectType?: string | null;
  /** A random record id, never PHI. */
  subjectId?: string | null;
  /** Sealed before it is written (may name a patient). */
  detail?: Record<string, unknown> | null;
}

/** A stored event, detail opened. */
export interface PracticeAuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, unknown> | null;
  hash: string;
}

/** The outcome of {@link verifyPracticeAudit}. `problem` names the first bad row (its seq), never its contents. */
export interface PracticeAuditVerification {
  intact: boolean;
  /** Rows checked. */
  checked: number;
  /** The last seq checked (0 for an empty chain). */
  lastSeq: number;
  problem?: { seq: number; kind: 'hash-mismatch' | 'broken-link' | 'gap' | 'checkpoint-mismatch' | 'tail-missing' | 'checkpoint-forged' };
}

interface EventRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  subject_type: string | null;
  subject_id: string | null;
  key_id: string;
  detail_sealed: Buffer | null;
  prev_hash: string;
  hash: string;
}

const PAGE = 5000;
const EVENT_COLUMNS = 'seq, at, actor, action, outcome, subject_type, subject_id, key_id, detail_sealed, prev_hash, hash';
const Detail = z.record(z.string(), z.unknown());
const detailPlace = (seq: number): SealPlace => ({ table: 'practice_audit_events', column: 'detail_sealed', rowId: String(seq) });

/** The chain HMAC of one row (hex). */
function rowHash(chainKey: Buffer, r: Omit<EventRow, 'hash'>): string {
  const body = JSON.stringify([r.prev_hash, Number(r.seq), r.at, r.actor, r.action, r.outcome, r.subject_type, r.subject_id, r.key_id, r.detail_sealed ? Buffer.from(r.detail_sealed).toString('base64') : null]);
  return createHmac('sha256', chainKey).update(body, 'utf8').digest('hex');
}

function checkpointMac(key: Buffer, seq: number, hash: string, at: string): string {
  return createHmac('sha256', key).update(`releasedesk:practice-checkpoint:v1|${seq}|${hash}|${at}`, 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Append one event to the chain (in its own transaction, or inside the caller's: then the chain lock is held until
 * the caller commits, so the action and its event commit together and no other writer slips in between). The
 * caller's transaction must be READ COMMITTED (PostgreSQL's default): the tail is read after the lock is granted.
 * Under REPEATABLE READ a stale tail would make the insert fail (unique seq/hash, PRACTICE_DB_CONFLICT), never fork.
 * @returns the event's seq (1, 2, …) and hash
 * @throws AppError VALIDATION_FAILED for a malformed action code or actor; store errors (engine.ts)
 */
export async function appendPracticeAudit(engine: SqlEngine, keys: PracticeKeys, input: PracticeAuditInput): Promise<{ seq: number; hash: string }> {
  if (!ACTION.test(input.action) || !input.actor || input.actor.length > 64) throw new AppError('VALIDATION_FAILED', 'An audit event needs an actor id and an action code.');
  return engine.transaction(async (tx) => {
    await advisoryXactLock(tx, ADVISORY_LOCKS.auditChain);
    const tail = await tx.one<{ seq: number; hash: string }>('SELECT seq, hash FROM practice_audit_events ORDER BY seq DESC LIMIT 1');
    const seq = Number(tail?.seq ?? 0) + 1;
    const row: Omit<EventRow, 'hash'> = {
      seq,
      at: input.at,
      actor: input.actor,
      action: input.action,
      outcome: input.outcome,
      subject_type: input.subjectType ?? null,
      subject_id: input.subjectId ?? null,
      key_id: keys.keyId,
      detail_sealed: input.detail ? sealJson(keys, detailPlace(seq), input.detail) : null,
      prev_hash: tail?.hash ?? GENESIS_HASH,
    };
    const hash = rowHash(keys.chainKey, row);
    await tx.run(
      `INSERT INTO practice_audit_events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.seq, row.at, row.actor, row.action, row.outcome, row.subject_type, row.subject_id, row.key_id, row.detail_sealed, row.prev_hash, hash],
    );
    return { seq, hash };
  });
}

/**
 * Events in seq order, details opened.
 * @param page `afterSeq` (default 0), `limit` 1..5000 (default 100), optionally one subject
 * @throws AppError PRACTICE_KEY_WRONG | PRACTICE_DATA_TAMPERED for a detail that does not open; store errors
 */
export async function listPracticeAudit(engine: SqlEngine, keys: PracticeKeys, page: { afterSeq?: number; limit?: number; subjectId?: string } = {}): Promise<PracticeAuditEvent[]> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit ?? 100)), PAGE);
  const rows = page.subjectId
    ? await engine.all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM practice_audit_events WHERE seq > $1 AND subject_id = $2 ORDER BY seq LIMIT $3`, [page.afterSeq ?? 0, page.subjectId, limit])
    : await engine.all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM practice_audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [page.afterSeq ?? 0, limit]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    ...camelPick(r, ['at', 'actor', 'action', 'outcome', 'subject_type', 'subject_id']),
    detail: r.detail_sealed ? openJson(keys, detailPlace(Number(r.seq)), Buffer.from(r.detail_sealed), Detail) : null,
    hash: r.hash,
  }));
}

/** A checkpoint as a workstation keeps it in its own vault: the chain had this hash at this seq. */
export interface PracticeAuditMark {
  seq: number;
  hash: string;
}

/**
 * Write a checkpoint at the chain's current tail (under the chain lock): seq, hash, time and their HMAC under the
 * checkpoint key. Writing one twice at the same seq keeps the first. Keep the returned mark in the workstation's
 * own vault too: a server operator who cuts the chain's tail AND deletes the checkpoint rows is still caught by
 * {@link verifyPracticeAudit} given that mark.
 * @param at ISO 8601 timestamp
 * @returns the checkpoint's seq and hash, or null for an empty chain
 */
export async function writePracticeAuditCheckpoint(engine: SqlEngine, keys: PracticeKeys, at: string): Promise<PracticeAuditMark | null> {
  return engine.transaction(async (tx) => {
    await advisoryXactLock(tx, ADVISORY_LOCKS.auditChain);
    const tail = await tx.one<{ seq: number; hash: string }>('SELECT seq, hash FROM practice_audit_events ORDER BY seq DESC LIMIT 1');
    if (!tail) return null;
    const seq = Number(tail.seq);
    await tx.run('INSERT INTO practice_audit_checkpoints (seq, hash, at, mac) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING', [seq, tail.hash, at, checkpointMac(keys.checkpointKey, seq, tail.hash, at)]);
    return { seq, hash: tail.hash };
  });
}

/**
 * Verify the whole chain: seqs 1..n without gaps, each row linked to the previous hash, each hash recomputed, each
 * checkpoint's MAC valid and matching its row, and no checkpoint beyond the end (a lost tail). Reads in pages of
 * 5,000 rows; details are not opened (the hash covers their ciphertext).
 * @param kept marks the workstation kept outside the server (from {@link writePracticeAuditCheckpoint}), checked like
 *   the stored checkpoints
 * @returns intact, or the first problem with the seq it concerns (no contents)
 * @throws store errors
 */
export async function verifyPracticeAudit(engine: SqlEngine, keys: PracticeKeys, kept: readonly PracticeAuditMark[] = []): Promise<PracticeAuditVerification> {
  const checkpoints = await engine.all<{ seq: number; hash: string; at: string; mac: string }>('SELECT seq, hash, at, mac FROM practice_audit_checkpoints ORDER BY seq');
  const marks = new Map<number, string>();
  for (const c of checkpoints) {
    if (!sameHex(checkpointMac(keys.checkpointKey, Number(c.seq), c.hash, c.at), c.mac)) return { intact: false, checked: 0, lastSeq: 0, problem: { seq: Number(c.seq), kind: 'checkpoint-forged' } };
    marks.set(Number(c.seq), c.hash);
  }
  for (const m of kept) {
    const stored = marks.get(m.seq);
    if (stored !== undefined && stored !== m.hash) return { intact: false, checked: 0, lastSeq: 0, problem: { seq: m.seq, kind: 'checkpoint-mismatch' } };
    marks.set(m.seq, m.hash);
  }
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  for (;;) {
    const rows = await engine.all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM practice_audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`, [expected, PAGE]);
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) return { intact: false, checked, lastSeq: expected - 1, problem: { seq: expected, kind: 'gap' } };
      if (r.prev_hash !== prev) return { intact: false, checked, lastSeq: seq - 1, problem: { seq, kind: 'broken-link' } };
      const { hash, ...rest } = r;
      if (!sameHex(rowHash(keys.chainKey, rest), hash)) return { intact: false, checked, lastSeq: seq - 1, problem: { seq, kind: 'hash-mismatch' } };
      const mark = marks.get(seq);
      if (mark !== undefined && mark !== hash) return { intact: false, checked, lastSeq: seq - 1, problem: { seq, kind: 'checkpoint-mismatch' } };
      prev = hash;
      expected = seq + 1;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  const lastSeq = expected - 1;
  const beyond = [...marks.keys()].find((s) => s > lastSeq);
  if (beyond !== undefined) return { intact: false, checked, lastSeq, problem: { seq: lastSeq + 1, kind: 'tail-missing' } };
  return { intact: true, checked, lastSeq };
}
