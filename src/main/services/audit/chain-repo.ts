/**
 * The hash-chained `audit_events` table and the `audit_checkpoints` table: SQL only. The chain's rules (HMAC, GENESIS,
 * verification) are in audit.ts, chain.ts and checkpoints.ts; functions here take `db` first and run inside the
 * caller's transaction. The tables' triggers refuse UPDATE and DELETE (append-only, 45 CFR 164.312(b)).
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

/** Every event's chained fields as arrays, oldest first (fast path for chain verification). */
export type AuditTuple = [number, string, string, string, string, string | null, string | null, string, string, string, string | null];
export function iterateAuditTuples(db: Database): Iterable<AuditTuple> {
  const stmt = db.prepare('SELECT seq, at, actor, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash, actor_id FROM audit_events ORDER BY seq').raw(true);
  return stmt.iterate() as Iterable<AuditTuple>;
}

/** SQLite's AUTOINCREMENT high-water mark for `audit_events` (0 when no event was ever written). */
export function auditSequenceHighWater(db: Database): number {
  return (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'").get() as { seq: number } | undefined)?.seq ?? 0;
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
