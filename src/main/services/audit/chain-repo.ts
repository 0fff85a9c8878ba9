/**
 * The hash-chained `audit_events` table and the `audit_checkpoints` table: SQL only. The chain's rules (HMAC, GENESIS,
 * verification) are in audit.ts, chain.ts and checkpoints.ts; functions here take `db` first and run inside the
 * caller's transaction. The tables' triggers refuse UPDATE and DELETE (append-only, 45 CFR 164.312(b)).
 *
 * Verification queries (chain.ts, chain-range.ts and the verification worker, chain-worker-source.ts): the SQL
 * texts are exported too, because the worker thread prepares them on its own connection.
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

/** One `audit_events` row as stored. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  actor_id: string | null;
  action: string;
  outcome: string;
  subject_type: string | null;
  subject_id: string | null;
  detail_json: string;
  prev_hash: string;
  hash: string;
}

/** An event's stored fields, hashed by the caller (`prev` and `hash` are 64 hex). */
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'> & { prev: string; hash: string };

/** One checkpoint row (`mac` is HMAC-SHA256 hex over the other fields). */
export interface CheckpointRow {
  counter: number;
  seq: number;
  hash: string;
  at: string;
  reason: string;
  mac: string;
}

/** The newest event's seq and hash, or undefined for an empty log. */
export function newestAuditHead(db: Database): { seq: number; hash: string } | undefined {
  return db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
}

/** Append one event. @returns its sequence number */
export function insertAuditRow(db: Database, row: NewAuditRow): number {
  const info = db
    .prepare(
      `INSERT INTO audit_events (at, actor, actor_id, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash)
       VALUES (@at, @actor, @actor_id, @action, @outcome, @subject_type, @subject_id, @detail_json, @prev, @hash)`,
    )
    .run(row);
  return Number(info.lastInsertRowid);
}

/** The newest `limit` events, newest first. */
export function newestAuditRows(db: Database, limit: number): AuditRow[] {
  return db.prepare('SELECT * FROM audit_events ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
}

/** Every event, oldest first, one at a time. */
export function iterateAuditRows(db: Database): Iterable<AuditRow> {
  return db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate() as Iterable<AuditRow>;
}

/** Checkpoints in the vault, oldest first. */
export function listCheckpointRows(db: Database): CheckpointRow[] {
  return db.prepare('SELECT counter, seq, hash, at, reason, mac FROM audit_checkpoints ORDER BY counter').all() as CheckpointRow[];
}

/** The highest checkpoint counter in the vault (0 when none). */
export function maxCheckpointCounter(db: Database): number {
  return (db.prepare('SELECT max(counter) AS n FROM audit_checkpoints').get() as { n: number | null }).n ?? 0;
}

/** Store one checkpoint. */
export function insertCheckpointRow(db: Database, c: CheckpointRow): void {
  db.prepare('INSERT INTO audit_checkpoints (counter, seq, hash, at, reason, mac) VALUES (@counter, @seq, @hash, @at, @reason, @mac)').run(c);
}


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

/** One event's stored columns as {@link SCAN_EVENT_FIELDS_SQL} returns them (a row without its seq). */
export type ChainEventFields = Omit<AuditRow, 'seq'>;

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

/** The newest event at or before `seq`, by {@link EVENT_BEFORE_SQL}; undefined when none. */
export function eventAtOrBefore(db: Database, seq: number): { seq: number; hash: string } | undefined {
  return db.prepare(EVENT_BEFORE_SQL).get(seq) as { seq: number; hash: string } | undefined;
}

/** Events `lo < seq <= hi` in order as raw `[seq, body, hash]` rows ({@link SCAN_RANGE_SQL}), one at a time. */
export function scanRange(db: Database, lo: number, hi: number): Iterable<[number, string, string]> {
  return db.prepare(SCAN_RANGE_SQL).raw(true).iterate(lo, hi) as Iterable<[number, string, string]>;
}

/** A reader of one event's stored columns by seq ({@link SCAN_EVENT_FIELDS_SQL}), prepared once. */
export function eventFieldsReader(db: Database): (seq: number) => ChainEventFields {
  const stmt = db.prepare(SCAN_EVENT_FIELDS_SQL);
  return (seq) => stmt.get(seq) as ChainEventFields;
}
