import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { DeliveryMethodT, ReleaseDetailT, ReleaseSummaryT, TransmissionT, KeyInfoT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { listDocuments } from '../documents/documents';
import { newId } from '../support/ids';
import { camelPick } from '../support/rows';
import { openTransmission, storedParts, transmissionParts } from './delivery-repo';

/** A release's status; transitions only through state.ts (moveRelease). */
export type ReleaseStatus =
  | 'draft'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'partly_sent'
  | 'unconfirmed'
  | 'failed'
  | 'bounced'
  | 'cancelled'
  | 'waiting_for_server'
  | 'with_practice_server';

interface ReleaseRow {
  id: string;
  reference: string;
  status: ReleaseStatus;
  created_at: string;
  updated_at: string;
  patient_name: string;
  patient_dob: string;
  patient_mrn: string;
  recipient_name: string | null;
  recipient_email: string | null;
  recipient_key_armored: string | null;
  recipient_key_fpr: string | null;
  fingerprint_confirmed: number;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: string | null;
  request_id: string | null;
  delivery_method: DeliveryMethodT | null;
  recipient_address_confirmed_by: string | null;
  recipient_address_confirmed_at: string | null;
  /** Migration 13: 'read_back' | 'code'; NULL on older rows means 'read_back'. */
  recipient_address_confirmed_method: 'read_back' | 'code' | null;
  recipient_key_user_ids: string | null;
  next_attempt_at: string | null;
  send_attempts: number;
  queue_paused: number;
}

/** The stored recipient with its key (armored, main-process only); key fields null for a recipient without OpenPGP. */
export interface StoredRecipient {
  name: string;
  email: string;
  keyArmored: string | null;
  keyFingerprint: string | null;
  /** Always false without a key. */
  fingerprintConfirmed: boolean;
  /**
   * Staff confirmed this exact address with the recipient (who, when, how: 'read_back' — read back by phone or in
   * person; 'code' — the recipient read back a code emailed to the address); null when not confirmed.
   */
  addressConfirmed: { by: string; at: string; method: 'read_back' | 'code' } | null;
  /** The key's user IDs as read when it was set; null without a key (or for keys set before migration 4). */
  keyUserIds: string[] | null;
}

/**
 * Create a draft release for a request. Its reference ("R-2026-00001") is a per-year
 * sequence that carries no PHI and can appear in mail and on paper.
 */
export function insertRelease(db: Database, requestId: string, patient: { name: string; dateOfBirth: string; mrn: string }, now: Date): string {
  const id = newId();
  const year = now.getUTCFullYear();
  const { n } = db.prepare('SELECT count(*) AS n FROM releases WHERE reference LIKE ?').get(`R-${year}-%`) as { n: number };
  const reference = `R-${year}-${String(n + 1).padStart(5, '0')}`;
  const at = now.toISOString();
  db.prepare(
    `INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, request_id)
     VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)`,
  ).run(id, reference, at, at, patient.name, patient.dateOfBirth, patient.mrn, requestId);
  return id;
}

function row(db: Database, id: string): ReleaseRow {
  const r = db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as ReleaseRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That release does not exist.');
  return r;
}

/** The patient a release is for (name, date of birth, MRN). @throws AppError NOT_FOUND */
export function releasePatient(db: Database, id: string): { name: string; dateOfBirth: string; mrn: string } {
  const r = row(db, id);
  return { name: r.patient_name, dateOfBirth: r.patient_dob, mrn: r.patient_mrn };
}

/** Status, reference and request of a release. @throws AppError NOT_FOUND */
export function releaseState(db: Database, id: string): { status: ReleaseStatus; reference: string; requestId: string | null } {
  const r = row(db, id);
  return { status: r.status, reference: r.reference, requestId: r.request_id };
}

/**
 * The release may still be changed: a draft, or a failed release from which nothing went out (its prepared
 * transmission is withdrawn when it is prepared again with other content, see send-workflow.ts).
 * @throws AppError RELEASE_ALREADY_SENT | RELEASE_SEND_IN_PROGRESS | RELEASE_QUEUED | RELEASE_UNCONFIRMED when it can no longer change
 */
export function requireEditable(db: Database, id: string): void {
  const { status } = releaseState(db, id);
  switch (status) {
    // A bounced delivery reached no one for its bounced parts: staff may correct the recipient and deliver again
    // (a new transmission; the bounced one stays as it was).
    case 'draft':
    case 'failed':
    case 'bounced':
      return;
    case 'sending':
      throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is being sent right now.');
    case 'queued':
      if (partsLeft(db, id)) throw new AppError('RELEASE_ALREADY_SENT', 'Part of this release has been sent; it cannot be changed. The rest is waiting in the outbox.');
      throw new AppError('RELEASE_QUEUED', 'This release is waiting in the outbox. Take it out of the outbox first to change it.');
    case 'unconfirmed':
      throw new AppError('RELEASE_UNCONFIRMED', 'This release may already have been delivered; it cannot be changed.');
    case 'partly_sent':
      throw new AppError('RELEASE_ALREADY_SENT', 'Part of this release has been sent; it cannot be changed. Send the remaining parts.');
    case 'cancelled':
      throw new AppError('RELEASE_CANCELLED', 'This release was cancelled; make a new release from the request.');
    default:
      throw new AppError('RELEASE_ALREADY_SENT', 'This release has already been sent and cannot be changed.');
  }
}

/** Whether any part of the release's open email transmission has left (sent, unconfirmed or bounced). */
function partsLeft(db: Database, id: string): boolean {
  const open = openTransmission(db, id);
  return !!open && storedParts(db, open.id).some((p) => p.status === 'sent' || p.status === 'unconfirmed' || p.status === 'bounced');
}

/** The stored recipient, or null. */
export function storedRecipient(db: Database, id: string): StoredRecipient | null {
  const r = row(db, id);
  if (!r.recipient_email || !r.recipient_name) return null;
  const hasKey = !!r.recipient_key_armored && !!r.recipient_key_fpr;
  return {
    name: r.recipient_name,
    email: r.recipient_email,
    keyArmored: hasKey ? r.recipient_key_armored : null,
    keyFingerprint: hasKey ? r.recipient_key_fpr : null,
    fingerprintConfirmed: hasKey && r.fingerprint_confirmed === 1,
    addressConfirmed:
      r.recipient_address_confirmed_by && r.recipient_address_confirmed_at
        ? { by: r.recipient_address_confirmed_by, at: r.recipient_address_confirmed_at, method: r.recipient_address_confirmed_method ?? 'read_back' }
        : null,
    keyUserIds: hasKey && r.recipient_key_user_ids ? (JSON.parse(r.recipient_key_user_ids) as string[]) : null,
  };
}

/** Set or replace the recipient. Call inside an audited transaction. */
export function updateRecipient(db: Database, id: string, r: StoredRecipient, now: Date): void {
  db.prepare(
    `UPDATE releases SET recipient_name = ?, recipient_email = ?, recipient_key_armored = ?, recipient_key_fpr = ?,
       fingerprint_confirmed = ?, recipient_address_confirmed_by = ?, recipient_address_confirmed_at = ?, recipient_address_confirmed_method = ?,
       recipient_key_user_ids = ?,
       updated_at = ? WHERE id = ?`,
  ).run(
    r.name,
    r.email,
    r.keyArmored,
    r.keyFingerprint,
    r.keyArmored && r.fingerprintConfirmed ? 1 : 0,
    r.addressConfirmed?.by ?? null,
    r.addressConfirmed?.at ?? null,
    r.addressConfirmed?.method ?? null,
    r.keyArmored && r.keyUserIds ? JSON.stringify(r.keyUserIds) : null,
    now.toISOString(),
    id,
  );
}

/**
 * The recipient read back the code sent to `address` (recipients/address-confirmation.ts): when it is this release's
 * recipient address (case-insensitive) and the release can still change (draft, failed, bounced — what was known
 * when it went out stays as recorded), mark it confirmed by code. Call inside the audited transaction.
 * @returns whether the release's recipient was that address (and so was marked)
 */
export function markRecipientAddressConfirmedByCode(db: Database, id: string, address: string, by: string, at: string): boolean {
  const r = db.prepare('SELECT recipient_email, status FROM releases WHERE id = ?').get(id) as { recipient_email: string | null; status: string } | undefined;
  if (!r?.recipient_email || !['draft', 'failed', 'bounced'].includes(r.status) || r.recipient_email.trim().toLowerCase() !== address.trim().toLowerCase()) return false;
  db.prepare(
    "UPDATE releases SET recipient_address_confirmed_by = ?, recipient_address_confirmed_at = ?, recipient_address_confirmed_method = 'code', updated_at = ? WHERE id = ?",
  ).run(by, at, at, id);
  return true;
}

/**
 * Write a release's status and queue fields. Only state.ts (moveRelease) calls this, inside the transaction
 * of the transition's audit event. `error` is recorded as the release's last error, cleared when absent.
 */
export function writeReleaseStatus(
  db: Database,
  id: string,
  status: ReleaseStatus,
  now: Date,
  o: { error?: { code: string; message: string } | undefined; nextAttemptAt?: string | null; resetAttempts?: boolean; countAttempt?: boolean },
): void {
  const at = now.toISOString();
  db.prepare(
    `UPDATE releases SET status = ?, updated_at = ?, last_error_code = ?, last_error_message = ?, last_error_at = ?,
       next_attempt_at = ?, send_attempts = CASE WHEN ? THEN 0 WHEN ? THEN send_attempts + 1 ELSE send_attempts END
     WHERE id = ?`,
  ).run(status, at, o.error?.code ?? null, o.error?.message ?? null, o.error ? at : null, o.nextAttemptAt ?? null, o.resetAttempts ? 1 : 0, o.countAttempt ? 1 : 0, id);
}

/** The queue fields of a release. @throws AppError NOT_FOUND */
export function queueState(db: Database, id: string): { nextAttemptAt: string | null; attempts: number; paused: boolean } {
  const r = row(db, id);
  return { nextAttemptAt: r.next_attempt_at, attempts: r.send_attempts, paused: r.queue_paused === 1 };
}

/** Pause or resume automatic sending of a queued release. Call inside the audited transaction. */
export function setQueuePaused(db: Database, id: string, paused: boolean): void {
  db.prepare('UPDATE releases SET queue_paused = ? WHERE id = ?').run(paused ? 1 : 0, id);
}

/** Queued releases due for an automatic try at `now` (not paused), oldest due first. */
export function dueQueuedReleases(db: Database, now: Date): string[] {
  return (
    db
      .prepare("SELECT id FROM releases WHERE status = 'queued' AND queue_paused = 0 AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY next_attempt_at, updated_at")
      .all(now.toISOString()) as Array<{ id: string }>
  ).map((r) => r.id);
}

/** Ids of releases in `status`. */
export function releasesInStatus(db: Database, status: ReleaseStatus): string[] {
  return (db.prepare('SELECT id FROM releases WHERE status = ? ORDER BY updated_at').all(status) as Array<{ id: string }>).map((r) => r.id);
}

/** The delivery method recorded for the release (null before the first send/export/print). */
export function chosenDeliveryMethod(db: Database, id: string): DeliveryMethodT | null {
  return row(db, id).delivery_method;
}

/** Record the delivery method chosen for the release. Call inside the audited transaction. */
export function setDeliveryMethod(db: Database, id: string, method: DeliveryMethodT): void {
  db.prepare('UPDATE releases SET delivery_method = ? WHERE id = ?').run(method, id);
}

/**
 * Insert a transmission record (who, to whom, when, what, how, TLS used, parts, packet digest).
 * Per-part results go in with {@link upsertTransmissionPart} (delivery-repo.ts); `t.parts` is ignored here.
 */
export function insertTransmission(db: Database, t: TransmissionT): void {
  const { parts: _parts, closedReason: _closed, sentByWorkstation: _by, requestReference: _ref, ...row } = t;
  db.prepare(
    `INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id,
       smtp_response, tls_protocol, tls_cipher, recipient_key_fpr, request_id, legal_basis, authorization_id, acknowledgment_id,
       parts_total, parts_sent, packet_sha256)
     VALUES (@id, @releaseId, @at, @sender, @recipientName, @recipientEmail, @method, @documents, @messageId, @smtpResponse,
       @tlsProtocol, @tlsCipher, @recipientKeyFingerprint, @requestId, @legalBasis, @authorizationId, @acknowledgmentId,
       @partsTotal, @partsSent, @packetSha256)`,
  ).run({ ...row, documents: JSON.stringify(t.documents) });
}

/** Transmission records, newest first; optionally of one release. */
export function listTransmissions(db: Database, releaseId?: string): TransmissionT[] {
  const rows = db
    .prepare(
      `SELECT t.*, r.reference, q.reference AS request_reference FROM transmissions t JOIN releases r ON r.id = t.release_id
       LEFT JOIN requests q ON q.id = t.request_id
       ${releaseId ? 'WHERE t.release_id = ?' : ''} ORDER BY t.at DESC, t.rowid DESC`,
    )
    .all(...(releaseId ? [releaseId] : [])) as Array<Record<string, string | null>>;
  return rows.map((r) => ({
    id: r.id!,
    releaseId: r.release_id!,
    releaseReference: r.reference!,
    at: r.at!,
    sender: r.sender!,
    recipientName: r.recipient_name!,
    recipientEmail: r.recipient_email!,
    method: r.method as TransmissionT['method'],
    documents: JSON.parse(r.documents_json!) as TransmissionT['documents'],
    messageId: r.message_id!,
    smtpResponse: r.smtp_response!,
    tlsProtocol: r.tls_protocol!,
    tlsCipher: r.tls_cipher!,
    recipientKeyFingerprint: r.recipient_key_fpr!,
    requestId: r.request_id ?? null,
    legalBasis: (r.legal_basis ?? null) as TransmissionT['legalBasis'],
    authorizationId: r.authorization_id ?? null,
    ...(r.request_reference ? { requestReference: r.request_reference } : {}),
    acknowledgmentId: r.acknowledgment_id ?? null,
    partsTotal: Number(r.parts_total ?? 1),
    partsSent: Number(r.parts_sent ?? 1),
    packetSha256: r.packet_sha256 ?? null,
    parts: transmissionParts(db, r.id!),
    closedReason: (r.closed_reason ?? null) as TransmissionT['closedReason'],
    // Only for a transmission sent through the practice server's shared outbox (issue #17).
    ...(r.sent_by_workstation ? { sentByWorkstation: r.sent_by_workstation } : {}),
  }));
}

const summarySql = `SELECT r.id, r.reference, r.status, r.created_at, r.patient_name, r.recipient_name, r.request_id, q.reference AS request_reference,
  (SELECT count(*) FROM documents d WHERE d.release_id = r.id AND d.kind = 'record' AND d.removed_at IS NULL) AS document_count,
  (SELECT t.sent_by_workstation FROM transmissions t WHERE t.release_id = r.id AND t.sent_by_workstation IS NOT NULL ORDER BY t.at DESC LIMIT 1) AS sent_by_workstation
  FROM releases r LEFT JOIN requests q ON q.id = r.request_id`;

type SummaryRow = Pick<ReleaseRow, 'id' | 'reference' | 'status' | 'created_at' | 'patient_name' | 'recipient_name' | 'request_id'> & {
  document_count: number;
  request_reference: string | null;
  sent_by_workstation: string | null;
};

function toSummary(r: SummaryRow): ReleaseSummaryT {
  return {
    ...camelPick(r, ['id', 'reference', 'status', 'created_at', 'patient_name', 'recipient_name', 'document_count', 'request_id', 'request_reference']),
    // Only for a release sent through the practice server's shared outbox (issue #17).
    ...(r.sent_by_workstation ? { sentByWorkstation: r.sent_by_workstation } : {}),
  };
}

/** All releases, newest first. */
export function listReleases(db: Database): ReleaseSummaryT[] {
  return (db.prepare(`${summarySql} ORDER BY r.created_at DESC, r.reference DESC`).all() as SummaryRow[]).map(toSummary);
}

/**
 * Everything the release screens show. The recipient key's armor stays in main; only its facts cross IPC.
 * @param keyInfo facts about the stored recipient key (computed by the caller with openpgp)
 */
export function releaseDetail(db: Database, id: string, keyInfo: KeyInfoT | null): ReleaseDetailT {
  const r = row(db, id);
  const summary = toSummary(db.prepare(`${summarySql} WHERE r.id = ?`).get(id) as SummaryRow);
  const rec = storedRecipient(db, id);
  return {
    ...summary,
    patient: { name: r.patient_name, dateOfBirth: r.patient_dob, mrn: r.patient_mrn },
    documents: listDocuments(db, id),
    // A keyed recipient whose key can no longer be read shows as no recipient (as before): staff set it again.
    recipient: rec && (keyInfo || !rec.keyArmored) ? { name: rec.name, email: rec.email, key: keyInfo, fingerprintConfirmed: rec.fingerprintConfirmed, addressConfirmed: rec.addressConfirmed } : null,
    transmissions: listTransmissions(db, id),
    deliveryMethod: r.delivery_method ?? null,
    lastError: r.last_error_code ? { code: r.last_error_code, message: r.last_error_message ?? '', at: r.last_error_at ?? r.updated_at } : null,
    queue: { nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null, attempts: r.send_attempts, paused: r.queue_paused === 1 },
  };
}
