/**
 * Checkpoints of the audit chain head, anchored outside the vault file.
 *
 * The hash chain (audit.ts) proves that no event was changed, inserted or reordered *relative to the
 * events after it*. It cannot by itself show that the newest events were cut off, nor that someone
 * holding the passphrase recomputed every hash. A checkpoint records the chain head — the sequence
 * number of the newest event, its hash, the time — under a monotonic counter, and is written twice:
 * as a row of `audit_checkpoints` in the vault, and as a line of `audit-checkpoints.jsonl` beside the
 * vault file. Exported reports print the newest checkpoint too (and are signed with the practice's
 * OpenPGP key), so a privacy officer holds receipts that live off this computer altogether.
 *
 * Each checkpoint carries a MAC, HMAC-SHA256 under a key derived from the vault master key
 * (HKDF label `releasedesk:audit-checkpoint-v1`): without the passphrase nobody can write a checkpoint
 * that verifies. The anchor file holds no PHI (numbers, hashes, times).
 *
 * @source 45 CFR 164.312(b) audit controls; 164.312(c)(1)-(2) integrity, mechanism to authenticate ePHI.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { insertCheckpointRow, listCheckpointRows, maxCheckpointCounter, newestAuditHead } from './chain-repo';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the anchor beside the vault (one JSON checkpoint per line, oldest first). */
export const ANCHOR_FILE = 'audit-checkpoints.jsonl';

/** HKDF purpose label of the checkpoint MAC key (Vault.subkey). */
export const CHECKPOINT_KEY_PURPOSE = 'audit-checkpoint-v1';

/** Why a checkpoint was written. */
export type CheckpointReason = 'lock' | 'unlock' | 'report' | 'manual';

/** One checkpoint of the chain head. `seq` 0 with the genesis hash means "empty log". */
export interface Checkpoint {
  /** Monotonic checkpoint number, 1, 2, 3 … */
  counter: number;
  /** Sequence number of the newest audit event covered. */
  seq: number;
  /** That event's chain hash (hex). */
  hash: string;
  /** When the checkpoint was taken (ISO 8601). */
  at: string;
  reason: CheckpointReason;
  /** HMAC-SHA256 (hex) over the fields above. */
  mac: string;
}

/** MAC of a checkpoint's fields under `key` (32 bytes). */
export function checkpointMac(key: Buffer, c: Omit<Checkpoint, 'mac'>): string {
  return createHmac('sha256', key).update(JSON.stringify(['rd-checkpoint-v1', c.counter, c.seq, c.hash, c.at, c.reason])).digest('hex');
}

/** True when the checkpoint's MAC matches under `key`. */
export function checkpointAuthentic(key: Buffer, c: Checkpoint): boolean {
  const want = Buffer.from(checkpointMac(key, c), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(c.mac) ? c.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The chain head now: newest event's seq and hash (seq 0 and 64 zeros for an empty log). */
export function chainHead(db: Database): { seq: number; hash: string } {
  return newestAuditHead(db) ?? { seq: 0, hash: '0'.repeat(64) };
}

/** Checkpoints stored in the vault, oldest first. */
export function vaultCheckpoints(db: Database): Checkpoint[] {
  return listCheckpointRows(db) as Checkpoint[];
}

/**
 * Checkpoints in the anchor file beside the vault, oldest first; `null` when the file does not exist.
 * Lines that cannot be read are returned as `malformed` (counted, never silently dropped).
 */
export function anchorCheckpoints(dataDir: string): { checkpoints: Checkpoint[]; malformed: number } | null {
  const file = join(dataDir, ANCHOR_FILE);
  if (!existsSync(file)) return null;
  const checkpoints: Checkpoint[] = [];
  let malformed = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const c = JSON.parse(line) as Checkpoint;
      if (Number.isInteger(c.counter) && Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.at === 'string' && typeof c.mac === 'string') checkpoints.push(c);
      else malformed++;
    } catch {
      malformed++;
    }
  }
  return { checkpoints, malformed };
}

/**
 * Take a checkpoint of the chain head now: one row in the vault and one line in the anchor file,
 * under the next counter. Call inside the vault transaction of the event it follows (e.g. after the
 * `vault.lock` event), so the checkpoint covers it.
 * @param key the checkpoint MAC key (Vault.subkey(CHECKPOINT_KEY_PURPOSE))
 * @returns the checkpoint written
 */
export function writeCheckpoint(db: Database, dataDir: string, key: Buffer, at: Date, reason: CheckpointReason): Checkpoint {
  const head = chainHead(db);
  const inVault = maxCheckpointCounter(db);
  const inFile = anchorCheckpoints(dataDir)?.checkpoints.reduce((m, c) => Math.max(m, c.counter), 0) ?? 0;
  const base = { counter: Math.max(inVault, inFile) + 1, seq: head.seq, hash: head.hash, at: at.toISOString(), reason };
  const c: Checkpoint = { ...base, mac: checkpointMac(key, base) };
  insertCheckpointRow(db, c);
  appendFileSync(join(dataDir, ANCHOR_FILE), JSON.stringify(c) + '\n', { mode: 0o600 });
  return c;
}

/** A checkpoint as printed on reports: one line a person can copy back into "Check a receipt". */
export function receiptText(c: Pick<Checkpoint, 'counter' | 'seq' | 'hash' | 'at'>): string {
  return `Checkpoint ${c.counter}: event ${c.seq}, hash ${c.hash}, taken ${c.at}`;
}

/**
 * Read a receipt line (see {@link receiptText}) or just "event N, hash H".
 * @returns the sequence number and hash, or null when the text holds none.
 */
export function parseReceipt(text: string): { seq: number; hash: string } | null {
  const m = /event\s+(\d+)\D{0,20}?hash\s+([0-9a-fA-F]{64})/.exec(text);
  if (!m) return null;
  return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
}
