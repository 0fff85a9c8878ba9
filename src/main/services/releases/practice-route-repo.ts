/**
 * The vault's side of releases sent through the practice server (releases/practice-route.ts): when a release was
 * handed to the shared outbox, and the outcome brought back — each part's result as the server recorded it and the
 * workstation that delivered it. Repository functions of (db, ...args); SQL only here.
 * @source 45 CFR 164.528(b)(2) (each disclosure: date, recipient, what — as it happened), 164.312(b)
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** A part's result as the practice server recorded it (practice/queue-views-repo.ts QueueOutcome). */
export interface PracticePartResult {
  part: number;
  status: 'pending' | 'sending' | 'sent' | 'unconfirmed' | 'failed' | 'bounced';
  attempts: number;
  handedOverAt: string | null;
  sentAt: string | null;
  smtpResponse: string | null;
  tlsProtocol: string | null;
  tlsCipher: string | null;
  errorCode: string | null;
  /** Staff's decision on an unconfirmed part, as recorded on the server. */
  resolution: 'recipient_confirmed' | 'resend' | null;
}

/** Record that the transmission was handed to the practice's shared outbox at `at` (ISO). Inside the transition's transaction. */
export function markPushedToPractice(db: Database, transmissionId: string, at: string): void {
  db.prepare('UPDATE transmissions SET practice_pushed_at = ? WHERE id = ? AND practice_pushed_at IS NULL').run(at, transmissionId);
}

/** Whether the transmission was handed to the practice's shared outbox (and when: ISO), or null. */
export function pushedToPracticeAt(db: Database, transmissionId: string): string | null {
  const r = db.prepare('SELECT practice_pushed_at AS at FROM transmissions WHERE id = ?').get(transmissionId) as { at: string | null } | undefined;
  return r?.at ?? null;
}

/**
 * Write a part's result from the practice server into the vault's part row (status, attempts, hand-over, the
 * server's reply and TLS facts, error code). 'sending' on the server stays 'pending' here (it is not settled yet).
 * Inside the transaction that settles the release.
 */
export function writePracticePartResult(db: Database, transmissionId: string, p: PracticePartResult): void {
  db.prepare(
    `UPDATE transmission_parts SET status = ?, attempts = ?, handed_over_at = ?, sent_at = ?, smtp_response = ?, tls_protocol = ?, tls_cipher = ?, error_code = ?,
       resolution = COALESCE(?, resolution)
     WHERE transmission_id = ? AND part = ?`,
  ).run(
    p.status === 'sending' ? 'pending' : p.status,
    p.attempts,
    p.handedOverAt,
    p.sentAt,
    p.smtpResponse,
    p.tlsProtocol,
    p.tlsCipher,
    p.errorCode,
    p.resolution,
    transmissionId,
    p.part,
  );
}

/** Record who delivered the transmission (a workstation's label and id, never PHI) and when the outcome was brought back. */
export function markOutcomePulled(db: Database, transmissionId: string, workstation: string | null, at: string): void {
  db.prepare('UPDATE transmissions SET sent_by_workstation = ?, outcome_pulled_at = ? WHERE id = ?').run(workstation, at, transmissionId);
}

/** The workstation that delivered the transmission through the practice server (its label and id), or null (sent from this vault directly). */
export function sentByWorkstation(db: Database, transmissionId: string): string | null {
  const r = db.prepare('SELECT sent_by_workstation AS w FROM transmissions WHERE id = ?').get(transmissionId) as { w: string | null } | undefined;
  return r?.w ?? null;
}

/**
 * Releases prepared in this vault and waiting to be handed to the shared outbox ('queued' or 'waiting_for_server',
 * not paused) whose open transmission has every part still 'pending' (nothing left from here yet), oldest first.
 */
export function releasesToPush(db: Database): string[] {
  return (
    db
      .prepare(
        `SELECT r.id FROM releases r
         WHERE r.status IN ('queued', 'waiting_for_server') AND r.queue_paused = 0
           AND EXISTS (SELECT 1 FROM transmissions t WHERE t.release_id = r.id AND t.closed_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM transmissions t JOIN transmission_parts p ON p.transmission_id = t.id
                           WHERE t.release_id = r.id AND t.closed_at IS NULL AND p.status <> 'pending')
         ORDER BY r.updated_at, r.id`,
      )
      .all() as Array<{ id: string }>
  ).map((r) => r.id);
}

/**
 * Transmissions of this vault delivered through the practice's shared outbox whose outcome was brought back since
 * `sinceIso` and that have a part that left ('sent' or 'unconfirmed', not yet bounced): the ones a bounce recorded on
 * the shared outbox can still be about (reports come within days; RFC 3464 §1). Newest first, at most `limit`.
 */
export function transmissionsAwaitingBounces(db: Database, sinceIso: string, limit = 500): string[] {
  return (
    db
      .prepare(
        `SELECT t.id FROM transmissions t
         WHERE t.practice_pushed_at IS NOT NULL AND t.outcome_pulled_at >= ?
           AND EXISTS (SELECT 1 FROM transmission_parts p WHERE p.transmission_id = t.id AND p.status IN ('sent', 'unconfirmed'))
         ORDER BY t.outcome_pulled_at DESC LIMIT ?`,
      )
      .all(sinceIso, limit) as Array<{ id: string }>
  ).map((r) => r.id);
}
