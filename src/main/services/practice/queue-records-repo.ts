/**
 * The shared outbox's writers used by every step of queue-repo.ts: the one status writer (RELEASE_TRANSITIONS + its
 * audit event in the same transaction), the claim fence, part rows and the transmission summary. SQL lives here and
 * in the other queue-*repo.ts files only.
 * @source 45 CFR 164.312(b) audit controls, 164.312(e)(1) transmission security
 */
import { AppError } from '../../../shared/errors';
import type { AuditDetail } from '../audit/audit';
import type { ReleaseStatus } from '../releases/repo';
import { canMoveRelease } from '../releases/state';
import type { SqlEngine } from './engine';
import { preparedSize, type PreparedRelease, type QueueActor, type QueueClaim, type QueueIo, type QueuePart, type QueuePartStatus, type QueueSealPlace } from './queue-types';

/** The row lock a status read takes on PostgreSQL (SQLite's write transaction already serialises). */
export const PG_LOCK = ' FOR UPDATE';
/** `PG_LOCK` on PostgreSQL, nothing on SQLite. */
export const lock = (tx: SqlEngine) => (tx.dialect === 'postgres' ? PG_LOCK : '');

/** The refusal of a write by a workstation whose claim another workstation recovered (the fence failed). */
export const claimLost = () =>
  new AppError('QUEUE_CLAIM_LOST', 'Another workstation took over this release after this one stopped answering; this workstation sends nothing more of it.');

/** Where a sealed value lives (the AAD of its seal): the stored message, its envelope, the recipient. */
export const placeRaw = (transmissionId: string, part: number): QueueSealPlace => ({ table: 'queue_messages', column: 'raw_sealed', rowId: `${transmissionId}/${part}` });
export const placeEnvelope = (transmissionId: string, part: number): QueueSealPlace => ({ table: 'queue_messages', column: 'envelope_sealed', rowId: `${transmissionId}/${part}` });
/** Where a sealed chunk of a stored message lives (practice migration 0004): its order is bound into the AAD. */
export const placeChunk = (transmissionId: string, part: number, seq: number): QueueSealPlace => ({ table: 'queue_message_chunks', column: 'sealed', rowId: `${transmissionId}/${part}/${seq}` });
export const placeRecipient = (transmissionId: string): QueueSealPlace => ({ table: 'queue_transmissions', column: 'recipient_sealed', rowId: transmissionId });

/** What a status change records: who, the audit event, the error, the claim and the retry fields. */
export interface MoveOptions {
  by: QueueActor;
  audit: { action: string; outcome?: 'success' | 'failure' | 'refused'; detail?: AuditDetail };
  error?: { code: string } | undefined;
  /** The claim to hold (moving to 'sending'); leaving 'sending' always clears the claim. */
  claim?: { workstation: string; token: string; leaseUntil: number };
  notBefore?: number | null;
  resetAttempts?: boolean;
  countAttempt?: boolean;
}

/**
 * The one writer of a queued release's status: checks `from → to` against RELEASE_TRANSITIONS, writes the status
 * (and the claim / retry fields) and appends the audit event, in the caller's transaction.
 * @throws AppError NOT_FOUND (unknown release), STATUS_TRANSITION_INVALID (nothing is written)
 */
export async function moveQueued(tx: SqlEngine, io: QueueIo, releaseId: string, to: ReleaseStatus, now: Date, o: MoveOptions): Promise<ReleaseStatus> {
  const row = await tx.one<{ status: ReleaseStatus; attempts: number }>(`SELECT status, attempts FROM queue_releases WHERE id = $1${lock(tx)}`, [releaseId]);
  if (!row) throw new AppError('NOT_FOUND', 'This release is not in the practice’s outbox.');
  const from = row.status;
  if (!canMoveRelease(from, to)) throw new AppError('STATUS_TRANSITION_INVALID', `A release that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`, { from, to });
  const attempts = o.resetAttempts ? 0 : Number(row.attempts) + (o.countAttempt ? 1 : 0);
  const c = to === 'sending' ? o.claim : undefined;
  await tx.run(
    `UPDATE queue_releases SET status = $2, updated_at = $3, error_code = $4, claimed_by = $5, claim_token = $6, lease_until = $7, not_before = $8, attempts = $9
     WHERE id = $1`,
    [releaseId, to, now.toISOString(), o.error?.code ?? null, c?.workstation ?? null, c?.token ?? null, c?.leaseUntil ?? null, o.notBefore ?? null, attempts],
  );
  await io.audit(tx, {
    at: now,
    actor: o.by.actor,
    actorId: o.by.actorId,
    action: o.audit.action,
    outcome: o.audit.outcome ?? 'success',
    subjectType: 'release',
    subjectId: releaseId,
    detail: { from, to, ...(o.error ? { code: o.error.code } : {}), ...(o.audit.detail ?? {}) },
  });
  return from;
}

/**
 * Renew the claim's lease if this workstation still holds it (same token, still 'sending'); inside the caller's
 * transaction, so the write it guards commits only with a valid claim. On PostgreSQL the UPDATE takes the row lock
 * that recovery also needs, so a fenced write and a recovery of the same release are serialized.
 * @throws AppError QUEUE_CLAIM_LOST
 */
export async function fence(tx: SqlEngine, claim: QueueClaim, now: Date): Promise<void> {
  const r = await tx.run("UPDATE queue_releases SET lease_until = $3 WHERE id = $1 AND claim_token = $2 AND status = 'sending'", [
    claim.releaseId,
    claim.token,
    now.getTime() + claim.leaseMs,
  ]);
  if (r.changes !== 1) throw claimLost();
}

/**
 * Refuse a prepared release that cannot be queued: no message, parts not numbered 1..n, a missing or shared
 * Message-ID, an envid that is not 1–90 printable ASCII (RFC 3461 §4.4), an empty message or no recipient.
 * @throws AppError VALIDATION_FAILED naming what is wrong (never a value)
 */
export function validatePrepared(r: PreparedRelease): void {
  const bad = (what: string) => new AppError('VALIDATION_FAILED', `The prepared release cannot be queued: ${what}.`);
  const n = r.messages.length;
  if (n === 0) throw bad('it has no message');
  if (!/^[\x21-\x7e]{1,90}$/.test(r.envid)) throw bad('its delivery-status id must be 1 to 90 printable ASCII characters');
  const ids = new Set<string>();
  r.messages.forEach((m, i) => {
    if (m.part !== i + 1 || m.of !== n) throw bad('its parts are not numbered 1 to n');
    if (!/^<[^<>\s@]+@[^<>\s@]+>$/.test(m.messageId) || ids.has(m.messageId)) throw bad('a message has no Message-ID or shares one');
    ids.add(m.messageId);
    if (preparedSize(m.raw) === 0 || m.envelope.to.length === 0) throw bad('a message is empty or has no recipient');
  });
}

/** A queue_parts row as the engines return it. */
export interface PartRow {
  part: number;
  part_of: number;
  message_id: string;
  status: QueuePartStatus;
  size_bytes: number;
  attempts: number;
  handed_over_at: string | null;
  sent_at: string | null;
  smtp_response: string | null;
  tls_protocol: string | null;
  error_code: string | null;
  resolution: 'recipient_confirmed' | 'resend' | null;
}

/** A part row as the domain shape. */
export const toPart = (r: PartRow): QueuePart => ({
  part: Number(r.part),
  of: Number(r.part_of),
  messageId: r.message_id,
  status: r.status,
  sizeBytes: Number(r.size_bytes),
  attempts: Number(r.attempts),
  handedOverAt: r.handed_over_at,
  sentAt: r.sent_at,
  smtpResponse: r.smtp_response,
  tlsProtocol: r.tls_protocol,
  errorCode: r.error_code,
  resolution: r.resolution,
});

/** Recompute a transmission's summary: parts accepted and the TLS facts of the last accepted one. @returns the number of parts */
export async function refreshSummary(tx: SqlEngine, transmissionId: string): Promise<number> {
  const parts = await tx.all<{ status: string; sent_at: string | null; tls_protocol: string | null; tls_cipher: string | null }>(
    'SELECT status, sent_at, tls_protocol, tls_cipher FROM queue_parts WHERE transmission_id = $1',
    [transmissionId],
  );
  const sent = parts.filter((p) => p.status === 'sent' || p.status === 'bounced');
  const last = [...sent].sort((a, b) => (a.sent_at ?? '').localeCompare(b.sent_at ?? '')).at(-1);
  await tx.run('UPDATE queue_transmissions SET parts_sent = $2, tls_protocol = $3, tls_cipher = $4 WHERE id = $1', [
    transmissionId,
    sent.length,
    last?.tls_protocol ?? null,
    last?.tls_cipher ?? null,
  ]);
  return parts.length;
}

/** Every part accepted: the release is sent — the stored bytes are cleared (the rows, digests and sizes stay). */
export async function completeTransmission(tx: SqlEngine, transmissionId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await tx.run('UPDATE queue_messages SET raw_sealed = NULL, cleared_at = $2 WHERE transmission_id = $1 AND cleared_at IS NULL', [transmissionId, at]);
  await tx.run('UPDATE queue_message_chunks SET sealed = NULL, cleared_at = $2 WHERE transmission_id = $1 AND cleared_at IS NULL', [transmissionId, at]);
  await tx.run('UPDATE queue_transmissions SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL', [transmissionId, at]);
}

/** The transmission's parts in part order, read in the caller's transaction. */
export async function queuePartsTx(tx: SqlEngine, transmissionId: string): Promise<QueuePart[]> {
  return (await tx.all<PartRow>('SELECT * FROM queue_parts WHERE transmission_id = $1 ORDER BY part', [transmissionId])).map(toPart);
}
