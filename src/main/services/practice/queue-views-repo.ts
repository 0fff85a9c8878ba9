/** What staff and the practice server's screens read from the shared outbox: activity counts, the queue, the transmission log. */
import type { ReleaseStatus } from '../releases/repo';
import type { SqlEngine } from './engine';
import type { QueueIo, QueueMethod, QueuePart, QueueRelease } from './queue-types';
import { placeRecipient, toPart, type PartRow } from './queue-records-repo';

/** Counts of the queue by status, and what is due now. */
export interface QueueActivity {
  /** 'queued' and due (not_before passed or none). */
  due: number;
  /** 'queued' with a later not_before (waiting for a retry). */
  waiting: number;
  /** 'sending' under a live lease. */
  sending: number;
  /** 'sending' whose lease ended (to recover). */
  lapsed: number;
  byStatus: Partial<Record<ReleaseStatus, number>>;
}

/**
 * How the shared queue stands at `now` (one read): releases due, waiting for a retry, being sent under a live lease,
 * and with a lapsed lease (to recover).
 * @param now the workstation's clock (leases and retry times are epoch ms)
 * @throws AppError store errors (engine.ts)
 */
export async function queueActivity(engine: SqlEngine, now: Date): Promise<QueueActivity> {
  const rows = await engine.all<{ status: ReleaseStatus; due: number; lapsed: number; n: number }>(
    `SELECT status,
       CASE WHEN not_before IS NULL OR not_before <= $1 THEN 1 ELSE 0 END AS due,
       CASE WHEN lease_until IS NOT NULL AND lease_until < $1 THEN 1 ELSE 0 END AS lapsed,
       count(*) AS n
     FROM queue_releases GROUP BY status, 2, 3`,
    [now.getTime()],
  );
  const a: QueueActivity = { due: 0, waiting: 0, sending: 0, lapsed: 0, byStatus: {} };
  for (const r of rows) {
    const n = Number(r.n);
    a.byStatus[r.status] = (a.byStatus[r.status] ?? 0) + n;
    if (r.status === 'queued') {
      if (Number(r.due) === 1) a.due += n;
      else a.waiting += n;
    }
    if (r.status === 'sending') {
      if (Number(r.lapsed) === 1) a.lapsed += n;
      else a.sending += n;
    }
  }
  return a;
}

/**
 * Every release of the shared queue, in queueing order: metadata only (ids, status, claim, lease and retry times in
 * epoch ms, attempts, last error code), nothing sealed is opened.
 * @throws AppError store errors (engine.ts)
 */
export async function listQueuedReleases(engine: SqlEngine): Promise<QueueRelease[]> {
  const rows = await engine.all<{
    id: string;
    reference: string;
    status: ReleaseStatus;
    method: QueueMethod;
    transmission_id: string;
    claimed_by: string | null;
    lease_until: number | null;
    attempts: number;
    not_before: number | null;
    error_code: string | null;
  }>('SELECT id, reference, status, method, transmission_id, claimed_by, lease_until, attempts, not_before, error_code FROM queue_releases ORDER BY queued_ms, id');
  return rows.map((r) => ({
    releaseId: r.id,
    reference: r.reference,
    status: r.status,
    method: r.method,
    transmissionId: r.transmission_id,
    claimedBy: r.claimed_by,
    leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
    attempts: Number(r.attempts),
    notBefore: r.not_before === null ? null : Number(r.not_before),
    errorCode: r.error_code,
  }));
}

/** One row of the transmission log: a part of a transmission with its result (metadata only). */
export interface QueueTransmissionPart extends QueuePart {
  releaseId: string;
  transmissionId: string;
  /** Attempts whose outcome was 'sent' (the server answered 250). */
  acceptedAttempts: number;
}

/**
 * The transmission log of the shared queue: every part of every transmission (release, Message-ID, status, staff's
 * resolution) with how many of its attempts the server accepted with "250" — what a check against the mail
 * server's own count compares.
 * @source 45 CFR 164.528 (the disclosures as they happened), 164.312(b)
 * @throws AppError store errors (engine.ts)
 */
export async function transmissionLog(engine: SqlEngine): Promise<QueueTransmissionPart[]> {
  const rows = await engine.all<PartRow & { release_id: string; transmission_id: string; accepted: number }>(
    `SELECT p.*, t.release_id,
       (SELECT count(*) FROM queue_attempts a WHERE a.transmission_id = p.transmission_id AND a.part = p.part AND a.outcome = 'sent') AS accepted
     FROM queue_parts p JOIN queue_transmissions t ON t.id = p.transmission_id ORDER BY t.release_id, p.part`,
  );
  return rows.map((r) => ({ ...toPart(r), releaseId: r.release_id, transmissionId: r.transmission_id, acceptedAttempts: Number(r.accepted) }));
}

/**
 * The recipient of a queued transmission, opened with the practice data key (for the accounting of disclosures).
 * @returns `{ name, address }`, or null for an unknown transmission
 * @throws AppError PRACTICE_DATA_TAMPERED / PRACTICE_KEY_WRONG when the sealed value does not open; store errors
 * @source 45 CFR 164.528(b)(2)(ii) (the recipient's name and address, if known)
 */
export async function queuedRecipient(engine: SqlEngine, io: QueueIo, transmissionId: string): Promise<{ name: string; address: string } | null> {
  const row = await engine.one<{ recipient_sealed: Buffer }>('SELECT recipient_sealed FROM queue_transmissions WHERE id = $1', [transmissionId]);
  if (!row) return null;
  return JSON.parse(io.sealer.open(placeRecipient(transmissionId), Buffer.from(row.recipient_sealed)).toString('utf8')) as { name: string; address: string };
}

/**
 * The practice server's own clock, in epoch ms (`clock_timestamp()` on PostgreSQL); null on the embedded engine,
 * where the workstation's clock is the only one. Leases and retry times of the shared queue are taken from it, so a
 * workstation whose clock is wrong cannot see a live claim as lapsed (queue-worker.ts).
 * @throws AppError store errors (engine.ts)
 * @source 45 CFR 164.312(b) (one time base for the shared record)
 */
export async function serverClockMs(engine: SqlEngine): Promise<number | null> {
  if (engine.dialect !== 'postgres') return null;
  const r = await engine.one<{ ms: number | string }>('SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS ms');
  return r ? Number(r.ms) : null;
}

/** Where a release of the shared queue stands, for the workstation that prepared it (metadata only). */
export interface QueueOutcome {
  releaseId: string;
  transmissionId: string;
  status: ReleaseStatus;
  /** PHI-free code of the last failure (null when none). */
  errorCode: string | null;
  /** The parts with their results; `sentBy` is the workstation whose attempt the server accepted with "250". */
  parts: Array<QueuePart & { tlsCipher: string | null; sentBy: string | null }>;
}

/**
 * The outcomes of the given releases in the shared queue (unknown ids are left out), with per part the workstation
 * that delivered it — what the origin workstation brings back into its vault (releases/practice-route.ts).
 * @param releaseIds at most a few hundred ids (one statement)
 * @throws AppError store errors (engine.ts)
 * @source 45 CFR 164.528(b)(2) (each disclosure as it happened)
 */
export async function queueOutcomes(engine: SqlEngine, releaseIds: readonly string[]): Promise<QueueOutcome[]> {
  if (releaseIds.length === 0) return [];
  const marks = releaseIds.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await engine.all<PartRow & { release_id: string; release_status: ReleaseStatus; release_error: string | null; transmission_id: string; tls_cipher: string | null; sent_by: string | null }>(
    `SELECT p.*, r.id AS release_id, r.status AS release_status, r.error_code AS release_error,
       (SELECT a.workstation FROM queue_attempts a WHERE a.transmission_id = p.transmission_id AND a.part = p.part AND a.outcome = 'sent' ORDER BY a.seq DESC LIMIT 1) AS sent_by
     FROM queue_releases r JOIN queue_parts p ON p.transmission_id = r.transmission_id
     WHERE r.id IN (${marks}) ORDER BY r.id, p.part`,
    [...releaseIds],
  );
  const out = new Map<string, QueueOutcome>();
  for (const r of rows) {
    let o = out.get(r.release_id);
    if (!o) {
      o = { releaseId: r.release_id, transmissionId: r.transmission_id, status: r.release_status, errorCode: r.release_error, parts: [] };
      out.set(r.release_id, o);
    }
    o.parts.push({ ...toPart(r), tlsCipher: r.tls_cipher, sentBy: r.sent_by });
  }
  return [...out.values()];
}
