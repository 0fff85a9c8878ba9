/**
 * Recompute one range of the audit hash chain (45 CFR 164.312(b) audit controls; 164.312(c)(1) integrity).
 *
 * Each event stores the previous event's hash (`prev_hash`), so a range of sequence numbers can be checked on
 * its own: the range starts from the stored hash of the newest event before it, and the event that links the
 * two ranges is recomputed by the range that holds it. chain.ts runs one range in the calling thread
 * ({@link verifyRange}) or several in worker threads (chain-worker-source.ts, the same steps in plain
 * JavaScript); both must give the same answer (test/unit/audit/chain-parallel.test.ts).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { chainBody } from './audit';
import { EVENT_BEFORE_SQL, SCAN_EVENT_FIELDS_SQL, SCAN_RANGE_SQL, type ChainEventFields } from './chain-repo';

/** The previous hash of event 1. */
export const GENESIS = '0'.repeat(64);

/** The first problem in a range: a gap in sequence numbers before `seq`, or `seq` does not match the chain. */
export type RangeProblem = { kind: 'gap'; seq: number; prevSeq: number } | { kind: 'altered'; seq: number };

/** The outcome of one range. */
export interface RangeResult {
  /** Events verified before the first problem (all events of the range when there is none). */
  checked: number;
  problem: RangeProblem | null;
}

/**
 * Verify the events `lo < seq <= hi`: each follows the event before it without a gap, links to its stored
 * hash, and its HMAC-SHA256 under `chainKey` matches. Stops at the first problem.
 *
 * Fast path per event: the SQL-built body (chain-repo.ts) starts with the previous hash, and one HMAC over it
 * equals the stored hash. When it does not, the event is re-checked exactly as written (stored columns,
 * `chainBody`) before it is called altered.
 * @param chainKey the 32-byte chain key (Vault.subkey('audit-chain-v1'))
 * @param lo exclusive lower bound (0 from the start)
 * @param hi inclusive upper bound
 */
export function verifyRange(db: Database, chainKey: Buffer, lo: number, hi: number): RangeResult {
  const before = lo > 0 ? (db.prepare(EVENT_BEFORE_SQL).get(lo) as { seq: number; hash: string } | undefined) : undefined;
  let prev = before?.hash ?? GENESIS;
  let prevSeq = before?.seq ?? 0;
  let checked = 0;
  const key = createSecretKey(chainKey); // imported once, not per event
  const fields = db.prepare(SCAN_EVENT_FIELDS_SQL);
  for (const [seq, body, hash] of db.prepare(SCAN_RANGE_SQL).raw(true).iterate(lo, hi) as Iterable<[number, string, string]>) {
    if (seq !== prevSeq + 1) return { checked, problem: { kind: 'gap', seq, prevSeq } };
    const fast = body.startsWith(prev, 2) && body.charCodeAt(2 + prev.length) === 0x22 && createHmac('sha256', key).update(body).digest('hex') === hash;
    if (!fast && !exactlyLinked(fields.get(seq) as ChainEventFields, prev, key)) return { checked, problem: { kind: 'altered', seq } };
    checked++;
    prev = hash;
    prevSeq = seq;
  }
  return { checked, problem: null };
}

/** The original definition: the stored previous hash is `prev` and the HMAC of `chainBody` is the stored hash. */
function exactlyLinked(r: ChainEventFields, prev: string, key: KeyObject): boolean {
  return r.prev_hash === prev && createHmac('sha256', key).update(chainBody(prev, r)).digest('hex') === r.hash;
}
