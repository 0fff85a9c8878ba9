import type { ChannelOutput, DocumentSummaryT, KeyInfoT, ReleaseDetailT, TransmissionT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { buildPgpMimeMessage } from '../delivery/pgpmime';
import { sendRawMessage } from '../delivery/smtp';
import { checkPdf, insertDocument, readDocument, removeDocument, listDocuments } from '../documents/documents';
import type { FilePicker } from '../documents/picker';
import { inspectRecipientKey } from '../openpgp/keys';
import { requireValidEmail } from '../recipients/email';
import type { Session } from '../session';
import { activePracticeKey, requireSetting } from '../settings/settings';
import type { EventBus } from '../support/events';
import { newId } from '../support/ids';
import {
  insertRelease,
  insertTransmission,
  listReleases,
  releaseDetail,
  releaseState,
  requireEditable,
  setStatus,
  storedRecipient,
  updateRecipient,
} from './repo';

export interface ReleaseServiceDeps {
  session: Session;
  filePicker: FilePicker;
  events: EventBus;
  /** Extra trusted CA certificates (PEM) for the SMTP server, on top of the system's. */
  smtpCa?: string[];
}

/**
 * The release workflow: a draft release for one patient collects record
 * files and one verified recipient, then is sent once, encrypted and signed,
 * over verified TLS, with a transmission record and audit trail.
 */
export class ReleaseService {
  constructor(private readonly d: ReleaseServiceDeps) {}

  private get session() {
    return this.d.session;
  }

  /** All releases, newest first. @throws AppError VAULT_LOCKED */
  list() {
    return listReleases(this.session.require().db);
  }

  /** One release with its documents, recipient and transmissions. @throws AppError NOT_FOUND | VAULT_LOCKED */
  async get(id: string): Promise<ReleaseDetailT> {
    const db = this.session.require().db;
    const rec = storedRecipient(db, id);
    const info = rec ? await keyFactsOrNull(rec.keyArmored, this.session.clock.now()) : null;
    const detail = releaseDetail(db, id, info);
    return detail;
  }

  /** Start a draft release for a patient (audited: release.create). */
  async create(patient: { name: string; dateOfBirth: string; mrn: string }): Promise<ReleaseDetailT> {
    const id = this.session.audited('release.create', { type: 'release', id: null }, (v) => insertRelease(v.db, patient, this.session.clock.now()), (id) => ({
      releaseId: id,
    }));
    this.session.audited('release.view', { type: 'release', id }, () => undefined);
    return this.get(id);
  }

  /** View a release (audited: every view of PHI is logged, 164.312(b)). */
  async view(id: string): Promise<ReleaseDetailT> {
    const detail = await this.get(id);
    this.session.audited('release.view', { type: 'release', id }, () => undefined);
    return detail;
  }

  /**
   * Import the files the user picks into the vault, one transaction and one
   * audit event per file. A bad file is refused with a PHI-free reason and
   * audited; the others still import.
   */
  async importPicked(releaseId: string): Promise<ChannelOutput<'documents.pick'>> {
    const subject = { type: 'release', id: releaseId };
    const db = this.session.require().db;
    try {
      requireEditable(db, releaseId);
    } catch (e) {
      this.session.recordFailure('document.import', subject, e);
      throw e;
    }
    const files = await this.d.filePicker.pick();
    const imported: DocumentSummaryT[] = [];
    const rejected: ChannelOutput<'documents.pick'>['rejected'] = [];
    let done = 0;
    for (const f of files) {
      this.d.events.emit('progress', { operation: 'import', releaseId, done, total: files.length });
      let pdf;
      try {
        pdf = await checkPdf(await f.read());
      } catch (e) {
        // The check happens before any write: record the refusal here, PHI-free (code only).
        this.session.recordFailure('document.import', subject, e);
        if (!isAppError(e)) throw e;
        rejected.push({ fileName: f.name, code: e.code, message: e.message });
        done++;
        continue;
      }
      const doc = this.session.audited(
        'document.import',
        subject,
        () => insertDocument(db, releaseId, f.name, pdf, this.session.clock.now()),
        (d) => ({ documentId: d.id, pages: d.pageCount, bytes: d.sizeBytes }),
      );
      imported.push(doc);
      done++;
    }
    this.d.events.emit('progress', { operation: 'import', releaseId, done, total: files.length });
    return { imported, rejected };
  }

  /** Take a document out of a draft release (audited). */
  async removeDocument(releaseId: string, documentId: string): Promise<ReleaseDetailT> {
    this.session.audited('document.remove', { type: 'release', id: releaseId }, (v) => {
      requireEditable(v.db, releaseId);
      removeDocument(v.db, releaseId, documentId, this.session.clock.now());
    }, () => ({ documentId }));
    return this.get(releaseId);
  }

  /**
   * Set the recipient: address checked (typos, CR/LF), OpenPGP key checked
   * for a usable encryption subkey at this moment.
   * @throws AppError INVALID_EMAIL | HEADER_INJECTION | KEY_* | RELEASE_ALREADY_SENT
   */
  async setRecipient(input: { releaseId: string; name: string; email: string; armoredKey: string; fingerprintConfirmed: boolean }): Promise<ReleaseDetailT> {
    const subject = { type: 'release', id: input.releaseId };
    let key: KeyInfoT;
    let email: string;
    try {
      requireEditable(this.session.require().db, input.releaseId);
      email = requireValidEmail(input.email);
      key = await inspectRecipientKey(input.armoredKey, this.session.clock.now());
    } catch (e) {
      this.session.recordFailure('release.set_recipient', subject, e);
      throw e;
    }
    this.session.audited(
      'release.set_recipient',
      subject,
      (v) =>
        updateRecipient(
          v.db,
          input.releaseId,
          { name: input.name, email, keyArmored: input.armoredKey.trim(), keyFingerprint: key.fingerprint, fingerprintConfirmed: input.fingerprintConfirmed },
          this.session.clock.now(),
        ),
      () => ({ keyFingerprint: key.fingerprint, fingerprintConfirmed: input.fingerprintConfirmed }),
    );
    return this.get(input.releaseId);
  }

  /**
   * Send the release (the procedure a privacy officer would describe):
   * 1. check it is complete — documents, recipient, fingerprint confirmed, key still valid;
   * 2. mark it 'sending' (outbox) with an audit event, in one transaction;
   * 3. build PGP/MIME (RFC 3156) encrypted to the recipient and the practice, signed by the practice;
   * 4. submit over SMTP with enforced, verified TLS ≥ 1.2 (never a downgrade);
   * 5. record the transmission (sender, recipient, time, documents, method, message id,
   *    server response, TLS version and cipher) and mark it 'sent' — or mark it
   *    'failed' with the coded reason. Either outcome is audited.
   * @throws AppError RELEASE_NOT_READY | KEY_NOT_CONFIRMED | KEY_* | TLS_* | SMTP_* | RELEASE_ALREADY_SENT
   */
  async send(releaseId: string): Promise<{ release: ReleaseDetailT; transmission: TransmissionT }> {
    const s = this.session;
    const v = s.require();
    const subject = { type: 'release', id: releaseId };
    const now = () => s.clock.now();

    // 1. Preconditions (refusals are audited, nothing changes).
    let recipient: NonNullable<ReturnType<typeof storedRecipient>>;
    let docs: DocumentSummaryT[];
    try {
      requireEditable(v.db, releaseId);
      docs = listDocuments(v.db, releaseId);
      if (docs.length === 0) throw new AppError('RELEASE_NOT_READY', 'Add at least one record file before sending.');
      const rec = storedRecipient(v.db, releaseId);
      if (!rec) throw new AppError('RELEASE_NOT_READY', 'Choose a recipient before sending.');
      if (!rec.fingerprintConfirmed) {
        throw new AppError('KEY_NOT_CONFIRMED', "Confirm the recipient's key fingerprint with them by phone or in person before sending.");
      }
      await inspectRecipientKey(rec.keyArmored, now());
      recipient = rec;
    } catch (e) {
      s.recordFailure('release.send', subject, e);
      throw e;
    }

    // 2. Outbox: 'sending', audited in the same transaction.
    const { reference } = releaseState(v.db, releaseId);
    v.tx(() => {
      setStatus(v.db, releaseId, 'sending', now());
      s.audit({ action: 'release.send_attempt', outcome: 'success', subjectType: 'release', subjectId: releaseId, detail: { documents: docs.length } });
    });

    try {
      const practice = requireSetting(v.db, 'practice');
      const smtp = requireSetting(v.db, 'smtp');
      const practiceKey = activePracticeKey(v.db);
      const total = docs.length + 2;
      this.d.events.emit('progress', { operation: 'encrypt', releaseId, done: 0, total });

      // 3. PGP/MIME: attachments carry neutral labels, the subject no PHI.
      const attachments = docs.map((d) => ({ filename: d.label, content: readDocument(v.db, d.id), contentType: 'application/pdf' }));
      const messageId = `<${newId()}@releasedesk.invalid>`;
      const { raw } = await buildPgpMimeMessage({
        from: { name: practice.senderName, address: practice.senderEmail },
        to: { name: recipient.name, address: recipient.email },
        subject: `Secure message from ${practice.name}`,
        textBody: innerBody(practice.name, reference, docs),
        attachments,
        signingKeyArmored: practiceKey.armoredPrivate,
        encryptionKeysArmored: [recipient.keyArmored, practiceKey.armoredPublic],
        messageId,
        date: now(),
      });
      this.d.events.emit('progress', { operation: 'send', releaseId, done: docs.length + 1, total });

      // 4. SMTP with enforced, verified TLS; header-only bounces (DSN RET=HDRS).
      const sent = await sendRawMessage(smtp, { from: practice.senderEmail, to: [recipient.email] }, raw, {
        ca: this.d.smtpCa,
        envid: reference,
      });

      // 5. Transmission record + status + audit, one transaction.
      const transmission: TransmissionT = {
        id: newId(),
        releaseId,
        releaseReference: reference,
        at: now().toISOString(),
        sender: practice.senderEmail,
        recipientName: recipient.name,
        recipientEmail: recipient.email,
        method: 'openpgp-pgp-mime',
        documents: docs.map((d) => ({ label: d.label, sha256: d.sha256, pageCount: d.pageCount })),
        messageId: sent.messageId || messageId,
        smtpResponse: sent.response,
        tlsProtocol: sent.tlsProtocol,
        tlsCipher: sent.tlsCipher,
        recipientKeyFingerprint: recipient.keyFingerprint,
      };
      v.tx(() => {
        insertTransmission(v.db, transmission);
        setStatus(v.db, releaseId, 'sent', now());
        s.audit({
          action: 'release.send',
          outcome: 'success',
          subjectType: 'release',
          subjectId: releaseId,
          detail: { transmissionId: transmission.id, method: transmission.method, tlsProtocol: sent.tlsProtocol, documents: docs.length },
        });
      });
      this.d.events.emit('progress', { operation: 'send', releaseId, done: total, total });
      return { release: await this.get(releaseId), transmission };
    } catch (e) {
      const err = isAppError(e) ? e : new AppError('INTERNAL', 'Something went wrong inside ReleaseDesk. Nothing was sent.');
      v.tx(() => setStatus(v.db, releaseId, 'failed', now(), { code: err.code, message: err.message }));
      s.recordFailure('release.send', subject, e);
      throw err;
    }
  }
}

/** Inner (encrypted) body: what was sent and how to check it. No PHI beyond the reference. */
function innerBody(practiceName: string, reference: string, docs: DocumentSummaryT[]): string {
  const lines = [
    `${practiceName} sends you the records of release ${reference}.`,
    '',
    `Attached: ${docs.length} PDF file(s).`,
    ...docs.map((d) => `- ${d.label}: ${d.pageCount} page(s), SHA-256 ${d.sha256}`),
    '',
    'This message was encrypted to your OpenPGP key and signed by the practice key.',
    'Your mail program or GnuPG shows whether the signature is valid.',
    'If you received this message by mistake, please tell the practice and delete it.',
  ];
  return lines.join('\r\n');
}

async function keyFactsOrNull(armored: string, now: Date): Promise<KeyInfoT | null> {
  try {
    return await inspectRecipientKey(armored, now);
  } catch {
    return null;
  }
}
