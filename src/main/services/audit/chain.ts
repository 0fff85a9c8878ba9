/**
 * Full verification of the audit log: the hash chain (audit.ts) AND every checkpoint it knows
 * (checkpoints.ts: the vault's own rows, the anchor file beside the vault, receipts printed on
 * exported reports). Names the first event that differs, the events missing at the end, or the
 * checkpoint the chain no longer matches.
 *
 * What this detects, with the threat it answers:
 * - an event edited, inserted or reordered through a raw database connection without the vault
 *   key → the first event whose hash or link does not match (`EVENT_ALTERED`);
 * - events deleted in the middle and the chain recomputed with the key → the gap in sequence
 *   numbers (`EVENTS_MISSING`);
 * - the newest events deleted → SQLite's AUTOINCREMENT high-water mark and every checkpoint taken
 *   after them (`TAIL_MISSING`);
 * - the whole chain recomputed by someone holding the passphrase → every checkpoint whose event
 *   hash no longer matches (`CHECKPOINT_MISMATCH`), unless they also rewrite the anchor file AND the
 *   vault's checkpoints; receipts on exported reports, kept elsewhere, still catch that
 *   (`RECEIPT_MISMATCH`);
 * - the anchor file deleted, replaced by an older copy, or edited → `ANCHOR_MISSING`, `ANCHOR_BEHIND`,
 *   `CHECKPOINT_FORGED`; the vault's checkpoints rolled back (an older vault copy put back) →
 *   `VAULT_CHECKPOINTS_BEHIND`.
 *
 * What it cannot detect: someone with the passphrase who rewrites the chain, the vault's
 * checkpoints and the anchor file consistently, when no receipt from before the rewrite is ever
 * checked. Only a copy kept out of their reach (an exported, signed report) shows that.
 *
 * @source 45 CFR 164.312(b) audit controls; 164.312(c)(1) integrity.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { auditSequenceHighWater, iterateAuditTuples } from './chain-repo';
import { createHmac, createSecretKey } from 'node:crypto';
import { anchorCheckpoints, checkpointAuthentic, vaultCheckpoints, type Checkpoint } from './checkpoints';
import { chainBody } from './audit';

const GENESIS = '0'.repeat(64);

/** One finding of a verification. */
export interface ChainProblem {
  code:
    | 'EVENT_ALTERED'
    | 'EVENTS_MISSING'
    | 'TAIL_MISSING'
    | 'CHECKPOINT_MISMATCH'
    | 'CHECKPOINT_FORGED'
    | 'ANCHOR_MISSING'
    | 'ANCHOR_BEHIND'
    | 'VAULT_CHECKPOINTS_BEHIND'
    | 'RECEIPT_MISMATCH';
  /** The event concerned (first altered event; last event present for TAIL_MISSING); null when none. */
  seq: number | null;
  /** The checkpoint concerned, if any. */
  counter: number | null;
  /** Plain-language, PHI-free description. */
  message: string;
}

/** The result of {@link verifyChain}. */
export interface ChainVerification {
  intact: boolean;
  /** Events whose hash was recomputed. */
  checked: number;
  /** First event that differs (EVENT_ALTERED) or the first seq after a gap; null when none. */
  firstBrokenSeq: number | null;
  /** Newest event present. */
  lastSeq: number;
  /** Checkpoints compared (vault and anchor file, deduplicated by counter). */
  checkpointsChecked: number;
  /** The newest authentic checkpoint known, or null. */
  latestCheckpoint: Omit<Checkpoint, 'mac'> | null;
  problems: ChainProblem[];
}

/** A receipt to compare: an event's sequence number and hash, as printed on an exported report. */
export interface Receipt {
  seq: number;
  hash: string;
}

/**
 * Recompute the chain and compare it with every checkpoint and receipt.
 *
 * @param chainKey the HMAC chain key (Vault.subkey('audit-chain-v1'))
 * @param checkpointKey the checkpoint MAC key (Vault.subkey(CHECKPOINT_KEY_PURPOSE))
 * @param dataDir the folder of the vault and its anchor file
 * @param receipts receipts to compare (optional)
 * Cost: one HMAC-SHA256 per event (about 1 µs) plus reading the row; see `npm run bench`.
 */
export function verifyChain(db: Database, chainKey: Buffer, checkpointKey: Buffer, dataDir: string, receipts: Receipt[] = []): ChainVerification {
  const problems: ChainProblem[] = [];
  const inVault = vaultCheckpoints(db);
  const anchor = anchorCheckpoints(dataDir);
  const inFile = anchor?.checkpoints ?? [];

  // Checkpoints: authentic ones are compared with the chain; forged ones are reported.
  const authentic = new Map<number, Checkpoint>();
  for (const [where, list] of [['vault', inVault], ['anchor file', inFile]] as const) {
    for (const c of list) {
      if (!checkpointAuthentic(checkpointKey, c)) {
        problems.push({ code: 'CHECKPOINT_FORGED', seq: null, counter: c.counter, message: `Checkpoint ${c.counter} in the ${where} was not written by ReleaseDesk with this vault's key.` });
        continue;
      }
      const seen = authentic.get(c.counter);
      if (seen && (seen.seq !== c.seq || seen.hash !== c.hash)) {
        problems.push({ code: 'CHECKPOINT_FORGED', seq: c.seq, counter: c.counter, message: `Checkpoint ${c.counter} differs between the vault and the anchor file.` });
      }
      authentic.set(c.counter, c);
    }
  }
  if (anchor && anchor.malformed > 0) {
    problems.push({ code: 'CHECKPOINT_FORGED', seq: null, counter: null, message: `${anchor.malformed} line(s) of the checkpoint file beside the vault cannot be read.` });
  }
  const vaultMax = inVault.reduce((m, c) => Math.max(m, c.counter), 0);
  const fileMax = inFile.reduce((m, c) => Math.max(m, c.counter), 0);
  if (!anchor && vaultMax > 0) {
    problems.push({ code: 'ANCHOR_MISSING', seq: null, counter: vaultMax, message: `The checkpoint file beside the vault is missing, although the vault records ${vaultMax} checkpoint(s).` });
  } else if (anchor && fileMax < vaultMax) {
    problems.push({ code: 'ANCHOR_BEHIND', seq: null, counter: fileMax, message: `The checkpoint file beside the vault ends at checkpoint ${fileMax}, but the vault records checkpoint ${vaultMax}: the file was replaced or cut.` });
  }
  if (fileMax > vaultMax) {
    problems.push({ code: 'VAULT_CHECKPOINTS_BEHIND', seq: null, counter: fileMax, message: `The vault's checkpoints end at ${vaultMax}, but the checkpoint file records ${fileMax}: the vault was rolled back or its checkpoints removed.` });
  }

  const bySeq = new Map<number, Array<{ hash: string; counter: number | null; receipt: boolean }>>();
  for (const c of authentic.values()) push(bySeq, c.seq, { hash: c.hash, counter: c.counter, receipt: false });
  for (const r of receipts) push(bySeq, r.seq, { hash: r.hash.toLowerCase(), counter: null, receipt: true });

  // The chain itself.
  let prev = GENESIS;
  let prevSeq = 0;
  let checked = 0;
  let firstBrokenSeq: number | null = null;
  const seen = new Set<number>();
  const key = createSecretKey(chainKey); // imported once, not per event
  for (const row of iterateAuditTuples(db)) {
    const [seq, at, actor, action, outcome, st, sid, detail, prevHash, hash, actorId] = row;
    if (firstBrokenSeq === null) {
      if (seq !== prevSeq + 1) {
        firstBrokenSeq = seq;
        problems.push({ code: 'EVENTS_MISSING', seq, counter: null, message: `Events ${prevSeq + 1}${seq - 1 > prevSeq + 1 ? `–${seq - 1}` : ''} are missing from the log (the next one present is ${seq}).` });
      } else {
        const expected = createHmac('sha256', key).update(chainBody(prev, { at, actor, action, outcome, subject_type: st, subject_id: sid, detail_json: detail, actor_id: actorId })).digest('hex');
        if (prevHash !== prev || hash !== expected) {
          firstBrokenSeq = seq;
          problems.push({ code: 'EVENT_ALTERED', seq, counter: null, message: `Event ${seq} was changed, inserted or moved: it does not match the chain.` });
        }
      }
      if (firstBrokenSeq === null) checked++;
    }
    const marks = bySeq.get(seq);
    if (marks) {
      seen.add(seq);
      for (const m of marks) {
        if (m.hash !== hash) {
          problems.push(
            m.receipt
              ? { code: 'RECEIPT_MISMATCH', seq, counter: null, message: `Event ${seq} is not the event the receipt recorded: the log was rewritten after the receipt was made.` }
              : { code: 'CHECKPOINT_MISMATCH', seq, counter: m.counter, message: `Event ${seq} no longer matches checkpoint ${m.counter}: the log was rewritten after that checkpoint.` },
          );
        }
      }
    }
    prev = hash;
    prevSeq = seq;
  }
  const lastSeq = prevSeq;

  // The tail: SQLite's AUTOINCREMENT high-water mark and every checkpoint or receipt beyond the last event.
  const hw = auditSequenceHighWater(db);
  const beyond = [...bySeq.keys()].filter((s) => s > lastSeq && s > 0);
  const expectedLast = Math.max(hw, ...beyond, 0);
  if (expectedLast > lastSeq) {
    problems.push({ code: 'TAIL_MISSING', seq: lastSeq, counter: null, message: `Events after ${lastSeq} are missing (the log reached at least event ${expectedLast}).` });
  }
  for (const s of bySeq.keys()) {
    if (s > 0 && s <= lastSeq && !seen.has(s)) {
      problems.push({ code: 'EVENTS_MISSING', seq: s, counter: null, message: `Event ${s}, recorded by a checkpoint or receipt, is missing.` });
    }
  }

  const latest = [...authentic.values()].sort((a, b) => b.counter - a.counter)[0];
  return {
    intact: problems.length === 0,
    checked,
    firstBrokenSeq,
    lastSeq,
    checkpointsChecked: authentic.size,
    latestCheckpoint: latest ? { counter: latest.counter, seq: latest.seq, hash: latest.hash, at: latest.at, reason: latest.reason } : null,
    problems,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
