import { createHash } from 'node:crypto';
import type { TransmissionT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { requireGatePassed } from './release-findings';
import { listDocuments, readDocument, readDocumentChunks } from '../documents/documents';
import { activePracticeKey, deliverySettings, requireSetting } from '../settings/settings';
import { recipientCertificate } from '../smime/repo';
import type { SmimeService } from '../smime/service';
import { newId } from '../support/ids';
import {
  beginOutboxMessage,
  clearOutbox,
  closeTransmission,
  insertPendingPart,
  openStagedTransmission,
  openTransmission,
  saveOutbox,
  setTransmissionPreparation,
  storePassphrase,
  type OutboxMessage,
} from './delivery-repo';
import { EMAIL_METHODS, type PreparedMessages } from './methods';
import { storeOutboxChunks } from './outbox-io';
import type { GateResult } from './release-service';
import { insertTransmission, releaseState, setDeliveryMethod, storedRecipient, updateRecipient, type StoredRecipient } from './repo';
import type { EmailMethod, SendContext } from './send-context';

/** Messages stored one at a time under a transmission not yet opened (stageMessages). */
export interface Staged {
  t: TransmissionT;
  parts: Array<{ part: number; of: number; messageId: string; sizeBytes: number }>;
}

/**
 * Steps 1–2: check, compose with the method, and store everything before anything leaves.
 * @returns the passphrase (password PDF) and the transmission id
 */
export async function prepare(ctx: SendContext, releaseId: string, method: EmailMethod): Promise<{ passphrase: string | null; transmissionId: string }> {
  const s = ctx.s;
  const v = s.require();
  const subject = { type: 'release', id: releaseId };
  let recipient: StoredRecipient;
  let gate: GateResult;
  let prepared: PreparedMessages;
  /** Messages composed one at a time were stored as they came, under a transmission kept closed until the commit below. */
  let staged: Staged | null = null;
  const { reference } = releaseState(v.db, releaseId);
  try {
    if (method === 'tls-only-email' && !ctx.d.unencryptedAllowed(releaseId))
      throw new AppError(
        'UNENCRYPTED_NOT_ACKNOWLEDGED',
        "Unencrypted email needs the patient's recorded choice after the risk warning. Record it first, or choose an encrypted method.",
      );
    const rec = storedRecipient(v.db, releaseId);
    if (!rec) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
    recipient = rec;
    // Right patient (164.502(a), 164.530(c)): every record file checked before the gate reads the results.
    await ctx.d.checkPatient?.(releaseId);
    gate = ctx.d.gate(releaseId, method === 'tls-only-email' ? 'unencrypted' : 'encrypted');
    requireGatePassed(gate);
    const practice = requireSetting(v.db, 'practice');
    // S/MIME: the recipient certificate is checked again at this moment (a certificate found unusable has its
    // confirmation withdrawn), and the practice certificate is made at first use.
    const smime = method === 'smime' ? await requireSmime(ctx).forSend(releaseId) : undefined;
    ctx.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 0, total: 1 });
    prepared = await EMAIL_METHODS[method]({
      practice,
      recipient,
      reference,
      gate,
      practiceKey: activePracticeKey(v.db),
      limitBytes: deliverySettings(v.db).messageLimitBytes,
      now: ctx.now(),
      assetsRoot: ctx.d.assetsRoot,
      readDocument: (id) => readDocument(v.db, id),
      readDocumentChunks: (id) => readDocumentChunks(v.db, id),
      smime,
      scopeSheets: await ctx.d.part2ScopeSheets(gate.decision.notices, reference),
      assemble: () => ctx.d.assemble(releaseId, gate, recipient.name),
      packaging: ctx.d.packaging,
    });
    if (prepared.oneByOne) {
      const envelope = { from: practice.senderEmail, to: [recipient.email] };
      const rec = (firstMessageId: string, partsTotal: number) => transmissionRecord(ctx, releaseId, reference, method, recipient, gate, prepared, firstMessageId, partsTotal);
      staged = await stageMessages(ctx, releaseId, prepared.oneByOne, rec, envelope);
    }
    ctx.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 1, total: 1 });
  } catch (e) {
    s.recordFailure('release.send', subject, e, { method });
    // A confirmed key found revoked or expired at send: the confirmation is withdrawn, so nothing goes to that key
    // until a valid key is confirmed again (164.312(e)(1)).
    const rec = storedRecipient(v.db, releaseId);
    if (isAppError(e) && (e.code === 'KEY_REVOKED' || e.code === 'KEY_EXPIRED') && rec?.keyArmored && rec.fingerprintConfirmed) {
      s.audited(
        'release.recipient_key_withdrawn',
        subject,
        (vv) => updateRecipient(vv.db, releaseId, { ...rec, fingerprintConfirmed: false }, ctx.now()),
        () => ({ keyFingerprint: rec.keyFingerprint ?? 'none', code: e.code, wasConfirmed: true }),
      );
    }
    throw e;
  }

  const practice = requireSetting(v.db, 'practice');
  const at = ctx.now().toISOString();
  const parts = staged
    ? staged.parts
    : prepared.messages.map((m) => ({ part: m.part, of: m.of, messageId: m.messageId, sizeBytes: m.raw.length }));
  const t: TransmissionT = staged?.t ?? transmissionRecord(ctx, releaseId, reference, method, recipient, gate, prepared, prepared.messages[0]!.messageId, parts.length);
  const envelope = { from: practice.senderEmail, to: [recipient.email] };
  try {
    v.tx(() => {
      const { status } = releaseState(v.db, releaseId);
      const old = openTransmission(v.db, releaseId);
      if (old) closeTransmission(v.db, old.id, 'superseded', at);
      if (status === 'failed') ctx.move(releaseId, 'draft', { audit: { action: 'release.reopen', detail: { supersededTransmissionId: old?.id ?? 'none' } } });
      if (staged) openStagedTransmission(v.db, t.id);
      else insertTransmission(v.db, t);
      setTransmissionPreparation(v.db, t.id, contentDigest(v.db, releaseId, method), reference);
      for (const m of parts) insertPendingPart(v.db, t.id, m);
      if (!staged) saveOutbox(v.db, t.id, prepared.messages.map((m): OutboxMessage => ({ part: m.part, of: m.of, messageId: m.messageId, envelope, raw: m.raw })));
      if (prepared.passphrase !== null) storePassphrase(v.db, t.id, prepared.passphrase);
      setDeliveryMethod(v.db, releaseId, method);
      ctx.move(releaseId, 'queued', {
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
  await ctx.d.checkpoint?.('prepared', { releaseId });
  return { passphrase: prepared.passphrase, transmissionId: t.id };
}

/** The transmission record of a preparation (nothing sent yet). */
export function transmissionRecord(
  ctx: SendContext,
  releaseId: string,
  reference: string,
  method: EmailMethod,
  recipient: StoredRecipient,
  gate: GateResult,
  prepared: PreparedMessages,
  firstMessageId: string,
  partsTotal: number,
): TransmissionT {
  const practice = requireSetting(ctx.s.require().db, 'practice');
  return {
    id: newId(),
    releaseId,
    releaseReference: reference,
    at: ctx.now().toISOString(),
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
export async function stageMessages(
  ctx: SendContext,
  releaseId: string,
  oneByOne: NonNullable<PreparedMessages['oneByOne']>,
  record: (firstMessageId: string, partsTotal: number) => TransmissionT,
  envelope: OutboxMessage['envelope'],
): Promise<Staged> {
  const v = ctx.s.require();
  let t: TransmissionT | null = null;
  const parts: Staged['parts'] = [];
  try {
    for await (const m of oneByOne.messages) {
      const id = v.tx(() => {
        if (!t) {
          t = record(m.messageId, oneByOne.of);
          insertTransmission(v.db, t);
          closeTransmission(v.db, t.id, 'superseded', t.at);
        }
        beginOutboxMessage(v.db, t.id, { part: m.part, of: m.of, messageId: m.messageId, envelope });
        return t.id;
      });
      await storeOutboxChunks(v, id, m.part, m.raw);
      parts.push({ part: m.part, of: m.of, messageId: m.messageId, sizeBytes: m.raw.length });
      ctx.d.events.emit('progress', { operation: 'encrypt', releaseId, done: m.part, total: oneByOne.of + 1 });
    }
  } catch (e) {
    const id = (t as TransmissionT | null)?.id;
    if (id) v.tx(() => clearOutbox(v.db, id));
    throw e;
  }
  if (!t || parts.length !== oneByOne.of) throw new AppError('INTERNAL', 'The messages of this release could not be composed. Nothing was sent.');
  return { t, parts };
}

/** The S/MIME service. @throws AppError RELEASE_NOT_READY when S/MIME is not wired (it always is in the product) */
export function requireSmime(ctx: SendContext): SmimeService {
  if (!ctx.d.smime) throw new AppError('RELEASE_NOT_READY', 'S/MIME delivery is not available here. Choose another delivery method.');
  return ctx.d.smime;
}

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

