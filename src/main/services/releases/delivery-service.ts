/**
 * The delivery methods of issue #4 wired into the release workflow: the ladder for a release,
 * password-protected PDF and TLS-only email (assembled packet, split, encrypted, signed, sent part by
 * part with per-part results and retry of only the missing parts), export of the password-protected
 * packet to a folder, and the print-ready packet kept in the vault. Every method runs the compliance
 * gate first and is recorded as a transmission (accounting of disclosures, 45 CFR 164.528) and audited
 * in the same transaction as the state change.
 */
import type { DeliveryOptionsT, ExportResultT, PrintableResultT, ReleaseDetailT, SendResultT, TransmissionT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { mayUseUnencryptedEmail, unencryptedEmailRefusal } from '../compliance';
import { deliveryLadder } from '../delivery/methods';
import { exportPacket, printablePacket } from '../delivery/export';
import { preparePacketFiles } from '../delivery/packet-files';
import { readDocument } from '../documents/documents';
import { assemblePacket, generateSpokenPassphrase, type AssembledPacket } from '../packaging';
import type { PackagingJobs } from '../packaging/jobs';
import type { PracticeLink } from '../practice/practice-link';
import { applicableAcknowledgment, getAuthorization, getRequest } from '../requests/repo';
import { activePracticeKey, deliverySettings, getSetting, requireSetting } from '../settings/settings';
import { baseTransmission, purposeOfBasis } from './delivery-records';
import { clearOutbox, closeTransmission, insertDeliveredPart, insertPrintable, openTransmission, readPrintable } from './delivery-repo';
import { requireGatePassed } from './release-findings';
import { keyFactsOrNull, ReleaseService, type GateResult, type ReleaseServiceDeps } from './release-service';
import { insertTransmission, listTransmissions, releaseState, requireEditable, setDeliveryMethod, storedRecipient, type StoredRecipient } from './repo';
import { SendWorkflow, type CrashPoint, type EmailMethod, type RetryPolicy } from './send-workflow';
import { moveRelease } from './state';

export { PASSPHRASE_STAFF_INSTRUCTIONS } from './send-workflow';

/** What staff do with an exported packet's passphrase: it exists only on this screen (the export is complete at once). */
export const EXPORT_PASSPHRASE_INSTRUCTIONS =
  'Give this passphrase to the recipient by phone, in person or by text message to a number you confirmed with them — never with the drive and never by email. ' +
  'It is shown only this once: ReleaseDesk does not keep it. The recipient types the words in lower case, joined by hyphens, without spaces.';

/** The release service's dependencies plus the send workflow's tuning and crash-test hook. */
export interface ReleaseDeliveryDeps extends ReleaseServiceDeps {
  retry?: RetryPolicy | undefined;
  smtpTimeoutMs?: number | undefined;
  checkpoint?: ((point: CrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>) | undefined;
  /** The link to the practice server (issue #17): not `local` → releases go through the shared outbox (practice-route.ts). */
  link?: PracticeLink | undefined;
  /**
   * Where the packet is assembled, split and password-protected: the packaging worker thread in the app
   * (packaging/worker-client.ts), so the window stays responsive; default: this thread.
   */
  packaging?: PackagingJobs | undefined;
}

/** The release workflow with every delivery method of issue #4 (see the module comment). */
export class ReleaseDeliveryService extends ReleaseService {
  /** The email send workflow (send-workflow.ts), composed, not inherited. */
  readonly workflow: SendWorkflow;

  constructor(protected override readonly d: ReleaseDeliveryDeps) {
    super(d);
    this.workflow = new SendWorkflow({
    session: d.session,
    events: d.events,
    gate: (id, delivery) => this.gate(id, delivery),
    checkPatient: d.patientChecks ? (id) => d.patientChecks!.checkRelease(id) : undefined,
    part2ScopeSheets: (notices, reference) => d.requests.part2ConsentScopeSheets(notices, reference),
    unencryptedAllowed: (id) => this.unencryptedDecision(id).allowed,
    assemble: (id, gate, name) => this.assemble(id, gate, name),
    smtpCa: d.smtpCa,
    assetsRoot: d.assetsRoot,
    retry: d.retry,
    smtpTimeoutMs: d.smtpTimeoutMs,
    checkpoint: d.checkpoint,
    link: d.link,
    smime: d.smime,
    packaging: d.packaging,
  });
  }

  /**
   * The delivery ladder for the release now (deliveryLadder), with the facts it depends on: the recipient
   * has an OpenPGP key whose fingerprint staff confirmed and that can encrypt now; an unencrypted-email
   * choice applies (mayUseUnencryptedEmail, 45 CFR 164.524(c)(2)(ii) guidance); a recipient address and the
   * practice's mail server are set; the recipient has a confirmed S/MIME certificate valid now. Not audited (nothing changes, no PHI shown).
   * @returns rungs strongest first; `defaultMethod` the strongest available email method; the applicable
   *   acknowledgment id; the per-message limit in bytes
   * @throws AppError NOT_FOUND | VAULT_LOCKED
   */
  async deliveryOptions(releaseId: string): Promise<DeliveryOptionsT> {
    const db = this.session.require().db;
    const rec = storedRecipient(db, releaseId);
    const keyOk = !!rec?.keyArmored && rec.fingerprintConfirmed && (await keyFactsOrNull(rec.keyArmored, this.session.clock.now())) !== null;
    const emailAvailable = !!rec && getSetting(db, 'smtp') !== null && getSetting(db, 'practice') !== null;
    const ack = this.unencryptedDecision(releaseId);
    const certOk = !!rec && (await this.d.smime?.usable(releaseId)) === true;
    const rungs = deliveryLadder({
      recipientHasVerifiedKey: keyOk,
      recipientHasConfirmedCertificate: certOk,
      unencryptedAcknowledged: ack.allowed,
      unencryptedRefusal: ack.refusal,
      emailAvailable,
    });
    const email = rungs.find((r) => r.available && (r.method === 'openpgp-pgp-mime' || r.method === 'smime' || r.method === 'password-pdf' || r.method === 'tls-only-email'));
    return {
      rungs,
      defaultMethod: (email?.method as EmailMethod | undefined) ?? null,
      acknowledgmentId: ack.acknowledgmentId,
      messageLimitBytes: deliverySettings(db).messageLimitBytes,
    };
  }

  /** Whether the individual's recorded unencrypted-email choice applies to this release (mayUseUnencryptedEmail). */
  private unencryptedDecision(releaseId: string): { allowed: boolean; acknowledgmentId: string | null; refusal: string | null } {
    const db = this.session.require().db;
    const { requestId } = releaseState(db, releaseId);
    if (!requestId) return { allowed: false, acknowledgmentId: null, refusal: null };
    const r = getRequest(db, requestId);
    const ack = applicableAcknowledgment(db, r.patient.mrn, requestId);
    const d = mayUseUnencryptedEmail(r.request, ack);
    // Why not, naming the legal basis first (45 CFR 164.524(c)(2)(ii) applies to the right of access only).
    return { allowed: d.allowed, acknowledgmentId: d.allowed && ack ? ack.id : null, refusal: d.allowed ? null : unencryptedEmailRefusal(r.request, ack) };
  }

  /**
   * Before an export or print packet: `precondition` (if any), the release still editable, every record file checked
   * against the patient, then {@link requireDeliverable}; a refusal is audited as a failure of `action`.
   */
  private async checkedForPacket(releaseId: string, action: 'release.export' | 'release.print', precondition?: () => void): Promise<{ recipient: StoredRecipient; gate: GateResult }> {
    try {
      precondition?.();
      requireEditable(this.session.require().db, releaseId);
      await this.d.patientChecks?.checkRelease(releaseId);
      return this.requireDeliverable(releaseId, 'encrypted');
    } catch (e) {
      this.session.recordFailure(action, { type: 'release', id: releaseId }, e);
      throw e;
    }
  }

  /** Preconditions shared by the packet methods: documents, recipient, and the gate (last, synchronous). */
  private requireDeliverable(releaseId: string, delivery: 'encrypted' | 'unencrypted'): { recipient: StoredRecipient; gate: GateResult } {
    const db = this.session.require().db;
    const rec = storedRecipient(db, releaseId);
    if (!rec) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
    const gate = this.gate(releaseId, delivery);
    requireGatePassed(gate);
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
    const packet = await (this.d.packaging ?? { assemblePacket }).assemblePacket({
      practice: { name: practice.name },
      recipient: { name: recipientName },
      purpose,
      reference: request.reference,
      releaseNumberPrefix: `${reference}-`,
      createdAt: this.session.clock.now(),
      timeZone: this.d.requests.timeZone(),
      sources: [
        ...gate.docs.map((d) => ({ id: d.id, bytes: readDocument(db, d.id), mediaType: 'application/pdf', category: d.category, documentDate: d.documentDate })),
        // 42 CFR 2.32(b): the scope of each Part 2 consent relied on travels with the records.
        ...(await this.d.requests.part2ConsentScopeSheets(gate.decision.notices, reference)).map((sh) => ({ id: `part2-scope-${sh.consentId}`, bytes: sh.bytes, mediaType: 'application/pdf' })),
      ],
      includePart2Notice: gate.decision.notices.some((n) => n.citation.includes('2.32')),
      // 45 CFR 164.508(c)(2)(iii): only a disclosure under an authorization carries the redisclosure notice.
      includeRedisclosureNotice: request.request.basis === 'authorization' || auth !== undefined,
      ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}),
      onProgress: (p) => {
        if (p.phase === 'normalize') this.d.events.emit('progress', { operation: 'assemble', releaseId, done: p.done, total: p.total });
      },
    });
    this.d.events.emit('progress', { operation: 'assemble', releaseId, done: total, total });
    // Characters no bundled font can draw were printed as U+FFFD: log the code points only (never the text).
    if (packet.missingCharacters.length > 0) this.session.logger.warn('packet.missing_characters', { releaseId, codePoints: packet.missingCharacters.slice(0, 20).join(' ') });
    return packet;
  }

  /**
   * Send the release by email (SendWorkflow.send): a draft is checked, prepared into the outbox and delivered;
   * a failed, queued or partly sent release is delivered again from its stored messages.
   * @throws everything SendWorkflow.send throws
   */
  async send(releaseId: string, method?: EmailMethod): Promise<SendResultT> {
    const out = await this.workflow.send(releaseId, method);
    return { ...out, release: await this.detail(releaseId) };
  }

  /** Staff's decision on an unconfirmed release (SendWorkflow.resolveUnconfirmed). */
  async resolveUnconfirmed(releaseId: string, choice: 'recipient_confirmed' | 'resend'): Promise<ReleaseDetailT> {
    await this.workflow.resolveUnconfirmed(releaseId, choice);
    return this.detail(releaseId);
  }

  /** Take a prepared release out of the outbox — this vault's, or the practice's shared one: back to draft, or cancelled (SendWorkflow.withdrawAnywhere). */
  async withdraw(releaseId: string, how: 'withdraw' | 'cancel'): Promise<ReleaseDetailT> {
    await this.workflow.withdrawAnywhere(releaseId, how);
    return this.detail(releaseId);
  }

  /** Pause or resume automatic sending of a queued release. */
  async pauseQueue(releaseId: string, paused: boolean): Promise<ReleaseDetailT> {
    this.workflow.pause(releaseId, paused);
    return this.detail(releaseId);
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
  async export(releaseId: string): Promise<ExportResultT> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    const { recipient, gate } = await this.checkedForPacket(releaseId, 'release.export', () => {
      if (!this.d.folderPicker) throw new AppError('EXPORT_UNAVAILABLE', 'Saving to a folder is not available here.');
    });
    const dir = await this.d.folderPicker!.chooseFolder();
    if (!dir) return { saved: false, files: [], transmission: null, release: await this.detail(releaseId) };
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
        ...(this.d.packaging ? { packaging: this.d.packaging } : {}),
      });
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 1, total: 1 });
      const written = await exportPacket(dir, prepared, { practiceName: practice.name });
      const t: TransmissionT = { ...baseTransmission(this.session, releaseId, 'export', recipient, gate, packet.manifest.packetSha256, prepared.parts.length), partsSent: prepared.parts.length };
      this.session.audited(
        'release.export',
        subject,
        () => {
          requireEditable(v.db, releaseId);
          this.recordDirectDisclosure(t, 'export');
        },
        () => ({ transmissionId: t.id, method: 'export', files: written.files.length, packetSha256: t.packetSha256 ?? '', requestId: t.requestId ?? 'none', authorizationId: t.authorizationId ?? 'none' }),
      );
      return {
        saved: true,
        files: written.files,
        passphrase,
        staffInstructions: EXPORT_PASSPHRASE_INSTRUCTIONS,
        transmission: listTransmissions(v.db, releaseId).find((x) => x.id === t.id)!,
        release: await this.detail(releaseId),
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
   * and audit it. The PDF is read back by id (preview: GET /printable/<id>, where the browser prints it).
   * The desktop app instead prepares ({@link preparePrint}), prints, and records only after the print call
   * succeeded ({@link recordPrinted}).
   * @throws AppError RELEASE_NOT_READY | RELEASE_BLOCKED | RELEASE_ALREADY_SENT | packaging errors
   * @source 45 CFR 164.524(c)(2)(i) (paper copy), 164.528
   */
  async printable(releaseId: string): Promise<PrintableResultT> {
    const { printableId } = await this.preparePrint(releaseId);
    return this.recordPrinted(printableId);
  }

  /** Print packets prepared in this process and not yet printed: printable id → the disclosure to record. */
  private readonly pendingPrints = new Map<string, { transmission: TransmissionT; pageCount: number; jobTitle: string }>();

  /**
   * Step 1 of printing in the desktop app: check the release (gate), assemble and keep the print-ready packet in
   * the vault. No disclosure yet (audited as `release.print_prepared`).
   * @returns the printable's id, page count and PHI-free job title
   * @throws AppError RELEASE_NOT_READY | RELEASE_BLOCKED | RELEASE_ALREADY_SENT | packaging errors
   */
  async preparePrint(releaseId: string): Promise<{ printableId: string; pageCount: number; jobTitle: string }> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    const { recipient, gate } = await this.checkedForPacket(releaseId, 'release.print');
    const { reference } = releaseState(v.db, releaseId);
    const packet = await this.assemble(releaseId, gate, recipient.name);
    const p = await printablePacket({ packetPdf: packet.pdf, manifest: packet.manifest, reference });
    const t: TransmissionT = { ...baseTransmission(this.session, releaseId, 'print', recipient, gate, packet.manifest.packetSha256, 1), partsSent: 1 };
    const printableId = s.audited(
      'release.print_prepared',
      subject,
      () => insertPrintable(v.db, releaseId, { pdf: p.pdf, pageCount: p.pageCount, title: p.jobTitle }, s.clock.now()),
      (id) => ({ printableId: id, pages: p.pageCount }),
    );
    this.pendingPrints.set(printableId, { transmission: t, pageCount: p.pageCount, jobTitle: p.jobTitle });
    return { printableId, pageCount: p.pageCount, jobTitle: p.jobTitle };
  }

  /**
   * Step 2: the print job was handed to the system — record the disclosure (method 'print', release 'sent'),
   * audited as `release.print`. Once per prepared packet.
   * @throws AppError NOT_FOUND (not prepared in this session, or already recorded) | RELEASE_ALREADY_SENT
   * @source 45 CFR 164.524(c)(2)(i), 164.528
   */
  async recordPrinted(printableId: string): Promise<PrintableResultT> {
    const s = this.session;
    const v = s.require();
    const pending = this.pendingPrints.get(printableId);
    if (!pending) throw new AppError('NOT_FOUND', 'That print job is not waiting to be recorded. Print the release again.');
    const t = pending.transmission;
    s.audited(
      'release.print',
      { type: 'release', id: t.releaseId },
      () => {
        requireEditable(v.db, t.releaseId);
        this.recordDirectDisclosure(t, 'print');
      },
      () => ({ transmissionId: t.id, method: 'print', printableId, pages: pending.pageCount, requestId: t.requestId ?? 'none' }),
    );
    this.pendingPrints.delete(printableId);
    return {
      printableId,
      pageCount: pending.pageCount,
      jobTitle: pending.jobTitle,
      transmission: listTransmissions(v.db, t.releaseId).find((x) => x.id === t.id)!,
      release: await this.detail(t.releaseId),
    };
  }

  /** The print call failed or staff cancelled it: nothing was disclosed (audited `release.print`, failure, reason code). */
  printNotDone(printableId: string, reason: 'cancelled' | 'failed'): void {
    const pending = this.pendingPrints.get(printableId);
    this.pendingPrints.delete(printableId);
    this.session.recordFailure(
      'release.print',
      { type: 'release', id: pending?.transmission.releaseId ?? printableId },
      new AppError(reason === 'cancelled' ? 'PRINT_CANCELLED' : 'PRINT_FAILED', reason === 'cancelled' ? 'Printing was cancelled.' : 'Printing failed.'),
      { printableId },
    );
  }

  /**
   * Record a disclosure that involves no mail server (export, print): the transmission with its parts delivered,
   * any prepared email transmission closed as superseded (nothing of it left), the method, and the release
   * 'sent' through the state machine — inside the caller's audited transaction.
   */
  private recordDirectDisclosure(t: TransmissionT, method: 'export' | 'print'): void {
    const v = this.session.require();
    const at = this.session.clock.now().toISOString();
    const open = openTransmission(v.db, t.releaseId);
    if (open) {
      closeTransmission(v.db, open.id, 'superseded', at);
      clearOutbox(v.db, open.id);
    }
    insertTransmission(v.db, t);
    for (let i = 1; i <= t.partsTotal; i++) insertDeliveredPart(v.db, t.id, { part: i, of: t.partsTotal, messageId: '', at });
    setDeliveryMethod(v.db, t.releaseId, method);
    moveRelease(v.db, (e) => this.session.audit(e), t.releaseId, 'sent', this.session.clock.now(), {
      audit: { action: 'release.disclosed', detail: { transmissionId: t.id, method, supersededTransmissionId: open?.id ?? 'none' } },
    });
    if (t.requestId) this.moveRequest(t.requestId, 'sent');
  }

  /**
   * The print-ready PDF by id, for the print dialog or the preview's viewer (audited: release.print_view).
   * Bytes only: callers must not write them to a file.
   * @throws AppError NOT_FOUND | VAULT_LOCKED
   */
  printablePdf(printableId: string): { pdf: Buffer; title: string } {
    const r = this.session.audited('release.print_view', { type: 'printable', id: printableId }, (v) => readPrintable(v.db, printableId), (x) => ({ releaseId: x.releaseId }));
    return { pdf: r.pdf, title: r.title };
  }}
