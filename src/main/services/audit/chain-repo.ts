/**
 * The queries that verifying the audit chain needs (chain.ts, chain-range.ts and the verification worker,
 * chain-worker-source.ts). Repository functions of (db, ...args); the SQL texts are exported too, because
 * the worker thread prepares them on its own connection.
 *
 * The event's HMAC covers `chainBody` (audit.ts): the JSON array
 * `[prev_hash, at, actor, action, outcome, subject_type, subject_id, detail_json(, actor_id)]`.
 * {@link CHAIN_BODY_SQL} builds exactly those bytes inside SQLite with `json_array`, so verification reads
 * one string per event instead of nine and re-serialising them in JavaScript. SQLite's JSON string quoting
 * and `JSON.stringify`'s agree for every Unicode scalar value (RFC 8259 section 7; proven over the whole
 * Basic Multilingual Plane and astral characters in test/unit/audit/chain-body-sql.test.ts); a row whose
 * SQL-built body does not verify is re-checked from its stored columns with `chainBody` all the same
 * ({@link SCAN_EVENT_FIELDS_SQL}), so the result never depends on that agreement.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** The bytes each event's HMAC covers, built by SQLite (see the module comment). `actor_id` only when set. */
export const CHAIN_BODY_SQL =
  "CASE WHEN actor_id IS NULL OR actor_id = '' " +
  'THEN json_array(prev_hash, at, actor, action, outcome, subject_type, subject_id, detail_json) ' +
  'ELSE json_array(prev_hash, at, actor, action, outcome, subject_type, subject_id, detail_json, actor_id) END';

/** Events `lo < seq <= hi` in order, as raw rows `[seq, body, hash]`. Parameters: lo, hi. */
export const SCAN_RANGE_SQL = `SELECT seq, ${CHAIN_BODY_SQL}, hash FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`;

/** The newest event at or before a sequence number: `{seq, hash}`. Parameter: seq. */
export const EVENT_BEFORE_SQL = 'SELECT seq, hash FROM audit_events WHERE seq <= ? ORDER BY seq DESC LIMIT 1';

/** One event's stored columns, for the exact re-check with `chainBody`. Parameter: seq. */
export const SCAN_EVENT_FIELDS_SQL = 'SELECT at, actor, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash, actor_id FROM audit_events WHERE seq = ?';

/** One event's stored columns as {@link SCAN_EVENT_FIELDS_SQL} returns them. */
export interface ChainEventFields {
  at: string;
  actor: string;
  action: string;
  outcome: string;
  subject_type: string | null;
  subject_id: string | null;
  detail_json: string;
  prev_hash: string;
  hash: string;
  actor_id: string | null;
}

/**
 * The extent of the log now: oldest and newest sequence numbers present (0 when empty), the number of events,
 * and SQLite's AUTOINCREMENT high-water mark (the largest seq ever handed out, which deleting the newest
 * events does not lower).
 */
export function chainExtent(db: Database): { first: number; last: number; count: number; highWater: number } {
  const r = db.prepare('SELECT min(seq) AS first, max(seq) AS last, count(*) AS count FROM audit_events').get() as { first: number | null; last: number | null; count: number };
  const hw = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'").get() as { seq: number } | undefined)?.seq ?? 0;
  return { first: r.first ?? 0, last: r.last ?? 0, count: r.count, highWater: hw };
}

/** The stored hash of each of `seqs` that is present (absent events are missing from the map). */
export function hashesAt(db: Database, seqs: Iterable<number>): Map<number, string> {
  const stmt = db.prepare('SELECT hash FROM audit_events WHERE seq = ?').pluck();
  const out = new Map<number, string>();
  for (const s of seqs) {
    const h = stmt.get(s) as string | undefined;
    if (h !== undefined) out.set(s, h);
  }
  return out;
}
