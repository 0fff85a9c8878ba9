/**
 * The optional address confirmation round trip (issue #12, "Right address"):
 *
 *   1. staff press "Send a confirmation code": ReleaseDesk emails the address a short code — a PHI-free message
 *      (no patient name, date of birth, MRN, request or release details; only the practice's name and phone)
 *      through the practice's SMTP server over the same TLS-only transport releases use (delivery/smtp.ts);
 *   2. the recipient reads the code back (phone or in person) and staff type it in;
 *   3. the address is then confirmed for that patient — who recorded it, when, method 'code' — and later releases
 *      of the same patient to the same address need no new confirmation (releases.setRecipient takes it as the
 *      address confirmation; the gate no longer blocks a mismatch with the request's destination).
 *
 * A code is 6 digits (crypto.randomInt), valid {@link CODE_LIFETIME_MS} (24 h), refused after
 * {@link MAX_ATTEMPTS} wrong tries (a new code must be sent), and stored only as HMAC-SHA256 under a vault subkey
 * with a per-code salt. A new code supersedes the older pending one. Every send, refusal and confirmation is
 * audited in the transaction of its change; audit details carry ids and counts only, never the address or the code.
 *
 * Confirmations are per patient (MRN): an address confirmed for one patient is not confirmed for another.
 *
 * @source 45 CFR 164.530(c) (reasonable safeguards against misdirected disclosure); 164.312(e)(1) transmission
 *   security; 164.312(b) audit controls; RFC 5322 (message format).
 */
import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { AddressStatusT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { sendRawMessage, toAppError } from '../delivery/smtp';
import { markRecipientAddressConfirmedByCode, releasePatient, releaseState } from '../releases/repo';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { newId } from '../support/ids';
import { confirmedAddress, countAttempt, insertCode, markConfirmed, pendingCode, type ConfirmationRow } from './confirmations-repo';
import { requireValidEmail } from './email';

/** How long a code can be read back: 24 hours, in milliseconds. */
export const CODE_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Wrong tries allowed per code; after that the code is refused and a new one must be sent. */
export const MAX_ATTEMPTS = 5;
/** Digits of a code. */
export const CODE_DIGITS = 6;
/** The vault subkey purpose of the code HMAC. */
const CODE_KEY_PURPOSE = 'address-confirmation-code-v1';

export type { AddressStatusT };

export interface AddressConfirmationDeps {
  session: Session;
  /** Extra trusted CA certificates (PEM) for SMTP, as for releases. */
  smtpCa?: string[] | undefined;
  /** Per-wait SMTP timeout in ms (default 30 000). */
  smtpTimeoutMs?: number | undefined;
}

/** The words of the code email: PHI-free by construction (inputs are the practice's name, phone and the code). */
export function codeEmailText(practice: { name: string; phone?: string | undefined }, code: string, expiresInHours: number): { subject: string; text: string } {
  const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
  return {
    subject: 'Your confirmation code',
    text: [
      'Hello,',
      '',
      `${practice.name} is checking that this is the right email address to use.`,
      '',
      `Your confirmation code is: ${spaced}`,
      '',
      `Please read this code to the staff member you are speaking with. It works for ${expiresInHours} hours.`,
      '',
      `If you were not expecting this message, you can ignore it${practice.phone ? ` or call us at ${practice.phone}` : ''}.`,
      'Please do not reply to this message with health information.',
    ].join('\n'),
  };
}

/** The address confirmation round trip (see the module comment). */
export class AddressConfirmationService {
  constructor(private readonly d: AddressConfirmationDeps) {}

  private get session(): Session {
    return this.d.session;
  }

  /**
   * Where the address stands for the release's patient: confirmed (who, when, method), or a code pending (sent,
   * expires, tries left), or neither.
   * @param releaseId the release whose patient the confirmation is for
   * @param email the address as typed (checked like every address)
   * @throws AppError VAULT_LOCKED | NOT_FOUND | INVALID_EMAIL | ADDRESS_NEEDS_FIX | HEADER_INJECTION
   */
  status(releaseId: string, email: string): AddressStatusT {
    const db = this.session.require().db;
    const address = requireValidEmail(email);
    const { mrn } = releasePatient(db, releaseId);
    return this.describe(confirmedAddress(db, address, mrn), pendingCode(db, address, mrn));
  }

  /**
   * Email a new code to the address (superseding a pending one) through the practice's SMTP server, verified TLS
   * only. Audited `address.code_sent` (detail: confirmation id, TLS version) or refused/failed with the SMTP code.
   * @returns the status: a code pending, expiring 24 h from now
   * @throws AppError INVALID_EMAIL | ADDRESS_NEEDS_FIX | HEADER_INJECTION | NOT_FOUND | ADDRESS_ALREADY_CONFIRMED
   *   | the coded SMTP failures of sendRawMessage (TLS_REQUIRED, TLS_CERT_UNTRUSTED, SMTP_AUTH_FAILED, …)
   */
  async sendCode(releaseId: string, email: string): Promise<AddressStatusT> {
    const subject = { type: 'release', id: releaseId };
    const v = this.session.require();
    let address: string;
    let mrn: string;
    try {
      address = requireValidEmail(email);
      releaseState(v.db, releaseId);
      mrn = releasePatient(v.db, releaseId).mrn;
      if (confirmedAddress(v.db, address, mrn)) throw new AppError('ADDRESS_ALREADY_CONFIRMED', 'This address is already confirmed for this patient. No code is needed.');
    } catch (e) {
      this.session.recordFailure('address.code_sent', subject, e);
      throw e;
    }
    const practice = requireSetting(v.db, 'practice');
    const smtp = requireSetting(v.db, 'smtp');
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const now = this.session.clock.now();
    const words = codeEmailText(practice, code, CODE_LIFETIME_MS / 3_600_000);
    const domain = practice.senderEmail.slice(practice.senderEmail.lastIndexOf('@') + 1);
    const messageId = `<${randomUUID()}@${domain}>`;
    const raw = await new MailComposer({
      from: { name: practice.senderName, address: practice.senderEmail },
      to: [{ name: '', address }],
      subject: words.subject,
      date: now,
      messageId,
      text: words.text,
      newline: 'windows',
      disableFileAccess: true,
      disableUrlAccess: true,
    })
      .compile()
      .build();
    let sent;
    try {
      sent = await sendRawMessage(smtp, { from: practice.senderEmail, to: [address] }, raw, {
        ...(this.d.smtpCa ? { ca: this.d.smtpCa } : {}),
        ...(this.d.smtpTimeoutMs ? { timeoutMs: this.d.smtpTimeoutMs } : {}),
      });
    } catch (e) {
      const err = isAppError(e) ? e : toAppError(e);
      this.session.recordFailure('address.code_sent', subject, err);
      throw err;
    }
    const salt = randomBytes(16).toString('hex');
    const id = newId();
    const sentAt = now.toISOString();
    this.session.audited(
      'address.code_sent',
      subject,
      (vv) =>
        insertCode(vv.db, {
          id,
          address,
          patientMrn: mrn,
          releaseId,
          codeSalt: salt,
          codeHmac: this.hmac(salt, code),
          sentAt,
          expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS).toISOString(),
          messageId: sent.messageId || messageId,
        }),
      () => ({ confirmationId: id, tlsProtocol: sent.tlsProtocol }),
    );
    return this.status(releaseId, address);
  }

  /**
   * Check the code the recipient read back against the pending code for this address and patient.
   * Right: the address is confirmed (method 'code', staff member, time) and, when it is the release's recipient,
   * the release's recipient is marked confirmed too — one transaction with the `address.confirm` audit event.
   * Wrong: the try is counted and audited (refused, ADDRESS_CODE_WRONG, tries left) in one transaction.
   * @param code the digits as typed; spaces and hyphens are ignored
   * @throws AppError ADDRESS_CODE_NOT_SENT (no pending code) | ADDRESS_CODE_EXPIRED (past 24 h) |
   *   ADDRESS_CODE_LOCKED (tries used up) | ADDRESS_CODE_WRONG (detail.attemptsLeft) | INVALID_EMAIL | NOT_FOUND
   */
  confirmCode(releaseId: string, email: string, code: string): AddressStatusT {
    const subject = { type: 'release', id: releaseId };
    const v = this.session.require();
    let address: string;
    let mrn: string;
    let pending: ConfirmationRow | null;
    const typed = code.replace(/[\s-]/g, '');
    const now = this.session.clock.now();
    try {
      address = requireValidEmail(email);
      mrn = releasePatient(v.db, releaseId).mrn;
      if (confirmedAddress(v.db, address, mrn)) return this.status(releaseId, address);
      pending = pendingCode(v.db, address, mrn);
      if (!pending) throw new AppError('ADDRESS_CODE_NOT_SENT', 'No code has been sent to this address yet. Send a confirmation code first.');
      if (now.getTime() >= new Date(pending.expiresAt).getTime())
        throw new AppError('ADDRESS_CODE_EXPIRED', 'This code has expired (codes work for 24 hours). Send a new code.', { confirmationId: pending.id });
      if (pending.attempts >= MAX_ATTEMPTS)
        throw new AppError('ADDRESS_CODE_LOCKED', 'Too many wrong tries for this code. Send a new code.', { confirmationId: pending.id });
    } catch (e) {
      this.session.recordFailure('address.confirm', subject, e);
      throw e;
    }
    const p = pending;
    if (!this.matches(p, typed)) {
      let left = 0;
      v.tx(() => {
        left = MAX_ATTEMPTS - countAttempt(v.db, p.id);
        this.session.audit({
          action: 'address.confirm',
          outcome: 'refused',
          subjectType: subject.type,
          subjectId: subject.id,
          detail: { code: 'ADDRESS_CODE_WRONG', confirmationId: p.id, attemptsLeft: left },
        });
      });
      throw new AppError(
        'ADDRESS_CODE_WRONG',
        left > 0
          ? `That is not the code that was sent. Check the digits with the recipient (${left} ${left === 1 ? 'try' : 'tries'} left).`
          : 'That is not the code that was sent, and no tries are left for it. Send a new code.',
        { attemptsLeft: left },
      );
    }
    const by = this.session.actor();
    const at = now.toISOString();
    this.session.audited(
      'address.confirm',
      subject,
      (vv) => {
        markConfirmed(vv.db, p.id, by, at);
        // The release's recipient, if it is this address, now carries the confirmation.
        return { release: markRecipientAddressConfirmedByCode(vv.db, releaseId, address, by, at) };
      },
      (r) => ({ confirmationId: p.id, method: 'code', recipientUpdated: r.release }),
    );
    return this.status(releaseId, address);
  }

  /**
   * The standing confirmation of `email` for the release's patient, if any (for releases.setRecipient).
   * Call with the vault open.
   */
  standing(releaseId: string, email: string): { by: string; at: string; method: 'code' } | null {
    const db = this.session.require().db;
    const { mrn } = releasePatient(db, releaseId);
    const c = confirmedAddress(db, email, mrn);
    return c && c.confirmedBy && c.confirmedAt ? { by: c.confirmedBy, at: c.confirmedAt, method: 'code' } : null;
  }

  private hmac(salt: string, code: string): string {
    return createHmac('sha256', this.session.require().subkey(CODE_KEY_PURPOSE)).update(`${salt}:${code}`).digest('hex');
  }

  private matches(row: ConfirmationRow, typed: string): boolean {
    if (!/^\d{6}$/.test(typed)) return false;
    const a = Buffer.from(this.hmac(row.codeSalt, typed), 'hex');
    const b = Buffer.from(row.codeHmac, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private describe(confirmed: ConfirmationRow | null, pending: ConfirmationRow | null): AddressStatusT {
    const now = this.session.clock.now().getTime();
    return {
      confirmed: confirmed && confirmed.confirmedAt && confirmed.confirmedBy ? { at: confirmed.confirmedAt, by: confirmed.confirmedBy, method: 'code' } : null,
      pending:
        !confirmed && pending
          ? {
              sentAt: pending.sentAt,
              expiresAt: pending.expiresAt,
              expired: now >= new Date(pending.expiresAt).getTime(),
              attemptsLeft: Math.max(0, MAX_ATTEMPTS - pending.attempts),
            }
          : null,
    };
  }
}
