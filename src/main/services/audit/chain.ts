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
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { anchorCheckpoints, checkpointAuthentic, vaultCheckpoints, type Checkpoint } from './checkpoints';
import { chainExtent, hashesAt } from './chain-repo';
import { verifyRange, type RangeProblem, type RangeResult } from './chain-range';
import { CHAIN_WORKER_SOURCE } from './chain-worker-source';
import type { VaultFileAccess } from '../vault/vault';

export type { VaultFileAccess } from '../vault/vault';

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

/** Options of {@link verifyChainParallel}. */
export interface ParallelOptions {
  /** Worker threads at most (default: the machine's available parallelism, at most 8). */
  workers?: number;
  /** Fewer events than this per worker and the chain is verified in the calling thread (default 50,000). */
  minEventsPerWorker?: number;
  /** Called with an error code when the workers could not run and the calling thread verified instead. */
  onFallback?: (code: string) => void;
}

/**
 * Recompute the chain and compare it with every checkpoint and receipt, in the calling thread.
 *
 * @param chainKey the HMAC chain key (Vault.subkey('audit-chain-v1'))
 * @param checkpointKey the checkpoint MAC key (Vault.subkey(CHECKPOINT_KEY_PURPOSE))
 * @param dataDir the folder of the vault and its anchor file
 * @param receipts receipts to compare (optional)
 * Cost: one HMAC-SHA256 per event plus reading it; {@link verifyChainParallel} spreads that over the cores.
 */
export function verifyChain(db: Database, chainKey: Buffer, checkpointKey: Buffer, dataDir: string, receipts: Receipt[] = []): ChainVerification {
  const marks = readMarks(db, checkpointKey, dataDir, receipts);
  const extent = chainExtent(db);
  return conclude(db, marks, verifyRange(db, chainKey, 0, extent.last), extent);
}

/**
 * The same verification as {@link verifyChain}, with the same result, the events split into consecutive
 * sequence ranges verified in worker threads at once, each on its own read-only SQLCipher connection. Each
 * range starts from the stored hash of the event before it, and that event is recomputed by the range before,
 * so together they check every link. The calling thread (Electron's main process) stays free meanwhile.
 * Events appended while it runs are not covered (the log is measured when it starts). A small log, or
 * workers that cannot start, is verified in the calling thread (`onFallback` is told why).
 *
 * @param access how a worker opens the vault file (Vault.fileAccess())
 * @returns the verification, identical to verifyChain's
 */
export async function verifyChainParallel(
  db: Database,
  access: VaultFileAccess,
  chainKey: Buffer,
  checkpointKey: Buffer,
  dataDir: string,
  receipts: Receipt[] = [],
  opts: ParallelOptions = {},
): Promise<ChainVerification> {
  const marks = readMarks(db, checkpointKey, dataDir, receipts);
  const extent = chainExtent(db);
  const cores = Math.max(1, Math.min(opts.workers ?? availableParallelism(), 8));
  const n = Math.min(cores, Math.floor(extent.count / Math.max(1, opts.minEventsPerWorker ?? 50_000)));
  if (n < 1 || db.memory) return conclude(db, marks, verifyRange(db, chainKey, 0, extent.last), extent);
  // Consecutive ranges (lo, hi] of about equal numbers of sequence numbers, the first from 0.
  const bounds: number[] = [0];
  const span = extent.last - extent.first + 1;
  for (let i = 1; i < n; i++) bounds.push(extent.first - 1 + Math.floor((span * i) / n));
  bounds.push(extent.last);
  let ranges: RangeResult[];
  try {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
    ranges = await Promise.all(bounds.slice(1).map((hi, i) => runRangeWorker({ modulePath, file: access.file, keyPragmas: access.keyPragmas, chainKey: new Uint8Array(chainKey), lo: bounds[i]!, hi })));
  } catch (e) {
    opts.onFallback?.((e as { code?: string }).code ?? 'WORKER_FAILED');
    return conclude(db, marks, verifyRange(db, chainKey, 0, extent.last), extent);
  }
  let checked = 0;
  let problem: RangeProblem | null = null;
  for (const r of ranges) {
    checked += r.checked;
    if (r.problem) {
      problem = r.problem;
      break;
    }
  }
  return conclude(db, marks, { checked, problem }, extent);
}

/** One worker thread over one range; rejects with `{code}` when it fails. */
function runRangeWorker(workerData: { modulePath: string; file: string; keyPragmas: string[]; chainKey: Uint8Array; lo: number; hi: number }): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(CHAIN_WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
    let settled = false;
    w.once('message', (m: ({ ok: true } & RangeResult) | { ok: false; code: string }) => {
      settled = true;
      if (m.ok) resolve({ checked: m.checked, problem: m.problem });
      else reject(Object.assign(new Error('audit chain worker failed'), { code: m.code }));
    });
    w.once('error', (e: Error & { code?: string }) => {
      if (!settled) reject(Object.assign(new Error('audit chain worker failed'), { code: e.code ?? 'WORKER_FAILED' }));
      settled = true;
    });
    w.once('exit', (code) => {
      if (!settled) reject(Object.assign(new Error('audit chain worker exited'), { code: `WORKER_EXIT_${code}` }));
      settled = true;
    });
  });
}

/** What the chain is compared with: the checkpoints' findings so far, the authentic checkpoints, and every checkpoint or receipt by seq. */
interface Marks {
  problems: ChainProblem[];
  authentic: Map<number, Checkpoint>;
  bySeq: Map<number, Array<{ hash: string; counter: number | null; receipt: boolean }>>;
}

function readMarks(db: Database, checkpointKey: Buffer, dataDir: string, receipts: Receipt[]): Marks {
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

  const bySeq: Marks['bySeq'] = new Map();
  for (const c of authentic.values()) push(bySeq, c.seq, { hash: c.hash, counter: c.counter, receipt: false });
  for (const r of receipts) push(bySeq, r.seq, { hash: r.hash.toLowerCase(), counter: null, receipt: true });
  return { problems, authentic, bySeq };
}

/**
 * Combine the chain's first problem with the checkpoints and receipts, in the order a single pass over the log
 * reports them: by event (the chain's finding before the marks at the same event), then the missing tail, then
 * marks whose event is gone.
 */
function conclude(db: Database, marks: Marks, chain: RangeResult, extent: { last: number; highWater: number }): ChainVerification {
  const { problems, authentic, bySeq } = marks;
  const lastSeq = extent.last;
  const present = hashesAt(db, [...bySeq.keys()].filter((s) => s > 0 && s <= lastSeq));
  const p = chain.problem;
  const chainProblem: ChainProblem | null = !p
    ? null
    : p.kind === 'gap'
      ? { code: 'EVENTS_MISSING', seq: p.seq, counter: null, message: `Events ${p.prevSeq + 1}${p.seq - 1 > p.prevSeq + 1 ? `–${p.seq - 1}` : ''} are missing from the log (the next one present is ${p.seq}).` }
      : { code: 'EVENT_ALTERED', seq: p.seq, counter: null, message: `Event ${p.seq} was changed, inserted or moved: it does not match the chain.` };
  let chainReported = false;
  for (const seq of [...present.keys()].sort((a, b) => a - b)) {
    if (chainProblem && !chainReported && chainProblem.seq! <= seq) {
      problems.push(chainProblem);
      chainReported = true;
    }
    const hash = present.get(seq)!;
    for (const m of bySeq.get(seq)!) {
      if (m.hash !== hash) {
        problems.push(
          m.receipt
            ? { code: 'RECEIPT_MISMATCH', seq, counter: null, message: `Event ${seq} is not the event the receipt recorded: the log was rewritten after the receipt was made.` }
            : { code: 'CHECKPOINT_MISMATCH', seq, counter: m.counter, message: `Event ${seq} no longer matches checkpoint ${m.counter}: the log was rewritten after that checkpoint.` },
        );
      }
    }
  }
  if (chainProblem && !chainReported) problems.push(chainProblem);

  // The tail: SQLite's AUTOINCREMENT high-water mark and every checkpoint or receipt beyond the last event.
  const beyond = [...bySeq.keys()].filter((s) => s > lastSeq && s > 0);
  const expectedLast = Math.max(extent.highWater, ...beyond, 0);
  if (expectedLast > lastSeq) {
    problems.push({ code: 'TAIL_MISSING', seq: lastSeq, counter: null, message: `Events after ${lastSeq} are missing (the log reached at least event ${expectedLast}).` });
  }
  for (const s of bySeq.keys()) {
    if (s > 0 && s <= lastSeq && !present.has(s)) {
      problems.push({ code: 'EVENTS_MISSING', seq: s, counter: null, message: `Event ${s}, recorded by a checkpoint or receipt, is missing.` });
    }
  }

  const latest = [...authentic.values()].sort((a, b) => b.counter - a.counter)[0];
  return {
    intact: problems.length === 0,
    checked: chain.checked,
    firstBrokenSeq: p?.seq ?? null,
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
