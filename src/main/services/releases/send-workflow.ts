/**
 * Sending a release by email, exactly once — the procedure a privacy officer would describe:
 *
 *   1. check the release (documents, recipient, the compliance gate) — a refusal changes nothing and is audited;
 *   2. prepare: compose the exact messages with the chosen method (methods/), and store them encrypted in the
 *      vault's outbox with the transmission record (every part 'pending'), the release 'queued' — one
 *      transaction, before the first byte leaves;
 *   3. deliver, part by part, the STORED bytes with their stored Message-IDs: each part is claimed ('sending')
 *      before the connection opens, marked "handed over" before the final "." of DATA, and its result committed
 *      the moment the reply arrives, before the next part starts;
 *   4. record the outcome: sent, partly sent, unconfirmed (a reply that never came: it may have been delivered),
 *      queued again for a temporary failure (with backoff), or failed.
 *
 * A retry never composes again and never makes a new passphrase; a transmission record is never deleted; each
 * status change goes through state.ts with its audit event in the same transaction.
 *
 * Large releases (PGP/MIME) are composed and stored one message at a time (stageMessages), so memory is bounded by
 * the per-message limit; delivery reads one stored message at a time.
 *
 * Recovery at unlock ({@link SendWorkflow.recover}): a release left 'sending' by a crash has its claimed parts
 * settled by one rule — handed over → 'unconfirmed' (staff decide: ask the recipient, or resend the same stored
 * message); not handed over → 'pending' (nothing can have been delivered) — and becomes 'unconfirmed' if any part
 * is, else 'queued' for the sender to finish.
 */
import { blockedCode } from '../accounts/blocked';
import { createHash } from 'node:crypto';
import type { ChannelOutput, OutboxEntryT, TransmissionT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { canTransition } from '../compliance';
import { HAND_OVER_CHUNK, sendRawMessage, toAppError, type SmtpSettings } from '../delivery/smtp';
import { listDocuments, readDocument } from '../documents/documents';
import type { AssembledPacket } from '../packaging';
import type { PackagingJobs } from '../packaging/jobs';
import { getRequest, updateRequest } from '../requests/repo';
import type { Session } from '../session';
import { activePracticeKey, deliverySettings, requireSetting } from '../settings/settings';
import type { EventBus } from '../support/events';
import { newId } from '../support/ids';
import {
  beginPartAttempt,
  clearOutbox,
  closeTransmission,
  insertPendingPart,
  outboxEntries,
  openStagedTransmission,
  clearUnfinishedPreparations,
  outboxRaw,
  markPartHandedOver,
  openTransmission,
  recordPartFailure,
  recordPartSent,
  recoverSendingParts,
  refreshTransmissionSummary,
  releasesInStatusWithTransmission,
  resolveUnconfirmedParts,
  saveOutbox,
  setTransmissionPreparation,
  storePassphrase,
  keptPassphrase,
  erasePassphrase,
  storedParts,
  type OutboxMessage,
} from './delivery-repo';
import { EMAIL_METHODS, type PreparedMessages } from './methods';
import { recipientCertificate } from '../smime/repo';
import type { SmimeService } from '../smime/service';
import type { GateResult } from './release-service';
import {
  chosenDeliveryMethod,
  dueQueuedReleases,
  insertTransmission,
  listTransmissions,
  queueState,
  releaseState,
  releasesInStatus,
  setDeliveryMethod,
  setQueuePaused,
  storedRecipient,
  updateRecipient,
  type ReleaseStatus,
  type StoredRecipient,
} from './repo';
import { moveRelease, type TransitionOptions } from './state';

/** The email methods (contract EmailDeliveryMethod). */
export type EmailMethod = 'openpgp-pgp-mime' | 'smime' | 'password-pdf' | 'tls-only-email';

/**
 * Points of the send path where a crash test stops the process (SIGKILL from outside). No-ops in the product.
 * 'prepared': outbox committed; 'before-connect': part claimed, connection not yet opened; 'mid-data': about half
 * of a part's DATA handed over (the hook must block synchronously to stop there);
 * 'after-reply': the server answered 250, not yet recorded; 'between-parts': a part recorded, the next not claimed.
 */
export type CrashPoint = 'prepared' | 'before-connect' | 'mid-data' | 'after-reply' | 'between-parts';

/** Automatic retry of temporary failures (exponential backoff). */
export interface RetryPolicy {
  /** First wait after a temporary failure, in ms (default 60 000). */
  baseMs: number;
  /** Longest wait between tries, in ms (default 3 600 000). */
  maxMs: number;
  /** Automatic tries before the release is marked failed (default 24: about a day offline). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxMs: 3_600_000, maxAttempts: 24 };

/** What the workflow needs; all injected (no globals). */
export interface SendWorkflowDeps {
  session: Session;
  events: EventBus;
  /** Compares each record file with the release's patient, once per file (stored); the gate reads the results. */
  checkPatient?: ((releaseId: string) => Promise<unknown>) | undefined;
  /** Runs the compliance gate on the release now (ReleaseService.gate). */
  gate(releaseId: string, delivery: 'encrypted' | 'unencrypted'): GateResult;
  /** The 42 CFR 2.32(b) scope sheets (PDF) for the gate's Part 2 notices: they travel with the records. */
  part2ScopeSheets(notices: GateResult['decision']['notices'], reference: string): Promise<Array<{ consentId: string; filename: string; bytes: Buffer }>>;
  /** Whether the individual's recorded unencrypted-email choice applies (mayUseUnencryptedEmail). */
  unencryptedAllowed(releaseId: string): boolean;
  /** Assemble the stamped packet of the release (cover, manifest, records). */
  assemble(releaseId: string, gate: GateResult, recipientName: string): Promise<AssembledPacket>;
  /** Where splitting and the password PDF run (the packaging worker in the app); default: this thread. */
  packaging?: PackagingJobs | undefined;
  smtpCa?: string[] | undefined;
  assetsRoot?: string | undefined;
  /** Per-wait SMTP timeout in ms (default 30 000). */
  smtpTimeoutMs?: number | undefined;
  retry?: RetryPolicy | undefined;
  /** S/MIME (issue 18): the recipient's confirmed certificate, checked at send, and the practice certificate. */
  smime?: SmimeService | undefined;
  /** Crash-test hook: awaited at each {@link CrashPoint}. */
  checkpoint?: ((point: CrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>) | undefined;
}

type SendOutput = ChannelOutput<'releases.send'>;

/** Messages stored one at a time under a transmission not yet opened (SendWorkflow.stageMessages). */
interface Staged {
  t: TransmissionT;
  parts: Array<{ part: number; of: number; messageId: string; sizeBytes: number }>;
}

/** Statuses whose parts can still be delivered from the stored outbox. */
const RESUMABLE: readonly ReleaseStatus[] = ['queued', 'failed', 'partly_sent', 'bounced'];

/** The workflow of sending a release by email (see the module comment). */
export class SendWorkflow {
  private readonly retry: RetryPolicy;
  /** Releases being delivered by this process right now (the queue must not start a second delivery). */
  private readonly active = new Set<string>();

  constructor(private readonly d: SendWorkflowDeps) {
    this.retry = d.retry ?? DEFAULT_RETRY;
  }

  private get s() {
    return this.d.session;
  }

  private now(): Date {
    return this.s.clock.now();
  }

  /** Move the release with its audit event (one writer: state.ts). Call inside a transaction. */
  private move(releaseId: string, to: ReleaseStatus, o: TransitionOptions): ReleaseStatus {
    const v = this.s.require();
    return moveRelease(v.db, (e) => this.s.audit(e), releaseId, to, this.now(), o);
  }

  /**
   * Send the release by email with `method`, or continue a release already prepared.
   * - draft: check, prepare (store the messages), deliver;
   * - failed / queued / partly sent / bounced: deliver the stored messages now ("try again") — with the method
   *   it was prepared with; a failed release from which nothing left and whose content or method changed is
   *   prepared again (the old transmission is closed as superseded, kept);
   * - unconfirmed: refused until staff resolve it ({@link resolveUnconfirmed}).
   * @param method required for a draft; for a prepared release it must be the stored one (default)
   * @returns the release, its transmission, and for a fresh password-PDF preparation the passphrase ONCE
   * @throws AppError RELEASE_NOT_READY | RELEASE_BLOCKED | UNENCRYPTED_NOT_ACKNOWLEDGED | KEY_* | RELEASE_UNCONFIRMED |
   *   RELEASE_SEND_IN_PROGRESS | RELEASE_ALREADY_SENT | RELEASE_CANCELLED | packaging errors; a send failure is
   *   NOT thrown when the release was stored: it is in the release's status and last error
   * @source 45 CFR 164.312(e)(1) transmission security, 164.312(b) audit controls, 164.528 accounting of disclosures
   */
  async send(releaseId: string, method?: EmailMethod): Promise<Omit<SendOutput, 'release'>> {
    const subject = { type: 'release', id: releaseId };
    const v = this.s.require();
    const { status } = releaseState(v.db, releaseId);
    const chosen = chosenDeliveryMethod(v.db, releaseId) as EmailMethod | null;
    const open = openTransmission(v.db, releaseId);
    let passphrase: string | null = null;
    try {
      if (status === 'unconfirmed')
        throw new AppError('RELEASE_UNCONFIRMED', 'This release may already have been delivered. Ask the recipient, or choose to resend the same message.');
      if (status === 'sending' || this.active.has(releaseId)) throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is being sent right now.');
      if (status === 'cancelled') throw new AppError('RELEASE_CANCELLED', 'This release was cancelled; make a new release from the request.');
      if (status === 'sent') throw new AppError('RELEASE_ALREADY_SENT', 'This release has already been sent and cannot be changed.');
      // A bounced release is delivered again as a new transmission (any method): the bounced one stays as recorded.
      const left = open && status !== 'bounced' ? storedParts(v.db, open.id).some((p) => p.status === 'sent' || p.status === 'bounced') : false;
      if ((status === 'partly_sent' || left) && method && method !== chosen)
        throw new AppError('RELEASE_ALREADY_SENT', 'Part of this release was already sent by another method; send the remaining parts the same way.', { method: chosen ?? 'none' });
    } catch (e) {
      this.s.recordFailure('release.send', subject, e, method ? { method } : {});
      throw e;
    }

    let transmissionId = open?.id ?? '';
    // A bounced transmission's stored messages were cleared when it was sent, and its address failed: prepare anew.
    const reuse = open && status !== 'bounced' && RESUMABLE.includes(status) && (!method || method === open.method) && (status !== 'failed' || this.sameContent(releaseId, open));
    if (!reuse) {
      // Without a choice: OpenPGP when the recipient has a key, else S/MIME when a certificate was confirmed (the ladder's
      // order: OpenPGP first when the recipient has both).
      const m =
        method ?? chosen ?? (storedRecipient(v.db, releaseId)?.keyArmored ? 'openpgp-pgp-mime' : this.d.smime?.hasConfirmed(releaseId) ? 'smime' : null);
      if (!m) {
        const e = new AppError('RELEASE_NOT_READY', 'Choose how to deliver this release: the recipient has no OpenPGP key or confirmed S/MIME certificate.');
        this.s.recordFailure('release.send', subject, e);
        throw e;
      }
      const p = await this.prepare(releaseId, m);
      passphrase = p.passphrase;
      transmissionId = p.transmissionId;
    } else if (status !== 'queued') {
      v.tx(() =>
        this.move(releaseId, 'queued', { nextAttemptAt: null, resetAttempts: true, audit: { action: 'release.requeue', detail: { transmissionId: open.id, trigger: 'staff' } } }),
      );
    }
    await this.deliver(releaseId, 'staff');
    const transmission = listTransmissions(this.s.require().db, releaseId).find((x) => x.id === transmissionId);
    if (!transmission) throw new AppError('INTERNAL', 'The transmission record of this release could not be read.');
    return { transmission, ...(passphrase !== null ? { passphrase, staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS } : {}) };
  }

  /** Whether an open transmission was prepared from the release as it is now (same method, documents, recipient, key). */
  private sameContent(releaseId: string, open: { method: string; contentDigest: string | null }): boolean {
    return open.contentDigest === contentDigest(this.s.require().db, releaseId, open.method);
  }

  /**
   * Steps 1–2: check, compose with the method, and store everything before anything leaves.
   * @returns the passphrase (password PDF) and the transmission id
   */
  private async prepare(releaseId: string, method: EmailMethod): Promise<{ passphrase: string | null; transmissionId: string }> {
    const s = this.s;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    let recipient: StoredRecipient;
    let gate: GateResult;
    let prepared: PreparedMessages;
    /** Messages composed one at a time were stored as they came, under a transmission kept closed until the commit below. */
    let staged: Staged | null = null;
    const { reference } = releaseState(v.db, releaseId);
    try {
      if (method === 'tls-only-email' && !this.d.unencryptedAllowed(releaseId))
        throw new AppError(
          'UNENCRYPTED_NOT_ACKNOWLEDGED',
          "Unencrypted email needs the patient's recorded choice after the risk warning. Record it first, or choose an encrypted method.",
        );
      const rec = storedRecipient(v.db, releaseId);
      if (!rec) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
      recipient = rec;
      // Right patient (164.502(a), 164.530(c)): every record file checked before the gate reads the results.
      await this.d.checkPatient?.(releaseId);
      gate = this.d.gate(releaseId, method === 'tls-only-email' ? 'unencrypted' : 'encrypted');
      if (gate.docs.length === 0) throw new AppError('RELEASE_NOT_READY', 'Add at least one record file before sending.');
      const blocking = gate.decision.findings.filter((f) => f.severity === 'block');
      if (blocking.length > 0)
        throw new AppError(blockedCode(blocking), `This release cannot be sent yet: ${blocking.map((f, i) => `(${i + 1}) ${f.message}`).join(' ')}`, {
          findings: [...new Set(blocking.map((f) => f.code))].join(','),
          blocking: blocking.length,
        });
      const practice = requireSetting(v.db, 'practice');
      // S/MIME: the recipient certificate is checked again at this moment (a certificate found unusable has its
      // confirmation withdrawn), and the practice certificate is made at first use.
      const smime = method === 'smime' ? await this.requireSmime().forSend(releaseId) : undefined;
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 0, total: 1 });
      prepared = await EMAIL_METHODS[method]({
        practice,
        recipient,
        reference,
        gate,
        practiceKey: activePracticeKey(v.db),
        limitBytes: deliverySettings(v.db).messageLimitBytes,
        now: this.now(),
        assetsRoot: this.d.assetsRoot,
        readDocument: (id) => readDocument(v.db, id),
        smime,
        scopeSheets: await this.d.part2ScopeSheets(gate.decision.notices, reference),
        assemble: () => this.d.assemble(releaseId, gate, recipient.name),
        packaging: this.d.packaging,
      });
      if (prepared.oneByOne) {
        const envelope = { from: practice.senderEmail, to: [recipient.email] };
        const rec = (firstMessageId: string, partsTotal: number) => this.transmissionRecord(releaseId, reference, method, recipient, gate, prepared, firstMessageId, partsTotal);
        staged = await this.stageMessages(releaseId, prepared.oneByOne, rec, envelope);
      }
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 1, total: 1 });
    } catch (e) {
      s.recordFailure('release.send', subject, e, { method });
      // A confirmed key found revoked or expired at send: the confirmation is withdrawn, so nothing goes to that key
      // until a valid key is confirmed again (164.312(e)(1)).
      const rec = storedRecipient(v.db, releaseId);
      if (isAppError(e) && (e.code === 'KEY_REVOKED' || e.code === 'KEY_EXPIRED') && rec?.keyArmored && rec.fingerprintConfirmed) {
        s.audited(
          'release.recipient_key_withdrawn',
          subject,
          (vv) => updateRecipient(vv.db, releaseId, { ...rec, fingerprintConfirmed: false }, this.now()),
          () => ({ keyFingerprint: rec.keyFingerprint ?? 'none', code: e.code, wasConfirmed: true }),
        );
      }
      throw e;
    }

    const practice = requireSetting(v.db, 'practice');
    const at = this.now().toISOString();
    const parts = staged
      ? staged.parts
      : prepared.messages.map((m) => ({ part: m.part, of: m.of, messageId: m.messageId, sizeBytes: m.raw.length }));
    const t: TransmissionT = staged?.t ?? this.transmissionRecord(releaseId, reference, method, recipient, gate, prepared, prepared.messages[0]!.messageId, parts.length);
    const envelope = { from: practice.senderEmail, to: [recipient.email] };
    try {
      v.tx(() => {
        const { status } = releaseState(v.db, releaseId);
        const old = openTransmission(v.db, releaseId);
        if (old) closeTransmission(v.db, old.id, 'superseded', at);
        if (status === 'failed') this.move(releaseId, 'draft', { audit: { action: 'release.reopen', detail: { supersededTransmissionId: old?.id ?? 'none' } } });
        if (staged) openStagedTransmission(v.db, t.id);
        else insertTransmission(v.db, t);
        setTransmissionPreparation(v.db, t.id, contentDigest(v.db, releaseId, method), reference);
        for (const m of parts) insertPendingPart(v.db, t.id, m);
        if (!staged) saveOutbox(v.db, t.id, prepared.messages.map((m): OutboxMessage => ({ part: m.part, of: m.of, messageId: m.messageId, envelope, raw: m.raw })));
        if (prepared.passphrase !== null) storePassphrase(v.db, t.id, prepared.passphrase);
        setDeliveryMethod(v.db, releaseId, method);
        this.move(releaseId, 'queued', {
          nextAttemptAt: null,
          resetAttempts: true,
          audit: {
            action: 'release.queued',
            detail: {
              transmissionId: t.id,
              method,
              ...(method === 'smime' ? { certificateFingerprint: prepared.recipientKeyFingerprint } : {}),
              parts: parts.length,
              documents: gate.docs.length,
              packetSha256: prepared.packetSha256 ?? 'none',
              requestId: t.requestId ?? 'none',
              legalBasis: t.legalBasis ?? 'none',
              authorizationId: t.authorizationId ?? 'none',
              acknowledgmentId: t.acknowledgmentId ?? 'none',
              notices: gate.decision.notices.length,
            },
          },
        });
      });
    } catch (e) {
      // The preparation was not committed: the staged messages are dropped (their transmission stays closed).
      if (staged) v.tx(() => clearOutbox(v.db, t.id));
      throw e;
    }
    await this.d.checkpoint?.('prepared', { releaseId });
    return { passphrase: prepared.passphrase, transmissionId: t.id };
  }

  /** The transmission record of a preparation (nothing sent yet). */
  private transmissionRecord(
    releaseId: string,
    reference: string,
    method: EmailMethod,
    recipient: StoredRecipient,
    gate: GateResult,
    prepared: PreparedMessages,
    firstMessageId: string,
    partsTotal: number,
  ): TransmissionT {
    const practice = requireSetting(this.s.require().db, 'practice');
    return {
      id: newId(),
      releaseId,
      releaseReference: reference,
      at: this.now().toISOString(),
      sender: practice.senderEmail,
      recipientName: recipient.name,
      recipientEmail: recipient.email,
      method,
      documents: gate.docs.map((d) => ({ label: d.label, sha256: d.sha256, pageCount: d.pageCount })),
      messageId: firstMessageId,
      smtpResponse: '',
      tlsProtocol: '',
      tlsCipher: '',
      recipientKeyFingerprint: prepared.recipientKeyFingerprint,
      requestId: gate.request?.id ?? null,
      legalBasis: gate.request?.request.basis ?? null,
      authorizationId: gate.authorizationId,
      acknowledgmentId: gate.acknowledgmentId,
      partsTotal,
      partsSent: 0,
      packetSha256: prepared.packetSha256,
      parts: [],
      closedReason: null,
    };
  }

  /**
   * Store messages composed one at a time (a large release): each goes into the vault's outbox in its own small
   * transaction as soon as it is made, so the process holds one message, not the release. Their transmission is
   * written CLOSED first ('superseded': nothing can be sent from it, it is not a disclosure) and opened only by the
   * commit that queues the release (prepare), so a stop half-way leaves a closed record with no parts, never a
   * half-prepared release; its stored bytes are removed then, or at the next unlock (recover).
   * @returns the transmission record and the stored parts
   * @throws what composing throws (the bytes stored so far are removed first)
   */
  private async stageMessages(
    releaseId: string,
    oneByOne: NonNullable<PreparedMessages['oneByOne']>,
    record: (firstMessageId: string, partsTotal: number) => TransmissionT,
    envelope: OutboxMessage['envelope'],
  ): Promise<Staged> {
    const v = this.s.require();
    let t: TransmissionT | null = null;
    const parts: Staged['parts'] = [];
    try {
      for await (const m of oneByOne.messages) {
        v.tx(() => {
          if (!t) {
            t = record(m.messageId, oneByOne.of);
            insertTransmission(v.db, t);
            closeTransmission(v.db, t.id, 'superseded', t.at);
          }
          saveOutbox(v.db, t.id, [{ part: m.part, of: m.of, messageId: m.messageId, envelope, raw: m.raw }]);
        });
        parts.push({ part: m.part, of: m.of, messageId: m.messageId, sizeBytes: m.raw.length });
        this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: m.part, total: oneByOne.of + 1 });
      }
    } catch (e) {
      const id = (t as TransmissionT | null)?.id;
      if (id) v.tx(() => clearOutbox(v.db, id));
      throw e;
    }
    if (!t || parts.length !== oneByOne.of) throw new AppError('INTERNAL', 'The messages of this release could not be composed. Nothing was sent.');
    return { t, parts };
  }

  /**
   * Step 3–4: deliver the stored parts of a queued release and record the outcome. Never throws for a mail
   * server's answer: the result is in the release's status, the parts and the audit.
   * @param trigger 'staff' (Send / Try again) or 'queue' (automatic)
   * @returns the status the release ends in
   * @throws AppError STATUS_TRANSITION_INVALID when the release is not queued; VAULT_LOCKED
   */
  async deliver(releaseId: string, trigger: 'staff' | 'queue'): Promise<ReleaseStatus> {
    if (this.active.has(releaseId)) return 'sending';
    this.active.add(releaseId);
    try {
      return await this.deliverClaimed(releaseId, trigger);
    } finally {
      this.active.delete(releaseId);
    }
  }

  private async deliverClaimed(releaseId: string, trigger: 'staff' | 'queue'): Promise<ReleaseStatus> {
    const s = this.s;
    const v = s.require();
    const open = openTransmission(v.db, releaseId);
    if (!open) throw new AppError('INTERNAL', 'The stored messages of this release could not be found. Nothing was sent.');
    // The parts without their bytes: each message is read from the vault when it is sent (one at a time in memory).
    const outbox = outboxEntries(v.db, open.id);
    const smtp = requireSetting(v.db, 'smtp') as SmtpSettings;
    v.tx(() => this.move(releaseId, 'sending', { audit: { action: 'release.send_attempt', detail: { transmissionId: open.id, method: open.method, trigger } } }));

    const total = outbox.length;
    let stop: { status: 'failed' | 'unconfirmed'; error: AppError; transient: boolean } | null = null;
    for (const msg of outbox) {
      const part = storedParts(v.db, open.id).find((p) => p.part === msg.part)!;
      if (part.status === 'sent' || part.status === 'unconfirmed' || part.status === 'bounced') continue;
      this.d.events.emit('progress', { operation: 'send', releaseId, done: msg.part - 1, total });
      const seq = v.tx(() => beginPartAttempt(v.db, open.id, msg.part, this.now().toISOString()));
      await this.d.checkpoint?.('before-connect', { releaseId, part: msg.part });
      let handedOver = false;
      try {
        const sent = await sendRawMessage(smtp, msg.envelope, outboxRaw(v.db, open.id, msg.part), {
          ...(this.d.smtpCa ? { ca: this.d.smtpCa } : {}),
          ...(this.d.smtpTimeoutMs ? { timeoutMs: this.d.smtpTimeoutMs } : {}),
          envid: `${open.envid ?? releaseState(v.db, releaseId).reference}.${msg.part}`,
          onDataProgress: (sentBytes, totalBytes) => {
            if (this.d.checkpoint && sentBytes >= totalBytes / 2 && sentBytes - HAND_OVER_CHUNK < totalBytes / 2) void this.d.checkpoint('mid-data', { releaseId, part: msg.part });
          },
          beforeEndOfData: () => {
            v.tx(() => markPartHandedOver(v.db, open.id, msg.part, this.now().toISOString()));
            handedOver = true;
          },
        });
        await this.d.checkpoint?.('after-reply', { releaseId, part: msg.part });
        v.tx(() => {
          recordPartSent(v.db, open.id, msg.part, seq, { at: this.now().toISOString(), smtpResponse: sent.response, tlsProtocol: sent.tlsProtocol, tlsCipher: sent.tlsCipher });
          refreshTransmissionSummary(v.db, open.id);
          s.audit({
            action: 'release.part_sent',
            outcome: 'success',
            subjectType: 'release',
            subjectId: releaseId,
            detail: { transmissionId: open.id, part: msg.part, of: msg.of, tlsProtocol: sent.tlsProtocol },
          });
        });
      } catch (e) {
        const err = toAppError(e);
        const unconfirmed = handedOver && isNoReply(err);
        const transient = !unconfirmed && isTransient(err);
        v.tx(() => {
          recordPartFailure(v.db, open.id, msg.part, seq, { at: this.now().toISOString(), status: unconfirmed ? 'unconfirmed' : 'failed', code: err.code, transient });
          s.audit({
            action: unconfirmed ? 'release.part_unconfirmed' : 'release.part_failed',
            outcome: 'failure',
            subjectType: 'release',
            subjectId: releaseId,
            detail: { transmissionId: open.id, part: msg.part, of: msg.of, code: err.code, transient, ...smtpFacts(err) },
          });
        });
        s.logger.warn('release.part_not_sent', { code: err.code, transient, unconfirmed });
        stop = { status: unconfirmed ? 'unconfirmed' : 'failed', error: err, transient };
        break;
      }
      if (msg.part < total) await this.d.checkpoint?.('between-parts', { releaseId, part: msg.part });
    }
    this.d.events.emit('progress', { operation: 'send', releaseId, done: total, total });
    return v.tx(() => this.settle(releaseId, open.id, stop));
  }

  /** The S/MIME service. @throws AppError RELEASE_NOT_READY when S/MIME is not wired (it always is in the product) */
  private requireSmime(): SmimeService {
    if (!this.d.smime) throw new AppError('RELEASE_NOT_READY', 'S/MIME delivery is not available here. Choose another delivery method.');
    return this.d.smime;
  }

  /** Decide and record the release's status from its parts after a delivery run. Inside a transaction. */
  private settle(releaseId: string, transmissionId: string, stop: { status: 'failed' | 'unconfirmed'; error: AppError; transient: boolean } | null): ReleaseStatus {
    const v = this.s.require();
    const parts = storedParts(v.db, transmissionId);
    const sent = parts.filter((p) => p.status === 'sent').length;
    const unconfirmed = parts.filter((p) => p.status === 'unconfirmed').length;
    const detail = { transmissionId, partsTotal: parts.length, partsSent: sent, partsUnconfirmed: unconfirmed };
    const { requestId } = releaseState(v.db, releaseId);
    if (sent === parts.length) {
      clearOutbox(v.db, transmissionId);
      this.move(releaseId, 'sent', { audit: { action: 'release.send', detail: { ...detail, ...this.accountingDetail(transmissionId) } } });
      this.moveRequest(requestId, 'sent');
      return 'sent';
    }
    if (unconfirmed > 0) {
      this.move(releaseId, 'unconfirmed', {
        error: { code: 'SMTP_NO_REPLY', message: UNCONFIRMED_MESSAGE },
        audit: { action: 'release.send', outcome: 'failure', detail },
      });
      return 'unconfirmed';
    }
    const err = stop?.error ?? new AppError('SMTP_FAILED', 'Sending failed at the mail server. Nothing was confirmed as sent.');
    const { attempts } = queueState(v.db, releaseId);
    if (stop?.transient && attempts + 1 < this.retry.maxAttempts) {
      const wait = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** attempts);
      const next = new Date(this.now().getTime() + wait).toISOString();
      this.move(releaseId, 'queued', {
        error: { code: err.code, message: `${err.message} ReleaseDesk tries again by itself.` },
        nextAttemptAt: next,
        countAttempt: true,
        audit: { action: 'release.send', outcome: 'failure', detail: { ...detail, retryInSeconds: Math.round(wait / 1000) } },
      });
      return 'queued';
    }
    const gaveUp = stop?.transient === true;
    const error = gaveUp ? { code: 'SEND_GAVE_UP', message: `ReleaseDesk tried ${attempts + 1} times and stopped. ${err.message}` } : { code: err.code, message: err.message };
    const to: ReleaseStatus = sent > 0 ? 'partly_sent' : 'failed';
    this.move(releaseId, to, { error, audit: { action: 'release.send', outcome: 'failure', detail } });
    this.moveRequest(requestId, to === 'partly_sent' ? 'partly_sent' : 'failed');
    return to;
  }

  /** The facts of the disclosure for the audit (ids and codes only). */
  private accountingDetail(transmissionId: string): Record<string, string> {
    const t = listTransmissions(this.s.require().db).find((x) => x.id === transmissionId);
    return {
      method: t?.method ?? 'unknown',
      ...(t?.method === 'smime' ? { certificateFingerprint: t.recipientKeyFingerprint } : {}),
      tlsProtocol: t?.tlsProtocol ?? '',
      requestId: t?.requestId ?? 'none',
      legalBasis: t?.legalBasis ?? 'none',
      authorizationId: t?.authorizationId ?? 'none',
    };
  }

  /** Move the release's request along its status flow after a send, when the flow allows it. Inside the transaction. */
  private moveRequest(requestId: string | null, to: 'sent' | 'partly_sent' | 'failed'): void {
    if (!requestId) return;
    const db = this.s.require().db;
    const r = getRequest(db, requestId);
    if (canTransition(r.request.status, to)) updateRequest(db, { ...r.request, status: to }, this.now());
  }

  /**
   * Staff's decision on a release whose delivery is unconfirmed: 'recipient_confirmed' (they asked; it arrived →
   * those parts count as sent) or 'resend' (send the SAME stored message again, same Message-ID). Audited with who.
   * @throws AppError STATUS_TRANSITION_INVALID when the release is not unconfirmed
   */
  async resolveUnconfirmed(releaseId: string, choice: 'recipient_confirmed' | 'resend'): Promise<ReleaseStatus> {
    const v = this.s.require();
    const subject = { type: 'release', id: releaseId };
    const open = openTransmission(v.db, releaseId);
    const status = this.s.audited(
      'release.resolve_unconfirmed',
      subject,
      () => {
        if (releaseState(v.db, releaseId).status !== 'unconfirmed' || !open)
          throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release whose delivery is unconfirmed needs this decision.');
        const n = resolveUnconfirmedParts(v.db, open.id, choice, this.s.actor(), this.now().toISOString());
        refreshTransmissionSummary(v.db, open.id);
        const parts = storedParts(v.db, open.id);
        if (parts.every((p) => p.status === 'sent')) return { n, to: this.settle(releaseId, open.id, null) };
        this.move(releaseId, 'queued', { nextAttemptAt: null, resetAttempts: true, audit: { action: 'release.requeue', detail: { transmissionId: open.id, trigger: choice } } });
        return { n, to: 'queued' as ReleaseStatus };
      },
      (r) => ({ choice, parts: r.n, transmissionId: open?.id ?? 'none' }),
    ).to;
    if (status === 'queued' && choice === 'resend') return this.deliver(releaseId, 'staff');
    return status;
  }

  /**
   * Take a prepared release out of the outbox before anything left: back to draft for changes ('withdraw'), or
   * 'cancel' it for good. The transmission is closed, never deleted. Cancelling a partly sent or unconfirmed
   * release stops the rest; what left stays recorded.
   * @throws AppError STATUS_TRANSITION_INVALID (e.g. withdraw after a part left, or while sending)
   */
  withdraw(releaseId: string, how: 'withdraw' | 'cancel'): void {
    const v = this.s.require();
    this.s.audited(
      how === 'cancel' ? 'release.cancel' : 'release.withdraw',
      { type: 'release', id: releaseId },
      () => {
        if (this.active.has(releaseId)) throw new AppError('RELEASE_SEND_IN_PROGRESS', 'This release is being sent right now.');
        const open = openTransmission(v.db, releaseId);
        const out = open ? storedParts(v.db, open.id).some((p) => p.status !== 'pending' && p.status !== 'failed') : false;
        if (how === 'withdraw' && out) throw new AppError('STATUS_TRANSITION_INVALID', 'Part of this release has left the practice; it can no longer be changed.');
        if (open) {
          if (!out) closeTransmission(v.db, open.id, how === 'cancel' ? 'cancelled' : 'withdrawn', this.now().toISOString());
          if (!out) clearOutbox(v.db, open.id);
        }
        this.move(releaseId, how === 'cancel' ? 'cancelled' : 'draft', { audit: { action: how === 'cancel' ? 'release.cancelled' : 'release.withdrawn', detail: { transmissionId: open?.id ?? 'none' } } });
      },
      () => ({}),
    );
  }

  /**
   * The password PDF's passphrase again (it is kept in the vault until staff confirm they gave it to the
   * recipient), e.g. after the screen was closed or the app stopped mid-send. Audited (never the value).
   * @throws AppError NOT_FOUND when no passphrase is kept for the release
   */
  revealPassphrase(releaseId: string): { passphrase: string; staffInstructions: string } {
    return this.s.audited(
      'release.passphrase_view',
      { type: 'release', id: releaseId },
      (v) => {
        const kept = keptPassphrase(v.db, releaseId);
        if (!kept) throw new AppError('NOT_FOUND', 'No passphrase is kept for this release: it was given to the recipient, or the release has none.');
        return { passphrase: kept.passphrase, staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS };
      },
      () => ({}),
    );
  }

  /** Staff gave the passphrase to the recipient: erase it from the vault (the time is kept, audited). */
  passphraseGiven(releaseId: string): void {
    this.s.audited('release.passphrase_given', { type: 'release', id: releaseId }, (v) => erasePassphrase(v.db, releaseId, this.now().toISOString()), (n) => ({ erased: n }));
  }

  /** Pause or resume automatic sending of a queued release (audited). @throws AppError STATUS_TRANSITION_INVALID unless queued */
  pause(releaseId: string, paused: boolean): void {
    const v = this.s.require();
    this.s.audited(
      paused ? 'release.queue_pause' : 'release.queue_resume',
      { type: 'release', id: releaseId },
      () => {
        if (releaseState(v.db, releaseId).status !== 'queued') throw new AppError('STATUS_TRANSITION_INVALID', 'Only a release waiting in the outbox can be paused or resumed.');
        setQueuePaused(v.db, releaseId, paused);
      },
      () => ({ paused }),
    );
  }

  /**
   * The automatic sender: deliver every queued release that is due (not paused). Called by the queue timer
   * while the vault is unlocked. Failures stay in each release's status; nothing is thrown for them.
   * @returns ids of the releases tried
   */
  async runDue(): Promise<string[]> {
    if (this.s.state !== 'unlocked') return [];
    const due = dueQueuedReleases(this.s.require().db, this.now()).filter((id) => !this.active.has(id));
    for (const id of due) {
      try {
        await this.deliver(id, 'queue');
      } catch (e) {
        if (!isAppError(e)) this.s.logger.warn('release.queue_error', { code: 'INTERNAL' });
      }
    }
    return due;
  }

  /**
   * Crash recovery at unlock (see the module comment): settle parts left 'sending' and move each interrupted
   * release to 'unconfirmed' (some part may have been delivered) or 'queued' (nothing can have been).
   * @returns per release the status it got
   */
  recover(): Array<{ releaseId: string; to: ReleaseStatus }> {
    const v = this.s.require();
    const out: Array<{ releaseId: string; to: ReleaseStatus }> = [];
    v.tx(() => {
      // Messages stored by a preparation that never committed (the process stopped while composing): nothing can be
      // sent from them; the closed transmission record stays.
      clearUnfinishedPreparations(v.db);
      for (const releaseId of releasesInStatus(v.db, 'sending')) {
        const open = openTransmission(v.db, releaseId);
        const settled = open ? recoverSendingParts(v.db, open.id, this.now().toISOString()) : { unconfirmed: 0, pending: 0 };
        const anyUnconfirmed = open ? storedParts(v.db, open.id).some((p) => p.status === 'unconfirmed') : false;
        const to: ReleaseStatus = !open ? 'failed' : anyUnconfirmed ? 'unconfirmed' : 'queued';
        this.move(releaseId, to, {
          error:
            to === 'unconfirmed'
              ? { code: 'SEND_INTERRUPTED', message: UNCONFIRMED_MESSAGE }
              : { code: 'SEND_INTERRUPTED', message: 'The last send was interrupted before any message could arrive. ReleaseDesk sends it again by itself.' },
          nextAttemptAt: null,
          audit: { action: 'release.send_interrupted', outcome: 'failure', detail: { transmissionId: open?.id ?? 'none', partsUnconfirmed: settled.unconfirmed, partsRequeued: settled.pending } },
        });
        out.push({ releaseId, to });
      }
    });
    return out;
  }

  /** The releases staff should see in the outbox: waiting, being sent, unconfirmed, failed or partly sent. */
  outbox(): OutboxEntryT[] {
    const v = this.s.require();
    return releasesInStatusWithTransmission(v.db, ['queued', 'sending', 'unconfirmed', 'failed', 'partly_sent', 'bounced']).map((r) => ({
      ...r,
      method: r.method as OutboxEntryT['method'],
      sendingNow: this.active.has(r.releaseId),
    }));
  }
}

/** What staff read for a release whose delivery is unconfirmed. */
export const UNCONFIRMED_MESSAGE =
  'The mail server received the whole message but its answer never came, so the release may have been delivered. ' +
  'Ask the recipient whether it arrived, or resend the same message (the recipient may then get it twice).';

/** What staff are told to do with a one-time passphrase (never sent by email: compliance-rules.md, email safeguards). */
export const PASSPHRASE_STAFF_INSTRUCTIONS =
  'Call the recipient and read this passphrase to them, or give it in person or by text message to a number you confirmed with them. ' +
  'Never put it in an email. ReleaseDesk keeps it, encrypted, only until you confirm you gave it to the recipient. ' +
  'The recipient types the words in lower case, joined by hyphens, without spaces.';

/**
 * SHA-256 (hex) of what a transmission is prepared from: method, documents (id + content digest), recipient
 * name, address and key fingerprint (S/MIME: the certificate's fingerprint and confirmation), the per-message size limit (a server that refused a too-large message is sent
 * smaller parts after staff lower it). A failed release is sent again from its stored messages only while this is unchanged.
 */
export function contentDigest(db: Parameters<typeof storedRecipient>[0], releaseId: string, method: string): string {
  const rec = storedRecipient(db, releaseId);
  const docs = listDocuments(db, releaseId).map((d) => `${d.id}:${d.sha256}:${[d.category, ...(d.alsoCategories ?? [])].join('+')}:${d.documentDate}`);
  return createHash('sha256')
    .update(
      JSON.stringify({
        method,
        docs,
        limit: deliverySettings(db).messageLimitBytes,
        name: rec?.name ?? null,
        email: rec?.email ?? null,
        key: rec?.keyFingerprint ?? null,
        confirmed: rec?.fingerprintConfirmed ?? false,
        // S/MIME: the certificate and its confirmation (other methods' digests stay as they were).
        ...(method === 'smime' ? { certificate: recipientCertificate(db, releaseId)?.fingerprint ?? null, certificateConfirmed: !!recipientCertificate(db, releaseId)?.confirmed } : {}),
      }),
    )
    .digest('hex');
}

/** Whether the error means "handed over, no reply" (the message may have been delivered). */
function isNoReply(e: AppError): boolean {
  if (e.code === 'SMTP_NO_REPLY') return true;
  // A reply code after DATA is a definite answer; anything else after the hand-over (drop, timeout) is not.
  return typeof e.detail?.smtpCode !== 'number';
}

/** Whether trying again later can succeed (network, timeouts, 4xx). */
function isTransient(e: AppError): boolean {
  if (typeof e.detail?.transient === 'boolean') return e.detail.transient;
  if (e.code === 'SMTP_UNREACHABLE') return true;
  const code = e.detail?.smtpCode;
  if (typeof code === 'number') return code >= 400 && code < 500;
  return e.code === 'SMTP_FAILED';
}

/** Codes and numbers of an SMTP failure for the audit (never server text). */
function smtpFacts(e: AppError): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of ['smtpCode', 'phase', 'command'] as const) {
    const v = e.detail?.[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

