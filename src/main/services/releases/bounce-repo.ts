/**
 * Vault storage of bounces read back: finding the transmission part a delivery status notification (RFC 3464)
 * is about, marking it bounced, and the ledger of applied reports (migration 9). Repository functions of
 * (db, ...args); call the writing ones inside the transaction that audits the bounce.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PartStatus } from './delivery-repo';

/** The part a report names, with its release. */
export interface BouncedPartRef {
  transmissionId: string;
  releaseId: string;
  part: number;
  of: number;
  status: PartStatus;
  method: string;
  /** The part's Message-ID (with angle brackets). */
  messageId: string;
}

interface RefRow {
  transmission_id: string;
  release_id: string;
  part: number;
  part_of: number;
  status: PartStatus;
  method: string;
  message_id: string;
}
const toRef = (r: RefRow): BouncedPartRef => ({
  transmissionId: r.transmission_id,
  releaseId: r.release_id,
  part: r.part,
  of: r.part_of,
  status: r.status,
  method: r.method,
  messageId: r.message_id,
});

const SELECT_REF = `SELECT p.transmission_id, t.release_id, p.part, p.part_of, p.status, t.method, p.message_id
  FROM transmission_parts p JOIN transmissions t ON t.id = p.transmission_id`;

/**
 * The part sent with DSN envelope id `${envid}.${part}` (RFC 3461 §4.4; send-workflow sets transmissions.envid to
 * the release reference). A release prepared again has several transmissions with the same envid: the newest one
 * whose part left the practice (sent, unconfirmed or already bounced) is meant. @returns null when none matches
 */
export function partByEnvid(db: Database, envid: string, part: number): BouncedPartRef | null {
  const r = db
    .prepare(`${SELECT_REF} WHERE t.envid = ? AND p.part = ? AND p.status IN ('sent','unconfirmed','bounced') ORDER BY t.rowid DESC LIMIT 1`)
    .get(envid, part) as RefRow | undefined;
  return r ? toRef(r) : null;
}

/** The part sent with this Message-ID (with angle brackets, compared case-sensitively as stored). @returns null when none */
export function partByMessageId(db: Database, messageId: string): BouncedPartRef | null {
  const r = db.prepare(`${SELECT_REF} WHERE p.message_id = ? ORDER BY t.rowid DESC LIMIT 1`).get(messageId) as RefRow | undefined;
  return r ? toRef(r) : null;
}

/** The part `part` of transmission `transmissionId`. @returns null when there is none */
export function partOfTransmission(db: Database, transmissionId: string, part: number): BouncedPartRef | null {
  const r = db.prepare(`${SELECT_REF} WHERE p.transmission_id = ? AND p.part = ?`).get(transmissionId, part) as RefRow | undefined;
  return r ? toRef(r) : null;
}

/**
 * Mark a part bounced with its enhanced status code (RFC 3463, e.g. '5.1.1'). Only a part that left the practice
 * ('sent' or 'unconfirmed') changes. @returns whether it changed (false: already bounced, or never left)
 */
export function markPartBounced(db: Database, transmissionId: string, part: number, status: string, at: string): boolean {
  return (
    db
      .prepare("UPDATE transmission_parts SET status = 'bounced', bounce_status = ?, bounced_at = ? WHERE transmission_id = ? AND part = ? AND status IN ('sent','unconfirmed')")
      .run(status, at, transmissionId, part).changes === 1
  );
}

/** One applied report (codes and ids only). */
export interface BounceReportRow {
  digest: string;
  receivedAt: string;
  outcome: 'bounced' | 'delayed' | 'ignored' | 'unmatched' | 'duplicate_part';
  matchedBy: 'envid' | 'message_id' | null;
  transmissionId: string | null;
  part: number | null;
  action: string | null;
  status: string | null;
  source: 'mailbox' | 'staff' | 'test';
}

/** Whether a report with this digest was applied before. */
export function bounceReportSeen(db: Database, digest: string): boolean {
  return db.prepare('SELECT 1 FROM bounce_reports WHERE digest = ?').get(digest) !== undefined;
}

/** Add a report to the ledger (append-only). */
export function insertBounceReport(db: Database, r: BounceReportRow): void {
  db.prepare(
    'INSERT INTO bounce_reports (digest, received_at, outcome, matched_by, transmission_id, part, action, status, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(r.digest, r.receivedAt, r.outcome, r.matchedBy, r.transmissionId, r.part, r.action, r.status, r.source);
}

/** The ledger, newest first (for the release history and tests). */
export function listBounceReports(db: Database, transmissionId?: string): BounceReportRow[] {
  const rows = (
    transmissionId
      ? db.prepare('SELECT * FROM bounce_reports WHERE transmission_id = ? ORDER BY rowid DESC').all(transmissionId)
      : db.prepare('SELECT * FROM bounce_reports ORDER BY rowid DESC').all()
  ) as Array<{
    digest: string;
    received_at: string;
    outcome: BounceReportRow['outcome'];
    matched_by: BounceReportRow['matchedBy'];
    transmission_id: string | null;
    part: number | null;
    action: string | null;
    status: string | null;
    source: BounceReportRow['source'];
  }>;
  return rows.map((r) => ({
    digest: r.digest,
    receivedAt: r.received_at,
    outcome: r.outcome,
    matchedBy: r.matched_by,
    transmissionId: r.transmission_id,
    part: r.part,
    action: r.action,
    status: r.status,
    source: r.source,
  }));
}

/** Keep a patient notice made for a release (PDF bytes inside the vault). @returns its id */
export function insertReleaseNotice(db: Database, n: { id: string; releaseId: string; language: 'en' | 'es'; pageCount: number; pdf: Uint8Array; at: string }): void {
  db.prepare("INSERT INTO release_notices (id, release_id, kind, language, page_count, data, created_at) VALUES (?, ?, 'delivery_failure', ?, ?, ?, ?)").run(
    n.id,
    n.releaseId,
    n.language,
    n.pageCount,
    Buffer.from(n.pdf),
    n.at,
  );
}

/** A stored patient notice. @returns null when there is none with this id */
export function readReleaseNotice(db: Database, id: string): { releaseId: string; language: 'en' | 'es'; pdf: Buffer } | null {
  const r = db.prepare('SELECT release_id, language, data FROM release_notices WHERE id = ?').get(id) as { release_id: string; language: 'en' | 'es'; data: Buffer } | undefined;
  return r ? { releaseId: r.release_id, language: r.language, pdf: r.data } : null;
}
