/**
 * Vault storage of the send path: per-part states and every attempt of a transmission, the composed
 * messages of an email release with their envelope (the outbox, stored before the first byte leaves),
 * and files kept only in the vault (the print-ready packet). Repository functions of (db, ...args);
 * call the writing ones inside the audited transaction of the action they belong to.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { TransmissionPartT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';

export * from './outbox-repo';

/** A part's state: 'sending' = an attempt started; 'unconfirmed' = handed over, no reply (may have been delivered). */
export type PartStatus = 'pending' | 'sending' | 'sent' | 'unconfirmed' | 'failed' | 'bounced';

/** One part's state as stored. */
export interface StoredPart {
  part: number;
  of: number;
  status: PartStatus;
  messageId: string;
  sentAt: string | null;
  smtpResponse: string | null;
  tlsProtocol: string | null;
  tlsCipher: string | null;
  errorCode: string | null;
  sizeBytes: number | null;
  attempts: number;
  handedOverAt: string | null;
  resolution: 'recipient_confirmed' | 'resend' | null;
}

interface PartRow {
  part: number;
  part_of: number;
  status: PartStatus;
  message_id: string;
  sent_at: string | null;
  smtp_response: string | null;
  tls_protocol: string | null;
  tls_cipher: string | null;
  error_code: string | null;
  size_bytes: number | null;
  attempts: number;
  handed_over_at: string | null;
  resolution: 'recipient_confirmed' | 'resend' | null;
}

const toPart = (r: PartRow): StoredPart => ({
  part: r.part,
  of: r.part_of,
  status: r.status,
  messageId: r.message_id,
  sentAt: r.sent_at,
  smtpResponse: r.smtp_response,
  tlsProtocol: r.tls_protocol,
  tlsCipher: r.tls_cipher,
  errorCode: r.error_code,
  sizeBytes: r.size_bytes,
  attempts: r.attempts,
  handedOverAt: r.handed_over_at,
  resolution: r.resolution,
});

/** Add a part of a transmission, 'pending' (prepared, not tried). Call inside the transaction that stores the outbox. */
export function insertPendingPart(db: Database, transmissionId: string, p: { part: number; of: number; messageId: string; sizeBytes: number }): void {
  db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, size_bytes) VALUES (?, ?, ?, 'pending', ?, ?)").run(
    transmissionId,
    p.part,
    p.of,
    p.messageId,
    p.sizeBytes,
  );
}

/** Add a part that is complete at once (export and print: no server involved). */
export function insertDeliveredPart(db: Database, transmissionId: string, p: { part: number; of: number; messageId: string; at: string }): void {
  db.prepare("INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, sent_at, attempts) VALUES (?, ?, ?, 'sent', ?, ?, 1)").run(
    transmissionId,
    p.part,
    p.of,
    p.messageId,
    p.at,
  );
}

/** The stored parts of a transmission, in part order. */
export function storedParts(db: Database, transmissionId: string): StoredPart[] {
  return (db.prepare('SELECT * FROM transmission_parts WHERE transmission_id = ? ORDER BY part').all(transmissionId) as PartRow[]).map(toPart);
}

/**
 * Claim a part for an attempt: status 'sending', attempt count + 1, a new attempt row. Committed BEFORE the
 * connection is opened, so a crash leaves a trace. @returns the attempt's sequence number
 */
export function beginPartAttempt(db: Database, transmissionId: string, part: number, at: string): number {
  db.prepare("UPDATE transmission_parts SET status = 'sending', attempts = attempts + 1, handed_over_at = NULL WHERE transmission_id = ? AND part = ?").run(transmissionId, part);
  return Number(db.prepare('INSERT INTO transmission_attempts (transmission_id, part, started_at) VALUES (?, ?, ?)').run(transmissionId, part, at).lastInsertRowid);
}

/**
 * Record that the whole message of a part, up to but not including the final "." of DATA, was handed to the
 * server: from now on a missing reply means "may have been delivered". Committed before that "." is written.
 */
export function markPartHandedOver(db: Database, transmissionId: string, part: number, at: string): void {
  db.prepare('UPDATE transmission_parts SET handed_over_at = ? WHERE transmission_id = ? AND part = ?').run(at, transmissionId, part);
}

/** The server accepted the part (RFC 5321 §4.2.5 "250" after DATA). */
export function recordPartSent(
  db: Database,
  transmissionId: string,
  part: number,
  attemptSeq: number,
  r: { at: string; smtpResponse: string; tlsProtocol: string; tlsCipher: string },
): void {
  db.prepare(
    "UPDATE transmission_parts SET status = 'sent', sent_at = ?, smtp_response = ?, tls_protocol = ?, tls_cipher = ?, error_code = NULL WHERE transmission_id = ? AND part = ?",
  ).run(r.at, r.smtpResponse, r.tlsProtocol, r.tlsCipher, transmissionId, part);
  db.prepare("UPDATE transmission_attempts SET ended_at = ?, outcome = 'sent', smtp_response = ?, tls_protocol = ?, tls_cipher = ? WHERE seq = ?").run(
    r.at,
    r.smtpResponse,
    r.tlsProtocol,
    r.tlsCipher,
    attemptSeq,
  );
}

/**
 * The attempt did not end in "250": 'failed' (the server refused, or the connection broke before the message
 * was complete — nothing can have been delivered) or 'unconfirmed' (handed over, no reply).
 */
export function recordPartFailure(
  db: Database,
  transmissionId: string,
  part: number,
  attemptSeq: number,
  r: { at: string; status: 'failed' | 'unconfirmed'; code: string; transient: boolean },
): void {
  db.prepare('UPDATE transmission_parts SET status = ?, error_code = ? WHERE transmission_id = ? AND part = ?').run(r.status, r.code, transmissionId, part);
  db.prepare('UPDATE transmission_attempts SET ended_at = ?, outcome = ?, error_code = ?, transient = ? WHERE seq = ?').run(
    r.at,
    r.status === 'unconfirmed' ? 'no_reply' : 'failed',
    r.code,
    r.transient ? 1 : 0,
    attemptSeq,
  );
}

/**
 * Crash recovery of the parts of a transmission left 'sending': handed over → 'unconfirmed' (may have been
 * delivered), otherwise → 'pending' (the final "." was never written: nothing can have been delivered).
 * Their open attempt rows end as 'interrupted'. @returns how many parts went each way
 */
export function recoverSendingParts(db: Database, transmissionId: string, at: string): { unconfirmed: number; pending: number } {
  const rows = db.prepare("SELECT part, handed_over_at FROM transmission_parts WHERE transmission_id = ? AND status = 'sending'").all(transmissionId) as Array<{
    part: number;
    handed_over_at: string | null;
  }>;
  let unconfirmed = 0;
  for (const r of rows) {
    const to = r.handed_over_at ? 'unconfirmed' : 'pending';
    if (to === 'unconfirmed') unconfirmed++;
    db.prepare("UPDATE transmission_parts SET status = ?, error_code = 'SEND_INTERRUPTED' WHERE transmission_id = ? AND part = ?").run(to, transmissionId, r.part);
  }
  db.prepare("UPDATE transmission_attempts SET ended_at = ?, outcome = 'interrupted', error_code = 'SEND_INTERRUPTED' WHERE transmission_id = ? AND ended_at IS NULL").run(at, transmissionId);
  return { unconfirmed, pending: rows.length - unconfirmed };
}

/** Staff's decision on the unconfirmed parts: the recipient confirmed receipt (→ sent), or resend the same stored message (→ pending). */
export function resolveUnconfirmedParts(db: Database, transmissionId: string, choice: 'recipient_confirmed' | 'resend', by: string, at: string): number {
  return db
    .prepare(
      `UPDATE transmission_parts SET status = CASE WHEN ? = 'recipient_confirmed' THEN 'sent' ELSE 'pending' END,
         sent_at = CASE WHEN ? = 'recipient_confirmed' THEN handed_over_at ELSE sent_at END,
         resolution = ?, resolved_by = ?, resolved_at = ?
       WHERE transmission_id = ? AND status = 'unconfirmed'`,
    )
    .run(choice, choice, choice, by, at, transmissionId).changes;
}

/** Every attempt of a transmission's parts, oldest first (for the release's history). */
export function transmissionAttempts(
  db: Database,
  transmissionId: string,
): Array<{ part: number; startedAt: string; endedAt: string | null; outcome: string | null; errorCode: string | null; transient: boolean | null }> {
  return (
    db.prepare('SELECT part, started_at, ended_at, outcome, error_code, transient FROM transmission_attempts WHERE transmission_id = ? ORDER BY seq').all(transmissionId) as Array<{
      part: number;
      started_at: string;
      ended_at: string | null;
      outcome: string | null;
      error_code: string | null;
      transient: number | null;
    }>
  ).map((r) => ({ part: r.part, startedAt: r.started_at, endedAt: r.ended_at, outcome: r.outcome, errorCode: r.error_code, transient: r.transient === null ? null : r.transient === 1 }));
}

/** The per-part results of a transmission, in part order (contract shape). */
export function transmissionParts(db: Database, transmissionId: string): TransmissionPartT[] {
  return storedParts(db, transmissionId).map((p) => ({
    part: p.part,
    of: p.of,
    status: p.status,
    messageId: p.messageId,
    at: p.sentAt,
    smtpResponse: p.smtpResponse,
    errorCode: p.errorCode,
    attempts: p.attempts,
    resolution: p.resolution,
  }));
}

/** Recompute a transmission's summary after a part result: parts accepted, time and facts of the last accepted part. */
export function refreshTransmissionSummary(db: Database, transmissionId: string): void {
  const parts = storedParts(db, transmissionId);
  const sent = parts.filter((p) => p.status === 'sent' || p.status === 'bounced');
  const last = [...sent].sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? '')).at(-1);
  if (!last) {
    db.prepare('UPDATE transmissions SET parts_sent = 0 WHERE id = ?').run(transmissionId);
    return;
  }
  db.prepare('UPDATE transmissions SET parts_sent = ?, at = ?, smtp_response = ?, tls_protocol = ?, tls_cipher = ? WHERE id = ?').run(
    sent.length,
    last.sentAt ?? '',
    last.smtpResponse ?? '',
    last.tlsProtocol ?? '',
    last.tlsCipher ?? '',
    transmissionId,
  );
}

/** The open transmission of a release: prepared, not closed, not complete (null when none). */
export function openTransmission(db: Database, releaseId: string): { id: string; method: string; contentDigest: string | null; envid: string | null } | null {
  const r = db
    .prepare(
      `SELECT t.id, t.method, t.content_digest, t.envid FROM transmissions t
       WHERE t.release_id = ? AND t.closed_at IS NULL AND t.method IN ('openpgp-pgp-mime','smime','password-pdf','tls-only-email')
         AND EXISTS (SELECT 1 FROM transmission_parts p WHERE p.transmission_id = t.id AND p.status <> 'sent')
       ORDER BY t.rowid DESC LIMIT 1`,
    )
    .get(releaseId) as { id: string; method: string; content_digest: string | null; envid: string | null } | undefined;
  return r ? { id: r.id, method: r.method, contentDigest: r.content_digest, envid: r.envid } : null;
}

/** Close a transmission from which nothing went out (staff withdrew, cancelled or replaced it). The record stays. */
export function closeTransmission(db: Database, transmissionId: string, reason: 'withdrawn' | 'cancelled' | 'superseded', at: string): void {
  db.prepare('UPDATE transmissions SET closed_at = ?, closed_reason = ? WHERE id = ? AND closed_at IS NULL').run(at, reason, transmissionId);
}

/** Keep a password PDF's passphrase with its transmission (inside the vault) until staff gave it to the recipient. */
export function storePassphrase(db: Database, transmissionId: string, passphrase: string): void {
  db.prepare('UPDATE transmissions SET passphrase = ? WHERE id = ?').run(passphrase, transmissionId);
}

/** The kept passphrase of the release's newest password-PDF transmission (null when none is kept). */
export function keptPassphrase(db: Database, releaseId: string): { transmissionId: string; passphrase: string } | null {
  const r = db
    .prepare("SELECT id, passphrase FROM transmissions WHERE release_id = ? AND passphrase IS NOT NULL ORDER BY rowid DESC LIMIT 1")
    .get(releaseId) as { id: string; passphrase: string } | undefined;
  return r ? { transmissionId: r.id, passphrase: r.passphrase } : null;
}

/** Erase the kept passphrase(s) of a release once staff gave it to the recipient; the time stays. @returns how many were erased */
export function erasePassphrase(db: Database, releaseId: string, at: string): number {
  return db.prepare('UPDATE transmissions SET passphrase = NULL, passphrase_given_at = ? WHERE release_id = ? AND passphrase IS NOT NULL').run(at, releaseId).changes;
}

/** Record what a transmission was prepared from, and the DSN envelope id base of its parts. */
export function setTransmissionPreparation(db: Database, transmissionId: string, contentDigest: string, envid: string): void {
  db.prepare('UPDATE transmissions SET content_digest = ?, envid = ? WHERE id = ?').run(contentDigest, envid, transmissionId);
}

/** Keep the print-ready packet in the vault. @returns its id */
export function insertPrintable(db: Database, releaseId: string, p: { pdf: Uint8Array; pageCount: number; title: string }, now: Date): string {
  const id = newId();
  db.prepare("INSERT INTO release_artifacts (id, release_id, kind, page_count, title, data, created_at) VALUES (?, ?, 'printable', ?, ?, ?, ?)").run(
    id,
    releaseId,
    p.pageCount,
    p.title,
    Buffer.from(p.pdf),
    now.toISOString(),
  );
  return id;
}

/** A print-ready packet from the vault. @throws AppError NOT_FOUND */
export function readPrintable(db: Database, id: string): { releaseId: string; pdf: Buffer; pageCount: number; title: string } {
  const r = db.prepare("SELECT release_id, data, page_count, title FROM release_artifacts WHERE id = ? AND kind = 'printable'").get(id) as
    | { release_id: string; data: Buffer; page_count: number; title: string }
    | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That print packet does not exist.');
  return { releaseId: r.release_id, pdf: r.data, pageCount: r.page_count, title: r.title };
}

/** One release in the outbox view (contract OutboxEntry without `sendingNow`). */
export interface OutboxRow {
  releaseId: string;
  reference: string;
  status: 'queued' | 'sending' | 'unconfirmed' | 'failed' | 'partly_sent' | 'bounced' | 'waiting_for_server' | 'with_practice_server';
  method: string | null;
  patientName: string;
  recipientName: string | null;
  nextAttemptAt: string | null;
  attempts: number;
  paused: boolean;
  lastError: { code: string; message: string; at: string } | null;
  partsTotal: number;
  partsSent: number;
  partsUnconfirmed: number;
}

/** Releases in `statuses` with their open (or newest) email transmission's part counts, most urgent first. */
export function releasesInStatusWithTransmission(db: Database, statuses: readonly OutboxRow['status'][]): OutboxRow[] {
  const rows = db
    .prepare(
      `SELECT r.id, r.reference, r.status, r.delivery_method, r.patient_name, r.recipient_name, r.next_attempt_at, r.send_attempts, r.queue_paused,
              r.last_error_code, r.last_error_message, r.last_error_at, r.updated_at,
              (SELECT t.id FROM transmissions t WHERE t.release_id = r.id AND t.method IN ('openpgp-pgp-mime','smime','password-pdf','tls-only-email')
                 ORDER BY (t.closed_at IS NULL) DESC, t.rowid DESC LIMIT 1) AS tid
       FROM releases r WHERE r.status IN (${statuses.map(() => '?').join(',')})
       ORDER BY CASE r.status WHEN 'unconfirmed' THEN 0 WHEN 'failed' THEN 1 WHEN 'partly_sent' THEN 2 WHEN 'bounced' THEN 3 WHEN 'sending' THEN 4 ELSE 5 END,
                r.next_attempt_at, r.updated_at`,
    )
    .all(...statuses) as Array<{
    id: string;
    reference: string;
    status: OutboxRow['status'];
    delivery_method: string | null;
    patient_name: string;
    recipient_name: string | null;
    next_attempt_at: string | null;
    send_attempts: number;
    queue_paused: number;
    last_error_code: string | null;
    last_error_message: string | null;
    last_error_at: string | null;
    updated_at: string;
    tid: string | null;
  }>;
  return rows.map((r) => {
    const parts = r.tid ? storedParts(db, r.tid) : [];
    return {
      releaseId: r.id,
      reference: r.reference,
      status: r.status,
      method: r.delivery_method,
      patientName: r.patient_name,
      recipientName: r.recipient_name,
      nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null,
      attempts: r.send_attempts,
      paused: r.queue_paused === 1,
      lastError: r.last_error_code ? { code: r.last_error_code, message: r.last_error_message ?? '', at: r.last_error_at ?? r.updated_at } : null,
      partsTotal: parts.length,
      partsSent: parts.filter((p) => p.status === 'sent').length,
      partsUnconfirmed: parts.filter((p) => p.status === 'unconfirmed').length,
    };
  });
}
