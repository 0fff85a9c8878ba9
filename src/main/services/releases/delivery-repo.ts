/**
 * Vault storage of the delivery methods (issue #4): per-part send results of a transmission,
 * the composed messages of an email release that is not complete yet (the outbox), and files
 * kept only in the vault (the print-ready packet). Repository functions of (db, ...args);
 * call the writing ones inside the audited transaction of the action they belong to.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { TransmissionPartT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';

/** One part's state as stored. */
export interface StoredPart {
  part: number;
  of: number;
  status: 'sent' | 'failed' | 'pending';
  messageId: string;
  sentAt: string | null;
  smtpResponse: string | null;
  tlsProtocol: string | null;
  tlsCipher: string | null;
  errorCode: string | null;
}

/** Insert or replace the result of one part of a transmission (RFC 5321 reply and TLS facts when sent). */
export function upsertTransmissionPart(db: Database, transmissionId: string, p: StoredPart): void {
  db.prepare(
    `INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, sent_at, smtp_response, tls_protocol, tls_cipher, error_code)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (transmission_id, part) DO UPDATE SET status = excluded.status, message_id = excluded.message_id, sent_at = excluded.sent_at,
       smtp_response = excluded.smtp_response, tls_protocol = excluded.tls_protocol, tls_cipher = excluded.tls_cipher, error_code = excluded.error_code`,
  ).run(transmissionId, p.part, p.of, p.status, p.messageId, p.sentAt, p.smtpResponse, p.tlsProtocol, p.tlsCipher, p.errorCode);
}

/** The per-part results of a transmission, in part order (contract shape). */
export function transmissionParts(db: Database, transmissionId: string): TransmissionPartT[] {
  const rows = db
    .prepare('SELECT part, part_of, status, message_id, sent_at, smtp_response, error_code FROM transmission_parts WHERE transmission_id = ? ORDER BY part')
    .all(transmissionId) as Array<{ part: number; part_of: number; status: TransmissionPartT['status']; message_id: string; sent_at: string | null; smtp_response: string | null; error_code: string | null }>;
  return rows.map((r) => ({ part: r.part, of: r.part_of, status: r.status, messageId: r.message_id, at: r.sent_at, smtpResponse: r.smtp_response, errorCode: r.error_code }));
}

/** Part numbers of a transmission the server already accepted (for send-parts.ts `alreadySent`). */
export function sentPartNumbers(db: Database, transmissionId: string): number[] {
  return (db.prepare("SELECT part FROM transmission_parts WHERE transmission_id = ? AND status = 'sent' ORDER BY part").all(transmissionId) as Array<{ part: number }>).map((r) => r.part);
}

/** Update a transmission's progress after an attempt (parts accepted so far, and the first accepted part's facts). */
export function updateTransmissionProgress(
  db: Database,
  transmissionId: string,
  u: { partsSent: number; at: string; messageId: string; smtpResponse: string; tlsProtocol: string; tlsCipher: string },
): void {
  db.prepare('UPDATE transmissions SET parts_sent = ?, at = ?, message_id = ?, smtp_response = ?, tls_protocol = ?, tls_cipher = ? WHERE id = ?').run(
    u.partsSent,
    u.at,
    u.messageId,
    u.smtpResponse,
    u.tlsProtocol,
    u.tlsCipher,
    transmissionId,
  );
}

/** The open (not complete) email transmission of a release with the given method, if any. */
export function openTransmissionId(db: Database, releaseId: string, method: string): string | null {
  const r = db
    .prepare('SELECT id FROM transmissions WHERE release_id = ? AND method = ? AND parts_sent < parts_total ORDER BY at DESC LIMIT 1')
    .get(releaseId, method) as { id: string } | undefined;
  return r?.id ?? null;
}

/** One composed message waiting in the outbox. */
export interface OutboxMessage {
  part: number;
  of: number;
  messageId: string;
  raw: Buffer;
}

/** Keep the composed messages of a release (already encrypted for password-pdf) until every part is accepted. */
export function saveOutbox(db: Database, releaseId: string, messages: OutboxMessage[]): void {
  db.prepare('DELETE FROM outbox_messages WHERE release_id = ?').run(releaseId);
  const ins = db.prepare('INSERT INTO outbox_messages (release_id, part, part_of, message_id, raw) VALUES (?, ?, ?, ?, ?)');
  for (const m of messages) ins.run(releaseId, m.part, m.of, m.messageId, m.raw);
}

/** The release's outbox messages in part order (empty when none). */
export function loadOutbox(db: Database, releaseId: string): OutboxMessage[] {
  return (db.prepare('SELECT part, part_of, message_id, raw FROM outbox_messages WHERE release_id = ? ORDER BY part').all(releaseId) as Array<{ part: number; part_of: number; message_id: string; raw: Buffer }>).map(
    (r) => ({ part: r.part, of: r.part_of, messageId: r.message_id, raw: r.raw }),
  );
}

/** Forget the outbox of a release (after it is complete, or before a fresh send). */
export function clearOutbox(db: Database, releaseId: string): void {
  db.prepare('DELETE FROM outbox_messages WHERE release_id = ?').run(releaseId);
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
