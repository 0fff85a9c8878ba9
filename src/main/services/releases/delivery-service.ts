/**
 * The delivery methods of issue #4 wired into the release workflow: the ladder for a release,
 * password-protected PDF and TLS-only email (assembled packet, split, encrypted, signed, sent part by
 * part with per-part results and retry of only the missing parts), export of the password-protected
 * packet to a folder, and the print-ready packet kept in the vault. Every method runs the compliance
 * gate first and is recorded as a transmission (accounting of disclosures, 45 CFR 164.528) and audited
 * in the same transaction as the state change.
 */
import type { ChannelOutput, DeliveryMethodT, TransmissionT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { mayUseUnencryptedEmail } from '../compliance';
import { composePasswordPdfMessages, composeTlsOnlyMessages, type ComposedMessage } from '../delivery/compose';
import { deliveryLadder } from '../delivery/methods';
import { exportPacket, printablePacket } from '../delivery/export';
import { preparePacketFiles } from '../delivery/packet-files';
import { sendMessages } from '../delivery/send-parts';
import { readDocument } from '../documents/documents';
import { assemblePacket, generateSpokenPassphrase, type AssembledPacket } from '../packaging';
import { applicableAcknowledgment, getAuthorization, getRequest } from '../requests/repo';
import { activePracticeKey, deliverySettings, getSetting, putSetting, requireSetting } from '../settings/settings';
import { newId } from '../support/ids';
import {
  clearOutbox,
  insertPrintable,
  loadOutbox,
  openTransmissionId,
  readPrintable,
  saveOutbox,
  sentPartNumbers,
  upsertTransmissionPart,
  updateTransmissionProgress,
} from './delivery-repo';
import { keyFactsOrNull, ReleaseService, type GateResult } from './release-service';
import { insertTransmission, listTransmissions, releaseState, requireEditable, setDeliveryMethod, setStatus, storedRecipient, type StoredRecipient } from './repo';

/** What staff are told to do with a one-time passphrase (never sent by email: compliance-rules.md, email safeguards). */
export const PASSPHRASE_STAFF_INSTRUCTIONS =
  'Call the recipient and read this passphrase to them, or give it in person or by text message to a number you confirmed with them. ' +
  'Never put it in an email. It is shown only this once: ReleaseDesk does not keep it. ' +
  'The recipient types the words in lower case, joined by hyphens, without spaces.';

type PacketMethod = 'password-pdf' | 'tls-only-email';
type SendOutput = ChannelOutput<'releases.send'>;

/** The release workflow with every delivery method of issue #4 (see the module comment). */
export class ReleaseDeliveryService extends ReleaseService {
  /**
   * The delivery ladder for the release now (deliveryLadder), with the facts it depends on: the recipient
   * has an OpenPGP key whose fingerprint staff confirmed and that can encrypt now; an unencrypted-email
   * choice applies (mayUseUnencryptedEmail, 45 CFR 164.524(c)(2)(ii) guidance); a recipient address and the
   * practice's mail server are set. Not audited (nothing changes, no PHI shown).
   * @returns rungs strongest first; `defaultMethod` the strongest available email method; the applicable
   *   acknowledgment id; the per-message limit in bytes
   * @throws AppError NOT_FOUND | VAULT_LOCKED
   */
  async deliveryOptions(releaseId: string): Promise<ChannelOutput<'releases.deliveryOptions'>> {
    const db = this.session.require().db;
    const rec = storedRecipient(db, releaseId);
    const keyOk = !!rec?.keyArmored && rec.fingerprintConfirmed && (await keyFactsOrNull(rec.keyArmored, this.session.clock.now())) !== null;
    const emailAvailable = !!rec && getSetting(db, 'smtp') !== null && getSetting(db, 'practice') !== null;
    const ack = this.unencryptedDecision(releaseId);
    const rungs = deliveryLadder({ recipientHasVerifiedKey: keyOk, unencryptedAcknowledged: ack.allowed, emailAvailable });
    const email = rungs.find((r) => r.available && (r.method === 'openpgp-pgp-mime' || r.method === 'password-pdf' || r.method === 'tls-only-email'));
    return {
      rungs,
      defaultMethod: (email?.method as 'openpgp-pgp-mime' | 'password-pdf' | 'tls-only-email' | undefined) ?? null,
      acknowledgmentId: ack.acknowledgmentId,
      messageLimitBytes: deliverySettings(db).messageLimitBytes,
    };
  }

  /** Whether the individual's recorded unencrypted-email choice applies to this release (mayUseUnencryptedEmail). */
  private unencryptedDecision(releaseId: string): { allowed: boolean; acknowledgmentId: string | null } {
    const db = this.session.require().db;
    const { requestId } = releaseState(db, releaseId);
    if (!requestId) return { allowed: false, acknowledgmentId: null };
    const r = getRequest(db, requestId);
    const ack = applicableAcknowledgment(db, r.patient.mrn, requestId);
    const d = mayUseUnencryptedEmail(r.request, ack);
    return { allowed: d.allowed, acknowledgmentId: d.allowed && ack ? ack.id : null };
  }

  /**
   * Change the delivery settings (audited as a setting change: settings.change, detail key and new value).
   * @param messageLimitBytes raw attachment bytes per email message (30,000..100,000,000; default 18,000,000)
   */
  setDeliverySettings(input: { messageLimitBytes: number }): { messageLimitBytes: number } {
    this.session.audited(
      'settings.change',
      { type: 'settings', id: 'delivery' },
      (v) => {
        const before = deliverySettings(v.db).messageLimitBytes;
        putSetting(v.db, 'delivery', { messageLimitBytes: input.messageLimitBytes });
        return before;
      },
      (before) => ({ key: 'delivery.messageLimitBytes', before, after: input.messageLimitBytes }),
    );
    return deliverySettings(this.session.require().db);
  }

  /**
   * Send the release by email with `method` (default: 'openpgp-pgp-mime' when the recipient has a key).
   * - 'openpgp-pgp-mime': the original workflow (sendPgpMime).
   * - 'password-pdf' / 'tls-only-email': see {@link sendPacket}.
   * @throws AppError RELEASE_NOT_READY (no method and no key) and everything the chosen workflow throws
   */
  async send(releaseId: string, method?: 'openpgp-pgp-mime' | 'password-pdf' | 'tls-only-email'): Promise<SendOutput> {
    const db = this.session.require().db;
    let m = method;
    if (!m) {
      if (storedRecipient(db, releaseId)?.keyArmored) m = 'openpgp-pgp-mime';
      else {
        const e = new AppError('RELEASE_NOT_READY', 'Choose how to deliver this release: the recipient has no OpenPGP key.');
        this.session.recordFailure('release.send', { type: 'release', id: releaseId }, e);
        throw e;
      }
    }
    if (m === 'openpgp-pgp-mime') return this.sendPgpMime(releaseId);
    return this.sendPacket(releaseId, m);
  }

  /** Preconditions shared by the packet methods: documents, recipient, and the gate (last, synchronous). */
  private requireDeliverable(releaseId: string, delivery: 'encrypted' | 'unencrypted'): { recipient: StoredRecipient; gate: GateResult } {
    const db = this.session.require().db;
    const rec = storedRecipient(db, releaseId);
    if (!rec) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
    const gate = this.gate(releaseId, delivery);
    if (gate.docs.length === 0) throw new AppError('RELEASE_NOT_READY', 'Add at least one record file before sending.');
    const blocking = gate.decision.findings.filter((f) => f.severity === 'block');
    if (blocking.length > 0)
      throw new AppError('RELEASE_BLOCKED', `This release cannot be sent yet: ${blocking.map((f, i) => `(${i + 1}) ${f.message}`).join(' ')}`, {
        findings: [...new Set(blocking.map((f) => f.code))].join(','),
        blocking: blocking.length,
      });
    return { recipient: rec, gate };
  }

  /**
   * Assemble the release packet from the release's documents (cover: practice, recipient, purpose from the
   * authorization or the request's basis, request reference, date, page count, notices incl. 42 CFR 2.32
   * when the gate returned it), reporting progress 'assemble'.
   */
  private async assemble(releaseId: string, gate: GateResult, recipientName: string): Promise<AssembledPacket> {
    const db = this.session.require().db;
    const practice = requireSetting(db, 'practice');
    const { reference } = releaseState(db, releaseId);
    const request = gate.request!;
    const auth = request.request.authorizationId ? getAuthorization(db, request.request.authorizationId).authorization : undefined;
    const purpose = auth && auth.purposes.length > 0 ? auth.purposes.join('; ') : purposeOfBasis(request.request.basis);
    const total = gate.docs.length;
    this.d.events.emit('progress', { operation: 'assemble', releaseId, done: 0, total });
    const packet = await assemblePacket({
      practice: { name: practice.name },
      recipient: { name: recipientName },
      purpose,
      reference: request.reference,
      releaseNumberPrefix: `${reference}-`,
      createdAt: this.session.clock.now(),
      timeZone: this.d.requests.timeZone(),
      sources: gate.docs.map((d) => ({ id: d.id, bytes: readDocument(db, d.id), mediaType: 'application/pdf' })),
      includePart2Notice: gate.decision.notices.some((n) => n.citation.includes('2.32')),
      ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}),
      onProgress: (p) => {
        if (p.phase === 'normalize') this.d.events.emit('progress', { operation: 'assemble', releaseId, done: p.done, total: p.total });
      },
    });
    this.d.events.emit('progress', { operation: 'assemble', releaseId, done: total, total });
    return packet;
  }

  private baseTransmission(releaseId: string, method: DeliveryMethodT, recipient: StoredRecipient, gate: GateResult, packetSha256: string, partsTotal: number): TransmissionT {
    const db = this.session.require().db;
    const practice = requireSetting(db, 'practice');
    const { reference } = releaseState(db, releaseId);
    return {
      id: newId(),
      releaseId,
      releaseReference: reference,
      at: this.session.clock.now().toISOString(),
      sender: practice.senderEmail,
      recipientName: recipient.name,
      recipientEmail: recipient.email,
      method,
      documents: gate.docs.map((d) => ({ label: d.label, sha256: d.sha256, pageCount: d.pageCount })),
      messageId: '',
      smtpResponse: '',
      tlsProtocol: '',
      tlsCipher: '',
      recipientKeyFingerprint: '',
      requestId: gate.request!.id,
      legalBasis: gate.request!.request.basis,
      authorizationId: gate.authorizationId,
      acknowledgmentId: gate.acknowledgmentId,
      partsTotal,
      partsSent: 0,
      packetSha256,
      parts: [],
    };
  }

  /**
   * Send as password-protected PDF (AES-256 R6, a fresh 6-word passphrase returned ONCE in the response,
   * never stored, logged or audited) or as TLS-only email at the individual's recorded request:
   * 1. preconditions — recipient, documents; for TLS-only the recorded choice (UNENCRYPTED_NOT_ACKNOWLEDGED);
   *    the compliance gate last (RELEASE_BLOCKED);
   * 2. outbox 'sending' + method, audited;
   * 3. fresh send: assemble the packet, split under delivery.messageLimitBytes, encrypt, sign, compose; keep
   *    the composed (encrypted) messages in the vault and create the transmission with every part 'pending';
   *    retry of a 'partly_sent' release: the same stored messages, parts already accepted skipped;
   * 4. send the parts one by one over verified TLS (stops at the first failure);
   * 5. record per-part results; status 'sent' (all parts; outbox cleared), 'partly_sent' (some; the rest stays
   *    in the vault for the retry), or 'failed' when a fresh send got no part out (the transmission is removed:
   *    nothing was disclosed; the next send starts afresh with a new passphrase). Audited in the same transaction.
   * @returns release, transmission and — for a fresh password-pdf send with at least one part accepted — the passphrase
   * @throws AppError RELEASE_NOT_READY | UNENCRYPTED_NOT_ACKNOWLEDGED | RELEASE_BLOCKED | RELEASE_ALREADY_SENT |
   *   RELEASE_SEND_IN_PROGRESS | TLS_* | SMTP_* (nothing accepted) | packaging errors (PDF_*, PACKET_PAGE_TOO_LARGE, ...)
   * @source 45 CFR 164.312(e)(1), (e)(2)(ii); 164.524(c)(2)(ii); 164.528; RFC 3461 (DSN, ENVID per part)
   */
  async sendPacket(releaseId: string, method: PacketMethod): Promise<SendOutput> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    const now = () => s.clock.now();

    // 1. Preconditions.
    let retry = false;
    let recipient: StoredRecipient;
    let gate: GateResult;
    try {
      const st = releaseState(v.db, releaseId);
      if (st.status === 'partly_sent') {
        const chosen = (v.db.prepare('SELECT delivery_method FROM releases WHERE id = ?').get(releaseId) as { delivery_method: string | null }).delivery_method;
        if (chosen !== method)
          throw new AppError('RELEASE_ALREADY_SENT', 'Part of this release was already sent by another method; send the remaining parts the same way.', { method: chosen ?? 'none' });
        retry = true;
      } else {
        requireEditable(v.db, releaseId);
      }
      if (method === 'tls-only-email' && !this.unencryptedDecision(releaseId).allowed) {
        throw new AppError(
          'UNENCRYPTED_NOT_ACKNOWLEDGED',
          "Unencrypted email needs the patient's recorded choice after the risk warning. Record it first, or choose an encrypted method.",
        );
      }
      ({ recipient, gate } = this.requireDeliverable(releaseId, method === 'tls-only-email' ? 'unencrypted' : 'encrypted'));
    } catch (e) {
      s.recordFailure('release.send', subject, e, { method });
      throw e;
    }

    // 2. Outbox: 'sending', audited.
    const { reference } = releaseState(v.db, releaseId);
    v.tx(() => {
      setStatus(v.db, releaseId, 'sending', now());
      setDeliveryMethod(v.db, releaseId, method);
      s.audit({ action: 'release.send_attempt', outcome: 'success', subjectType: 'release', subjectId: releaseId, detail: { documents: gate.docs.length, method, retry } });
    });

    let passphrase: string | null = null;
    let transmissionId: string;
    try {
      const practice = requireSetting(v.db, 'practice');
      const smtp = requireSetting(v.db, 'smtp');
      let messages: ComposedMessage[];
      if (retry) {
        const open = openTransmissionId(v.db, releaseId, method);
        const stored = loadOutbox(v.db, releaseId);
        if (!open || stored.length === 0) throw new AppError('INTERNAL', 'The remaining parts of this release could not be found. Nothing was sent.');
        transmissionId = open;
        messages = stored.map((m) => ({ raw: m.raw, messageId: m.messageId, part: m.part, of: m.of, attachments: [] }));
      } else {
        // 3. Assemble, split, encrypt, sign, compose.
        const packet = await this.assemble(releaseId, gate, recipient.name);
        this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 0, total: 1 });
        const practiceKey = activePracticeKey(v.db);
        const common = {
          from: { name: practice.senderName, address: practice.senderEmail },
          to: recipient.email,
          practiceName: practice.name,
          reference,
          packetPdf: packet.pdf,
          manifest: packet.manifest,
          practiceSigningKeyArmored: practiceKey.armoredPrivate,
          limitBytes: deliverySettings(v.db).messageLimitBytes,
          date: now(),
          ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}),
        };
        let composed;
        if (method === 'password-pdf') {
          passphrase = generateSpokenPassphrase().passphrase;
          composed = await composePasswordPdfMessages({ ...common, passphrase });
        } else {
          composed = await composeTlsOnlyMessages({ ...common, unencrypted: { allowed: true, acknowledgmentId: gate.acknowledgmentId ?? '' } });
        }
        messages = composed.messages;
        this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 1, total: 1 });
        const t = this.baseTransmission(releaseId, method, recipient, gate, packet.manifest.packetSha256, messages.length);
        transmissionId = t.id;
        v.tx(() => {
          insertTransmission(v.db, t);
          for (const m of messages) {
            upsertTransmissionPart(v.db, t.id, { part: m.part, of: m.of, status: 'pending', messageId: m.messageId, sentAt: null, smtpResponse: null, tlsProtocol: null, tlsCipher: null, errorCode: null });
          }
          saveOutbox(v.db, releaseId, messages.map((m) => ({ part: m.part, of: m.of, messageId: m.messageId, raw: m.raw })));
          s.audit({
            action: 'release.packet_prepared',
            outcome: 'success',
            subjectType: 'release',
            subjectId: releaseId,
            detail: { transmissionId: t.id, method, parts: messages.length, pages: packet.pageCount, packetSha256: packet.manifest.packetSha256 },
          });
        });
      }

      // 4. Send the parts not yet accepted.
      const alreadySent = sentPartNumbers(v.db, transmissionId);
      const outcome = await sendMessages(
        smtp,
        { from: practice.senderEmail, to: [recipient.email] },
        messages,
        { ...(this.d.smtpCa ? { ca: this.d.smtpCa } : {}), envid: reference, alreadySent },
        (p) => this.d.events.emit('progress', { operation: 'send', releaseId, done: p.done, total: p.total }),
      );

      // 5. Record per-part results, progress, status, audit: one transaction.
      const at = now().toISOString();
      const newlySent = outcome.results.filter((r) => r.status === 'sent');
      const failure = outcome.results.find((r) => r.status === 'failed')?.error;
      const nothingOut = outcome.sentParts.length === 0;
      v.tx(() => {
        for (const r of outcome.results) {
          if (r.status === 'already-sent') continue;
          upsertTransmissionPart(v.db, transmissionId, {
            part: r.part,
            of: r.of,
            status: r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'failed' : 'pending',
            messageId: r.send?.messageId || r.messageId,
            sentAt: r.status === 'sent' ? at : null,
            smtpResponse: r.send?.response ?? null,
            tlsProtocol: r.send?.tlsProtocol ?? null,
            tlsCipher: r.send?.tlsCipher ?? null,
            errorCode: r.error?.code ?? null,
          });
        }
        const last = newlySent.at(-1)?.send;
        const first = outcome.results.find((r) => r.status === 'sent' || r.status === 'already-sent');
        if (nothingOut) {
          // Nothing was disclosed: drop the transmission and the outbox; a new send starts afresh (new passphrase).
          v.db.prepare('DELETE FROM transmission_parts WHERE transmission_id = ?').run(transmissionId);
          v.db.prepare('DELETE FROM transmissions WHERE id = ?').run(transmissionId);
          clearOutbox(v.db, releaseId);
          setStatus(v.db, releaseId, 'failed', now(), { code: failure?.code ?? 'SMTP_FAILED', message: failure?.message ?? 'Sending failed. Nothing was sent.' });
          this.moveRequest(gate.request!.id, 'failed');
        } else {
          if (last) {
            updateTransmissionProgress(v.db, transmissionId, {
              partsSent: outcome.sentParts.length,
              at,
              messageId: first?.send?.messageId || first?.messageId || '',
              smtpResponse: last.response,
              tlsProtocol: last.tlsProtocol,
              tlsCipher: last.tlsCipher,
            });
          }
          if (outcome.complete) {
            clearOutbox(v.db, releaseId);
            setStatus(v.db, releaseId, 'sent', now());
            this.moveRequest(gate.request!.id, 'sent');
          } else {
            setStatus(v.db, releaseId, 'partly_sent', now(), {
              code: failure?.code ?? 'SMTP_FAILED',
              message: `Parts ${outcome.sentParts.join(', ')} of ${messages.length} were sent; the others were not. Send again to send only the missing parts. ${failure?.message ?? ''}`.trim(),
            });
            this.moveRequest(gate.request!.id, 'partly_sent');
          }
        }
        s.audit({
          action: 'release.send',
          outcome: outcome.complete ? 'success' : 'failure',
          subjectType: 'release',
          subjectId: releaseId,
          detail: {
            transmissionId: nothingOut ? 'none' : transmissionId,
            method,
            retry,
            partsTotal: messages.length,
            partsSent: outcome.sentParts.length,
            sentNow: newlySent.map((r) => r.part).join(',') || 'none',
            ...(failure ? { code: failure.code } : {}),
            requestId: gate.request!.id,
            legalBasis: gate.request!.request.basis,
            authorizationId: gate.authorizationId ?? 'none',
            acknowledgmentId: gate.acknowledgmentId ?? 'none',
            notices: gate.decision.notices.length,
          },
        });
      });
      if (nothingOut) throw new AppError(failure?.code ?? 'SMTP_FAILED', failure?.message ?? 'Sending failed. Nothing was sent.');
      const transmission = listTransmissions(v.db, releaseId).find((t) => t.id === transmissionId)!;
      const release = await this.get(releaseId);
      return passphrase !== null ? { release, transmission, passphrase, staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS } : { release, transmission };
    } catch (e) {
      if (isAppError(e) && releaseState(v.db, releaseId).status !== 'sending') throw e; // already recorded above
      const err = isAppError(e) ? e : new AppError('INTERNAL', 'Something went wrong inside ReleaseDesk. Nothing was sent.');
      v.tx(() => {
        // A retry that broke before sending keeps its remaining parts; a fresh one starts again.
        setStatus(v.db, releaseId, retry ? 'partly_sent' : 'failed', now(), { code: err.code, message: err.message });
        if (!retry) {
          clearOutbox(v.db, releaseId);
          this.moveRequest(gate.request!.id, 'failed');
        }
      });
      s.recordFailure('release.send', subject, e, { method });
      throw err;
    }
  }

  /**
   * Export the password-protected packet (one part; AES-256 R6; signatures, manifest, practice key, README)
   * into a folder staff choose (exportPacket: empty folder, exclusive writes, fsync). A disclosure: the gate
   * runs first; the transmission (method 'export') and the status 'sent' are recorded and audited together.
   * @returns saved=false when staff cancelled (nothing recorded); else the files and the passphrase ONCE
   * @throws AppError EXPORT_UNAVAILABLE (no folder picker) | RELEASE_NOT_READY | RELEASE_BLOCKED | RELEASE_ALREADY_SENT |
   *   EXPORT_FAILED (folder not empty / not writable / write failed) | packaging errors
   * @source 45 CFR 164.312(a)(2)(iv) and NIST SP 800-111 (encrypted removable media); 164.528
   */
  async exportRelease(releaseId: string): Promise<ChannelOutput<'releases.export'>> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    let recipient: StoredRecipient;
    let gate: GateResult;
    try {
      if (!this.d.folderPicker) throw new AppError('EXPORT_UNAVAILABLE', 'Saving to a folder is not available here.');
      requireEditable(v.db, releaseId);
      ({ recipient, gate } = this.requireDeliverable(releaseId, 'encrypted'));
    } catch (e) {
      s.recordFailure('release.export', subject, e);
      throw e;
    }
    const dir = await this.d.folderPicker!.chooseFolder();
    if (!dir) return { saved: false, files: [], transmission: null, release: await this.get(releaseId) };
    try {
      const practice = requireSetting(v.db, 'practice');
      const { reference } = releaseState(v.db, releaseId);
      const packet = await this.assemble(releaseId, gate, recipient.name);
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 0, total: 1 });
      const passphrase = generateSpokenPassphrase().passphrase;
      const prepared = await preparePacketFiles({
        reference,
        packetPdf: packet.pdf,
        manifest: packet.manifest,
        practiceSigningKeyArmored: activePracticeKey(v.db).armoredPrivate,
        passphrase,
        limitBytes: Infinity,
        ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}),
      });
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 1, total: 1 });
      const written = await exportPacket(dir, prepared, { practiceName: practice.name });
      const t: TransmissionT = { ...this.baseTransmission(releaseId, 'export', recipient, gate, packet.manifest.packetSha256, prepared.parts.length), partsSent: prepared.parts.length };
      this.session.audited(
        'release.export',
        subject,
        () => {
          requireEditable(v.db, releaseId);
          insertTransmission(v.db, t);
          setDeliveryMethod(v.db, releaseId, 'export');
          setStatus(v.db, releaseId, 'sent', s.clock.now());
          this.moveRequest(gate.request!.id, 'sent');
        },
        () => ({ transmissionId: t.id, method: 'export', files: written.files.length, packetSha256: t.packetSha256 ?? '', requestId: t.requestId ?? 'none', authorizationId: t.authorizationId ?? 'none' }),
      );
      return {
        saved: true,
        files: written.files,
        passphrase,
        staffInstructions: PASSPHRASE_STAFF_INSTRUCTIONS,
        transmission: listTransmissions(v.db, releaseId).find((x) => x.id === t.id)!,
        release: await this.get(releaseId),
        folder: dir,
      };
    } catch (e) {
      if (!(isAppError(e) && e.code === 'RELEASE_ALREADY_SENT')) s.recordFailure('release.export', subject, e);
      throw isAppError(e) ? e : new AppError('EXPORT_FAILED', 'The release could not be saved to the folder.');
    }
  }

  /**
   * Prepare the print-ready packet (printablePacket: checked against its manifest, PHI-free title,
   * PrintScaling=None) and keep it in the vault only; record the disclosure (method 'print', status 'sent')
   * and audit it. The PDF is read back by id (Electron: print; preview: GET /printable/<id>).
   * @throws AppError RELEASE_NOT_READY | RELEASE_BLOCKED | RELEASE_ALREADY_SENT | packaging errors
   * @source 45 CFR 164.524(c)(2)(i) (paper copy), 164.528
   */
  async printable(releaseId: string): Promise<ChannelOutput<'releases.printable'>> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    let recipient: StoredRecipient;
    let gate: GateResult;
    try {
      requireEditable(v.db, releaseId);
      ({ recipient, gate } = this.requireDeliverable(releaseId, 'encrypted'));
    } catch (e) {
      s.recordFailure('release.print', subject, e);
      throw e;
    }
    const { reference } = releaseState(v.db, releaseId);
    const packet = await this.assemble(releaseId, gate, recipient.name);
    const p = await printablePacket({ packetPdf: packet.pdf, manifest: packet.manifest, reference });
    const t: TransmissionT = { ...this.baseTransmission(releaseId, 'print', recipient, gate, packet.manifest.packetSha256, 1), partsSent: 1 };
    const printableId = s.audited(
      'release.print',
      subject,
      () => {
        requireEditable(v.db, releaseId);
        const id = insertPrintable(v.db, releaseId, { pdf: p.pdf, pageCount: p.pageCount, title: p.jobTitle }, s.clock.now());
        insertTransmission(v.db, t);
        setDeliveryMethod(v.db, releaseId, 'print');
        setStatus(v.db, releaseId, 'sent', s.clock.now());
        this.moveRequest(gate.request!.id, 'sent');
        return id;
      },
      (id) => ({ transmissionId: t.id, method: 'print', printableId: id, pages: p.pageCount, requestId: t.requestId ?? 'none' }),
    );
    return { printableId, pageCount: p.pageCount, jobTitle: p.jobTitle, transmission: listTransmissions(v.db, releaseId).find((x) => x.id === t.id)!, release: await this.get(releaseId) };
  }

  /**
   * The print-ready PDF by id, for the print dialog or the preview's viewer (audited: release.print_view).
   * Bytes only: callers must not write them to a file.
   * @throws AppError NOT_FOUND | VAULT_LOCKED
   */
  printablePdf(printableId: string): { pdf: Buffer; title: string } {
    const r = this.session.audited('release.print_view', { type: 'printable', id: printableId }, (v) => readPrintable(v.db, printableId), (x) => ({ releaseId: x.releaseId }));
    return { pdf: r.pdf, title: r.title };
  }

}

/** The purpose line of the cover when no authorization states one (45 CFR 164.508(c)(1)(iv): "at the request of the individual" suffices). */
function purposeOfBasis(basis: string): string {
  switch (basis) {
    case 'right_of_access':
      return 'At the request of the individual (right of access, 45 CFR 164.524)';
    case 'patient_directed':
      return "At the individual's direction to a third party (45 CFR 164.524(c)(3)(ii))";
    case 'tpo':
      return 'Treatment, payment or health care operations';
    case 'required_by_law':
      return 'As required by law';
    case 'hhs':
      return 'To the Secretary of HHS';
    default:
      return 'As authorized by the individual';
  }
}
