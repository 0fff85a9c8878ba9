/**
 * PGP/MIME composition (RFC 3156): the whole message — text and attachments —
 * is one MIME entity, signed by the practice key and encrypted to the
 * recipient and the practice (so the practice can read its own sent copy).
 *
 * What travels in the clear: From, To, Subject (caller-supplied, PHI-free),
 * Date, Message-ID and the two fixed MIME parts. Everything else is inside
 * the OpenPGP message.
 */
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import MailComposer from 'nodemailer/lib/mail-composer';
import isEmail from 'validator/lib/isEmail';
import { AppError } from '../../../shared/errors';
import { outerMessage } from './compose';
import { prepareEncryptAndSign } from '../openpgp/fast-encrypt';
import { GNUPG22_COMPATIBLE_CONFIG } from '../openpgp/keys';

/** A mailbox: display name (may be empty) and address. */
export interface Mailbox {
  name: string;
  address: string;
}

/** One file inside the encrypted entity. */
export interface PgpMimeAttachment {
  /** Neutral label such as "record-1.pdf": never the original file name (it may carry PHI). */
  filename: string;
  content: Buffer;
  /** MIME type, e.g. "application/pdf". */
  contentType: string;
}

export interface PgpMimeInput {
  from: Mailbox;
  to: Mailbox;
  /** Visible in transit and in bounces: must be PHI-free, e.g. "Secure message from Qwerty Family Clinic". */
  subject: string;
  /** Plain-text body (inside the encryption). */
  textBody: string;
  attachments: PgpMimeAttachment[];
  /** The practice's armored, unprotected private key; signs the message. */
  signingKeyArmored: string;
  /** Armored public keys to encrypt to: the recipient's and the practice's own. */
  encryptionKeysArmored: string[];
  /** "<id@domain>"; generated from a random UUID and the From domain when absent. */
  messageId?: string;
  /** Date header, signature time and key-validity instant: pass the current time (keys are not valid before their creation). */
  date: Date;
}

export interface PgpMimeMessage {
  /** The RFC 5322 message, CRLF line ends, 7bit. */
  raw: Buffer;
  /** The Message-ID header value, with angle brackets. */
  messageId: string;
}

/** Stands for the armored message while MimeNode lays out the parts (base64 never contains '#'). */
const ARMOR_SLOT = '#ReleaseDesk-armored-message-slot#';

// Control characters (CR, LF, NUL, ...) in a header value would let a value start a new header (RFC 5322 §2.2).
const CONTROL = /[\u0000-\u001f\u007f]/;
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;

/**
 * Build a signed-and-encrypted PGP/MIME message.
 *
 * Structure (RFC 3156 §4): `multipart/encrypted; protocol="application/pgp-encrypted"`
 * with a first part `application/pgp-encrypted` holding `Version: 1` and a
 * second `application/octet-stream` part holding the ASCII-armored OpenPGP
 * message. That OpenPGP message is signed and encrypted in one pass (RFC 3156
 * §6.2, "combined method") over the inner MIME entity, which nodemailer's
 * MailComposer builds (text part + attachments, base64), CRLF line ends.
 * All parts are 7bit; the result is pure ASCII.
 *
 * @returns the raw message (Buffer, CRLF) and its Message-ID.
 * @throws AppError INVALID_EMAIL — From or To address fails `validator.isEmail`;
 *   HEADER_INJECTION — a control character (CR/LF, ...) in a name, the subject,
 *   an attachment file name or content type, or a malformed Message-ID;
 *   VALIDATION_FAILED — no encryption key, or a subject that names the recipient;
 *   KEY_INVALID — a key that cannot be read or used (openpgp error not echoed).
 * @source RFC 3156 §4 and §6.2; RFC 5322 §3.6; 45 CFR 164.312(e)(2)(ii) (encryption in transit),
 *   164.312(c)(1) (integrity: the signature).
 */
export async function buildPgpMimeMessage(input: PgpMimeInput): Promise<PgpMimeMessage> {
  const { from, to, messageId } = checkOuterMessage(input);
  if (input.encryptionKeysArmored.length === 0) throw new AppError('VALIDATION_FAILED', 'There is no key to encrypt the message to.');
  const armored = await signAndEncrypt(await buildInnerEntity(input), input.signingKeyArmored, input.encryptionKeysArmored, input.date);

  const root = outerMessage('multipart/encrypted; protocol="application/pgp-encrypted"', { from, to, subject: input.subject, date: input.date, messageId });

  root
    .createChild('application/pgp-encrypted')
    .setHeader('Content-Description', 'PGP/MIME version identification')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent('Version: 1\r\n');
  root
    .createChild('application/octet-stream; name="encrypted.asc"')
    .setHeader('Content-Description', 'OpenPGP encrypted message')
    .setHeader('Content-Disposition', 'inline; filename="encrypted.asc"')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent(ARMOR_SLOT);

  // The armored message (CRLF, 7bit) goes where the slot is, copied once into the finished message, never turned
  // into a string: MimeNode writes 7bit content as it is given, so the result is byte-identical to setContent(armored).
  const frame = await root.build();
  const at = frame.indexOf(ARMOR_SLOT);
  if (at < 0 || frame.indexOf(ARMOR_SLOT, at + 1) >= 0) throw new AppError('INTERNAL', 'The message could not be composed.');
  const raw = Buffer.concat([frame.subarray(0, at), ...armored, frame.subarray(at + ARMOR_SLOT.length)]);
  return { raw, messageId };
}

/**
 * The checks every end-to-end encrypted message (PGP/MIME, S/MIME) makes before composing: both mailboxes valid
 * and free of control characters, a non-empty subject that does not name the recipient (it travels in the clear),
 * safe attachment names and content types, a well-formed Message-ID (generated from a random UUID when absent).
 * @returns the checked mailboxes and the Message-ID (with angle brackets)
 * @throws AppError INVALID_EMAIL | HEADER_INJECTION | VALIDATION_FAILED
 * @source RFC 5322 §2.2, §3.6.4
 */
export function checkOuterMessage(input: {
  from: Mailbox;
  to: Mailbox;
  subject: string;
  attachments: ReadonlyArray<{ filename: string; contentType: string }>;
  messageId?: string | undefined;
}): { from: Mailbox; to: Mailbox; messageId: string } {
  const from = checkMailbox(input.from, 'sender');
  const to = checkMailbox(input.to, 'recipient');
  checkHeaderValue(input.subject, 'subject');
  if (input.subject.trim() === '') throw new AppError('VALIDATION_FAILED', 'The subject must not be empty.');
  const subjectLower = input.subject.toLowerCase();
  if (subjectLower.includes(to.address.toLowerCase()) || (to.name.trim().length >= 3 && subjectLower.includes(to.name.trim().toLowerCase()))) {
    throw new AppError('VALIDATION_FAILED', 'The subject must not name the recipient: subjects travel unencrypted and appear in bounces.');
  }
  for (const a of input.attachments) {
    checkHeaderValue(a.filename, 'attachment file name');
    checkHeaderValue(a.contentType, 'attachment content type');
    if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(a.contentType)) {
      throw new AppError('VALIDATION_FAILED', 'An attachment has an invalid content type.');
    }
  }
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  const messageId = input.messageId ?? `<${randomUUID()}@${domain}>`;
  if (CONTROL.test(messageId) || !MESSAGE_ID.test(messageId)) {
    throw new AppError('HEADER_INJECTION', 'The message id is malformed.');
  }
  return { from, to, messageId };
}

/** Validate a mailbox: address per validator.isEmail, no control characters anywhere. */
function checkMailbox(m: Mailbox, role: 'sender' | 'recipient'): Mailbox {
  if (CONTROL.test(m.name) || CONTROL.test(m.address)) {
    throw new AppError('HEADER_INJECTION', `The ${role}'s name or address contains a line break or control character.`);
  }
  if (!isEmail(m.address)) {
    throw new AppError('INVALID_EMAIL', `The ${role}'s email address is not valid.`);
  }
  return { name: m.name, address: m.address };
}

function checkHeaderValue(v: string, what: string): void {
  if (CONTROL.test(v)) throw new AppError('HEADER_INJECTION', `The ${what} contains a line break or control character.`);
}

/**
 * The inner MIME entity (RFC 3156 §4: "the MIME body part to be encrypted"):
 * multipart/mixed with the text and the attachments, only Content-* headers
 * at the top (MailComposer's Message-ID/Date/MIME-Version are dropped:
 * they belong to the outer message). S/MIME (RFC 8551 §3.1) protects the same entity.
 * @returns the entity's bytes (CRLF)
 * @throws AppError INTERNAL when MailComposer's output has no header/body boundary
 */
export async function buildInnerEntity(input: { textBody: string; attachments: readonly PgpMimeAttachment[] }): Promise<Buffer> {
  const composer = new MailComposer({
    text: input.textBody,
    attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const built = await composer.compile().build();
  const split = built.indexOf('\r\n\r\n');
  if (split < 0) throw new AppError('INTERNAL', 'The message could not be composed.');
  const headerBlock = built.subarray(0, split).toString('latin1');
  // Unfold into logical headers (continuation lines start with space or tab), keep Content-*.
  const headers: string[] = [];
  for (const line of headerBlock.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += '\r\n' + line;
    else headers.push(line);
  }
  const kept = headers.filter((h) => /^content-/i.test(h)).join('\r\n');
  return Buffer.concat([Buffer.from(kept, 'latin1'), built.subarray(split)]);
}

/**
 * One-pass sign+encrypt (SEIPDv1, no AEAD: readable by GnuPG 2.2), ASCII-armored with CRLF line ends; native writer
 * first (fast-encrypt.ts).
 * @returns the armored message as the writer's buffers, in order (not joined: the caller copies them once)
 */
async function signAndEncrypt(data: Buffer, signingKeyArmored: string, encryptionKeysArmored: string[], date: Date): Promise<Buffer[]> {
  let signingKey: openpgp.PrivateKey;
  let encryptionKeys: openpgp.Key[];
  try {
    signingKey = await openpgp.readPrivateKey({ armoredKey: signingKeyArmored });
    encryptionKeys = await Promise.all(encryptionKeysArmored.map((k) => openpgp.readKey({ armoredKey: k })));
  } catch {
    throw new AppError('KEY_INVALID', 'A key needed to encrypt or sign the message could not be read.');
  }
  try {
    // Native bulk work (node:crypto) when the keys allow it; openpgp.js otherwise. Same packets.
    const make = await prepareEncryptAndSign({ encryptionKeys, signingKey, filename: '', date, armor: true }, { crlf: true });
    if (make) {
      const out: Buffer[] = [];
      const w = make((b) => out.push(b));
      for (let off = 0; off < data.length; off += 2 ** 22) w.update(data.subarray(off, Math.min(data.length, off + 2 ** 22)));
      await w.end();
      return out;
    }
    const message = await openpgp.createMessage({ binary: data, format: 'binary', date });
    const armored = await openpgp.encrypt({
      message,
      encryptionKeys,
      signingKeys: signingKey,
      format: 'armored',
      date,
      config: GNUPG22_COMPATIBLE_CONFIG,
    });
    return [Buffer.from(armored.replace(/\r?\n/g, '\r\n'), 'latin1')];
  } catch (e) {
    // openpgp's text may quote a key id; keep it out of the message, record only which stage failed.
    const revokedOrExpired = e instanceof Error && /revoked|expired/i.test(e.message);
    throw new AppError('KEY_INVALID', 'The message could not be encrypted: one of the keys cannot be used (revoked, expired or unsuitable).', {
      stage: 'encrypt',
      revokedOrExpired,
    });
  }
}
