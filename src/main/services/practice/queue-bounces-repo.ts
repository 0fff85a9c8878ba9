/**
 * Bounces of releases sent from the practice's shared outbox (issue #17): a delivery status notification (RFC 3464)
 * about a release that workstation B delivered for A's vault arrives in whichever bounce mailbox a workstation polls;
 * that workstation records it HERE, on the shared outbox's part (practice migration 0007), and A's vault brings it in
 * like the other outcomes (releases/practice-route.ts pullBounces). Only codes and ids are stored: the report's
 * digest (never its text), how it was matched, Action, Status (RFC 3463), who read it, when.
 * SQL only here and in the other queue repositories; re-exported by queue-repo.ts.
 * @source RFC 3464 §2.3.3 (Action), RFC 3463 (status codes), RFC 3461 §4.4 (ENVID); 45 CFR 164.312(b), 164.528
 */
import type { ReleaseStatus } from '../releases/repo';
import { canMoveRelease } from '../releases/state';
import type { SqlEngine } from './engine';
import type { QueueIo } from './queue-types';
import { lock, moveQueued } from './queue-records-repo';

/** A report as the workstation that read it parsed it (codes and ids only; nothing of its text). */
export interface SharedBounceReport {
  /** SHA-256 (hex) over the report's fields (releases/bounces.ts dsnDigest): the same report read twice, once. */
  digest: string;
  /** Original-Envelope-Id as sent (`${envid}.${part}`), or null. */
  envid: string | null;
  /** Message-ID of the returned headers (with angle brackets), or null. */
  originalMessageId: string | null;
  /** Action of the deciding recipient group. */
  action: 'failed' | 'delayed';
  /** Enhanced status code, e.g. '5.1.1' (RFC 3463). */
  status: string;
}

/** What {@link recordQueueBounce} did. */
export interface SharedBounceOutcome {
  outcome: 'bounced' | 'delayed' | 'duplicate' | 'duplicate_part' | 'unmatched';
  releaseId?: string;
  reference?: string;
  transmissionId?: string;
  part?: number;
  of?: number;
}

interface PartMatch {
  transmission_id: string;
  part: number;
  part_of: number;
  status: string;
  release_id: string;
  reference: string;
}

const PART_SELECT = `SELECT p.transmission_id, p.part, p.part_of, p.status, t.release_id, r.reference
  FROM queue_parts p JOIN queue_transmissions t ON t.id = p.transmission_id JOIN queue_releases r ON r.id = t.release_id`;

/**
 * Find the part of the shared outbox a report is about: by the returned Message-ID (unique in the practice) first,
 * else by ENVID `${envid}.${part}` among parts that left the practice — only when exactly one matches (two
 * workstations' references can coincide: an ambiguous report is not guessed).
 */
async function findSharedPart(tx: SqlEngine, r: SharedBounceReport): Promise<{ row: PartMatch; by: 'message_id' | 'envid' } | null> {
  if (r.originalMessageId) {
    const row = await tx.one<PartMatch>(`${PART_SELECT} WHERE p.message_id = $1`, [r.originalMessageId.trim()]);
    if (row) return { row, by: 'message_id' };
  }
  const m = r.envid ? /^(.+)\.(\d{1,4})$/.exec(r.envid) : null;
  if (!m) return null;
  const rows = await tx.all<PartMatch>(`${PART_SELECT} WHERE t.envid = $1 AND p.part = $2 AND p.status IN ('sent', 'unconfirmed', 'bounced')`, [m[1]!, Number(m[2])]);
  return rows.length === 1 ? { row: rows[0]!, by: 'envid' } : null;
}

/**
 * Record a report on the shared outbox, in one transaction under the release's row lock (two workstations reading
 * the same report apply it once): 'failed' → the part 'bounced' with its status code and the release 'bounced'
 * through RELEASE_TRANSITIONS ('release.bounced' on the shared chain; a release that cannot move — e.g. being sent
 * again — gets 'release.part_bounced'); 'delayed' → noted ('release.delivery_delayed'). The report's digest, how it
 * was matched and who read it go to queue_bounce_reports. A report about no part of the shared outbox writes nothing.
 * @param reportedBy the workstation that read it (its label and id, never PHI)
 * @returns see {@link SharedBounceOutcome}
 * @throws store errors (engine.ts): the caller leaves the report unread, to be read again
 * @source RFC 3464 §2.3.3, RFC 3463; 45 CFR 164.312(b)
 */
export async function recordQueueBounce(engine: SqlEngine, io: QueueIo, r: SharedBounceReport, reportedBy: string, now: Date): Promise<SharedBounceOutcome> {
  return engine.transaction(async (tx) => {
    const match = await findSharedPart(tx, r);
    if (!match) return { outcome: 'unmatched' };
    const { row, by } = match;
    const rel = await tx.one<{ status: ReleaseStatus }>(`SELECT status FROM queue_releases WHERE id = $1${lock(tx)}`, [row.release_id]);
    const where = { releaseId: row.release_id, reference: row.reference, transmissionId: row.transmission_id, part: Number(row.part), of: Number(row.part_of) };
    if (await tx.one('SELECT digest FROM queue_bounce_reports WHERE digest = $1', [r.digest])) return { outcome: 'duplicate', ...where };
    const at = now.toISOString();
    const ledger = (outcome: string) =>
      tx.run('INSERT INTO queue_bounce_reports (digest, received_at, reported_by, matched_by, transmission_id, part, action, status, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        r.digest,
        at,
        reportedBy,
        by,
        row.transmission_id,
        row.part,
        r.action,
        r.status,
        outcome,
      ]);
    const detail = { transmissionId: row.transmission_id, part: Number(row.part), of: Number(row.part_of), status: r.status, matchedBy: by, reportedBy };
    const actor = { actor: `Workstation ${reportedBy}`, actorId: null };
    if (r.action === 'delayed') {
      await ledger('delayed');
      await io.audit(tx, { at: now, ...actor, action: 'release.delivery_delayed', outcome: 'success', subjectType: 'release', subjectId: row.release_id, detail });
      return { outcome: 'delayed', ...where };
    }
    const changed = await tx.run(
      "UPDATE queue_parts SET status = 'bounced', bounce_status = $3, bounced_at = $4 WHERE transmission_id = $1 AND part = $2 AND status IN ('sent', 'unconfirmed')",
      [row.transmission_id, row.part, r.status, at],
    );
    if (changed.changes !== 1) {
      await ledger('duplicate_part');
      return { outcome: 'duplicate_part', ...where };
    }
    await ledger('bounced');
    if (rel && canMoveRelease(rel.status, 'bounced')) {
      await moveQueued(tx, io, row.release_id, 'bounced', now, { by: actor, error: { code: 'DELIVERY_BOUNCED' }, audit: { action: 'release.bounced', outcome: 'failure', detail } });
    } else {
      await io.audit(tx, { at: now, ...actor, action: 'release.part_bounced', outcome: 'failure', subjectType: 'release', subjectId: row.release_id, detail: { ...detail, releaseStatus: rel?.status ?? 'none' } });
    }
    return { outcome: 'bounced', ...where };
  });
}

/** A part of the shared outbox that a report said was not delivered. */
export interface SharedBouncedPart {
  transmissionId: string;
  part: number;
  /** Enhanced status code (RFC 3463). */
  status: string;
  bouncedAt: string;
  /** The workstation that read the report. */
  reportedBy: string | null;
}

/**
 * The bounced parts of the given transmissions (what the origin vault brings in; unknown ids are left out).
 * @param transmissionIds at most a few hundred ids (one statement)
 * @throws store errors (engine.ts)
 */
export async function queueBounces(engine: SqlEngine, transmissionIds: readonly string[]): Promise<SharedBouncedPart[]> {
  if (transmissionIds.length === 0) return [];
  const marks = transmissionIds.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await engine.all<{ transmission_id: string; part: number; bounce_status: string; bounced_at: string; reported_by: string | null }>(
    `SELECT p.transmission_id, p.part, p.bounce_status, p.bounced_at,
       (SELECT b.reported_by FROM queue_bounce_reports b WHERE b.transmission_id = p.transmission_id AND b.part = p.part AND b.outcome = 'bounced' ORDER BY b.received_at LIMIT 1) AS reported_by
     FROM queue_parts p WHERE p.transmission_id IN (${marks}) AND p.status = 'bounced' AND p.bounce_status IS NOT NULL ORDER BY p.transmission_id, p.part`,
    [...transmissionIds],
  );
  return rows.map((x) => ({ transmissionId: x.transmission_id, part: Number(x.part), status: x.bounce_status, bouncedAt: x.bounced_at, reportedBy: x.reported_by }));
}
