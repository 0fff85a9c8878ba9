/**
 * The shared outbox of a practice (issue #17): releases prepared on any workstation wait here, one workstation
 * at a time claims a release and delivers its STORED messages, and every step is recorded with its audit event
 * in the same transaction. Repository functions of `(engine, …) => Promise`; the only place this queue's SQL lives.
 *
 * Exactly once across workstations:
 * - a claim is taken under a row lock (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL: two workstations never
 *   get the same release; on the embedded engine one write transaction) and carries a random claim token and a
 *   lease (epoch ms);
 * - every later write of the delivery is FENCED by that token: it renews the lease and fails with
 *   QUEUE_CLAIM_LOST when another workstation has recovered the release meanwhile. "Handed over" is such a write
 *   and is committed before the final "." of DATA, so a workstation that lost its claim never ends a message;
 * - an expired lease (the workstation died or lost the server) is recovered by the send-workflow rule: a part
 *   handed over → 'unconfirmed' (it may have been delivered; staff decide), any other claimed part → 'pending'
 *   (nothing can have been delivered) and the release → 'unconfirmed' or back to 'queued'.
 * Status changes go through RELEASE_TRANSITIONS ({@link canMoveRelease}); no record is ever deleted (the
 * migration's triggers refuse DELETE); PHI (messages, envelopes, the recipient) is sealed in the workstation.
 * @source 45 CFR 164.312(b) audit controls, 164.312(e)(1) transmission security, 164.528 accounting of disclosures;
 *   RFC 5321 §4.1.1.4 (DATA: the message is the sender's responsibility to deliver only once the final "." is answered)
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { AuditDetail } from '../audit/audit';

import type { ReleaseStatus } from '../releases/repo';
import type { RetryPolicy } from '../releases/send-context';
import { canMoveRelease } from '../releases/state';
import type { SqlEngine } from './engine';

export * from './queue-types';
export * from './queue-views-repo';
export * from './queue-recovery-repo';
export * from './queue-withdraw-repo';
export * from './queue-bounces-repo';
export * from './queue-messages-repo';
import type { PreparedRelease, QueueActor, QueueClaim, QueueIo, QueueMethod, QueuePart, QueueStop } from './queue-types';
import { preparedSize } from './queue-types';
import { completeTransmission, fence, lock, moveQueued, placeChunk, placeEnvelope, placeRaw, placeRecipient, queuePartsTx, refreshSummary, toPart, validatePrepared, type PartRow } from './queue-records-repo';

/**
 * Put a prepared release with its exact messages into the shared queue, in one transaction: the release
 * ('draft' → 'queued', through RELEASE_TRANSITIONS), its transmission record, its parts ('pending', with their
 * Message-IDs) and the sealed messages and envelopes, with the 'release.queued' audit event. Before the first byte
 * leaves: a retry on any workstation resends these bytes, never a new composition.
 * @param engine the practice database
 * @param io sealer (practice data key) and the shared audit chain
 * @param r the prepared release (messages in part order)
 * @param by the staff member who prepared it
 * @param now the time of queueing
 * A message given as StoredChunks (queue-types.ts; a workstation's vault outbox) is written chunk by chunk, each chunk
 * sealed on its own (practice migration 0004), and its size and SHA-256 are checked before the transaction commits.
 * A release withdrawn from the queue before (status 'draft' there) is queued again with its new transmission.
 * @throws AppError VALIDATION_FAILED (parts not 1..n, missing/duplicate Message-ID, bad envid, empty message);
 *   RELEASE_QUEUED (the release is already in the queue and not withdrawn; nothing is written); OUTBOX_INTEGRITY (stored chunks do
 *   not match their recorded size or digest; nothing is written)
 * @source 45 CFR 164.312(a)(2)(iv) encryption at rest, 164.312(b) audit controls, 164.528 accounting of disclosures
 */
export async function enqueueRelease(engine: SqlEngine, io: QueueIo, r: PreparedRelease, by: QueueActor, now: Date): Promise<void> {
  validatePrepared(r);
  if (!canMoveRelease('draft', 'queued')) throw new AppError('STATUS_TRANSITION_INVALID', 'A draft release cannot be queued.');
  const at = now.toISOString();
  await engine.transaction(async (tx) => {
    const existing = await tx.one<{ status: string }>(`SELECT status FROM queue_releases WHERE id = $1${lock(tx)}`, [r.releaseId]);
    if (existing && existing.status !== 'draft') throw new AppError('RELEASE_QUEUED', 'This release is already in the practice’s outbox.');
    if (existing) {
      // Withdrawn from the shared outbox earlier (queue-withdraw-repo.ts) and prepared again: the same release row
      // takes the new transmission; the withdrawn one stays, closed, with its record.
      await tx.run(
        `UPDATE queue_releases SET reference = $2, request_id = $3, method = $4, status = 'queued', transmission_id = $5, attempts = 0, queued_ms = $6, updated_at = $7,
           error_code = NULL, claimed_by = NULL, claim_token = NULL, lease_until = NULL, not_before = NULL
         WHERE id = $1`,
        [r.releaseId, r.reference, r.requestId, r.method, r.transmissionId, now.getTime(), at],
      );
    } else {
      await tx.run(
        `INSERT INTO queue_releases (id, reference, request_id, method, status, transmission_id, attempts, queued_ms, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $7)`,
        [r.releaseId, r.reference, r.requestId, r.method, r.transmissionId, now.getTime(), at],
      );
    }
    const recipient = io.sealer.seal(placeRecipient(r.transmissionId), Buffer.from(JSON.stringify(r.recipient), 'utf8'));
    await tx.run(
      `INSERT INTO queue_transmissions (id, release_id, method, envid, parts_total, parts_sent, recipient_sealed, prepared_by, prepared_at)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)`,
      [r.transmissionId, r.releaseId, r.method, r.envid, r.messages.length, recipient, by.actorId ?? by.actor, at],
    );
    for (const m of r.messages) {
      await tx.run(
        "INSERT INTO queue_parts (transmission_id, part, part_of, message_id, status, size_bytes, attempts) VALUES ($1, $2, $3, $4, 'pending', $5, 0)",
        [r.transmissionId, m.part, m.of, m.messageId, preparedSize(m.raw)],
      );
      const envelope = io.sealer.seal(placeEnvelope(r.transmissionId, m.part), Buffer.from(JSON.stringify(m.envelope), 'utf8'));
      if (Buffer.isBuffer(m.raw)) {
        await tx.run('INSERT INTO queue_messages (transmission_id, part, envelope_sealed, raw_sealed, raw_sha256, stored_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          r.transmissionId,
          m.part,
          envelope,
          io.sealer.seal(placeRaw(r.transmissionId, m.part), m.raw),
          createHash('sha256').update(m.raw).digest('hex'),
          at,
        ]);
        continue;
      }
      // Chunk by chunk: each sealed on its own as it is read, the whole message's size and digest checked at the end.
      await tx.run('INSERT INTO queue_messages (transmission_id, part, envelope_sealed, raw_sealed, raw_sha256, stored_at) VALUES ($1, $2, $3, NULL, $4, $5)', [
        r.transmissionId,
        m.part,
        envelope,
        m.raw.sha256,
        at,
      ]);
      const digest = createHash('sha256');
      let size = 0;
      let seq = 0;
      for (const chunk of m.raw.chunks()) {
        if (chunk.length === 0) continue;
        digest.update(chunk);
        size += chunk.length;
        await tx.run('INSERT INTO queue_message_chunks (transmission_id, part, seq, sealed, size_bytes) VALUES ($1, $2, $3, $4, $5)', [
          r.transmissionId,
          m.part,
          seq,
          io.sealer.seal(placeChunk(r.transmissionId, m.part, seq), chunk),
          chunk.length,
        ]);
        seq++;
      }
      if (size !== m.raw.sizeBytes || digest.digest('hex') !== m.raw.sha256)
        throw new AppError('OUTBOX_INTEGRITY', 'A stored message of this release does not match its recorded size or digest. Nothing was queued.');
      await tx.run('UPDATE queue_messages SET chunks = $3 WHERE transmission_id = $1 AND part = $2', [r.transmissionId, m.part, seq]);
    }
    await io.audit(tx, {
      at: now,
      actor: by.actor,
      actorId: by.actorId,
      action: 'release.queued',
      outcome: 'success',
      subjectType: 'release',
      subjectId: r.releaseId,
      detail: { from: 'draft', to: 'queued', transmissionId: r.transmissionId, method: r.method, parts: r.messages.length, requestId: r.requestId ?? 'none', shared: true },
    });
  });
}

/**
 * Claim the next due release for this workstation: the oldest 'queued' release whose `not_before` has passed,
 * moved to 'sending' with a fresh claim token and a lease of `leaseMs`, with its 'release.send_attempt' audit
 * event — one transaction. On PostgreSQL the row is taken with `FOR UPDATE SKIP LOCKED`, so concurrent
 * workstations each get a different release without waiting on each other; on the embedded engine the
 * transaction is the database's single writer.
 * @param workstation the claiming workstation's id (non-PHI label)
 * @param now the workstation's clock; `leaseMs` the lease in ms (renewed by every later step)
 * @returns the claim, or null when nothing is due
 * @source 45 CFR 164.312(b); issue #17 "a workstation claims a release with SELECT … FOR UPDATE SKIP LOCKED"
 */
export async function claimNextRelease(engine: SqlEngine, io: QueueIo, workstation: QueueActor & { id: string }, now: Date, leaseMs: number): Promise<QueueClaim | null> {
  return engine.transaction(async (tx) => {
    const row = await tx.one<{ id: string; transmission_id: string; reference: string; method: QueueMethod; envid: string; attempts: number; request_id: string | null }>(
      `SELECT r.id, r.transmission_id, r.reference, r.method, t.envid, r.attempts, r.request_id
       FROM queue_releases r JOIN queue_transmissions t ON t.id = r.transmission_id
       WHERE r.status = 'queued' AND (r.not_before IS NULL OR r.not_before <= $1)
       ORDER BY r.queued_ms, r.id LIMIT 1${tx.dialect === 'postgres' ? ' FOR UPDATE OF r SKIP LOCKED' : ''}`,
      [now.getTime()],
    );
    if (!row) return null;
    const token = randomBytes(16).toString('base64url');
    await moveQueued(tx, io, row.id, 'sending', now, {
      by: workstation,
      claim: { workstation: workstation.id, token, leaseUntil: now.getTime() + leaseMs },
      audit: { action: 'release.send_attempt', detail: { transmissionId: row.transmission_id, method: row.method, trigger: 'queue', workstation: workstation.id } },
    });
    return {
      releaseId: row.id,
      transmissionId: row.transmission_id,
      reference: row.reference,
      method: row.method,
      envid: row.envid,
      workstation: workstation.id,
      token,
      leaseMs,
      attempts: Number(row.attempts),
      requestId: row.request_id,
    };
  });
}

/**
 * Renew the lease of a claim this workstation still holds (a heartbeat while a slow server is answering).
 * @throws AppError QUEUE_CLAIM_LOST
 */
export async function renewClaim(engine: SqlEngine, claim: QueueClaim, now: Date): Promise<void> {
  await engine.transaction((tx) => fence(tx, claim, now));
}

/**
 * The parts of a transmission in part order, without their bytes.
 * @returns one {@link QueuePart} per message (Message-ID, status, attempts, hand-over and reply facts)
 * @throws AppError store errors (engine.ts)
 */
export async function queueParts(engine: SqlEngine, transmissionId: string): Promise<QueuePart[]> {
  return (await engine.all<PartRow>('SELECT * FROM queue_parts WHERE transmission_id = $1 ORDER BY part', [transmissionId])).map(toPart);
}

/**
 * Start an attempt at a part under the claim: part 'sending', its attempt count + 1, a new attempt row with the
 * workstation and claim token. Committed BEFORE the connection opens, so a crash leaves a trace.
 * @returns the attempt's sequence number
 * @throws AppError QUEUE_CLAIM_LOST
 */
export async function beginQueuedPartAttempt(engine: SqlEngine, claim: QueueClaim, part: number, now: Date): Promise<number> {
  return engine.transaction(async (tx) => {
    await fence(tx, claim, now);
    await tx.run("UPDATE queue_parts SET status = 'sending', attempts = attempts + 1, handed_over_at = NULL WHERE transmission_id = $1 AND part = $2", [claim.transmissionId, part]);
    const row = await tx.one<{ seq: number }>(
      'INSERT INTO queue_attempts (transmission_id, part, workstation, claim_token, started_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq',
      [claim.transmissionId, part, claim.workstation, claim.token, now.toISOString()],
    );
    return Number(row!.seq);
  });
}

/**
 * Record that the whole message of a part, up to but not including the final "." of DATA (RFC 5321 §4.1.1.4), was
 * handed to the mail server: from now on a missing reply means "may have been delivered". Call it from
 * sendRawMessage's `beforeEndOfData` and let the "." follow only after it resolved.
 * @throws AppError QUEUE_CLAIM_LOST — the claim was recovered by another workstation: the message must not be ended
 */
export async function markQueuedPartHandedOver(engine: SqlEngine, claim: QueueClaim, part: number, now: Date): Promise<void> {
  await engine.transaction(async (tx) => {
    await fence(tx, claim, now);
    await tx.run("UPDATE queue_parts SET handed_over_at = $3 WHERE transmission_id = $1 AND part = $2 AND status = 'sending'", [claim.transmissionId, part, now.toISOString()]);
  });
}

/**
 * Record the server's "250" to DATA for a part (RFC 5321 §4.2.5) with its TLS facts, the transmission's summary and
 * the 'release.part_sent' audit event, in one transaction, the moment the reply arrived. For the LAST part to
 * deliver, pass `settle` (the retry policy): the release is then settled in the same transaction with the same fence
 * (what {@link settleClaim} does on its own), so the disclosure ('release.send') commits with the reply that
 * completed it, in fewer round trips.
 * @returns the status the release ends in when `settle` is given (see {@link settleClaim}), else null
 * @throws AppError QUEUE_CLAIM_LOST (another workstation recovered the release: nothing is written; the part stays as
 *   recovery left it — 'unconfirmed', for staff to resolve)
 * @source 45 CFR 164.528(b)(2), 164.312(b); RFC 5321 §4.2.5 (the reply to the final ".")
 */
export async function recordQueuedPartSent(
  engine: SqlEngine,
  io: QueueIo,
  claim: QueueClaim,
  part: number,
  seq: number,
  r: { smtpResponse: string; tlsProtocol: string; tlsCipher: string },
  now: Date,
  settle?: RetryPolicy,
): Promise<ReleaseStatus | null> {
  return engine.transaction(async (tx) => {
    await fence(tx, claim, now);
    const at = now.toISOString();
    await tx.run(
      "UPDATE queue_parts SET status = 'sent', sent_at = $3, smtp_response = $4, tls_protocol = $5, tls_cipher = $6, error_code = NULL WHERE transmission_id = $1 AND part = $2",
      [claim.transmissionId, part, at, r.smtpResponse, r.tlsProtocol, r.tlsCipher],
    );
    await tx.run("UPDATE queue_attempts SET ended_at = $2, outcome = 'sent', smtp_response = $3 WHERE seq = $1", [seq, at, r.smtpResponse]);
    const of = await refreshSummary(tx, claim.transmissionId);
    await io.audit(tx, {
      at: now,
      actor: `Workstation ${claim.workstation}`,
      actorId: null,
      action: 'release.part_sent',
      outcome: 'success',
      subjectType: 'release',
      subjectId: claim.releaseId,
      detail: { transmissionId: claim.transmissionId, part, of, tlsProtocol: r.tlsProtocol, workstation: claim.workstation },
    });
    return settle ? settleTx(tx, io, claim, null, settle, now, r.tlsProtocol) : null;
  });
}

/**
 * Record an attempt that did not end in "250": 'failed' (refused, or the connection broke before the message was
 * complete: nothing can have been delivered) or 'unconfirmed' (handed over, no reply), with its audit event.
 * @param facts PHI-free SMTP facts (reply code, phase) for the audit
 * @throws AppError QUEUE_CLAIM_LOST
 */
export async function recordQueuedPartFailure(
  engine: SqlEngine,
  io: QueueIo,
  claim: QueueClaim,
  part: number,
  seq: number,
  r: { status: 'failed' | 'unconfirmed'; code: string; transient: boolean; facts?: AuditDetail },
  now: Date,
): Promise<void> {
  await engine.transaction(async (tx) => {
    await fence(tx, claim, now);
    await tx.run('UPDATE queue_parts SET status = $3, error_code = $4 WHERE transmission_id = $1 AND part = $2', [claim.transmissionId, part, r.status, r.code]);
    await tx.run('UPDATE queue_attempts SET ended_at = $2, outcome = $3, error_code = $4, transient = $5 WHERE seq = $1', [
      seq,
      now.toISOString(),
      r.status === 'unconfirmed' ? 'no_reply' : 'failed',
      r.code,
      r.transient ? 1 : 0,
    ]);
    await io.audit(tx, {
      at: now,
      actor: `Workstation ${claim.workstation}`,
      actorId: null,
      action: r.status === 'unconfirmed' ? 'release.part_unconfirmed' : 'release.part_failed',
      outcome: 'failure',
      subjectType: 'release',
      subjectId: claim.releaseId,
      detail: { transmissionId: claim.transmissionId, part, code: r.code, transient: r.transient, workstation: claim.workstation, ...(r.facts ?? {}) },
    });
  });
}

/**
 * Decide and record the release's status after a delivery run under the claim — the rules of send-outcome.ts:
 * every part accepted → 'sent' (a disclosure: the 'release.send' event carries the accounting facts); any part
 * unconfirmed → 'unconfirmed'; a temporary failure with tries left → 'queued' again after an exponential backoff
 * (`not_before`); else 'partly_sent' (something left) or 'failed'. The claim ends with this transaction.
 * @returns the status the release ends in
 * @throws AppError QUEUE_CLAIM_LOST
 * @source 45 CFR 164.528(b)(2) (what the accounting records), 164.312(b)
 */
export async function settleClaim(engine: SqlEngine, io: QueueIo, claim: QueueClaim, stop: QueueStop | null, retry: RetryPolicy, now: Date): Promise<ReleaseStatus> {
  return engine.transaction(async (tx) => {
    await fence(tx, claim, now);
    return settleTx(tx, io, claim, stop, retry, now);
  });
}

/**
 * The settle of {@link settleClaim} inside the caller's fenced transaction. `lastTls`: the TLS protocol of the part
 * accepted last, when the caller just recorded it (the transmission's summary then need not be read back).
 */
async function settleTx(tx: SqlEngine, io: QueueIo, claim: QueueClaim, stop: QueueStop | null, retry: RetryPolicy, now: Date, lastTls?: string): Promise<ReleaseStatus> {
  const by: QueueActor = { actor: `Workstation ${claim.workstation}`, actorId: null };
  const parts = await queuePartsTx(tx, claim.transmissionId);
  const sent = parts.filter((p) => p.status === 'sent').length;
  const unconfirmed = parts.filter((p) => p.status === 'unconfirmed').length;
  const detail = { transmissionId: claim.transmissionId, partsTotal: parts.length, partsSent: sent, partsUnconfirmed: unconfirmed, workstation: claim.workstation };
  if (sent === parts.length) {
    await completeTransmission(tx, claim.transmissionId, now);
    const tls = lastTls ?? (await tx.one<{ tls_protocol: string | null }>('SELECT tls_protocol FROM queue_transmissions WHERE id = $1', [claim.transmissionId]))?.tls_protocol ?? '';
    await moveQueued(tx, io, claim.releaseId, 'sent', now, {
      by,
      audit: { action: 'release.send', detail: { ...detail, method: claim.method, tlsProtocol: tls, requestId: claim.requestId ?? 'none' } },
    });
    return 'sent';
  }
  if (unconfirmed > 0) {
    await moveQueued(tx, io, claim.releaseId, 'unconfirmed', now, { by, error: { code: 'SMTP_NO_REPLY' }, audit: { action: 'release.send', outcome: 'failure', detail } });
    return 'unconfirmed';
  }
  const code = stop?.code ?? 'SMTP_FAILED';
  if (stop?.transient && claim.attempts + 1 < retry.maxAttempts) {
    const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** claim.attempts);
    await moveQueued(tx, io, claim.releaseId, 'queued', now, {
      by,
      error: { code },
      notBefore: now.getTime() + wait,
      countAttempt: true,
      audit: { action: 'release.send', outcome: 'failure', detail: { ...detail, retryInSeconds: Math.round(wait / 1000) } },
    });
    return 'queued';
  }
  const to: ReleaseStatus = sent > 0 ? 'partly_sent' : 'failed';
  await moveQueued(tx, io, claim.releaseId, to, now, { by, error: { code: stop?.transient ? 'SEND_GAVE_UP' : code }, audit: { action: 'release.send', outcome: 'failure', detail } });
  return to;
}
